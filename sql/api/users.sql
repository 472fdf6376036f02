-- sql/api/users.sql: Users of the organization (admins manage them).

CREATE FUNCTION api.users_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'users:read');
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'email', 'created_at']);
	keytype text := CASE col WHEN 'created_at' THEN 'timestamptz' ELSE 'text' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	rows crm.users[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	-- col and direction come from the whitelist above; values go in as parameters.
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT u FROM crm.users u
			 WHERE u.org_id = $1 AND u.deleted_at IS NULL
			   AND ($2::text IS NULL OR u.role = $2)
			   AND ($3::boolean IS NULL OR u.active = $3)
			   AND ($4::text IS NULL OR u.name ILIKE $4 OR u.email ILIKE $4)
			   AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM crm.team_members m
			                                     WHERE m.org_id = u.org_id AND m.team_id = $5 AND m.user_id = u.id))
			   AND ($6::jsonb IS NULL OR (u.%1$I, u.id) %3$s (($6->>'k')::%4$s, ($6->>'id')::uuid))
			 ORDER BY u.%1$I %2$s, u.id %2$s
			 LIMIT $7)$q$,
		col, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END,
		CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, args->>'role', crm.arg_bool(args, 'active'), crm.like_pattern(args->>'q'),
	      crm.arg_uuid(args, 'team_id'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', to_jsonb(rows[lim])->>col, 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.user_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.users_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'users:read');
	u crm.users;
BEGIN
	SELECT * INTO u FROM crm.users
	 WHERE org_id = p.org_id AND id = crm.try_uuid(args->>'id') AND deleted_at IS NULL;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN crm.reply(200, crm.project(crm.user_json(u) || jsonb_build_object('teams', crm.user_teams(u.org_id, u.id)),
	                                  crm.arg_text_array(args, 'fields')), u.version);
END $$;

CREATE FUNCTION api.users_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	u crm.users;
BEGIN
	INSERT INTO crm.users (org_id, id, email, name, role, password_hash, created_by, updated_by)
	VALUES (p.org_id, coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7()), lower(args->>'email'),
	        args->>'name', args->>'role', args->>'password_hash', p.user_id, p.user_id)
	RETURNING * INTO u;
	RETURN crm.reply(201, crm.user_json(u), u.version, '/v1/users/' || u.id);
END $$;

CREATE FUNCTION api.users_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	u crm.users;
	new_active boolean := crm.arg_bool(patch, 'active');
BEGIN
	SELECT * INTO u FROM crm.users
	 WHERE org_id = p.org_id AND id = crm.try_uuid(args->>'id') AND deleted_at IS NULL
	   FOR UPDATE;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	IF crm.if_match_fails(args, u.version) THEN
		RETURN crm.stale(ctx, crm.user_json(u), u.version);
	END IF;
	-- An admin locking themself out would leave the org without a way back.
	IF u.id = p.user_id AND new_active = false THEN
		PERFORM crm.raise_validation('active', 'self', 'you cannot deactivate yourself');
	END IF;
	IF u.id = p.user_id AND patch->>'role' IS NOT NULL AND patch->>'role' <> 'admin' THEN
		PERFORM crm.raise_validation('role', 'self', 'you cannot change your own role');
	END IF;
	UPDATE crm.users SET
	       name = coalesce(patch->>'name', name),
	       email = coalesce(lower(patch->>'email'), email),
	       role = coalesce(patch->>'role', role),
	       active = coalesce(new_active, active),
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = u.org_id AND id = u.id
	RETURNING * INTO u;
	IF NOT u.active THEN
		UPDATE crm.refresh_tokens SET revoked_at = now()
		 WHERE org_id = u.org_id AND user_id = u.id AND revoked_at IS NULL;
	END IF;
	RETURN crm.reply(200, crm.user_json(u), u.version);
END $$;
