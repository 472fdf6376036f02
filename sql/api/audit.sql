-- sql/api/audit.sql: The audit trail, for admins and managers.

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
