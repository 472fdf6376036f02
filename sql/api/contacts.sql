-- sql/api/contacts.sql: Contacts: CRUD, timeline, history, merge.

-- The statement holds only the conditions a request uses.
-- The statement is planned on every call (its text depends on the sort);
-- with all sixteen optional conditions written as "$n IS NULL OR …" the
-- parser and planner spent ~12% of a page on conditions that fold away.
CREATE FUNCTION api.contacts_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	vis uuid[] := crm.visible_owners(p);
	-- One visible owner (a rep) is an equality, so the (owner, created_at)
	-- index can return the page in order instead of filtering the org's.
	only_owner uuid := CASE WHEN cardinality(vis) = 1 THEN vis[1] END;
	sort text := coalesce(args->>'sort', '-created_at');
	col text := crm.sort_column(sort, ARRAY['created_at', 'updated_at', 'display_name', 'last_name', 'lead_score']);
	keytype text := CASE WHEN col IN ('created_at', 'updated_at') THEN 'timestamptz'
	                     WHEN col = 'lead_score' THEN 'int' ELSE 'text' END;
	expr text := CASE col WHEN 'last_name' THEN 'coalesce(c.last_name, '''')' ELSE 'c.' || quote_ident(col) END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := crm.fold(crm.arg_text(args, 'q', 200));
	q_digits text;
	q_key text;
	bdays int := crm.arg_int(args, 'birthday_within');
	consent text := crm.arg_enum(args, 'consent', ARRAY['sms', 'email', 'phone']);
	stage text := crm.arg_enum(args, 'stage', ARRAY['lead', 'prospect', 'customer', 'inactive']);
	tag text;
	owner_f uuid;
	city text;
	company uuid;
	campaign uuid;
	source text;
	created_since timestamptz;
	created_until timestamptz;
	updated_since timestamptz;
	conds text[] := ARRAY['c.org_id = $1', 'c.deleted_at IS NULL'];
	matches text := 'c.search_text LIKE $3';
	rows crm.contacts[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF keytype = 'int' AND cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'k')::int; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
	END IF;
	IF bdays IS NOT NULL AND bdays NOT BETWEEN 0 AND 366 THEN
		PERFORM crm.raise_validation('birthday_within', 'range', 'birthday_within is 0 to 366 days');
	END IF;
	IF q = '' THEN q := NULL; END IF;
	-- A query that looks like a phone number also matches by digits and phone key.
	IF q ~ '^\+?[0-9 ()./-]+$' AND length(crm.digits(q)) >= 3 THEN
		q_digits := crm.digits(q);
		IF length(q_digits) >= 5 THEN
			q_key := crm.phone_key(q, (SELECT default_country_code FROM crm.organizations WHERE id = p.org_id));
		END IF;
		-- Each distinct pattern once: every one is a trigram index scan.
		IF q_digits = q THEN q_digits := NULL; END IF;
		IF q_key IN (q, q_digits) THEN q_key := NULL; END IF;
	END IF;
	-- Parsed in the order of the statement's USING list: the first bad one is reported.
	tag := crm.fold(crm.arg_text(args, 'tag'));
	owner_f := crm.arg_uuid(args, 'owner_id');
	city := crm.arg_text(args, 'city');
	company := crm.arg_uuid(args, 'company_id');
	campaign := crm.arg_uuid(args, 'campaign_id');
	source := crm.arg_text(args, 'source');
	created_since := crm.arg_ts(args, 'created_since');
	created_until := crm.arg_ts(args, 'created_until');
	updated_since := crm.arg_ts(args, 'updated_since');

	IF only_owner IS NOT NULL THEN
		conds := array_append(conds, 'c.owner_id = $20');
	ELSIF vis IS NOT NULL THEN
		conds := array_append(conds, 'c.owner_id = ANY ($2)');
	END IF;
	IF q_digits IS NOT NULL THEN matches := matches || ' OR c.search_text LIKE $18'; END IF;
	IF q_key IS NOT NULL THEN matches := matches || ' OR c.search_text LIKE $19'; END IF;
	IF q IS NOT NULL THEN
		conds := array_append(conds, ('(' || matches || ')'));
		-- A manager's search: find the matches first (trigram index), then
		-- sort them. Left to itself the planner walks the organization in
		-- sort order and filters, hoping to meet 50 matches early; in one
		-- team's contacts they are rare (bench: 200-800 ms, fenced ~20 ms).
		IF vis IS NOT NULL AND only_owner IS NULL THEN
			conds := array_append(conds, ('c.id = ANY (ARRAY(SELECT c.id FROM crm.contacts c WHERE c.org_id = $1
			                    AND c.deleted_at IS NULL AND c.owner_id = ANY ($2) AND (' || matches || ')))'));
		END IF;
	END IF;
	IF stage IS NOT NULL THEN conds := array_append(conds, 'c.lifecycle_stage = $4'); END IF;
	IF tag IS NOT NULL THEN conds := array_append(conds, 'c.tag_keys @> ARRAY[$5]'); END IF;
	IF owner_f IS NOT NULL THEN conds := array_append(conds, 'c.owner_id = $6'); END IF;
	IF city IS NOT NULL THEN conds := array_append(conds, 'lower(c.city) = lower($7)'); END IF;
	IF company IS NOT NULL THEN conds := array_append(conds, 'c.company_id = $8'); END IF;
	IF campaign IS NOT NULL THEN conds := array_append(conds, 'c.campaign_id = $9'); END IF;
	IF source IS NOT NULL THEN conds := array_append(conds, 'lower(c.lead_source) = lower($10)'); END IF;
	IF consent IS NOT NULL THEN conds := array_append(conds, 'c.consent->$11->''granted'' = ''true'''); END IF;
	IF bdays IS NOT NULL THEN conds := array_append(conds, 'crm.birthday_within(c.birthday, current_date, $12)'); END IF;
	IF created_since IS NOT NULL THEN conds := array_append(conds, 'c.created_at >= $13'); END IF;
	IF created_until IS NOT NULL THEN conds := array_append(conds, 'c.created_at < $14'); END IF;
	IF updated_since IS NOT NULL THEN conds := array_append(conds, 'c.updated_at >= $15'); END IF;
	IF cur IS NOT NULL THEN
		conds := array_append(conds, format('(%1$s, c.id) %2$s (($16->>''k'')::%3$s, ($16->>''id'')::uuid)',
		                         expr, CASE WHEN descending THEN '<' ELSE '>' END, keytype));
	END IF;
	EXECUTE format('SELECT ARRAY(SELECT c FROM crm.contacts c WHERE %1$s ORDER BY %2$s %3$s, c.id %3$s LIMIT $17)',
	               array_to_string(conds, ' AND '), expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END)
	INTO rows
	USING p.org_id, vis, crm.like_pattern(q), stage, tag, owner_f, city, company, campaign, source, consent, bdays,
	      created_since, created_until, updated_since, cur, lim + 1, crm.like_pattern(q_digits), crm.like_pattern(q_key),
	      only_owner;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.contact_sort_key(rows[lim], col), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply_json(200, json_build_object('data', crm.project_each(crm.contacts_json(rows[1:lim]), fields), 'next_cursor', next));
END $$;

CREATE FUNCTION api.contacts_get(ctx jsonb, args jsonb) RETURNS SETOF api.reply
LANGUAGE sql STABLE AS $$
	SELECT 200,
	       CASE WHEN p.org_id IS NULL THEN crm.refuse('CR401', 'unknown or inactive user')
	            WHEN x.c IS NULL THEN crm.refuse('CR404', 'not found')
	            WHEN args->'fields' IS NULL THEN crm.contact_doc(x.c, co, ca.id, u.name)::text
	            ELSE crm.project(crm.contact_doc(x.c, co, ca.id, u.name)::jsonb,
	                             crm.arg_text_array(args, 'fields'))::text END,
	       '"' || (x.c).version || '"', NULL::text
	  FROM (SELECT) one
	  LEFT JOIN (SELECT * FROM crm.reader(ctx, 'contacts:read') OFFSET 0) p ON true
	  LEFT JOIN LATERAL (
		SELECT c FROM crm.contacts c
		 WHERE c.org_id = p.org_id AND c.id = crm.try_uuid(args->>'id') AND c.deleted_at IS NULL
		   AND (p.vis IS NULL OR c.owner_id = ANY (p.vis)) OFFSET 0) x ON true
	  LEFT JOIN LATERAL (SELECT * FROM crm.companies y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).company_id AND y.deleted_at IS NULL OFFSET 0) co ON true
	  LEFT JOIN LATERAL (SELECT y.id FROM crm.campaigns y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).campaign_id AND y.deleted_at IS NULL OFFSET 0) ca ON true
	  LEFT JOIN LATERAL (SELECT y.name FROM crm.users y
	                      WHERE y.org_id = p.org_id AND y.id = (x.c).owner_id OFFSET 0) u ON true
$$;

CREATE FUNCTION api.contacts_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	c crm.contacts;
	dup record;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('display_name', 'required', 'a contact needs a name');
	END IF;
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.phones := '[]'; c.emails := '[]'; c.lifecycle_stage := 'lead'; c.lead_score := 0;
	c.tags := '{}'; c.tag_keys := '{}'; c.custom_fields := '{}'; c.consent := '{}'; c.preferences := '{}';
	c.display_name := ''; c.search_text := '';
	c := crm.contact_apply(p, c, args - 'id' - 'allow_duplicate');
	IF crm.arg_bool(args, 'allow_duplicate') IS NOT TRUE THEN
		SELECT * INTO dup FROM crm.contact_duplicate(p, c.phones, c.emails, NULL);
		IF dup.existing IS NOT NULL THEN
			RETURN crm.duplicate_reply(ctx, dup.existing, dup.field, dup.visible);
		END IF;
	END IF;
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.contacts SELECT (c).* RETURNING * INTO c;
	RETURN crm.reply(201, crm.contact_json(c), c.version, '/v1/contacts/' || c.id);
END $$;

CREATE FUNCTION api.contacts_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	patch jsonb := coalesce(args->'patch', '{}');
	c crm.contacts := crm.find_contact(p, args->>'id', true);
	old crm.contacts := c;
	dup record;
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.contact_json(c), c.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND (patch ? 'id' OR patch ? 'merged_into') THEN
		PERFORM crm.raise_validation(CASE WHEN patch ? 'id' THEN 'id' ELSE 'merged_into' END, 'read_only', 'cannot be changed');
	END IF;
	c := crm.contact_apply(p, c, patch - 'allow_duplicate');
	-- Only numbers and addresses this contact did not have before are checked.
	IF crm.arg_bool(patch, 'allow_duplicate') IS NOT TRUE AND crm.arg_bool(args, 'allow_duplicate') IS NOT TRUE
	   AND (patch ? 'phones' OR patch ? 'emails') THEN
		SELECT * INTO dup FROM crm.contact_duplicate(p,
			coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(c.phones) e
			           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(old.phones) o WHERE o->>'key' = e->>'key')), '[]'),
			coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(c.emails) e
			           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(old.emails) o WHERE o->>'address' = e->>'address')), '[]'),
			c.id);
		IF dup.existing IS NOT NULL THEN
			RETURN crm.duplicate_reply(ctx, dup.existing, dup.field, dup.visible);
		END IF;
	END IF;
	UPDATE crm.contacts SET first_name = c.first_name, last_name = c.last_name, display_name_given = c.display_name_given,
	       phones = c.phones, emails = c.emails, birthday = c.birthday, city = c.city, address = c.address,
	       job_title = c.job_title, company_id = c.company_id, lifecycle_stage = c.lifecycle_stage,
	       lead_source = c.lead_source, campaign_id = c.campaign_id, lead_score = c.lead_score, tags = c.tags,
	       custom_fields = c.custom_fields, consent = c.consent, preferences = c.preferences, notes = c.notes,
	       owner_id = c.owner_id, version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.contact_json(c), c.version);
END $$;

CREATE FUNCTION api.contacts_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	c crm.contacts := crm.find_contact(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.contact_json(c), c.version);
	END IF;
	PERFORM crm.soft_delete('crm.contacts', c.org_id, c.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.contacts_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	c crm.contacts := crm.find_contact(p, args->>'id');
BEGIN
	RETURN crm.history_reply(p.org_id, 'contacts', c.id, args);
END $$;

CREATE FUNCTION api.contacts_timeline(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:read');
	c crm.contacts := crm.find_contact(p, args->>'id');
BEGIN
	RETURN crm.activities_page(p, args - 'contact_id' - 'owner_id', c.id);
END $$;

CREATE FUNCTION api.contacts_merge(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	t crm.contacts;
	s crm.contacts;
	tbl text;
	src_id uuid := crm.try_uuid(args->>'source_id');
BEGIN
	IF src_id IS NULL THEN
		PERFORM crm.raise_validation('source_id', 'required', 'source_id is required');
	END IF;
	IF src_id = crm.try_uuid(args->>'id') THEN
		PERFORM crm.raise_validation('source_id', 'same', 'a contact cannot be merged into itself');
	END IF;
	-- Lock both in id order (no deadlock between two opposite merges).
	IF src_id < crm.try_uuid(args->>'id') THEN
		s := crm.find_contact(p, src_id::text, true);
		t := crm.find_contact(p, args->>'id', true);
	ELSE
		t := crm.find_contact(p, args->>'id', true);
		s := crm.find_contact(p, src_id::text, true);
	END IF;
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.contact_json(t), t.version);
	END IF;
	FOREACH tbl IN ARRAY crm.contact_child_tables() LOOP
		EXECUTE format('UPDATE crm.%I SET contact_id = $1, version = version + 1, updated_at = now(), updated_by = $2
		                 WHERE org_id = $3 AND contact_id = $4 AND deleted_at IS NULL', tbl)
		USING t.id, p.user_id, p.org_id, s.id;
	END LOOP;
	UPDATE crm.contacts SET
	       first_name = coalesce(t.first_name, s.first_name),
	       last_name = coalesce(t.last_name, s.last_name),
	       -- A name derived from the target's own names beats the source's.
	       display_name_given = CASE WHEN t.first_name IS NULL AND t.last_name IS NULL
	                                 THEN coalesce(t.display_name_given, s.display_name_given)
	                                 ELSE t.display_name_given END,
	       phones = t.phones || coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(s.phones) e
	                                      WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(t.phones) o WHERE o->>'key' = e->>'key')), '[]'),
	       emails = t.emails || coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(s.emails) e
	                                      WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(t.emails) o WHERE o->>'address' = e->>'address')), '[]'),
	       birthday = coalesce(t.birthday, s.birthday),
	       city = coalesce(t.city, s.city),
	       address = coalesce(t.address, s.address),
	       job_title = coalesce(t.job_title, s.job_title),
	       company_id = coalesce(t.company_id, s.company_id),
	       lead_source = coalesce(t.lead_source, s.lead_source),
	       campaign_id = coalesce(t.campaign_id, s.campaign_id),
	       notes = coalesce(t.notes, s.notes),
	       tags = t.tags || ARRAY(SELECT x FROM unnest(s.tags) x WHERE NOT crm.fold(x) = ANY (t.tag_keys)),
	       custom_fields = s.custom_fields || t.custom_fields,
	       consent = s.consent || t.consent,
	       preferences = s.preferences || t.preferences,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id;
	UPDATE crm.contacts SET merged_into = t.id, deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = s.org_id AND id = s.id;
	PERFORM crm.system_entry(t.org_id, t.id, t.owner_id, 'merge',
		jsonb_build_object('source_id', s.id, 'source_name', s.display_name), 'Merged ' || s.display_name);
	SELECT * INTO t FROM crm.contacts WHERE org_id = t.org_id AND id = t.id;
	RETURN crm.reply(200, crm.contact_json(t), t.version);
END $$;
