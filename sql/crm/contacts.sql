-- sql/crm/contacts.sql: Contacts: the document, writes, derived search text and phone/e-mail keys,
-- system timeline entries, duplicates and lookup.

-- {id, name} of a record a contact refers to (company, owner).
CREATE TYPE crm.ref AS (id uuid, name text);

-- Consent per channel, each {granted, at, source} or null.
CREATE TYPE crm.consent_view AS (sms jsonb, email jsonb, phone jsonb);

-- The public members of a contact, in their order.
CREATE TYPE crm.contact_view AS (
	id uuid, first_name text, last_name text, display_name text, phones jsonb, emails jsonb, birthday text,
	city text, address text, job_title text, company_id uuid, company crm.ref, lifecycle_stage text,
	lead_source text, campaign_id uuid, lead_score int, tags text[], custom_fields jsonb,
	consent crm.consent_view, preferences jsonb, notes text, owner_id uuid, owner crm.ref, merged_into uuid,
	created_at text, updated_at text, created_by uuid, updated_by uuid, version int);

-- Does birthday b fall within the next n days from today (wrapping the year)?
CREATE FUNCTION crm.birthday_within(b date, today date, n int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN b IS NULL OR n IS NULL OR n < 0 THEN false
		WHEN n >= 365 THEN true
		WHEN crm.month_day(today) <= crm.month_day(today + n)
			THEN crm.month_day(b) BETWEEN crm.month_day(today) AND crm.month_day(today + n)
		ELSE crm.month_day(b) >= crm.month_day(today) OR crm.month_day(b) <= crm.month_day(today + n)
	END
$$;

CREATE FUNCTION crm.contacts_derive() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cc text;
	company_name text;
BEGIN
	IF TG_OP = 'INSERT' OR NEW.phones IS DISTINCT FROM OLD.phones THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = NEW.org_id;
		NEW.phones := coalesce((SELECT jsonb_agg(e || jsonb_build_object('key', crm.phone_key(e->>'number', cc)))
		                          FROM jsonb_array_elements(NEW.phones) e), '[]');
	END IF;
	IF TG_OP = 'INSERT' OR NEW.emails IS DISTINCT FROM OLD.emails THEN
		NEW.emails := coalesce((SELECT jsonb_agg(e || jsonb_build_object('address', lower(e->>'address')))
		                          FROM jsonb_array_elements(NEW.emails) e), '[]');
	END IF;
	NEW.display_name := coalesce(nullif(btrim(NEW.display_name_given), ''),
		nullif(btrim(concat_ws(' ', NEW.first_name, NEW.last_name)), ''),
		NEW.phones->0->>'number', NEW.emails->0->>'address', '');
	NEW.tag_keys := crm.fold_tags(NEW.tags);
	IF NEW.company_id IS NOT NULL THEN
		SELECT c.name INTO company_name FROM crm.companies c
		 WHERE c.org_id = NEW.org_id AND c.id = NEW.company_id AND c.deleted_at IS NULL;
	END IF;
	NEW.search_text := coalesce(crm.fold(concat_ws(' ', NEW.first_name, NEW.last_name, NEW.display_name, company_name,
		(SELECT string_agg(e->>'address', ' ') FROM jsonb_array_elements(NEW.emails) e),
		(SELECT string_agg(concat_ws(' ', e->>'key', crm.digits(e->>'number')), ' ') FROM jsonb_array_elements(NEW.phones) e))), '');
	RETURN NEW;
END $$;

-- The phone and e-mail keys of an updated contact, rewritten only when its
-- phones or e-mails change (inserts: crm.contacts_insert_keys, per statement).
CREATE FUNCTION crm.contacts_sync_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.phones IS DISTINCT FROM OLD.phones THEN
		DELETE FROM crm.contact_phones WHERE org_id = NEW.org_id AND contact_id = NEW.id;
		INSERT INTO crm.contact_phones (org_id, contact_id, key)
		SELECT DISTINCT NEW.org_id, NEW.id, e->>'key' FROM jsonb_array_elements(NEW.phones) e WHERE e->>'key' IS NOT NULL;
	END IF;
	IF NEW.emails IS DISTINCT FROM OLD.emails THEN
		DELETE FROM crm.contact_emails WHERE org_id = NEW.org_id AND contact_id = NEW.id;
		INSERT INTO crm.contact_emails (org_id, contact_id, address)
		SELECT DISTINCT NEW.org_id, NEW.id, lower(e->>'address') FROM jsonb_array_elements(NEW.emails) e WHERE e->>'address' IS NOT NULL;
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION crm.contact_json(c crm.contacts) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN crm.contacts_json(ARRAY[c])->0;
END $$;

-- The live contact with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_contact(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.contacts
LANGUAGE plpgsql AS $$
DECLARE
	c crm.contacts;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF lock THEN
		SELECT * INTO c FROM crm.contacts x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis)) FOR UPDATE;
	ELSE
		SELECT * INTO c FROM crm.contacts x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis));
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN c;
END $$;

-- Consent merge: {"sms": {"granted": bool, "source"?: text, "at"?: ts} | null, …}.
-- "at" is now() whenever granted changes, unless the client gives a past time.
CREATE FUNCTION crm.consent_apply(cur jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ch text;
	v jsonb;
	prev jsonb;
	granted boolean;
	src text;
	at_ts timestamptz;
BEGIN
	cur := coalesce(cur, '{}');
	IF patch IS NULL THEN RETURN cur; END IF;
	IF jsonb_typeof(patch) = 'null' THEN RETURN '{}'; END IF;
	IF jsonb_typeof(patch) <> 'object' THEN
		PERFORM crm.raise_validation('consent', 'type', 'must be an object');
	END IF;
	FOR ch, v IN SELECT e.key, e.value FROM jsonb_each(patch) e ORDER BY e.key LOOP
		IF NOT ch = ANY (ARRAY['sms', 'email', 'phone']) THEN
			PERFORM crm.raise_validation('consent.' || ch, 'unknown_field', 'consent channels are sms, email and phone');
		END IF;
		IF jsonb_typeof(v) = 'null' THEN
			cur := cur - ch;
			CONTINUE;
		END IF;
		IF jsonb_typeof(v) <> 'object' THEN
			PERFORM crm.raise_validation('consent.' || ch, 'type', 'must be an object {granted, source?, at?}');
		END IF;
		IF jsonb_typeof(v->'granted') IS DISTINCT FROM 'boolean' THEN
			PERFORM crm.raise_validation('consent.' || ch || '.granted', 'required', 'granted must be true or false');
		END IF;
		prev := cur->ch;
		granted := (v->'granted')::boolean;
		src := CASE WHEN v ? 'source' THEN crm.arg_text(v, 'source', 200, 'consent.' || ch || '.source')
		            WHEN (prev->'granted')::boolean IS NOT DISTINCT FROM granted THEN prev->>'source' END;
		IF v ? 'at' AND jsonb_typeof(v->'at') <> 'null' THEN
			at_ts := crm.arg_ts(v, 'at');
			IF at_ts > now() + interval '5 minutes' THEN
				PERFORM crm.raise_validation('consent.' || ch || '.at', 'future', 'at must not be in the future');
			END IF;
		ELSIF prev IS NOT NULL AND (prev->'granted')::boolean IS NOT DISTINCT FROM granted THEN
			at_ts := (prev->>'at')::timestamptz;
		ELSE
			at_ts := now();
		END IF;
		cur := cur || jsonb_build_object(ch, jsonb_build_object('granted', granted, 'at', crm.ts(at_ts), 'source', src));
	END LOOP;
	RETURN cur;
END $$;

-- Applies create args / a patch to a contact row, validating every member.
CREATE FUNCTION crm.contact_apply(p crm.principal, c crm.contacts, patch jsonb) RETURNS crm.contacts
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cc text;
	n int;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'first_name' THEN c.first_name := crm.arg_text(patch, 'first_name', 100); END IF;
	IF patch ? 'last_name' THEN c.last_name := crm.arg_text(patch, 'last_name', 100); END IF;
	IF patch ? 'display_name' THEN c.display_name_given := crm.arg_text(patch, 'display_name', 200); END IF;
	IF patch ? 'phones' THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = p.org_id;
		c.phones := crm.parse_phones(patch->'phones', cc);
	END IF;
	IF patch ? 'emails' THEN c.emails := crm.parse_emails(patch->'emails'); END IF;
	IF patch ? 'birthday' THEN
		c.birthday := crm.arg_date(patch, 'birthday');
		IF c.birthday > current_date OR c.birthday < date '1900-01-01' THEN
			PERFORM crm.raise_validation('birthday', 'range', 'birthday must be between 1900-01-01 and today');
		END IF;
	END IF;
	IF patch ? 'city' THEN c.city := crm.arg_text(patch, 'city', 100); END IF;
	IF patch ? 'address' THEN c.address := crm.arg_text(patch, 'address', 1000); END IF;
	IF patch ? 'job_title' THEN c.job_title := crm.arg_text(patch, 'job_title', 200); END IF;
	IF patch ? 'notes' THEN c.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	IF patch ? 'lead_source' THEN c.lead_source := crm.arg_text(patch, 'lead_source', 100); END IF;
	IF patch ? 'company_id' THEN
		c.company_id := crm.arg_uuid(patch, 'company_id');
		-- Only a company the caller may see: linking would show its name.
		IF c.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
		      WHERE x.org_id = p.org_id AND x.id = c.company_id AND x.deleted_at IS NULL
		        AND (crm.visible_owners(p) IS NULL OR x.owner_id = ANY (crm.visible_owners(p)))) THEN
			PERFORM crm.raise_validation('company_id', 'not_found', 'no such company');
		END IF;
	END IF;
	IF patch ? 'campaign_id' THEN
		c.campaign_id := crm.arg_uuid(patch, 'campaign_id');
		IF c.campaign_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.campaigns x
		      WHERE x.org_id = p.org_id AND x.id = c.campaign_id AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('campaign_id', 'not_found', 'no such campaign');
		END IF;
	END IF;
	IF patch ? 'lifecycle_stage' THEN
		c.lifecycle_stage := crm.arg_enum(patch, 'lifecycle_stage', ARRAY['lead', 'prospect', 'customer', 'inactive']);
		IF c.lifecycle_stage IS NULL THEN
			PERFORM crm.raise_validation('lifecycle_stage', 'required', 'lifecycle_stage cannot be null');
		END IF;
	END IF;
	IF patch ? 'lead_score' THEN
		n := crm.arg_int(patch, 'lead_score');
		IF n IS NULL OR n NOT BETWEEN 0 AND 100 THEN
			PERFORM crm.raise_validation('lead_score', 'range', 'lead_score is an integer 0 to 100');
		END IF;
		c.lead_score := n;
	END IF;
	IF patch ? 'tags' THEN c.tags := crm.parse_tags(patch->'tags'); END IF;
	IF patch ? 'custom_fields' THEN
		c.custom_fields := crm.custom_values(p.org_id, 'contact', c.custom_fields, patch->'custom_fields');
	END IF;
	IF patch ? 'consent' THEN c.consent := crm.consent_apply(c.consent, patch->'consent'); END IF;
	IF patch ? 'preferences' THEN
		IF jsonb_typeof(patch->'preferences') NOT IN ('object', 'null') THEN
			PERFORM crm.raise_validation('preferences', 'type', 'must be an object');
		END IF;
		c.preferences := CASE WHEN jsonb_typeof(patch->'preferences') = 'null' THEN '{}'
		                      ELSE crm.merge_patch(c.preferences, patch->'preferences') END;
		IF octet_length(c.preferences::text) > 4096 THEN
			PERFORM crm.raise_validation('preferences', 'too_large', 'preferences are at most 4 KB of JSON');
		END IF;
	END IF;
	IF patch ? 'owner_id' OR c.owner_id IS NULL THEN
		IF patch ? 'owner_id' AND jsonb_typeof(patch->'owner_id') = 'null' AND c.owner_id IS NOT NULL THEN
			PERFORM crm.raise_validation('owner_id', 'required', 'owner_id cannot be null');
		END IF;
		c.owner_id := crm.check_owner(p, crm.arg_uuid(patch, 'owner_id'));
	END IF;
	IF c.first_name IS NULL AND c.last_name IS NULL AND c.display_name_given IS NULL
	   AND jsonb_array_length(c.phones) = 0 AND jsonb_array_length(c.emails) = 0 THEN
		PERFORM crm.raise_validation('display_name', 'required',
			'a contact needs a name, a display name, a phone number or an e-mail address');
	END IF;
	RETURN c;
END $$;

-- A live contact of the org (other than self) sharing a phone key or an
-- e-mail address; visible ones first. NULL existing when none.
CREATE FUNCTION crm.contact_duplicate(p crm.principal, p_phones jsonb, p_emails jsonb, p_self uuid,
                                      OUT existing uuid, OUT field text, OUT visible boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
BEGIN
	SELECT c.id, 'phones', (vis IS NULL OR c.owner_id = ANY (vis)) INTO existing, field, visible
	  FROM crm.contact_phones ph
	  JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id AND c.deleted_at IS NULL
	 WHERE ph.org_id = p.org_id AND ph.key IN (SELECT e->>'key' FROM jsonb_array_elements(p_phones) e)
	   AND c.id IS DISTINCT FROM p_self
	 ORDER BY (vis IS NULL OR c.owner_id = ANY (vis)) DESC, c.updated_at DESC
	 LIMIT 1;
	IF existing IS NOT NULL THEN RETURN; END IF;
	SELECT c.id, 'emails', (vis IS NULL OR c.owner_id = ANY (vis)) INTO existing, field, visible
	  FROM crm.contact_emails em
	  JOIN crm.contacts c ON c.org_id = em.org_id AND c.id = em.contact_id AND c.deleted_at IS NULL
	 WHERE em.org_id = p.org_id AND em.address IN (SELECT lower(e->>'address') FROM jsonb_array_elements(p_emails) e)
	   AND c.id IS DISTINCT FROM p_self
	 ORDER BY (vis IS NULL OR c.owner_id = ANY (vis)) DESC, c.updated_at DESC
	 LIMIT 1;
END $$;

-- Sort expressions of contacts_list (whitelisted) and their key types.
CREATE FUNCTION crm.contact_sort_key(c crm.contacts, col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE col
		WHEN 'created_at' THEN to_jsonb(c.created_at) #>> '{}'
		WHEN 'updated_at' THEN to_jsonb(c.updated_at) #>> '{}'
		WHEN 'display_name' THEN c.display_name
		WHEN 'last_name' THEN coalesce(c.last_name, '')
		WHEN 'lead_score' THEN c.lead_score::text END
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

CREATE FUNCTION crm.contact_child_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['activities', 'deals', 'tasks', 'tickets']
$$;

-- The compact profile of a contact for a caller lookup; open_deals are the
-- contact's open deals among owners vis (NULL = all), newest first, at most
-- 5; open_tickets its unresolved tickets among assignees vis, with their
-- SLA state, at most 5.
CREATE FUNCTION crm.contact_profile(c crm.contacts, vis uuid[]) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT json_build_object('id', c.id, 'display_name', c.display_name,
		'company', (SELECT json_build_object('id', co.id, 'name', co.name) FROM crm.companies co
		             WHERE co.org_id = c.org_id AND co.id = c.company_id AND co.deleted_at IS NULL),
		'owner', (SELECT json_build_object('id', u.id, 'name', u.name) FROM crm.users u
		           WHERE u.org_id = c.org_id AND u.id = c.owner_id),
		'lifecycle_stage', c.lifecycle_stage, 'tags', c.tags,
		'last_activities', coalesce((
			SELECT json_agg(json_build_object('id', a.id, 'type', a.type, 'occurred_at', crm.ts(a.occurred_at),
			                                  'subject', a.subject, 'direction', a.direction, 'outcome', a.outcome)
			                ORDER BY a.occurred_at DESC, a.id DESC)
			  FROM (SELECT * FROM crm.activities a
			         WHERE a.org_id = c.org_id AND a.contact_id = c.id AND a.deleted_at IS NULL
			         ORDER BY a.occurred_at DESC, a.id DESC LIMIT 3) a), '[]'),
		'open_deals', coalesce((
			SELECT json_agg(json_build_object('id', d.id, 'title', d.title, 'amount', d.amount::text, 'currency', d.currency,
			                                  'stage', json_build_object('id', s.id, 'name', s.name))
			                ORDER BY d.created_at DESC, d.id DESC)
			  FROM (SELECT x.* FROM crm.deals x
			         WHERE x.org_id = c.org_id AND x.contact_id = c.id AND x.deleted_at IS NULL AND x.status = 'open'
			           AND (vis IS NULL OR x.owner_id = ANY (vis))
			         ORDER BY x.created_at DESC, x.id DESC LIMIT 5) d
			  JOIN crm.stages s ON s.org_id = d.org_id AND s.id = d.stage_id), '[]'),
		'open_tickets', coalesce((
			SELECT json_agg(json_build_object('id', t.id, 'number', crm.ticket_label(t.number), 'subject', t.subject,
			                                  'status', t.status, 'priority', t.priority,
			                                  'due_at', crm.ts(nullif(crm.ticket_due_at(t), 'infinity')),
			                                  'breached', crm.ticket_first_response_breached(t) OR crm.ticket_resolution_breached(t))
			                ORDER BY t.created_at DESC, t.id DESC)
			  FROM (SELECT x.* FROM crm.tickets x
			         WHERE x.org_id = c.org_id AND x.contact_id = c.id AND x.deleted_at IS NULL
			           AND x.status IN ('new', 'open', 'pending')
			           AND (vis IS NULL OR x.assignee_id = ANY (vis))
			         ORDER BY x.created_at DESC, x.id DESC LIMIT 5) t), '[]')));
END $$;

-- A contact's JSON: row_to_json of a row of the declared type
-- crm.contact_view walks the values with one cached row type, where
-- json_build_object took 58 variadic arguments and a key constant per
-- member on every row (a page of 50: 2.0 -> 1.4 ms). One expression, so the
-- planner inlines it into the statements of a read and of a page.
CREATE FUNCTION crm.contact_doc(c crm.contacts, co crm.companies, campaign_id uuid, owner_name text) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT row_to_json(ROW(c.id, c.first_name, c.last_name, c.display_name, c.phones, c.emails,
		to_char(c.birthday, 'YYYY-MM-DD'), c.city, c.address, c.job_title,
		co.id, CASE WHEN co.id IS NOT NULL THEN ROW(co.id, co.name)::crm.ref END,
		c.lifecycle_stage, c.lead_source, campaign_id, c.lead_score, c.tags,
		-- Most contacts have none: no PL/pgSQL call for them (~5% of a read).
		CASE WHEN c.custom_fields = '{}' THEN c.custom_fields
		     ELSE crm.custom_values_json(c.org_id, 'contact', c.custom_fields) END,
		ROW(c.consent->'sms', c.consent->'email', c.consent->'phone')::crm.consent_view,
		c.preferences, c.notes, c.owner_id,
		CASE WHEN owner_name IS NOT NULL THEN ROW(c.owner_id, owner_name)::crm.ref END,
		c.merged_into, crm.ts(c.created_at), crm.ts(c.updated_at), c.created_by, c.updated_by, c.version)::crm.contact_view)
$$;

-- A page's JSON in one statement fed by joins (not one function call and
-- its lookups per row), with the page's rows as the columns of unnest(): a whole-row
-- reference to them is reduced to plain columns, where the rows[i]
-- composites were taken apart member by member (nocachegetattr, ~8% of a
-- page). Nested loops over the lateral probes keep unnest's order.
-- unnest() tells the planner the length of the array it is given, so every
-- custom plan looks cheaper than the generic one and the plan cache would
-- plan the statement on every call (~0.45 ms): the generic plan is forced.
CREATE FUNCTION crm.contacts_json(rows crm.contacts[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	RETURN (
		SELECT coalesce(json_agg(crm.contact_doc(r, co, ca.id, u.name)), '[]')
		  FROM unnest(rows) r
		  LEFT JOIN LATERAL (SELECT * FROM crm.companies x
		                      WHERE x.org_id = r.org_id AND x.id = r.company_id AND x.deleted_at IS NULL
		                     OFFSET 0) co ON true
		  LEFT JOIN LATERAL (SELECT x.id FROM crm.campaigns x
		                      WHERE x.org_id = r.org_id AND x.id = r.campaign_id AND x.deleted_at IS NULL
		                     OFFSET 0) ca ON true
		  LEFT JOIN LATERAL (SELECT x.name FROM crm.users x
		                      WHERE x.org_id = r.org_id AND x.id = r.owner_id
		                     OFFSET 0) u ON true);
END $$;

-- The phone and e-mail keys of a statement's new contacts (updates stay
-- with the row trigger, which fires only when phones or e-mails change).
CREATE FUNCTION crm.contacts_insert_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO crm.contact_phones (org_id, contact_id, key)
	SELECT DISTINCT n.org_id, n.id, e->>'key'
	  FROM new_rows n CROSS JOIN LATERAL jsonb_array_elements(n.phones) e WHERE e->>'key' IS NOT NULL;
	INSERT INTO crm.contact_emails (org_id, contact_id, address)
	SELECT DISTINCT n.org_id, n.id, lower(e->>'address')
	  FROM new_rows n CROSS JOIN LATERAL jsonb_array_elements(n.emails) e WHERE e->>'address' IS NOT NULL;
	RETURN NULL;
END $$;

CREATE TRIGGER contacts__derive BEFORE INSERT OR UPDATE ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_derive();

CREATE TRIGGER contacts__sync_keys AFTER UPDATE OF phones, emails ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_sync_keys();

CREATE TRIGGER contacts__system_entries AFTER UPDATE OF lifecycle_stage, owner_id ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_system_entries();

CREATE TRIGGER contacts__insert_keys AFTER INSERT ON crm.contacts REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION crm.contacts_insert_keys();
