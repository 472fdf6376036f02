-- sql/api/me.sql: me (the document, organization, teams, persons only), password_lookup and password_change (audited, hash redacted, sessions end).
BEGIN;
\ir fixtures.psql
SELECT plan(11);
SET ROLE crm_app;

SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((api.me(ctx_admin1, '{}')).body::jsonb) k),
          ARRAY['active','created_at','email','id','name','org_id','organization','role','teams','updated_at','version'],
          'me has the user members plus organization and teams') FROM fx;
SELECT is((api.me(ctx_admin1, '{}')).body::jsonb->'organization'->>'slug', 'tap-one', 'me names the organization') FROM fx;
SELECT throws_ok(format('SELECT api.me(%L, %L)', ctx_key1, '{}'), 'CR403', NULL, 'me refuses API keys') FROM fx;
RESET ROLE;
\o /dev/null
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.login_succeed('{"request_id":"s","ip":"192.0.2.1"}',
       jsonb_build_object('user_id', rep1, 'org_id', org1, 'refresh_hash', 'rt-me', 'refresh_ttl', 3600)) FROM fx;
\o
SET ROLE crm_app;
SELECT is((api.me(ctx_rep1, '{}')).body::jsonb,
          format('{"id": "%1$s", "org_id": "%2$s", "email": "rep@one.test", "name": "One Rep", "role": "rep", "active": true,
                   "created_at": "%3$s", "updated_at": "%3$s", "version": 1,
                   "organization": {"id": "%2$s", "name": "Tap One", "slug": "tap-one"},
                   "teams": [{"id": "%4$s", "name": "Team One"}]}', rep1, org1, pg_temp.utc(u.created_at), team1)::jsonb,
          'me: the caller''s document with organization and teams') FROM fx, crm.users u WHERE u.id = fx.rep1;

-- password_lookup: the caller's own hash, for persons only.
SELECT is((api.password_lookup(ctx_rep1, '{}')).body::jsonb, '{"password_hash": "hash-r"}'::jsonb,
          'password_lookup answers the caller''s hash') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.password_lookup(%L, %L)', ctx_key1, '{}')), 'CR403', 'password_lookup refuses API keys') FROM fx;

-- password_change: audited and redacted.
SELECT is((api.password_change(ctx_rep1, '{"password_hash":"new-hash"}')).status, 204, 'password_change answers 204') FROM fx;
SELECT is((SELECT a.new_values->>'password_hash' FROM crm.audit_log a
            WHERE a.record_id = fx.rep1 AND a.action = 'update' AND a.request_id = 'req-rep1'),
          '[redacted]', 'password_change is audited with the hash redacted') FROM fx;
SELECT is((api.password_lookup(ctx_rep1, '{}')).body::jsonb, '{"password_hash": "new-hash"}'::jsonb,
          'the new hash is stored') FROM fx;
SELECT isnt((SELECT revoked_at FROM crm.refresh_tokens WHERE token_hash = 'rt-me'), NULL,
            'password_change ends the user''s sessions') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.password_change(%L, %L)', ctx_rep1, '{}')), 'CR422 password_hash required',
          'password_change needs password_hash') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
