-- sql/crm/deals.sql: Deals: JSON, writes, stage rules and the stage history trigger.

-- Is a deal stale (open, its stage rots, and it sat there longer)?
CREATE FUNCTION crm.deal_is_stale(status text, entered timestamptz, rotting_days int) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(status = 'open' AND rotting_days IS NOT NULL AND now() - entered > make_interval(days => rotting_days), false)
$$;

-- Status, won_at/lost_at and stage_entered_at follow the stage. A write that
-- sets stage_entered_at itself together with the move keeps it (back-dated
-- imports and seeds); the operations never do.
CREATE FUNCTION crm.deals_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.stage_id IS NOT DISTINCT FROM OLD.stage_id THEN
		RETURN NEW;
	END IF;
	SELECT s.kind INTO k FROM crm.stages s
	 WHERE s.org_id = NEW.org_id AND s.id = NEW.stage_id AND s.pipeline_id = NEW.pipeline_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION USING ERRCODE = '23503', MESSAGE = 'the stage is not a stage of the pipeline',
			CONSTRAINT = 'deals__stage_id__fk';
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.stage_entered_at IS NOT DISTINCT FROM OLD.stage_entered_at THEN
		NEW.stage_entered_at := now();
	END IF;
	IF k = 'won' THEN
		IF TG_OP = 'INSERT' OR OLD.status <> 'won' OR NEW.won_at IS NULL THEN NEW.won_at := NEW.stage_entered_at; END IF;
		NEW.lost_at := NULL;
		NEW.lost_reason := NULL;
	ELSIF k = 'lost' THEN
		IF TG_OP = 'INSERT' OR OLD.status <> 'lost' OR NEW.lost_at IS NULL THEN NEW.lost_at := NEW.stage_entered_at; END IF;
		NEW.won_at := NULL;
	ELSE
		NEW.won_at := NULL;
		NEW.lost_at := NULL;
	END IF;
	NEW.status := k;
	RETURN NEW;
END $$;

CREATE FUNCTION crm.deal_json(d crm.deals) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', d.id, 'title', d.title, 'amount', d.amount::text, 'currency', d.currency,
			'pipeline_id', d.pipeline_id, 'stage_id', d.stage_id,
			'stage', jsonb_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'probability', s.probability),
			'status', d.status, 'expected_close_date', to_char(d.expected_close_date, 'YYYY-MM-DD'),
			'owner_id', d.owner_id, 'owner', crm.user_ref(d.org_id, d.owner_id),
			'contact_id', c.id, 'contact', CASE WHEN c.id IS NOT NULL THEN jsonb_build_object('id', c.id, 'display_name', c.display_name) END,
			'company_id', co.id, 'company', CASE WHEN co.id IS NOT NULL THEN jsonb_build_object('id', co.id, 'name', co.name) END,
			'campaign_id', ca.id, 'lost_reason', d.lost_reason,
			'won_at', crm.ts(d.won_at), 'lost_at', crm.ts(d.lost_at), 'stage_entered_at', crm.ts(d.stage_entered_at),
			'is_stale', crm.deal_is_stale(d.status, d.stage_entered_at, s.rotting_days),
			'weighted_amount', round(d.amount * s.probability / 100.0, 2)::numeric(18,2)::text,
			'notes', d.notes,
			'created_at', crm.ts(d.created_at), 'updated_at', crm.ts(d.updated_at),
			'created_by', d.created_by, 'updated_by', d.updated_by, 'version', d.version)
		  FROM (SELECT 1) one
		  LEFT JOIN crm.stages s ON s.org_id = d.org_id AND s.id = d.stage_id
		  LEFT JOIN crm.contacts c ON c.org_id = d.org_id AND c.id = d.contact_id AND c.deleted_at IS NULL
		  LEFT JOIN crm.companies co ON co.org_id = d.org_id AND co.id = d.company_id AND co.deleted_at IS NULL
		  LEFT JOIN crm.campaigns ca ON ca.org_id = d.org_id AND ca.id = d.campaign_id AND ca.deleted_at IS NULL
	);
END
$$;

-- The live deal with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_deal(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.deals
LANGUAGE plpgsql AS $$
DECLARE
	d crm.deals;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF lock THEN
		SELECT * INTO d FROM crm.deals x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis)) FOR UPDATE;
	ELSE
		SELECT * INTO d FROM crm.deals x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis));
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN d;
END $$;

-- Applies create args / a patch to a deal row, validating every member.
CREATE FUNCTION crm.deal_apply(p crm.principal, d crm.deals, patch jsonb, creating boolean) RETURNS crm.deals
LANGUAGE plpgsql STABLE AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
	new_pipeline uuid;
	new_stage uuid;
	k text;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'title' OR creating THEN
		d.title := crm.arg_text(patch, 'title', 500);
		IF d.title IS NULL THEN PERFORM crm.raise_validation('title', 'required', 'title is required'); END IF;
	END IF;
	IF patch ? 'amount' THEN d.amount := crm.arg_money(patch, 'amount'); END IF;
	IF patch ? 'currency' THEN
		d.currency := upper(crm.arg_text(patch, 'currency', 3));
		IF d.currency IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.currencies WHERE code = d.currency) THEN
			PERFORM crm.raise_validation('currency', 'invalid', 'not an active ISO 4217 currency code');
		END IF;
	END IF;
	IF d.amount IS NOT NULL AND d.currency IS NULL THEN
		PERFORM crm.raise_validation('currency', 'required', 'an amount needs a currency');
	END IF;
	IF patch ? 'expected_close_date' THEN d.expected_close_date := crm.arg_date(patch, 'expected_close_date'); END IF;
	IF patch ? 'notes' THEN d.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	IF patch ? 'lost_reason' THEN d.lost_reason := crm.arg_text(patch, 'lost_reason', 500); END IF;
	IF patch ? 'contact_id' THEN
		d.contact_id := crm.arg_uuid(patch, 'contact_id');
		IF d.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.contacts x
		      WHERE x.org_id = p.org_id AND x.id = d.contact_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('contact_id', 'not_found', 'no such contact');
		END IF;
	END IF;
	IF patch ? 'company_id' THEN
		d.company_id := crm.arg_uuid(patch, 'company_id');
		IF d.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
		      WHERE x.org_id = p.org_id AND x.id = d.company_id AND x.deleted_at IS NULL
		        AND (vis IS NULL OR x.owner_id = ANY (vis))) THEN
			PERFORM crm.raise_validation('company_id', 'not_found', 'no such company');
		END IF;
	END IF;
	IF patch ? 'campaign_id' THEN
		d.campaign_id := crm.arg_uuid(patch, 'campaign_id');
		IF d.campaign_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.campaigns x
		      WHERE x.org_id = p.org_id AND x.id = d.campaign_id AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('campaign_id', 'not_found', 'no such campaign');
		END IF;
	ELSIF creating AND d.contact_id IS NOT NULL THEN
		SELECT ca.id INTO d.campaign_id FROM crm.contacts c
		  JOIN crm.campaigns ca ON ca.org_id = c.org_id AND ca.id = c.campaign_id AND ca.deleted_at IS NULL
		 WHERE c.org_id = p.org_id AND c.id = d.contact_id;
	END IF;
	-- Pipeline and stage: the stage must belong to the resulting pipeline; a
	-- new pipeline without a stage means its first open stage.
	IF patch ? 'pipeline_id' OR creating THEN
		new_pipeline := crm.arg_uuid(patch, 'pipeline_id');
		IF new_pipeline IS NULL THEN
			PERFORM crm.raise_validation('pipeline_id', 'required', 'pipeline_id is required');
		END IF;
		IF NOT EXISTS (SELECT 1 FROM crm.pipelines x WHERE x.org_id = p.org_id AND x.id = new_pipeline AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('pipeline_id', 'not_found', 'no such pipeline');
		END IF;
	ELSE
		new_pipeline := d.pipeline_id;
	END IF;
	IF patch ? 'stage_id' AND jsonb_typeof(patch->'stage_id') <> 'null' THEN
		BEGIN
			new_stage := crm.arg_uuid(patch, 'stage_id');
		EXCEPTION WHEN SQLSTATE 'CR422' THEN
			new_stage := NULL;
		END;
		IF new_stage IS NULL OR NOT EXISTS (SELECT 1 FROM crm.stages x WHERE x.org_id = p.org_id AND x.id = new_stage
		                                       AND x.pipeline_id = new_pipeline AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('stage_id', 'not_found', 'no such stage in the pipeline');
		END IF;
	ELSIF patch ? 'stage_id' AND NOT creating THEN
		PERFORM crm.raise_validation('stage_id', 'required', 'stage_id cannot be null');
	ELSIF new_pipeline IS DISTINCT FROM d.pipeline_id OR d.stage_id IS NULL THEN
		SELECT x.id INTO new_stage FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = new_pipeline AND x.deleted_at IS NULL AND x.kind = 'open'
		 ORDER BY x.position, x.id LIMIT 1;
		IF new_stage IS NULL THEN
			PERFORM crm.raise_validation('stage_id', 'required', 'the pipeline has no open stage: give stage_id');
		END IF;
	ELSE
		new_stage := d.stage_id;
	END IF;
	d.pipeline_id := new_pipeline;
	d.stage_id := new_stage;
	SELECT x.kind INTO k FROM crm.stages x WHERE x.org_id = p.org_id AND x.id = new_stage;
	IF k = 'lost' AND d.lost_reason IS NULL THEN
		PERFORM crm.raise_validation('lost_reason', 'required', 'a lost deal needs a lost_reason');
	END IF;
	IF patch ? 'owner_id' OR d.owner_id IS NULL THEN
		IF patch ? 'owner_id' AND jsonb_typeof(patch->'owner_id') = 'null' AND d.owner_id IS NOT NULL THEN
			PERFORM crm.raise_validation('owner_id', 'required', 'owner_id cannot be null');
		END IF;
		d.owner_id := crm.check_owner(p, crm.arg_uuid(patch, 'owner_id'));
	END IF;
	RETURN d;
END $$;

-- Sort keys of deals_list (whitelisted columns) as text for the cursor.
CREATE FUNCTION crm.deal_sort_key(d crm.deals, col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE col
		WHEN 'created_at' THEN to_jsonb(d.created_at) #>> '{}'
		WHEN 'updated_at' THEN to_jsonb(d.updated_at) #>> '{}'
		WHEN 'amount' THEN coalesce(d.amount, -1)::text
		WHEN 'expected_close_date' THEN coalesce(d.expected_close_date, '-infinity'::date)::text
		WHEN 'title' THEN d.title END
$$;

-- The deal statement trigger (one INSERT per statement, from its transition
-- tables, like crm.audit_rows): a history row for every new deal and for every stage change; a system timeline entry on
-- the deal's contact for every change of a live deal whose contact is live.
CREATE FUNCTION crm.deals_history_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	actor_user uuid := crm.try_uuid(nullif(current_setting('crm.actor_user', true), ''));
	actor_key  uuid := crm.try_uuid(nullif(current_setting('crm.actor_key', true), ''));
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO crm.deal_stage_history (org_id, deal_id, from_stage_id, to_stage_id, moved_at, moved_by, moved_by_key)
		SELECT n.org_id, n.id, NULL, n.stage_id, n.stage_entered_at, actor_user, actor_key FROM new_rows n;
		RETURN NULL;
	END IF;
	WITH moved AS MATERIALIZED (
		-- unnest expands the crm.deals elements into their columns
		SELECT p.ordinality AS k, p.org_id, p.id, p.title, p.owner_id, p.contact_id, p.deleted_at, p.stage_id,
		       p.stage_entered_at, p.from_stage_id, p.from_entered_at
		  FROM unnest((SELECT array_agg(r.stage_id) FROM old_rows r), (SELECT array_agg(r.stage_entered_at) FROM old_rows r),
		              (SELECT array_agg(r::crm.deals) FROM new_rows r))
		       WITH ORDINALITY AS p(from_stage_id, from_entered_at)
		 WHERE p.stage_id IS DISTINCT FROM p.from_stage_id),
	history AS (
		INSERT INTO crm.deal_stage_history (org_id, deal_id, from_stage_id, to_stage_id, moved_at, moved_by, moved_by_key,
		                                    seconds_in_previous)
		SELECT m.org_id, m.id, m.from_stage_id, m.stage_id, m.stage_entered_at, actor_user, actor_key,
		       greatest(0, floor(extract(epoch FROM m.stage_entered_at - m.from_entered_at)))::int
		  FROM moved m ORDER BY m.k)
	INSERT INTO crm.activities (org_id, contact_id, type, occurred_at, subject, owner_id, event, data, created_by, updated_by)
	SELECT m.org_id, m.contact_id, 'system', now(), left('Deal «' || m.title || '»: ' || f.name || ' → ' || t.name, 500),
	       m.owner_id, 'deal_stage_change',
	       jsonb_build_object('deal_id', m.id, 'title', m.title, 'from', f.name, 'to', t.name,
	                          'from_stage_id', m.from_stage_id, 'to_stage_id', m.stage_id),
	       actor_user, actor_user
	  FROM moved m
	  JOIN crm.contacts c ON c.org_id = m.org_id AND c.id = m.contact_id AND c.deleted_at IS NULL
	  LEFT JOIN crm.stages f ON f.org_id = m.org_id AND f.id = m.from_stage_id
	  LEFT JOIN crm.stages t ON t.org_id = m.org_id AND t.id = m.stage_id
	 WHERE m.deleted_at IS NULL
	 ORDER BY m.k;
	RETURN NULL;
END $$;

CREATE TRIGGER deals__stage BEFORE INSERT OR UPDATE ON crm.deals
	FOR EACH ROW EXECUTE FUNCTION crm.deals_stage();

CREATE TRIGGER deals__history_insert AFTER INSERT ON crm.deals REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION crm.deals_history_rows();

CREATE TRIGGER deals__history_update AFTER UPDATE ON crm.deals REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION crm.deals_history_rows();
