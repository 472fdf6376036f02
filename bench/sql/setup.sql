-- Bench dataset, step 1 (psql as postgres on the bench cluster, database crm):
-- one organization, 200 users in 20 teams, campaigns, two deal pipelines,
-- and the loader procedures (companies, contacts, activities, deals) that
-- bench/run.sh calls in parallel sessions.
-- Variable: pwhash (argon2 hash shared by every user).
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
-- The ways a deal goes through a pipeline (stage ids in order), 100 slots
-- per pipeline by weight; open paths take the lowest slots.
CREATE TABLE bench.deal_paths (pipeline int, slot int, pipeline_id uuid NOT NULL, stage_ids uuid[] NOT NULL,
                               outcome text NOT NULL, PRIMARY KEY (pipeline, slot));

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

-- Drops the non-unique secondary indexes of a table but those in keep
-- (kept in bench.saved_indexes); bench.restore_indexes() builds them again.
CREATE FUNCTION bench.drop_indexes(tbl regclass, keep text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.relname, n.nspname, pg_get_indexdef(i.indexrelid) AS def
	           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	          WHERE i.indrelid = tbl AND NOT i.indisunique AND NOT i.indisprimary AND c.relname <> ALL (keep) LOOP
		INSERT INTO bench.saved_indexes VALUES (r.nspname || '.' || r.relname, r.def);
		EXECUTE format('DROP INDEX %I.%I', r.nspname, r.relname);
	END LOOP;
END $$;

-- Builds the saved indexes, one per transaction, taking the next one that no
-- other session is building (two sessions share the list), largest first.
CREATE PROCEDURE bench.restore_indexes()
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	PERFORM set_config('maintenance_work_mem', '1GB', false);
	LOOP
		SELECT s.name, s.def INTO r FROM bench.saved_indexes s
		 ORDER BY pg_relation_size(substring(s.def FROM ' ON (?:ONLY )?(\S+) ')::regclass)
		          * CASE WHEN s.def LIKE '% USING gin %' THEN 4 ELSE 1 END DESC, s.name
		 LIMIT 1 FOR UPDATE SKIP LOCKED;
		EXIT WHEN NOT FOUND;
		EXECUTE r.def;
		DELETE FROM bench.saved_indexes WHERE name = r.name;
		COMMIT;
	END LOOP;
END $$;

-- Foreign keys of the loaded tables, dropped like their secondary indexes
-- and added back after the load, as pg_restore does: checked row by row,
-- each key costs an index probe per written row (~30% of an activity's
-- insert); added back, each is validated over the whole table in one join.
CREATE TABLE bench.saved_fks (tbl text, name text, def text NOT NULL, validated boolean NOT NULL DEFAULT false,
                              PRIMARY KEY (tbl, name));
CREATE FUNCTION bench.drop_fks(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
	          WHERE conrelid = tbl AND contype = 'f' ORDER BY conname LOOP
		INSERT INTO bench.saved_fks (tbl, name, def) VALUES (tbl::text, r.conname, r.def);
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, r.conname);
	END LOOP;
END $$;

-- Adds every saved key back NOT VALID (a catalog change), so that
-- bench.validate_fks() can check them from two sessions at once.
CREATE PROCEDURE bench.add_fks()
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM bench.saved_fks ORDER BY tbl, name LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', r.tbl, r.name, r.def);
	END LOOP;
END $$;

-- Validates the keys added by bench.add_fks(), one per transaction, taking
-- the next one no other session is validating, largest table first. Two
-- VALIDATEs on one table wait for each other; on different tables they
-- run side by side.
CREATE PROCEDURE bench.validate_fks()
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	PERFORM set_config('work_mem', '256MB', false);
	LOOP
		SELECT f.tbl, f.name INTO r FROM bench.saved_fks f WHERE NOT f.validated
		 ORDER BY pg_relation_size(f.tbl::regclass) DESC, f.name
		 LIMIT 1 FOR UPDATE SKIP LOCKED;
		EXIT WHEN NOT FOUND;
		EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', r.tbl, r.name);
		UPDATE bench.saved_fks SET validated = true WHERE tbl = r.tbl AND name = r.name;
		COMMIT;
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

-- Pipelines as the admin sets them up: new business (five open stages, won,
-- lost) and renewals of existing customers.
INSERT INTO crm.pipelines (org_id, name, created_by, updated_by)
SELECT :'org', p, u.id, u.id FROM unnest(ARRAY['فروش سازمانی', 'تمدید قرارداد']) p, bench.users u WHERE u.n = 1;
INSERT INTO crm.stages (org_id, pipeline_id, name, position, probability, kind, rotting_days, created_by, updated_by)
SELECT :'org', pl.id, s.name, s.position, s.probability, s.kind, s.rotting_days, u.id, u.id
  FROM (VALUES ('فروش سازمانی', 0, 'سرنخ جدید', 10, 'open', 14),
               ('فروش سازمانی', 1, 'نیازسنجی', 25, 'open', 14),
               ('فروش سازمانی', 2, 'ارسال پیش‌فاکتور', 50, 'open', 21),
               ('فروش سازمانی', 3, 'مذاکره', 70, 'open', 21),
               ('فروش سازمانی', 4, 'عقد قرارداد', 90, 'open', 30),
               ('فروش سازمانی', 5, 'برنده شد', 100, 'won', NULL),
               ('فروش سازمانی', 6, 'از دست رفت', 0, 'lost', NULL),
               ('تمدید قرارداد', 0, 'سررسید تمدید', 40, 'open', 30),
               ('تمدید قرارداد', 1, 'پیشنهاد تمدید', 70, 'open', 21),
               ('تمدید قرارداد', 2, 'تمدید شد', 100, 'won', NULL),
               ('تمدید قرارداد', 3, 'لغو شد', 0, 'lost', NULL)) s(pipeline, position, name, probability, kind, rotting_days)
  JOIN crm.pipelines pl ON pl.org_id = :'org' AND pl.name = s.pipeline
  JOIN bench.users u ON u.n = 1;
-- Paths (stage positions) and their weight in 100: most leads stall or are
-- lost early, a few go back a stage or skip one; 1 to 5 stages each.
INSERT INTO bench.deal_paths
SELECT v.pipeline, (row_number() OVER (PARTITION BY v.pipeline ORDER BY v.k, g) - 1)::int, pl.id,
       ARRAY(SELECT s.id FROM unnest(v.positions) WITH ORDINALITY p(pos, j)
               JOIN crm.stages s ON s.org_id = pl.org_id AND s.pipeline_id = pl.id AND s.position = p.pos ORDER BY p.j),
       (SELECT s.kind FROM crm.stages s WHERE s.org_id = pl.org_id AND s.pipeline_id = pl.id
                                          AND s.position = v.positions[cardinality(v.positions)])
  FROM (VALUES (1, 1, 16, '{0}'::int[]), (1, 2, 9, '{0,1}'), (1, 3, 6, '{0,1,2}'), (1, 4, 3, '{0,1,2,3}'),
               (1, 5, 1, '{0,1,2,3,4}'), (1, 6, 2, '{1}'), (1, 7, 1, '{0,2,1}'),
               (1, 8, 4, '{0,1,2,5}'), (1, 9, 3, '{0,1,2,3,5}'), (1, 10, 1, '{0,2,3,4,5}'), (1, 11, 1, '{1,2,3,5}'),
               (1, 12, 3, '{0,5}'), (1, 13, 2, '{2,5}'),
               (1, 14, 26, '{0,6}'), (1, 15, 10, '{0,1,6}'), (1, 16, 6, '{0,1,2,6}'), (1, 17, 3, '{0,1,2,3,6}'),
               (1, 18, 1, '{1,6}'), (1, 19, 1, '{0,1,2,1,6}'), (1, 20, 1, '{2,6}'),
               (2, 1, 25, '{0}'), (2, 2, 20, '{0,1}'), (2, 3, 5, '{1}'),
               (2, 4, 30, '{0,1,2}'), (2, 5, 5, '{0,2}'), (2, 6, 10, '{0,1,3}'), (2, 7, 5, '{0,3}')) v(pipeline, k, weight, positions)
  JOIN crm.pipelines pl ON pl.org_id = :'org' AND pl.name = (ARRAY['فروش سازمانی', 'تمدید قرارداد'])[v.pipeline]
 CROSS JOIN generate_series(1, v.weight) g;

-- The support desk's SLA policies: urgent and high in Tehran business hours
-- (Saturday to Wednesday 08:00-12:00 and 13:00-17:00, Thursday 08:00-12:00),
-- normal around the clock, low without a policy.
INSERT INTO crm.sla_policies (org_id, name, priority, first_response_minutes, resolution_minutes, business_hours,
                              created_by, updated_by)
SELECT :'org', v.name, v.priority, v.fr, v.res, v.cal, u.id, u.id
  FROM (VALUES ('فوری', 'urgent', 60, 480, true), ('بالا', 'high', 240, 1440, true),
               ('عادی', 'normal', 480, 4320, false)) v0(name, priority, fr, res, bh)
 CROSS JOIN LATERAL (SELECT v0.name, v0.priority, v0.fr, v0.res,
	CASE WHEN v0.bh THEN jsonb_build_object('time_zone', 'Asia/Tehran',
		'week', jsonb_build_object('sat', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
		                           'sun', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
		                           'mon', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
		                           'tue', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
		                           'wed', '[["08:00","12:00"],["13:00","17:00"]]'::jsonb,
		                           'thu', '[["08:00","12:00"]]'::jsonb),
		'holidays', '["2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23", "2026-04-01", "2026-04-02"]'::jsonb) END) v(name, priority, fr, res, cal)
  JOIN bench.users u ON u.n = 1;

-- The loaders' triggers look rows up by key: planned without statistics,
-- such a lookup can take a partial index on org_id and read the whole
-- organization (run.sh analyzes the companies after their load).
ANALYZE crm.organizations, crm.users, crm.teams, crm.team_members, crm.campaigns, crm.pipelines, crm.stages,
	crm.currencies, crm.sla_policies, bench.users, bench.deal_paths;

-- Every loader session: the bench actor for audit, no commit flush, and no
-- JIT (compiling each chunk's big generator statement costs more than it saves).
CREATE PROCEDURE bench.session()
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('crm.actor_system', 'bench', false);
	PERFORM set_config('synchronous_commit', 'off', false);
	PERFORM set_config('jit', 'off', false);
END $$;

-- Companies n in lo..hi: names, domains, office phones; owners among
-- managers and reps.
CREATE PROCEDURE bench.load_companies(lo int, hi int, chunk int DEFAULT 25000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	owners uuid[] := ARRAY(SELECT id FROM bench.users WHERE n > 1 ORDER BY n);
	a int := lo;
BEGIN
	CALL bench.session();
	WHILE a <= hi LOOP
		INSERT INTO crm.companies (org_id, name, domain, phones, email, city, industry, owner_id, tags, created_at, updated_at)
		SELECT org,
		       bench.pick(ARRAY['پخش', 'صنایع', 'بازرگانی', 'داروسازی', 'شرکة', 'مؤسسة', 'Gulf', 'Caspian', 'نرم‌افزار', 'کاشی'], h)
		         || ' ' || bench.pick(ARRAY['البرز', 'مهرگان', 'پارس', 'سینا', 'النور', 'آریا', 'الكوثر', 'نوین', 'Trading', 'Logistics',
		                                    'ایرانیان', 'رایان', 'زاگرس', 'دماوند', 'الخليج'], h / 10) || ' ' || n,
		       'co' || n || '.example.ir', jsonb_build_array(jsonb_build_object('label', 'office', 'number', '021 ' || (30000000 + n))),
		       'info@co' || n || '.example.ir',
		       bench.pick(ARRAY['تهران', 'اصفهان', 'شیراز', 'مشهد', 'تبریز', 'Dubai', 'کرج', 'قم', 'بغداد'], h / 7),
		       bench.pick(ARRAY['distribution', 'food', 'steel', 'pharma', 'trading', 'software', 'logistics'], h / 3),
		       owners[1 + (h % 199)::int],
		       CASE h % 4 WHEN 0 THEN ARRAY['gold'] WHEN 1 THEN ARRAY['silver'] ELSE '{}' END,
		       now() - (h % 94608000) * interval '1 second', now() - (h % 94608000) * interval '1 second'
		  FROM generate_series(a, least(hi, a + chunk - 1)) n, LATERAL (SELECT abs(hashint4(n))::bigint AS h) r;
		COMMIT;
		a := a + chunk;
	END LOOP;
END $$;

-- Contacts n in lo..hi, `chunk` per transaction. Every row goes through the
-- real triggers (derived phones/search text, phone and e-mail side tables,
-- audit); only the secondary indexes are built afterwards.
CREATE PROCEDURE bench.load_contacts(lo int, hi int, chunk int DEFAULT 25000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	owners uuid[] := ARRAY(SELECT id FROM bench.users WHERE n > 1 ORDER BY n);
	camps uuid[] := ARRAY(SELECT id FROM crm.campaigns WHERE org_id = org ORDER BY name);
	-- company n (bench.company_ids) is comps[n]
	comps uuid[] := ARRAY(SELECT id FROM crm.companies WHERE org_id = org ORDER BY id);
	ncomp int := cardinality(comps);
	a int := lo;
BEGIN
	CALL bench.session();
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
		       CASE WHEN h % 10 < 7 THEN comps[1 + ((h / 17) % ncomp)::int] END,
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
	e int;
	id_lo uuid;
	id_hi uuid;
BEGIN
	CALL bench.session();
	WHILE a <= hi LOOP
		-- Contacts a..e are numbered in id order: one range of the primary key.
		e := least(hi, a + chunk - 1);
		id_lo := (SELECT id FROM bench.contact_ids WHERE n = a);
		id_hi := (SELECT id FROM bench.contact_ids WHERE n = e);
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
		  JOIN crm.contacts c ON c.org_id = org AND c.id = b.id AND c.id BETWEEN id_lo AND id_hi
		 CROSS JOIN generate_series(1, per_contact) k
		 CROSS JOIN LATERAL (SELECT abs(hashint4(b.n * 16 + k))::bigint AS h) r
		 CROSS JOIN LATERAL (SELECT (ARRAY['call', 'call', 'note', 'meeting', 'email', 'sms', 'call'])[1 + (r.h % 7)::int] AS type) t
		 WHERE b.n BETWEEN a AND e;
		COMMIT;
		a := a + chunk;
	END LOOP;
END $$;

-- Deals 1..total (this call: lo..hi) spread evenly over the contacts: deal i
-- belongs to contact 1 + (i - 1) * contacts / total, its company, campaign
-- and owner. A deal is inserted in the first stage of its path and then
-- moved one stage per UPDATE, each setting a back-dated stage_entered_at:
-- crm.deals_stage() keeps a stage_entered_at written with the move, and
-- crm.deals_history_rows() writes each history row (moved_at,
-- seconds_in_previous) from it like for any move, with audit rows and the
-- contact's timeline entry (stamped now()).
CREATE PROCEDURE bench.load_deals(lo int, hi int, total int, chunk int DEFAULT 20000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	ncontacts int := (SELECT count(*) FROM bench.contact_ids);
	a int := lo;
	e int;
	step int;
	id_lo uuid;
	id_hi uuid;
BEGIN
	CALL bench.session();
	-- A chunk is a few rows against all deals (no statistics yet): look
	-- each one up by key rather than hash the whole table at every step.
	PERFORM set_config('enable_hashjoin', 'off', false);
	PERFORM set_config('enable_mergejoin', 'off', false);
	WHILE a <= hi LOOP
		e := least(hi, a + chunk - 1);
		id_lo := (SELECT id FROM bench.contact_ids WHERE n = 1 + ((a - 1)::bigint * ncontacts / total)::int);
		id_hi := (SELECT id FROM bench.contact_ids WHERE n = 1 + ((e - 1)::bigint * ncontacts / total)::int);
		-- The chunk's deals: contact, path through the stages and the moment
		-- of each step. Older deals are more often closed (slots >= 30 hold
		-- fewer open paths); moves spread over up to 40 days per stage.
		CREATE TEMP TABLE deal_chunk AS
		SELECT crm.uuid_v7() AS id, d.i, d.h, c.id AS contact_id, c.company_id, c.campaign_id, c.owner_id,
		       coalesce(co.name, c.display_name) AS who, p.pipeline, p.pipeline_id, p.stage_ids, p.outcome,
		       cardinality(p.stage_ids) AS k, t.created,
		       ARRAY(SELECT t.created + CASE WHEN j = 1 THEN 0
		                                     ELSE t.span * (j - 1 + (abs(hashint4(d.i * 8 + j)) % 1000000) / 1000000.0)
		                                          / cardinality(p.stage_ids) END * interval '1 second'
		               FROM generate_series(1, cardinality(p.stage_ids)) j ORDER BY j) AS moved
		  FROM (SELECT i, abs(hashint4(i # 1431655765))::bigint AS h, 1 + ((i - 1)::bigint * ncontacts / total)::int AS n
		          FROM generate_series(a, e) i) d
		  JOIN bench.contact_ids b ON b.n = d.n
		  JOIN crm.contacts c ON c.org_id = org AND c.id = b.id AND c.id BETWEEN id_lo AND id_hi
		  LEFT JOIN crm.companies co ON co.org_id = org AND co.id = c.company_id
		 CROSS JOIN LATERAL (SELECT greatest(1.0, least(63072000, extract(epoch FROM now() - c.created_at))
		                                          * (0.05 + 0.95 * (d.h / 300 % 1000) / 1000.0)) AS age) g
		  JOIN bench.deal_paths p ON p.pipeline = CASE WHEN c.lifecycle_stage = 'customer' AND d.h % 3 = 0 THEN 2 ELSE 1 END
		                         AND p.slot = CASE WHEN g.age > 120 * 86400 THEN 30 + (d.h / 3) % 70 ELSE (d.h / 3) % 100 END
		 CROSS JOIN LATERAL (SELECT now() - g.age * interval '1 second' AS created,
		                            least(g.age * 0.9, cardinality(p.stage_ids) * 40 * 86400.0) AS span) t;
		ANALYZE deal_chunk;
		INSERT INTO crm.deals (org_id, id, title, amount, currency, pipeline_id, stage_id, expected_close_date, owner_id,
		                       contact_id, company_id, campaign_id, stage_entered_at, notes, created_at, updated_at)
		SELECT org, x.id,
		       CASE WHEN x.pipeline = 2 THEN 'تمدید قرارداد ' || x.who
		            ELSE bench.pick(ARRAY['خرید عمده کاشی', 'نرم‌افزار حسابداری', 'قرارداد پشتیبانی سالانه', 'تجهیزات آزمایشگاهی',
		                                  'ورق فولادی', 'Annual license', 'Fleet tracking', 'قرارداد توزیع', 'مواد اولیه دارویی',
		                                  'صفقة توريد', 'سامانه CRM', 'Spare parts'], x.h / 7) || ' — ' || x.who END,
		       CASE WHEN (x.h / 11) % 25 <> 0 THEN
		            CASE m.currency
		                 WHEN 'IRR' THEN round(50000000 * power(1000, m.u), -6)
		                 WHEN 'IQD' THEN round(1000000 * power(500, m.u), -3)
		                 WHEN 'AED' THEN round(2000 * power(400, m.u), 2)
		                 ELSE round(500 * power(500, m.u), 2) END END,
		       CASE WHEN (x.h / 11) % 25 <> 0 THEN m.currency END,
		       x.pipeline_id, x.stage_ids[1], (x.created + (20 + (x.h / 13) % 100) * interval '1 day')::date, x.owner_id,
		       x.contact_id, x.company_id, x.campaign_id, x.moved[1],
		       CASE WHEN (x.h / 17) % 5 = 0 THEN bench.pick(ARRAY['پیگیری بعد از نمایشگاه', 'مشتری نمونه رایگان خواست',
		                                                         'Decision after board meeting', 'تخفیف ۵٪ پیشنهاد شد'], x.h / 19) END,
		       x.moved[1], x.moved[1]
		  FROM deal_chunk x
		 CROSS JOIN LATERAL (SELECT (ARRAY['IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR', 'IRR',
		                                   'USD', 'USD', 'USD', 'EUR', 'EUR', 'AED', 'AED', 'IQD'])[1 + (x.h / 23) % 20] AS currency,
		                            ((x.h / 29) % 1000) / 1000.0 AS u) m;
		-- One step per transaction: an UPDATE of a row inserted by the same
		-- transaction re-checks every foreign key, not just the stage's.
		COMMIT;
		FOR step IN 2..5 LOOP
			UPDATE crm.deals d
			   SET stage_id = x.stage_ids[step], stage_entered_at = x.moved[step], updated_at = x.moved[step],
			       version = d.version + 1,
			       lost_reason = CASE WHEN step = x.k AND x.outcome = 'lost'
			                          THEN bench.pick(ARRAY['قیمت بالاتر از بودجه', 'انتخاب رقیب', 'عدم پاسخ مشتری', 'پروژه لغو شد',
			                                                'زمان تحویل طولانی', 'No budget this year'], x.h / 31) END
			  FROM deal_chunk x
			 WHERE x.k >= step AND d.org_id = org AND d.id = x.id;
			COMMIT;
		END LOOP;
		DROP TABLE deal_chunk;
		a := a + chunk;
	END LOOP;
END $$;

-- Tickets 1..total (lo..hi of them), spread over the contacts in order and
-- assigned to the contact's owner, opened up to a year ago. Every fifth is
-- still new or open, one in ten pending, the rest resolved (and most of
-- those closed); their SLA fields are what the API would have set (the
-- policy of their priority, clocks in its calendar). Each has the
-- customer's message, the resolved and pending ones an agent's reply and
-- a closing reply; every third resolved ticket has a rating.
CREATE PROCEDURE bench.load_tickets(lo int, hi int, total int, chunk int DEFAULT 20000)
LANGUAGE plpgsql AS $$
DECLARE
	org uuid := (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
	ncontacts int := (SELECT count(*) FROM bench.contact_ids);
	a int := lo;
	e int;
BEGIN
	CALL bench.session();
	PERFORM set_config('enable_hashjoin', 'off', false);
	PERFORM set_config('enable_mergejoin', 'off', false);
	WHILE a <= hi LOOP
		e := least(hi, a + chunk - 1);
		CREATE TEMP TABLE ticket_chunk AS
		SELECT x.*, s.id AS policy_id, s.business_hours AS cal, s.first_response_minutes * 60 AS fr_s,
		       s.resolution_minutes * 60 AS res_s,
		       least(now(), x.created + (5 + x.h % 600) * interval '1 minute') AS answered,
		       least(now(), x.created + (5 + x.h % 600) * interval '1 minute' + (1 + x.h / 7 % 200) * interval '1 hour') AS settled
		  FROM (SELECT d.i, d.h, crm.uuid_v7() AS id, c.id AS contact_id, c.company_id, c.owner_id,
		               (ARRAY['urgent', 'high', 'high', 'normal', 'normal', 'normal', 'normal', 'low'])[1 + d.h % 8] AS priority,
		               CASE WHEN d.h / 8 % 10 < 1 THEN 'new' WHEN d.h / 8 % 10 < 2 THEN 'open' WHEN d.h / 8 % 10 < 3 THEN 'pending'
		                    WHEN d.h / 8 % 10 < 5 THEN 'resolved' ELSE 'closed' END AS status,
		               now() - (60 + d.h / 80 % 31536000) * interval '1 second' AS created
		          FROM (SELECT i, abs(hashint4(i # 715827882))::bigint AS h FROM generate_series(a, e) i) d
		          JOIN bench.contact_ids b ON b.n = 1 + ((d.i - 1)::bigint * ncontacts / total)::int
		          JOIN crm.contacts c ON c.org_id = org AND c.id = b.id) x
		  LEFT JOIN crm.sla_policies s ON s.org_id = org AND s.priority = x.priority AND s.deleted_at IS NULL;
		INSERT INTO crm.tickets (org_id, id, number, subject, description, contact_id, company_id, channel, status, priority,
		                         type, assignee_id, tags, sla_policy_id, sla_calendar, sla_first_response_s, sla_resolution_s,
		                         first_response_due_at, first_response_at, resolution_due_at, resolution_clock_at,
		                         resolution_used_s, resolution_breached, resolved_at, closed_at, created_at, updated_at)
		SELECT org, t.id, t.i,
		       bench.pick(ARRAY['قطعی اینترنت', 'فاکتور اشتباه', 'کارت‌خوان کار نمی‌کند', 'تأخیر در ارسال سفارش',
		                        'Refund request', 'درخواست نصب', 'رمز عبور پنل', 'How do I export invoices?',
		                        'پیامک تأیید نمی‌رسد', 'تمدید گارانتی', 'مشكلة في الفاتورة', 'Upgrade the plan'], t.h / 3),
		       CASE WHEN t.h % 4 = 0 THEN 'مشتری تماس گرفت و گفت مشکل از صبح شروع شده است.' END,
		       t.contact_id, t.company_id,
		       (ARRAY['phone', 'sms', 'email', 'web', 'in_person', 'social', 'api'])[1 + t.h / 11 % 7], t.status, t.priority,
		       (ARRAY['question', 'problem', 'incident', 'request'])[1 + t.h / 13 % 4], t.owner_id,
		       CASE WHEN t.h / 17 % 10 = 0 THEN ARRAY['VIP'] ELSE '{}' END,
		       t.policy_id, t.cal, t.fr_s, t.res_s,
		       crm.sla_add(t.created, t.fr_s, t.cal),
		       CASE WHEN t.status <> 'new' THEN t.answered END,
		       CASE WHEN t.status IN ('new', 'open') THEN crm.sla_add(t.created, t.res_s, t.cal) END,
		       CASE WHEN t.status IN ('new', 'open') THEN t.created END,
		       CASE WHEN t.status IN ('new', 'open') OR t.policy_id IS NULL THEN 0
		            ELSE crm.sla_between(t.created, t.settled, t.cal) END,
		       coalesce(t.status IN ('pending', 'resolved', 'closed') AND t.settled > crm.sla_add(t.created, t.res_s, t.cal), false),
		       CASE WHEN t.status IN ('resolved', 'closed') THEN t.settled END,
		       CASE WHEN t.status = 'closed' THEN least(now(), t.settled + interval '2 days') END,
		       t.created, CASE WHEN t.status IN ('new', 'open') THEN t.created ELSE least(now(), t.settled) END
		  FROM ticket_chunk t;
		INSERT INTO crm.ticket_comments (org_id, ticket_id, public, body, author_user_id, author_contact_id, created_by, created_at)
		SELECT org, t.id, true, v.body, v.agent, v.customer, v.agent, v.at
		  FROM ticket_chunk t
		 CROSS JOIN LATERAL (VALUES
		        ('سلام، ' || bench.pick(ARRAY['از دیروز مشکل دارم.', 'لطفاً پیگیری کنید.', 'Please help.'], t.h / 5), NULL::uuid, t.contact_id, t.created, true),
		        ('درخواست شما ثبت شد و در حال بررسی است.', t.owner_id, NULL, t.answered, t.status <> 'new'),
		        ('مشکل برطرف شد؛ اگر سؤالی بود در خدمتیم.', t.owner_id, NULL, t.settled, t.status IN ('resolved', 'closed'))
		        ) v(body, agent, customer, at, wanted)
		 WHERE v.wanted;
		INSERT INTO crm.ticket_ratings (org_id, ticket_id, resolution, rating, created_by, created_at)
		SELECT org, t.id, 0, 1 + t.h / 19 % 5, t.owner_id, least(now(), t.settled + interval '1 hour')
		  FROM ticket_chunk t WHERE t.status IN ('resolved', 'closed') AND t.h / 23 % 3 = 0;
		COMMIT;
		DROP TABLE ticket_chunk;
		a := a + chunk;
	END LOOP;
END $$;

-- Secondary indexes of the loaded tables, the side tables' and audit_log's
-- included: nothing reads them during the load (the key-sync trigger deletes
-- side rows by contact only on UPDATE since 0010). audit_log's actor indexes
-- stay: no bench row has an actor user or key, so they cost nothing now but
-- a full scan each to rebuild.
SELECT bench.drop_indexes(t::regclass, ARRAY['audit_log__actor_user__ix', 'audit_log__actor_key__ix'])
  FROM unnest(ARRAY['crm.companies', 'crm.contacts', 'crm.contact_phones', 'crm.contact_emails', 'crm.activities',
                    'crm.deals', 'crm.deal_stage_history', 'crm.tickets', 'crm.ticket_comments', 'crm.audit_log']) t
 WHERE to_regclass(t) IS NOT NULL;
SELECT bench.drop_fks(t::regclass)
  FROM unnest(ARRAY['crm.companies', 'crm.contacts', 'crm.contact_phones', 'crm.contact_emails', 'crm.activities',
                    'crm.deals', 'crm.deal_stage_history', 'crm.tickets', 'crm.ticket_comments']) t
 WHERE to_regclass(t) IS NOT NULL;
