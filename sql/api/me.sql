-- sql/api/me.sql: The caller's own account and password.

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
