-- sql/api/campaigns.sql: campaigns_* operations: currency and date checks, who may write, decimal cost, active_on filter.
BEGIN;
\ir fixtures.psql
SELECT plan(5);
SET ROLE crm_app;

SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","cost":"10.00","currency":"XYZ"}')),
          'CR422 currency invalid', 'unknown currency') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","starts_on":"2025-05-10","ends_on":"2025-05-01"}')),
          'CR422 ends_on before_start', 'ends_on before starts_on') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_rep1, '{"name":"C"}')), 'CR403', 'reps cannot write campaigns') FROM fx;
SELECT is((api.campaigns_create(ctx_manager1, '{"name":"Nowruz","channel":"sms","cost":"2500000","currency":"IRR","starts_on":"2025-03-01","ends_on":"2025-04-01"}')).body::jsonb->>'cost',
          '2500000.00', 'cost is a decimal string') FROM fx;
SELECT is(jsonb_array_length((api.campaigns_list(ctx_rep1, '{"active_on":"2025-03-15"}')).body::jsonb->'data'), 1, 'campaigns_list active_on') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
