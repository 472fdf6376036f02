-- 0012_read_statement: a person's contact read is one planned statement.
--
-- Measured on the bench dataset (1M contacts), a contact read spent inside
-- PostgreSQL ~27 µs resolving the caller (crm.begin, with five set_config
-- calls a read never needs: only writes' audit rows read them), ~14 µs
-- finding the row, ~57 µs building its JSON in a nested function and ~35 µs
-- entering and leaving PL/pgSQL functions. api.contacts_get is now a
-- set-returning SQL function the planner inlines into the server's prepared
-- "SELECT … FROM api.contacts_get($1, $2)": caller, visibility, row, joins
-- and JSON are planned once per connection and run as one plan.
--
-- API keys keep the PL/pgSQL path: their scope check and the last-use stamp
-- (an UPDATE) cannot live in a STABLE function. Either way the answer is
-- the same row, and failures raise the same SQLSTATEs (CR401, CR404, CR422).
SET ROLE crm_owner;

-- Raises sqlstate with message; typed text so that it can stand where a
-- value is expected (a CASE branch) in a single statement.
CREATE FUNCTION crm.refuse(sqlstate text, message text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
END $$;

-- The signed-in person ctx names, as crm.begin resolves it: one row when
-- the user is active in an active organization, none otherwise. Inlined.
CREATE FUNCTION crm.person(ctx jsonb) RETURNS SETOF crm.principal
LANGUAGE sql STABLE AS $$
	SELECT u.org_id, u.id, NULL::uuid, u.role, NULL::text[]
	  FROM crm.users u
	  JOIN crm.organizations o ON o.id = u.org_id AND o.active AND o.deleted_at IS NULL
	 WHERE u.org_id = crm.try_uuid(ctx->>'org_id') AND u.id = crm.try_uuid(ctx->>'user_id')
	   AND u.active AND u.deleted_at IS NULL
$$;

-- Whether person p may see a record owned by owner: reps their own, admins
-- all, managers their teams' members' (crm.visible_owners, only asked then).
CREATE FUNCTION crm.person_sees(p_user uuid, p_role text, p_org uuid, owner uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT owner = p_user OR p_role = 'admin'
	    OR (p_role = 'manager' AND owner = ANY (crm.visible_owners(ROW(p_org, p_user, NULL, p_role, NULL)::crm.principal)))
$$;

-- The 0010 body, kept for API keys (and anything that is not a person).
ALTER FUNCTION api.contacts_get(jsonb, jsonb) RENAME TO contacts_get_checked;
ALTER FUNCTION api.contacts_get_checked(jsonb, jsonb) SET SCHEMA crm;

CREATE FUNCTION api.contacts_get(ctx jsonb, args jsonb) RETURNS SETOF api.reply
LANGUAGE sql STABLE AS $$
	-- Conditions on the arguments alone become one-time filters: only one
	-- branch runs.
	SELECT r.* FROM crm.contacts_get_checked(ctx, args) r
	 WHERE ctx ? 'api_key_hash' OR NOT ctx ? 'user_id'
	UNION ALL
	SELECT 200,
	       CASE WHEN p.user_id IS NULL THEN crm.refuse('CR401', 'unknown or inactive user')
	            WHEN x.c IS NULL THEN crm.refuse('CR404', 'not found')
	            WHEN args->'fields' IS NULL THEN crm.contact_doc(x.c, co, ca.id, u.name)::text
	            ELSE crm.project(crm.contact_doc(x.c, co, ca.id, u.name)::jsonb,
	                             crm.arg_text_array(args, 'fields'))::text END,
	       '"' || (x.c).version || '"', NULL::text
	  -- OFFSET 0 fences each part: left to itself the planner copies
	  -- crm.try_uuid(ctx->>'org_id') (a regex) into every index condition,
	  -- and joins the one-row parts with hash joins; fenced, every lookup is
	  -- a primary-key probe by the row before it (bench: 175 µs -> 93 µs).
	  FROM (SELECT) one
	  LEFT JOIN (SELECT * FROM crm.person(ctx) OFFSET 0) p ON true
	  LEFT JOIN LATERAL (
		SELECT c FROM crm.contacts c
		 WHERE c.org_id = p.org_id AND c.id = crm.try_uuid(args->>'id') AND c.deleted_at IS NULL
		   AND crm.person_sees(p.user_id, p.role, p.org_id, c.owner_id) OFFSET 0) x ON true
	  LEFT JOIN LATERAL (SELECT * FROM crm.companies y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).company_id AND y.deleted_at IS NULL OFFSET 0) co ON true
	  LEFT JOIN LATERAL (SELECT y.id FROM crm.campaigns y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).campaign_id AND y.deleted_at IS NULL OFFSET 0) ca ON true
	  LEFT JOIN LATERAL (SELECT y.name FROM crm.users y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).owner_id OFFSET 0) u ON true
	 WHERE NOT (ctx ? 'api_key_hash' OR NOT ctx ? 'user_id')
$$;

GRANT EXECUTE ON FUNCTION crm.refuse(text, text), crm.person(jsonb), crm.person_sees(uuid, text, uuid, uuid),
	api.contacts_get(jsonb, jsonb) TO crm_app;

RESET ROLE;
