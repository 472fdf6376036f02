-- sql/api/tasks.sql: Tasks and events, the agenda and due reminders.

CREATE FUNCTION api.tasks_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', 'due_at');
	col text := crm.sort_column(sort, ARRAY['due_at', 'created_at', 'updated_at']);
	descending boolean := sort LIKE '-%';
	expr text := CASE col WHEN 'due_at'
	                      THEN format('coalesce(t.due_at, t.starts_at, %L::timestamptz)', CASE WHEN descending THEN '-infinity' ELSE 'infinity' END)
	                      ELSE 't.' || quote_ident(col) END;
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	rows crm.tasks[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT t FROM crm.tasks t
			 WHERE t.org_id = $1 AND t.deleted_at IS NULL
			   AND crm.task_visible(t, $2)
			   AND ($3::uuid IS NULL OR t.assignee_id = $3)
			   AND ($4::text IS NULL OR t.status = $4)
			   AND ($5::text IS NULL OR t.kind = $5)
			   AND ($6::boolean IS NULL OR $6 = coalesce(t.status = 'open' AND coalesce(t.due_at, t.ends_at) < now(), false))
			   AND ($7::timestamptz IS NULL OR coalesce(t.due_at, t.starts_at) >= $7)
			   AND ($8::timestamptz IS NULL OR coalesce(t.due_at, t.starts_at) < $8)
			   AND ($9::uuid IS NULL OR t.contact_id = $9)
			   AND ($10::uuid IS NULL OR t.company_id = $10)
			   AND ($11::uuid IS NULL OR t.deal_id = $11)
			   AND ($12::jsonb IS NULL OR (%1$s, t.id) %3$s (($12->>'k')::timestamptz, ($12->>'id')::uuid))
			 ORDER BY %1$s %2$s, t.id %2$s
			 LIMIT $13)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END)
	INTO rows
	USING p.org_id, vis, crm.arg_uuid(args, 'assignee_id'),
	      crm.arg_enum(args, 'status', ARRAY['open', 'done', 'cancelled']),
	      crm.arg_enum(args, 'kind', ARRAY['call', 'meeting', 'follow_up', 'todo', 'event']),
	      crm.arg_bool(args, 'overdue'), crm.arg_ts(args, 'due_from'), crm.arg_ts(args, 'due_to'),
	      crm.arg_uuid(args, 'contact_id'), crm.arg_uuid(args, 'company_id'), crm.arg_uuid(args, 'deal_id'),
	      cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.task_sort_key(rows[lim], col, descending), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.task_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.tasks_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:read');
	t crm.tasks := crm.find_task(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.task_json(t), crm.arg_text_array(args, 'fields')), t.version);
END $$;

CREATE FUNCTION api.tasks_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:write');
	t crm.tasks;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('title', 'required', 'title is required');
	END IF;
	t.org_id := p.org_id;
	t.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	t.kind := 'todo'; t.status := 'open'; t.all_day := false;
	t := crm.task_apply(p, t, args - 'id' - 'reminder_delivered_at' - 'completed_at' - 'overdue');
	t.created_at := now(); t.updated_at := now(); t.created_by := p.user_id; t.updated_by := p.user_id; t.version := 1;
	INSERT INTO crm.tasks SELECT (t).* RETURNING * INTO t;
	RETURN crm.reply(201, crm.task_json(t), t.version, '/v1/tasks/' || t.id);
END $$;

CREATE FUNCTION api.tasks_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:write');
	patch jsonb := coalesce(args->'patch', '{}');
	t crm.tasks := crm.find_task(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.task_json(t), t.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'id' AND crm.try_uuid(patch->>'id') IS DISTINCT FROM t.id THEN
		PERFORM crm.raise_validation('id', 'read_only', 'cannot be changed');
	END IF;
	t := crm.task_apply(p, t, patch - 'id' - 'reminder_delivered_at' - 'completed_at' - 'overdue');
	UPDATE crm.tasks SET title = t.title, notes = t.notes, kind = t.kind, due_at = t.due_at, starts_at = t.starts_at,
	       ends_at = t.ends_at, all_day = t.all_day, assignee_id = t.assignee_id, contact_id = t.contact_id,
	       company_id = t.company_id, deal_id = t.deal_id, reminder_at = t.reminder_at,
	       reminder_delivered_at = t.reminder_delivered_at, status = t.status, completed_at = t.completed_at,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id
	RETURNING * INTO t;
	RETURN crm.reply(200, crm.task_json(t), t.version);
END $$;

CREATE FUNCTION api.tasks_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:write');
	t crm.tasks := crm.find_task(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, t.version) THEN
		RETURN crm.stale(ctx, crm.task_json(t), t.version);
	END IF;
	PERFORM crm.soft_delete('crm.tasks', t.org_id, t.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.agenda(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tasks:read');
	v_from timestamptz := crm.arg_ts(args, 'from');
	v_to timestamptz := crm.arg_ts(args, 'to');
	uid uuid;
BEGIN
	IF v_from IS NULL THEN PERFORM crm.raise_validation('from', 'required', 'from is required'); END IF;
	IF v_to IS NULL THEN PERFORM crm.raise_validation('to', 'required', 'to is required'); END IF;
	IF v_to <= v_from THEN PERFORM crm.raise_validation('to', 'before_start', 'to must be after from'); END IF;
	IF v_to - v_from > interval '92 days' THEN
		PERFORM crm.raise_validation('to', 'range', 'the range is at most 92 days');
	END IF;
	BEGIN
		uid := coalesce(crm.arg_uuid(args, 'user_id'), p.user_id);
	EXCEPTION WHEN SQLSTATE 'CR422' THEN
		RAISE EXCEPTION USING ERRCODE = 'CR404', MESSAGE = 'no such user';
	END;
	IF uid IS NULL THEN
		PERFORM crm.raise_validation('user_id', 'required', 'user_id is required for API keys');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM crm.users u WHERE u.org_id = p.org_id AND u.id = uid AND u.deleted_at IS NULL) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR404', MESSAGE = 'no such user';
	END IF;
	IF crm.visible_owners(p) IS NOT NULL AND NOT uid = ANY (crm.visible_owners(p)) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'you may only see the agenda of members of your teams';
	END IF;
	RETURN crm.reply(200, jsonb_build_object('data', coalesce((
		SELECT jsonb_agg(crm.task_json(t) ORDER BY coalesce(t.starts_at, t.due_at), t.id)
		  FROM crm.tasks t
		 WHERE t.org_id = p.org_id AND t.assignee_id = uid AND t.deleted_at IS NULL AND t.status IN ('open', 'done')
		   AND ((t.kind <> 'event' AND t.due_at >= v_from AND t.due_at < v_to)
		     OR (t.kind = 'event' AND t.starts_at < v_to AND coalesce(t.ends_at, t.starts_at) >= v_from))), '[]')));
END $$;

CREATE FUNCTION api.reminders_due(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'reminders:read');
	vis uuid[] := crm.visible_owners(p);
	lim int := greatest(1, least(1000, coalesce(crm.arg_int(args, 'limit'), 100)));
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data', coalesce((
		SELECT jsonb_agg(jsonb_build_object('id', (s.x).id, 'task', crm.task_json(s.x), 'reminder_at', crm.ts((s.x).reminder_at))
		                 ORDER BY (s.x).reminder_at, (s.x).id)
		  FROM (SELECT x FROM crm.tasks x
		         WHERE x.org_id = p.org_id AND x.reminder_at IS NOT NULL AND x.reminder_delivered_at IS NULL
		           AND x.status = 'open' AND x.deleted_at IS NULL AND x.reminder_at <= now()
		           AND crm.task_visible(x, vis)
		         ORDER BY x.reminder_at, x.id
		         LIMIT lim) s), '[]'),
		'next_cursor', NULL));
END $$;

CREATE FUNCTION api.reminders_ack(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'reminders:read');
	t crm.tasks := crm.find_task(p, args->>'id', true);
BEGIN
	IF t.reminder_at IS NULL THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the task has no reminder'), NULL, NULL)::api.reply;
	END IF;
	-- Exactly once: the first ack stamps; later acks answer the same stamp.
	IF t.reminder_delivered_at IS NULL THEN
		UPDATE crm.tasks SET reminder_delivered_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
		 WHERE org_id = t.org_id AND id = t.id
		RETURNING * INTO t;
	END IF;
	RETURN crm.reply(200, jsonb_build_object('id', t.id, 'reminder_delivered_at', crm.ts(t.reminder_delivered_at)), t.version);
END $$;
