-- Demo pipelines, deals and tasks for `make run`, in org 'demo': a "Sales"
-- pipeline (Lead 10%, Qualified 25% rotting 14 days, Proposal 50% rotting
-- 10, Negotiation 75%, Won, Lost) and a "Renewals" pipeline; 80 deals over
-- the demo contacts and reps in IRR and USD with back-dated stage history;
-- 60 tasks and events for rep1, rep2 and the manager (some overdue, some
-- with due reminders, some events this week).
-- Runs after sql/seed/demo.sql and sql/seed/demo_customers.sql. Idempotent:
-- does nothing once the demo org has a pipeline. Deterministic (no random()).
-- Usage: scripts/db.sh seed sql/seed/demo_deals.sql (ignores :pwhash).
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL crm.actor_system = 'seed';

DO $seed$
DECLARE
	demo uuid := (SELECT id FROM crm.organizations WHERE slug = 'demo');
	admin_u uuid;
	mgr uuid;
	rep1 uuid;
	rep2 uuid;
	sales uuid;
	renewals uuid;
	sales_st uuid[];
	renew_st uuid[];
	st uuid[];
	contacts uuid[];
	c record;
	i int;
	j int;
	final int;
	lost_from int;
	n_open int;
	did uuid;
	created timestamptz;
	entered timestamptz;
	amt numeric;
	cur text;
	users uuid[];
	kinds text[] := ARRAY['call', 'meeting', 'follow_up', 'todo', 'event'];
	titles_fa text[] := ARRAY['تماس پیگیری پیش‌فاکتور', 'جلسه معرفی محصول', 'ارسال کاتالوگ', 'تمدید قرارداد', 'بازدید از نمایشگاه',
	                          'Call back about pricing', 'Send the proposal', 'Quarterly review', 'پیگیری پرداخت', 'Demo for the buyer'];
	deal_names text[] := ARRAY['قرارداد تأمین', 'سفارش عمده', 'Annual license', 'تمدید پشتیبانی', 'Pilot project', 'خرید تجهیزات',
	                           'Distribution deal', 'پروژه نصب', 'Export order', 'قرارداد نگهداری'];
	lost_reasons text[] := ARRAY['قیمت بالا', 'Chose a competitor', 'بودجه ندارند', 'No decision', 'زمان تحویل طولانی'];
	t_kind text;
	t_due timestamptz;
	t_start timestamptz;
	week_start timestamptz;
	t_contact uuid;
	t_deal uuid;
	t_status text;
	t_rem timestamptz;
	t_rem_done timestamptz;
	who uuid;
BEGIN
	IF demo IS NULL THEN
		RAISE NOTICE 'demo org missing: run sql/seed/demo.sql first';
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM crm.pipelines WHERE org_id = demo) THEN
		RETURN;
	END IF;
	SELECT id INTO admin_u FROM crm.users WHERE org_id = demo AND email = 'admin@demo.test';
	SELECT id INTO mgr FROM crm.users WHERE org_id = demo AND email = 'manager@demo.test';
	SELECT id INTO rep1 FROM crm.users WHERE org_id = demo AND email = 'rep1@demo.test';
	SELECT id INTO rep2 FROM crm.users WHERE org_id = demo AND email = 'rep2@demo.test';
	users := ARRAY[rep1, rep2, mgr];

	-- Pipelines and stages.
	INSERT INTO crm.pipelines (org_id, name, created_by, updated_by, created_at, updated_at)
	VALUES (demo, 'Sales', admin_u, admin_u, now() - interval '200 days', now() - interval '200 days')
	RETURNING id INTO sales;
	INSERT INTO crm.pipelines (org_id, name, created_by, updated_by, created_at, updated_at)
	VALUES (demo, 'Renewals', admin_u, admin_u, now() - interval '200 days', now() - interval '200 days')
	RETURNING id INTO renewals;
	INSERT INTO crm.stages (org_id, pipeline_id, name, position, probability, kind, rotting_days, created_by, updated_by, created_at, updated_at)
	SELECT demo, sales, v.name, v.pos, v.prob, v.kind, v.rot, admin_u, admin_u, now() - interval '200 days', now() - interval '200 days'
	  FROM (VALUES ('Lead', 0, 10, 'open', NULL::int), ('Qualified', 1, 25, 'open', 14), ('Proposal', 2, 50, 'open', 10),
	               ('Negotiation', 3, 75, 'open', NULL), ('Won', 4, 100, 'won', NULL), ('Lost', 5, 0, 'lost', NULL)) v(name, pos, prob, kind, rot);
	INSERT INTO crm.stages (org_id, pipeline_id, name, position, probability, kind, rotting_days, created_by, updated_by, created_at, updated_at)
	SELECT demo, renewals, v.name, v.pos, v.prob, v.kind, v.rot, admin_u, admin_u, now() - interval '200 days', now() - interval '200 days'
	  FROM (VALUES ('Up for renewal', 0, 40, 'open', 30), ('Quote sent', 1, 70, 'open', 14), ('Renewed', 2, 100, 'won', NULL),
	               ('Churned', 3, 0, 'lost', NULL)) v(name, pos, prob, kind, rot);
	sales_st := ARRAY(SELECT id FROM crm.stages WHERE org_id = demo AND pipeline_id = sales ORDER BY position);
	renew_st := ARRAY(SELECT id FROM crm.stages WHERE org_id = demo AND pipeline_id = renewals ORDER BY position);

	contacts := ARRAY(SELECT id FROM crm.contacts WHERE org_id = demo AND deleted_at IS NULL ORDER BY created_at, id);

	-- 80 deals. Each starts in the first stage and walks forward to its final
	-- stage (lost deals leave from an open stage), back-dated step by step.
	FOR i IN 1..80 LOOP
		IF cardinality(contacts) > 0 THEN
			SELECT x.id, x.owner_id, x.company_id INTO c FROM crm.contacts x WHERE x.org_id = demo AND x.id = contacts[1 + (i * 37) % cardinality(contacts)];
		ELSE
			SELECT NULL::uuid AS id, users[1 + i % 3] AS owner_id, NULL::uuid AS company_id INTO c;
		END IF;
		IF i % 5 = 0 THEN
			st := renew_st; n_open := 2;
			-- 0,1 open; 2 won; 3 lost
			final := (ARRAY[0, 1, 1, 2, 3, 0, 2, 1])[1 + (i / 5) % 8];
		ELSE
			st := sales_st; n_open := 4;
			final := (ARRAY[0, 1, 2, 3, 4, 5, 1, 2, 0, 3, 4, 2, 5])[1 + i % 13];
		END IF;
		lost_from := CASE WHEN final = n_open + 1 THEN i % n_open END;
		IF i % 3 = 0 THEN
			cur := 'USD'; amt := 1000 + (i * 733) % 49000;
		ELSE
			cur := 'IRR'; amt := (50 + (i * 97) % 1950) * 1000000;
		END IF;
		-- Created 3..160 days ago; every step 2..9 days.
		created := date_trunc('minute', now() - make_interval(days => 3 + (i * 53) % 158, hours => i % 9));
		entered := created;
		did := crm.uuid_v7();
		INSERT INTO crm.deals (org_id, id, title, amount, currency, pipeline_id, stage_id, expected_close_date, owner_id,
		                       contact_id, company_id, campaign_id, notes, stage_entered_at,
		                       created_by, updated_by, created_at, updated_at)
		VALUES (demo, did, deal_names[1 + i % 10] || ' #' || i, CASE WHEN i % 17 = 0 THEN NULL ELSE amt END,
		        CASE WHEN i % 17 = 0 THEN NULL ELSE cur END, CASE WHEN i % 5 = 0 THEN renewals ELSE sales END, st[1],
		        CASE WHEN i % 4 <> 0 THEN (now() + make_interval(days => (i * 11) % 90 - 20))::date END,
		        c.owner_id, c.id, c.company_id,
		        (SELECT x.campaign_id FROM crm.contacts x WHERE x.org_id = demo AND x.id = c.id),
		        CASE WHEN i % 6 = 0 THEN 'Budget approved by the board' END,
		        entered, admin_u, admin_u, created, created);
		FOR j IN 2..(CASE WHEN lost_from IS NOT NULL THEN lost_from + 1 ELSE final + 1 END) LOOP
			-- skip the open stages after the last one reached (a win can skip ahead)
			-- never reaching now: a step is at most half of the time left
			entered := entered + least(make_interval(days => 2 + (i + j) % 8, hours => j), (now() - entered) / 2);
			UPDATE crm.deals SET stage_id = st[j], stage_entered_at = entered, updated_at = entered, version = version + 1
			 WHERE org_id = demo AND id = did;
		END LOOP;
		IF lost_from IS NOT NULL THEN
			entered := entered + least(make_interval(days => 3 + i % 5), (now() - entered) / 2);
			UPDATE crm.deals SET stage_id = st[final + 1], stage_entered_at = entered, updated_at = entered,
			       lost_reason = lost_reasons[1 + i % 5], version = version + 1
			 WHERE org_id = demo AND id = did;
		END IF;
	END LOOP;
	-- The timeline entries of the walk carry the time of each move.
	UPDATE crm.activities a SET occurred_at = h.moved_at, created_at = h.moved_at, updated_at = h.moved_at
	  FROM crm.deal_stage_history h
	 WHERE a.org_id = demo AND a.event = 'deal_stage_change' AND a.occurred_at = now()
	   AND h.org_id = demo AND h.deal_id = (a.data->>'deal_id')::uuid AND h.to_stage_id = (a.data->>'to_stage_id')::uuid;

	-- 60 tasks and events for rep1, rep2 and the manager.
	week_start := date_trunc('week', now() AT TIME ZONE 'Asia/Tehran') AT TIME ZONE 'Asia/Tehran';
	FOR i IN 1..60 LOOP
		who := users[1 + i % 3];
		t_kind := kinds[1 + i % 5];
		t_contact := NULL; t_deal := NULL;
		IF i % 4 = 1 THEN
			SELECT d.id INTO t_deal FROM crm.deals d WHERE d.org_id = demo AND d.owner_id = who AND d.status = 'open'
			 ORDER BY d.created_at, d.id OFFSET (i / 4) % 5 LIMIT 1;
		ELSIF i % 4 <> 0 THEN
			SELECT x.id INTO t_contact FROM crm.contacts x WHERE x.org_id = demo AND x.owner_id = who AND x.deleted_at IS NULL
			 ORDER BY x.created_at, x.id OFFSET i LIMIT 1;
		END IF;
		t_due := NULL; t_start := NULL;
		IF t_kind = 'event' THEN
			-- this week, 09:00..16:00 Tehran time; every other one an all-day event
			t_start := week_start + make_interval(days => i % 7, hours => 9 + i % 8);
		ELSIF i % 7 <> 0 THEN
			-- from 10 days ago to 20 days ahead: the past ones are overdue
			t_due := date_trunc('hour', now()) + make_interval(hours => ((i * 29) % 720) - 240);
		END IF;
		t_status := CASE WHEN i % 11 = 0 THEN 'done' WHEN i % 23 = 0 THEN 'cancelled' ELSE 'open' END;
		-- half carry a reminder 30 minutes ahead; older ones partly delivered already
		t_rem := CASE WHEN i % 4 IN (0, 2) THEN coalesce(t_due, t_start) - interval '30 minutes' END;
		t_rem_done := CASE WHEN t_rem < now() - interval '3 days' AND i % 8 = 0 THEN t_rem + interval '1 minute' END;
		INSERT INTO crm.tasks (org_id, title, notes, kind, due_at, starts_at, ends_at, all_day, assignee_id,
		                       contact_id, deal_id, reminder_at, reminder_delivered_at, status, completed_at,
		                       created_by, updated_by, created_at, updated_at)
		VALUES (demo, titles_fa[1 + i % 10], CASE WHEN i % 5 = 2 THEN 'با مدیر خرید هماهنگ شود' END, t_kind, t_due,
		        CASE WHEN t_kind = 'event' AND i % 10 = 4 THEN date_trunc('day', t_start AT TIME ZONE 'Asia/Tehran') AT TIME ZONE 'Asia/Tehran' ELSE t_start END,
		        CASE WHEN t_kind = 'event' AND i % 10 = 4 THEN date_trunc('day', t_start AT TIME ZONE 'Asia/Tehran') AT TIME ZONE 'Asia/Tehran' + interval '1 day'
		             WHEN t_kind = 'event' THEN t_start + interval '1 hour' END,
		        t_kind = 'event' AND i % 10 = 4, who, t_contact, t_deal,
		        CASE WHEN t_kind = 'event' AND i % 10 = 4 THEN NULL ELSE t_rem END,
		        CASE WHEN t_kind = 'event' AND i % 10 = 4 THEN NULL ELSE t_rem_done END,
		        t_status, CASE WHEN t_status = 'done' THEN coalesce(least(t_due, now()), now() - interval '1 day') END,
		        admin_u, admin_u, now() - make_interval(days => 15 + i % 10), now() - make_interval(days => i % 10));
	END LOOP;
END
$seed$;

COMMIT;
