-- sql/api/users.sql: users_get/list/create/update: tenancy, filters, shapes, statuses, constraint names, If-Match, self-protection, deactivation.
BEGIN;
\ir fixtures.psql
SELECT plan(24);

-- Ten users in org 1, three sharing a name and in team1 (the filters below).
\o /dev/null
SELECT api.users_create(ctx_admin1, jsonb_build_object('email', 'u' || i || '@one.test',
       'name', CASE WHEN i <= 3 THEN 'Same Name' ELSE 'User ' || (10 - i) END, 'role', 'rep', 'password_hash', 'h'))
  FROM fx, generate_series(1, 7) i;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', u.id))
  FROM fx JOIN crm.users u ON u.org_id = fx.org1 AND u.name = 'Same Name';
\o

SET ROLE crm_app;

-- Another organization's users answer exactly like missing ones.
SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_admin1, jsonb_build_object('id', admin2)),
                 'CR404', 'not found', 'users_get: other org user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_admin1, jsonb_build_object('id', gen_random_uuid())),
                 'CR404', 'not found', 'users_get: missing user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_key1, jsonb_build_object('id', admin2)),
                 'CR404', 'not found', 'users_get by API key: other org user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_update(%L, %L)', ctx_admin1, jsonb_build_object('id', admin2, 'patch', '{"name":"x"}'::jsonb)),
                 'CR404', 'not found', 'users_update: other org user is 404') FROM fx;
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements((api.users_list(ctx_admin1, '{"limit":200}')).body::jsonb->'data') e
                       WHERE e->>'org_id' <> org1::text), 'users_list shows only the caller''s org') FROM fx;

-- users_list filters.
SELECT is(pg_temp.page_all('users_list', ctx_admin1, jsonb_build_object('limit', 2, 'team_id', team1)),
          (SELECT array_agg(id::text ORDER BY name, id) FROM crm.users WHERE org_id = fx.org1 AND name = 'Same Name'),
          'users_list team_id filter') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"q":"%"}'), '{}'::text[],
          'q is matched literally (no wildcard injection)') FROM fx;
SELECT is(cardinality(pg_temp.page_all('users_list', ctx_admin1, '{"q":"ONE.TEST"}')), 10,
          'q matches e-mail case-insensitively') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"role":"manager"}'), ARRAY[manager1::text],
          'role filter') FROM fx;

-- users_get shapes.
SELECT is((api.users_get(ctx_rep1, jsonb_build_object('id', admin1))).etag, '"1"', 'users_get: any role may read; ETag is the version') FROM fx;
SELECT matches((api.users_get(ctx_rep1, jsonb_build_object('id', admin1))).body::jsonb->>'created_at',
               '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$', 'times are RFC 3339 UTC with Z') FROM fx;

-- users_create.
SELECT is((SELECT r.status || ' ' || r.location FROM api.users_create(ctx_admin1,
            '{"id":"018f0000-0000-7000-8000-000000000001","email":"given@one.test","name":"Given","role":"rep","password_hash":"h"}') r),
          '201 /v1/users/018f0000-0000-7000-8000-000000000001', 'users_create takes a client id; 201 with Location') FROM fx;
SELECT throws_ok(format('SELECT api.users_create(%L, %L)', ctx_admin1, '{"email":"rep@one.test","name":"Dup","role":"rep","password_hash":"h"}'),
                 '23505', NULL, 'duplicate e-mail is 23505') FROM fx;
SELECT throws_ok(format('SELECT api.users_create(%L, %L)', ctx_manager1, '{"email":"m2@one.test","name":"M","role":"rep","password_hash":"h"}'),
                 'CR403', NULL, 'a manager may not create users') FROM fx;
SELECT throws_ok(format('SELECT api.users_create(%L, %L)', ctx_admin1, '{"email":"r@one.test","name":"R","role":"boss","password_hash":"h"}'),
                 '23514', NULL, 'unknown role violates users__role__ck') FROM fx;
SELECT is((api.users_create(ctx_admin2, '{"email":"rep@one.test","name":"Same mail, other org","role":"rep","password_hash":"h"}')).status,
          201, 'the same e-mail may exist in another organization') FROM fx;

-- users_update: If-Match, self-protection.
SELECT is((api.users_update(ctx_admin1, jsonb_build_object('id', rep1, 'if_match', 7, 'patch', '{"name":"x"}'::jsonb))).status,
          412, 'stale If-Match is 412') FROM fx;
SELECT is((api.users_update(ctx_admin1, jsonb_build_object('id', rep1, 'if_match', 7, 'patch', '{"name":"x"}'::jsonb))).body::jsonb->'current'->>'name',
          'One Rep', '412 carries the current record') FROM fx;
SELECT is((api.users_update(ctx_admin1, jsonb_build_object('id', rep1, 'if_match', 1, 'patch', '{"role":"manager"}'::jsonb))).body::jsonb->>'version',
          '2', 'update bumps the version') FROM fx;
SELECT is((SELECT updated_by FROM crm.users WHERE id = fx.rep1), admin1, 'update sets updated_by') FROM fx;
SELECT throws_ok(format('SELECT api.users_update(%L, %L)', ctx_admin1, jsonb_build_object('id', admin1, 'patch', '{"active":false}'::jsonb)),
                 'CR422', NULL, 'an admin cannot deactivate themself') FROM fx;
SELECT throws_ok(format('SELECT api.users_update(%L, %L)', ctx_admin1, jsonb_build_object('id', admin1, 'patch', '{"role":"rep"}'::jsonb)),
                 'CR422', NULL, 'an admin cannot demote themself') FROM fx;

-- Deactivation revokes the user's sessions at once.
SELECT api.login_succeed('{"request_id":"s","ip":"192.0.2.1"}',
       jsonb_build_object('user_id', manager1, 'org_id', org1, 'refresh_hash', 'rt-m3', 'refresh_ttl', 3600)) FROM fx;
SELECT is((api.users_update(ctx_admin1, jsonb_build_object('id', manager1, 'patch', '{"active":false}'::jsonb))).status, 200,
          'admin deactivates the manager') FROM fx;
SELECT isnt((SELECT revoked_at FROM crm.refresh_tokens WHERE token_hash = 'rt-m3'), NULL,
            'deactivation revokes the user''s refresh tokens');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
