-- sql/api/companies.sql: Companies: CRUD and history.

CREATE FUNCTION api.companies_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'created_at', 'updated_at']);
	keytype text := CASE col WHEN 'name' THEN 'text' ELSE 'timestamptz' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := crm.fold(crm.arg_text(args, 'q', 200));
	rows crm.companies[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT c FROM crm.companies c
			 WHERE c.org_id = $1 AND c.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR c.owner_id = ANY ($2))
			   AND ($3::text IS NULL OR c.search_text LIKE $3)
			   AND ($4::uuid IS NULL OR c.owner_id = $4)
			   AND ($5::text IS NULL OR lower(c.city) = lower($5))
			   AND ($6::text IS NULL OR lower(c.industry) = lower($6))
			   AND ($7::text IS NULL OR c.tag_keys @> ARRAY[$7])
			   AND ($8::timestamptz IS NULL OR c.created_at >= $8)
			   AND ($9::timestamptz IS NULL OR c.created_at < $9)
			   AND ($10::timestamptz IS NULL OR c.updated_at >= $10)
			   AND ($11::jsonb IS NULL OR (c.%1$I, c.id) %3$s (($11->>'k')::%4$s, ($11->>'id')::uuid))
			 ORDER BY c.%1$I %2$s, c.id %2$s
			 LIMIT $12)$q$,
		col, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, CASE WHEN q <> '' THEN crm.like_pattern(q) END, crm.arg_uuid(args, 'owner_id'),
	      crm.arg_text(args, 'city'), crm.arg_text(args, 'industry'), crm.fold(crm.arg_text(args, 'tag')),
	      crm.arg_ts(args, 'created_since'), crm.arg_ts(args, 'created_until'), crm.arg_ts(args, 'updated_since'),
	      cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', to_jsonb(rows[lim])->>col, 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.company_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.companies_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	c crm.companies := crm.find_company(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.company_json(c), crm.arg_text_array(args, 'fields')), c.version);
END $$;

CREATE FUNCTION api.companies_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' OR NOT args ? 'name' THEN
		PERFORM crm.raise_validation('name', 'required', 'name is required');
	END IF;
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.phones := '[]'; c.tags := '{}'; c.tag_keys := '{}'; c.custom_fields := '{}'; c.search_text := '';
	c := crm.company_apply(p, c, args - 'id');
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.companies SELECT (c).* RETURNING * INTO c;
	RETURN crm.reply(201, crm.company_json(c), c.version, '/v1/companies/' || c.id);
END $$;

CREATE FUNCTION api.companies_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies := crm.find_company(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.company_json(c), c.version);
	END IF;
	c := crm.company_apply(p, c, coalesce(args->'patch', '{}'));
	UPDATE crm.companies SET name = c.name, domain = c.domain, phones = c.phones, email = c.email, city = c.city,
	       address = c.address, industry = c.industry, owner_id = c.owner_id, tags = c.tags,
	       custom_fields = c.custom_fields, notes = c.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.company_json(c), c.version);
END $$;

CREATE FUNCTION api.companies_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies := crm.find_company(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.company_json(c), c.version);
	END IF;
	PERFORM crm.soft_delete('crm.companies', c.org_id, c.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.companies_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	c crm.companies := crm.find_company(p, args->>'id');
BEGIN
	RETURN crm.history_reply(p.org_id, 'companies', c.id, args);
END $$;
