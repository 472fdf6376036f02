-- sql/api/companies.sql: companies_* operations: the document, list, unique domain, rename (audited, in the history, refreshes contact search), delete (leaves its contacts).
BEGIN;
\ir fixtures.psql
SELECT plan(13);
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
SELECT is((SELECT r.body::jsonb FROM api.companies_get(ctx_rep1, jsonb_build_object('id', :'co1')) r),
          format('{"id": "%1$s", "name": "Acme Persia", "domain": "acme.test", "phones": [], "email": null, "city": null,
                   "address": null, "industry": null, "owner_id": "%2$s", "owner": {"id": "%2$s", "name": "One Rep"}, "tags": [],
                   "custom_fields": {}, "notes": null, "created_at": "%3$s", "updated_at": "%3$s",
                   "created_by": "%2$s", "updated_by": "%2$s", "version": 2}', :'co1', fx.rep1, pg_temp.utc(c.created_at))::jsonb,
          'companies_get: the company document') FROM fx, crm.companies c WHERE c.id = :'co1';
SELECT is(pg_temp.err(format('SELECT api.companies_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'co1'))), 'CR404',
          'companies_get: another organization''s company is 404') FROM fx;
SELECT is((SELECT (r.body::jsonb->'data'->0) - ARRAY['id', 'at', 'txid'] FROM api.companies_history(ctx_rep1, jsonb_build_object('id', :'co1')) r),
          format('{"table": "companies", "record_id": "%s", "action": "update", "actor": {"type": "user", "id": "%s"},
                   "request_id": "req-rep1", "old": {"name": "Acme", "version": 1}, "new": {"name": "Acme Persia", "version": 2}}',
                 :'co1', fx.rep1)::jsonb,
          'companies_history: newest first, the changed members old and new') FROM fx;
SELECT is((SELECT array_agg(e->>'action') FROM jsonb_array_elements((api.companies_history(ctx_rep1, jsonb_build_object('id', :'co1'))).body::jsonb->'data') e),
          ARRAY['update', 'insert'], 'companies_history: every event, down to the insert') FROM fx;
SELECT is(pg_temp.ids(api.companies_list(ctx_rep1, '{"q":"PERSIA"}')), ARRAY[:'co1'], 'companies_list: q matches the folded name') FROM fx;
SELECT is(pg_temp.ids(api.companies_list(ctx_manager1, '{}')), '{}'::text[], 'companies_list: a manager of no team of the owner sees none') FROM fx;
SELECT is(pg_temp.ids(api.companies_list(ctx_admin1, '{}')), ARRAY[:'co1'], 'companies_list: the admin sees the organization''s') FROM fx;
\o /dev/null
SELECT api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', jsonb_build_object('company_id', :'co1'))) FROM fx;
SELECT api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Zagros Trading"}'::jsonb)) FROM fx;
\o
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"zagros"}')), ARRAY[:'c1'], 'a company rename refreshes contact search') FROM fx;
SELECT is((SELECT array_agg(e->>'action') FROM jsonb_array_elements((api.contacts_history(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'data') e),
          ARRAY['update', 'insert'], 'and is no event in the contact''s history (only the company link is)') FROM fx;
\o /dev/null
SELECT api.companies_delete(ctx_rep1, jsonb_build_object('id', :'co1')) FROM fx;
\o
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'company', 'null'::jsonb, 'a deleted company disappears from the contact') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
