-- sql/api/activities.sql: Activities: calls, e-mails, meetings, notes, visits.

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
	PERFORM crm.soft_delete('crm.activities', a.org_id, a.id, p.user_id);
	RETURN crm.reply(204);
END $$;
