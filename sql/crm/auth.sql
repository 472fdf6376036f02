-- sql/crm/auth.sql: Who is calling: the principal of a request (crm.begin for writes and
-- checked reads, crm.person/crm.reader for inlined reads), and organizations.

CREATE TYPE crm.principal AS (org_id uuid, user_id uuid, api_key_id uuid, role text, scopes text[]);

CREATE FUNCTION crm.create_organization(name text, slug text, admin_email text, admin_name text,
                                        admin_password_hash text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	org uuid;
	prev text := current_setting('crm.actor_system', true);
BEGIN
	PERFORM set_config('crm.actor_system', 'bootstrap', true);
	INSERT INTO crm.organizations (name, slug) VALUES (name, slug) RETURNING id INTO org;
	INSERT INTO crm.users (org_id, email, name, role, password_hash)
	VALUES (org, lower(admin_email), admin_name, 'admin', admin_password_hash);
	-- The bootstrap actor covers this call only.
	PERFORM set_config('crm.actor_system', coalesce(prev, ''), true);
	RETURN org;
END $$;

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

-- The caller as set by crm.begin in this transaction (for helpers whose
-- signature carries no principal, e.g. crm.contact_profile). NULL when no
-- person or key acts (seeds, system jobs): those see everything.
CREATE FUNCTION crm.current_principal() RETURNS crm.principal
LANGUAGE plpgsql STABLE AS $$
DECLARE
	org uuid := crm.try_uuid(nullif(current_setting('crm.org_id', true), ''));
	uid uuid := crm.try_uuid(nullif(current_setting('crm.actor_user', true), ''));
	kid uuid := crm.try_uuid(nullif(current_setting('crm.actor_key', true), ''));
	p crm.principal;
BEGIN
	IF uid IS NOT NULL THEN
		SELECT u.org_id, u.id, NULL, u.role, NULL INTO p FROM crm.users u WHERE u.org_id = org AND u.id = uid;
		IF FOUND THEN RETURN p; END IF;
		-- An actor that does not resolve sees nothing (fail closed).
		RETURN ROW(org, uid, NULL, 'rep', NULL)::crm.principal;
	ELSIF kid IS NOT NULL THEN
		RETURN ROW(org, NULL, kid, NULL, NULL)::crm.principal;
	END IF;
	RETURN NULL;
END $$;

-- Who is calling, without a scope check (the wrapped operation does that):
-- an inactive user or a revoked key gets no replay either.
CREATE FUNCTION crm.caller_id(ctx jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id uuid;
BEGIN
	IF ctx ? 'api_key_hash' THEN
		SELECT a.id INTO v_id FROM crm.api_keys a
		 WHERE a.key_hash = ctx->>'api_key_hash' AND a.deleted_at IS NULL
		   AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now());
		IF FOUND THEN
			RETURN 'k:' || v_id;
		END IF;
	ELSIF ctx ? 'user_id' THEN
		SELECT u.id INTO v_id FROM crm.users u
		 WHERE u.org_id = crm.try_uuid(ctx->>'org_id') AND u.id = crm.try_uuid(ctx->>'user_id')
		   AND u.active AND u.deleted_at IS NULL;
		IF FOUND THEN
			RETURN 'u:' || v_id;
		END IF;
	END IF;
	RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'unknown or inactive caller';
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
