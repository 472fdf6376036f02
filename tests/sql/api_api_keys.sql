-- sql/api/api_keys.sql: API keys: the key document, admin-only list and get, paging, tenancy, expiry and scope checks, revoke (idempotent, ends authentication).
BEGIN;
\ir fixtures.psql
SELECT plan(13);
SET ROLE crm_app;

-- The key document (never its hash), to admins only.
SELECT is((api.api_keys_get(ctx_admin1, jsonb_build_object('id', key1))).body::jsonb,
          format('{"id": "%1$s", "name": "reader", "prefix": "tap1", "scopes": ["users:read"], "expires_at": null,
                   "revoked_at": null, "last_used_at": null, "created_at": "%2$s", "created_by": "%3$s"}',
                 key1, pg_temp.utc(k.created_at), admin1)::jsonb,
          'api_keys_get: the key document, without its hash') FROM fx, crm.api_keys k WHERE k.id = fx.key1;
SELECT is(pg_temp.err(format('SELECT api.api_keys_list(%L, %L)', ctx_manager1, '{}')), 'CR403', 'api_keys_list: admins only') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.api_keys_list(%L, %L)', ctx_key1, '{}')), 'CR403', 'api_keys_list: not for API keys') FROM fx;
SELECT (api.api_keys_create(ctx_admin1, '{"name":"second","scopes":["teams:read"],"key_hash":"tap-key-second","prefix":"tap3"}')).body::jsonb->>'id' AS k2 FROM fx \gset
SELECT (api.api_keys_create(ctx_admin1, '{"name":"third","scopes":["teams:read"],"key_hash":"tap-key-third","prefix":"tap4"}')).body::jsonb->>'id' AS k3 FROM fx \gset
-- One transaction gives every key the same created_at (and ids of one
-- millisecond order at random): a minute apart, newest first is unambiguous.
RESET ROLE;
UPDATE crm.api_keys SET created_at = created_at - interval '2 minutes' WHERE id = (SELECT key1 FROM fx);
UPDATE crm.api_keys SET created_at = created_at - interval '1 minute' WHERE id = :'k2';
SET ROLE crm_app;
SELECT is(pg_temp.page_all('api_keys_list', ctx_admin1, '{"limit":1}'), ARRAY[:'k3', :'k2', key1::text],
          'api_keys_list: the organization''s keys, newest first, one per page') FROM fx;
SELECT is((api.api_keys_list(ctx_admin2, '{}')).body::jsonb,
          format('{"data": [{"id": "%1$s", "name": "reader", "prefix": "tap2", "scopes": ["users:read"], "expires_at": null,
                             "revoked_at": null, "last_used_at": null, "created_at": "%2$s", "created_by": "%3$s"}],
                   "next_cursor": null}', key2, pg_temp.utc(k.created_at), admin2)::jsonb,
          'api_keys_list: another organization sees its own key only') FROM fx, crm.api_keys k WHERE k.id = fx.key2;

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
