-- Bench dataset, step 1 (psql as postgres on the bench cluster, database crm):
-- one organization, 200 users in 20 teams, campaigns, companies, and the
-- loader procedures that bench/run.sh calls in parallel sessions.
-- Variables: pwhash (argon2 hash shared by every user), companies.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO crm_app;

-- Dense numbering of generated rows: helpers for the loaders and pgbench.
CREATE TABLE bench.users (n int PRIMARY KEY, id uuid NOT NULL, email text NOT NULL, role text NOT NULL);
CREATE TABLE bench.company_ids (n int PRIMARY KEY, id uuid NOT NULL);
-- (n int primary key, id uuid): pgbench's one-contact select picks n at random.
CREATE TABLE bench.contact_ids (n int PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON bench.contact_ids TO crm_app;
CREATE TABLE bench.meta (key text PRIMARY KEY, value text NOT NULL);
-- Secondary indexes dropped during the bulk load and rebuilt after it.
CREATE TABLE bench.saved_indexes (name text PRIMARY KEY, def text NOT NULL);

-- Name pools: Persian, Arabic (with Arabic ي/ك/ة) and Latin.
CREATE FUNCTION bench.pick(a text[], h bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT a[1 + (h % cardinality(a))::int] $$;

CREATE FUNCTION bench.first_name(script int, h bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT bench.pick(CASE script
		WHEN 0 THEN ARRAY['علی', 'مریم', 'محمد', 'زهرا', 'حسین', 'فاطمه', 'رضا', 'سارا', 'مهدی', 'نرگس', 'امیر',
		                  'لیلا', 'کاوه', 'شیرین', 'یاسمن', 'بهرام', 'پریسا', 'سعید', 'نگار', 'آرش', 'مینا', 'فرهاد',
		                  'الهام', 'کامران', 'ژاله', 'بابک', 'سمیرا', 'پویا', 'هستی', 'مجید']
		WHEN 1 THEN ARRAY['علي', 'فاطمة', 'يوسف', 'كريم', 'ليلى', 'حسن', 'مريم', 'خالد', 'يحيى', 'زكريا', 'عائشة',
		                  'عمر', 'نور', 'سلمى', 'إبراهيم', 'هدى', 'طارق', 'رقية', 'منصور', 'جميلة']
		ELSE ARRAY['John', 'Sarah', 'Ahmed', 'Lina', 'David', 'Emma', 'Omar', 'Nadia', 'Peter', 'Maria', 'Karim',
		           'Sofia', 'Daniel', 'Yasmin', 'Michael', 'Hana', 'Thomas', 'Leila', 'Robert', 'Amira']
	END, h)
$$;

CREATE FUNCTION bench.last_name(script int, h bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT bench.pick(CASE script
		WHEN 0 THEN ARRAY['رضایی', 'حسینی', 'کریمی', 'محمدی', 'احمدی', 'موسوی', 'جعفری', 'کاظمی', 'صادقی', 'یزدانی',
		                  'نیک‌نام', 'کیانی', 'نوری', 'طاهری', 'قاسمی', 'رحیمی', 'عباسی', 'شریفی', 'مرادی', 'اکبری',
		                  'سلیمانی', 'حیدری', 'زمانی', 'بهرامی', 'فراهانی', 'تهرانی', 'اصفهانی', 'شیرازی', 'وکیلی', 'پاکزاد']
		WHEN 1 THEN ARRAY['حسن', 'الزهراء', 'الكعبي', 'يعقوب', 'العلي', 'الكاظمي', 'رضائي', 'الياسري', 'الخطيب',
		                  'المالكي', 'الحسيني', 'الشمري', 'العبيدي', 'الزيدي', 'التميمي', 'الجبوري', 'النجار', 'الكبيسي']
		ELSE ARRAY['Smith', 'Khan', 'Miller', 'Haddad', 'Brown', 'Farouk', 'Wilson', 'Taylor', 'Nasser', 'Jones',
		           'Garcia', 'Rahman', 'Martin', 'Saleh', 'Clarke', 'Aziz', 'Walker', 'Hassan', 'Young', 'Karimi']
	END, h)
$$;

-- Iranian mobile numbers: prefix (912, 935, …) and 7 digits, written the
-- ways people type them: +98 …, 0098 …, 0912-…, Persian and Arabic-Indic
-- digits, (0912) … and bare.
CREATE FUNCTION bench.fmt_mobile(pfx text, d7 text, style int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE style % 7
		WHEN 0 THEN '+98 ' || pfx || ' ' || substr(d7, 1, 3) || ' ' || substr(d7, 4)
		WHEN 1 THEN '0098 ' || pfx || ' ' || substr(d7, 1, 3) || ' ' || substr(d7, 4)
		WHEN 2 THEN '0' || pfx || '-' || substr(d7, 1, 3) || '-' || substr(d7, 4)
		WHEN 3 THEN translate('0' || pfx || ' ' || substr(d7, 1, 3) || ' ' || substr(d7, 4), '0123456789', '۰۱۲۳۴۵۶۷۸۹')
		WHEN 4 THEN translate('0' || pfx || d7, '0123456789', '٠١٢٣٤٥٦٧٨٩')
		WHEN 5 THEN '(0' || pfx || ') ' || substr(d7, 1, 3) || ' ' || substr(d7, 4, 2) || ' ' || substr(d7, 6)
		ELSE '0' || pfx || d7 END
$$;

-- The mobile of contact n: unique per n (7919 is prime to 10^7).
CREATE FUNCTION bench.mobile_pfx(n int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT (ARRAY['912', '935', '901', '919', '936', '938', '921', '990'])[1 + n % 8]
$$;
CREATE FUNCTION bench.mobile_d7(n int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT lpad(((n / 8)::bigint * 7919 % 10000000)::text, 7, '0')
$$;

-- Percent-encodes every byte (query strings for the wrk scripts).
CREATE FUNCTION bench.urlencode(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(upper(encode(convert_to(s, 'UTF8'), 'hex')), '(..)', '%\1', 'g')
$$;

-- Drops the non-unique secondary indexes of a table (kept in
-- bench.saved_indexes); bench.restore_indexes() builds them again.
CREATE FUNCTION bench.drop_indexes(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.relname, n.nspname, pg_get_indexdef(i.indexrelid) AS def
	           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	          WHERE i.indrelid = tbl AND NOT i.indisunique AND NOT i.indisprimary LOOP
		INSERT INTO bench.saved_indexes VALUES (r.nspname || '.' || r.relname, r.def);
		EXECUTE format('DROP INDEX %I.%I', r.nspname, r.relname);
	END LOOP;
END $$;

-- The organization and its people.
SET crm.actor_system = 'bench';
SELECT crm.create_organization('Bench Trading Co.', 'bench', 'admin@bench.test', 'Bench Admin', :'pwhash') AS org \gset
INSERT INTO bench.meta VALUES ('org_id', :'org');

-- Users 1 admin, 2..21 managers (one per team), 22..200 reps.
INSERT INTO bench.users SELECT 1, id, email, role FROM crm.users WHERE org_id = :'org';
WITH u AS (
	INSERT INTO crm.users (org_id, email, name, role, password_hash)
	SELECT :'org', 'user' || n || '@bench.test',
	       CASE WHEN n % 3 = 0 THEN 'User ' || n ELSE bench.first_name(0, n) || ' ' || bench.last_name(0, n * 7) || ' ' || n END,
	       CASE WHEN n <= 21 THEN 'manager' ELSE 'rep' END, :'pwhash'
	  FROM generate_series(2, 200) n
	RETURNING id, email, role)
INSERT INTO bench.users SELECT substring(email FROM 'user(\d+)@')::int, id, email, role FROM u;

INSERT INTO crm.teams (org_id, name, created_by, updated_by)
SELECT :'org', 'تیم فروش ' || t, u.id, u.id FROM generate_series(1, 20) t, bench.users u WHERE u.n = 1;
CREATE TEMP TABLE team_n AS
	SELECT row_number() OVER (ORDER BY name COLLATE "C")::int AS t, id FROM crm.teams WHERE org_id = :'org';
-- Team t: manager n = t + 1 and the reps n = 22 + t - 1 + 20k.
INSERT INTO crm.team_members (org_id, team_id, user_id)
SELECT :'org', tn.id, u.id
  FROM bench.users u
  JOIN team_n tn ON tn.t = CASE WHEN u.n <= 21 THEN u.n - 1 ELSE 1 + (u.n - 22) % 20 END
 WHERE u.n > 1;

INSERT INTO crm.campaigns (org_id, name, channel, starts_on)
SELECT :'org', 'کمپین ' || i, (ARRAY['sms', 'email', 'social', 'event', 'referral'])[1 + i % 5], date '2024-01-01' + i * 20
  FROM generate_series(1, 20) i;

-- Companies: names, domains, office phones; owners among managers and reps.
SET synchronous_commit = off;
INSERT INTO crm.companies (org_id, name, domain, phones, email, city, industry, owner_id, tags, created_at, updated_at)
SELECT :'org',
       bench.pick(ARRAY['پخش', 'صنایع', 'بازرگانی', 'داروسازی', 'شرکة', 'مؤسسة', 'Gulf', 'Caspian', 'نرم‌افزار', 'کاشی'], h)
         || ' ' || bench.pick(ARRAY['البرز', 'مهرگان', 'پارس', 'سینا', 'النور', 'آریا', 'الكوثر', 'نوین', 'Trading', 'Logistics',
                                    'ایرانیان', 'رایان', 'زاگرس', 'دماوند', 'الخليج'], h / 10) || ' ' || n,
       'co' || n || '.example.ir', jsonb_build_array(jsonb_build_object('label', 'office', 'number', '021 ' || (30000000 + n))),
       'info@co' || n || '.example.ir',
       bench.pick(ARRAY['تهران', 'اصفهان', 'شیراز', 'مشهد', 'تبریز', 'Dubai', 'کرج', 'قم', 'بغداد'], h / 7),
       bench.pick(ARRAY['distribution', 'food', 'steel', 'pharma', 'trading', 'software', 'logistics'], h / 3),
       (SELECT id FROM bench.users WHERE bench.users.n = 2 + (h % 199)::int),
       CASE h % 4 WHEN 0 THEN ARRAY['gold'] WHEN 1 THEN ARRAY['silver'] ELSE '{}' END,
       now() - (h % 94608000) * interval '1 second', now() - (h % 94608000) * interval '1 second'
  FROM generate_series(1, :companies) n, LATERAL (SELECT abs(hashint4(n))::bigint AS h) r;
INSERT INTO bench.company_ids SELECT row_number() OVER (ORDER BY id)::int, id FROM crm.companies WHERE org_id = :'org';
INSERT INTO bench.meta VALUES ('companies', :'companies');

-- Contacts n in lo..hi, `chunk` per transaction. Every row goes through the
-- real triggers (derived phones/search text, phone and e-mail side tables,
-- audit); only the secondary indexes are built afterwards.
CREATE PROCEDURE bench.load_contacts(lo int, hi int, chunk int DEFAULT 25000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	owners uuid[] := ARRAY(SELECT id FROM bench.users WHERE n > 1 ORDER BY n);
	camps uuid[] := ARRAY(SELECT id FROM crm.campaigns WHERE org_id = org ORDER BY name);
	ncomp int := (SELECT count(*) FROM bench.company_ids);
	a int := lo;
BEGIN
	PERFORM set_config('crm.actor_system', 'bench', false);
	PERFORM set_config('synchronous_commit', 'off', false);
	WHILE a <= hi LOOP
		INSERT INTO crm.contacts (org_id, first_name, last_name, phones, emails, birthday, city, job_title, company_id,
		                          lifecycle_stage, lead_source, campaign_id, lead_score, tags, consent, owner_id,
		                          created_at, updated_at)
		SELECT org, bench.first_name(s, h), bench.last_name(s, h / 31),
		       jsonb_build_array(jsonb_build_object('label', 'mobile',
		                         'number', bench.fmt_mobile(bench.mobile_pfx(n), bench.mobile_d7(n), (h / 7)::int)))
		       || CASE WHEN h % 10 < 3
		               THEN jsonb_build_array(jsonb_build_object('label', 'work', 'number', '021 ' || lpad(n::text, 8, '0')))
		               ELSE '[]' END,
		       CASE WHEN h % 10 < 6
		            THEN jsonb_build_array(jsonb_build_object('label', 'work', 'address', 'c' || n || '@mail' || (n % 50) || '.example'))
		            ELSE '[]' END,
		       CASE WHEN h % 3 = 0 THEN date '1960-01-01' + (h % 15000)::int END,
		       bench.pick(ARRAY['تهران', 'اصفهان', 'شیراز', 'مشهد', 'تبریز', 'Dubai', 'کرج', 'قم', 'بغداد', 'رشت'], h / 11),
		       bench.pick(ARRAY['مدیر خرید', 'کارشناس فروش', 'Owner', 'مدير', 'Buyer', NULL], h / 13),
		       CASE WHEN h % 10 < 7 THEN (SELECT c.id FROM bench.company_ids c WHERE c.n = 1 + ((h / 17) % ncomp)::int) END,
		       bench.pick(ARRAY['lead', 'prospect', 'customer', 'inactive', 'customer', 'lead'], h / 19),
		       bench.pick(ARRAY['website', 'referral', 'exhibition', 'instagram', 'cold call'], h / 23),
		       CASE WHEN h % 5 = 0 THEN camps[1 + ((h / 29) % cardinality(camps))::int] END,
		       (h % 101)::int,
		       CASE h % 6 WHEN 0 THEN ARRAY['gold'] WHEN 1 THEN ARRAY['silver', 'vip'] WHEN 2 THEN ARRAY['bronze'] ELSE '{}' END,
		       CASE WHEN h % 4 = 0 THEN jsonb_build_object('sms', jsonb_build_object('granted', true, 'at', now(), 'source', 'bench'))
		            ELSE '{}' END,
		       owners[1 + (n % cardinality(owners))],
		       now() - (h % 94608000) * interval '1 second', now() - (h % 31536000) * interval '1 second'
		  FROM generate_series(a, least(hi, a + chunk - 1)) n,
		       LATERAL (SELECT abs(hashint4(n))::bigint AS h,
		                       CASE WHEN n % 10 < 5 THEN 0 WHEN n % 10 < 7 THEN 1 ELSE 2 END AS s) r;
		COMMIT;
		a := a + chunk;
	END LOOP;
END $$;

-- Activities for contacts n in lo..hi: per_contact each (calls, notes,
-- meetings, e-mails, SMS), owned by the contact's owner.
CREATE PROCEDURE bench.load_activities(lo int, hi int, per_contact int, chunk int DEFAULT 25000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	a int := lo;
BEGIN
	PERFORM set_config('crm.actor_system', 'bench', false);
	PERFORM set_config('synchronous_commit', 'off', false);
	WHILE a <= hi LOOP
		INSERT INTO crm.activities (org_id, contact_id, company_id, type, occurred_at, subject, owner_id, direction,
		                            duration_seconds, outcome, phone_number, starts_at, ends_at, place)
		SELECT org, c.id, c.company_id, t.type, now() - (h % 63072000) * interval '1 second',
		       CASE t.type WHEN 'call' THEN 'تماس پیگیری' WHEN 'note' THEN 'یادداشت' WHEN 'meeting' THEN 'جلسه معرفی محصول'
		                   WHEN 'email' THEN 'Quotation' ELSE 'پیامک یادآوری' END,
		       c.owner_id,
		       CASE WHEN t.type IN ('call', 'email', 'sms') THEN CASE WHEN h % 2 = 0 THEN 'outbound' ELSE 'inbound' END END,
		       CASE WHEN t.type = 'call' THEN (h % 900)::int END,
		       CASE WHEN t.type = 'call' THEN bench.pick(ARRAY['answered', 'no_answer', 'busy', 'voicemail', 'answered'], h / 5) END,
		       CASE WHEN t.type IN ('call', 'sms') THEN c.phones->0->>'number' END,
		       CASE WHEN t.type = 'meeting' THEN now() - (h % 63072000) * interval '1 second' END,
		       CASE WHEN t.type = 'meeting' THEN now() - (h % 63072000) * interval '1 second' + interval '1 hour' END,
		       CASE WHEN t.type = 'meeting' THEN 'دفتر مشتری' END
		  FROM bench.contact_ids b
		  JOIN crm.contacts c ON c.org_id = org AND c.id = b.id
		 CROSS JOIN generate_series(1, per_contact) k
		 CROSS JOIN LATERAL (SELECT abs(hashint4(b.n * 16 + k))::bigint AS h) r
		 CROSS JOIN LATERAL (SELECT (ARRAY['call', 'call', 'note', 'meeting', 'email', 'sms', 'call'])[1 + (r.h % 7)::int] AS type) t
		 WHERE b.n BETWEEN a AND least(hi, a + chunk - 1);
		COMMIT;
		a := a + chunk;
	END LOOP;
END $$;

-- (contact_phones/contact_emails keep theirs: the key-sync trigger deletes by contact.)
SELECT bench.drop_indexes('crm.contacts');
SELECT CASE WHEN to_regclass('crm.activities') IS NOT NULL THEN bench.drop_indexes('crm.activities') END;
