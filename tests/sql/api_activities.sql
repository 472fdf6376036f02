-- sql/api/activities.sql: activities_* operations: members per type, updates, audit, telephony posts by number, system entries read-only, visibility, merge.
BEGIN;
\ir fixtures.psql
SELECT plan(18);

\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"pbx","scopes":["lookup:read","activities:write","activities:read"],"key_hash":"tap-key-pbx","prefix":"tapp"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-pbx","ip":"10.0.0.9","api_key_hash":"tap-key-pbx"}'::jsonb AS ctx_pbx
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null
SET ROLE crm_app;

SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":["۰۹۱۲ ۳۴۵ ۶۷۸۹"],"tags":["gold","vip"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Ali R.","city":"Tehran","phones":["0935 111 2222"],"emails":["ali@x.test"],"tags":["Gold","troublesome"]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Other rep', 'owner_id', :'rep2'))).body::jsonb->>'id' AS c3 FROM fx \gset

-- Members per type.
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'note', 'duration_seconds', 30))),
          'CR422 duration_seconds not_applicable', 'duration_seconds on a note is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'call', 'latitude', 35.7))),
          'CR422 latitude not_applicable', 'latitude on a call is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'meeting', 'direction', 'inbound'))),
          'CR422 direction not_applicable', 'direction on a meeting is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'email', 'place', 'x'))),
          'CR422 place not_applicable', 'place on an e-mail is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'system'))),
          'CR422 type read_only', 'system entries cannot be created') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'note', 'event', 'x'))),
          'CR422 event not_applicable', 'event on a note is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', :'c3', 'type', 'note'))),
          'CR422 contact_id not_found', 'an activity on an invisible contact is 422 contact_id') FROM fx;
SELECT (api.activities_create(ctx_rep1, jsonb_build_object('contact_id', :'c2', 'type', 'visit', 'latitude', 35.7, 'longitude', 51.4, 'accuracy_m', 12,
                                                           'occurred_at', '2025-01-01T10:00:00Z'))).body::jsonb->>'id' AS v1 FROM fx \gset
SELECT ok(:'v1' IS NOT NULL, 'a visit with a location');
SELECT (api.activities_create(ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'meeting', 'subject', 'Demo', 'starts_at', '2025-02-01T10:00:00Z',
                                                           'ends_at', '2025-02-01T11:00:00Z', 'place', 'HQ', 'occurred_at', '2025-02-01T10:00:00Z'))).body::jsonb->>'id' AS m1 FROM fx \gset
SELECT is(pg_temp.err(format('SELECT api.activities_update(%L, %L)', ctx_rep1, jsonb_build_object('id', :'m1', 'patch', '{"type":"call"}'::jsonb))),
          'CR422 type immutable', 'the type cannot change') FROM fx;
SELECT is((api.activities_update(ctx_rep1, jsonb_build_object('id', :'m1', 'patch', '{"body":"went well"}'::jsonb))).body::jsonb->>'version', '2', 'activities_update') FROM fx;
SELECT is((SELECT a.new_values->>'body' || '|' || a.actor_user_id FROM crm.audit_log a WHERE a.table_name = 'activities' AND a.record_id = :'m1' AND a.action = 'update'),
          'went well|' || rep1, 'activity audit row: new value and actor') FROM fx;

-- Telephony: a call by number only, then the same external id again.
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'contact_id') || ' ' || (r.body::jsonb->>'owner_id')
             FROM api.activities_create(ctx_pbx, '{"type":"call","phone_number":"+989123456789","direction":"inbound","duration_seconds":42,"outcome":"answered","external_call_id":"pbx-1"}') r),
          '201 ' || :'c1' || ' ' || rep1, 'a call by phone number finds the contact; owner = contact owner for keys') FROM fx, fx2;
SELECT is((SELECT r.status || ' ' || (r.body::jsonb ? 'existing_id')::text FROM api.activities_create(ctx_pbx, '{"type":"call","phone_number":"+989123456789","external_call_id":"pbx-1"}') r),
          '409 true', 'a repeated external_call_id: 409 with existing_id') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.activities_create(%L, %L)', ctx_pbx, '{"type":"call","phone_number":"+44 20 7946 0000"}')),
          'CR422 contact_id not_found', 'an unknown number is 422 contact_id') FROM fx2;


-- System entries (from stage and owner changes) are read-only.
\o /dev/null
SELECT api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"lifecycle_stage":"customer"}'::jsonb)) FROM fx;
SELECT api.contacts_update(ctx_manager1, jsonb_build_object('id', :'c2', 'patch', jsonb_build_object('owner_id', manager1))) FROM fx;
\o
SELECT is(pg_temp.err(format('SELECT api.activities_delete(%L, %L)', ctx_rep1,
                             jsonb_build_object('id', (SELECT id FROM crm.activities WHERE contact_id = :'c1' AND type = 'system')))),
          'CR403', 'system entries cannot be deleted') FROM fx;

-- Visibility.
SELECT is(pg_temp.err(format('SELECT api.activities_get(%L, %L)', ctx_rep2, jsonb_build_object('id', :'m1'))), 'CR404', 'another rep: activity 404') FROM fx2;
SELECT is(jsonb_array_length((api.activities_list(ctx_rep2, '{}')).body::jsonb->'data'), 0, 'another rep: no activities listed') FROM fx2;

-- A merge moves the source's activities to the target.
\o /dev/null
SELECT api.contacts_merge(ctx_manager1, jsonb_build_object('id', :'c1', 'source_id', :'c2')) FROM fx;
\o
SELECT is((SELECT count(*)::int FROM crm.activities a WHERE a.contact_id = :'c1' AND a.id = :'v1'), 1, 'merge moves the source''s activities');

SELECT * FROM finish();
ROLLBACK;
