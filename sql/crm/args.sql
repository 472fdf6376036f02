-- sql/crm/args.sql: Reading and checking an operation's args (jsonb from the server): typed
-- getters that raise CR422 naming the field, and parsers of nested members.

CREATE FUNCTION crm.arg_uuid(args jsonb, field text) RETURNS uuid
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::uuid;
EXCEPTION WHEN invalid_text_representation THEN
	PERFORM crm.raise_validation(field, 'format', 'must be a UUID');
END $$;

CREATE FUNCTION crm.arg_bool(args jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	CASE jsonb_typeof(args->field)
	WHEN 'boolean' THEN RETURN (args->field)::boolean;
	WHEN 'null' THEN RETURN NULL;
	ELSE
		IF args->field IS NULL THEN RETURN NULL; END IF;
		PERFORM crm.raise_validation(field, 'type', 'must be a boolean');
	END CASE;
END $$;

CREATE FUNCTION crm.arg_int(args jsonb, field text) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::int;
EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
	PERFORM crm.raise_validation(field, 'type', 'must be an integer');
END $$;

CREATE FUNCTION crm.arg_ts(args jsonb, field text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::timestamptz;
EXCEPTION WHEN others THEN
	PERFORM crm.raise_validation(field, 'format', 'must be an RFC 3339 timestamp');
END $$;

CREATE FUNCTION crm.arg_text_array(args jsonb, field text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(args->field) <> 'array'
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(args->field) e WHERE jsonb_typeof(e) <> 'string') THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of strings');
	END IF;
	RETURN ARRAY(SELECT jsonb_array_elements_text(args->field));
END $$;

-- refresh_ttl: seconds (number) or an interval string.
CREATE FUNCTION crm.arg_interval(args jsonb, field text) RETURNS interval
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v interval;
BEGIN
	BEGIN
		v := CASE jsonb_typeof(args->field)
			WHEN 'number' THEN (args->>field)::numeric * interval '1 second'
			WHEN 'string' THEN (args->>field)::interval END;
	EXCEPTION WHEN others THEN
		v := NULL;
	END;
	IF v IS NULL OR v <= interval '0' THEN
		PERFORM crm.raise_validation(field, 'type', 'must be a positive number of seconds');
	END IF;
	RETURN v;
END $$;

-- RFC 7396 JSON merge patch.
CREATE FUNCTION crm.merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT CASE
			WHEN patch IS NULL THEN target
			WHEN jsonb_typeof(patch) <> 'object' THEN patch
			ELSE (SELECT coalesce(jsonb_object_agg(k, v), '{}')
			        FROM (SELECT k, CASE WHEN patch ? k
			                             THEN crm.merge_patch(CASE WHEN jsonb_typeof(target) = 'object' THEN target->k END, patch->k)
			                             ELSE target->k END AS v
			                FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}' END) AS k
			                      UNION SELECT jsonb_object_keys(patch)) ks) x
			       WHERE v IS NOT NULL AND jsonb_typeof(v) <> 'null')
		END
	);
END
$$;

-- Optional string member: NULL when absent or null; 422 when not a string or too long.
CREATE FUNCTION crm.arg_text(args jsonb, field text, maxlen int DEFAULT 2000, label text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v text;
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'type', 'must be a string');
	END IF;
	v := btrim(args->>field);
	IF length(v) > maxlen THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'too_long', format('at most %s characters', maxlen));
	END IF;
	RETURN nullif(v, '');
END $$;

CREATE FUNCTION crm.arg_date(args jsonb, field text, label text DEFAULT NULL) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' OR args->>field !~ '^\d{4}-\d\d-\d\d$' THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'format', 'must be a date YYYY-MM-DD');
	END IF;
	RETURN (args->>field)::date;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
	PERFORM crm.raise_validation(coalesce(label, field), 'format', 'must be a date YYYY-MM-DD');
END $$;

-- A member that must be one of a list.
CREATE FUNCTION crm.arg_enum(args jsonb, field text, allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' OR NOT (args->>field) = ANY (allowed) THEN
		PERFORM crm.raise_validation(field, 'invalid', 'must be one of ' || array_to_string(allowed, ', '));
	END IF;
	RETURN args->>field;
END $$;

-- Phones: [{label?, number}] (a plain string is taken as the number); adds
-- key, drops repeats of a key. 422 names phones.<i>.number.
CREATE FUNCTION crm.parse_phones(v jsonb, cc text, field text DEFAULT 'phones') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out jsonb := '[]';
	keys text[] := '{}';
	e jsonb;
	i int := 0;
	num text;
	lab text;
	k text;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '[]'; END IF;
	IF jsonb_typeof(v) <> 'array' THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of phone objects');
	END IF;
	IF jsonb_array_length(v) > 20 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 20 phone numbers');
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
		IF jsonb_typeof(e) = 'string' THEN e := jsonb_build_object('number', e); END IF;
		IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'number') IS DISTINCT FROM 'string' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].number', 'required', 'number is required');
		END IF;
		num := crm.arg_text(e, 'number', 50, field || '[' || i || '].number');
		lab := crm.arg_text(e, 'label', 50, field || '[' || i || '].label');
		k := crm.phone_key(num, cc);
		IF k IS NULL THEN
			PERFORM crm.raise_validation(field || '[' || i || '].number', 'format', 'not a phone number');
		END IF;
		IF NOT k = ANY (keys) THEN
			keys := keys || k;
			out := out || jsonb_build_array(jsonb_build_object('label', lab, 'number', num, 'key', k));
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

-- E-mails: [{label?, address}] (or plain strings), lower-cased, repeats dropped.
CREATE FUNCTION crm.parse_emails(v jsonb, field text DEFAULT 'emails') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out jsonb := '[]';
	seen text[] := '{}';
	e jsonb;
	i int := 0;
	addr text;
	lab text;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '[]'; END IF;
	IF jsonb_typeof(v) <> 'array' THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of e-mail objects');
	END IF;
	IF jsonb_array_length(v) > 20 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 20 e-mail addresses');
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
		IF jsonb_typeof(e) = 'string' THEN e := jsonb_build_object('address', e); END IF;
		IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'address') IS DISTINCT FROM 'string' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].address', 'required', 'address is required');
		END IF;
		addr := lower(crm.arg_text(e, 'address', 254, field || '[' || i || '].address'));
		lab := crm.arg_text(e, 'label', 50, field || '[' || i || '].label');
		IF addr IS NULL OR addr !~ '^[^@\s]+@[^@\s]+$' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].address', 'format', 'not an e-mail address');
		END IF;
		IF NOT addr = ANY (seen) THEN
			seen := seen || addr;
			out := out || jsonb_build_array(jsonb_build_object('label', lab, 'address', addr));
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

-- Tags: strings, trimmed, stored as given; 1..50 characters once folded;
-- repeats (by folded form) dropped.
CREATE FUNCTION crm.parse_tags(v jsonb, field text DEFAULT 'tags') RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out text[] := '{}';
	keys text[] := '{}';
	t text;
	i int := 0;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '{}'; END IF;
	IF jsonb_typeof(v) <> 'array' OR EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) <> 'string') THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of strings');
	END IF;
	IF jsonb_array_length(v) > 50 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 50 tags');
	END IF;
	FOR t IN SELECT regexp_replace(btrim(x), '\s+', ' ', 'g') FROM jsonb_array_elements_text(v) x LOOP
		IF length(crm.fold(t)) NOT BETWEEN 1 AND 50 THEN
			PERFORM crm.raise_validation(field || '[' || i || ']', 'length', 'a tag has 1 to 50 characters');
		END IF;
		IF NOT crm.fold(t) = ANY (keys) THEN
			keys := keys || crm.fold(t);
			out := out || t;
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

CREATE FUNCTION crm.parse_choices(v jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c text[];
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN NULL; END IF;
	c := crm.arg_text_array(jsonb_build_object('choices', v), 'choices');
	IF cardinality(c) = 0 OR cardinality(c) > 200
	   OR EXISTS (SELECT 1 FROM unnest(c) x WHERE length(btrim(x)) NOT BETWEEN 1 AND 200)
	   OR cardinality(c) <> (SELECT count(DISTINCT x) FROM unnest(c) x) THEN
		PERFORM crm.raise_validation('choices', 'invalid', '1 to 200 distinct non-empty strings');
	END IF;
	RETURN c;
END $$;

-- A money member: decimal string or JSON number, >= 0, at most 2 decimals.
CREATE FUNCTION crm.arg_money(args jsonb, field text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) NOT IN ('string', 'number') OR (args->>field) !~ '^\s*\d{1,16}(\.\d{1,2})?\s*$' THEN
		PERFORM crm.raise_validation(field, 'format', 'a non-negative decimal with at most 2 decimals, e.g. "1250.50"');
	END IF;
	RETURN (args->>field)::numeric(18,2);
END $$;
