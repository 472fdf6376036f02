-- sql/crm/sla.sql: service-level clocks: adding working time to an instant
-- and measuring the working time between two, in a calendar of business
-- hours or around the clock.
--
-- A calendar (an SLA policy's "business_hours"; NULL = 24x7):
--   {"time_zone": "Asia/Tehran",
--    "week": {"sat": [["08:00","12:00"], ["13:00","17:00"]], …, "thu": [["08:00","12:00"]]},
--    "holidays": ["2027-03-21", …]}
-- Any set of days, several intervals a day ("HH:MM", end up to "24:00",
-- local time of the zone); a day with no member (Friday here) is off, and a
-- holiday is off all day. Targets are counted in seconds of working time.

-- The working intervals of local day d, as instants, in order.
CREATE FUNCTION crm.sla_day(cal jsonb, d date) RETURNS TABLE (lo timestamptz, hi timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT (d + (iv->>0)::interval) AT TIME ZONE (cal->>'time_zone'),
	       (d + (iv->>1)::interval) AT TIME ZONE (cal->>'time_zone')
	  FROM jsonb_array_elements(coalesce(
	           cal->'week'->((ARRAY['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])[extract(dow FROM d)::int + 1]),
	           '[]')) iv
	 WHERE NOT coalesce(cal->'holidays', '[]') ? to_char(d, 'YYYY-MM-DD')
	 ORDER BY 1
$$;

-- The instant at which `secs` seconds of working time have passed since
-- `start` (start itself when secs <= 0).
CREATE FUNCTION crm.sla_add(start timestamptz, secs numeric, cal jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
	left_s numeric := secs;
	d date;
	w record;
	lo timestamptz;
	span numeric;
BEGIN
	IF start IS NULL OR secs IS NULL THEN RETURN NULL; END IF;
	IF cal IS NULL THEN RETURN start + secs * interval '1 second'; END IF;
	IF secs <= 0 THEN RETURN start; END IF;
	d := (start AT TIME ZONE (cal->>'time_zone'))::date;
	-- Ten years: crm.sla_calendar_check makes sure a week has working time,
	-- so only a calendar of holidays alone could run out.
	FOR i IN 0..3660 LOOP
		FOR w IN SELECT * FROM crm.sla_day(cal, d + i) LOOP
			lo := greatest(w.lo, start);
			CONTINUE WHEN w.hi <= lo;
			span := extract(epoch FROM w.hi - lo);
			IF left_s <= span THEN
				RETURN lo + left_s * interval '1 second';
			END IF;
			left_s := left_s - span;
		END LOOP;
	END LOOP;
	RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'SLA calendar has no working time within ten years';
END $$;

-- Seconds of working time from a to b (0 when b <= a).
CREATE FUNCTION crm.sla_between(a timestamptz, b timestamptz, cal jsonb) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
	total numeric := 0;
	d date;
	w record;
BEGIN
	IF a IS NULL OR b IS NULL THEN RETURN NULL; END IF;
	IF b <= a THEN RETURN 0; END IF;
	IF cal IS NULL THEN RETURN extract(epoch FROM b - a); END IF;
	d := (a AT TIME ZONE (cal->>'time_zone'))::date;
	WHILE d <= (b AT TIME ZONE (cal->>'time_zone'))::date LOOP
		FOR w IN SELECT * FROM crm.sla_day(cal, d) LOOP
			IF least(w.hi, b) > greatest(w.lo, a) THEN
				total := total + extract(epoch FROM least(w.hi, b) - greatest(w.lo, a));
			END IF;
		END LOOP;
		d := d + 1;
	END LOOP;
	RETURN total;
END $$;

-- A calendar as given by a client (field names the member for a 422):
-- a known time zone, a week of day -> [[start, end], …] with start < end,
-- ascending and not overlapping, at least one working interval, holidays
-- as dates. Returns the calendar with the week's days in a stable form.
CREATE FUNCTION crm.sla_calendar_check(cal jsonb, field text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	day text;
	iv jsonb;
	prev_end interval;
	s interval;
	e interval;
	n int := 0;
	h jsonb;
BEGIN
	IF cal IS NULL OR cal = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(cal) <> 'object' THEN
		PERFORM crm.raise_validation(field, 'invalid_type', 'must be an object or null');
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_object_keys(cal) k WHERE k NOT IN ('time_zone', 'week', 'holidays')) THEN
		PERFORM crm.raise_validation(field, 'unknown_member', 'has members other than time_zone, week and holidays');
	END IF;
	IF jsonb_typeof(cal->'time_zone') IS DISTINCT FROM 'string'
	   OR NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = cal->>'time_zone') THEN
		PERFORM crm.raise_validation(field || '.time_zone', 'invalid_value', 'must be an IANA time zone name');
	END IF;
	IF jsonb_typeof(cal->'week') IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation(field || '.week', 'required', 'must be an object of days');
	END IF;
	FOR day IN SELECT jsonb_object_keys(cal->'week') LOOP
		IF day NOT IN ('sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri') THEN
			PERFORM crm.raise_validation(field || '.week.' || day, 'unknown_member', 'days are sat, sun, mon, tue, wed, thu, fri');
		END IF;
		IF jsonb_typeof(cal->'week'->day) <> 'array' THEN
			PERFORM crm.raise_validation(field || '.week.' || day, 'invalid_type', 'must be an array of [start, end]');
		END IF;
		prev_end := NULL;
		FOR iv IN SELECT jsonb_array_elements(cal->'week'->day) LOOP
			IF jsonb_typeof(iv) <> 'array' OR jsonb_array_length(iv) <> 2
			   OR NOT coalesce(iv->>0 ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$', false)
			   OR NOT coalesce(iv->>1 ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', false) THEN
				PERFORM crm.raise_validation(field || '.week.' || day, 'invalid_format', 'each interval is ["HH:MM", "HH:MM"]');
			END IF;
			s := (iv->>0)::interval;
			e := (iv->>1)::interval;
			IF e <= s OR s < prev_end THEN
				PERFORM crm.raise_validation(field || '.week.' || day, 'invalid_value',
					'intervals must end after they start, in order, without overlap');
			END IF;
			prev_end := e;
			n := n + 1;
		END LOOP;
	END LOOP;
	IF n = 0 THEN
		PERFORM crm.raise_validation(field || '.week', 'invalid_value', 'needs at least one working interval');
	END IF;
	IF cal ? 'holidays' THEN
		IF jsonb_typeof(cal->'holidays') <> 'array' THEN
			PERFORM crm.raise_validation(field || '.holidays', 'invalid_type', 'must be an array of dates');
		END IF;
		FOR h IN SELECT jsonb_array_elements(cal->'holidays') LOOP
			IF jsonb_typeof(h) <> 'string' OR NOT crm.is_date(h #>> '{}') THEN
				PERFORM crm.raise_validation(field || '.holidays', 'invalid_format', 'each holiday is a date YYYY-MM-DD');
			END IF;
		END LOOP;
	END IF;
	RETURN jsonb_build_object('time_zone', cal->'time_zone', 'week', cal->'week',
		'holidays', coalesce((SELECT jsonb_agg(DISTINCT x ORDER BY x) FROM jsonb_array_elements_text(cal->'holidays') x), '[]'));
END $$;
