-- 0014_list_conditions: a contact list's statement holds only the
-- conditions the request uses.
--
-- api.contacts_list builds its statement per request (the text depends on
-- the sort) and PostgreSQL parses and plans it on every call. With all
-- sixteen optional filters written as "$n IS NULL OR …", most of that work
-- went into conditions that fold away (bench, a rep's first page of 50:
-- ~12% of the call in the parser and planner; 2.0-2.4 -> 1.85-1.95 ms).
SET ROLE crm_owner;

-- As in 0010, with only the conditions a request uses in its statement.
-- The statement is planned on every call (its text depends on the sort);
-- with all sixteen optional conditions written as "$n IS NULL OR …" the
-- parser and planner spent ~12% of a page on conditions that fold away.
CREATE OR REPLACE FUNCTION api.contacts_list(ctx jsonb, args jsonb) RETURNS api.reply
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
	-- Parsed in the order of 0010's USING list: the first bad one is reported.
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

RESET ROLE;
