-- Operation details the C server relies on: statuses, shapes, constraint
-- names, If-Match, self-protection, key life cycle, grants.
BEGIN;
\ir fixtures.psql
SELECT plan(31);
SET ROLE crm_app;

SELECT is((api.ready('{}', '{}')).body::jsonb, '{"status":"ready"}'::jsonb, 'ready');

-- me and users_get shapes.
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((api.me(ctx_admin1, '{}')).body::jsonb) k),
          ARRAY['active','created_at','email','id','name','org_id','organization','role','teams','updated_at','version'],
          'me has the user members plus organization and teams') FROM fx;
SELECT is((api.me(ctx_admin1, '{}')).body::jsonb->'organization'->>'slug', 'tap-one', 'me names the organization') FROM fx;
SELECT throws_ok(format('SELECT api.me(%L, %L)', ctx_key1, '{}'), 'CR403', NULL, 'me refuses API keys') FROM fx;
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

-- Teams and members.
SELECT throws_ok(format('SELECT api.teams_create(%L, %L)', ctx_admin1, '{"name":"TEAM ONE"}'),
                 '23505', NULL, 'team names are unique per org (teams__name__uq)') FROM fx;
SELECT is((api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1))).location,
          format('/v1/teams/%s/members/%s', team1, rep1), 'team_members_add: 201 with Location') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_add(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)),
                 '23505', NULL, 'already a member is 23505 (team_members__user_id__uq)') FROM fx;
SELECT is((api.teams_get(ctx_rep1, jsonb_build_object('id', team1))).body::jsonb->>'member_count', '1', 'member_count counts') FROM fx;
SELECT is((api.team_members_remove(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1))).status, 204,
          'team_members_remove answers 204') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_remove(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)),
                 'CR404', NULL, 'removing a non-member is 404') FROM fx;

-- API keys.
SELECT throws_ok(format('SELECT api.api_keys_create(%L, %L)', ctx_admin1,
                        '{"name":"k","scopes":["users:read"],"key_hash":"kh-past","prefix":"p","expires_at":"2001-01-01T00:00:00Z"}'),
                 'CR422', NULL, 'expires_at in the past is 422') FROM fx;
SELECT throws_ok(format('SELECT api.api_keys_create(%L, %L)', ctx_admin1, '{"name":"k","scopes":["root:all"],"key_hash":"kh-bad","prefix":"p"}'),
                 '23514', NULL, 'unknown scope violates api_keys__scopes__ck') FROM fx;
SELECT is((api.api_keys_revoke(ctx_admin1, jsonb_build_object('id', key1))).status, 204, 'api_keys_revoke answers 204') FROM fx;
SELECT is((api.api_keys_revoke(ctx_admin1, jsonb_build_object('id', key1))).status, 204, 'revoking again is still 204') FROM fx;
SELECT throws_ok(format('SELECT api.users_list(%L, %L)', ctx_key1, '{}'), 'CR401', NULL, 'a revoked key no longer authenticates') FROM fx;

-- password_change: audited and redacted.
SELECT is((api.password_change(ctx_rep1, '{"password_hash":"new-hash"}')).status, 204, 'password_change answers 204') FROM fx;
SELECT is((SELECT a.new_values->>'password_hash' FROM crm.audit_log a
            WHERE a.record_id = fx.rep1 AND a.action = 'update' AND a.request_id = 'req-rep1'),
          '[redacted]', 'password_change is audited with the hash redacted') FROM fx;
RESET ROLE;

SELECT ok(NOT has_function_privilege('crm_app', 'crm.create_organization(text,text,text,text,text)', 'EXECUTE'),
          'crm_app cannot bootstrap organizations');

SELECT * FROM finish();
ROLLBACK;
