-- sql/api/tasks.sql: tasks_*, agenda and reminders_*: kind rules, assignment, visibility, completion, overdue, the agenda with +03:30 offsets, reminders (due once, ack idempotent), audit, merge.
BEGIN;
\ir fixtures.psql
SELECT plan(50);

CREATE FUNCTION pg_temp.titles(r api.reply) RETURNS text[]
LANGUAGE sql AS $$ SELECT ARRAY(SELECT e->>'title' FROM jsonb_array_elements(r.body::jsonb->'data') e) $$;
-- Titles in alphabetical order (rows created in one transaction tie on created_at).
CREATE FUNCTION pg_temp.set(r api.reply) RETURNS text[]
LANGUAGE sql AS $$ SELECT ARRAY(SELECT e->>'title' FROM jsonb_array_elements(r.body::jsonb->'data') e ORDER BY 1) $$;
CREATE FUNCTION pg_temp.due_titles(r api.reply) RETURNS text[]
LANGUAGE sql AS $$ SELECT ARRAY(SELECT e->'task'->>'title' FROM jsonb_array_elements(r.body::jsonb->'data') e) $$;

\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"notifier","scopes":["reminders:read"],"key_hash":"tap-key-rem","prefix":"tapr"}') FROM fx;
SELECT api.api_keys_create(ctx_admin2, '{"name":"notifier","scopes":["reminders:read"],"key_hash":"tap-key-rem2","prefix":"tapq"}') FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"tasks","scopes":["tasks:read","tasks:write"],"key_hash":"tap-key-tasks","prefix":"tapt"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-rem","ip":"10.0.0.9","api_key_hash":"tap-key-rem"}'::jsonb AS ctx_rem,
	'{"request_id":"req-rem2","ip":"10.0.0.9","api_key_hash":"tap-key-rem2"}'::jsonb AS ctx_rem2,
	'{"request_id":"req-tasks","ip":"10.0.0.9","api_key_hash":"tap-key-tasks"}'::jsonb AS ctx_keyt
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null
SET ROLE crm_app;

SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Target","phones":["0912 000 1111"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Source","phones":["0912 000 2222"]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Rep2 contact', 'owner_id', :'rep2'))).body::jsonb->>'id' AS c3 FROM fx \gset

-- Kind rules.
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, '{"title":"Expo","kind":"event"}')),
          'CR422 starts_at required', 'an event needs starts_at') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, '{"title":"Call","kind":"call","starts_at":"2025-03-21T10:00:00+03:30"}')),
          'CR422 starts_at not_applicable', 'a call carries no starts_at') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, '{"title":"Expo","kind":"event","starts_at":"2025-03-21T10:00:00Z","ends_at":"2025-03-21T09:00:00Z"}')),
          'CR422 ends_at before_start', 'ends_at before starts_at is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, '{"title":"Expo","kind":"event","starts_at":"2025-03-21T10:00:00Z","due_at":"2025-03-21T10:00:00Z"}')),
          'CR422 due_at not_applicable', 'an event carries no due_at') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'contact_id', :'c1', 'company_id', NULL, 'deal_id', :'c1'))),
          'CR422 deal_id not_found', 'a deal id that is no deal is 422 deal_id') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'contact_id', :'c3'))),
          'CR422 contact_id not_found', 'an invisible contact is 422 contact_id') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'assignee_id', :'rep2'))),
          'CR422 assignee_id forbidden', 'a rep assigns only to themself') FROM fx, fx2;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_manager1, jsonb_build_object('title', 'x', 'assignee_id', :'rep2'))),
          'CR422 assignee_id forbidden', 'a manager assigns only within the team') FROM fx, fx2;
SELECT is(pg_temp.err(format('SELECT api.tasks_create(%L, %L)', ctx_keyt, '{"title":"x"}')),
          'CR422 assignee_id required', 'an API key must name the assignee') FROM fx2;

-- Create: defaults, a to-do without a date, relations.
SELECT (api.tasks_create(ctx_rep1, '{"title":"Think"}')).body::jsonb AS t0j FROM fx \gset
SELECT is(((:'t0j'::jsonb)->>'kind') || ' ' || ((:'t0j'::jsonb)->>'status') || ' ' || ((:'t0j'::jsonb)->>'assignee_id') || ' ' || ((:'t0j'::jsonb)->>'overdue'),
          'todo open ' || rep1 || ' false', 'defaults: todo, open, assigned to the caller, not overdue') FROM fx;
SELECT (api.tasks_create(ctx_rep1, jsonb_build_object('title', 'Call back', 'kind', 'call', 'due_at', now() - interval '1 hour', 'contact_id', :'c2'))).body::jsonb->>'id' AS t1 FROM fx \gset
SELECT is((api.tasks_get(ctx_rep1, jsonb_build_object('id', :'t1'))).body::jsonb->>'overdue', 'true', 'an open task past due is overdue') FROM fx;
SELECT (api.tasks_create(ctx_admin1, jsonb_build_object('title', 'Rep2 task', 'assignee_id', :'rep2', 'due_at', now() + interval '1 day'))).body::jsonb->>'id' AS t2 FROM fx \gset
-- rep2's task about rep1's contact: rep1 sees it through the contact.
SELECT (api.tasks_create(ctx_admin1, jsonb_build_object('title', 'About c1', 'assignee_id', :'rep2', 'contact_id', :'c1'))).body::jsonb->>'id' AS t3 FROM fx \gset
SELECT (api.tasks_create(ctx_admin2, '{"title":"Other org"}')).body::jsonb->>'id' AS t_o FROM fx \gset

-- Visibility.
SELECT is(pg_temp.set(api.tasks_list(ctx_rep1, '{"sort":"created_at"}')), ARRAY['About c1', 'Call back', 'Think'],
          'rep1: own tasks and tasks on visible records') FROM fx;
SELECT is(pg_temp.set(api.tasks_list(ctx_rep2, '{"sort":"created_at"}')), ARRAY['About c1', 'Rep2 task'], 'rep2: own tasks') FROM fx2;
SELECT is(pg_temp.set(api.tasks_list(ctx_manager1, '{"sort":"created_at"}')), ARRAY['About c1', 'Call back', 'Think'],
          'the manager: the team''s tasks') FROM fx;
SELECT is(pg_temp.set(api.tasks_list(ctx_admin1, '{"sort":"created_at"}')), ARRAY['About c1', 'Call back', 'Rep2 task', 'Think'], 'the admin: all of the org') FROM fx;
SELECT is(pg_temp.set(api.tasks_list(ctx_keyt, '{"sort":"-updated_at"}')), ARRAY['About c1', 'Call back', 'Rep2 task', 'Think'], 'a key: the org') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.tasks_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'t2'))), 'CR404', 'another rep''s task: 404') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_update(%L, %L)', ctx_rep2, jsonb_build_object('id', :'t1', 'patch', '{"title":"x"}'::jsonb))), 'CR404', 'another rep: update 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.tasks_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'t1'))), 'CR404', 'another org: 404') FROM fx;
SELECT is((pg_temp.titles(api.tasks_list(ctx_admin1, '{}')))[1:2], ARRAY['Call back', 'Rep2 task'],
          'default sort: due_at, undated last') FROM fx;
SELECT is((pg_temp.titles(api.tasks_list(ctx_admin1, '{"sort":"-due_at"}')))[1:2], ARRAY['Rep2 task', 'Call back'],
          '-due_at: latest first, undated still last') FROM fx;
SELECT is(pg_temp.titles(api.tasks_list(ctx_admin1, '{"overdue":true}')), ARRAY['Call back'], 'overdue filter') FROM fx;
SELECT is(pg_temp.titles(api.tasks_list(ctx_admin1, jsonb_build_object('contact_id', :'c1'))), ARRAY['About c1'], 'contact filter') FROM fx;

-- Completion.
SELECT is((SELECT (r.body::jsonb->>'completed_at' = pg_temp.utc(now()))::text || ' ' || (r.body::jsonb->>'overdue')
             FROM api.tasks_update(ctx_rep1, jsonb_build_object('id', :'t1', 'if_match', 1, 'patch', '{"status":"done"}'::jsonb)) r),
          'true false', 'done: completed_at set, no longer overdue') FROM fx;
SELECT is((SELECT coalesce(r.body::jsonb->>'completed_at', 'null') || ' ' || (r.body::jsonb->>'version')
             FROM api.tasks_update(ctx_rep1, jsonb_build_object('id', :'t1', 'patch', '{"status":"open"}'::jsonb)) r),
          'null 3', 'reopened: completed_at cleared') FROM fx;
SELECT is((SELECT r.status FROM api.tasks_update(ctx_rep1, jsonb_build_object('id', :'t1', 'if_match', 1, 'patch', '{"title":"x"}'::jsonb)) r),
          412, 'stale If-Match: 412') FROM fx;

-- Agenda with +03:30 offsets: [2025-03-21 00:00+03:30, 2025-03-22 00:00+03:30) = [20:30Z, next 20:30Z).
\o /dev/null
SELECT api.tasks_create(ctx_rep1, '{"title":"in: 00:30 local","due_at":"2025-03-20T21:00:00Z"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"out: 23:30 the day before","due_at":"2025-03-20T20:00:00Z"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"out: at the end","due_at":"2025-03-22T00:00:00+03:30"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"in: 23:59 local","due_at":"2025-03-21T23:59:00+03:30","status":"done"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"out: cancelled","due_at":"2025-03-21T12:00:00+03:30","status":"cancelled"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"in: all-day event","kind":"event","all_day":true,"starts_at":"2025-03-21T00:00:00+03:30","ends_at":"2025-03-22T00:00:00+03:30"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"in: event across midnight","kind":"event","starts_at":"2025-03-20T23:00:00+03:30","ends_at":"2025-03-21T01:00:00+03:30"}') FROM fx;
SELECT api.tasks_create(ctx_rep1, '{"title":"out: event the day before","kind":"event","starts_at":"2025-03-20T22:00:00+03:30","ends_at":"2025-03-20T23:00:00+03:30"}') FROM fx;
SELECT api.tasks_create(ctx_admin1, jsonb_build_object('title', 'out: rep2', 'assignee_id', :'rep2', 'due_at', '2025-03-21T12:00:00+03:30')) FROM fx;
\o
SELECT is(pg_temp.titles(api.agenda(ctx_rep1, '{"from":"2025-03-21T00:00:00+03:30","to":"2025-03-22T00:00:00+03:30"}')),
          ARRAY['in: event across midnight', 'in: all-day event', 'in: 00:30 local', 'in: 23:59 local'],
          'agenda: tasks due in [from, to), overlapping events, ordered by time') FROM fx;
SELECT is((SELECT e->>'starts_at' FROM jsonb_array_elements((api.agenda(ctx_rep1, '{"from":"2025-03-21T00:00:00+03:30","to":"2025-03-22T00:00:00+03:30"}')).body::jsonb->'data') e
            WHERE e->>'title' = 'in: all-day event'), '2025-03-20T20:30:00.000000Z', 'an all-day event keeps the given instant') FROM fx;
SELECT is(pg_temp.titles(api.agenda(ctx_manager1, jsonb_build_object('from', '2025-03-21T00:00:00+03:30', 'to', '2025-03-22T00:00:00+03:30', 'user_id', rep1))),
          ARRAY['in: event across midnight', 'in: all-day event', 'in: 00:30 local', 'in: 23:59 local'],
          'a manager reads a team member''s agenda') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.agenda(%L, %L)', ctx_manager1, jsonb_build_object('from', '2025-03-21T00:00:00+03:30', 'to', '2025-03-22T00:00:00+03:30', 'user_id', :'rep2'))),
          'CR403', 'not the manager''s team: 403') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.agenda(%L, %L)', ctx_rep1, jsonb_build_object('from', '2025-03-21T00:00:00+03:30', 'to', '2025-03-22T00:00:00+03:30', 'user_id', admin2))),
          'CR404', 'a user of another org: 404') FROM fx;
SELECT is(pg_temp.titles(api.agenda(ctx_admin1, jsonb_build_object('from', '2025-03-21T00:00:00+03:30', 'to', '2025-03-22T00:00:00+03:30', 'user_id', :'rep2'))),
          ARRAY['out: rep2'], 'the admin reads anyone''s agenda') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.agenda(%L, %L)', ctx_rep1, '{"from":"2025-01-01T00:00:00+03:30","to":"2025-04-03T00:00:01+03:30"}')),
          'CR422 to range', 'more than 92 days is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.agenda(%L, %L)', ctx_rep1, '{"from":"2025-03-21T00:00:00+03:30","to":"2025-03-21T00:00:00+03:30"}')),
          'CR422 to before_start', 'to must be after from') FROM fx;

-- Reminders.
SELECT (api.tasks_create(ctx_rep1, jsonb_build_object('title', 'Remind me', 'due_at', now() + interval '1 hour', 'reminder_at', now() - interval '1 minute'))).body::jsonb->>'id' AS r1 FROM fx \gset
SELECT (api.tasks_create(ctx_admin1, jsonb_build_object('title', 'Remind rep2', 'assignee_id', :'rep2', 'reminder_at', now() - interval '2 minutes'))).body::jsonb->>'id' AS r2 FROM fx \gset
\o /dev/null
SELECT api.tasks_create(ctx_rep1, jsonb_build_object('title', 'Later', 'reminder_at', now() + interval '1 hour')) FROM fx;
SELECT api.tasks_create(ctx_rep1, jsonb_build_object('title', 'Done already', 'reminder_at', now() - interval '1 hour', 'status', 'done')) FROM fx;
SELECT api.tasks_create(ctx_admin2, jsonb_build_object('title', 'Other org reminder', 'reminder_at', now() - interval '1 hour')) FROM fx;
\o
SELECT is(pg_temp.due_titles(api.reminders_due(ctx_rem, '{}')), ARRAY['Remind rep2', 'Remind me'], 'due reminders of the org, oldest first') FROM fx2;
SELECT is((SELECT (e->>'id' = e->'task'->>'id')::text || ' ' || (e ? 'reminder_at')::text FROM jsonb_array_elements((api.reminders_due(ctx_rem, '{}')).body::jsonb->'data') e LIMIT 1),
          'true true', 'a due reminder: id = the task id, with task and reminder_at') FROM fx2;
SELECT is(pg_temp.due_titles(api.reminders_due(ctx_rep1, '{}')), ARRAY['Remind me'], 'a rep: due reminders of the visible set') FROM fx;
SELECT is(pg_temp.due_titles(api.reminders_due(ctx_rem2, '{}')), ARRAY['Other org reminder'], 'another org''s key: its own only') FROM fx2;
SELECT (api.reminders_ack(ctx_rem, jsonb_build_object('id', :'r1'))).body::jsonb->>'reminder_delivered_at' AS ack1 FROM fx2 \gset
SELECT is(pg_temp.due_titles(api.reminders_due(ctx_rem, '{}')), ARRAY['Remind rep2'], 'an acknowledged reminder is no longer due') FROM fx2;
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'reminder_delivered_at' = :'ack1')::text || ' ' || r.etag
             FROM api.reminders_ack(ctx_rem, jsonb_build_object('id', :'r1')) r), '200 true "2"', 'a second ack answers the same timestamp, no new write') FROM fx2;
SELECT is((SELECT count(*)::int FROM crm.audit_log a WHERE a.table_name = 'tasks' AND a.record_id = :'r1' AND a.action = 'update' AND a.new_values ? 'reminder_delivered_at'),
          1, 'exactly one delivery write');
SELECT is((SELECT r.status FROM api.reminders_ack(ctx_rem, jsonb_build_object('id', :'t0j'::jsonb->>'id')) r), 409, 'ack of a task without a reminder: 409') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.reminders_ack(%L, %L)', ctx_rem2, jsonb_build_object('id', :'r2'))), 'CR404', 'ack of another org''s task: 404') FROM fx2;
SELECT is((SELECT coalesce(r.body::jsonb->>'reminder_delivered_at', 'null')
             FROM api.tasks_update(ctx_rep1, jsonb_build_object('id', :'r1', 'patch', jsonb_build_object('reminder_at', now() - interval '30 seconds'))) r),
          'null', 'a new reminder time re-arms the reminder') FROM fx;

-- Audit and merge.
SELECT is((SELECT a.actor_user_id FROM crm.audit_log a WHERE a.table_name = 'tasks' AND a.record_id = :'t1' AND a.action = 'insert'), rep1,
          'task insert audited with the actor') FROM fx;
SELECT is((SELECT (a.new_values->>'status') || ' ' || a.actor_user_id FROM crm.audit_log a WHERE a.table_name = 'tasks' AND a.record_id = :'t1'
             AND a.action = 'update' ORDER BY a.id LIMIT 1), 'done ' || rep1, 'task update audited (changed fields)') FROM fx;
SELECT is((api.contacts_merge(ctx_rep1, jsonb_build_object('id', :'c1', 'source_id', :'c2'))).status, 200, 'merge c2 into c1') FROM fx;
SELECT is((SELECT t.contact_id::text FROM crm.tasks t WHERE t.id = :'t1'), :'c1', 'merge moves the source''s tasks');
SELECT is((api.tasks_delete(ctx_rep1, jsonb_build_object('id', :'t1'))).status, 204, 'tasks_delete: 204') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.tasks_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'t1'))), 'CR404', 'a deleted task is gone') FROM fx;

SELECT * FROM finish();
ROLLBACK;
