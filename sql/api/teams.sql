-- sql/api/teams.sql: Teams and their members.

CREATE FUNCTION api.teams_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'teams:read');
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'created_at']);
	keytype text := CASE col WHEN 'created_at' THEN 'timestamptz' ELSE 'text' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	rows crm.teams[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT t FROM crm.teams t
			 WHERE t.org_id = $1 AND t.deleted_at IS NULL
			   AND ($2::text IS NULL OR t.name ILIKE $2)
			   AND ($3::jsonb IS NULL OR (t.%1$I, t.id) %3$s (($3->>'k')::%4$s, ($3->>'id')::uuid))
			 ORDER BY t.%1$I %2$s, t.id %2$s
			 LIMIT $4)$q$,
		col, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END,
		CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, crm.like_pattern(args->>'q'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', to_jsonb(rows[lim])->>col, 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.team_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.teams_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'teams:read');
	t crm.teams := crm.find_team(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.team_json(t) || jsonb_build_object('members', crm.team_members_json(t.org_id, t.id)),
	                                  crm.arg_text_array(args, 'fields')), t.version);
END $$;

CREATE FUNCTION api.teams_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	t crm.teams;
BEGIN
	INSERT INTO crm.teams (org_id, id, name, description, created_by, updated_by)
	VALUES (p.org_id, coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7()), args->>'name',
	        args->>'description', p.user_id, p.user_id)
	RETURNING * INTO t;
	RETURN crm.reply(201, crm.team_json(t), t.version, '/v1/teams/' || t.id);
END $$;

CREATE FUNCTION api.teams_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	t crm.teams := crm.find_team(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.team_json(t), t.version);
	END IF;
	UPDATE crm.teams SET
	       name = coalesce(patch->>'name', name),
	       -- description may be cleared with null (merge patch).
	       description = CASE WHEN patch ? 'description' THEN patch->>'description' ELSE description END,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id
	RETURNING * INTO t;
	RETURN crm.reply(200, crm.team_json(t), t.version);
END $$;

CREATE FUNCTION api.teams_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	t crm.teams := crm.find_team(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.team_json(t), t.version);
	END IF;
	DELETE FROM crm.team_members WHERE org_id = t.org_id AND team_id = t.id;
	PERFORM crm.soft_delete('crm.teams', t.org_id, t.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.team_members_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'teams:read');
	t crm.teams := crm.find_team(p, args->>'team_id');
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data', crm.team_members_json(t.org_id, t.id), 'next_cursor', NULL));
END $$;

CREATE FUNCTION api.team_members_add(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	t crm.teams := crm.find_team(p, args->>'team_id');
	u crm.users;
	m crm.team_members;
BEGIN
	SELECT * INTO u FROM crm.users
	 WHERE org_id = p.org_id AND id = crm.try_uuid(args->>'user_id') AND deleted_at IS NULL;
	IF NOT FOUND THEN
		PERFORM crm.raise_validation('user_id', 'not_found', 'no such user in this organization');
	END IF;
	INSERT INTO crm.team_members (org_id, team_id, user_id, created_by, updated_by)
	VALUES (p.org_id, t.id, u.id, p.user_id, p.user_id)
	RETURNING * INTO m;
	RETURN crm.reply(201, crm.member_json(m, u), m.version, '/v1/teams/' || t.id || '/members/' || u.id);
END $$;

CREATE FUNCTION api.team_members_remove(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	t crm.teams := crm.find_team(p, args->>'team_id');
BEGIN
	DELETE FROM crm.team_members WHERE org_id = p.org_id AND team_id = t.id AND user_id = crm.try_uuid(args->>'user_id');
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN crm.reply(204);
END $$;
