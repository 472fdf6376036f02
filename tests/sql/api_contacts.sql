-- Customer file: folding, phone keys, visibility, owner rules, validation,
-- duplicates, If-Match, soft delete, audit, keyset paging, birthdays,
-- custom fields, campaigns, companies, index use at 20k contacts.
BEGIN;
\ir fixtures.psql
SELECT plan(78);

-- A second rep; the manager's team holds rep1 (not rep2); a key with customer scopes.
\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"crm","scopes":["contacts:read","contacts:write","companies:read","companies:write","lookup:read","activities:read","activities:write"],"key_hash":"tap-key-crm","prefix":"tapc"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-keyc","ip":"10.0.0.9","api_key_hash":"tap-key-crm"}'::jsonb AS ctx_keyc
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null

SET ROLE crm_app;

-- Folding and phone keys.
SELECT is(crm.fold('علي'), crm.fold('علی'), 'fold: Arabic ي equals Persian ی');
SELECT is(crm.fold(E'  كِتاب\u200Cخانه  ۀ  أإآ ٠١۲ '), 'کتابخانه ه ااا 012', 'fold: ک, diacritics, ZWNJ, ۀ, alef forms, digits, spaces');
SELECT is(ARRAY(SELECT crm.phone_key(n) FROM unnest(ARRAY['+98 912 345 6789', '0098 912 345 6789', '09123456789', '0912-345-6789',
                                                          '۰۹۱۲ ۳۴۵ ۶۷۸۹', '٠٩١٢٣٤٥٦٧٨٩', '(0912) 345 67 89', '9123456789']) n),
          array_fill('989123456789'::text, ARRAY[8]), 'phone_key: every format of the brief gives 989123456789');
SELECT is(crm.phone_key('+1 (415) 555-0100'), '14155550100', 'phone_key keeps a foreign + number');
SELECT is(crm.phone_key('021 8888 1234', '98'), '982188881234', 'phone_key: trunk 0 becomes the default country code');
SELECT ok(crm.phone_key('12-34') IS NULL AND crm.phone_key('') IS NULL, 'phone_key: fewer than 5 digits is NULL');

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
SELECT is(pg_temp.err(format('SELECT api.custom_fields_update(%L, %L)', ctx_admin1,
                             jsonb_build_object('id', (SELECT id FROM crm.custom_fields WHERE key = 'tier' AND org_id = :'org1'), 'patch', '{"type":"text"}'::jsonb))),
          'CR422 type immutable', 'a custom field type is immutable') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.custom_fields_create(%L, %L)', ctx_rep1, '{"entity":"contact","key":"k","label":"K","type":"text"}')),
          'CR403', 'only admins define custom fields') FROM fx;

-- Campaigns.
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","cost":"10.00","currency":"XYZ"}')),
          'CR422 currency invalid', 'unknown currency') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_manager1, '{"name":"C","starts_on":"2025-05-10","ends_on":"2025-05-01"}')),
          'CR422 ends_on before_start', 'ends_on before starts_on') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.campaigns_create(%L, %L)', ctx_rep1, '{"name":"C"}')), 'CR403', 'reps cannot write campaigns') FROM fx;
SELECT is((api.campaigns_create(ctx_manager1, '{"name":"Nowruz","channel":"sms","cost":"2500000","currency":"IRR","starts_on":"2025-03-01","ends_on":"2025-04-01"}')).body::jsonb->>'cost',
          '2500000.00', 'cost is a decimal string') FROM fx;
SELECT is(jsonb_array_length((api.campaigns_list(ctx_rep1, '{"active_on":"2025-03-15"}')).body::jsonb->'data'), 1, 'campaigns_list active_on') FROM fx;

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
SELECT is(pg_temp.err(format('SELECT api.companies_create(%L, %L)', ctx_rep1, '{"name":"Acme 2","domain":"ACME.test"}')),
          '23505', 'duplicate company domain: 23505 companies__domain__uq') FROM fx;
SELECT is((api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Acme Persia"}'::jsonb))).status, 200, 'company rename') FROM fx;
SELECT is((SELECT a.old_values->>'name' || '|' || (a.new_values->>'name') || '|' || a.actor_user_id::text FROM crm.audit_log a
            WHERE a.table_name = 'companies' AND a.record_id = :'co1' AND a.action = 'update'),
          'Acme|Acme Persia|' || rep1, 'company audit row: old and new values and the actor') FROM fx;
SELECT is((api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', jsonb_build_object('company_id', :'co1')))).body::jsonb->'company'->>'name',
          'Acme Persia', 'contact shows its company') FROM fx;
\o /dev/null
SELECT api.companies_update(ctx_rep1, jsonb_build_object('id', :'co1', 'patch', '{"name":"Zagros Trading"}'::jsonb)) FROM fx;
\o
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"zagros"}')), ARRAY[:'c1'], 'a company rename refreshes contact search') FROM fx;
\o /dev/null
SELECT api.companies_delete(ctx_rep1, jsonb_build_object('id', :'co1')) FROM fx;
\o
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))).body::jsonb->'company', 'null'::jsonb, 'a deleted company disappears from the contact') FROM fx;

-- Birthdays: the window wraps the year.
SELECT ok(crm.birthday_within('1990-01-03', '2024-12-28', 10) AND NOT crm.birthday_within('1990-02-01', '2024-12-28', 10)
          AND crm.birthday_within('1985-12-30', '2024-12-28', 10) AND NOT crm.birthday_within('1985-12-27', '2024-12-28', 10),
          'birthday_within wraps from December into January');
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
