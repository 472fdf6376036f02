-- sql/api/lookup.sql: lookup_phone (one inlined statement; any number format; the caller's visible contacts; profile with last activities and open deals) and tags_list.
BEGIN;
\ir fixtures.psql
SELECT plan(17);

-- rep2 outside the manager's team; a telephony key and a deals key.
\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"pbx","scopes":["lookup:read","activities:write","activities:read"],"key_hash":"tap-key-pbx","prefix":"tapp"}') FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"deals","scopes":["deals:read","deals:write","lookup:read"],"key_hash":"tap-key-deals","prefix":"tapd"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-pbx","ip":"10.0.0.9","api_key_hash":"tap-key-pbx"}'::jsonb AS ctx_pbx,
	'{"request_id":"req-keyd","ip":"10.0.0.9","api_key_hash":"tap-key-deals"}'::jsonb AS ctx_keyd
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null
SET ROLE crm_app;

-- A contact with three activities: a meeting, a call, a stage change.
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":["۰۹۱۲ ۳۴۵ ۶۷۸۹"],"tags":["gold","vip"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Ali R.","city":"Tehran","phones":["0935 111 2222"],"emails":["ali@x.test"],"tags":["Gold","troublesome"]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Other rep', 'owner_id', :'rep2'))).body::jsonb->>'id' AS c3 FROM fx \gset
\o /dev/null
SELECT (api.activities_create(ctx_rep1, jsonb_build_object('contact_id', :'c1', 'type', 'meeting', 'subject', 'Demo', 'starts_at', '2025-02-01T10:00:00Z',
                                                           'ends_at', '2025-02-01T11:00:00Z', 'place', 'HQ', 'occurred_at', '2025-02-01T10:00:00Z'))).body::jsonb->>'id' AS m1 FROM fx \gset
SELECT api.activities_create(ctx_pbx, '{"type":"call","phone_number":"+989123456789","direction":"inbound","duration_seconds":42,"outcome":"answered","external_call_id":"pbx-1"}') FROM fx2;
SELECT api.contacts_update(ctx_rep1, jsonb_build_object('id', :'c1', 'patch', '{"lifecycle_stage":"customer"}'::jsonb)) FROM fx;
\o
SELECT is((SELECT (r.body::jsonb->>'phone_key') || ' ' || (r.body::jsonb->'matches'->0->>'id') FROM api.lookup_phone(ctx_pbx, '{"number":"+989123456789"}') r),
          '989123456789 ' || :'c1', 'lookup "+989123456789" finds «۰۹۱۲ ۳۴۵ ۶۷۸۹»') FROM fx2;
SELECT is((SELECT r.body::jsonb->'matches'->0->>'id' FROM api.lookup_phone(ctx_rep1, '{"number":"00989123456789"}') r),
          :'c1', 'lookup "00989123456789" finds it too') FROM fx;
SELECT is((SELECT jsonb_array_length(r.body::jsonb->'matches'->0->'last_activities') FROM api.lookup_phone(ctx_rep1, '{"number":"09123456789"}') r),
          3, 'the profile carries the last three activities') FROM fx;
SELECT is((SELECT r.body::jsonb->'matches' FROM api.lookup_phone(ctx_rep2, '{"number":"09123456789"}') r),
          '[]'::jsonb, 'another rep: lookup finds nothing') FROM fx2;

-- Open deals, one moved over by a merge.
\o /dev/null
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Sales","stages":[
	{"name":"Lead","probability":10,"kind":"open"},
	{"name":"Qualified","probability":25,"kind":"open","rotting_days":14},
	{"name":"Proposal","probability":50,"kind":"open","rotting_days":10},
	{"name":"Won","probability":100,"kind":"won"},
	{"name":"Lost","probability":0,"kind":"lost"}]}')).body::jsonb AS pl FROM fx \gset
SELECT :'pl'::jsonb->>'id' AS pid,
       :'pl'::jsonb->'stages'->0->>'id' AS s_lead, :'pl'::jsonb->'stages'->1->>'id' AS s_qual,
       :'pl'::jsonb->'stages'->2->>'id' AS s_prop, :'pl'::jsonb->'stages'->3->>'id' AS s_won,
       :'pl'::jsonb->'stages'->4->>'id' AS s_lost \gset
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'Big order', 'pipeline_id', :'pid', 'amount', '1250.5', 'currency', 'IRR',
                                                     'contact_id', :'c1', 'expected_close_date', '2025-06-30'))).body::jsonb AS d1j FROM fx \gset
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'From source', 'pipeline_id', :'pid', 'contact_id', :'c2'))).body::jsonb->>'id' AS d4 FROM fx \gset
SELECT api.contacts_merge(ctx_rep1, jsonb_build_object('id', :'c1', 'source_id', :'c2')) FROM fx;
\o
SELECT is((SELECT jsonb_agg(e->>'title') FROM jsonb_array_elements((SELECT r.body::jsonb->'matches'->0->'open_deals' FROM api.lookup_phone(ctx_rep1, '{"number":"09123456789"}') r)) e),
          '["From source", "Big order"]'::jsonb, 'lookup profile: open deals, newest first') FROM fx;
SELECT is((SELECT (r.body::jsonb->'matches'->0->'open_deals'->0) ?& ARRAY['id', 'title', 'amount', 'currency', 'stage']
             FROM api.lookup_phone(ctx_keyd, '{"number":"+989123456789"}') r), true, 'open_deals members for a key') FROM fx2;

-- As superuser (the plans below): another format, another rep.
RESET ROLE;
\o /dev/null
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Amy","phones":[{"label":"mobile","number":"0912 111 2233"}]}')).body::jsonb->>'id' AS amy FROM fx \gset
\o
SELECT is((api.lookup_phone(ctx_rep1, '{"number":"+98 912 111 2233"}')).body::jsonb->'matches'->0->>'id', :'amy',
          'lookup finds the contact by another format') FROM fx;
SELECT (api.users_create(ctx_admin1, '{"email":"rep9@one.test","name":"Other Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep9 FROM fx \gset
SELECT is((api.lookup_phone(jsonb_build_object('request_id', 'r', 'ip', '10.0.0.1', 'user_id', :'rep9', 'org_id', org1),
                            '{"number":"09121112233"}')).body::jsonb->'matches', '[]'::jsonb,
          'lookup shows nothing of another rep''s contacts') FROM fx;

-- One inlined statement: visibility as for reads; an unknown caller is 401.
\o /dev/null
SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Read Co', 'owner_id', rep1))).body::jsonb->>'id' AS co FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Rana', 'company_id', :'co', 'tags', '["vip"]'::jsonb,
        'phones', '[{"label":"mobile","number":"0912 444 5566"}]'::jsonb))).body::jsonb->>'id' AS rana FROM fx \gset
\o
SELECT unalike(pg_temp.plan(format('SELECT * FROM api.lookup_phone(%L, %L)', ctx_rep1, '{"number":"09124445566"}')),
              '%Function Scan on lookup_phone %', 'api.lookup_phone is inlined into the caller''s statement') FROM fx;
SELECT is(p.provolatile::text || p.proretset::text, 'strue', p.proname || ' is STABLE and set-returning')
  FROM pg_proc p WHERE p.oid IN ('api.lookup_phone(jsonb, jsonb)'::regprocedure)
 ORDER BY p.proname;
SELECT is((SELECT r.body::jsonb->'matches'->0->>'id' FROM api.lookup_phone(ctx_manager1, '{"number":"+98 912 444 5566"}') r), :'rana',
          'the owner''s manager finds it by another format') FROM fx;
SELECT is((SELECT r.body::jsonb->'matches' FROM api.lookup_phone(ctx_admin2, '{"number":"09124445566"}') r), '[]'::jsonb,
          'another organization finds nothing') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.lookup_phone(%L, %L)', jsonb_build_object('user_id', gen_random_uuid(), 'org_id', org1),
                             '{"number":"09124445566"}')), 'CR401', 'lookup by an unknown user: 401') FROM fx;

-- Tags of the caller's visible contacts, most used first, folded together.
SELECT is((api.tags_list(ctx_rep1, '{}')).body::jsonb,
          '{"data": [{"tag": "vip", "count": 2}, {"tag": "gold", "count": 1}, {"tag": "troublesome", "count": 1}], "next_cursor": null}'::jsonb,
          'tags_list: the visible contacts'' tags with counts') FROM fx;
SELECT is((api.tags_list(ctx_rep1, '{"q":"GO"}')).body::jsonb->'data', '[{"tag": "gold", "count": 1}]'::jsonb,
          'tags_list: q matches the folded tag') FROM fx;
SELECT is((api.tags_list(ctx_rep2, '{}')).body::jsonb->'data', '[]'::jsonb, 'tags_list: none of another rep''s contacts') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.tags_list(%L, %L)', ctx_key1, '{}')), 'CR403', 'tags_list: a key without contacts:read is 403') FROM fx;

SELECT * FROM finish();
ROLLBACK;
