-- sql/crm/tickets.sql: Tickets: numbers, SLA policy matching and clocks,
-- status transitions, JSON, writes, derived columns and timeline entries.

-- "T-1042": the number people quote on the phone.
CREATE FUNCTION crm.ticket_label(n int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT 'T-' || n
$$;

-- The next ticket number of an organization (the counter row's lock orders
-- concurrent creates; a rolled-back create leaves a gap, as a sequence would).
CREATE FUNCTION crm.ticket_next_number(org uuid) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	INSERT INTO crm.ticket_counters AS c (org_id, last_number) VALUES (org, 1)
	ON CONFLICT (org_id) DO UPDATE SET last_number = c.last_number + 1
	RETURNING c.last_number INTO n;
	RETURN n;
END $$;

-- The desk's settings, with the defaults when none were saved.
CREATE FUNCTION crm.ticket_settings_of(org uuid) RETURNS crm.ticket_settings
LANGUAGE plpgsql STABLE AS $$
DECLARE
	s crm.ticket_settings;
BEGIN
	SELECT * INTO s FROM crm.ticket_settings x WHERE x.org_id = org;
	IF NOT FOUND THEN
		s.org_id := org; s.reopen_days := 7; s.version := 0;
	END IF;
	RETURN s;
END $$;

CREATE FUNCTION crm.ticket_settings_json(s crm.ticket_settings) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('reopen_days', s.reopen_days, 'updated_at', crm.ts(s.updated_at),
		'updated_by', s.updated_by, 'version', s.version)
$$;

-- The live SLA policy for a ticket: of its priority, and of its channel,
-- type and one of its tags where the policy names them; the most specific
-- wins, then the oldest. NULL when none applies.
CREATE FUNCTION crm.sla_policy_for(t crm.tickets) RETURNS crm.sla_policies
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT s FROM crm.sla_policies s
		 WHERE s.org_id = t.org_id AND s.deleted_at IS NULL AND s.priority = t.priority
		   AND (s.channel IS NULL OR s.channel = t.channel)
		   AND (s.type IS NULL OR s.type = t.type)
		   AND (s.tag IS NULL OR crm.fold(s.tag) = ANY (t.tag_keys))
		 ORDER BY (s.channel IS NOT NULL)::int + (s.type IS NOT NULL)::int + (s.tag IS NOT NULL)::int DESC,
		          s.created_at, s.id
		 LIMIT 1
	);
END
$$;

-- Sets the ticket's SLA from the policy that matches it now: its targets and
-- calendar are copied (a later change of the policy does not touch the
-- ticket), the first-response due time counts from the ticket's creation,
-- and a running resolution clock gets its due time from what it has used.
-- Called when a ticket is opened and when its priority, channel, type or
-- tags change while it is not resolved.
CREATE FUNCTION crm.ticket_sla_match(t crm.tickets) RETURNS crm.tickets
LANGUAGE plpgsql STABLE AS $$
DECLARE
	pol crm.sla_policies := crm.sla_policy_for(t);
BEGIN
	t.sla_policy_id := pol.id;
	t.sla_calendar := pol.business_hours;
	t.sla_first_response_s := pol.first_response_minutes * 60;
	t.sla_resolution_s := pol.resolution_minutes * 60;
	t.first_response_due_at := crm.sla_add(t.created_at, t.sla_first_response_s, t.sla_calendar);
	t.resolution_due_at := CASE WHEN t.resolution_clock_at IS NOT NULL
		THEN crm.sla_add(t.resolution_clock_at, t.sla_resolution_s - t.resolution_used_s, t.sla_calendar) END;
	RETURN t;
END $$;

-- Stops the resolution clock (pending, resolved, closed): the working time
-- it ran is kept, and so is a breach that happened while it ran.
CREATE FUNCTION crm.ticket_clock_stop(t crm.tickets, at timestamptz DEFAULT now()) RETURNS crm.tickets
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF t.resolution_clock_at IS NULL THEN RETURN t; END IF;
	t.resolution_used_s := t.resolution_used_s + crm.sla_between(t.resolution_clock_at, at, t.sla_calendar);
	t.resolution_breached := t.resolution_breached OR coalesce(at > t.resolution_due_at, false);
	t.resolution_clock_at := NULL;
	t.resolution_due_at := NULL;
	RETURN t;
END $$;

-- Starts (or resumes) the resolution clock with the time it has left.
CREATE FUNCTION crm.ticket_clock_start(t crm.tickets, at timestamptz DEFAULT now()) RETURNS crm.tickets
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF t.resolution_clock_at IS NOT NULL THEN RETURN t; END IF;
	t.resolution_clock_at := at;
	t.resolution_due_at := crm.sla_add(at, t.sla_resolution_s - t.resolution_used_s, t.sla_calendar);
	RETURN t;
END $$;

-- The statuses a ticket may move to from `status`. Closed is final; a
-- resolved ticket reopens (to open) within the desk's reopen window.
CREATE FUNCTION crm.ticket_next_statuses(status text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE status
		WHEN 'new' THEN ARRAY['open', 'pending', 'resolved']
		WHEN 'open' THEN ARRAY['pending', 'resolved']
		WHEN 'pending' THEN ARRAY['open', 'resolved']
		WHEN 'resolved' THEN ARRAY['open', 'closed']
		ELSE '{}'::text[] END
$$;

-- Moves a ticket to status `to`: checks the transition (422 naming the
-- allowed ones), the reopen window, and keeps the clocks and the resolution
-- stamps in step. The same status is no move.
CREATE FUNCTION crm.ticket_move(t crm.tickets, to_status text, at timestamptz DEFAULT now()) RETURNS crm.tickets
LANGUAGE plpgsql STABLE AS $$
DECLARE
	allowed text[] := crm.ticket_next_statuses(t.status);
	days int;
BEGIN
	IF to_status = t.status THEN RETURN t; END IF;
	IF NOT to_status = ANY (allowed) THEN
		PERFORM crm.raise_validation('status', 'invalid_transition',
			CASE WHEN cardinality(allowed) = 0 THEN 'a ' || t.status || ' ticket cannot change status'
			     ELSE 'from ' || t.status || ' a ticket may move to ' || array_to_string(allowed, ', ') END);
	END IF;
	IF t.status = 'resolved' AND to_status = 'open' THEN
		days := (crm.ticket_settings_of(t.org_id)).reopen_days;
		IF at > t.resolved_at + make_interval(days => days) THEN
			PERFORM crm.raise_validation('status', 'reopen_window_passed',
				'a ticket may be reopened within ' || days || ' days of being resolved; open a new ticket');
		END IF;
		t.resolved_at := NULL;
		t.reopen_count := t.reopen_count + 1;
	END IF;
	IF to_status IN ('pending', 'resolved', 'closed') THEN
		t := crm.ticket_clock_stop(t, at);
	ELSE
		t := crm.ticket_clock_start(t, at);
	END IF;
	IF to_status = 'resolved' THEN t.resolved_at := at; END IF;
	IF to_status = 'closed' THEN t.closed_at := at; END IF;
	t.status := to_status;
	RETURN t;
END $$;

-- Was (or is) the first response late? Answered: by its time; resolved
-- without one: by the resolution (that ends the wait); else by now.
CREATE FUNCTION crm.ticket_first_response_breached(t crm.tickets, at timestamptz DEFAULT now()) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce(coalesce(t.first_response_at, t.resolved_at, at) > t.first_response_due_at, false)
$$;

-- Was the resolution target missed while the clock ran, or is it running late?
CREATE FUNCTION crm.ticket_resolution_breached(t crm.tickets, at timestamptz DEFAULT now()) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT t.resolution_breached OR coalesce(t.resolution_clock_at IS NOT NULL AND at > t.resolution_due_at, false)
$$;

-- Seconds of working time from now until `due` (negative once passed).
CREATE FUNCTION crm.sla_remaining(due timestamptz, cal jsonb, at timestamptz DEFAULT now()) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN due IS NULL THEN NULL
	            WHEN due >= at THEN round(crm.sla_between(at, due, cal))::bigint
	            ELSE -round(crm.sla_between(due, at, cal))::bigint END
$$;

-- The ticket's SLA as read now: breach flags are computed from the clocks,
-- so they are right whenever the ticket is read. NULL without a policy.
CREATE FUNCTION crm.ticket_sla_json(t crm.tickets) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	IF t.sla_policy_id IS NULL THEN RETURN NULL; END IF;
	RETURN (
		SELECT jsonb_build_object(
			'policy', jsonb_build_object('id', s.id, 'name', s.name),
			'business_hours', t.sla_calendar IS NOT NULL,
			'first_response', jsonb_build_object(
				'target_minutes', t.sla_first_response_s / 60,
				'due_at', crm.ts(t.first_response_due_at),
				'remaining_seconds', CASE WHEN t.first_response_at IS NULL AND t.resolved_at IS NULL
				                          THEN crm.sla_remaining(t.first_response_due_at, t.sla_calendar) END,
				'breached', crm.ticket_first_response_breached(t)),
			'resolution', jsonb_build_object(
				'target_minutes', t.sla_resolution_s / 60,
				'due_at', crm.ts(t.resolution_due_at),
				'paused', t.status = 'pending',
				'remaining_seconds', CASE WHEN t.resolution_clock_at IS NOT NULL THEN crm.sla_remaining(t.resolution_due_at, t.sla_calendar)
				                          WHEN t.status = 'pending' THEN round(t.sla_resolution_s - t.resolution_used_s)::bigint END,
				'breached', crm.ticket_resolution_breached(t)))
		  FROM crm.sla_policies s WHERE s.org_id = t.org_id AND s.id = t.sla_policy_id
	);
END
$$;

CREATE FUNCTION crm.ticket_json(t crm.tickets) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', t.id, 'number', crm.ticket_label(t.number), 'subject', t.subject,
			'description', t.description,
			'contact_id', t.contact_id,
			'contact', (SELECT jsonb_build_object('id', c.id, 'display_name', c.display_name) FROM crm.contacts c
			             WHERE c.org_id = t.org_id AND c.id = t.contact_id),
			'company_id', t.company_id, 'deal_id', t.deal_id,
			'channel', t.channel, 'status', t.status, 'priority', t.priority, 'type', t.type,
			'assignee_id', t.assignee_id, 'assignee', crm.user_ref(t.org_id, t.assignee_id), 'team_id', t.team_id,
			'tags', to_jsonb(t.tags), 'custom_fields', crm.custom_values_json(t.org_id, 'ticket', t.custom_fields),
			'external_id', t.external_id,
			'sla', crm.ticket_sla_json(t),
			'first_response_at', crm.ts(t.first_response_at), 'resolved_at', crm.ts(t.resolved_at),
			'closed_at', crm.ts(t.closed_at), 'reopen_count', t.reopen_count,
			'created_at', crm.ts(t.created_at), 'updated_at', crm.ts(t.updated_at),
			'created_by', t.created_by, 'updated_by', t.updated_by, 'version', t.version)
	);
END
$$;

-- The live ticket with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_ticket(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.tickets
LANGUAGE plpgsql AS $$
DECLARE
	t crm.tickets;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF lock THEN
		SELECT * INTO t FROM crm.tickets x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.assignee_id = ANY (vis)) FOR UPDATE;
	ELSE
		SELECT * INTO t FROM crm.tickets x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.assignee_id = ANY (vis));
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN t;
END $$;

-- Applies create args / a patch to a ticket row, validating every member
-- (status moves go through crm.ticket_move, by the caller).
CREATE FUNCTION crm.ticket_apply(p crm.principal, t crm.tickets, patch jsonb, creating boolean) RETURNS crm.tickets
LANGUAGE plpgsql STABLE AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'subject' OR creating THEN
		t.subject := crm.arg_text(patch, 'subject', 500);
		IF t.subject IS NULL THEN PERFORM crm.raise_validation('subject', 'required', 'subject is required'); END IF;
	END IF;
	IF patch ? 'description' THEN t.description := crm.arg_text(patch, 'description', 100000); END IF;
	IF patch ? 'contact_id' OR creating THEN
		t.contact_id := crm.arg_uuid(patch, 'contact_id');
		IF t.contact_id IS NULL THEN PERFORM crm.raise_validation('contact_id', 'required', 'contact_id is required'); END IF;
		IF NOT EXISTS (SELECT 1 FROM crm.contacts x
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
	ELSIF creating THEN
		SELECT c.company_id INTO t.company_id FROM crm.contacts c WHERE c.org_id = p.org_id AND c.id = t.contact_id;
	END IF;
	IF patch ? 'deal_id' THEN
		t.deal_id := crm.arg_uuid(patch, 'deal_id');
		IF t.deal_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.deals x
		      WHERE x.org_id = p.org_id AND x.id = t.deal_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('deal_id', 'not_found', 'no such deal');
		END IF;
	END IF;
	IF patch ? 'channel' OR creating THEN
		t.channel := coalesce(crm.arg_enum(patch, 'channel', ARRAY['phone', 'email', 'sms', 'web', 'social', 'in_person', 'api']),
		                      CASE WHEN p.api_key_id IS NOT NULL THEN 'api' ELSE 'web' END);
	END IF;
	IF patch ? 'priority' OR creating THEN
		t.priority := coalesce(crm.arg_enum(patch, 'priority', ARRAY['low', 'normal', 'high', 'urgent']), 'normal');
	END IF;
	IF patch ? 'type' THEN t.type := crm.arg_enum(patch, 'type', ARRAY['question', 'problem', 'incident', 'request']); END IF;
	IF patch ? 'team_id' THEN
		t.team_id := crm.arg_uuid(patch, 'team_id');
		IF t.team_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.teams x
		      WHERE x.org_id = p.org_id AND x.id = t.team_id AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('team_id', 'not_found', 'no such team');
		END IF;
	END IF;
	IF patch ? 'tags' THEN t.tags := crm.parse_tags(patch->'tags'); t.tag_keys := crm.fold_tags(t.tags); END IF;
	IF patch ? 'custom_fields' THEN
		t.custom_fields := crm.custom_values(p.org_id, 'ticket', t.custom_fields, patch->'custom_fields');
	END IF;
	IF patch ? 'external_id' THEN
		IF NOT creating AND crm.arg_text(patch, 'external_id', 200) IS DISTINCT FROM t.external_id THEN
			PERFORM crm.raise_validation('external_id', 'read_only', 'cannot be changed');
		END IF;
		t.external_id := crm.arg_text(patch, 'external_id', 200);
	END IF;
	IF patch ? 'assignee_id' OR t.assignee_id IS NULL THEN
		IF patch ? 'assignee_id' AND jsonb_typeof(patch->'assignee_id') = 'null' AND t.assignee_id IS NOT NULL THEN
			PERFORM crm.raise_validation('assignee_id', 'required', 'assignee_id cannot be null');
		END IF;
		t.assignee_id := crm.check_owner(p, crm.arg_uuid(patch, 'assignee_id'), 'assignee_id');
	END IF;
	RETURN t;
END $$;

-- Derived columns: folded tags and the search text (subject and number,
-- "T-1042" and "1042", folded like contacts).
CREATE FUNCTION crm.tickets_derive() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.tag_keys := crm.fold_tags(NEW.tags);
	IF TG_OP = 'INSERT' OR NEW.subject IS DISTINCT FROM OLD.subject THEN
		NEW.search_text := coalesce(crm.fold(concat_ws(' ', crm.ticket_label(NEW.number), NEW.number, NEW.subject)), '');
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER tickets__derive BEFORE INSERT OR UPDATE ON crm.tickets
	FOR EACH ROW EXECUTE FUNCTION crm.tickets_derive();

-- A timeline entry on the ticket's contact.
CREATE FUNCTION crm.ticket_entry(t crm.tickets, ev text, subj text, extra jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM crm.system_entry(t.org_id, t.contact_id, t.assignee_id, ev,
		jsonb_build_object('ticket_id', t.id, 'number', crm.ticket_label(t.number), 'status', t.status) || extra,
		crm.ticket_label(t.number) || ': ' || subj);
END $$;

CREATE FUNCTION crm.ticket_comment_json(c crm.ticket_comments) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', c.id, 'ticket_id', c.ticket_id,
			'kind', CASE WHEN c.public THEN 'reply' ELSE 'note' END,
			'author', CASE WHEN c.author_user_id IS NOT NULL
				THEN jsonb_build_object('type', 'user', 'id', c.author_user_id, 'name', (SELECT u.name FROM crm.users u
				                         WHERE u.org_id = c.org_id AND u.id = c.author_user_id))
				ELSE jsonb_build_object('type', 'contact', 'id', c.author_contact_id, 'name', (SELECT x.display_name FROM crm.contacts x
				                         WHERE x.org_id = c.org_id AND x.id = c.author_contact_id)) END,
			'body', c.body, 'attachments', c.attachments, 'created_at', crm.ts(c.created_at))
	);
END
$$;

-- Attachments as links: [{"url": "https://…", "name"?, "content_type"?, "size"?}].
CREATE FUNCTION crm.parse_attachments(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	a jsonb;
	out jsonb := '[]';
	i int := 0;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '[]'; END IF;
	IF jsonb_typeof(v) <> 'array' THEN
		PERFORM crm.raise_validation('attachments', 'type', 'must be an array of links');
	END IF;
	IF jsonb_array_length(v) > 20 THEN
		PERFORM crm.raise_validation('attachments', 'too_many', 'at most 20 attachments');
	END IF;
	FOR a IN SELECT jsonb_array_elements(v) LOOP
		IF jsonb_typeof(a) <> 'object' OR jsonb_typeof(a->'url') IS DISTINCT FROM 'string'
		   OR NOT (a->>'url') ~ '^https?://[^\s/?#]+[^\s]*$' OR length(a->>'url') > 2000 THEN
			PERFORM crm.raise_validation('attachments[' || i || '].url', 'format', 'must be an http(s) URL');
		END IF;
		IF EXISTS (SELECT 1 FROM jsonb_object_keys(a) k WHERE k NOT IN ('url', 'name', 'content_type', 'size')) THEN
			PERFORM crm.raise_validation('attachments[' || i || ']', 'unknown_member', 'members are url, name, content_type, size');
		END IF;
		IF a ? 'name' AND (jsonb_typeof(a->'name') <> 'string' OR length(a->>'name') NOT BETWEEN 1 AND 255) THEN
			PERFORM crm.raise_validation('attachments[' || i || '].name', 'type', 'must be a string of 1 to 255 characters');
		END IF;
		IF a ? 'content_type' AND (jsonb_typeof(a->'content_type') <> 'string' OR (a->>'content_type') !~ '^[\w.+-]+/[\w.+-]+$') THEN
			PERFORM crm.raise_validation('attachments[' || i || '].content_type', 'format', 'must be a media type such as image/png');
		END IF;
		IF a ? 'size' AND (jsonb_typeof(a->'size') <> 'number' OR (a->>'size') !~ '^\d{1,15}$') THEN
			PERFORM crm.raise_validation('attachments[' || i || '].size', 'type', 'must be a byte count');
		END IF;
		out := out || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('url', a->'url', 'name', a->'name',
			'content_type', a->'content_type', 'size', a->'size')));
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

CREATE FUNCTION crm.ticket_rating_json(r crm.ticket_ratings) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', r.id, 'ticket_id', r.ticket_id, 'resolution', r.resolution + 1,
		'rating', r.rating, 'comment', r.comment,
		'recorded_by', CASE WHEN r.created_by IS NOT NULL THEN jsonb_build_object('type', 'user', 'id', r.created_by)
		                    ELSE jsonb_build_object('type', 'api_key', 'id', r.created_by_key) END,
		'created_at', crm.ts(r.created_at))
$$;

CREATE FUNCTION crm.sla_policy_json(s crm.sla_policies) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'name', s.name, 'priority', s.priority, 'channel', s.channel,
		'type', s.type, 'tag', s.tag, 'first_response_minutes', s.first_response_minutes,
		'resolution_minutes', s.resolution_minutes, 'business_hours', s.business_hours,
		'created_at', crm.ts(s.created_at), 'updated_at', crm.ts(s.updated_at),
		'created_by', s.created_by, 'updated_by', s.updated_by, 'version', s.version)
$$;

-- The live SLA policy with this id of the caller's organization, or CR404.
CREATE FUNCTION crm.find_sla_policy(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.sla_policies
LANGUAGE plpgsql AS $$
DECLARE
	s crm.sla_policies;
BEGIN
	IF lock THEN
		SELECT * INTO s FROM crm.sla_policies x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO s FROM crm.sla_policies x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN s;
END $$;

-- Applies create args / a patch to an SLA policy, validating every member.
CREATE FUNCTION crm.sla_policy_apply(s crm.sla_policies, patch jsonb, creating boolean) RETURNS crm.sla_policies
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'name' OR creating THEN
		s.name := crm.arg_text(patch, 'name', 200);
		IF s.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'priority' OR creating THEN
		s.priority := crm.arg_enum(patch, 'priority', ARRAY['low', 'normal', 'high', 'urgent']);
		IF s.priority IS NULL THEN PERFORM crm.raise_validation('priority', 'required', 'priority is required'); END IF;
	END IF;
	IF patch ? 'channel' THEN s.channel := crm.arg_enum(patch, 'channel', ARRAY['phone', 'email', 'sms', 'web', 'social', 'in_person', 'api']); END IF;
	IF patch ? 'type' THEN s.type := crm.arg_enum(patch, 'type', ARRAY['question', 'problem', 'incident', 'request']); END IF;
	IF patch ? 'tag' THEN s.tag := crm.arg_text(patch, 'tag', 100); END IF;
	IF patch ? 'first_response_minutes' OR creating THEN
		s.first_response_minutes := crm.arg_int(patch, 'first_response_minutes');
		IF s.first_response_minutes IS NULL OR s.first_response_minutes NOT BETWEEN 1 AND 525600 THEN
			PERFORM crm.raise_validation('first_response_minutes', 'range', 'a whole number of minutes from 1 to 525600');
		END IF;
	END IF;
	IF patch ? 'resolution_minutes' OR creating THEN
		s.resolution_minutes := crm.arg_int(patch, 'resolution_minutes');
		IF s.resolution_minutes IS NULL OR s.resolution_minutes NOT BETWEEN 1 AND 525600 THEN
			PERFORM crm.raise_validation('resolution_minutes', 'range', 'a whole number of minutes from 1 to 525600');
		END IF;
	END IF;
	IF patch ? 'business_hours' THEN s.business_hours := crm.sla_calendar_check(patch->'business_hours', 'business_hours'); END IF;
	RETURN s;
END $$;

-- Sort keys of tickets_list (whitelisted columns) as text for the cursor.
CREATE FUNCTION crm.ticket_sort_key(t crm.tickets, col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE col
		WHEN 'created_at' THEN to_jsonb(t.created_at) #>> '{}'
		WHEN 'updated_at' THEN to_jsonb(t.updated_at) #>> '{}'
		WHEN 'number' THEN t.number::text
		WHEN 'priority' THEN crm.ticket_priority_rank(t.priority)::text
		WHEN 'due_at' THEN to_jsonb(crm.ticket_due_at(t)) #>> '{}' END
$$;

-- Priorities in the order people sort them (urgent last ascending).
CREATE FUNCTION crm.ticket_priority_rank(priority text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT array_position(ARRAY['low', 'normal', 'high', 'urgent'], priority)
$$;

-- The next SLA instant a ticket must meet: its first response while none
-- was given, else its running resolution clock; 'infinity' when neither.
CREATE FUNCTION crm.ticket_due_at(t crm.tickets) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(least(CASE WHEN t.first_response_at IS NULL AND t.resolved_at IS NULL THEN t.first_response_due_at END,
	                      t.resolution_due_at),
	                'infinity')
$$;
