-- sql/crm/auth.sql: crm.begin (who may call, with which scope and role, what it sets) and who may create organizations.
BEGIN;
\ir fixtures.psql
SELECT plan(16);

-- Set-up as superuser with a system actor: odd keys and states.
SELECT set_config('crm.actor_system', 'pgtap', true);
INSERT INTO crm.api_keys (org_id, name, prefix, key_hash, scopes, revoked_at, created_by)
SELECT org1, 'revoked', 'rvk', 'tap-key-revoked', '{users:read}', now(), admin1 FROM fx;
INSERT INTO crm.api_keys (org_id, name, prefix, key_hash, scopes, expires_at, created_by)
SELECT org1, 'expired', 'exp', 'tap-key-expired', '{users:read}', now() - interval '1 minute', admin1 FROM fx;
SELECT set_config('crm.actor_system', '', true);

SET ROLE crm_app;

SELECT lives_ok(format('SELECT crm.begin(%L, NULL)', ctx_admin1), 'an active user passes') FROM fx;
SELECT is((crm.begin(ctx_admin1, NULL)).role, 'admin', 'principal carries the role') FROM fx;
SELECT is(current_setting('crm.actor_user'), (SELECT admin1::text FROM fx), 'begin sets crm.actor_user');
SELECT is(current_setting('crm.request_id'), 'req-admin1', 'begin sets crm.request_id');
SELECT throws_ok('SELECT crm.begin(''{"request_id":"x","ip":"127.0.0.1"}'', NULL)', 'CR401', NULL,
                 'no credential: 401');
SELECT throws_ok(format('SELECT crm.begin(%L, NULL)', jsonb_set(ctx_admin1, '{user_id}', '"not-a-uuid"')), 'CR401', NULL,
                 'garbage user id: 401') FROM fx;
SELECT throws_ok(format('SELECT crm.begin(%L, NULL)', jsonb_set(ctx_admin1, '{org_id}', to_jsonb(org2))), 'CR401', NULL,
                 'user id with another org id: 401') FROM fx;

-- Keys.
SELECT is((crm.begin(ctx_key1, 'users:read')).api_key_id, key1, 'a valid key with the scope passes') FROM fx;
SELECT throws_ok('SELECT crm.begin(''{"request_id":"x","ip":"127.0.0.1","api_key_hash":"tap-key-revoked"}'', ''users:read'')',
                 'CR401', NULL, 'revoked key: 401');
SELECT throws_ok('SELECT crm.begin(''{"request_id":"x","ip":"127.0.0.1","api_key_hash":"tap-key-expired"}'', ''users:read'')',
                 'CR401', NULL, 'expired key: 401');
SELECT throws_ok('SELECT crm.begin(''{"request_id":"x","ip":"127.0.0.1","api_key_hash":"nope"}'', ''users:read'')',
                 'CR401', NULL, 'unknown key: 401');
SELECT throws_ok(format('SELECT crm.begin(%L, ''teams:read'')', ctx_key1), 'CR403', NULL,
                 'key lacking the scope: 403') FROM fx;
SELECT throws_ok(format('SELECT crm.begin(%L, NULL)', ctx_key1), 'CR403', NULL,
                 'key on a person-only operation: 403') FROM fx;

-- Roles.
SELECT throws_ok(format('SELECT crm.begin(%L, NULL, ''{admin}'')', ctx_manager1), 'CR403', NULL,
                 'non-admin where roles are {admin}: 403') FROM fx;

-- Inactive user.
RESET ROLE;
SELECT set_config('crm.actor_system', 'pgtap', true);
UPDATE crm.users SET active = false WHERE id = (SELECT rep1 FROM fx);
SELECT set_config('crm.actor_system', '', true);
SET ROLE crm_app;
SELECT throws_ok(format('SELECT crm.begin(%L, NULL)', ctx_rep1), 'CR401', NULL, 'inactive user: 401') FROM fx;
RESET ROLE;

SELECT ok(NOT has_function_privilege('crm_app', 'crm.create_organization(text,text,text,text,text)', 'EXECUTE'),
          'crm_app cannot bootstrap organizations');

SELECT * FROM finish();
ROLLBACK;
