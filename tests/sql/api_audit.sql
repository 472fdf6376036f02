-- sql/api/audit.sql: audit_list: the audit:read scope, the caller's organization only, every event once, newest first.
BEGIN;
\ir fixtures.psql
SELECT plan(3);

-- Events to page through: users, teams and memberships.
\o /dev/null
SELECT api.users_create(ctx_admin1, jsonb_build_object('email', 'u' || i || '@one.test',
       'name', CASE WHEN i <= 3 THEN 'Same Name' ELSE 'User ' || (10 - i) END, 'role', 'rep', 'password_hash', 'h'))
  FROM fx, generate_series(1, 7) i;
SELECT api.teams_create(ctx_admin1, jsonb_build_object('name', 'Extra ' || i)) FROM fx, generate_series(1, 4) i;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', u.id))
  FROM fx JOIN crm.users u ON u.org_id = fx.org1 AND u.name = 'Same Name';
\o
-- A key with audit:read, made as the system.
SELECT set_config('crm.actor_system', 'pgtap', true);
INSERT INTO crm.api_keys (org_id, name, prefix, key_hash, scopes, expires_at, created_by)
SELECT org1, 'audit', 'aud', 'tap-key-audit', '{audit:read}', now() + interval '1 day', admin1 FROM fx;
SELECT set_config('crm.actor_system', '', true);

SET ROLE crm_app;

SELECT is((api.audit_list('{"request_id":"x","ip":"127.0.0.1","api_key_hash":"tap-key-audit"}', '{}')).status, 200,
          'key with audit:read may list audit events');
SELECT ok(NOT EXISTS (SELECT 1 FROM jsonb_array_elements((api.audit_list(ctx_admin1, '{"limit":200}')).body::jsonb->'data') e
                       WHERE e->>'record_id' IN (admin2::text, team2::text, key2::text)), 'audit_list shows only the caller''s org') FROM fx;
SELECT is(pg_temp.page_all('audit_list', ctx_admin1, '{"limit":5}')::bigint[],
          (SELECT array_agg(id ORDER BY id DESC) FROM crm.audit_log WHERE org_id = fx.org1),
          'audit_list pages every event once, newest first') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
