-- sql/api/tickets.sql: tickets_* operations: numbering, SLA policy matching
-- and 24x7 clocks, transitions refused and allowed, the conversation,
-- satisfaction, timeline, merge, audit and visibility.
BEGIN;
\ir fixtures.psql
SELECT plan(48);

\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Other Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2 FROM fx \gset
SELECT (api.api_keys_create(ctx_admin1, '{"name":"desk","scopes":["tickets:read","tickets:write","tickets:csat"],"key_hash":"tap-desk","prefix":"desk"}')).status FROM fx;
SELECT (api.api_keys_create(ctx_admin1, '{"name":"nocsat","scopes":["tickets:read","tickets:write"],"key_hash":"tap-nocsat","prefix":"nocs"}')).status FROM fx;
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Sara","last_name":"Ahmadi","phones":[{"number":"+98 912 000 1111"}]}')).body::jsonb->>'id' AS contact1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Sara","last_name":"A."}')).body::jsonb->>'id' AS contact1b FROM fx \gset
SELECT (api.contacts_create(ctx_admin2, '{"first_name":"Other"}')).body::jsonb->>'id' AS contact2 FROM fx \gset
SELECT (api.sla_policies_create(ctx_admin1, '{"name":"Normal","priority":"normal","first_response_minutes":60,"resolution_minutes":480}')).body::jsonb->>'id' AS pol_normal FROM fx \gset
SELECT (api.sla_policies_create(ctx_admin1, '{"name":"Phone","priority":"normal","channel":"phone","first_response_minutes":30,"resolution_minutes":240}')).body::jsonb->>'id' AS pol_phone FROM fx \gset
\o
CREATE TEMP TABLE v AS SELECT :'rep2'::uuid AS rep2, :'ctx_rep2'::jsonb AS ctx_rep2,
	:'contact1'::uuid AS contact1, :'contact1b'::uuid AS contact1b, :'contact2'::uuid AS contact2,
	:'pol_normal'::uuid AS pol_normal, :'pol_phone'::uuid AS pol_phone,
	'{"request_id":"req-desk","ip":"10.0.0.8","api_key_hash":"tap-desk"}'::jsonb AS ctx_desk,
	'{"request_id":"req-nocsat","ip":"10.0.0.8","api_key_hash":"tap-nocsat"}'::jsonb AS ctx_nocsat;
GRANT SELECT ON v TO PUBLIC;
CREATE FUNCTION pg_temp.body(r api.reply) RETURNS jsonb LANGUAGE sql AS $$ SELECT r.body::jsonb $$;

SET ROLE crm_app;

-- Numbers per organization; the policy that names the channel wins.
CREATE TEMP TABLE t1 AS SELECT pg_temp.body(api.tickets_create(jsonb_set(ctx_rep1, '{request_id}', '"req-t1"'),
	jsonb_build_object('subject', 'Router down', 'contact_id', contact1, 'channel', 'phone'))) AS b FROM fx, v;
CREATE TEMP TABLE t2 AS SELECT pg_temp.body(api.tickets_create(ctx_rep1,
	jsonb_build_object('subject', 'Invoice copy', 'contact_id', contact1, 'channel', 'email', 'type', 'request'))) AS b FROM fx, v;
SELECT is((SELECT b->>'number' FROM t1) || ' ' || (SELECT b->>'number' FROM t2), 'T-1 T-2', 'numbers follow one another');
SELECT is(pg_temp.body(api.tickets_create(ctx_admin2, jsonb_build_object('subject', 'x', 'contact_id', contact2)))->>'number',
          'T-1', 'each organization numbers its own tickets') FROM fx, v;
SELECT is((SELECT b->>'status' FROM t1) || ' ' || (SELECT b->>'assignee_id' FROM t1), 'new ' || rep1, 'a new ticket, assigned to its creator') FROM fx;
SELECT is((SELECT (b->'sla'->'policy'->>'id')::uuid FROM t1), pol_phone, 'the policy naming the channel wins') FROM v;
SELECT is((SELECT (b->'sla'->'policy'->>'id')::uuid FROM t2), pol_normal, 'else the priority''s policy') FROM v;
SELECT is((SELECT (b->'sla'->'first_response'->>'due_at')::timestamptz FROM t1), now() + interval '30 minutes',
          '24x7: first response due 30 minutes after opening');
SELECT is((SELECT (b->'sla'->'resolution'->>'due_at')::timestamptz FROM t1), now() + interval '240 minutes',
          '24x7: resolution due 4 hours after opening');
SELECT is((SELECT b->'sla'->'first_response'->>'breached' FROM t1), 'false', 'not breached yet');
SELECT is(pg_temp.body(api.tickets_create(ctx_rep1, jsonb_build_object('subject', 'Low', 'contact_id', contact1, 'priority', 'low')))->'sla',
          'null'::jsonb, 'no policy for the priority: no SLA') FROM fx, v;

-- A policy change applies to new tickets only.
\o /dev/null
SELECT api.sla_policies_update(ctx_admin1, jsonb_build_object('id', pol_phone, 'patch', '{"first_response_minutes":5}'::jsonb)) FROM fx, v;
\o
SELECT is(pg_temp.body(api.tickets_get(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1))))->'sla'->'first_response'->>'target_minutes',
          '30', 'an open ticket keeps the targets it was opened with') FROM fx;

-- Validation, visibility and duplicates.
SELECT is(pg_temp.err(format('SELECT api.tickets_create(%L, %L)', ctx_rep1, jsonb_build_object('contact_id', contact1))),
          'CR422 subject required', 'subject is required') FROM fx, v;
SELECT is(pg_temp.err(format('SELECT api.tickets_create(%L, %L)', ctx_rep1, jsonb_build_object('subject', 's', 'contact_id', contact2))),
          'CR422 contact_id not_found', 'a contact of another organization is no contact') FROM fx, v;
SELECT is(pg_temp.err(format('SELECT api.tickets_create(%L, %L)', ctx_rep1, jsonb_build_object('subject', 's', 'contact_id', contact1, 'priority', 'asap'))),
          'CR422 priority invalid', 'an unknown priority') FROM fx, v;
SELECT is(pg_temp.err(format('SELECT api.tickets_get(%L, %L)', ctx_admin2, jsonb_build_object('id', (SELECT b->>'id' FROM t1)))),
          'CR404', 'another organization''s ticket is not found') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tickets_get(%L, %L)', ctx_rep2, jsonb_build_object('id', (SELECT b->>'id' FROM t1)))),
          'CR404', 'another rep''s ticket is not found') FROM v;
-- (Team One has no members: the manager shares no team with the rep.)
SELECT is(pg_temp.err(format('SELECT api.tickets_get(%L, %L)', ctx_manager1, jsonb_build_object('id', (SELECT b->>'id' FROM t1)))),
          'CR404', 'a manager outside the rep''s teams does not see it either') FROM fx;
SELECT is((api.tickets_create(ctx_desk, jsonb_build_object('subject', 'From PBX', 'contact_id', contact1, 'external_id', 'pbx-1', 'assignee_id', rep1))).status,
          201, 'an integration opens a ticket with its external id') FROM fx, v;
SELECT is((SELECT r.status || ' ' || (r.body::jsonb ? 'existing_id')::text
             FROM api.tickets_create(ctx_desk, jsonb_build_object('subject', 'From PBX', 'contact_id', contact1, 'external_id', 'pbx-1', 'assignee_id', rep1)) r),
          '409 true', 'the same external id again: 409 with existing_id') FROM fx, v;

-- Audit and timeline.
SELECT is((SELECT a.actor_user_id::text || ' ' || a.request_id FROM crm.audit_log a
            WHERE a.table_name = 'tickets' AND a.record_id = (SELECT (b->>'id')::uuid FROM t1) AND a.action = 'insert'),
          (SELECT rep1 FROM fx)::text || ' req-t1', 'the insert audit row names the actor and the request');
SELECT is((SELECT count(*)::int FROM crm.activities a WHERE a.contact_id = (SELECT contact1 FROM v) AND a.event = 'ticket_created'),
          4, 'every new ticket is on the contact''s timeline');

-- The conversation: only the first public agent reply is the first response.
SELECT is((api.tickets_comments_create(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'note', 'body', 'checking the line'))).status,
          201, 'an internal note') FROM fx;
SELECT is((api.tickets_comments_create(ctx_desk, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'reply', 'body', 'still down',
          'author_contact_id', contact1))).status, 201, 'the customer''s message, posted by an integration') FROM v;
SELECT is((SELECT row(t.first_response_at IS NULL, t.status)::text FROM crm.tickets t WHERE t.id = (SELECT (b->>'id')::uuid FROM t1)),
          '(t,new)', 'neither a note nor the customer''s message is a first response');
SELECT is((api.tickets_comments_create(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'reply', 'body', 'a technician is on the way',
          'attachments', '[{"url":"https://files.example/ticket.png","name":"ticket.png"}]'::jsonb))).status, 201, 'the agent replies') FROM fx;
SELECT is((SELECT row(t.first_response_at = now(), t.status)::text FROM crm.tickets t WHERE t.id = (SELECT (b->>'id')::uuid FROM t1)),
          '(t,open)', 'the first public agent reply stamps first_response_at and opens the ticket');
SELECT is(pg_temp.err(format('SELECT api.tickets_comments_create(%L, %L)', ctx_rep1,
          jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'reply', 'body', 'x', 'attachments', '[{"url":"ftp://x"}]'::jsonb))),
          'CR422 attachments[0].url format', 'attachments are http(s) links') FROM fx;
SELECT is(pg_temp.body(api.tickets_comments(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1))))->'data'->2->'author'->>'type' || ' ' ||
          (pg_temp.body(api.tickets_comments(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1))))->'data'->1->'author'->>'type'),
          'user contact', 'the conversation in order, with its authors') FROM fx;

-- Pending, the customer's reply, resolution, satisfaction, reopen.
SELECT is(pg_temp.body(api.tickets_update(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"pending"}'::jsonb)))->'sla'->'resolution'->>'paused',
          'true', 'pending pauses the resolution clock') FROM fx;
SELECT is((api.tickets_comments_create(ctx_desk, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'reply', 'body', 'any news?',
          'author_contact_id', contact1))).status, 201, 'the customer answers') FROM v;
SELECT is((SELECT t.status FROM crm.tickets t WHERE t.id = (SELECT (b->>'id')::uuid FROM t1)), 'open',
          'a customer''s reply moves a pending ticket back to open');
SELECT is(pg_temp.err(format('SELECT api.tickets_satisfaction(%L, %L)', ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 5))),
          'CR409', 'an open ticket cannot be rated') FROM fx;
SELECT is(pg_temp.body(api.tickets_update(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"resolved"}'::jsonb)))->>'resolved_at',
          crm.ts(now()), 'resolving stamps resolved_at') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tickets_satisfaction(%L, %L)', ctx_nocsat, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 5))),
          'CR403', 'a key needs tickets:csat to record a rating') FROM v;
SELECT is(pg_temp.err(format('SELECT api.tickets_satisfaction(%L, %L)', ctx_admin1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 5))),
          'CR403', 'a user other than the assignee cannot record it') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tickets_satisfaction(%L, %L)', ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 6))),
          'CR422 rating range', 'ratings are 1 to 5') FROM fx;
SELECT is((api.tickets_satisfaction(ctx_desk, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 4, 'comment', 'quick'))).status,
          201, 'the survey link records a rating') FROM v;
SELECT is(pg_temp.err(format('SELECT api.tickets_satisfaction(%L, %L)', ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 5))),
          'CR409', 'once per resolution') FROM fx;
SELECT is(pg_temp.body(api.tickets_update(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"open"}'::jsonb)))->>'reopen_count',
          '1', 'reopening counts') FROM fx;
SELECT is((SELECT t.resolved_at FROM crm.tickets t WHERE t.id = (SELECT (b->>'id')::uuid FROM t1)), NULL, 'and clears resolved_at');
SELECT is((api.tickets_update(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"resolved"}'::jsonb))).status, 200, 'resolved again') FROM fx;
SELECT is(pg_temp.body(api.tickets_satisfaction(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'rating', 5)))->>'resolution',
          '2', 'the second resolution gets its own rating') FROM fx;
SELECT is(jsonb_array_length(pg_temp.body(api.tickets_ratings(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1))))->'data'),
          2, 'all ratings are kept') FROM fx;

-- Transitions: every move outside the graph is refused, naming the allowed ones.
SELECT is(pg_temp.err(format('SELECT api.tickets_update(%L, %L)', ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t2), 'patch', '{"status":"closed"}'::jsonb))),
          'CR422 status invalid_transition', 'new cannot jump to closed') FROM fx;
SELECT is((api.tickets_update(ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"closed"}'::jsonb))).status, 200, 'closed') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tickets_update(%L, %L)', ctx_rep1, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'patch', '{"status":"open"}'::jsonb))),
          'CR422 status invalid_transition', 'closed is final') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tickets_comments_create(%L, %L)', ctx_desk, jsonb_build_object('id', (SELECT b->>'id' FROM t1), 'kind', 'reply',
          'body', 'hello?', 'author_contact_id', contact1))), 'CR409', 'a closed ticket takes no more replies') FROM v;

-- Merge.
SELECT is((api.contacts_merge(ctx_rep1, jsonb_build_object('id', contact1b, 'source_id', contact1))).status, 200, 'merge the contacts') FROM fx, v;
SELECT is((SELECT count(*)::int FROM crm.tickets t WHERE t.contact_id = (SELECT contact1b FROM v)), 4, 'merging moves the contact''s four tickets');

SELECT * FROM finish();
ROLLBACK;
