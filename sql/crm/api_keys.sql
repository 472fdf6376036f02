-- sql/crm/api_keys.sql: API keys as JSON (never the secret).

CREATE FUNCTION crm.key_json(k crm.api_keys) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', k.id, 'name', k.name, 'prefix', k.prefix, 'scopes', to_jsonb(k.scopes),
		'expires_at', crm.ts(k.expires_at), 'revoked_at', crm.ts(k.revoked_at),
		'last_used_at', crm.ts(k.last_used_at), 'created_at', crm.ts(k.created_at),
		'created_by', k.created_by)
$$;
