-- sql/crm/text.sql: Small pure helpers on text, times and phone numbers.

-- RFC 3339 UTC with microseconds, the one time format of every response.
CREATE FUNCTION crm.ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Safe casts for untrusted jsonb members. Ids that do not parse simply match
-- nothing (404); values to be stored raise a 422 naming the field.
-- A regex instead of an exception block: this runs on every request (crm.begin).
CREATE FUNCTION crm.try_uuid(v text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v ~ '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$'
	            THEN v::uuid END
$$;

-- ILIKE pattern matching s literally anywhere.
CREATE FUNCTION crm.like_pattern(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT '%' || replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

CREATE FUNCTION crm.try_inet(v text) RETURNS inet
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN v::inet;
EXCEPTION WHEN others THEN
	RETURN NULL;
END $$;

-- Only the digit folding (for phone numbers).
CREATE FUNCTION crm.fold_digits(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT translate(s,
		U&'\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\FF0B',
		'01234567890123456789+')
$$;

-- Written as simple PL/pgSQL expressions, which run without the executor
-- (24 µs as one SQL statement -> a few): it runs for every phone of every
-- written contact and every caller lookup.
CREATE FUNCTION crm.phone_key(number text, default_cc text DEFAULT '98') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	f text := crm.fold_digits(number);
	d text := regexp_replace(f, '[^0-9]', '', 'g');
BEGIN
	IF number IS NULL OR length(d) < 5 THEN
		RETURN NULL;
	ELSIF f ~ '^[^0-9]*\+' THEN
		RETURN d;
	ELSIF d LIKE '00%' THEN
		RETURN nullif(substr(d, 3), '');
	ELSIF d LIKE '0%' THEN
		RETURN coalesce(default_cc, '98') || substr(d, 2);
	ELSIF length(d) <= 10 THEN
		RETURN coalesce(default_cc, '98') || d;
	END IF;
	RETURN d;
END $$;

-- Digits only (the raw number as typed, for substring search).
CREATE FUNCTION crm.digits(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT regexp_replace(crm.fold_digits(s), '[^0-9]', '', 'g')
$$;

CREATE FUNCTION crm.is_date(s text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN s ~ '^\d{4}-\d\d-\d\d$' AND s::date IS NOT NULL;
EXCEPTION WHEN others THEN
	RETURN false;
END $$;

CREATE FUNCTION crm.fold_tags(tags text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT coalesce(array_agg(DISTINCT crm.fold(t)), '{}') FROM unnest(tags) t
	);
END
$$;
