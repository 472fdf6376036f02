-- sql/crm/tickets.sql: the status graph, the reopen window (7 days unless
-- the desk says otherwise) and a ticket's SLA clocks in business hours,
-- expected instants computed by hand.
BEGIN;
\ir fixtures.psql
SELECT plan(13);

-- A new ticket (t2) under a 24x7 policy, as tickets_create opens it.
\o /dev/null
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Sara","last_name":"Ahmadi","phones":[{"number":"+98 912 000 1111"}]}')).body::jsonb->>'id' AS contact1 FROM fx \gset
SELECT api.sla_policies_create(ctx_admin1, '{"name":"Normal","priority":"normal","first_response_minutes":60,"resolution_minutes":480}') FROM fx;
\o
SET ROLE crm_app;
CREATE TEMP TABLE t2 AS SELECT (api.tickets_create(ctx_rep1,
	jsonb_build_object('subject', 'Invoice copy', 'contact_id', :'contact1', 'channel', 'email', 'type', 'request'))).body::jsonb AS b FROM fx;

-- Transitions: the graph every move follows.
SELECT is((SELECT array_agg(s || '>' || array_to_string(crm.ticket_next_statuses(s), ',') ORDER BY s)
             FROM unnest(ARRAY['new', 'open', 'pending', 'resolved', 'closed']) s),
          ARRAY['closed>', 'new>open,pending,resolved', 'open>pending,resolved', 'pending>open,resolved', 'resolved>open,closed'],
          'the transition graph');

-- The reopen window: 7 days unless the desk says otherwise.
CREATE FUNCTION pg_temp.resolved(id uuid, at timestamptz) RETURNS crm.tickets
LANGUAGE plpgsql AS $$
DECLARE
	t crm.tickets;
BEGIN
	SELECT * INTO t FROM crm.tickets x WHERE x.id = $1;
	RETURN crm.ticket_move(t, 'resolved', at);
END $$;
SELECT is((crm.ticket_move(pg_temp.resolved((SELECT (b->>'id')::uuid FROM t2), now()), 'open', now() + interval '6 days')).reopen_count,
          1, 'reopened within the window');
SELECT is(pg_temp.err(format('SELECT crm.ticket_move(pg_temp.resolved(%L, now()), ''open'', now() + interval ''8 days'')', (SELECT b->>'id' FROM t2))),
          'CR422 status reopen_window_passed', 'not after it');
\o /dev/null
SELECT api.ticket_settings_update(ctx_admin1, '{"patch":{"reopen_days":10}}') FROM fx;
\o
SELECT is(pg_temp.err(format('SELECT crm.ticket_move(pg_temp.resolved(%L, now()), ''open'', now() + interval ''8 days'')', (SELECT b->>'id' FROM t2))),
          'no error', 'the wider window applies');

-- Business hours, by hand: the Tehran week of tests/sql/crm_sla.sql
-- (Sat-Wed 08-12 and 13-17, Thursday until noon, Friday off), targets 2 h
-- and 4 h, a ticket opened Wednesday 2026-12-09 16:00 (+03:30).
RESET ROLE;
\o /dev/null
SELECT api.sla_policies_create(ctx_admin1, '{"name":"Tehran urgent","priority":"urgent","first_response_minutes":120,"resolution_minutes":240,
  "business_hours":{"time_zone":"Asia/Tehran","week":{
    "sat":[["08:00","12:00"],["13:00","17:00"]],"sun":[["08:00","12:00"],["13:00","17:00"]],
    "mon":[["08:00","12:00"],["13:00","17:00"]],"tue":[["08:00","12:00"],["13:00","17:00"]],
    "wed":[["08:00","12:00"],["13:00","17:00"]],"thu":[["08:00","12:00"]]},"holidays":["2026-12-13"]}}') FROM fx;
\o
CREATE FUNCTION pg_temp.opened_wed() RETURNS crm.tickets
LANGUAGE plpgsql AS $$
DECLARE
	t crm.tickets;
BEGIN
	SELECT * INTO t FROM crm.tickets x WHERE x.id = (SELECT (b->>'id')::uuid FROM t2);
	t.priority := 'urgent'; t.status := 'open'; t.resolved_at := NULL; t.first_response_at := NULL;
	t.created_at := '2026-12-09 16:00+03:30'; t.resolution_clock_at := t.created_at;
	t.resolution_used_s := 0; t.resolution_breached := false;
	RETURN crm.ticket_sla_match(t);
END $$;
CREATE TEMP TABLE bh (step text, t crm.tickets);
INSERT INTO bh SELECT 'opened', pg_temp.opened_wed();
SELECT is((SELECT (t).first_response_due_at FROM bh WHERE step = 'opened'), '2026-12-10 05:30Z'::timestamptz,
          'first response due Thursday 09:00: one hour Wednesday, one Thursday');
SELECT is((SELECT (t).resolution_due_at FROM bh WHERE step = 'opened'), '2026-12-10 07:30Z'::timestamptz,
          'resolution due Thursday 11:00');
SELECT is((SELECT crm.ticket_first_response_breached(t, '2026-12-10 08:59+03:30') FROM bh WHERE step = 'opened'), false,
          'first response not breached at 08:59');
SELECT is((SELECT crm.ticket_first_response_breached(t, '2026-12-10 09:01+03:30') FROM bh WHERE step = 'opened'), true,
          'breached at 09:01');
INSERT INTO bh SELECT 'pending', crm.ticket_move(t, 'pending', '2026-12-10 09:00+03:30') FROM bh WHERE step = 'opened';
SELECT is((SELECT row((t).resolution_used_s::int, (t).resolution_due_at IS NULL)::text FROM bh WHERE step = 'pending'), '(7200,t)',
          'pending on Thursday 09:00: 2 h used, the clock stopped');
SELECT is((SELECT crm.ticket_resolution_breached(t, '2026-12-12 12:00+03:30') FROM bh WHERE step = 'pending'), false,
          'a paused clock does not run out');
INSERT INTO bh SELECT 'resumed', crm.ticket_move(t, 'open', '2026-12-12 09:00+03:30') FROM bh WHERE step = 'pending';
SELECT is((SELECT (t).resolution_due_at FROM bh WHERE step = 'resumed'), '2026-12-12 07:30Z'::timestamptz,
          'open again Saturday 09:00 (after Friday off): the 2 h left end at 11:00');
INSERT INTO bh SELECT 'resolved', crm.ticket_move(t, 'resolved', '2026-12-12 12:30+03:30') FROM bh WHERE step = 'resumed';
SELECT is((SELECT row((t).resolution_used_s::int, (t).resolution_breached)::text FROM bh WHERE step = 'resolved'), '(18000,t)',
          'resolved Saturday 12:30: 5 h used (lunch not counted), breached');
SELECT is((SELECT crm.ticket_resolution_breached(t, '2026-12-20 00:00Z') FROM bh WHERE step = 'resolved'), true,
          'the breach stays with the resolved ticket');

SELECT * FROM finish();
ROLLBACK;
