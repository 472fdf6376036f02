-- sql/crm/replies.sql: Replies and refusals: api.reply rows, problem documents, the SQLSTATEs the
-- server maps to HTTP statuses, If-Match and duplicate answers.

-- Raises a 422 naming one field; DETAIL is the JSON error list.
CREATE FUNCTION crm.raise_validation(field text, code text, message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CR422', MESSAGE = 'validation failed',
		DETAIL = jsonb_build_array(jsonb_build_object('field', field, 'code', code, 'message', message))::text;
END $$;

CREATE FUNCTION crm.problem(ctx jsonb, status int, detail text, extra jsonb DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT (jsonb_build_object(
		'type', 'urn:crm:problem:' || CASE status
			WHEN 400 THEN 'bad-request' WHEN 401 THEN 'unauthorized' WHEN 403 THEN 'forbidden'
			WHEN 404 THEN 'not-found' WHEN 409 THEN 'conflict' WHEN 412 THEN 'precondition-failed'
			WHEN 422 THEN 'validation' WHEN 429 THEN 'too-many-requests' ELSE 'internal' END,
		'title', CASE status
			WHEN 400 THEN 'Bad Request' WHEN 401 THEN 'Unauthorized' WHEN 403 THEN 'Forbidden'
			WHEN 404 THEN 'Not Found' WHEN 409 THEN 'Conflict' WHEN 412 THEN 'Precondition Failed'
			WHEN 422 THEN 'Unprocessable Content' WHEN 429 THEN 'Too Many Requests'
			ELSE 'Internal Server Error' END,
		'status', status,
		'detail', detail,
		'instance', ctx->>'request_id') || coalesce(extra, '{}'))::text
$$;

CREATE FUNCTION crm.not_found() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CR404', MESSAGE = 'not found';
END $$;

-- If-Match (args.if_match, a version; absent = no condition) names a
-- version other than the record's: the write must answer 412.
CREATE FUNCTION crm.if_match_fails(args jsonb, version int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(crm.arg_int(args, 'if_match') <> version, false)
$$;

CREATE FUNCTION crm.reply(status int, body jsonb DEFAULT NULL, version int DEFAULT NULL,
                                     location text DEFAULT NULL) RETURNS api.reply
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN ROW(status, body::text, '"' || version || '"', location)::api.reply;
END $$;

-- A returned (not raised) 412 carrying the current record.
CREATE FUNCTION crm.stale(ctx jsonb, current jsonb, version int) RETURNS api.reply
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT ROW(412, crm.problem(ctx, 412, 'the record was changed by someone else (If-Match is stale)',
		                            jsonb_build_object('current', current)),
		           '"' || version || '"', NULL)::api.reply
	);
END
$$;

-- The 409 reply for a duplicate (returned, not raised).
CREATE FUNCTION crm.duplicate_reply(ctx jsonb, existing uuid, field text, visible boolean) RETURNS api.reply
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT ROW(409, crm.problem(ctx, 409,
			'a contact with this ' || CASE field WHEN 'phones' THEN 'phone number' ELSE 'e-mail address' END
			|| ' already exists (send allow_duplicate: true to keep both)',
			CASE WHEN visible THEN jsonb_build_object('existing_id', existing) ELSE '{}' END
			|| jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('field', field, 'code', 'duplicate',
			       'message', 'already on another contact')))), NULL, NULL)::api.reply
	);
END
$$;

-- crm.reply for a body built as json (text) rather than jsonb: a page of
-- fifty records is appended as text instead of re-encoded as jsonb.
CREATE FUNCTION crm.reply_json(status int, body json, version int DEFAULT NULL, location text DEFAULT NULL)
RETURNS api.reply
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN ROW(status, body::text, '"' || version || '"', location)::api.reply;
END $$;

-- Raises sqlstate with message; typed text so that it can stand where a
-- value is expected (a CASE branch) in a single statement.
CREATE FUNCTION crm.refuse(sqlstate text, message text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
END $$;
