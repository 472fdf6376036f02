-- sql/api/ops.sql: Readiness.

CREATE FUNCTION api.ready(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE sql STABLE AS $$
	SELECT crm.reply(200, jsonb_build_object('status', 'ready'))
$$;
