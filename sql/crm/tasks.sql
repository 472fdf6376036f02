-- sql/crm/tasks.sql: Tasks and events: JSON, writes, visibility and lookup.

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
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT vis IS NULL OR t.assignee_id = ANY (vis)
			OR (t.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.contacts c WHERE c.org_id = t.org_id AND c.id = t.contact_id
			                                           AND c.deleted_at IS NULL AND c.owner_id = ANY (vis)))
			OR (t.company_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.companies c WHERE c.org_id = t.org_id AND c.id = t.company_id
			                                           AND c.deleted_at IS NULL AND c.owner_id = ANY (vis)))
			OR (t.deal_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.deals d WHERE d.org_id = t.org_id AND d.id = t.deal_id
			                                        AND d.deleted_at IS NULL AND d.owner_id = ANY (vis)))
	);
END
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
