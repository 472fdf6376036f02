-- sql/api/deals.sql: Deals: CRUD and stage history.

CREATE FUNCTION api.deals_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', '-created_at');
	col text := crm.sort_column(sort, ARRAY['created_at', 'updated_at', 'amount', 'expected_close_date', 'title']);
	keytype text := CASE col WHEN 'amount' THEN 'numeric' WHEN 'expected_close_date' THEN 'date'
	                         WHEN 'title' THEN 'text' ELSE 'timestamptz' END;
	expr text := CASE col WHEN 'amount' THEN 'coalesce(d.amount, -1)'
	                      WHEN 'expected_close_date' THEN 'coalesce(d.expected_close_date, ''-infinity''::date)'
	                      ELSE 'd.' || quote_ident(col) END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := nullif(crm.fold(crm.arg_text(args, 'q', 200)), '');
	status text := crm.arg_enum(args, 'status', ARRAY['open', 'won', 'lost']);
	rows crm.deals[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF cur IS NOT NULL AND keytype IN ('numeric', 'date') THEN
		BEGIN
			PERFORM CASE keytype WHEN 'numeric' THEN (cur->>'k')::numeric::text ELSE (cur->>'k')::date::text END;
		EXCEPTION WHEN others THEN
			PERFORM crm.bad_cursor();
		END;
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT d FROM crm.deals d
			 WHERE d.org_id = $1 AND d.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR d.owner_id = ANY ($2))
			   AND ($3::text IS NULL OR crm.fold(d.title) LIKE $3)
			   AND ($4::uuid IS NULL OR d.pipeline_id = $4)
			   AND ($5::uuid IS NULL OR d.stage_id = $5)
			   AND ($6::uuid IS NULL OR d.owner_id = $6)
			   AND ($7::text IS NULL OR d.status = $7)
			   AND ($8::boolean IS NULL OR $8 = EXISTS (SELECT 1 FROM crm.stages s WHERE s.org_id = d.org_id AND s.id = d.stage_id
			                                               AND crm.deal_is_stale(d.status, d.stage_entered_at, s.rotting_days)))
			   AND ($9::date IS NULL OR d.expected_close_date >= $9)
			   AND ($10::date IS NULL OR d.expected_close_date <= $10)
			   AND ($11::numeric IS NULL OR d.amount >= $11)
			   AND ($12::numeric IS NULL OR d.amount <= $12)
			   AND ($13::uuid IS NULL OR d.contact_id = $13)
			   AND ($14::uuid IS NULL OR d.company_id = $14)
			   AND ($15::jsonb IS NULL OR (%1$s, d.id) %3$s (($15->>'k')::%4$s, ($15->>'id')::uuid))
			 ORDER BY %1$s %2$s, d.id %2$s
			 LIMIT $16)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, crm.like_pattern(q), crm.arg_uuid(args, 'pipeline_id'), crm.arg_uuid(args, 'stage_id'),
	      crm.arg_uuid(args, 'owner_id'), status, crm.arg_bool(args, 'stale'),
	      crm.arg_date(args, 'close_from'), crm.arg_date(args, 'close_to'),
	      crm.arg_money(args, 'amount_min'), crm.arg_money(args, 'amount_max'),
	      crm.arg_uuid(args, 'contact_id'), crm.arg_uuid(args, 'company_id'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.deal_sort_key(rows[lim], col), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.deal_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.deals_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	d crm.deals := crm.find_deal(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.deal_json(d), crm.arg_text_array(args, 'fields')), d.version);
END $$;

CREATE FUNCTION api.deals_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	d crm.deals;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('title', 'required', 'title is required');
	END IF;
	d.org_id := p.org_id;
	d.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	d := crm.deal_apply(p, d, args - 'id' - 'status' - 'won_at' - 'lost_at' - 'stage_entered_at', true);
	d.status := 'open'; d.stage_entered_at := now();
	d.created_at := now(); d.updated_at := now(); d.created_by := p.user_id; d.updated_by := p.user_id; d.version := 1;
	INSERT INTO crm.deals SELECT (d).* RETURNING * INTO d;
	RETURN crm.reply(201, crm.deal_json(d), d.version, '/v1/deals/' || d.id);
END $$;

CREATE FUNCTION api.deals_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	patch jsonb := coalesce(args->'patch', '{}');
	d crm.deals := crm.find_deal(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, d.version) THEN
		RETURN crm.stale(ctx, crm.deal_json(d), d.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'id' AND crm.try_uuid(patch->>'id') IS DISTINCT FROM d.id THEN
		PERFORM crm.raise_validation('id', 'read_only', 'cannot be changed');
	END IF;
	d := crm.deal_apply(p, d, patch - 'id' - 'status' - 'won_at' - 'lost_at' - 'stage_entered_at', false);
	UPDATE crm.deals SET title = d.title, amount = d.amount, currency = d.currency, pipeline_id = d.pipeline_id,
	       stage_id = d.stage_id, expected_close_date = d.expected_close_date, owner_id = d.owner_id,
	       contact_id = d.contact_id, company_id = d.company_id, campaign_id = d.campaign_id,
	       lost_reason = d.lost_reason, notes = d.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = d.org_id AND id = d.id
	RETURNING * INTO d;
	RETURN crm.reply(200, crm.deal_json(d), d.version);
END $$;

CREATE FUNCTION api.deals_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	d crm.deals := crm.find_deal(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, d.version) THEN
		RETURN crm.stale(ctx, crm.deal_json(d), d.version);
	END IF;
	PERFORM crm.soft_delete('crm.deals', d.org_id, d.id, p.user_id);
	RETURN crm.reply(204);
END $$;

-- Stage history of a deal, oldest first.
CREATE FUNCTION api.deals_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	d crm.deals := crm.find_deal(p, args->>'id');
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', 'moved_at');
	rows crm.deal_stage_history[];
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	IF cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'seq')::bigint; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
		IF cur->>'seq' IS NULL THEN PERFORM crm.bad_cursor(); END IF;
	END IF;
	rows := ARRAY(
		SELECT h FROM crm.deal_stage_history h
		 WHERE h.org_id = d.org_id AND h.deal_id = d.id
		   AND (cur IS NULL OR (h.moved_at, h.seq) > ((cur->>'k')::timestamptz, (cur->>'seq')::bigint))
		 ORDER BY h.moved_at, h.seq
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'id', h.id,
			'from_stage', (SELECT jsonb_build_object('id', s.id, 'name', s.name) FROM crm.stages s
			                WHERE s.org_id = h.org_id AND s.id = h.from_stage_id),
			'to_stage', (SELECT jsonb_build_object('id', s.id, 'name', s.name) FROM crm.stages s
			              WHERE s.org_id = h.org_id AND s.id = h.to_stage_id),
			'moved_at', crm.ts(h.moved_at),
			'moved_by', CASE WHEN h.moved_by IS NOT NULL THEN jsonb_build_object('type', 'user', 'id', h.moved_by)
			                 WHEN h.moved_by_key IS NOT NULL THEN jsonb_build_object('type', 'api_key', 'id', h.moved_by_key)
			                 ELSE jsonb_build_object('type', 'system', 'id', NULL) END,
			'seconds_in_previous', h.seconds_in_previous) ORDER BY i)
		  FROM generate_subscripts(rows, 1) i, LATERAL (SELECT (rows[i]).*) h WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim THEN crm.cursor_encode(jsonb_build_object(
			's', 'moved_at', 'k', to_jsonb(rows[lim].moved_at) #>> '{}', 'id', rows[lim].id, 'seq', rows[lim].seq)) END));
END $$;
