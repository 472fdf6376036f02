-- sql/api/custom_fields.sql: custom_fields_* operations: the document, list per entity, the type is immutable, only admins define or delete fields, a deleted field's values leave the record.
BEGIN;
\ir fixtures.psql
SELECT plan(13);
SET ROLE crm_app;

\o /dev/null
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"tier","label":"Tier","type":"choice","choices":["a","b"]}') FROM fx;
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"visits","label":"Visits","type":"number"}') FROM fx;
\o
SELECT id AS tier FROM crm.custom_fields WHERE key = 'tier' AND org_id = :'org1' \gset
SELECT is((SELECT r.body::jsonb FROM api.custom_fields_get(ctx_rep1, jsonb_build_object('id', :'tier')) r),
          format('{"id": "%1$s", "entity": "contact", "key": "tier", "label": "Tier", "type": "choice", "choices": ["a", "b"],
                   "created_at": "%2$s", "updated_at": "%2$s", "version": 1}', :'tier', pg_temp.utc(f.created_at))::jsonb,
          'custom_fields_get: the field document; any role reads') FROM fx, crm.custom_fields f WHERE f.id = :'tier';
SELECT is((SELECT array_agg(e->>'key') FROM jsonb_array_elements((api.custom_fields_list(ctx_rep1, '{"entity":"contact"}')).body::jsonb->'data') e),
          ARRAY['tier', 'visits'], 'custom_fields_list: an entity''s fields by key') FROM fx;
SELECT is((api.custom_fields_list(ctx_rep1, '{"entity":"company"}')).body::jsonb->'data', '[]'::jsonb,
          'custom_fields_list: none for companies') FROM fx;
SELECT is((api.custom_fields_list(ctx_admin2, '{}')).body::jsonb->'data', '[]'::jsonb,
          'custom_fields_list: none of another organization') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'tier'))), 'CR404',
          'custom_fields_get: another organization''s field is 404') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_update(%L, %L)', ctx_admin1,
                             jsonb_build_object('id', (SELECT id FROM crm.custom_fields WHERE key = 'tier' AND org_id = :'org1'), 'patch', '{"type":"text"}'::jsonb))),
          'CR422 type immutable', 'a custom field type is immutable') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_create(%L, %L)', ctx_rep1, '{"entity":"contact","key":"k","label":"K","type":"text"}')),
          'CR403', 'only admins define custom fields') FROM fx;

-- Delete: admins only; the field's values leave the records' documents.
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Tiered","custom_fields":{"tier":"a","visits":3}}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT is(pg_temp.err(format('SELECT api.custom_fields_delete(%L, %L)', ctx_manager1, jsonb_build_object('id', :'tier'))), 'CR403',
          'custom_fields_delete: admins only') FROM fx;
SELECT is((SELECT jsonb_build_object('status', r.status, 'body', r.body::jsonb)
             FROM api.custom_fields_delete(ctx_admin1, jsonb_build_object('id', :'tier', 'if_match', 7)) r),
          format('{"status": 412, "body": {"type": "urn:crm:problem:precondition-failed", "title": "Precondition Failed", "status": 412,
                   "detail": "the record was changed by someone else (If-Match is stale)", "instance": "req-admin1",
                   "current": {"id": "%1$s", "entity": "contact", "key": "tier", "label": "Tier", "type": "choice", "choices": ["a", "b"],
                               "created_at": "%2$s", "updated_at": "%2$s", "version": 1}}}', :'tier', pg_temp.utc(f.created_at))::jsonb,
          'custom_fields_delete: a stale If-Match is 412 with the current field') FROM fx, crm.custom_fields f WHERE f.id = :'tier';
SELECT is((api.custom_fields_delete(ctx_admin1, jsonb_build_object('id', :'tier', 'if_match', 1))).status, 204, 'custom_fields_delete answers 204') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'tier'))), 'CR404',
          'a deleted field is 404') FROM fx;
SELECT is((SELECT array_agg(e->>'key') FROM jsonb_array_elements((api.custom_fields_list(ctx_rep1, '{}')).body::jsonb->'data') e),
          ARRAY['visits'], 'and leaves the list') FROM fx;
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'custom_fields', '{"visits": 3}'::jsonb,
          'and its values leave the contact''s document') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
