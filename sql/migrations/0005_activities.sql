-- 0005_activities: the timeline (activities incl. system entries written by
-- triggers), contacts_timeline, contacts_merge and the caller lookup.
SET ROLE crm_owner;

CREATE TABLE crm.activities (
	org_id           uuid        NOT NULL,
	id               uuid        NOT NULL DEFAULT crm.uuid_v7(),
	contact_id       uuid        NOT NULL,
	company_id       uuid,
	type             text        NOT NULL,
	occurred_at      timestamptz NOT NULL DEFAULT now(),
	subject          text,
	body             text,
	owner_id         uuid,
	direction        text,
	duration_seconds int,
	outcome          text,
	phone_number     text,
	recording_url    text,
	external_call_id text,
	starts_at        timestamptz,
	ends_at          timestamptz,
	place            text,
	latitude         double precision,
	longitude        double precision,
	accuracy_m       double precision,
	event            text,
	data             jsonb,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	created_by       uuid,
	updated_by       uuid,
	version          int         NOT NULL DEFAULT 1,
	deleted_at       timestamptz,
	CONSTRAINT activities__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT activities__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT activities__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT activities__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT activities__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT activities__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT activities__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT activities__type__ck CHECK (type IN ('call', 'email', 'sms', 'meeting', 'note', 'visit', 'system')),
	CONSTRAINT activities__direction__ck CHECK (direction IS NULL OR (type IN ('call', 'email', 'sms') AND direction IN ('inbound', 'outbound'))),
	CONSTRAINT activities__duration_seconds__ck CHECK (duration_seconds IS NULL OR (type = 'call' AND duration_seconds >= 0)),
	CONSTRAINT activities__outcome__ck CHECK (outcome IS NULL OR (type = 'call' AND outcome IN ('answered', 'no_answer', 'busy', 'voicemail', 'failed'))),
	CONSTRAINT activities__phone_number__ck CHECK (phone_number IS NULL OR type IN ('call', 'sms')),
	CONSTRAINT activities__recording_url__ck CHECK (recording_url IS NULL OR type = 'call'),
	CONSTRAINT activities__external_call_id__ck CHECK (external_call_id IS NULL OR type = 'call'),
	CONSTRAINT activities__starts_at__ck CHECK ((starts_at IS NULL AND ends_at IS NULL AND place IS NULL) OR type = 'meeting'),
	CONSTRAINT activities__ends_at__ck CHECK (ends_at >= starts_at),
	CONSTRAINT activities__latitude__ck CHECK ((latitude IS NULL AND longitude IS NULL AND accuracy_m IS NULL)
		OR (type = 'visit' AND latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180 AND (accuracy_m IS NULL OR accuracy_m >= 0))),
	CONSTRAINT activities__event__ck CHECK ((type = 'system') = (event IS NOT NULL)),
	CONSTRAINT activities__data__ck CHECK (data IS NULL OR type = 'system')
);
CREATE INDEX activities__contact__ix ON crm.activities (org_id, contact_id, occurred_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX activities__occurred__ix ON crm.activities (org_id, occurred_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX activities__owner__ix ON crm.activities (org_id, owner_id, occurred_at DESC) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX activities__external_call_id__uq ON crm.activities (org_id, external_call_id)
	WHERE deleted_at IS NULL AND external_call_id IS NOT NULL;
CREATE TRIGGER activities__audit AFTER INSERT OR UPDATE OR DELETE ON crm.activities
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.activity_json(a crm.activities) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', a.id, 'contact_id', a.contact_id, 'company_id', a.company_id, 'type', a.type,
		'occurred_at', crm.ts(a.occurred_at), 'subject', a.subject, 'body', a.body, 'owner_id', a.owner_id,
		'direction', a.direction, 'duration_seconds', a.duration_seconds, 'outcome', a.outcome,
		'phone_number', a.phone_number, 'recording_url', a.recording_url, 'external_call_id', a.external_call_id,
		'starts_at', crm.ts(a.starts_at), 'ends_at', crm.ts(a.ends_at), 'place', a.place,
		'latitude', a.latitude, 'longitude', a.longitude, 'accuracy_m', a.accuracy_m,
		'event', a.event, 'data', a.data,
		'created_at', crm.ts(a.created_at), 'updated_at', crm.ts(a.updated_at), 'version', a.version)
$$;

-- A system timeline entry on a contact (stage/owner change, merge, …).
CREATE FUNCTION crm.system_entry(org uuid, contact uuid, owner uuid, ev text, payload jsonb, subj text DEFAULT NULL) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO crm.activities (org_id, contact_id, type, occurred_at, subject, owner_id, event, data, created_by, updated_by)
	VALUES (org, contact, 'system', now(), subj, owner, ev, payload,
	        crm.try_uuid(nullif(current_setting('crm.actor_user', true), '')),
	        crm.try_uuid(nullif(current_setting('crm.actor_user', true), '')))
$$;

-- Stage and owner changes of a contact write system entries.
CREATE FUNCTION crm.contacts_system_entries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.deleted_at IS NOT NULL THEN RETURN NULL; END IF;
	IF NEW.lifecycle_stage IS DISTINCT FROM OLD.lifecycle_stage THEN
		PERFORM crm.system_entry(NEW.org_id, NEW.id, NEW.owner_id, 'stage_change',
			jsonb_build_object('from', OLD.lifecycle_stage, 'to', NEW.lifecycle_stage),
			'Stage: ' || OLD.lifecycle_stage || ' → ' || NEW.lifecycle_stage);
	END IF;
	IF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
		PERFORM crm.system_entry(NEW.org_id, NEW.id, NEW.owner_id, 'owner_change',
			jsonb_build_object('from', OLD.owner_id, 'to', NEW.owner_id), 'Owner changed');
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER contacts__system_entries AFTER UPDATE OF lifecycle_stage, owner_id ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_system_entries();

-- Tables whose rows point at a contact (contact_id) and move on a merge.
-- Deals, tickets, tasks: add their table name here.
CREATE FUNCTION crm.contact_child_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['activities']
$$;

-- The live activity with this id whose contact the caller may see, or CR404.
CREATE FUNCTION crm.find_activity(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.activities
LANGUAGE plpgsql AS $$
DECLARE
	a crm.activities;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	SELECT x.* INTO a FROM crm.activities x
	  JOIN crm.contacts c ON c.org_id = x.org_id AND c.id = x.contact_id AND c.deleted_at IS NULL
	 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
	   AND (vis IS NULL OR c.owner_id = ANY (vis));
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	IF lock THEN
		SELECT * INTO a FROM crm.activities x WHERE x.org_id = a.org_id AND x.id = a.id FOR UPDATE;
	END IF;
	RETURN a;
END $$;

-- Applies create args / a patch to an activity row; members that do not
-- apply to the type raise a 422 naming them.
CREATE FUNCTION crm.activity_apply(p crm.principal, a crm.activities, patch jsonb) RETURNS crm.activities
LANGUAGE plpgsql STABLE AS $$
DECLARE
	m text;
	n numeric;
	allowed text[];
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'occurred_at' THEN
		a.occurred_at := coalesce(crm.arg_ts(patch, 'occurred_at'), now());
	END IF;
	IF patch ? 'subject' THEN a.subject := crm.arg_text(patch, 'subject', 500); END IF;
	IF patch ? 'body' THEN a.body := crm.arg_text(patch, 'body', 100000); END IF;
	IF patch ? 'direction' THEN a.direction := crm.arg_enum(patch, 'direction', ARRAY['inbound', 'outbound']); END IF;
	IF patch ? 'duration_seconds' THEN
		a.duration_seconds := crm.arg_int(patch, 'duration_seconds');
		IF a.duration_seconds < 0 THEN PERFORM crm.raise_validation('duration_seconds', 'range', 'must be >= 0'); END IF;
	END IF;
	IF patch ? 'outcome' THEN
		a.outcome := crm.arg_enum(patch, 'outcome', ARRAY['answered', 'no_answer', 'busy', 'voicemail', 'failed']);
	END IF;
	IF patch ? 'phone_number' THEN
		a.phone_number := crm.arg_text(patch, 'phone_number', 50);
		IF a.phone_number IS NOT NULL AND crm.phone_key(a.phone_number) IS NULL THEN
			PERFORM crm.raise_validation('phone_number', 'format', 'not a phone number');
		END IF;
	END IF;
	IF patch ? 'recording_url' THEN
		a.recording_url := crm.arg_text(patch, 'recording_url', 2000);
		IF a.recording_url !~ '^https?://' THEN
			PERFORM crm.raise_validation('recording_url', 'format', 'must be an http(s) URL');
		END IF;
	END IF;
	IF patch ? 'external_call_id' THEN a.external_call_id := crm.arg_text(patch, 'external_call_id', 200); END IF;
	IF patch ? 'starts_at' THEN a.starts_at := crm.arg_ts(patch, 'starts_at'); END IF;
	IF patch ? 'ends_at' THEN a.ends_at := crm.arg_ts(patch, 'ends_at'); END IF;
	IF patch ? 'place' THEN a.place := crm.arg_text(patch, 'place', 500); END IF;
	FOREACH m IN ARRAY ARRAY['latitude', 'longitude', 'accuracy_m'] LOOP
		IF patch ? m THEN
			IF jsonb_typeof(patch->m) NOT IN ('number', 'null') THEN
				PERFORM crm.raise_validation(m, 'type', 'must be a number');
			END IF;
			n := (patch->>m)::numeric;
			IF (m = 'latitude' AND n NOT BETWEEN -90 AND 90) OR (m = 'longitude' AND n NOT BETWEEN -180 AND 180)
			   OR (m = 'accuracy_m' AND n < 0) THEN
				PERFORM crm.raise_validation(m, 'range', 'out of range');
			END IF;
			CASE m WHEN 'latitude' THEN a.latitude := n; WHEN 'longitude' THEN a.longitude := n; ELSE a.accuracy_m := n; END CASE;
		END IF;
	END LOOP;
	IF patch ? 'company_id' THEN
		a.company_id := crm.arg_uuid(patch, 'company_id');
		IF a.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
		      WHERE x.org_id = p.org_id AND x.id = a.company_id AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('company_id', 'not_found', 'no such company');
		END IF;
	END IF;
	IF patch ? 'owner_id' THEN
		IF jsonb_typeof(patch->'owner_id') = 'null' THEN
			PERFORM crm.raise_validation('owner_id', 'required', 'owner_id cannot be null');
		END IF;
		a.owner_id := crm.check_owner(p, crm.arg_uuid(patch, 'owner_id'));
	END IF;
	IF patch ? 'event' OR patch ? 'data' THEN
		PERFORM crm.raise_validation(CASE WHEN patch ? 'event' THEN 'event' ELSE 'data' END, 'not_applicable',
			'only system entries have event and data');
	END IF;
	-- Members that do not apply to the type.
	allowed := CASE a.type
		WHEN 'call' THEN ARRAY['direction', 'duration_seconds', 'outcome', 'phone_number', 'recording_url', 'external_call_id']
		WHEN 'email' THEN ARRAY['direction']
		WHEN 'sms' THEN ARRAY['direction', 'phone_number']
		WHEN 'meeting' THEN ARRAY['starts_at', 'ends_at', 'place']
		WHEN 'visit' THEN ARRAY['latitude', 'longitude', 'accuracy_m']
		ELSE '{}'::text[] END;
	FOREACH m IN ARRAY ARRAY['direction', 'duration_seconds', 'outcome', 'phone_number', 'recording_url', 'external_call_id',
	                         'starts_at', 'ends_at', 'place', 'latitude', 'longitude', 'accuracy_m'] LOOP
		IF NOT m = ANY (allowed) AND to_jsonb(a)->m IS DISTINCT FROM 'null'::jsonb THEN
			PERFORM crm.raise_validation(m, 'not_applicable', format('%s does not apply to a %s', m, a.type));
		END IF;
	END LOOP;
	IF a.ends_at < a.starts_at THEN
		PERFORM crm.raise_validation('ends_at', 'before_start', 'ends_at must not be before starts_at');
	END IF;
	IF a.type = 'visit' AND (a.latitude IS NULL) <> (a.longitude IS NULL) THEN
		PERFORM crm.raise_validation(CASE WHEN a.latitude IS NULL THEN 'latitude' ELSE 'longitude' END, 'required',
			'latitude and longitude go together');
	END IF;
	IF a.type = 'visit' AND a.latitude IS NULL AND a.accuracy_m IS NOT NULL THEN
		PERFORM crm.raise_validation('latitude', 'required', 'accuracy_m needs latitude and longitude');
	END IF;
	RETURN a;
END $$;

-- Activities the caller may see (through the contact), newest first.
CREATE FUNCTION crm.activities_page(p crm.principal, args jsonb, contact uuid) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', '-occurred_at');
	typ text := crm.arg_enum(args, 'type', ARRAY['call', 'email', 'sms', 'meeting', 'note', 'visit', 'system']);
	f_owner uuid := crm.arg_uuid(args, 'owner_id');
	f_since timestamptz := crm.arg_ts(args, 'since');
	f_until timestamptz := crm.arg_ts(args, 'until');
	rows crm.activities[];
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	rows := ARRAY(
		SELECT a FROM crm.activities a
		  JOIN crm.contacts c ON c.org_id = a.org_id AND c.id = a.contact_id AND c.deleted_at IS NULL
		 WHERE a.org_id = p.org_id AND a.deleted_at IS NULL
		   AND (vis IS NULL OR c.owner_id = ANY (vis))
		   AND (contact IS NULL OR a.contact_id = contact)
		   AND (typ IS NULL OR a.type = typ)
		   AND (f_owner IS NULL OR a.owner_id = f_owner)
		   AND (f_since IS NULL OR a.occurred_at >= f_since)
		   AND (f_until IS NULL OR a.occurred_at < f_until)
		   AND (cur IS NULL OR (a.occurred_at, a.id) < ((cur->>'k')::timestamptz, (cur->>'id')::uuid))
		 ORDER BY a.occurred_at DESC, a.id DESC
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.activity_json(rows[i]) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim THEN crm.cursor_encode(jsonb_build_object(
			's', '-occurred_at', 'k', to_jsonb(rows[lim].occurred_at) #>> '{}', 'id', rows[lim].id)) END));
END $$;

CREATE FUNCTION api.activities_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:read');
	contact uuid := crm.arg_uuid(args, 'contact_id');
BEGIN
	IF contact IS NOT NULL THEN
		-- an invisible contact's activities are an empty list, like a missing one
		RETURN crm.activities_page(p, args, contact);
	END IF;
	RETURN crm.activities_page(p, args, NULL);
END $$;

CREATE FUNCTION api.contacts_timeline(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:read');
	c crm.contacts := crm.find_contact(p, args->>'id');
BEGIN
	RETURN crm.activities_page(p, args - 'contact_id' - 'owner_id', c.id);
END $$;

CREATE FUNCTION api.activities_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:read');
	a crm.activities := crm.find_activity(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.activity_json(a), crm.arg_text_array(args, 'fields')), a.version);
END $$;

CREATE FUNCTION api.activities_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:write');
	vis uuid[] := crm.visible_owners(p);
	a crm.activities;
	c crm.contacts;
	existing uuid;
	k text;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('type', 'required', 'type is required');
	END IF;
	a.type := crm.arg_enum(args, 'type', ARRAY['call', 'email', 'sms', 'meeting', 'note', 'visit', 'system']);
	IF a.type IS NULL THEN PERFORM crm.raise_validation('type', 'required', 'type is required'); END IF;
	IF a.type = 'system' THEN
		PERFORM crm.raise_validation('type', 'read_only', 'system entries are written by the system only');
	END IF;
	IF args ? 'contact_id' AND jsonb_typeof(args->'contact_id') <> 'null' THEN
		BEGIN
			c := crm.find_contact(p, args->>'contact_id');
		EXCEPTION WHEN SQLSTATE 'CR404' THEN
			PERFORM crm.raise_validation('contact_id', 'not_found', 'no such contact');
		END;
	ELSIF a.type = 'call' AND jsonb_typeof(args->'phone_number') = 'string' THEN
		-- Telephony: find the caller by number (most recently updated visible match).
		k := crm.phone_key(args->>'phone_number', (SELECT default_country_code FROM crm.organizations WHERE id = p.org_id));
		SELECT x.* INTO c FROM crm.contact_phones ph
		  JOIN crm.contacts x ON x.org_id = ph.org_id AND x.id = ph.contact_id AND x.deleted_at IS NULL
		 WHERE ph.org_id = p.org_id AND ph.key = k AND (vis IS NULL OR x.owner_id = ANY (vis))
		 ORDER BY x.updated_at DESC, x.id DESC LIMIT 1;
		IF NOT FOUND THEN
			PERFORM crm.raise_validation('contact_id', 'not_found', 'no contact has this phone number');
		END IF;
	ELSE
		PERFORM crm.raise_validation('contact_id', 'required', 'contact_id is required');
	END IF;
	a.org_id := p.org_id;
	a.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	a.contact_id := c.id;
	a.company_id := c.company_id;
	a.occurred_at := now();
	a.owner_id := coalesce(p.user_id, c.owner_id);
	a := crm.activity_apply(p, a, args - 'id' - 'type' - 'contact_id');
	IF a.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
	      WHERE x.org_id = p.org_id AND x.id = a.company_id AND x.deleted_at IS NULL) THEN
		a.company_id := NULL;
	END IF;
	IF a.external_call_id IS NOT NULL THEN
		SELECT x.id INTO existing FROM crm.activities x
		 WHERE x.org_id = p.org_id AND x.external_call_id = a.external_call_id AND x.deleted_at IS NULL;
		IF FOUND THEN
			RETURN ROW(409, crm.problem(ctx, 409, 'this call was already recorded',
				jsonb_build_object('existing_id', existing, 'errors', jsonb_build_array(jsonb_build_object(
					'field', 'external_call_id', 'code', 'duplicate', 'message', 'already recorded')))), NULL, NULL)::api.reply;
		END IF;
	END IF;
	a.created_at := now(); a.updated_at := now(); a.created_by := p.user_id; a.updated_by := p.user_id; a.version := 1;
	INSERT INTO crm.activities SELECT (a).* RETURNING * INTO a;
	RETURN crm.reply(201, crm.activity_json(a), a.version, '/v1/activities/' || a.id);
END $$;

CREATE FUNCTION api.activities_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:write');
	patch jsonb := coalesce(args->'patch', '{}');
	a crm.activities := crm.find_activity(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, a.version) THEN
		RETURN crm.stale(ctx, crm.activity_json(a), a.version);
	END IF;
	IF a.type = 'system' THEN
		RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'system timeline entries cannot be changed';
	END IF;
	IF jsonb_typeof(patch) = 'object' THEN
		IF patch ? 'type' AND patch->>'type' IS DISTINCT FROM a.type THEN
			PERFORM crm.raise_validation('type', 'immutable', 'the type of an activity cannot change');
		END IF;
		IF patch ? 'contact_id' AND crm.try_uuid(patch->>'contact_id') IS DISTINCT FROM a.contact_id THEN
			PERFORM crm.raise_validation('contact_id', 'immutable', 'an activity cannot move to another contact');
		END IF;
	END IF;
	a := crm.activity_apply(p, a, patch - 'type' - 'contact_id');
	IF a.external_call_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm.activities x
	      WHERE x.org_id = a.org_id AND x.external_call_id = a.external_call_id AND x.deleted_at IS NULL AND x.id <> a.id) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR409', MESSAGE = 'another activity has this external_call_id';
	END IF;
	UPDATE crm.activities SET company_id = a.company_id, occurred_at = a.occurred_at, subject = a.subject, body = a.body,
	       owner_id = a.owner_id, direction = a.direction, duration_seconds = a.duration_seconds, outcome = a.outcome,
	       phone_number = a.phone_number, recording_url = a.recording_url, external_call_id = a.external_call_id,
	       starts_at = a.starts_at, ends_at = a.ends_at, place = a.place, latitude = a.latitude,
	       longitude = a.longitude, accuracy_m = a.accuracy_m,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = a.org_id AND id = a.id
	RETURNING * INTO a;
	RETURN crm.reply(200, crm.activity_json(a), a.version);
END $$;

CREATE FUNCTION api.activities_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'activities:write');
	a crm.activities := crm.find_activity(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, a.version) THEN
		RETURN crm.stale(ctx, crm.activity_json(a), a.version);
	END IF;
	IF a.type = 'system' THEN
		RAISE EXCEPTION USING ERRCODE = 'CR403', MESSAGE = 'system timeline entries cannot be deleted';
	END IF;
	UPDATE crm.activities SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = a.org_id AND id = a.id;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Merge
------------------------------------------------------------------------------
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

------------------------------------------------------------------------------
-- Caller lookup
------------------------------------------------------------------------------

-- The compact profile of a contact for a caller lookup (deals and tickets
-- join here later).
CREATE FUNCTION crm.contact_profile(c crm.contacts) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'display_name', c.display_name,
		'company', (SELECT jsonb_build_object('id', co.id, 'name', co.name) FROM crm.companies co
		             WHERE co.org_id = c.org_id AND co.id = c.company_id AND co.deleted_at IS NULL),
		'owner', crm.user_ref(c.org_id, c.owner_id), 'lifecycle_stage', c.lifecycle_stage, 'tags', to_jsonb(c.tags),
		'last_activities', coalesce((
			SELECT jsonb_agg(jsonb_build_object('id', a.id, 'type', a.type, 'occurred_at', crm.ts(a.occurred_at),
			                                    'subject', a.subject, 'direction', a.direction, 'outcome', a.outcome)
			                 ORDER BY a.occurred_at DESC, a.id DESC)
			  FROM (SELECT * FROM crm.activities a
			         WHERE a.org_id = c.org_id AND a.contact_id = c.id AND a.deleted_at IS NULL
			         ORDER BY a.occurred_at DESC, a.id DESC LIMIT 3) a), '[]'))
$$;

CREATE FUNCTION api.lookup_phone(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'lookup:read');
	vis uuid[] := crm.visible_owners(p);
	k text := crm.phone_key(crm.arg_text(args, 'number', 100),
	                        (SELECT default_country_code FROM crm.organizations WHERE id = p.org_id));
BEGIN
	RETURN crm.reply(200, jsonb_build_object('phone_key', k, 'matches', coalesce((
		SELECT jsonb_agg(crm.contact_profile(m) ORDER BY m.updated_at DESC, m.id DESC)
		  FROM (SELECT c.* FROM crm.contact_phones ph
		          JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id AND c.deleted_at IS NULL
		         WHERE ph.org_id = p.org_id AND ph.key = k AND (vis IS NULL OR c.owner_id = ANY (vis))
		         ORDER BY c.updated_at DESC, c.id DESC LIMIT 5) m), '[]')));
END $$;

RESET ROLE;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO crm_app;
-- (the blanket grant must not reach the bootstrap function of 0001)
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app, PUBLIC;
GRANT SELECT, INSERT, UPDATE ON crm.activities TO crm_app;
