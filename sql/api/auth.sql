-- sql/api/auth.sql: Sessions: login, refresh-token rotation, logout.

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
