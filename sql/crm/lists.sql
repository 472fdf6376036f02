-- sql/crm/lists.sql: Lists: page size, keyset cursors, sort columns and fields= projection.

-- Page size: default 50, clamped to 1..200.
CREATE FUNCTION crm.page_limit(args jsonb) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT greatest(1, least(200, coalesce(crm.arg_int(args, 'limit'), 50)))
$$;

-- Opaque keyset cursor: unpadded base64url of a small JSON object.
CREATE FUNCTION crm.cursor_encode(c jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(encode(convert_to(c::text, 'UTF8'), 'base64'), E'+/=\n', '-_')
$$;

-- Decodes a cursor; CR400 on garbage or on a cursor made for another sort.
CREATE FUNCTION crm.cursor_decode(cursor text, sort text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	b64 text;
	c jsonb;
BEGIN
	IF cursor IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		b64 := translate(cursor, '-_', '+/');
		b64 := b64 || repeat('=', (4 - length(b64) % 4) % 4);
		c := convert_from(decode(b64, 'base64'), 'UTF8')::jsonb;
	EXCEPTION WHEN others THEN
		c := NULL;
	END;
	IF c IS NULL OR jsonb_typeof(c) <> 'object' OR (sort IS NOT NULL AND c->>'s' IS DISTINCT FROM sort) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR400', MESSAGE = 'invalid cursor';
	END IF;
	RETURN c;
END $$;

-- Keeps only the requested top-level members (and always "id").
CREATE FUNCTION crm.project(obj jsonb, fields text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF fields IS NULL THEN
		RETURN obj;
	END IF;
	RETURN coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(obj) e
	                  WHERE e.key = 'id' OR e.key = ANY (fields)), '{}');
END $$;

CREATE FUNCTION crm.bad_cursor() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CR400', MESSAGE = 'invalid cursor';
END $$;

-- Checks a decoded keyset cursor {s, k, id}: k must parse as keytype.
CREATE FUNCTION crm.check_cursor(cur jsonb, keytype text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF cur IS NULL THEN RETURN; END IF;
	PERFORM (cur->>'id')::uuid;
	IF cur->>'id' IS NULL OR cur->>'k' IS NULL THEN PERFORM crm.bad_cursor(); END IF;
	IF keytype = 'timestamptz' THEN PERFORM (cur->>'k')::timestamptz; END IF;
EXCEPTION WHEN others THEN
	PERFORM crm.bad_cursor();
END $$;

-- Splits "-name" into column "name" and direction; only listed columns pass.
CREATE FUNCTION crm.sort_column(sort text, allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF NOT ltrim(sort, '-') = ANY (allowed) OR sort LIKE '--%' THEN
		RAISE EXCEPTION USING ERRCODE = 'CR400', MESSAGE = 'invalid sort';
	END IF;
	RETURN ltrim(sort, '-');
END $$;

-- Each element of a JSON array reduced to fields (NULL = all, unchanged).
CREATE FUNCTION crm.project_each(arr json, fields text[]) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF fields IS NULL THEN
		RETURN arr;
	END IF;
	RETURN (SELECT coalesce(json_agg(crm.project(x.e, fields) ORDER BY x.n), '[]')
	          FROM jsonb_array_elements(arr::jsonb) WITH ORDINALITY x(e, n));
END $$;
