-- A contact read and a caller lookup are one inlined statement each:
-- persons resolved inline, API keys through crm.begin. Both must answer
-- exactly as before: same body, same visibility, same errors.
BEGIN;
\ir fixtures.psql
SELECT plan(26);

SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT (api.users_create(ctx_admin1, '{"email":"rep8@one.test","name":"Lone Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep8 FROM fx \gset
SELECT jsonb_build_object('request_id', 'r8', 'ip', '10.0.0.8', 'user_id', :'rep8', 'org_id', org1) AS ctx_rep8 FROM fx \gset
SELECT api.api_keys_create(ctx_admin1, '{"name":"contacts","scopes":["contacts:read"],"key_hash":"tap-key-contacts","prefix":"tapc"}')
  FROM fx;
SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Read Co', 'owner_id', rep1))).body::jsonb->>'id' AS co FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Rana', 'company_id', :'co', 'tags', '["vip"]'::jsonb,
        'phones', '[{"label":"mobile","number":"0912 444 5566"}]'::jsonb))).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(:'ctx_rep8', '{"first_name":"Lone"}')).body::jsonb->>'id' AS c8 \gset

-- The planner must inline them (STABLE set-returning SQL functions with no
-- SET clause): a Function Scan on them would mean one call per request.
SELECT unalike(pg_temp.plan(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'c1'))),
              '%Function Scan on contacts_get %', 'api.contacts_get is inlined into the caller''s statement') FROM fx;
SELECT unalike(pg_temp.plan(format('SELECT * FROM api.lookup_phone(%L, %L)', ctx_rep1, '{"number":"09124445566"}')),
              '%Function Scan on lookup_phone %', 'api.lookup_phone is inlined into the caller''s statement') FROM fx;
SELECT is(p.provolatile::text || p.proretset::text, 'strue', p.proname || ' is STABLE and set-returning')
  FROM pg_proc p WHERE p.oid IN ('api.contacts_get(jsonb, jsonb)'::regprocedure, 'api.lookup_phone(jsonb, jsonb)'::regprocedure)
 ORDER BY p.proname;

-- unnest() tells the planner its array's length: without a forced generic
-- plan, a one-contact call looks cheaper planned afresh and is re-planned
-- on every create, update and merge reply (~0.45 ms).
SELECT ok('plan_cache_mode=force_generic_plan' = ANY (p.proconfig), 'crm.contacts_json keeps its generic plan')
  FROM pg_proc p WHERE p.oid = 'crm.contacts_json(crm.contacts[])'::regprocedure;

-- The body is the contact's JSON as lists build it.
SELECT is((SELECT r.body::jsonb FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1')) r), crm.contact_json(c),
          'the read answers the contact''s JSON') FROM fx, crm.contacts c WHERE c.id = :'c1';
SELECT is((SELECT r.etag FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1')) r), '"1"', 'ETag is the version') FROM fx;
SELECT is((SELECT r.body::jsonb->'company'->>'name' FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1')) r),
          'Read Co', 'company joined in') FROM fx;
SELECT is((SELECT r.body::jsonb->'owner'->>'name' FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1')) r),
          'One Rep', 'owner joined in') FROM fx;
SELECT is((SELECT count(*) FROM api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1'))), 1::bigint, 'exactly one row') FROM fx;

-- Visibility: the manager of the owner's team and an admin see it; another
-- rep, a manager of no team of the owner and another organization do not.
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get(ctx_manager1, jsonb_build_object('id', :'c1')) r), :'c1',
          'the owner''s manager sees it') FROM fx;
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get(ctx_admin1, jsonb_build_object('id', :'c8')) r), :'c8',
          'an admin sees every contact') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_manager1, jsonb_build_object('id', :'c8'))), 'CR404',
          'a manager does not see a rep outside their teams') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', :'ctx_rep8', jsonb_build_object('id', :'c1'))), 'CR404',
          'another rep: 404');
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'c1'))), 'CR404',
          'another organization: 404') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_rep1, '{"id":"not-a-uuid"}')), 'CR404',
          'an id that is no UUID: 404') FROM fx;

-- Callers: an unknown or deactivated user is 401, like crm.begin says.
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)',
                             jsonb_build_object('user_id', gen_random_uuid(), 'org_id', org1), jsonb_build_object('id', :'c1'))),
          'CR401', 'an unknown user: 401') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', jsonb_set(ctx_rep1, '{user_id}', '"not-a-uuid"'),
                             jsonb_build_object('id', :'c1'))), 'CR401', 'a user id that is no UUID: 401, as crm.begin answers') FROM fx;
UPDATE crm.users SET active = false WHERE id = :'rep8';
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', :'ctx_rep8', jsonb_build_object('id', :'c8'))), 'CR401',
          'a deactivated user: 401');

-- API keys take the checked path: scope enforced, whole organization seen.
SELECT is((SELECT r.body::jsonb->>'id' FROM api.contacts_get('{"request_id":"k","ip":"10.0.0.9","api_key_hash":"tap-key-contacts"}',
                                                             jsonb_build_object('id', :'c8')) r), :'c8',
          'an API key with contacts:read reads any contact of its organization');
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', ctx_key1, jsonb_build_object('id', :'c1'))), 'CR403',
          'an API key without contacts:read: 403') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.contacts_get(%L, %L)', '{"api_key_hash":"no-such-key"}', jsonb_build_object('id', :'c1'))),
          'CR401', 'an unknown API key: 401');
SELECT isnt((SELECT last_used_at FROM crm.api_keys WHERE key_hash = 'tap-key-contacts'), NULL, 'a key''s read stamps its last use');

-- Caller lookup: visibility as for reads; an unknown caller is 401.
SELECT is((SELECT r.body::jsonb->'matches'->0->>'id' FROM api.lookup_phone(ctx_manager1, '{"number":"+98 912 444 5566"}') r), :'c1',
          'the owner''s manager finds it by another format') FROM fx;
SELECT is((SELECT r.body::jsonb->'matches' FROM api.lookup_phone(ctx_admin2, '{"number":"09124445566"}') r), '[]'::jsonb,
          'another organization finds nothing') FROM fx;
SELECT is(pg_temp.err(format('SELECT * FROM api.lookup_phone(%L, %L)', jsonb_build_object('user_id', gen_random_uuid(), 'org_id', org1),
                             '{"number":"09124445566"}')), 'CR401', 'lookup by an unknown user: 401') FROM fx;

SELECT * FROM finish();
ROLLBACK;
