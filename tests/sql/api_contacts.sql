-- sql/api/contacts.sql: contacts_* operations: create, search, owners, visibility, validation, duplicates, If-Match, delete, history, timeline, merge, the inlined read, projection, paging, index use.
BEGIN;
\ir fixtures.psql
SELECT plan(91);

-- A second rep; the manager's team holds rep1 (not rep2); a key with customer scopes; a telephony key.
\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"crm","scopes":["contacts:read","contacts:write","companies:read","companies:write","lookup:read","activities:read","activities:write"],"key_hash":"tap-key-crm","prefix":"tapc"}') FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"pbx","scopes":["lookup:read","activities:write","activities:read"],"key_hash":"tap-key-pbx","prefix":"tapp"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-keyc","ip":"10.0.0.9","api_key_hash":"tap-key-crm"}'::jsonb AS ctx_keyc,
	'{"request_id":"req-pbx","ip":"10.0.0.9","api_key_hash":"tap-key-pbx"}'::jsonb AS ctx_pbx
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null

SET ROLE crm_app;

-- Timeline, system entries and merge, on contacts of their own (deleted
-- afterwards: the contacts below share their phone and e-mail).
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":["۰۹۱۲ ۳۴۵ ۶۷۸۹"],"tags":["gold","vip"]}')).body::jsonb->>'id' AS t1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Ali R.","city":"Tehran","phones":["0935 111 2222"],"emails":["ali@x.test"],"tags":["Gold","troublesome"]}')).body::jsonb->>'id' AS t2 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Other rep', 'owner_id', :'rep2'))).body::jsonb->>'id' AS t3 FROM fx \gset
\o /dev/null
SELECT (api.activities_create(ctx_rep1, jsonb_build_object('contact_id', :'t2', 'type', 'visit', 'latitude', 35.7, 'longitude', 51.4, 'accuracy_m', 12,
                                                           'occurred_at', '2025-01-01T10:00:00Z'))).body::jsonb->>'id' AS v1 FROM fx \gset
SELECT (api.activities_create(ctx_rep1, jsonb_build_object('contact_id', :'t1', 'type', 'meeting', 'subject', 'Demo', 'starts_at', '2025-02-01T10:00:00Z',
                                                           'ends_at', '2025-02-01T11:00:00Z', 'place', 'HQ', 'occurred_at', '2025-02-01T10:00:00Z'))).body::jsonb->>'id' AS m1 FROM fx \gset
SELECT api.activities_create(ctx_pbx, '{"type":"call","phone_number":"+989123456789","direction":"inbound","duration_seconds":42,"outcome":"answered","external_call_id":"pbx-1"}') FROM fx2;
SELECT api.contacts_update(ctx_rep1, jsonb_build_object('id', :'t1', 'patch', '{"lifecycle_stage":"customer"}'::jsonb)) FROM fx;
SELECT api.contacts_update(ctx_manager1, jsonb_build_object('id', :'t2', 'patch', jsonb_build_object('owner_id', manager1))) FROM fx;
\o
SELECT is((SELECT a.event || ' ' || (a.data->>'from') || '→' || (a.data->>'to') FROM crm.activities a WHERE a.contact_id = :'t1' AND a.type = 'system'),
          'stage_change lead→customer', 'a stage change writes a system entry') FROM fx;
SELECT is((SELECT a.event || ' ' || (a.data->>'to') FROM crm.activities a WHERE a.contact_id = :'t2' AND a.type = 'system'),
          'owner_change ' || manager1, 'an owner change writes a system entry') FROM fx;
SELECT is((SELECT array_agg(e->>'type') FROM jsonb_array_elements((api.contacts_timeline(ctx_rep1, jsonb_build_object('id', :'t1'))).body::jsonb->'data') e),
          ARRAY['system', 'call', 'meeting'], 'timeline: newest first, system entries included') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_timeline(%L, %L)', ctx_rep2, jsonb_build_object('id', :'t1'))), 'CR404', 'another rep: timeline 404') FROM fx2;
-- Merge t2 into t1 (both the manager's team's; the manager may write both).
SELECT is(pg_temp.err(format('SELECT api.contacts_merge(%L, %L)', ctx_rep1, jsonb_build_object('id', :'t1', 'source_id', :'t1'))),
          'CR422 source_id same', 'merging a contact into itself is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_merge(%L, %L)', ctx_rep2, jsonb_build_object('id', :'t3', 'source_id', :'t1'))),
          'CR404', 'merging an invisible source is 404') FROM fx2;
SELECT is((SELECT (r.body::jsonb->'tags')::text || ' ' || (r.body::jsonb->>'city') || ' ' || jsonb_array_length(r.body::jsonb->'phones')
             FROM api.contacts_merge(ctx_manager1, jsonb_build_object('id', :'t1', 'source_id', :'t2')) r),
          '["gold", "vip", "troublesome"] Tehran 2', 'merge unites tags and phones and fills empty fields') FROM fx;
SELECT is((SELECT c.merged_into::text || ' ' || (c.deleted_at IS NOT NULL)::text FROM crm.contacts c WHERE c.id = :'t2'),
          :'t1' || ' true', 'the source is soft-deleted with merged_into');
SELECT is((SELECT a.data->>'source_id' FROM crm.activities a WHERE a.contact_id = :'t1' AND a.event = 'merge'), :'t2', 'merge writes a system entry');
\o /dev/null
SELECT api.contacts_delete(ctx_admin1, jsonb_build_object('id', id)) FROM fx, unnest(ARRAY[:'t1', :'t3']) id;
\o

-- Create, folding search, owner defaults.
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":[{"label":"mobile","number":"۰۹۱۲ ۳۴۵ ۶۷۸۹"}],"emails":["ali@x.test"],"tags":["Gold"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT ok(:'c1' IS NOT NULL, 'rep creates a contact');
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->>'owner_id', rep1::text, 'owner defaults to the caller') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"علی"}')), ARRAY[:'c1'], 'q «علی» finds «علي»') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"رضائی"}')), ARRAY[:'c1'], 'q with Persian ی finds Arabic ي in the last name') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"0912 345"}')), ARRAY[:'c1'], 'q by partial phone digits') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"+98 912 345 6789"}')), ARRAY[:'c1'], 'q by phone in another format') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"ALI@X"}')), ARRAY[:'c1'], 'q by e-mail, case-insensitive') FROM fx;
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'phones'->0->>'key', '989123456789', 'phones carry their key') FROM fx;

-- Owner assignment rules.
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, jsonb_build_object('first_name', 'x', 'owner_id', rep2))),
          'CR422 owner_id forbidden', 'a rep may not assign to another rep') FROM fx, fx2;
SELECT is((api.contacts_create(ctx_manager1, jsonb_build_object('first_name', 'Team', 'owner_id', rep1))).status, 201,
          'a manager may assign to a member of their team') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_manager1, jsonb_build_object('first_name', 'x', 'owner_id', rep2))),
          'CR422 owner_id forbidden', 'a manager may not assign outside their teams') FROM fx, fx2;
SELECT is((api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Rep2 owned', 'owner_id', rep2))).status, 201,
          'an admin may assign to anyone active in the org') FROM fx, fx2;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_admin1, jsonb_build_object('first_name', 'x', 'owner_id', admin2))),
          'CR422 owner_id not_found', 'an owner from another org is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_keyc, '{"first_name":"x"}')),
          'CR422 owner_id required', 'an API key must give owner_id') FROM fx2;
SELECT is((api.contacts_create(ctx_keyc, jsonb_build_object('first_name', 'By key', 'owner_id', rep2))).status, 201,
          'an API key with owner_id creates') FROM fx2;

-- Visibility.
SELECT is(pg_temp.err(format('SELECT api.contacts_get(%L, %L)', ctx_rep2, jsonb_build_object('id', :'c1'))), 'CR404', 'another rep: get is 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.contacts_update(%L, %L)', ctx_rep2, jsonb_build_object('id', :'c1', 'patch', '{"city":"x"}'::jsonb))), 'CR404', 'another rep: update is 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.contacts_delete(%L, %L)', ctx_rep2, jsonb_build_object('id', :'c1'))), 'CR404', 'another rep: delete is 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.contacts_history(%L, %L)', ctx_rep2, jsonb_build_object('id', :'c1'))), 'CR404', 'another rep: history is 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.contacts_timeline(%L, %L)', ctx_rep2, jsonb_build_object('id', :'c1'))), 'CR404', 'another rep: timeline is 404') FROM fx2;
SELECT ok(NOT (:'c1' = ANY (pg_temp.page_all('contacts_list', ctx_rep2, '{}'))), 'another rep: absent from the list') FROM fx2;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep2, '{"q":"علی"}')), '{}'::text[], 'another rep: absent from search') FROM fx2;
SELECT is((SELECT array_agg(DISTINCT e->>'owner_id') FROM jsonb_array_elements((api.contacts_list(ctx_rep2, '{}')).body::jsonb->'data') e),
          ARRAY[rep2::text], 'a rep lists only their own contacts') FROM fx2;
SELECT ok(:'c1' = ANY (pg_temp.page_all('contacts_list', ctx_manager1, '{}')), 'the manager sees the team member''s contact') FROM fx;
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements((api.contacts_list(ctx_manager1, '{"limit":200}')).body::jsonb->'data') e
                       WHERE e->>'owner_id' = fx2.rep2::text), 'the manager does not see a rep outside their teams') FROM fx, fx2;
SELECT is(cardinality(pg_temp.page_all('contacts_list', ctx_admin1, '{}')), 4, 'the admin sees every contact') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'c1'))), 'CR404', 'another org: 404') FROM fx;

-- Validation names the field.
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"city":"Tehran"}')), 'CR422 display_name required', 'a contact needs a name, phone or e-mail') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"first_name":"x","custom_fields":{"nope":1}}')),
          'CR422 custom_fields.nope unknown_field', 'unknown custom field') FROM fx;
\o /dev/null
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"tier","label":"Tier","type":"choice","choices":["a","b"]}') FROM fx;
SELECT api.custom_fields_create(ctx_admin1, '{"entity":"contact","key":"visits","label":"Visits","type":"number"}') FROM fx;
\o
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"first_name":"x","custom_fields":{"tier":"z"}}')),
          'CR422 custom_fields.tier invalid_choice', 'a choice outside the list') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"first_name":"x","custom_fields":{"visits":"3"}}')),
          'CR422 custom_fields.visits type', 'a custom value of the wrong JSON type') FROM fx;
SELECT is((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"custom_fields":{"tier":"a","visits":3}}'::jsonb))).body::jsonb->'custom_fields',
          '{"tier":"a","visits":3}'::jsonb, 'valid custom values are stored') FROM fx;
SELECT is((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"custom_fields":{"tier":null}}'::jsonb))).body::jsonb->'custom_fields',
          '{"visits":3}'::jsonb, 'custom_fields merge member-wise; null removes a key') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"first_name":"x","consent":{"sms":{"source":"web"}}}')),
          'CR422 consent.sms.granted required', 'consent needs granted') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_create(%L, %L)', ctx_rep1, '{"first_name":"x","consent":{"fax":{"granted":true}}}')),
          'CR422 consent.fax unknown_field', 'unknown consent channel') FROM fx;
SELECT ok((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"consent":{"sms":{"granted":true,"source":"web form"}}}'::jsonb))).body::jsonb->'consent'->'sms'->>'at' IS NOT NULL,
          'consent: at is set when granted changes') FROM fx;
-- Duplicates.
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'existing_id') || ' ' || (r.body::jsonb->'errors'->0->>'field')
             FROM api.contacts_create(ctx_rep1, '{"first_name":"Again","phones":["+98 912 345 6789"]}') r),
          '409 ' || :'c1' || ' phones', 'duplicate phone: 409 with existing_id') FROM fx;
SELECT is((SELECT r.body::jsonb->'errors'->0->>'code' FROM api.contacts_create(ctx_rep1, '{"first_name":"Again","emails":["ALI@x.test"]}') r),
          'duplicate', 'duplicate e-mail: 409') FROM fx;
SELECT is((SELECT r.status::text || ' ' || (r.body::jsonb ? 'existing_id')::text FROM api.contacts_create(ctx_rep2, '{"first_name":"Other","phones":["09123456789"]}') r),
          '409 false', 'a duplicate the caller cannot see: 409 without existing_id') FROM fx2;
SELECT is((api.contacts_create(ctx_rep1, '{"first_name":"Twin","phones":["09123456789"],"allow_duplicate":true}')).status, 201,
          'allow_duplicate creates anyway') FROM fx;

-- If-Match and soft delete.
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->'current'->>'id') FROM api.contacts_update(ctx_rep1,
            jsonb_build_object('id', :'c1', 'if_match', 1, 'patch', '{"city":"x"}'::jsonb)) r),
          '412 ' || :'c1', 'stale if_match: 412 with current') FROM fx;
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Doomed"}')).body::jsonb->>'id' AS doomed FROM fx \gset
SELECT is((api.contacts_delete(ctx_rep1, jsonb_build_object('id', :'doomed'))).status, 204, 'delete answers 204') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.contacts_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'doomed'))), 'CR404', 'a deleted contact is 404') FROM fx;
SELECT ok(NOT (:'doomed' = ANY (pg_temp.page_all('contacts_list', ctx_rep1, '{}'))), 'a deleted contact leaves the list') FROM fx;

-- Audit.
SELECT is((SELECT a.old_values->>'city' || '|' || (a.new_values->>'city') || '|' || a.actor_user_id::text FROM crm.audit_log a
            WHERE a.table_name = 'contacts' AND a.record_id = :'c1' AND a.action = 'update' AND a.new_values ? 'city'),
          NULL, 'no city change yet') FROM fx;
SELECT is((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"city":"شیراز"}'::jsonb))).status, 200, 'update city') FROM fx;
SELECT is((SELECT coalesce(a.old_values->>'city', 'null') || '|' || (a.new_values->>'city') || '|' || a.actor_user_id::text FROM crm.audit_log a
            WHERE a.table_name = 'contacts' AND a.record_id = :'c1' AND a.action = 'update' AND a.new_values ? 'city'),
          'null|شیراز|' || rep1, 'contact audit row: old and new values and the actor') FROM fx;
SELECT is((SELECT e->'new'->>'city' FROM jsonb_array_elements((api.contacts_history(ctx_rep1, jsonb_build_object('id', :'c1', 'limit', 1))).body::jsonb->'data') e),
          'شیراز', 'contacts_history: newest event first') FROM fx;
SELECT (api.companies_create(ctx_rep1, '{"name":"Acme","domain":"acme.test"}')).body::jsonb->>'id' AS co1 FROM fx \gset
\o /dev/null
SELECT api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Acme Persia"}'::jsonb)) FROM fx;
\o
SELECT is((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', jsonb_build_object('company_id', :'co1')))).body::jsonb->'company'->>'name',
          'Acme Persia', 'contact shows its company') FROM fx;

-- Birthdays through the list.
\o /dev/null
SELECT api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Soon', 'birthday', (current_date + 5 - interval '30 years')::date)) FROM fx;
\o
SELECT is((SELECT array_agg(e->>'first_name') FROM jsonb_array_elements((api.contacts_list(ctx_rep1, '{"birthday_within":7}')).body::jsonb->'data') e),
          ARRAY['Soon'], 'birthday_within through contacts_list') FROM fx;

-- Keyset paging: every row once for each sort (ties in created_at broken by id).
\o /dev/null
SELECT api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'P' || (i % 4), 'last_name', CASE WHEN i % 3 = 0 THEN NULL ELSE 'L' || (i % 5) END,
                                                   'lead_score', i % 3)) FROM fx, generate_series(1, 17) i;
\o
SELECT is(pg_temp.page_all('contacts_list', ctx_rep1, jsonb_build_object('limit', 4, 'sort', s)),
          (SELECT array_agg(id::text ORDER BY
                  CASE WHEN s LIKE '-%' THEN NULL ELSE k END, CASE WHEN s LIKE '-%' THEN k END DESC,
                  CASE WHEN s LIKE '-%' THEN NULL ELSE id END, CASE WHEN s LIKE '-%' THEN id END DESC)
             FROM (SELECT id, CASE ltrim(s, '-') WHEN 'display_name' THEN display_name WHEN 'last_name' THEN coalesce(last_name, '')
                              WHEN 'lead_score' THEN lpad(lead_score::text, 3, '0') WHEN 'created_at' THEN to_char(created_at, 'YYYYMMDDHH24MISSUS')
                              ELSE to_char(updated_at, 'YYYYMMDDHH24MISSUS') END COLLATE "C" AS k
                     FROM crm.contacts WHERE org_id = fx.org1 AND owner_id = fx.rep1 AND deleted_at IS NULL) x),
          'contacts_list keyset by ' || s)
  FROM fx, unnest(ARRAY['-created_at', 'created_at', 'updated_at', 'display_name', '-display_name', 'last_name', '-lead_score']) s;

-- The read is one inlined statement: persons resolved inline, API keys
-- through crm.begin; the same body, visibility and errors as every read.
RESET ROLE;
\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep8@one.test","name":"Lone Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep8 FROM fx \gset
SELECT jsonb_build_object('request_id', 'r8', 'ip', '10.0.0.8', 'user_id', :'rep8', 'org_id', org1) AS ctx_rep8 FROM fx \gset
SELECT api.api_keys_create(ctx_admin1, '{"name":"contacts","scopes":["contacts:read"],"key_hash":"tap-key-contacts","prefix":"tapc"}')
  FROM fx;
SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Read Co', 'owner_id', rep1))).body::jsonb->>'id' AS co FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Rana', 'company_id', :'co', 'tags', '["vip"]'::jsonb,
        'phones', '[{"label":"mobile","number":"0912 444 5566"}]'::jsonb))).body::jsonb->>'id' AS rana FROM fx \gset
SELECT (api.contacts_create(:'ctx_rep8', '{"first_name":"Lone"}')).body::jsonb->>'id' AS c8 \gset
\o
-- The planner must inline them (STABLE set-returning SQL functions with no
-- SET clause): a Function Scan on them would mean one call per request.
SELECT unalike(pg_temp.plan(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'rana'))),
              '%Function Scan on contacts_get %', 'api.contacts_get is inlined into the caller''s statement') FROM fx;
SELECT is(p.provolatile::text || p.proretset::text, 'strue', p.proname || ' is STABLE and set-returning')
  FROM pg_proc p WHERE p.oid IN ('api.contacts_get(jsonb, jsonb)'::regprocedure)
 ORDER BY p.proname;

-- The body: every member of the document, literal but for ids and times.
SELECT is((SELECT r.body::jsonb FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'rana')) r),
          format('{"id": "%1$s", "first_name": "Rana", "last_name": null, "display_name": "Rana",
                   "phones": [{"label": "mobile", "number": "0912 444 5566", "key": "989124445566"}], "emails": [],
                   "birthday": null, "city": null, "address": null, "job_title": null,
                   "company_id": "%2$s", "company": {"id": "%2$s", "name": "Read Co"},
                   "lifecycle_stage": "lead", "lead_source": null, "campaign_id": null, "lead_score": 0, "tags": ["vip"],
                   "custom_fields": {}, "consent": {"sms": null, "email": null, "phone": null}, "preferences": {}, "notes": null,
                   "owner_id": "%3$s", "owner": {"id": "%3$s", "name": "One Rep"}, "merged_into": null,
                   "created_at": "%4$s", "updated_at": "%4$s", "created_by": "%3$s", "updated_by": "%3$s", "version": 1}',
                 :'rana', :'co', fx.rep1, pg_temp.utc(c.created_at))::jsonb,
          'the read answers the contact''s document, every member') FROM fx, crm.contacts c WHERE c.id = :'rana';
-- And with every member set: dates, custom values, consent, campaign, preferences.
\o /dev/null
SELECT (api.campaigns_create(ctx_admin1, '{"name":"Read campaign"}')).body::jsonb->>'id' AS rcamp FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Sara', 'last_name', 'Kamali', 'display_name', 'Dr. Sara Kamali',
        'phones', '[{"label":"work","number":"+98 21 8888 1234"},{"number":"0935 222 3344"}]'::jsonb,
        'emails', '[{"label":"work","address":"Sara@Read.test"},"sara@home.test"]'::jsonb,
        'birthday', '1990-03-21', 'city', 'Shiraz', 'address', 'Zand St. 1', 'job_title', 'Buyer', 'company_id', :'co',
        'lifecycle_stage', 'customer', 'lead_source', 'fair', 'campaign_id', :'rcamp', 'lead_score', 42, 'tags', '["vip","gold"]'::jsonb,
        'custom_fields', '{"tier":"b","visits":7}'::jsonb,
        'consent', '{"sms":{"granted":true,"source":"web form","at":"2025-01-02T03:04:05Z"},"email":{"granted":false}}'::jsonb,
        'preferences', '{"language":"fa","call_after":"10:00"}'::jsonb, 'notes', 'Prefers mornings'))).body::jsonb->>'id' AS sara FROM fx \gset
\o
SELECT is((SELECT r.body::jsonb FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'sara')) r),
          format('{"id": "%1$s", "first_name": "Sara", "last_name": "Kamali", "display_name": "Dr. Sara Kamali",
                   "phones": [{"label": "work", "number": "+98 21 8888 1234", "key": "982188881234"},
                              {"label": null, "number": "0935 222 3344", "key": "989352223344"}],
                   "emails": [{"label": "work", "address": "sara@read.test"}, {"label": null, "address": "sara@home.test"}],
                   "birthday": "1990-03-21", "city": "Shiraz", "address": "Zand St. 1", "job_title": "Buyer",
                   "company_id": "%2$s", "company": {"id": "%2$s", "name": "Read Co"},
                   "lifecycle_stage": "customer", "lead_source": "fair", "campaign_id": "%5$s", "lead_score": 42, "tags": ["vip", "gold"],
                   "custom_fields": {"tier": "b", "visits": 7},
                   "consent": {"sms": {"granted": true, "at": "2025-01-02T03:04:05.000000Z", "source": "web form"},
                               "email": {"granted": false, "at": "%4$s", "source": null}, "phone": null},
                   "preferences": {"language": "fa", "call_after": "10:00"}, "notes": "Prefers mornings",
                   "owner_id": "%3$s", "owner": {"id": "%3$s", "name": "One Rep"}, "merged_into": null,
                   "created_at": "%4$s", "updated_at": "%4$s", "created_by": "%3$s", "updated_by": "%3$s", "version": 1}',
                 :'sara', :'co', fx.rep1, pg_temp.utc(c.created_at), :'rcamp')::jsonb,
          'a contact with every member set reads back literally') FROM fx, crm.contacts c WHERE c.id = :'sara';
SELECT is((SELECT r.etag FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'rana')) r), '"1"', 'ETag is the version') FROM fx;
SELECT is((SELECT r.body::jsonb->'company'->>'name' FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'rana')) r),
          'Read Co', 'company joined in') FROM fx;
SELECT is((SELECT r.body::jsonb->'owner'->>'name' FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'rana')) r),
          'One Rep', 'owner joined in') FROM fx;
SELECT is((SELECT count(*) FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'rana'))), 1::bigint, 'exactly one row') FROM fx;

-- Visibility: the manager of the owner's team and an admin see it; another
-- rep, a manager of no team of the owner and another organization do not.
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get(ctx_manager1, jsonb_build_object('id', :'rana')) r), :'rana',
          'the owner''s manager sees it') FROM fx;
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get(ctx_admin1, jsonb_build_object('id', :'c8')) r), :'c8',
          'an admin sees every contact') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_manager1, jsonb_build_object('id', :'c8'))), 'CR404',
          'a manager does not see a rep outside their teams') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', :'ctx_rep8', jsonb_build_object('id', :'rana'))), 'CR404',
          'another rep: 404');
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'rana'))), 'CR404',
          'another organization: 404') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_rep1, '{"id":"not-a-uuid"}')), 'CR404',
          'an id that is no UUID: 404') FROM fx;

-- Callers: an unknown or deactivated user is 401, like crm.begin says.
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)',
                             jsonb_build_object('user_id', gen_random_uuid(), 'org_id', org1), jsonb_build_object('id', :'rana'))),
          'CR401', 'an unknown user: 401') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', jsonb_set(ctx_rep1, '{user_id}', '"not-a-uuid"'),
                             jsonb_build_object('id', :'rana'))), 'CR401', 'a user id that is no UUID: 401, as crm.begin answers') FROM fx;
UPDATE crm.users SET active = false WHERE id = :'rep8';
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', :'ctx_rep8', jsonb_build_object('id', :'c8'))), 'CR401',
          'a deactivated user: 401');

-- API keys take the checked path: scope enforced, whole organization seen.
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get('{"request_id":"k","ip":"10.0.0.9","api_key_hash":"tap-key-contacts"}',
                                                             jsonb_build_object('id', :'c8')) r), :'c8',
          'an API key with contacts:read reads any contact of its organization');
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_key1, jsonb_build_object('id', :'rana'))), 'CR403',
          'an API key without contacts:read: 403') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', '{"api_key_hash":"no-such-key"}', jsonb_build_object('id', :'rana'))),
          'CR401', 'an unknown API key: 401');
SELECT isnt((SELECT last_used_at FROM crm.api_keys WHERE key_hash = 'tap-key-contacts'), NULL, 'a key''s read stamps its last use');


-- fields= projects a record and every element of a page.
SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Hot Co', 'owner_id', rep1))).body::jsonb->>'id' AS hotco FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Zed', 'company_id', :'hotco'))).body::jsonb->>'id' AS zed FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Amy","phones":[{"label":"mobile","number":"0912 111 2233"}]}')).body::jsonb->>'id' AS amy FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Bob"}')).body::jsonb->>'id' AS bob FROM fx \gset
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'zed', 'fields', '["display_name"]'::jsonb))).body::jsonb,
          jsonb_build_object('id', :'zed', 'display_name', 'Zed'), 'fields= projects the record (id always)') FROM fx;
SELECT is((api.contacts_list(ctx_rep1, '{"fields":["first_name"],"limit":2}')).body::jsonb->'data',
          jsonb_build_array(jsonb_build_object('id', :'bob', 'first_name', 'Bob'), jsonb_build_object('id', :'amy', 'first_name', 'Amy')),
          'fields= projects every element of a page') FROM fx;

-- Index use at 20k contacts.
RESET ROLE;
SELECT set_config('crm.actor_system', 'test', true) \g /dev/null
INSERT INTO crm.contacts (org_id, first_name, last_name, phones, owner_id)
SELECT fx.org1, 'Gen' || i, 'Person' || (i % 1000), jsonb_build_array(jsonb_build_object('number', '0912' || lpad(i::text, 7, '0'))), fx.admin1
  FROM fx, generate_series(1, 20000) i;
ANALYZE crm.contacts;
ANALYZE crm.contact_phones;
SELECT matches(pg_temp.plan(format($q$SELECT c.id FROM crm.contacts c WHERE c.org_id = %L AND c.deleted_at IS NULL
                                      AND c.search_text LIKE %L ORDER BY c.created_at DESC, c.id DESC LIMIT 51$q$,
                                   org1, crm.like_pattern(crm.fold('gen12345')))),
               'contacts__search__ix', 'a q= search uses the trigram index') FROM fx;
SELECT matches(pg_temp.plan(format($q$SELECT c.id FROM crm.contact_phones ph JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id
                                      WHERE ph.org_id = %L AND ph.key = %L AND c.deleted_at IS NULL ORDER BY c.updated_at DESC LIMIT 5$q$,
                                   org1, crm.phone_key('09120012345'))),
               'contact_phones__key__uq', 'a phone lookup uses the key index') FROM fx;

SELECT * FROM finish();
ROLLBACK;
