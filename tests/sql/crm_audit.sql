-- sql/crm/audit.sql: the audit trail: actor and request id from ctx, changed fields only, redaction, append-only, no write without an actor, one row per row of a bulk statement.
BEGIN;
\ir fixtures.psql
SELECT plan(26);

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

-- Statement-level triggers: a statement that writes several rows at once
-- (imports, bulk moves) gets one audit row per written row, with that row's
-- own values.
\o /dev/null
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Bulk","stages":[
	{"name":"Lead","probability":10,"kind":"open"},
	{"name":"Offer","probability":50,"kind":"open"},
	{"name":"Won","probability":100,"kind":"won"}]}')).body::jsonb AS pl FROM fx \gset
SELECT set_config('crm.actor_user', '', true); -- left by the API call
\o
SELECT :'pl'::jsonb->>'id' AS pid, :'pl'::jsonb->'stages'->0->>'id' AS s_lead,
       :'pl'::jsonb->'stages'->1->>'id' AS s_offer, :'pl'::jsonb->'stages'->2->>'id' AS s_won \gset
SELECT set_config('crm.actor_system', 'tap-bulk', true) \g /dev/null
SELECT max(id) AS audit_before FROM crm.audit_log \gset

-- Three contacts in one INSERT.
CREATE TEMP TABLE bulk_c AS
WITH ins AS (
	INSERT INTO crm.contacts (org_id, first_name, last_name, phones, emails, owner_id)
	SELECT fx.org1, 'Bulk' || i, 'Contact', jsonb_build_array(jsonb_build_object('label', 'mobile', 'number', '0912 000 000' || i)),
	       CASE WHEN i = 2 THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('label', 'work', 'address', 'Bulk' || i || '@Example.test')) END,
	       fx.rep1
	  FROM fx, generate_series(1, 3) i
	RETURNING id, first_name)
SELECT * FROM ins;

SELECT is((SELECT count(*) FROM crm.audit_log a JOIN bulk_c c ON c.id = a.record_id
            WHERE a.id > :audit_before AND a.action = 'insert' AND a.table_name = 'contacts'
              AND a.new_values->>'first_name' = c.first_name AND a.actor_system = 'tap-bulk'), 3::bigint,
          'a three-row INSERT writes three audit rows, each with its own row');
SELECT is((SELECT array_agg(a.new_values->>'first_name' ORDER BY a.id) FROM crm.audit_log a
            WHERE a.id > :audit_before AND a.table_name = 'contacts'),
          ARRAY['Bulk1', 'Bulk2', 'Bulk3'], 'in the order the rows were written');
-- One UPDATE with a different change per row: each audit row carries its own row's before and after.
SELECT max(id) AS audit_before FROM crm.audit_log \gset
UPDATE crm.contacts c SET lead_score = CASE b.first_name WHEN 'Bulk1' THEN 11 WHEN 'Bulk2' THEN 22 ELSE c.lead_score END,
                          job_title = CASE WHEN b.first_name = 'Bulk3' THEN 'Buyer' END
  FROM bulk_c b WHERE c.id = b.id;
SELECT is((SELECT array_agg(c.first_name || ' ' || a.new_values::text || ' ' || a.old_values::text ORDER BY c.first_name)
             FROM crm.audit_log a JOIN bulk_c c ON c.id = a.record_id WHERE a.id > :audit_before AND a.action = 'update'),
          ARRAY['Bulk1 {"lead_score": 11} {"lead_score": 0}', 'Bulk2 {"lead_score": 22} {"lead_score": 0}',
                'Bulk3 {"job_title": "Buyer"} {"job_title": null}'],
          'a multi-row UPDATE audits each row with its own changed columns');
-- A statement that writes nothing needs no actor; one that writes does.
SELECT set_config('crm.actor_system', '', true), set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null
SELECT is(pg_temp.err('UPDATE crm.contacts SET lead_score = 1 WHERE false'), 'no error', 'an UPDATE of no rows writes no audit and needs no actor');
SELECT is(pg_temp.err(format('UPDATE crm.contacts SET lead_score = 1 WHERE id = %L', (SELECT id FROM bulk_c LIMIT 1))), 'CR500',
          'an audited write without an actor fails');
SELECT set_config('crm.actor_system', 'tap-bulk', true) \g /dev/null

-- Secrets never reach the audit log, set-based either.
SELECT max(id) AS audit_before FROM crm.audit_log \gset
UPDATE crm.users SET password_hash = 'new-' || id WHERE org_id = (SELECT org1 FROM fx);
SELECT is((SELECT count(*) FROM crm.audit_log a WHERE a.id > :audit_before AND a.table_name = 'users'
             AND a.new_values->>'password_hash' = '[redacted]' AND a.old_values->>'password_hash' = '[redacted]'),
          (SELECT count(*) FROM crm.users WHERE org_id = (SELECT org1 FROM fx)), 'password hashes are redacted in every row');
SELECT is((SELECT count(*) FROM crm.audit_log a WHERE a.id > :audit_before AND a::text LIKE '%new-%'), 0::bigint,
          'no hash is written anywhere in the audit rows');
SELECT max(id) AS audit_before FROM crm.audit_log \gset
UPDATE crm.api_keys SET last_used_at = now() WHERE org_id = (SELECT org1 FROM fx);
SELECT is((SELECT count(*) FROM crm.audit_log a WHERE a.id > :audit_before), 0::bigint, 'a last_used_at stamp is not an audit event');

-- Three deals in one INSERT, then one UPDATE that moves two of them.
-- Three deals in one INSERT, then one UPDATE that moves two of them.
CREATE TEMP TABLE bulk_d AS
WITH ins AS (
	INSERT INTO crm.deals (org_id, title, pipeline_id, stage_id, owner_id, contact_id, stage_entered_at)
	SELECT fx.org1, 'Bulk deal ' || c.first_name, :'pid', :'s_lead', fx.rep1, c.id, now() - interval '2 days'
	  FROM fx, bulk_c c
	RETURNING id, title, contact_id)
SELECT * FROM ins;
UPDATE crm.deals x SET stage_id = CASE d.title WHEN 'Bulk deal Bulk1' THEN :'s_offer'::uuid WHEN 'Bulk deal Bulk2' THEN :'s_won'::uuid ELSE x.stage_id END,
                       stage_entered_at = CASE WHEN d.title = 'Bulk deal Bulk3' THEN x.stage_entered_at ELSE x.stage_entered_at + interval '1 day' END,
                       notes = 'bulk'
  FROM bulk_d d WHERE x.id = d.id;
SELECT is((SELECT count(*) FROM crm.audit_log a JOIN bulk_d d ON d.id = a.record_id WHERE a.action = 'update' AND a.new_values->>'notes' = 'bulk'),
          3::bigint, 'all three updated deals are audited, moved or not');

SELECT * FROM finish();
ROLLBACK;
