-- sql/api/ticket_settings.sql: the desk's settings (the reopen window);
-- read by anyone who reads tickets, changed by admins.

CREATE FUNCTION api.ticket_settings_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	s crm.ticket_settings := crm.ticket_settings_of(p.org_id);
BEGIN
	RETURN crm.reply(200, crm.ticket_settings_json(s), s.version);
END $$;

CREATE FUNCTION api.ticket_settings_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	s crm.ticket_settings;
BEGIN
	-- Lock the row, or create it, so concurrent updates serialize.
	INSERT INTO crm.ticket_settings (org_id, created_by, updated_by, version) VALUES (p.org_id, p.user_id, p.user_id, 0)
	ON CONFLICT (org_id) DO NOTHING;
	SELECT * INTO s FROM crm.ticket_settings WHERE org_id = p.org_id FOR UPDATE;
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.ticket_settings_json(s), s.version);
	END IF;
	IF jsonb_typeof(patch) <> 'object' THEN PERFORM crm.raise_validation('patch', 'type', 'must be an object'); END IF;
	IF patch ? 'reopen_days' THEN
		s.reopen_days := crm.arg_int(patch, 'reopen_days');
		IF s.reopen_days IS NULL OR s.reopen_days NOT BETWEEN 0 AND 365 THEN
			PERFORM crm.raise_validation('reopen_days', 'range', 'a whole number of days from 0 to 365');
		END IF;
	END IF;
	UPDATE crm.ticket_settings SET reopen_days = s.reopen_days,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = p.org_id
	RETURNING * INTO s;
	RETURN crm.reply(200, crm.ticket_settings_json(s), s.version);
END $$;
