-- Demo customer file for `make run`: ~300 contacts, 60 companies, campaigns
-- and a few activities per contact in org 'demo', a handful in org 'other'.
-- Runs after sql/seed/demo.sql. Idempotent: does nothing once the demo org
-- has contacts. Deterministic (no random()): tests may rely on contact
-- «علي رضائي» (Arabic ي) with phone «۰۹۱۲ ۳۴۵ ۶۷۸۹», owned by rep1.
-- Usage: scripts/db.sh seed sql/seed/demo_customers.sql (ignores :pwhash).
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL crm.actor_system = 'seed';

DO $seed$
DECLARE
	demo uuid := (SELECT id FROM crm.organizations WHERE slug = 'demo');
	other uuid := (SELECT id FROM crm.organizations WHERE slug = 'other');
	admin_u uuid;
	mgr uuid;
	rep1 uuid;
	rep2 uuid;
	other_admin uuid;
	owners uuid[];
	camp uuid[];
	comp uuid[];
	fa_first text[] := ARRAY['علی', 'مریم', 'محمد', 'زهرا', 'حسین', 'فاطمه', 'رضا', 'سارا', 'مهدی', 'نرگس', 'امیر', 'لیلا', 'کاوه', 'شیرین', 'یاسمن'];
	fa_last text[] := ARRAY['رضایی', 'حسینی', 'کریمی', 'محمدی', 'احمدی', 'موسوی', 'جعفری', 'کاظمی', 'صادقی', 'یزدانی', 'نیک‌نام', 'کیانی'];
	ar_first text[] := ARRAY['علي', 'فاطمة', 'يوسف', 'كريم', 'ليلى', 'حسن', 'مريم', 'خالد', 'يحيى', 'زكريا'];
	ar_last text[] := ARRAY['حسن', 'الزهراء', 'الكعبي', 'يعقوب', 'العلي', 'الكاظمي', 'رضائي', 'الياسري'];
	la_first text[] := ARRAY['John', 'Sarah', 'Ahmed', 'Lina', 'David', 'Emma', 'Omar', 'Nadia'];
	la_last text[] := ARRAY['Smith', 'Khan', 'Miller', 'Haddad', 'Brown', 'Farouk'];
	cities text[] := ARRAY['تهران', 'اصفهان', 'شیراز', 'مشهد', 'تبریز', 'Dubai', 'کرج', 'قم'];
	co_names text[] := ARRAY['پخش البرز', 'صنایع غذایی مهرگان', 'فولاد پارس', 'داروسازی سینا', 'Gulf Trading LLC', 'شرکة النور',
	                         'بازرگانی آریا', 'کاشی ایرانیان', 'نرم‌افزار رایان', 'Caspian Logistics', 'مؤسسة الكوثر', 'چاپ نوین'];
	industries text[] := ARRAY['distribution', 'food', 'steel', 'pharma', 'trading', 'software', 'logistics', 'printing'];
	stages text[] := ARRAY['lead', 'prospect', 'customer', 'inactive', 'customer', 'prospect'];
	tagsets text[][] := ARRAY[ARRAY['gold', ''], ARRAY['silver', ''], ARRAY['bronze', ''], ARRAY['gold', 'troublesome'],
	                          ARRAY['silver', 'troublesome'], ARRAY['', '']];
	fa_digits text := '۰۱۲۳۴۵۶۷۸۹';
	ar_digits text := '٠١٢٣٤٥٦٧٨٩';
	i int;
	n int;
	local_num text;
	phone text;
	fn text;
	ln text;
	cid uuid;
	tg text[];
BEGIN
	IF demo IS NULL THEN
		RAISE NOTICE 'demo org missing: run sql/seed/demo.sql first';
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM crm.contacts WHERE org_id = demo) THEN
		RETURN;
	END IF;
	SELECT id INTO admin_u FROM crm.users WHERE org_id = demo AND email = 'admin@demo.test';
	SELECT id INTO mgr FROM crm.users WHERE org_id = demo AND email = 'manager@demo.test';
	SELECT id INTO rep1 FROM crm.users WHERE org_id = demo AND email = 'rep1@demo.test';
	SELECT id INTO rep2 FROM crm.users WHERE org_id = demo AND email = 'rep2@demo.test';
	SELECT id INTO other_admin FROM crm.users WHERE org_id = other AND email = 'admin@other.test';
	owners := ARRAY[rep1, rep2, mgr];

	-- Campaigns.
	INSERT INTO crm.campaigns (org_id, name, channel, cost, currency, starts_on, ends_on, notes, created_by, updated_by)
	VALUES (demo, 'کمپین پیامکی نوروز', 'sms', 25000000, 'IRR', date '2025-03-01', date '2025-04-02', 'Nowruz SMS blast', admin_u, admin_u),
	       (demo, 'Instagram autumn', 'social', 1200, 'USD', date '2025-09-23', date '2025-11-30', NULL, mgr, mgr),
	       (demo, 'نمایشگاه صنعت تهران', 'event', 80000000, 'IRR', date '2025-05-10', date '2025-05-14', 'Booth B12', admin_u, admin_u),
	       (demo, 'Referral program', 'referral', NULL, NULL, date '2025-01-01', NULL, 'Ongoing', mgr, mgr);
	camp := ARRAY(SELECT id FROM crm.campaigns WHERE org_id = demo ORDER BY name);

	-- 60 companies.
	FOR i IN 1..60 LOOP
		INSERT INTO crm.companies (org_id, name, domain, phones, email, city, industry, owner_id, tags, created_by, updated_by, created_at, updated_at)
		VALUES (demo,
		        co_names[1 + (i - 1) % array_length(co_names, 1)] || CASE WHEN i > 12 THEN ' ' || ((i - 1) / 12 + 1) ELSE '' END,
		        'company' || i || '.example.ir',
		        jsonb_build_array(jsonb_build_object('label', 'office', 'number', '021 ' || (88000000 + i * 137))),
		        'info@company' || i || '.example.ir',
		        cities[1 + (i - 1) % array_length(cities, 1)],
		        industries[1 + (i - 1) % array_length(industries, 1)],
		        owners[1 + (i - 1) % 3],
		        CASE i % 4 WHEN 0 THEN ARRAY['gold'] WHEN 1 THEN ARRAY['silver'] ELSE '{}' END,
		        admin_u, admin_u,
		        now() - make_interval(days => 400 - i), now() - make_interval(days => 200 - i));
	END LOOP;
	comp := ARRAY(SELECT id FROM crm.companies WHERE org_id = demo ORDER BY created_at, id);

	-- 300 contacts: Persian, Arabic (ي/ك) and Latin names; phones in mixed formats and digit scripts.
	FOR i IN 1..300 LOOP
		IF i = 1 THEN
			fn := 'علي'; ln := 'رضائي';
		ELSIF i % 3 = 0 THEN
			fn := ar_first[1 + i % array_length(ar_first, 1)]; ln := ar_last[1 + (i / 3) % array_length(ar_last, 1)];
		ELSIF i % 7 = 0 THEN
			fn := la_first[1 + i % array_length(la_first, 1)]; ln := la_last[1 + (i / 7) % array_length(la_last, 1)];
		ELSE
			fn := fa_first[1 + i % array_length(fa_first, 1)]; ln := fa_last[1 + (i / 2) % array_length(fa_last, 1)];
		END IF;
		-- Mobile 0912 345 6789 for the first contact, then 0912 100 0000 + i*7 … spread over prefixes.
		local_num := CASE WHEN i = 1 THEN '9123456789'
		                  ELSE (ARRAY['912', '935', '901', '919', '990'])[1 + i % 5] || lpad((1000000 + i * 7919 % 8999999)::text, 7, '0') END;
		phone := CASE WHEN i = 1 THEN '۰۹۱۲ ۳۴۵ ۶۷۸۹'
		         ELSE CASE i % 6
		              WHEN 0 THEN '+98 ' || substr(local_num, 1, 3) || ' ' || substr(local_num, 4, 3) || ' ' || substr(local_num, 7)
		              WHEN 1 THEN '0098 ' || substr(local_num, 1, 3) || ' ' || substr(local_num, 4)
		              WHEN 2 THEN '0' || substr(local_num, 1, 3) || '-' || substr(local_num, 4, 3) || '-' || substr(local_num, 7)
		              WHEN 3 THEN translate('0' || substr(local_num, 1, 3) || ' ' || substr(local_num, 4, 3) || ' ' || substr(local_num, 7), '0123456789', fa_digits)
		              WHEN 4 THEN translate('0' || local_num, '0123456789', ar_digits)
		              ELSE '(0' || substr(local_num, 1, 3) || ') ' || substr(local_num, 4, 3) || ' ' || substr(local_num, 7, 2) || ' ' || substr(local_num, 9)
		              END END;
		tg := ARRAY(SELECT t FROM unnest(tagsets[1 + i % 6:1 + i % 6]) t WHERE t <> '');
		cid := crm.uuid_v7();
		INSERT INTO crm.contacts (org_id, id, first_name, last_name, phones, emails, birthday, city, job_title, company_id,
		                          lifecycle_stage, lead_source, campaign_id, lead_score, tags, consent, owner_id,
		                          created_by, updated_by, created_at, updated_at)
		VALUES (demo, cid, fn, ln,
		        jsonb_build_array(jsonb_build_object('label', 'mobile', 'number', phone))
		          || CASE WHEN i % 10 = 0 THEN jsonb_build_array(jsonb_build_object('label', 'work', 'number', '021 ' || (77000000 + i))) ELSE '[]' END,
		        CASE WHEN i % 2 = 0 THEN jsonb_build_array(jsonb_build_object('label', 'work', 'address', 'contact' || i || '@example.com')) ELSE '[]' END,
		        CASE WHEN i % 4 = 0 THEN date '1970-01-01' + (i * 97 % 12000) END,
		        cities[1 + i % array_length(cities, 1)],
		        CASE WHEN i % 5 = 0 THEN (ARRAY['مدیر خرید', 'Purchasing manager', 'مدير المبيعات', 'کارشناس فروش'])[1 + i % 4] END,
		        CASE WHEN i % 3 <> 0 THEN comp[1 + i % 60] END,
		        stages[1 + i % 6],
		        (ARRAY['website', 'instagram', 'referral', 'exhibition', 'cold call'])[1 + i % 5],
		        CASE WHEN i % 4 = 1 THEN camp[1 + i % 4] END,
		        (i * 37) % 101,
		        tg,
		        CASE WHEN i % 3 = 0 THEN jsonb_build_object('sms', jsonb_build_object('granted', true, 'at', '2025-03-01T08:00:00.000000Z', 'source', 'web form'))
		             ELSE '{}' END,
		        CASE WHEN i = 1 THEN rep1 ELSE owners[1 + i % 3] END,
		        admin_u, admin_u,
		        now() - make_interval(days => 300 - i % 300, hours => i % 24), now() - make_interval(days => (300 - i) / 2));
		-- A few activities per contact.
		FOR n IN 1..(1 + i % 3) LOOP
			INSERT INTO crm.activities (org_id, contact_id, type, occurred_at, subject, body, owner_id, direction,
			                            duration_seconds, outcome, phone_number, starts_at, ends_at, place, created_by, updated_by)
			SELECT demo, cid, t, now() - make_interval(days => (i + n * 11) % 90, hours => n * 3),
			       CASE t WHEN 'call' THEN 'تماس پیگیری' WHEN 'note' THEN 'یادداشت' WHEN 'meeting' THEN 'جلسه معرفی محصول'
			              WHEN 'email' THEN 'Price list' ELSE 'SMS' END,
			       CASE t WHEN 'note' THEN 'مشتری قیمت جدید را خواست.' END,
			       CASE WHEN i = 1 THEN rep1 ELSE owners[1 + i % 3] END,
			       CASE WHEN t IN ('call', 'email', 'sms') THEN (ARRAY['inbound', 'outbound'])[1 + (i + n) % 2] END,
			       CASE WHEN t = 'call' THEN 30 + (i * n * 13) % 600 END,
			       CASE WHEN t = 'call' THEN (ARRAY['answered', 'no_answer', 'busy', 'voicemail', 'answered'])[1 + (i + n) % 5] END,
			       CASE WHEN t IN ('call', 'sms') THEN phone END,
			       CASE WHEN t = 'meeting' THEN now() - make_interval(days => (i + n * 11) % 90, hours => n * 3) END,
			       CASE WHEN t = 'meeting' THEN now() - make_interval(days => (i + n * 11) % 90, hours => n * 3) + interval '1 hour' END,
			       CASE WHEN t = 'meeting' THEN 'دفتر مرکزی' END,
			       admin_u, admin_u
			  FROM (SELECT (ARRAY['call', 'note', 'meeting', 'email', 'sms'])[1 + (i + n) % 5] AS t) x;
		END LOOP;
	END LOOP;

	-- A handful in org 'other' (one shares the demo phone: tenancy must keep them apart).
	IF other IS NOT NULL AND other_admin IS NOT NULL THEN
		INSERT INTO crm.contacts (org_id, first_name, last_name, phones, owner_id, created_by, updated_by)
		SELECT other, (ARRAY['Other', 'علي', 'Sam', 'Nour', 'Mina'])[g], 'Contact ' || g,
		       jsonb_build_array(jsonb_build_object('label', 'mobile',
		           'number', CASE WHEN g = 2 THEN '+98 912 345 6789' ELSE '0912 555 00' || lpad(g::text, 2, '0') END)),
		       other_admin, other_admin, other_admin
		  FROM generate_series(1, 5) g;
	END IF;
END
$seed$;

COMMIT;
