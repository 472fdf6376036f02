-- Statement-level triggers: statements that write several rows at
-- once (imports, bulk moves) get one audit row per written row with that
-- row's own values, history rows and timeline entries for exactly the deals
-- that moved, and key rows for every new contact.
BEGIN;
\ir fixtures.psql
SELECT plan(17);

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
SELECT is((SELECT array_agg(p.key ORDER BY p.key) FROM crm.contact_phones p JOIN bulk_c c ON c.id = p.contact_id),
          ARRAY['989120000001', '989120000002', '989120000003'], 'every new contact gets its phone key');
SELECT is((SELECT array_agg(e.address ORDER BY e.address) FROM crm.contact_emails e JOIN bulk_c c ON c.id = e.contact_id),
          ARRAY['bulk1@example.test', 'bulk3@example.test'], 'and its e-mail keys (none for the one without e-mail)');

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

-- Phones changed by an update re-key only that contact.
UPDATE crm.contacts c SET phones = '[{"label":"mobile","number":"+98 935 111 2222"}]' FROM bulk_c b WHERE c.id = b.id AND b.first_name = 'Bulk2';
SELECT is((SELECT array_agg(p.key ORDER BY p.key) FROM crm.contact_phones p JOIN bulk_c c ON c.id = p.contact_id),
          ARRAY['989120000001', '989120000003', '989351112222'], 'a phone change re-keys that contact only');

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
CREATE TEMP TABLE bulk_d AS
WITH ins AS (
	INSERT INTO crm.deals (org_id, title, pipeline_id, stage_id, owner_id, contact_id, stage_entered_at)
	SELECT fx.org1, 'Bulk deal ' || c.first_name, :'pid', :'s_lead', fx.rep1, c.id, now() - interval '2 days'
	  FROM fx, bulk_c c
	RETURNING id, title, contact_id)
SELECT * FROM ins;
SELECT is((SELECT count(*) FROM crm.deal_stage_history h JOIN bulk_d d ON d.id = h.deal_id
            WHERE h.from_stage_id IS NULL AND h.to_stage_id = :'s_lead' AND h.seconds_in_previous IS NULL), 3::bigint,
          'a three-deal INSERT writes three entry rows');
UPDATE crm.deals x SET stage_id = CASE d.title WHEN 'Bulk deal Bulk1' THEN :'s_offer'::uuid WHEN 'Bulk deal Bulk2' THEN :'s_won'::uuid ELSE x.stage_id END,
                       stage_entered_at = CASE WHEN d.title = 'Bulk deal Bulk3' THEN x.stage_entered_at ELSE x.stage_entered_at + interval '1 day' END,
                       notes = 'bulk'
  FROM bulk_d d WHERE x.id = d.id;
SELECT is((SELECT array_agg(d.title || ': ' || s.name || ' after ' || h.seconds_in_previous ORDER BY d.title)
             FROM crm.deal_stage_history h JOIN bulk_d d ON d.id = h.deal_id JOIN crm.stages s ON s.id = h.to_stage_id
            WHERE h.from_stage_id = :'s_lead'),
          ARRAY['Bulk deal Bulk1: Offer after 86400', 'Bulk deal Bulk2: Won after 86400'],
          'a multi-row UPDATE writes history for the deals that moved, each with its own stage and time');
SELECT is((SELECT status FROM crm.deals WHERE title = 'Bulk deal Bulk2'), 'won', 'the BEFORE trigger still settles the status');
SELECT is((SELECT array_agg(a.subject ORDER BY a.subject) FROM crm.activities a JOIN bulk_d d ON d.contact_id = a.contact_id
            WHERE a.event = 'deal_stage_change'),
          ARRAY['Deal «Bulk deal Bulk1»: Lead → Offer', 'Deal «Bulk deal Bulk2»: Lead → Won'],
          'and a timeline entry on each moved deal''s contact');
SELECT is((SELECT array_agg((a.data->>'to_stage_id') = :'s_won' ORDER BY a.subject) FROM crm.activities a JOIN bulk_d d ON d.contact_id = a.contact_id
            WHERE a.event = 'deal_stage_change' AND (a.data->>'deal_id')::uuid = d.id),
          ARRAY[false, true], 'whose data names its own deal and stages');
SELECT is((SELECT count(*) FROM crm.audit_log a JOIN bulk_d d ON d.id = a.record_id WHERE a.action = 'update' AND a.new_values->>'notes' = 'bulk'),
          3::bigint, 'all three updated deals are audited, moved or not');

SELECT * FROM finish();
ROLLBACK;
