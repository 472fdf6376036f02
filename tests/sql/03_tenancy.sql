-- Another organization's ids answer exactly like missing ones.
BEGIN;
\ir fixtures.psql
SELECT plan(14);
SET ROLE crm_app;

SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_admin1, jsonb_build_object('id', admin2)),
                 'CR404', 'not found', 'users_get: other org user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_admin1, jsonb_build_object('id', gen_random_uuid())),
                 'CR404', 'not found', 'users_get: missing user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_get(%L, %L)', ctx_key1, jsonb_build_object('id', admin2)),
                 'CR404', 'not found', 'users_get by API key: other org user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.users_update(%L, %L)', ctx_admin1, jsonb_build_object('id', admin2, 'patch', '{"name":"x"}'::jsonb)),
                 'CR404', 'not found', 'users_update: other org user is 404') FROM fx;
SELECT throws_ok(format('SELECT api.teams_get(%L, %L)', ctx_admin1, jsonb_build_object('id', team2)),
                 'CR404', 'not found', 'teams_get: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.teams_update(%L, %L)', ctx_admin1, jsonb_build_object('id', team2, 'patch', '{"name":"x"}'::jsonb)),
                 'CR404', 'not found', 'teams_update: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.teams_delete(%L, %L)', ctx_admin1, jsonb_build_object('id', team2)),
                 'CR404', 'not found', 'teams_delete: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_list(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team2)),
                 'CR404', 'not found', 'team_members_list: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_add(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', admin2)),
                 'CR422', NULL, 'team_members_add: other org user is 422') FROM fx;
SELECT throws_ok(format('SELECT api.api_keys_revoke(%L, %L)', ctx_admin1, jsonb_build_object('id', key2)),
                 'CR404', 'not found', 'api_keys_revoke: other org key is 404') FROM fx;
SELECT throws_ok(format('SELECT api.api_keys_get(%L, %L)', ctx_admin1, jsonb_build_object('id', key2)),
                 'CR404', 'not found', 'api_keys_get: other org key is 404') FROM fx;
SELECT is((SELECT revoked_at FROM crm.api_keys WHERE id = (SELECT key2 FROM fx)), NULL,
          'the other org key is untouched');

-- Lists never show the other organization.
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements((api.users_list(ctx_admin1, '{"limit":200}')).body::jsonb->'data') e
                       WHERE e->>'org_id' <> org1::text), 'users_list shows only the caller''s org') FROM fx;
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements((api.audit_list(ctx_admin1, '{"limit":200}')).body::jsonb->'data') e
                       WHERE e->>'record_id' IN (admin2::text, team2::text, key2::text)), 'audit_list shows only the caller''s org') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
