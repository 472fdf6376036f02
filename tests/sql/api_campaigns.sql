-- sql/api/campaigns.sql: campaigns_* operations: currency and date checks, who may write, decimal cost, active_on filter, the document, If-Match, delete.
BEGIN;
\ir fixtures.psql
SELECT plan(14);
SET ROLE crm_app;

SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","cost":"10.00","currency":"XYZ"}')),
          'CR422 currency invalid', 'unknown currency') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","starts_on":"2025-05-10","ends_on":"2025-05-01"}')),
          'CR422 ends_on before_start', 'ends_on before starts_on') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_rep1, '{"name":"C"}')), 'CR403', 'reps cannot write campaigns') FROM fx;
SELECT is((api.campaigns_create(ctx_manager1, '{"name":"Nowruz","channel":"sms","cost":"2500000","currency":"IRR","starts_on":"2025-03-01","ends_on":"2025-04-01"}')).body::jsonb->>'cost',
          '2500000.00', 'cost is a decimal string') FROM fx;
SELECT is(jsonb_array_length((api.campaigns_list(ctx_rep1, '{"active_on":"2025-03-15"}')).body::jsonb->'data'), 1, 'campaigns_list active_on') FROM fx;

-- Get, update, delete.
SELECT id AS camp FROM crm.campaigns WHERE org_id = :'org1' AND name = 'Nowruz' \gset
SELECT is((SELECT r.body::jsonb FROM api.campaigns_get(ctx_rep1, jsonb_build_object('id', :'camp')) r),
          format('{"id": "%1$s", "name": "Nowruz", "channel": "sms", "cost": "2500000.00", "currency": "IRR",
                   "starts_on": "2025-03-01", "ends_on": "2025-04-01", "notes": null,
                   "created_at": "%2$s", "updated_at": "%2$s", "version": 1}', :'camp', pg_temp.utc(c.created_at))::jsonb,
          'campaigns_get: the campaign document; any role reads') FROM fx, crm.campaigns c WHERE c.id = :'camp';
SELECT is(pg_temp.err(format('SELECT api.campaigns_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'camp'))), 'CR404',
          'campaigns_get: another organization''s campaign is 404') FROM fx;
SELECT is((SELECT jsonb_build_object('status', r.status, 'etag', r.etag, 'body', r.body::jsonb)
             FROM api.campaigns_update(ctx_manager1, jsonb_build_object('id', :'camp', 'if_match', 1,
                                       'patch', '{"name":"Nowruz 1404","cost":"100.5","ends_on":"2025-04-02"}'::jsonb)) r),
          format('{"status": 200, "etag": "\"2\"", "body": {"id": "%1$s", "name": "Nowruz 1404", "channel": "sms", "cost": "100.50",
                   "currency": "IRR", "starts_on": "2025-03-01", "ends_on": "2025-04-02", "notes": null,
                   "created_at": "%2$s", "updated_at": "%2$s", "version": 2}}', :'camp', pg_temp.utc(c.created_at))::jsonb,
          'campaigns_update: the changed document, new version') FROM fx, crm.campaigns c WHERE c.id = :'camp';
SELECT is((SELECT jsonb_build_object('status', r.status, 'body', r.body::jsonb) FROM api.campaigns_update(ctx_manager1,
             jsonb_build_object('id', :'camp', 'if_match', 1, 'patch', '{"notes":"x"}'::jsonb)) r),
          format('{"status": 412, "body": {"type": "urn:crm:problem:precondition-failed", "title": "Precondition Failed", "status": 412,
                   "detail": "the record was changed by someone else (If-Match is stale)", "instance": "req-manager1",
                   "current": {"id": "%1$s", "name": "Nowruz 1404", "channel": "sms", "cost": "100.50", "currency": "IRR",
                               "starts_on": "2025-03-01", "ends_on": "2025-04-02", "notes": null,
                               "created_at": "%2$s", "updated_at": "%2$s", "version": 2}}}', :'camp', pg_temp.utc(c.created_at))::jsonb,
          'campaigns_update: a stale If-Match is 412 with the current campaign') FROM fx, crm.campaigns c WHERE c.id = :'camp';
SELECT is(pg_temp.err(format('SELECT api.campaigns_update(%L, %L)', ctx_manager1, jsonb_build_object('id', :'camp', 'patch', '{"ends_on":"2025-02-01"}'::jsonb))),
          'CR422 ends_on before_start', 'campaigns_update: ends_on before the stored starts_on') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_delete(%L, %L)', ctx_rep1, jsonb_build_object('id', :'camp'))), 'CR403',
          'campaigns_delete: reps cannot delete') FROM fx;
SELECT is((api.campaigns_delete(ctx_manager1, jsonb_build_object('id', :'camp'))).status, 204, 'campaigns_delete answers 204') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'camp'))), 'CR404',
          'a deleted campaign is 404') FROM fx;
SELECT is((api.campaigns_list(ctx_rep1, '{}')).body::jsonb->'data', '[]'::jsonb, 'and leaves the list') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
