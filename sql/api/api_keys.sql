-- sql/api/api_keys.sql: API keys for integrations.

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
