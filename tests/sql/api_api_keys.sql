-- sql/api/api_keys.sql: API keys: tenancy, expiry and scope checks, revoke (idempotent, ends authentication).
BEGIN;
\ir fixtures.psql
SELECT plan(8);
SET ROLE crm_app;

-- Another organization's keys answer like missing ones, and stay untouched.
SELECT throws_ok(format('SELECT api.api_keys_revoke(%L, %L)', ctx_admin1, jsonb_build_object('id', key2)),
                 'CR404', 'not found', 'api_keys_revoke: other org key is 404') FROM fx;
SELECT throws_ok(format('SELECT api.api_keys_get(%L, %L)', ctx_admin1, jsonb_build_object('id', key2)),
                 'CR404', 'not found', 'api_keys_get: other org key is 404') FROM fx;
SELECT is((SELECT revoked_at FROM crm.api_keys WHERE id = (SELECT key2 FROM fx)), NULL,
          'the other org key is untouched');

-- API keys.
SELECT throws_ok(format('SELECT api.api_keys_create(%L, %L)', ctx_admin1,
                        '{"name":"k","scopes":["users:read"],"key_hash":"kh-past","prefix":"p","expires_at":"2001-01-01T00:00:00Z"}'),
                 'CR422', NULL, 'expires_at in the past is 422') FROM fx;
SELECT throws_ok(format('SELECT api.api_keys_create(%L, %L)', ctx_admin1, '{"name":"k","scopes":["root:all"],"key_hash":"kh-bad","prefix":"p"}'),
                 '23514', NULL, 'unknown scope violates api_keys__scopes__ck') FROM fx;
SELECT is((api.api_keys_revoke(ctx_admin1, jsonb_build_object('id', key1))).status, 204, 'api_keys_revoke answers 204') FROM fx;
SELECT is((api.api_keys_revoke(ctx_admin1, jsonb_build_object('id', key1))).status, 204, 'revoking again is still 204') FROM fx;
SELECT throws_ok(format('SELECT api.users_list(%L, %L)', ctx_key1, '{}'), 'CR401', NULL, 'a revoked key no longer authenticates') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
