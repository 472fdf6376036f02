-- 0007_tasks: tasks and calendar events (one table), the agenda, reminders
-- for the delivery integration. A task is visible when its assignee is among
-- the caller's visible owners or its related record (contact, company or
-- deal; at most one) is visible to the caller.
SET ROLE crm_owner;

CREATE TABLE crm.tasks (
	org_id                uuid        NOT NULL,
	id                    uuid        NOT NULL DEFAULT crm.uuid_v7(),
	title                 text        NOT NULL,
	notes                 text,
	kind                  text        NOT NULL DEFAULT 'todo',
	due_at                timestamptz,
	starts_at             timestamptz,
	ends_at               timestamptz,
	all_day               boolean     NOT NULL DEFAULT false,
	assignee_id           uuid        NOT NULL,
	contact_id            uuid,
	company_id            uuid,
	deal_id               uuid,
	reminder_at           timestamptz,
	reminder_delivered_at timestamptz,
	status                text        NOT NULL DEFAULT 'open',
	completed_at          timestamptz,
	created_at            timestamptz NOT NULL DEFAULT now(),
	updated_at            timestamptz NOT NULL DEFAULT now(),
	created_by            uuid,
	updated_by            uuid,
	version               int         NOT NULL DEFAULT 1,
	deleted_at            timestamptz,
	CONSTRAINT tasks__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT tasks__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT tasks__assignee_id__fk FOREIGN KEY (org_id, assignee_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT tasks__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT tasks__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT tasks__deal_id__fk FOREIGN KEY (org_id, deal_id) REFERENCES crm.deals (org_id, id),
	CONSTRAINT tasks__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT tasks__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT tasks__title__ck CHECK (length(title) BETWEEN 1 AND 500),
	CONSTRAINT tasks__kind__ck CHECK (kind IN ('call', 'meeting', 'follow_up', 'todo', 'event')),
	CONSTRAINT tasks__status__ck CHECK (status IN ('open', 'done', 'cancelled')),
	CONSTRAINT tasks__starts_at__ck CHECK ((kind = 'event') = (starts_at IS NOT NULL)),
	CONSTRAINT tasks__ends_at__ck CHECK (ends_at IS NULL OR (kind = 'event' AND ends_at >= starts_at)),
	CONSTRAINT tasks__due_at__ck CHECK (due_at IS NULL OR kind <> 'event'),
	CONSTRAINT tasks__all_day__ck CHECK (NOT all_day OR kind = 'event'),
	CONSTRAINT tasks__completed_at__ck CHECK ((status = 'done') = (completed_at IS NOT NULL)),
	CONSTRAINT tasks__deal_id__ck CHECK (num_nonnulls(contact_id, company_id, deal_id) <= 1)
);
CREATE INDEX tasks__assignee__ix ON crm.tasks (org_id, assignee_id, (coalesce(due_at, starts_at))) WHERE deleted_at IS NULL;
CREATE INDEX tasks__due__ix ON crm.tasks (org_id, (coalesce(due_at, starts_at, 'infinity'::timestamptz)), id) WHERE deleted_at IS NULL;
CREATE INDEX tasks__created_at__ix ON crm.tasks (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks__updated_at__ix ON crm.tasks (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tasks__contact__ix ON crm.tasks (org_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX tasks__company__ix ON crm.tasks (org_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX tasks__deal__ix ON crm.tasks (org_id, deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX tasks__reminder__ix ON crm.tasks (org_id, reminder_at, id)
	WHERE reminder_at IS NOT NULL AND reminder_delivered_at IS NULL AND status = 'open' AND deleted_at IS NULL;
CREATE TRIGGER tasks__audit AFTER INSERT OR UPDATE OR DELETE ON crm.tasks
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.task_json(t crm.tasks) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', t.id, 'title', t.title, 'notes', t.notes, 'kind', t.kind,
		'due_at', crm.ts(t.due_at), 'starts_at', crm.ts(t.starts_at), 'ends_at', crm.ts(t.ends_at), 'all_day', t.all_day,
		'assignee_id', t.assignee_id, 'assignee', crm.user_ref(t.org_id, t.assignee_id),
		'contact_id', t.contact_id, 'company_id', t.company_id, 'deal_id', t.deal_id,
		'reminder_at', crm.ts(t.reminder_at), 'reminder_delivered_at', crm.ts(t.reminder_delivered_at),
		'status', t.status, 'completed_at', crm.ts(t.completed_at),
		'overdue', coalesce(t.status = 'open' AND coalesce(t.due_at, t.ends_at) < now(), false),
		'created_at', crm.ts(t.created_at), 'updated_at', crm.ts(t.updated_at),
		'created_by', t.created_by, 'updated_by', t.updated_by, 'version', t.version)
$$;

-- May the caller see this task? (vis = crm.visible_owners(p); NULL = all)
CREATE FUNCTION crm.task_visible(t crm.tasks, vis uuid[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT vis IS NULL OR t.assignee_id = ANY (vis)
		OR (t.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.contacts c WHERE c.org_id = t.org_id AND c.id = t.contact_id
		                                           AND c.deleted_at IS NULL AND c.owner_id = ANY (vis)))
		OR (t.company_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.companies c WHERE c.org_id = t.org_id AND c.id = t.company_id
		                                           AND c.deleted_at IS NULL AND c.owner_id = ANY (vis)))
		OR (t.deal_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.deals d WHERE d.org_id = t.org_id AND d.id = t.deal_id
		                                        AND d.deleted_at IS NULL AND d.owner_id = ANY (vis)))
$$;

-- The live task with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_task(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.tasks
LANGUAGE plpgsql AS $$
DECLARE
	t crm.tasks;
BEGIN
	IF lock THEN
		SELECT * INTO t FROM crm.tasks x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO t FROM crm.tasks x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND OR NOT crm.task_visible(t, crm.visible_owners(p)) THEN PERFORM crm.not_found(); END IF;
	RETURN t;
END $$;

-- Applies create args / a patch to a task row, validating every member.
CREATE FUNCTION crm.task_apply(p crm.principal, t crm.tasks, patch jsonb) RETURNS crm.tasks
LANGUAGE plpgsql STABLE AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
	m text;
	old_reminder timestamptz := t.reminder_at;
	old_status text := t.status;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'title' OR t.title IS NULL THEN
		t.title := crm.arg_text(patch, 'title', 500);
		IF t.title IS NULL THEN PERFORM crm.raise_validation('title', 'required', 'title is required'); END IF;
	END IF;
	IF patch ? 'notes' THEN t.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	IF patch ? 'kind' THEN
		t.kind := crm.arg_enum(patch, 'kind', ARRAY['call', 'meeting', 'follow_up', 'todo', 'event']);
		IF t.kind IS NULL THEN PERFORM crm.raise_validation('kind', 'required', 'kind cannot be null'); END IF;
	END IF;
	IF patch ? 'due_at' THEN t.due_at := crm.arg_ts(patch, 'due_at'); END IF;
	IF patch ? 'starts_at' THEN t.starts_at := crm.arg_ts(patch, 'starts_at'); END IF;
	IF patch ? 'ends_at' THEN t.ends_at := crm.arg_ts(patch, 'ends_at'); END IF;
	IF patch ? 'all_day' THEN t.all_day := coalesce(crm.arg_bool(patch, 'all_day'), false); END IF;
	IF patch ? 'reminder_at' THEN t.reminder_at := crm.arg_ts(patch, 'reminder_at'); END IF;
	-- A new reminder time is a new reminder: it will be delivered again.
	IF t.reminder_at IS DISTINCT FROM old_reminder THEN t.reminder_delivered_at := NULL; END IF;
	IF patch ? 'status' THEN
		t.status := crm.arg_enum(patch, 'status', ARRAY['open', 'done', 'cancelled']);
		IF t.status IS NULL THEN PERFORM crm.raise_validation('status', 'required', 'status cannot be null'); END IF;
	END IF;
	IF t.status = 'done' AND (old_status IS DISTINCT FROM 'done' OR t.completed_at IS NULL) THEN
		t.completed_at := now();
	ELSIF t.status <> 'done' THEN
		t.completed_at := NULL;
	END IF;
	-- The related record (at most one), visible to the caller.
	IF patch ? 'contact_id' THEN
		t.contact_id := crm.arg_uuid(patch, 'contact_id');
		IF t.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.contacts x
		      WHERE x.org_id = p.org_id AND x.id = t.contact_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('contact_id', 'not_found', 'no such contact');
		END IF;
	END IF;
	IF patch ? 'company_id' THEN
		t.company_id := crm.arg_uuid(patch, 'company_id');
		IF t.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
		      WHERE x.org_id = p.org_id AND x.id = t.company_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('company_id', 'not_found', 'no such company');
		END IF;
	END IF;
	IF patch ? 'deal_id' THEN
		t.deal_id := crm.arg_uuid(patch, 'deal_id');
		IF t.deal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.deals x
		      WHERE x.org_id = p.org_id AND x.id = t.deal_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('deal_id', 'not_found', 'no such deal');
		END IF;
	END IF;
	IF num_nonnulls(t.contact_id, t.company_id, t.deal_id) > 1 THEN
		PERFORM crm.raise_validation(CASE WHEN t.deal_id IS NOT NULL AND patch ? 'deal_id' THEN 'deal_id'
		                                  WHEN t.company_id IS NOT NULL AND patch ? 'company_id' THEN 'company_id'
		                                  ELSE 'contact_id' END,
			'conflict', 'a task relates to at most one of contact_id, company_id, deal_id');
	END IF;
	-- Kind rules: an event has starts_at (and maybe ends_at), no due_at;
	-- the other kinds have due_at or nothing, no starts_at/ends_at/all_day.
	IF t.kind = 'event' THEN
		IF t.starts_at IS NULL THEN
			PERFORM crm.raise_validation('starts_at', 'required', 'an event needs starts_at');
		END IF;
		IF t.due_at IS NOT NULL THEN
			PERFORM crm.raise_validation('due_at', 'not_applicable', 'an event has starts_at/ends_at, not due_at');
		END IF;
		IF t.ends_at < t.starts_at THEN
			PERFORM crm.raise_validation('ends_at', 'before_start', 'ends_at must not be before starts_at');
		END IF;
	ELSE
		FOREACH m IN ARRAY ARRAY['starts_at', 'ends_at'] LOOP
			IF to_jsonb(t)->m IS DISTINCT FROM 'null'::jsonb THEN
				PERFORM crm.raise_validation(m, 'not_applicable', format('%s applies to events only', m));
			END IF;
		END LOOP;
		IF t.all_day THEN
			PERFORM crm.raise_validation('all_day', 'not_applicable', 'all_day applies to events only');
		END IF;
	END IF;
	IF patch ? 'assignee_id' OR t.assignee_id IS NULL THEN
		IF patch ? 'assignee_id' AND jsonb_typeof(patch->'assignee_id') = 'null' AND t.assignee_id IS NOT NULL THEN
			PERFORM crm.raise_validation('assignee_id', 'required', 'assignee_id cannot be null');
		END IF;
		t.assignee_id := crm.check_owner(p, crm.arg_uuid(patch, 'assignee_id'), 'assignee_id');
	END IF;
	RETURN t;
END $$;

-- Sort keys of tasks_list as text for the cursor; "due_at" orders by the
-- due time of a task or the start of an event, without one last.
CREATE FUNCTION crm.task_sort_key(t crm.tasks, col text, descending boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE col
		WHEN 'due_at' THEN to_jsonb(coalesce(t.due_at, t.starts_at,
		                   CASE WHEN descending THEN '-infinity'::timestamptz ELSE 'infinity'::timestamptz END)) #>> '{}'
		WHEN 'created_at' THEN to_jsonb(t.created_at) #>> '{}'
		WHEN 'updated_at' THEN to_jsonb(t.updated_at) #>> '{}' END
$$;

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
	UPDATE crm.tasks SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = t.org_id AND id = t.id;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Agenda: one user's open and done tasks and events overlapping [from, to)
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- Reminders (the delivery integration: API keys with reminders:read)
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- Merge: a contact's tasks move with its deals and activities.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION crm.contact_child_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['activities', 'deals', 'tasks']
$$;

RESET ROLE;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO crm_app;
-- (the blanket grant must not reach the bootstrap function of 0001)
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app, PUBLIC;
GRANT SELECT, INSERT, UPDATE ON crm.tasks TO crm_app;
