-- sql/api/companies.sql: companies_* operations: unique domain, rename (audited, refreshes contact search), delete (leaves its contacts).
BEGIN;
\ir fixtures.psql
SELECT plan(5);
SET ROLE crm_app;

-- A contact of the company.
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":[{"label":"mobile","number":"۰۹۱۲ ۳۴۵ ۶۷۸۹"}],"emails":["ali@x.test"],"tags":["Gold"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.companies_create(ctx_rep1, '{"name":"Acme","domain":"acme.test"}')).body::jsonb->>'id' AS co1 FROM fx \gset
SELECT is(pg_temp.err(format('SELECT api.companies_create(%L, %L)', ctx_rep1, '{"name":"Acme 2","domain":"ACME.test"}')),
          '23505', 'duplicate company domain: 23505 companies__domain__uq') FROM fx;
SELECT is((api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Acme Persia"}'::jsonb))).status, 200, 'company rename') FROM fx;
SELECT is((SELECT a.old_values->>'name' || '|' || (a.new_values->>'name') || '|' || a.actor_user_id::text FROM crm.audit_log a
            WHERE a.table_name = 'companies' AND a.record_id = :'co1' AND a.action = 'update'),
          'Acme|Acme Persia|' || rep1, 'company audit row: old and new values and the actor') FROM fx;
\o /dev/null
SELECT api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', jsonb_build_object('company_id', :'co1'))) FROM fx;
\o
\o /dev/null
SELECT api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Zagros Trading"}'::jsonb)) FROM fx;
\o
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"zagros"}')), ARRAY[:'c1'], 'a company rename refreshes contact search') FROM fx;
\o /dev/null
SELECT api.companies_delete(ctx_rep1, jsonb_build_object('id', :'co1')) FROM fx;
\o
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'company', 'null'::jsonb, 'a deleted company disappears from the contact') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
