-- 0002_auth: JSON shapes, crm.begin, login/refresh operations, ready.
SET ROLE crm_owner;

------------------------------------------------------------------------------
-- Reply helpers and public object shapes (explicit members, nothing internal)
------------------------------------------------------------------------------
CREATE FUNCTION crm.reply(status int, body jsonb DEFAULT NULL, version int DEFAULT NULL,
                          location text DEFAULT NULL) RETURNS api.reply
LANGUAGE sql IMMUTABLE AS $$
	SELECT ROW(status, body::text, '"' || version || '"', location)::api.reply
$$;

-- A returned (not raised) 412 carrying the current record.
CREATE FUNCTION crm.stale(ctx jsonb, current jsonb, version int) RETURNS api.reply
LANGUAGE sql STABLE AS $$
	SELECT ROW(412, crm.problem(ctx, 412, 'the record was changed by someone else (If-Match is stale)',
	                            jsonb_build_object('current', current)),
	           '"' || version || '"', NULL)::api.reply
$$;

CREATE FUNCTION crm.user_json(u crm.users) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', u.id, 'org_id', u.org_id, 'email', u.email, 'name', u.name,
		'role', u.role, 'active', u.active, 'created_at', crm.ts(u.created_at),
		'updated_at', crm.ts(u.updated_at), 'version', u.version)
$$;

-- [{id,name}] of the live teams a user belongs to.
CREATE FUNCTION crm.user_teams(org uuid, uid uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id), '[]')
	  FROM crm.team_members m
	  JOIN crm.teams t ON t.org_id = m.org_id AND t.id = m.team_id AND t.deleted_at IS NULL
	 WHERE m.org_id = org AND m.user_id = uid
$$;

CREATE FUNCTION crm.try_inet(v text) RETURNS inet
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN v::inet;
EXCEPTION WHEN others THEN
	RETURN NULL;
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

------------------------------------------------------------------------------
-- crm.begin: resolve the caller, check scope/role, set the audit actor.
------------------------------------------------------------------------------
CREATE FUNCTION crm.begin(ctx jsonb, scope text, roles text[] DEFAULT NULL) RETURNS crm.principal
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal;
	k crm.api_keys;
BEGIN
	IF ctx ? 'api_key_hash' THEN
		SELECT a.* INTO k
		  FROM crm.api_keys a
		  JOIN crm.organizations o ON o.id = a.org_id AND o.active AND o.deleted_at IS NULL
		 WHERE a.key_hash = ctx->>'api_key_hash' AND a.deleted_at IS NULL;
		IF NOT FOUND OR k.revoked_at IS NOT NULL OR k.expires_at <= now() THEN
			RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'invalid or expired API key';
		END IF;
		-- scope NULL marks a person-only operation: keys never pass it.
		IF scope IS NULL OR NOT scope = ANY (k.scopes) THEN
			RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'the API key lacks the required scope';
		END IF;
		p := ROW(k.org_id, NULL, k.id, NULL, k.scopes)::crm.principal;
	ELSIF ctx ? 'user_id' THEN
		SELECT u.org_id, u.id, NULL, u.role, NULL INTO p
		  FROM crm.users u
		  JOIN crm.organizations o ON o.id = u.org_id AND o.active AND o.deleted_at IS NULL
		 WHERE u.org_id = crm.try_uuid(ctx->>'org_id') AND u.id = crm.try_uuid(ctx->>'user_id')
		   AND u.active AND u.deleted_at IS NULL;
		IF NOT FOUND THEN
			RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'unknown or inactive user';
		END IF;
		IF roles IS NOT NULL AND NOT p.role = ANY (roles) THEN
			RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'your role does not allow this operation';
		END IF;
	ELSE
		RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'authentication required';
	END IF;

	-- Transaction-local: Kore's pool shares connections between requests.
	PERFORM set_config('crm.org_id', p.org_id::text, true),
	        set_config('crm.actor_user', coalesce(p.user_id::text, ''), true),
	        set_config('crm.actor_key', coalesce(p.api_key_id::text, ''), true),
	        set_config('crm.actor_system', '', true),
	        set_config('crm.request_id', coalesce(ctx->>'request_id', ''), true);

	-- At most one write per key per minute (the audit trigger ignores it).
	IF p.api_key_id IS NOT NULL AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') THEN
		UPDATE crm.api_keys SET last_used_at = now() WHERE org_id = k.org_id AND id = k.id;
	END IF;
	RETURN p;
END $$;

------------------------------------------------------------------------------
-- Anonymous: login, refresh, logout, ready
------------------------------------------------------------------------------
CREATE FUNCTION api.login_lookup(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	v_email text := lower(args->>'email');
	v_ip inet := crm.try_inet(ctx->>'ip');
	win constant interval := interval '15 minutes';
	-- Per IP the limit is higher: an office or carrier NAT shares one address.
	email_limit constant int := 5;
	ip_limit constant int := 100;
	free_email timestamptz;
	free_ip timestamptz;
	locked_for int;
	candidates jsonb := '[]';
BEGIN
	-- Locked until the count drops below the limit, i.e. until the failure
	-- at position <limit> (newest first) leaves the window.
	SELECT f.at + win INTO free_email FROM crm.login_failures f
	 WHERE f.email = v_email AND f.at > now() - win ORDER BY f.at DESC OFFSET email_limit - 1 LIMIT 1;
	IF v_ip IS NOT NULL THEN
		SELECT f.at + win INTO free_ip FROM crm.login_failures f
		 WHERE f.ip = v_ip AND f.at > now() - win ORDER BY f.at DESC OFFSET ip_limit - 1 LIMIT 1;
	END IF;
	IF free_email IS NOT NULL OR free_ip IS NOT NULL THEN
		locked_for := greatest(1, ceil(extract(epoch FROM greatest(free_email, free_ip) - clock_timestamp())))::int;
	ELSE
		SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', u.id, 'org_id', u.org_id,
		                                             'password_hash', u.password_hash)
		                          ORDER BY u.org_id, u.id), '[]')
		  INTO candidates
		  FROM crm.users u
		  JOIN crm.organizations o ON o.id = u.org_id AND o.active AND o.deleted_at IS NULL
		 WHERE lower(u.email) = v_email AND u.active AND u.deleted_at IS NULL
		   AND u.password_hash IS NOT NULL
		   AND (args->>'organization' IS NULL OR o.slug = args->>'organization');
	END IF;
	RETURN crm.reply(200, jsonb_build_object('locked_for', locked_for, 'candidates', candidates));
END $$;

CREATE FUNCTION api.login_fail(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	v_email text := lower(args->>'email');
BEGIN
	IF v_email IS NOT NULL THEN
		-- Rows older than the window no longer count; drop this address's.
		DELETE FROM crm.login_failures f WHERE f.email = v_email AND f.at < now() - interval '1 day';
		INSERT INTO crm.login_failures (email, ip) VALUES (v_email, crm.try_inet(ctx->>'ip'));
	END IF;
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.login_succeed(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	u crm.users;
	expires timestamptz;
BEGIN
	SELECT x.* INTO u FROM crm.users x
	  JOIN crm.organizations o ON o.id = x.org_id AND o.active AND o.deleted_at IS NULL
	 WHERE x.org_id = crm.try_uuid(args->>'org_id') AND x.id = crm.try_uuid(args->>'user_id')
	   AND x.active AND x.deleted_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'unknown or inactive user';
	END IF;
	INSERT INTO crm.refresh_tokens (org_id, user_id, family_id, token_hash, expires_at)
	VALUES (u.org_id, u.id, crm.uuid_v7(), args->>'refresh_hash', now() + crm.arg_interval(args, 'refresh_ttl'))
	RETURNING expires_at INTO expires;
	DELETE FROM crm.login_failures WHERE email = lower(u.email);
	RETURN crm.reply(200, jsonb_build_object('user', crm.user_json(u), 'refresh_expires_at', crm.ts(expires)));
END $$;

CREATE FUNCTION api.refresh_rotate(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	t crm.refresh_tokens;
	u crm.users;
	expires timestamptz;
BEGIN
	SELECT * INTO t FROM crm.refresh_tokens WHERE token_hash = args->>'old_hash' FOR UPDATE;
	IF NOT FOUND OR t.revoked_at IS NOT NULL OR t.expires_at <= now() THEN
		RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'invalid refresh token';
	END IF;
	IF t.used_at IS NOT NULL THEN
		-- A rotated token came back: someone holds a copy. Revoke the whole
		-- family and *return* the 401 so the revocation commits.
		UPDATE crm.refresh_tokens SET revoked_at = now()
		 WHERE org_id = t.org_id AND family_id = t.family_id AND revoked_at IS NULL;
		RETURN ROW(401, crm.problem(ctx, 401, 'refresh token reuse detected; session revoked'),
		           NULL, NULL)::api.reply;
	END IF;
	SELECT x.* INTO u FROM crm.users x
	  JOIN crm.organizations o ON o.id = x.org_id AND o.active AND o.deleted_at IS NULL
	 WHERE x.org_id = t.org_id AND x.id = t.user_id AND x.active AND x.deleted_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'invalid refresh token';
	END IF;
	UPDATE crm.refresh_tokens SET used_at = now() WHERE org_id = t.org_id AND id = t.id;
	INSERT INTO crm.refresh_tokens (org_id, user_id, family_id, token_hash, expires_at)
	VALUES (t.org_id, t.user_id, t.family_id, args->>'new_hash', now() + crm.arg_interval(args, 'refresh_ttl'))
	RETURNING expires_at INTO expires;
	RETURN crm.reply(200, jsonb_build_object('user', crm.user_json(u), 'refresh_expires_at', crm.ts(expires)));
END $$;

CREATE FUNCTION api.logout(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE crm.refresh_tokens r SET revoked_at = now()
	  FROM crm.refresh_tokens t
	 WHERE t.token_hash = args->>'refresh_hash'
	   AND r.org_id = t.org_id AND r.family_id = t.family_id AND r.revoked_at IS NULL;
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.ready(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE sql STABLE AS $$
	SELECT crm.reply(200, jsonb_build_object('status', 'ready'))
$$;

------------------------------------------------------------------------------
-- The caller's own account
------------------------------------------------------------------------------
CREATE FUNCTION api.me(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL);
	u crm.users;
	org jsonb;
BEGIN
	SELECT * INTO u FROM crm.users WHERE org_id = p.org_id AND id = p.user_id;
	SELECT jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug) INTO org
	  FROM crm.organizations o WHERE o.id = p.org_id;
	RETURN crm.reply(200, crm.user_json(u) || jsonb_build_object('organization', org,
	                 'teams', crm.user_teams(p.org_id, p.user_id)), u.version);
END $$;

CREATE FUNCTION api.password_lookup(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL);
	h text;
BEGIN
	SELECT password_hash INTO h FROM crm.users WHERE org_id = p.org_id AND id = p.user_id;
	RETURN crm.reply(200, jsonb_build_object('password_hash', h));
END $$;

CREATE FUNCTION api.password_change(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL);
BEGIN
	IF jsonb_typeof(args->'password_hash') IS DISTINCT FROM 'string' THEN
		PERFORM crm.raise_validation('password_hash', 'required', 'password_hash is required');
	END IF;
	UPDATE crm.users SET password_hash = args->>'password_hash', version = version + 1,
	       updated_at = now(), updated_by = p.user_id
	 WHERE org_id = p.org_id AND id = p.user_id;
	-- Every session of this user ends with the old password.
	UPDATE crm.refresh_tokens SET revoked_at = now()
	 WHERE org_id = p.org_id AND user_id = p.user_id AND revoked_at IS NULL;
	RETURN crm.reply(204);
END $$;

RESET ROLE;
