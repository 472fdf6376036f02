-- Audit: actor and request id from ctx, changed fields only, redaction,
-- append-only for crm_app, and no business write without an actor.
BEGIN;
\ir fixtures.psql
SELECT plan(17);

SET ROLE crm_app;

-- Insert through the API: the audit row names the admin and the request.
CREATE TEMP TABLE created AS
SELECT (api.users_create(jsonb_set(ctx_admin1, '{request_id}', '"req-audit-1"'),
        '{"email":"audited@one.test","name":"Audited","role":"rep","password_hash":"secret-hash"}')).body::jsonb AS u
  FROM fx;

SELECT is((SELECT count(*)::int FROM crm.audit_log a, created c
            WHERE a.table_name = 'users' AND a.record_id = (c.u->>'id')::uuid AND a.action = 'insert'),
          1, 'users_create writes one insert audit row');
SELECT is((SELECT a.actor_user_id FROM crm.audit_log a, created c WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'insert'),
          (SELECT admin1 FROM fx), 'audit row carries the actor user from ctx');
SELECT is((SELECT a.request_id FROM crm.audit_log a, created c WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'insert'),
          'req-audit-1', 'audit row carries the request id from ctx');
SELECT is((SELECT a.org_id FROM crm.audit_log a, created c WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'insert'),
          (SELECT org1 FROM fx), 'audit row carries the organization');
SELECT is((SELECT a.new_values->>'password_hash' FROM crm.audit_log a, created c
            WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'insert'),
          '[redacted]', 'password_hash is redacted in the audit log');

-- Update: only changed fields, old and new.
SELECT is((api.users_update(jsonb_set(ctx_admin1, '{request_id}', '"req-audit-2"'),
          jsonb_build_object('id', c.u->>'id', 'if_match', 1, 'patch', '{"name":"Audited Twice"}'::jsonb))).status,
          200, 'users_update succeeds')
  FROM fx, created c;
SELECT is((SELECT a.old_values->>'name' || '|' || (a.new_values->>'name') FROM crm.audit_log a, created c
            WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'update'),
          'Audited|Audited Twice', 'update audit row has old and new name');
SELECT is((SELECT a.request_id FROM crm.audit_log a, created c WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'update'),
          'req-audit-2', 'update audit row carries its own request id');
SELECT ok((SELECT NOT (a.new_values ? 'email') AND NOT (a.old_values ? 'email') AND a.new_values ? 'version'
             FROM crm.audit_log a, created c WHERE a.record_id = (c.u->>'id')::uuid AND a.action = 'update'),
          'update audit row holds changed fields only');

-- Append-only for the application role.
SELECT throws_ok('UPDATE crm.audit_log SET request_id = ''forged''', '42501', NULL, 'crm_app cannot UPDATE audit_log');
SELECT throws_ok('DELETE FROM crm.audit_log', '42501', NULL, 'crm_app cannot DELETE audit_log');
SELECT throws_ok('TRUNCATE crm.audit_log', '42501', NULL, 'crm_app cannot TRUNCATE audit_log');
RESET ROLE;
-- Even the owner/superuser is stopped by the triggers.
SELECT throws_ok('UPDATE crm.audit_log SET request_id = ''forged''', '42501', 'audit_log is append-only',
                 'UPDATE of audit_log is refused for everyone');
SELECT throws_ok('TRUNCATE crm.audit_log', '42501', 'audit_log is append-only',
                 'TRUNCATE of audit_log is refused for everyone');

-- No actor: a direct business write is refused.
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true),
       set_config('crm.actor_system', '', true);
SET ROLE crm_app;
SELECT throws_ok(format('INSERT INTO crm.teams (org_id, name) VALUES (%L, ''Sneaky'')', org1),
                 'CR500', 'no actor set for audited write', 'insert without an actor is refused')
  FROM fx;
SELECT throws_ok(format('UPDATE crm.users SET name = ''X'' WHERE org_id = %L', org1),
                 'CR500', 'no actor set for audited write', 'update without an actor is refused')
  FROM fx;
RESET ROLE;
SELECT throws_ok(format('DELETE FROM crm.team_members WHERE org_id = %L; INSERT INTO crm.teams (org_id, name) VALUES (%L, ''Sneaky'')', org1, org1),
                 'CR500', 'no actor set for audited write', 'even the superuser needs an actor')
  FROM fx;

SELECT * FROM finish();
ROLLBACK;
