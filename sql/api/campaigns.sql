-- sql/api/campaigns.sql: Campaigns.

CREATE FUNCTION api.campaigns_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'starts_on', 'created_at']);
	keytype text := CASE col WHEN 'created_at' THEN 'timestamptz' WHEN 'starts_on' THEN 'date' ELSE 'text' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	expr text := CASE col WHEN 'starts_on' THEN 'coalesce(c.starts_on, ''-infinity''::date)' ELSE 'c.' || quote_ident(col) END;
	rows crm.campaigns[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF keytype = 'date' AND cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'k')::date; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT c FROM crm.campaigns c
			 WHERE c.org_id = $1 AND c.deleted_at IS NULL
			   AND ($2::text IS NULL OR c.name ILIKE $2)
			   AND ($3::text IS NULL OR c.channel = $3)
			   AND ($4::date IS NULL OR (coalesce(c.starts_on, '-infinity') <= $4 AND coalesce(c.ends_on, 'infinity') >= $4))
			   AND ($5::jsonb IS NULL OR (%1$s, c.id) %3$s (($5->>'k')::%4$s, ($5->>'id')::uuid))
			 ORDER BY %1$s %2$s, c.id %2$s
			 LIMIT $6)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, crm.like_pattern(args->>'q'), args->>'channel', crm.arg_date(args, 'active_on'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k',
			CASE col WHEN 'starts_on' THEN coalesce(rows[lim].starts_on, '-infinity'::date)::text ELSE to_jsonb(rows[lim])->>col END,
			'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.campaign_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.campaigns_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	c crm.campaigns := crm.find_campaign(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.campaign_json(c), crm.arg_text_array(args, 'fields')), c.version);
END $$;

CREATE FUNCTION api.campaigns_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns;
BEGIN
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.channel := 'other';
	IF NOT args ? 'name' THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	c := crm.campaign_apply(c, args - 'id');
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.campaigns SELECT (c).*;
	RETURN crm.reply(201, crm.campaign_json(c), c.version, '/v1/campaigns/' || c.id);
END $$;

CREATE FUNCTION api.campaigns_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns := crm.find_campaign(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.campaign_json(c), c.version);
	END IF;
	c := crm.campaign_apply(c, coalesce(args->'patch', '{}'));
	UPDATE crm.campaigns SET name = c.name, channel = c.channel, cost = c.cost, currency = c.currency,
	       starts_on = c.starts_on, ends_on = c.ends_on, notes = c.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.campaign_json(c), c.version);
END $$;

CREATE FUNCTION api.campaigns_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns := crm.find_campaign(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.campaign_json(c), c.version);
	END IF;
	PERFORM crm.soft_delete('crm.campaigns', c.org_id, c.id, p.user_id);
	RETURN crm.reply(204);
END $$;
