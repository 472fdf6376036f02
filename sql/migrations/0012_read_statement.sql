-- 0012_read_statement: a contact read and a caller lookup are one planned
-- statement each.
--
-- Measured on the bench dataset (1M contacts), a contact read spent inside
-- PostgreSQL ~27 µs resolving the caller (crm.begin, with five set_config
-- calls a read never needs: only writes' audit rows read them), ~14 µs
-- finding the row, ~57 µs building its JSON in a nested function and ~35 µs
-- entering and leaving PL/pgSQL functions; a lookup ~270 µs. Both api
-- functions are now set-returning SQL functions that the planner inlines
-- into the server's prepared "SELECT … FROM api.<op>($1, $2)": caller,
-- visibility, rows, joins and JSON are planned once per connection and run
-- as one plan (read: 175 -> ~95 µs).
SET ROLE crm_owner;

-- Raises sqlstate with message; typed text so that it can stand where a
-- value is expected (a CASE branch) in a single statement.
CREATE FUNCTION crm.refuse(sqlstate text, message text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
END $$;

-- The signed-in person ctx names, as crm.begin resolves it: one row when
-- the user is active in an active organization, none otherwise (ids that
-- are no UUIDs included, as in crm.begin). Inlined.
CREATE FUNCTION crm.person(ctx jsonb) RETURNS SETOF crm.principal
LANGUAGE sql STABLE AS $$
	SELECT u.org_id, u.id, NULL::uuid, u.role, NULL::text[]
	  FROM crm.users u
	  JOIN crm.organizations o ON o.id = u.org_id AND o.active AND o.deleted_at IS NULL
	 WHERE u.org_id = crm.try_uuid(ctx->>'org_id') AND u.id = crm.try_uuid(ctx->>'user_id')
	   AND u.active AND u.deleted_at IS NULL
$$;

-- The caller of a read and the owners whose records it may see (vis NULL:
-- the whole organization); no row for an unknown or inactive person. A
-- person is resolved inline, without crm.begin's set_config calls (a read
-- writes no audit row). An API key goes through crm.begin: its scope check
-- raises CR401/CR403 and its last-use stamp is a write, so that branch
-- calls the (volatile) PL/pgSQL function. Conditions on ctx alone are
-- one-time filters: only one branch runs.
CREATE FUNCTION crm.reader(ctx jsonb, scope text)
RETURNS TABLE (org_id uuid, user_id uuid, api_key_id uuid, role text, vis uuid[])
LANGUAGE sql STABLE AS $$
	SELECT p.org_id, p.user_id, p.api_key_id, p.role,
	       CASE p.role WHEN 'rep' THEN ARRAY[p.user_id] WHEN 'admin' THEN NULL ELSE crm.visible_owners(p) END
	  FROM crm.person(ctx) p
	 WHERE NOT ctx ? 'api_key_hash'
	UNION ALL
	SELECT b.org_id, b.user_id, b.api_key_id, b.role, NULL::uuid[]
	  FROM crm.begin(ctx, scope) b
	 WHERE ctx ? 'api_key_hash'
$$;

-- OFFSET 0 fences each part of the statements below: left to itself the
-- planner copies crm.try_uuid(ctx->>'org_id') (a regex) into every index
-- condition and joins the one-row parts with hash joins; fenced, every
-- lookup is a primary-key probe by the row before it (bench: 175 -> 93 µs).
DROP FUNCTION api.contacts_get(jsonb, jsonb);
CREATE FUNCTION api.contacts_get(ctx jsonb, args jsonb) RETURNS SETOF api.reply
LANGUAGE sql STABLE AS $$
	SELECT 200,
	       CASE WHEN p.org_id IS NULL THEN crm.refuse('CR401', 'unknown or inactive user')
	            WHEN x.c IS NULL THEN crm.refuse('CR404', 'not found')
	            WHEN args->'fields' IS NULL THEN crm.contact_doc(x.c, co, ca.id, u.name)::text
	            ELSE crm.project(crm.contact_doc(x.c, co, ca.id, u.name)::jsonb,
	                             crm.arg_text_array(args, 'fields'))::text END,
	       '"' || (x.c).version || '"', NULL::text
	  FROM (SELECT) one
	  LEFT JOIN (SELECT * FROM crm.reader(ctx, 'contacts:read') OFFSET 0) p ON true
	  LEFT JOIN LATERAL (
		SELECT c FROM crm.contacts c
		 WHERE c.org_id = p.org_id AND c.id = crm.try_uuid(args->>'id') AND c.deleted_at IS NULL
		   AND (p.vis IS NULL OR c.owner_id = ANY (p.vis)) OFFSET 0) x ON true
	  LEFT JOIN LATERAL (SELECT * FROM crm.companies y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).company_id AND y.deleted_at IS NULL OFFSET 0) co ON true
	  LEFT JOIN LATERAL (SELECT y.id FROM crm.campaigns y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).campaign_id AND y.deleted_at IS NULL OFFSET 0) ca ON true
	  LEFT JOIN LATERAL (SELECT y.name FROM crm.users y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).owner_id OFFSET 0) u ON true
$$;

-- As in 0010: the caller's visible contacts with that phone key, most
-- recently updated first, at most five, each as crm.contact_profile.
DROP FUNCTION api.lookup_phone(jsonb, jsonb);
CREATE FUNCTION api.lookup_phone(ctx jsonb, args jsonb) RETURNS SETOF api.reply
LANGUAGE sql STABLE AS $$
	SELECT 200,
	       CASE WHEN p.org_id IS NULL THEN crm.refuse('CR401', 'unknown or inactive user')
	       ELSE json_build_object('phone_key', p.key, 'matches', coalesce((
		SELECT json_agg(crm.contact_profile(m.c, p.vis) ORDER BY (m.c).updated_at DESC, (m.c).id DESC)
		  FROM (SELECT c FROM crm.contact_phones ph
		          JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id AND c.deleted_at IS NULL
		         WHERE ph.org_id = p.org_id AND ph.key = p.key AND (p.vis IS NULL OR c.owner_id = ANY (p.vis))
		         ORDER BY c.updated_at DESC, c.id DESC LIMIT 5) m), '[]'))::text END,
	       NULL::text, NULL::text
	  FROM (SELECT) one
	  LEFT JOIN (SELECT r.*, crm.phone_key(crm.arg_text(args, 'number', 100), o.default_country_code) AS key
	               FROM crm.reader(ctx, 'lookup:read') r
	               JOIN crm.organizations o ON o.id = r.org_id OFFSET 0) p ON true
$$;

GRANT EXECUTE ON FUNCTION crm.refuse(text, text), crm.person(jsonb), crm.reader(jsonb, text),
	api.contacts_get(jsonb, jsonb), api.lookup_phone(jsonb, jsonb) TO crm_app;

RESET ROLE;
