-- Demo support desk for `make run`, in org 'demo': two SLA policies (urgent
-- and high in Tehran business hours - Saturday to Wednesday 08:00-12:00 and
-- 13:00-17:00, Thursday 08:00-12:00, Friday off, Nowruz and a few other
-- holidays - and normal around the clock), and 48 tickets over the demo
-- contacts in every status, opened over the last three weeks, with
-- conversations (agents' replies, customers' messages, internal notes),
-- some first responses late and some resolutions breached, and ratings of
-- resolved and closed ones. Every ticket goes through the same SQL as the
-- API (numbering, policy match, status moves and clocks), back-dated.
-- Runs after sql/seed/demo_customers.sql. Idempotent: does nothing once the
-- demo org has a ticket. Deterministic (no random()).
-- Usage: scripts/db.sh seed sql/seed/demo_tickets.sql (ignores :pwhash).
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL crm.actor_system = 'seed';

DO $seed$
DECLARE
	demo uuid := (SELECT id FROM crm.organizations WHERE slug = 'demo');
	admin_u uuid;
	tehran jsonb := jsonb_build_object('time_zone', 'Asia/Tehran',
		'week', jsonb_build_object(
			'sat', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb, 'sun', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
			'mon', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb, 'tue', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
			'wed', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb, 'thu', '[["08:00","12:00"]]'::jsonb),
		'holidays', '["2026-12-25", "2027-01-14", "2027-02-10", "2027-03-20", "2027-03-21", "2027-03-22", "2027-03-23", "2027-03-24"]'::jsonb);
	subjects text[] := ARRAY['قطعی اینترنت از دیروز', 'فاکتور اشتباه صادر شده', 'How do I export my invoices?',
	                         'دستگاه کارت‌خوان کار نمی‌کند', 'تغییر آدرس تحویل', 'Refund for a cancelled order',
	                         'درخواست نصب در شعبه جدید', 'رمز پنل را فراموش کرده‌ام', 'Delivery is two days late',
	                         'سؤال درباره گارانتی', 'پیامک تأیید نمی‌رسد', 'Upgrade to the annual plan'];
	statuses text[] := ARRAY['new', 'open', 'pending', 'resolved', 'closed', 'open', 'resolved', 'new'];
	priorities text[] := ARRAY['urgent', 'high', 'normal', 'low', 'high', 'normal'];
	channels text[] := ARRAY['phone', 'sms', 'email', 'web', 'in_person', 'social'];
	types text[] := ARRAY['incident', 'problem', 'question', 'request'];
	c record;
	t crm.tickets;
	i int := 0;
	opened timestamptz;
	st text;
	at timestamptz;
BEGIN
	IF demo IS NULL THEN
		RAISE NOTICE 'demo org missing: run sql/seed/demo.sql first';
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM crm.tickets WHERE org_id = demo) THEN
		RETURN;
	END IF;
	SELECT id INTO admin_u FROM crm.users WHERE org_id = demo AND email = 'admin@demo.test';

	INSERT INTO crm.sla_policies (org_id, name, priority, first_response_minutes, resolution_minutes, business_hours,
	                              created_by, updated_by, created_at, updated_at)
	VALUES (demo, 'فوری - ساعات اداری تهران', 'urgent', 60, 480, tehran, admin_u, admin_u, now() - interval '60 days', now() - interval '60 days'),
	       (demo, 'بالا - ساعات اداری تهران', 'high', 120, 960, tehran, admin_u, admin_u, now() - interval '60 days', now() - interval '60 days'),
	       (demo, 'Normal, around the clock', 'normal', 480, 4320, NULL, admin_u, admin_u, now() - interval '60 days', now() - interval '60 days');

	FOR c IN SELECT x.id, x.owner_id, x.company_id FROM crm.contacts x
	          WHERE x.org_id = demo AND x.deleted_at IS NULL ORDER BY x.created_at, x.id LIMIT 48 LOOP
		i := i + 1;
		opened := date_trunc('minute', now()) - make_interval(hours => (i * 37) % 500 + 2);
		st := statuses[(i - 1) % 8 + 1];
		t := NULL;
		t.org_id := demo; t.id := crm.uuid_v7(); t.contact_id := c.id; t.company_id := c.company_id;
		t.assignee_id := c.owner_id;
		t.subject := subjects[(i - 1) % 12 + 1];
		t.description := CASE WHEN i % 3 = 0 THEN 'مشتری تماس گرفت و گفت مشکل از صبح شروع شده است.' END;
		t.priority := priorities[(i - 1) % 6 + 1];
		t.channel := channels[(i - 1) % 6 + 1];
		t.type := types[(i - 1) % 4 + 1];
		t.tags := CASE WHEN i % 5 = 0 THEN ARRAY['VIP'] ELSE '{}' END;
		t.tag_keys := crm.fold_tags(t.tags);
		t.custom_fields := '{}'; t.search_text := '';
		t.resolution_used_s := 0; t.resolution_breached := false; t.reopen_count := 0;
		t.created_at := opened; t.updated_at := opened; t.created_by := c.owner_id; t.updated_by := c.owner_id; t.version := 1;
		t.number := crm.ticket_next_number(demo);
		t.status := 'new';
		t.resolution_clock_at := opened;
		t := crm.ticket_sla_match(t);
		INSERT INTO crm.tickets SELECT (t).*;
		INSERT INTO crm.ticket_comments (org_id, ticket_id, public, body, author_contact_id, created_at)
		VALUES (demo, t.id, true, t.subject || ' - لطفاً پیگیری کنید.', c.id, opened);
		at := opened;
		IF st <> 'new' THEN
			-- Every third answer comes late (after a working day).
			at := opened + CASE WHEN i % 3 = 0 THEN interval '26 hours' ELSE make_interval(mins => 10 + i) END;
			t.first_response_at := at;
			INSERT INTO crm.ticket_comments (org_id, ticket_id, public, body, author_user_id, created_by, created_at)
			VALUES (demo, t.id, true, 'سلام، درخواست شما ثبت شد و در حال بررسی است.', c.owner_id, c.owner_id, at);
			t := crm.ticket_move(t, 'open', at);
		END IF;
		IF i % 4 = 1 THEN
			INSERT INTO crm.ticket_comments (org_id, ticket_id, public, body, author_user_id, created_by, created_at)
			VALUES (demo, t.id, false, 'یادداشت داخلی: با واحد فنی هماهنگ شد.', c.owner_id, c.owner_id, at + interval '5 minutes');
		END IF;
		IF st IN ('pending', 'resolved', 'closed') THEN
			at := at + interval '3 hours';
			t := crm.ticket_move(t, 'pending', at);
		END IF;
		IF st IN ('resolved', 'closed') THEN
			at := at + interval '1 hour';
			INSERT INTO crm.ticket_comments (org_id, ticket_id, public, body, author_contact_id, created_at)
			VALUES (demo, t.id, true, 'مشکل برطرف شد، ممنون.', c.id, at);
			t := crm.ticket_move(t, 'open', at);
			at := at + interval '30 minutes';
			t := crm.ticket_move(t, 'resolved', at);
		END IF;
		IF st = 'closed' THEN
			at := at + interval '2 days';
			t := crm.ticket_move(t, 'closed', least(at, now()));
		END IF;
		UPDATE crm.tickets x SET status = t.status, first_response_at = t.first_response_at,
		       resolution_due_at = t.resolution_due_at, resolution_clock_at = t.resolution_clock_at,
		       resolution_used_s = t.resolution_used_s, resolution_breached = t.resolution_breached,
		       resolved_at = t.resolved_at, closed_at = t.closed_at, updated_at = least(at, now())
		 WHERE x.org_id = demo AND x.id = t.id;
		PERFORM crm.system_entry(demo, c.id, c.owner_id, 'ticket_created',
			jsonb_build_object('ticket_id', t.id, 'number', crm.ticket_label(t.number), 'status', t.status),
			crm.ticket_label(t.number) || ': ' || t.subject);
		IF st IN ('resolved', 'closed') AND i % 2 = 1 THEN
			INSERT INTO crm.ticket_ratings (org_id, ticket_id, resolution, rating, comment, created_by, created_at)
			VALUES (demo, t.id, t.reopen_count, 3 + i % 3, CASE WHEN i % 3 = 0 THEN 'پاسخگویی سریع بود' END,
			        c.owner_id, least(at + interval '1 hour', now()));
		END IF;
	END LOOP;
END
$seed$;

COMMIT;
