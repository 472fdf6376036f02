-- sql/api/me.sql: me (shape, organization, persons only) and password_change (audited, hash redacted).
BEGIN;
\ir fixtures.psql
SELECT plan(5);
SET ROLE crm_app;

SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((api.me(ctx_admin1, '{}')).body::jsonb) k),
          ARRAY['active','created_at','email','id','name','org_id','organization','role','teams','updated_at','version'],
          'me has the user members plus organization and teams') FROM fx;
SELECT is((api.me(ctx_admin1, '{}')).body::jsonb->'organization'->>'slug', 'tap-one', 'me names the organization') FROM fx;
SELECT throws_ok(format('SELECT api.me(%L, %L)', ctx_key1, '{}'), 'CR403', NULL, 'me refuses API keys') FROM fx;

-- password_change: audited and redacted.
SELECT is((api.password_change(ctx_rep1, '{"password_hash":"new-hash"}')).status, 204, 'password_change answers 204') FROM fx;
SELECT is((SELECT a.new_values->>'password_hash' FROM crm.audit_log a
            WHERE a.record_id = fx.rep1 AND a.action = 'update' AND a.request_id = 'req-rep1'),
          '[redacted]', 'password_change is audited with the hash redacted') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
