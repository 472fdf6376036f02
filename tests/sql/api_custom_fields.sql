-- sql/api/custom_fields.sql: custom_fields_* operations: the type is immutable, only admins define fields.
BEGIN;
\ir fixtures.psql
SELECT plan(2);
SET ROLE crm_app;

\o /dev/null
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"tier","label":"Tier","type":"choice","choices":["a","b"]}') FROM fx;
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"visits","label":"Visits","type":"number"}') FROM fx;
\o
SELECT is(pg_temp.err(format('SELECT api.custom_fields_update(%L, %L)', ctx_admin1,
                             jsonb_build_object('id', (SELECT id FROM crm.custom_fields WHERE key = 'tier' AND org_id = :'org1'), 'patch', '{"type":"text"}'::jsonb))),
          'CR422 type immutable', 'a custom field type is immutable') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_create(%L, %L)', ctx_rep1, '{"entity":"contact","key":"k","label":"K","type":"text"}')),
          'CR403', 'only admins define custom fields') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
