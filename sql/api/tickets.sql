-- sql/api/tickets.sql: Tickets: CRUD and status moves, the conversation,
-- satisfaction ratings and history.

CREATE FUNCTION api.tickets_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', '-created_at');
	col text := crm.sort_column(sort, ARRAY['created_at', 'updated_at', 'number', 'priority', 'due_at']);
	keytype text := CASE col WHEN 'number' THEN 'int' WHEN 'priority' THEN 'int' ELSE 'timestamptz' END;
	expr text := CASE col WHEN 'priority' THEN 'crm.ticket_priority_rank(t.priority)'
	                      WHEN 'due_at' THEN 'crm.ticket_due_at(t)'
	                      ELSE 't.' || quote_ident(col) END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := nullif(crm.fold(crm.arg_text(args, 'q', 200)), '');
	statuses text[] := crm.arg_text_array(args, 'status');
	breached text := crm.arg_enum(args, 'breached', ARRAY['first_response', 'resolution']);
	rows crm.tickets[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, CASE keytype WHEN 'int' THEN 'numeric' ELSE keytype END);
	IF cur IS NOT NULL AND keytype = 'int' THEN
		BEGIN PERFORM (cur->>'k')::int; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(statuses) s WHERE s NOT IN ('new', 'open', 'pending', 'resolved', 'closed')) THEN
		PERFORM crm.raise_validation('status', 'invalid', 'each one of new, open, pending, resolved, closed');
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT t FROM crm.tickets t
			 WHERE t.org_id = $1 AND t.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR t.assignee_id = ANY ($2))
			   AND ($3::text IS NULL OR t.search_text LIKE $3)
			   AND ($4::text[] IS NULL OR t.status = ANY ($4))
			   AND ($5::text IS NULL OR t.priority = $5)
			   AND ($6::uuid IS NULL OR t.assignee_id = $6)
			   AND ($7::uuid IS NULL OR t.team_id = $7)
			   AND ($8::uuid IS NULL OR t.contact_id = $8)
			   AND ($9::uuid IS NULL OR t.company_id = $9)
			   AND ($10::text IS NULL OR t.channel = $10)
			   AND ($11::text IS NULL OR t.type = $11)
			   AND ($12::text IS NULL OR t.tag_keys @> ARRAY[$12])
			   AND ($13::text IS NULL
			        OR ($13 = 'first_response' AND crm.ticket_first_response_breached(t))
			        OR ($13 = 'resolution' AND crm.ticket_resolution_breached(t)))
			   AND ($14::timestamptz IS NULL OR crm.ticket_due_at(t) < $14)
			   AND ($15::timestamptz IS NULL OR t.created_at >= $15)
			   AND ($16::timestamptz IS NULL OR t.created_at < $16)
			   AND ($17::timestamptz IS NULL OR t.resolved_at >= $17)
			   AND ($18::timestamptz IS NULL OR t.resolved_at < $18)
			   AND ($19::jsonb IS NULL OR (%1$s, t.id) %3$s (($19->>'k')::%4$s, ($19->>'id')::uuid))
			 ORDER BY %1$s %2$s, t.id %2$s
			 LIMIT $20)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, crm.like_pattern(q), statuses,
	      crm.arg_enum(args, 'priority', ARRAY['low', 'normal', 'high', 'urgent']),
	      crm.arg_uuid(args, 'assignee_id'), crm.arg_uuid(args, 'team_id'),
	      crm.arg_uuid(args, 'contact_id'), crm.arg_uuid(args, 'company_id'),
	      crm.arg_enum(args, 'channel', ARRAY['phone', 'email', 'sms', 'web', 'social', 'in_person', 'api']),
	      crm.arg_enum(args, 'type', ARRAY['question', 'problem', 'incident', 'request']),
	      crm.fold(crm.arg_text(args, 'tag', 100)), breached, crm.arg_ts(args, 'due_before'),
	      crm.arg_ts(args, 'created_from'), crm.arg_ts(args, 'created_to'),
	      crm.arg_ts(args, 'resolved_from'), crm.arg_ts(args, 'resolved_to'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.ticket_sort_key(rows[lim], col), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.ticket_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.tickets_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	t crm.tickets := crm.find_ticket(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.ticket_json(t), crm.arg_text_array(args, 'fields')), t.version);
END $$;

-- A new ticket is numbered, matched to its SLA policy and put on the
-- contact's timeline. A repeated external_id answers 409 with existing_id.
CREATE FUNCTION api.tickets_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:write');
	t crm.tickets;
	existing crm.tickets;
	st text;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('subject', 'required', 'subject is required');
	END IF;
	t.org_id := p.org_id;
	t.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	t.tags := '{}'; t.tag_keys := '{}'; t.custom_fields := '{}'; t.search_text := '';
	t.resolution_used_s := 0; t.resolution_breached := false; t.reopen_count := 0;
	t := crm.ticket_apply(p, t, args - 'id' - 'status', true);
	st := coalesce(crm.arg_enum(args, 'status', ARRAY['new', 'open', 'pending']), 'new');
	IF t.external_id IS NOT NULL THEN
		SELECT * INTO existing FROM crm.tickets x
		 WHERE x.org_id = p.org_id AND x.external_id = t.external_id AND x.deleted_at IS NULL;
		IF FOUND THEN
			RETURN ROW(409, crm.problem(ctx, 409, 'a ticket with this external_id exists',
				jsonb_build_object('existing_id', existing.id, 'errors', jsonb_build_array(jsonb_build_object(
					'field', 'external_id', 'code', 'duplicate', 'message', 'already recorded')))), NULL, NULL)::api.reply;
		END IF;
	END IF;
	t.created_at := now(); t.updated_at := now(); t.created_by := p.user_id; t.updated_by := p.user_id; t.version := 1;
	t.number := crm.ticket_next_number(p.org_id);
	t.status := 'new';
	t.resolution_clock_at := now();
	t := crm.ticket_sla_match(t);
	t := crm.ticket_move(t, st);
	INSERT INTO crm.tickets SELECT (t).* RETURNING * INTO t;
	PERFORM crm.ticket_entry(t, 'ticket_created', t.subject);
	RETURN crm.reply(201, crm.ticket_json(t), t.version, '/v1/tickets/' || t.id);
END $$;

-- A PATCH may change members and the status together; a change of what
-- selects the SLA policy re-matches it while the ticket is not resolved.
CREATE FUNCTION api.tickets_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:write');
	patch jsonb := coalesce(args->'patch', '{}');
	t crm.tickets := crm.find_ticket(p, args->>'id', true);
	old crm.tickets := t;
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.ticket_json(t), t.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'id' AND crm.try_uuid(patch->>'id') IS DISTINCT FROM t.id THEN
		PERFORM crm.raise_validation('id', 'read_only', 'cannot be changed');
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'number' THEN
		PERFORM crm.raise_validation('number', 'read_only', 'cannot be changed');
	END IF;
	t := crm.ticket_apply(p, t, patch - 'id' - 'status', false);
	IF patch ? 'status' THEN
		t := crm.ticket_move(t, coalesce(crm.arg_enum(patch, 'status', ARRAY['new', 'open', 'pending', 'resolved', 'closed']), t.status));
	END IF;
	IF t.resolved_at IS NULL AND (t.priority, t.channel, t.type, t.tag_keys) IS DISTINCT FROM
	                             (old.priority, old.channel, old.type, old.tag_keys) THEN
		t := crm.ticket_sla_match(t);
	END IF;
	UPDATE crm.tickets SET subject = t.subject, description = t.description, contact_id = t.contact_id,
	       company_id = t.company_id, deal_id = t.deal_id, channel = t.channel, status = t.status,
	       priority = t.priority, type = t.type, assignee_id = t.assignee_id, team_id = t.team_id,
	       tags = t.tags, custom_fields = t.custom_fields, external_id = t.external_id,
	       sla_policy_id = t.sla_policy_id, sla_calendar = t.sla_calendar,
	       sla_first_response_s = t.sla_first_response_s, sla_resolution_s = t.sla_resolution_s,
	       first_response_due_at = t.first_response_due_at, resolution_due_at = t.resolution_due_at,
	       resolution_clock_at = t.resolution_clock_at, resolution_used_s = t.resolution_used_s,
	       resolution_breached = t.resolution_breached, resolved_at = t.resolved_at, closed_at = t.closed_at,
	       reopen_count = t.reopen_count,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id
	RETURNING * INTO t;
	IF t.status <> old.status THEN
		PERFORM crm.ticket_entry(t, 'ticket_status', old.status || ' → ' || t.status,
			jsonb_build_object('from', old.status, 'to', t.status));
	END IF;
	RETURN crm.reply(200, crm.ticket_json(t), t.version);
END $$;

CREATE FUNCTION api.tickets_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:write');
	t crm.tickets := crm.find_ticket(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.ticket_json(t), t.version);
	END IF;
	PERFORM crm.soft_delete('crm.tickets', t.org_id, t.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.tickets_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	t crm.tickets := crm.find_ticket(p, args->>'id');
BEGIN
	RETURN crm.history_reply(p.org_id, 'tickets', t.id, args);
END $$;

-- The conversation, oldest first.
CREATE FUNCTION api.tickets_comments(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	t crm.tickets := crm.find_ticket(p, args->>'id');
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', 'created_at');
	rows crm.ticket_comments[];
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	rows := ARRAY(
		SELECT c FROM crm.ticket_comments c
		 WHERE c.org_id = t.org_id AND c.ticket_id = t.id
		   AND (cur IS NULL OR (c.created_at, c.id) > ((cur->>'k')::timestamptz, (cur->>'id')::uuid))
		 ORDER BY c.created_at, c.id
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.ticket_comment_json(rows[i]) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim THEN crm.cursor_encode(jsonb_build_object(
			's', 'created_at', 'k', to_jsonb(rows[lim].created_at) #>> '{}', 'id', rows[lim].id)) END));
END $$;

-- A reply or a note. kind "reply" by a user is an agent's public answer
-- (the first one stamps first_response_at and opens a new ticket); with
-- author_contact_id it is the customer's message (an integration posting
-- it), which moves a pending ticket back to open and reopens a resolved
-- one within the reopen window. Notes are internal and move nothing.
CREATE FUNCTION api.tickets_comments_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:write');
	t crm.tickets := crm.find_ticket(p, args->>'id', true);
	old crm.tickets := t;
	c crm.ticket_comments;
	kind text := crm.arg_enum(args, 'kind', ARRAY['reply', 'note']);
	from_contact boolean;
BEGIN
	IF kind IS NULL THEN PERFORM crm.raise_validation('kind', 'required', 'kind is reply or note'); END IF;
	c.org_id := t.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'comment_id'), crm.uuid_v7());
	c.ticket_id := t.id;
	c.public := kind = 'reply';
	c.body := crm.arg_text(args, 'body', 100000);
	IF c.body IS NULL THEN PERFORM crm.raise_validation('body', 'required', 'body is required'); END IF;
	c.attachments := crm.parse_attachments(args->'attachments');
	c.author_contact_id := crm.arg_uuid(args, 'author_contact_id');
	from_contact := c.author_contact_id IS NOT NULL;
	IF from_contact THEN
		IF NOT c.public THEN
			PERFORM crm.raise_validation('kind', 'invalid', 'a customer''s message is a reply');
		END IF;
		IF c.author_contact_id <> t.contact_id THEN
			PERFORM crm.raise_validation('author_contact_id', 'invalid', 'must be the ticket''s contact');
		END IF;
	ELSE
		IF p.user_id IS NULL THEN
			PERFORM crm.raise_validation('author_contact_id', 'required',
				'an API key posts the customer''s messages: give author_contact_id');
		END IF;
		c.author_user_id := p.user_id;
	END IF;
	IF t.status = 'closed' AND c.public THEN
		RAISE EXCEPTION USING ERRCODE = 'CR409', MESSAGE = 'the ticket is closed: open a new ticket';
	END IF;
	c.created_at := now();
	c.created_by := p.user_id;
	INSERT INTO crm.ticket_comments SELECT (c).* RETURNING * INTO c;
	IF c.public AND NOT from_contact THEN
		IF t.first_response_at IS NULL THEN t.first_response_at := now(); END IF;
		IF t.status = 'new' THEN t := crm.ticket_move(t, 'open'); END IF;
	ELSIF from_contact AND t.status IN ('pending', 'resolved') THEN
		t := crm.ticket_move(t, 'open');
	END IF;
	IF t IS DISTINCT FROM old THEN
		UPDATE crm.tickets SET status = t.status, first_response_at = t.first_response_at,
		       resolution_due_at = t.resolution_due_at, resolution_clock_at = t.resolution_clock_at,
		       resolution_used_s = t.resolution_used_s, resolution_breached = t.resolution_breached,
		       resolved_at = t.resolved_at, reopen_count = t.reopen_count,
		       version = version + 1, updated_at = now(), updated_by = p.user_id
		 WHERE org_id = t.org_id AND id = t.id
		RETURNING * INTO t;
	END IF;
	IF c.public THEN
		PERFORM crm.ticket_entry(t, 'ticket_reply', CASE WHEN from_contact THEN 'customer replied' ELSE 'agent replied' END,
			jsonb_build_object('comment_id', c.id, 'author', CASE WHEN from_contact THEN 'contact' ELSE 'user' END));
	END IF;
	IF t.status <> old.status THEN
		PERFORM crm.ticket_entry(t, 'ticket_status', old.status || ' → ' || t.status,
			jsonb_build_object('from', old.status, 'to', t.status));
	END IF;
	RETURN crm.reply(201, crm.ticket_comment_json(c), NULL, '/v1/tickets/' || t.id || '/comments');
END $$;

-- A customer's rating of a resolution: once per resolution, when resolved
-- or closed (409 otherwise), by the assignee recording the answer or a key
-- with tickets:csat (the survey link in an SMS).
CREATE FUNCTION api.tickets_satisfaction(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:csat');
	t crm.tickets := crm.find_ticket(p, args->>'id', true);
	r crm.ticket_ratings;
BEGIN
	IF p.user_id IS NOT NULL AND p.user_id <> t.assignee_id THEN
		RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'only the ticket''s assignee records its rating';
	END IF;
	r.rating := crm.arg_int(args, 'rating');
	IF r.rating IS NULL OR r.rating NOT BETWEEN 1 AND 5 THEN
		PERFORM crm.raise_validation('rating', 'range', 'a whole number from 1 to 5');
	END IF;
	r.comment := crm.arg_text(args, 'comment', 10000);
	IF t.status NOT IN ('resolved', 'closed') THEN
		RAISE EXCEPTION USING ERRCODE = 'CR409', MESSAGE = 'a ticket is rated once it is resolved';
	END IF;
	IF EXISTS (SELECT 1 FROM crm.ticket_ratings x
	            WHERE x.org_id = t.org_id AND x.ticket_id = t.id AND x.resolution = t.reopen_count) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR409', MESSAGE = 'this resolution is rated already';
	END IF;
	r.org_id := t.org_id;
	r.id := crm.uuid_v7();
	r.ticket_id := t.id;
	r.resolution := t.reopen_count;
	r.created_at := now();
	r.created_by := p.user_id;
	r.created_by_key := p.api_key_id;
	INSERT INTO crm.ticket_ratings SELECT (r).* RETURNING * INTO r;
	PERFORM crm.ticket_entry(t, 'ticket_rating', 'rated ' || r.rating || '/5', jsonb_build_object('rating', r.rating));
	RETURN crm.reply(201, crm.ticket_rating_json(r));
END $$;

CREATE FUNCTION api.tickets_ratings(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	t crm.tickets := crm.find_ticket(p, args->>'id');
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data', coalesce((
		SELECT jsonb_agg(crm.ticket_rating_json(r) ORDER BY r.resolution)
		  FROM crm.ticket_ratings r WHERE r.org_id = t.org_id AND r.ticket_id = t.id), '[]')));
END $$;
