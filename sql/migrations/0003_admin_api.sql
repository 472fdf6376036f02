-- 0003_admin_api: users, teams, memberships, API keys, audit reads; grants.
SET ROLE crm_owner;

------------------------------------------------------------------------------
-- Shapes and cursor helpers
------------------------------------------------------------------------------
CREATE FUNCTION crm.team_json(t crm.teams) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', t.id, 'name', t.name, 'description', t.description,
		'member_count', (SELECT count(*) FROM crm.team_members m WHERE m.org_id = t.org_id AND m.team_id = t.id),
		'created_at', crm.ts(t.created_at), 'updated_at', crm.ts(t.updated_at), 'version', t.version)
$$;

CREATE FUNCTION crm.member_json(m crm.team_members, u crm.users) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('team_id', m.team_id, 'user_id', m.user_id, 'name', u.name,
		'email', u.email, 'role', u.role, 'added_at', crm.ts(m.added_at))
$$;

CREATE FUNCTION crm.team_members_json(org uuid, team uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(crm.member_json(m, u) ORDER BY u.name, u.id), '[]')
	  FROM crm.team_members m JOIN crm.users u ON u.org_id = m.org_id AND u.id = m.user_id
	 WHERE m.org_id = org AND m.team_id = team
$$;

CREATE FUNCTION crm.key_json(k crm.api_keys) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', k.id, 'name', k.name, 'prefix', k.prefix, 'scopes', to_jsonb(k.scopes),
		'expires_at', crm.ts(k.expires_at), 'revoked_at', crm.ts(k.revoked_at),
		'last_used_at', crm.ts(k.last_used_at), 'created_at', crm.ts(k.created_at),
		'created_by', k.created_by)
$$;

CREATE FUNCTION crm.audit_json(a crm.audit_log) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', a.id, 'table', a.table_name, 'record_id', a.record_id,
		'action', a.action,
		'actor', CASE WHEN a.actor_user_id IS NOT NULL THEN jsonb_build_object('type', 'user', 'id', a.actor_user_id)
		              WHEN a.actor_api_key_id IS NOT NULL THEN jsonb_build_object('type', 'api_key', 'id', a.actor_api_key_id)
		              ELSE jsonb_build_object('type', 'system', 'id', NULL) END,
		'request_id', a.request_id, 'at', crm.ts(a.at), 'txid', a.txid,
		'old', a.old_values, 'new', a.new_values)
$$;

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

------------------------------------------------------------------------------
-- Users
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- Teams and memberships
------------------------------------------------------------------------------
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

-- The live team with this id in the caller's org, or CR404.
CREATE FUNCTION crm.find_team(p crm.principal, id text, lock boolean DEFAULT false) RETURNS crm.teams
LANGUAGE plpgsql AS $$
DECLARE
	t crm.teams;
BEGIN
	IF lock THEN
		SELECT * INTO t FROM crm.teams x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(find_team.id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO t FROM crm.teams x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(find_team.id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN t;
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
	UPDATE crm.teams SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id;
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

------------------------------------------------------------------------------
-- API keys (admins only; keys cannot manage keys)
------------------------------------------------------------------------------
CREATE FUNCTION api.api_keys_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', '-created_at');
	rows crm.api_keys[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	rows := ARRAY(
		SELECT k FROM crm.api_keys k
		 WHERE k.org_id = p.org_id AND k.deleted_at IS NULL
		   AND (cur IS NULL OR (k.created_at, k.id) < ((cur->>'k')::timestamptz, (cur->>'id')::uuid))
		 ORDER BY k.created_at DESC, k.id DESC
		 LIMIT lim + 1);
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', '-created_at', 'k', rows[lim].created_at, 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.key_json(rows[i]) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.api_keys_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	k crm.api_keys;
BEGIN
	SELECT * INTO k FROM crm.api_keys
	 WHERE org_id = p.org_id AND id = crm.try_uuid(args->>'id') AND deleted_at IS NULL;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN crm.reply(200, crm.key_json(k), k.version);
END $$;

CREATE FUNCTION api.api_keys_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	expires timestamptz := crm.arg_ts(args, 'expires_at');
	scopes text[] := crm.arg_text_array(args, 'scopes');
	k crm.api_keys;
BEGIN
	IF expires <= now() THEN
		PERFORM crm.raise_validation('expires_at', 'past', 'expires_at must be in the future');
	END IF;
	IF scopes IS NULL THEN
		PERFORM crm.raise_validation('scopes', 'required', 'scopes is required');
	END IF;
	INSERT INTO crm.api_keys (org_id, name, prefix, key_hash, scopes, expires_at, created_by, updated_by)
	VALUES (p.org_id, args->>'name', args->>'prefix', args->>'key_hash', scopes, expires, p.user_id, p.user_id)
	RETURNING * INTO k;
	RETURN crm.reply(201, crm.key_json(k), k.version, '/v1/api-keys/' || k.id);
END $$;

CREATE FUNCTION api.api_keys_revoke(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	k crm.api_keys;
BEGIN
	SELECT * INTO k FROM crm.api_keys
	 WHERE org_id = p.org_id AND id = crm.try_uuid(args->>'id') AND deleted_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	IF k.revoked_at IS NULL THEN
		UPDATE crm.api_keys SET revoked_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
		 WHERE org_id = k.org_id AND id = k.id;
	END IF;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Audit reads
------------------------------------------------------------------------------
CREATE FUNCTION api.audit_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'audit:read', ARRAY['admin']);
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', '-id');
	f_record uuid := crm.arg_uuid(args, 'record_id');
	f_user uuid := crm.arg_uuid(args, 'actor_user_id');
	f_key uuid := crm.arg_uuid(args, 'actor_api_key_id');
	f_since timestamptz := crm.arg_ts(args, 'since');
	f_until timestamptz := crm.arg_ts(args, 'until');
	after_id bigint;
	rows crm.audit_log[];
	page jsonb;
	last_id bigint;
	more boolean;
BEGIN
	IF cur IS NOT NULL THEN
		BEGIN
			after_id := (cur->>'k')::bigint;
		EXCEPTION WHEN others THEN
			PERFORM crm.bad_cursor();
		END;
	END IF;
	rows := ARRAY(
		SELECT a FROM crm.audit_log a
		 WHERE a.org_id = p.org_id
		   AND (after_id IS NULL OR a.id < after_id)
		   AND (args->>'table' IS NULL OR a.table_name = args->>'table')
		   AND (f_record IS NULL OR a.record_id = f_record)
		   AND (f_user IS NULL OR a.actor_user_id = f_user)
		   AND (f_key IS NULL OR a.actor_api_key_id = f_key)
		   AND (f_since IS NULL OR a.at >= f_since)
		   AND (f_until IS NULL OR a.at < f_until)
		 ORDER BY a.id DESC
		 LIMIT lim + 1);
	page := coalesce((SELECT jsonb_agg(crm.audit_json(rows[i]) ORDER BY i)
	                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]');
	more := cardinality(rows) > lim;
	IF more THEN
		last_id := rows[lim].id;
	END IF;
	RETURN crm.reply(200, jsonb_build_object('data', page, 'next_cursor',
		CASE WHEN more THEN crm.cursor_encode(jsonb_build_object('s', '-id', 'k', last_id)) END));
END $$;

------------------------------------------------------------------------------
-- Privileges: crm_app runs every operation (SECURITY INVOKER) and gets only
-- the table rights those operations use.
------------------------------------------------------------------------------
RESET ROLE;

GRANT USAGE ON SCHEMA crm, api TO crm_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api TO crm_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO crm_app;
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app, PUBLIC;

GRANT SELECT ON crm.organizations TO crm_app;
GRANT SELECT, INSERT, UPDATE ON crm.users, crm.teams, crm.api_keys TO crm_app;
GRANT SELECT, INSERT, DELETE ON crm.team_members, crm.login_failures TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.refresh_tokens TO crm_app;
GRANT SELECT, INSERT ON crm.audit_log TO crm_app;

-- Operations added by later migrations are callable by the server without a
-- separate grant; crm helpers and tables still need explicit ones.
ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner IN SCHEMA api GRANT EXECUTE ON FUNCTIONS TO crm_app;
