-- 0006_deals: pipelines and their ordered stages, deals, stage history
-- (written by a trigger), system timeline entries for stage moves, and the
-- merge/lookup hooks (deals move on a contact merge; the caller lookup
-- profile lists open deals). Tasks, calendar and reminders are in 0007.
-- Money: numeric(18,2); amounts travel as decimal strings with exactly two
-- decimals ("1250.50").
SET ROLE crm_owner;

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- A money member: decimal string or JSON number, >= 0, at most 2 decimals.
CREATE FUNCTION crm.arg_money(args jsonb, field text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) NOT IN ('string', 'number') OR (args->>field) !~ '^\s*\d{1,16}(\.\d{1,2})?\s*$' THEN
		PERFORM crm.raise_validation(field, 'format', 'a non-negative decimal with at most 2 decimals, e.g. "1250.50"');
	END IF;
	RETURN (args->>field)::numeric(18,2);
END $$;

-- The caller as set by crm.begin in this transaction (for helpers whose
-- signature carries no principal, e.g. crm.contact_profile). NULL when no
-- person or key acts (seeds, system jobs): those see everything.
CREATE FUNCTION crm.current_principal() RETURNS crm.principal
LANGUAGE plpgsql STABLE AS $$
DECLARE
	org uuid := crm.try_uuid(nullif(current_setting('crm.org_id', true), ''));
	uid uuid := crm.try_uuid(nullif(current_setting('crm.actor_user', true), ''));
	kid uuid := crm.try_uuid(nullif(current_setting('crm.actor_key', true), ''));
	p crm.principal;
BEGIN
	IF uid IS NOT NULL THEN
		SELECT u.org_id, u.id, NULL, u.role, NULL INTO p FROM crm.users u WHERE u.org_id = org AND u.id = uid;
		IF FOUND THEN RETURN p; END IF;
		-- An actor that does not resolve sees nothing (fail closed).
		RETURN ROW(org, uid, NULL, 'rep', NULL)::crm.principal;
	ELSIF kid IS NOT NULL THEN
		RETURN ROW(org, NULL, kid, NULL, NULL)::crm.principal;
	END IF;
	RETURN NULL;
END $$;

-- crm.visible_owners of the current caller; NULL (everything) without one.
CREATE FUNCTION crm.current_visible_owners() RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	p crm.principal := crm.current_principal();
BEGIN
	IF p.org_id IS NULL AND p.user_id IS NULL AND p.api_key_id IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN crm.visible_owners(p);
END $$;

-- Is a deal stale (open, its stage rots, and it sat there longer)?
CREATE FUNCTION crm.deal_is_stale(status text, entered timestamptz, rotting_days int) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(status = 'open' AND rotting_days IS NOT NULL AND now() - entered > make_interval(days => rotting_days), false)
$$;

------------------------------------------------------------------------------
-- Pipelines and stages
------------------------------------------------------------------------------
CREATE TABLE crm.pipelines (
	org_id     uuid        NOT NULL,
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name       text        NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int         NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT pipelines__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT pipelines__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT pipelines__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT pipelines__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT pipelines__name__ck CHECK (length(name) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX pipelines__name__uq ON crm.pipelines (org_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX pipelines__name__ix ON crm.pipelines (org_id, name, id) WHERE deleted_at IS NULL;
CREATE TRIGGER pipelines__audit AFTER INSERT OR UPDATE OR DELETE ON crm.pipelines
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE TABLE crm.stages (
	org_id       uuid        NOT NULL,
	id           uuid        NOT NULL DEFAULT crm.uuid_v7(),
	pipeline_id  uuid        NOT NULL,
	name         text        NOT NULL,
	position     int         NOT NULL,
	probability  int         NOT NULL,
	kind         text        NOT NULL DEFAULT 'open',
	rotting_days int,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	created_by   uuid,
	updated_by   uuid,
	version      int         NOT NULL DEFAULT 1,
	deleted_at   timestamptz,
	CONSTRAINT stages__id__uq PRIMARY KEY (org_id, id),
	-- target of deals' (pipeline_id, stage_id): a deal's stage is of its pipeline
	CONSTRAINT stages__pipeline_id__uq UNIQUE (org_id, pipeline_id, id),
	CONSTRAINT stages__pipeline_id__fk FOREIGN KEY (org_id, pipeline_id) REFERENCES crm.pipelines (org_id, id),
	CONSTRAINT stages__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT stages__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT stages__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT stages__position__ck CHECK (position >= 0),
	CONSTRAINT stages__probability__ck CHECK (probability BETWEEN 0 AND 100),
	CONSTRAINT stages__kind__ck CHECK (kind IN ('open', 'won', 'lost')),
	CONSTRAINT stages__rotting_days__ck CHECK (rotting_days IS NULL OR rotting_days >= 1)
);
-- Positions are kept contiguous (0..n-1) by the operations, which lock the
-- pipeline row first; no unique index (a shift would trip it mid-statement).
CREATE UNIQUE INDEX stages__name__uq ON crm.stages (org_id, pipeline_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX stages__pipeline__ix ON crm.stages (org_id, pipeline_id, position) WHERE deleted_at IS NULL;
CREATE TRIGGER stages__audit AFTER INSERT OR UPDATE OR DELETE ON crm.stages
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

------------------------------------------------------------------------------
-- Deals
------------------------------------------------------------------------------
CREATE TABLE crm.deals (
	org_id              uuid          NOT NULL,
	id                  uuid          NOT NULL DEFAULT crm.uuid_v7(),
	title               text          NOT NULL,
	amount              numeric(18,2),
	currency            text,
	pipeline_id         uuid          NOT NULL,
	stage_id            uuid          NOT NULL,
	-- derived from the stage's kind by crm.deals_stage() on every move
	status              text          NOT NULL DEFAULT 'open',
	expected_close_date date,
	owner_id            uuid          NOT NULL,
	contact_id          uuid,
	company_id          uuid,
	campaign_id         uuid,
	lost_reason         text,
	won_at              timestamptz,
	lost_at             timestamptz,
	stage_entered_at    timestamptz   NOT NULL DEFAULT now(),
	notes               text,
	created_at          timestamptz   NOT NULL DEFAULT now(),
	updated_at          timestamptz   NOT NULL DEFAULT now(),
	created_by          uuid,
	updated_by          uuid,
	version             int           NOT NULL DEFAULT 1,
	deleted_at          timestamptz,
	CONSTRAINT deals__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT deals__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT deals__pipeline_id__fk FOREIGN KEY (org_id, pipeline_id) REFERENCES crm.pipelines (org_id, id),
	CONSTRAINT deals__stage_id__fk FOREIGN KEY (org_id, pipeline_id, stage_id) REFERENCES crm.stages (org_id, pipeline_id, id),
	CONSTRAINT deals__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT deals__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT deals__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT deals__campaign_id__fk FOREIGN KEY (org_id, campaign_id) REFERENCES crm.campaigns (org_id, id),
	CONSTRAINT deals__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT deals__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT deals__currency__fk FOREIGN KEY (currency) REFERENCES crm.currencies (code),
	CONSTRAINT deals__title__ck CHECK (length(title) BETWEEN 1 AND 500),
	CONSTRAINT deals__amount__ck CHECK (amount >= 0),
	CONSTRAINT deals__currency__ck CHECK (amount IS NULL OR currency IS NOT NULL),
	CONSTRAINT deals__status__ck CHECK (status IN ('open', 'won', 'lost')),
	CONSTRAINT deals__lost_reason__ck CHECK (status <> 'lost' OR lost_reason IS NOT NULL)
);
CREATE INDEX deals__created_at__ix ON crm.deals (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals__updated_at__ix ON crm.deals (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX deals__amount__ix ON crm.deals (org_id, (coalesce(amount, -1)), id) WHERE deleted_at IS NULL;
CREATE INDEX deals__close__ix ON crm.deals (org_id, (coalesce(expected_close_date, '-infinity'::date)), id) WHERE deleted_at IS NULL;
CREATE INDEX deals__title__ix ON crm.deals (org_id, title, id) WHERE deleted_at IS NULL;
CREATE INDEX deals__owner__ix ON crm.deals (org_id, owner_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX deals__stage__ix ON crm.deals (org_id, stage_id) WHERE deleted_at IS NULL;
CREATE INDEX deals__pipeline__ix ON crm.deals (org_id, pipeline_id) WHERE deleted_at IS NULL;
CREATE INDEX deals__contact__ix ON crm.deals (org_id, contact_id, created_at DESC) WHERE contact_id IS NOT NULL;
CREATE INDEX deals__company__ix ON crm.deals (org_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX deals__campaign__ix ON crm.deals (org_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX deals__search__ix ON crm.deals USING gin ((crm.fold(title)) gin_trgm_ops);
CREATE TRIGGER deals__audit AFTER INSERT OR UPDATE OR DELETE ON crm.deals
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

-- Stage history: one row per entry into a stage (insert: from NULL).
CREATE TABLE crm.deal_stage_history (
	org_id              uuid        NOT NULL,
	id                  uuid        NOT NULL DEFAULT crm.uuid_v7(),
	deal_id             uuid        NOT NULL,
	from_stage_id       uuid,
	to_stage_id         uuid        NOT NULL,
	moved_at            timestamptz NOT NULL DEFAULT now(),
	moved_by            uuid,
	moved_by_key        uuid,
	seconds_in_previous int,
	-- insertion order: breaks ties between moves made at the same instant
	seq                 bigint      GENERATED ALWAYS AS IDENTITY,
	CONSTRAINT deal_stage_history__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT deal_stage_history__deal_id__fk FOREIGN KEY (org_id, deal_id) REFERENCES crm.deals (org_id, id),
	CONSTRAINT deal_stage_history__from_stage_id__fk FOREIGN KEY (org_id, from_stage_id) REFERENCES crm.stages (org_id, id),
	CONSTRAINT deal_stage_history__to_stage_id__fk FOREIGN KEY (org_id, to_stage_id) REFERENCES crm.stages (org_id, id),
	CONSTRAINT deal_stage_history__moved_by__fk FOREIGN KEY (org_id, moved_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT deal_stage_history__moved_by_key__fk FOREIGN KEY (org_id, moved_by_key) REFERENCES crm.api_keys (org_id, id),
	CONSTRAINT deal_stage_history__seconds_in_previous__ck CHECK (seconds_in_previous >= 0)
);
CREATE INDEX deal_stage_history__deal__ix ON crm.deal_stage_history (org_id, deal_id, moved_at, seq);
CREATE INDEX deal_stage_history__to__ix ON crm.deal_stage_history (org_id, to_stage_id, moved_at);
CREATE TRIGGER deal_stage_history__audit AFTER INSERT OR UPDATE OR DELETE ON crm.deal_stage_history
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

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
CREATE TRIGGER deals__stage BEFORE INSERT OR UPDATE ON crm.deals
	FOR EACH ROW EXECUTE FUNCTION crm.deals_stage();

-- History row on every entry into a stage; a system timeline entry on the
-- deal's contact on every move (not on creation).
CREATE FUNCTION crm.deals_history_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	from_name text;
	to_name text;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.stage_id IS NOT DISTINCT FROM OLD.stage_id THEN
		RETURN NULL;
	END IF;
	INSERT INTO crm.deal_stage_history (org_id, deal_id, from_stage_id, to_stage_id, moved_at, moved_by, moved_by_key,
	                                    seconds_in_previous)
	VALUES (NEW.org_id, NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.stage_id END, NEW.stage_id, NEW.stage_entered_at,
	        crm.try_uuid(nullif(current_setting('crm.actor_user', true), '')),
	        crm.try_uuid(nullif(current_setting('crm.actor_key', true), '')),
	        CASE WHEN TG_OP = 'UPDATE'
	             THEN greatest(0, floor(extract(epoch FROM NEW.stage_entered_at - OLD.stage_entered_at)))::int END);
	IF TG_OP = 'UPDATE' AND NEW.contact_id IS NOT NULL AND NEW.deleted_at IS NULL
	   AND EXISTS (SELECT 1 FROM crm.contacts c WHERE c.org_id = NEW.org_id AND c.id = NEW.contact_id AND c.deleted_at IS NULL) THEN
		SELECT s.name INTO from_name FROM crm.stages s WHERE s.org_id = OLD.org_id AND s.id = OLD.stage_id;
		SELECT s.name INTO to_name FROM crm.stages s WHERE s.org_id = NEW.org_id AND s.id = NEW.stage_id;
		PERFORM crm.system_entry(NEW.org_id, NEW.contact_id, NEW.owner_id, 'deal_stage_change',
			jsonb_build_object('deal_id', NEW.id, 'title', NEW.title, 'from', from_name, 'to', to_name,
			                   'from_stage_id', OLD.stage_id, 'to_stage_id', NEW.stage_id),
			left('Deal «' || NEW.title || '»: ' || from_name || ' → ' || to_name, 500));
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER deals__history AFTER INSERT OR UPDATE OF stage_id ON crm.deals
	FOR EACH ROW EXECUTE FUNCTION crm.deals_history_row();

------------------------------------------------------------------------------
-- Shapes
------------------------------------------------------------------------------
CREATE FUNCTION crm.stage_json(s crm.stages) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', s.id, 'pipeline_id', s.pipeline_id, 'name', s.name, 'position', s.position,
		'probability', s.probability, 'kind', s.kind, 'rotting_days', s.rotting_days,
		'deal_count', (SELECT count(*) FROM crm.deals d
		                WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL),
		'created_at', crm.ts(s.created_at), 'updated_at', crm.ts(s.updated_at), 'version', s.version)
$$;

CREATE FUNCTION crm.pipeline_json(pl crm.pipelines) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', pl.id, 'name', pl.name,
		'stages', coalesce((SELECT jsonb_agg(crm.stage_json(s) ORDER BY s.position, s.id) FROM crm.stages s
		                     WHERE s.org_id = pl.org_id AND s.pipeline_id = pl.id AND s.deleted_at IS NULL), '[]'),
		'created_at', crm.ts(pl.created_at), 'updated_at', crm.ts(pl.updated_at), 'version', pl.version)
$$;

CREATE FUNCTION crm.deal_json(d crm.deals) RETURNS jsonb
LANGUAGE sql STABLE AS $$
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
$$;

------------------------------------------------------------------------------
-- Finders
------------------------------------------------------------------------------
CREATE FUNCTION crm.find_pipeline(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.pipelines
LANGUAGE plpgsql AS $$
DECLARE
	pl crm.pipelines;
BEGIN
	IF lock THEN
		SELECT * INTO pl FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO pl FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN pl;
END $$;

-- A live stage of a live pipeline, or CR404.
CREATE FUNCTION crm.find_stage(p crm.principal, pipeline uuid, p_id text, lock boolean DEFAULT false) RETURNS crm.stages
LANGUAGE plpgsql AS $$
DECLARE
	s crm.stages;
BEGIN
	IF lock THEN
		SELECT * INTO s FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pipeline AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO s FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pipeline AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN s;
END $$;

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

------------------------------------------------------------------------------
-- Stage validation and the pipeline's ordering
------------------------------------------------------------------------------

-- Applies create args / a patch to a stage; label prefixes field names
-- (e.g. "stages[2]." inside pipelines_create).
CREATE FUNCTION crm.stage_apply(s crm.stages, patch jsonb, label text DEFAULT '') RETURNS crm.stages
LANGUAGE plpgsql STABLE AS $$
DECLARE
	n int;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation(coalesce(nullif(rtrim(label, '.'), ''), 'patch'), 'type', 'must be an object');
	END IF;
	IF patch ? 'name' OR s.name IS NULL THEN
		s.name := crm.arg_text(patch, 'name', 200, label || 'name');
		IF s.name IS NULL THEN PERFORM crm.raise_validation(label || 'name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'kind' OR s.kind IS NULL THEN
		IF jsonb_typeof(patch->'kind') IS DISTINCT FROM 'string' OR NOT (patch->>'kind') = ANY (ARRAY['open', 'won', 'lost']) THEN
			PERFORM crm.raise_validation(label || 'kind', CASE WHEN patch->'kind' IS NULL OR jsonb_typeof(patch->'kind') = 'null' THEN 'required' ELSE 'invalid' END,
				'kind is one of open, won, lost');
		END IF;
		s.kind := patch->>'kind';
	END IF;
	IF patch ? 'probability' OR s.probability IS NULL THEN
		IF jsonb_typeof(patch->'probability') IS DISTINCT FROM 'number' THEN
			PERFORM crm.raise_validation(label || 'probability', CASE WHEN patch->'probability' IS NULL OR jsonb_typeof(patch->'probability') = 'null' THEN 'required' ELSE 'type' END,
				'probability is an integer 0 to 100');
		END IF;
		BEGIN
			n := (patch->>'probability')::int;
		EXCEPTION WHEN others THEN
			n := -1;
		END;
		IF n IS NULL OR n NOT BETWEEN 0 AND 100 OR (patch->>'probability')::numeric <> n THEN
			PERFORM crm.raise_validation(label || 'probability', 'range', 'probability is an integer 0 to 100');
		END IF;
		s.probability := n;
	END IF;
	IF patch ? 'rotting_days' THEN
		IF jsonb_typeof(patch->'rotting_days') NOT IN ('number', 'null') THEN
			PERFORM crm.raise_validation(label || 'rotting_days', 'type', 'rotting_days is an integer >= 1 or null');
		END IF;
		BEGIN
			n := (patch->>'rotting_days')::int;
		EXCEPTION WHEN others THEN
			n := 0;
		END;
		IF n < 1 THEN
			PERFORM crm.raise_validation(label || 'rotting_days', 'range', 'rotting_days is an integer >= 1 or null');
		END IF;
		s.rotting_days := n;
	END IF;
	RETURN s;
END $$;

-- Bumps a pipeline's version (its representation includes the stages).
CREATE FUNCTION crm.pipeline_touch(org uuid, pipeline uuid, actor uuid) RETURNS crm.pipelines
LANGUAGE sql AS $$
	UPDATE crm.pipelines SET version = version + 1, updated_at = now(), updated_by = actor
	 WHERE org_id = org AND id = pipeline
	RETURNING *
$$;

-- Renumbers the live stages of a pipeline 0..n-1 in their current order
-- (ties by id); only rows whose position changes are written.
CREATE FUNCTION crm.stages_close_up(org uuid, pipeline uuid, actor uuid) RETURNS void
LANGUAGE sql AS $$
	UPDATE crm.stages s SET position = o.pos, version = s.version + 1, updated_at = now(), updated_by = actor
	  FROM (SELECT x.id, (row_number() OVER (ORDER BY x.position, x.id) - 1)::int AS pos
	          FROM crm.stages x WHERE x.org_id = org AND x.pipeline_id = pipeline AND x.deleted_at IS NULL) o
	 WHERE s.org_id = org AND s.id = o.id AND s.position <> o.pos
$$;

-- Inserts a validated stage at position pos (clamped to 0..n), shifting the others.
CREATE FUNCTION crm.stage_insert(p crm.principal, s crm.stages, pos int) RETURNS crm.stages
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	SELECT count(*) INTO n FROM crm.stages x
	 WHERE x.org_id = p.org_id AND x.pipeline_id = s.pipeline_id AND x.deleted_at IS NULL;
	pos := least(greatest(coalesce(pos, n), 0), n);
	UPDATE crm.stages SET position = position + 1, version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = p.org_id AND pipeline_id = s.pipeline_id AND deleted_at IS NULL AND position >= pos;
	s.org_id := p.org_id;
	s.id := coalesce(s.id, crm.uuid_v7());
	s.position := pos;
	s.created_at := now(); s.updated_at := now(); s.created_by := p.user_id; s.updated_by := p.user_id; s.version := 1;
	INSERT INTO crm.stages SELECT (s).* RETURNING * INTO s;
	RETURN s;
END $$;

------------------------------------------------------------------------------
-- Pipelines API (admins write; everyone reads; keys with deals:read read)
------------------------------------------------------------------------------
CREATE FUNCTION api.pipelines_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', 'name');
	rows crm.pipelines[];
BEGIN
	PERFORM crm.check_cursor(cur, 'text');
	rows := ARRAY(
		SELECT x FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.deleted_at IS NULL
		   AND (cur IS NULL OR (x.name, x.id) > (cur->>'k', (cur->>'id')::uuid))
		 ORDER BY x.name, x.id
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.pipeline_json(rows[i]) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim
		                    THEN crm.cursor_encode(jsonb_build_object('s', 'name', 'k', rows[lim].name, 'id', rows[lim].id)) END));
END $$;

CREATE FUNCTION api.pipelines_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	pl crm.pipelines := crm.find_pipeline(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;

CREATE FUNCTION api.pipelines_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines;
	s crm.stages;
	e jsonb;
	i int := 0;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('name', 'required', 'name is required');
	END IF;
	pl.name := crm.arg_text(args, 'name', 200);
	IF pl.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	IF args ? 'stages' AND jsonb_typeof(args->'stages') NOT IN ('array', 'null') THEN
		PERFORM crm.raise_validation('stages', 'type', 'must be an array of stages');
	END IF;
	IF jsonb_typeof(args->'stages') = 'array' AND jsonb_array_length(args->'stages') > 100 THEN
		PERFORM crm.raise_validation('stages', 'too_many', 'at most 100 stages');
	END IF;
	INSERT INTO crm.pipelines (org_id, id, name, created_by, updated_by)
	VALUES (p.org_id, coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7()), pl.name, p.user_id, p.user_id)
	RETURNING * INTO pl;
	IF jsonb_typeof(args->'stages') = 'array' THEN
		FOR e IN SELECT x FROM jsonb_array_elements(args->'stages') x LOOP
			s := NULL;
			s.pipeline_id := pl.id;
			s := crm.stage_apply(s, e, 'stages[' || i || '].');
			s.id := NULL;
			IF jsonb_typeof(e) = 'object' THEN s.id := crm.arg_uuid(e, 'id'); END IF;
			PERFORM crm.stage_insert(p, s, i);
			i := i + 1;
		END LOOP;
	END IF;
	RETURN crm.reply(201, crm.pipeline_json(pl), pl.version, '/v1/pipelines/' || pl.id);
END $$;

CREATE FUNCTION api.pipelines_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	pl crm.pipelines := crm.find_pipeline(p, args->>'id', true);
	v_name text;
BEGIN
	IF crm.if_match_fails(args, pl.version) THEN
		RETURN crm.stale(ctx, crm.pipeline_json(pl), pl.version);
	END IF;
	IF jsonb_typeof(patch) <> 'object' THEN PERFORM crm.raise_validation('patch', 'type', 'must be an object'); END IF;
	IF patch ? 'stages' THEN
		PERFORM crm.raise_validation('stages', 'read_only', 'stages change through the stage operations');
	END IF;
	IF patch ? 'name' THEN
		v_name := crm.arg_text(patch, 'name', 200);
		IF v_name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	UPDATE crm.pipelines SET name = coalesce(v_name, name),
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = pl.org_id AND id = pl.id
	RETURNING * INTO pl;
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;

CREATE FUNCTION api.pipelines_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'id', true);
	n bigint;
BEGIN
	IF crm.if_match_fails(args, pl.version) THEN
		RETURN crm.stale(ctx, crm.pipeline_json(pl), pl.version);
	END IF;
	SELECT count(*) INTO n FROM crm.deals d WHERE d.org_id = pl.org_id AND d.pipeline_id = pl.id AND d.deleted_at IS NULL;
	IF n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the pipeline still holds deals; move or delete them first',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	UPDATE crm.stages SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = pl.org_id AND pipeline_id = pl.id AND deleted_at IS NULL;
	UPDATE crm.pipelines SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = pl.org_id AND id = pl.id;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Stages API (admins)
------------------------------------------------------------------------------
CREATE FUNCTION api.stages_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages;
	pos int := crm.arg_int(args, 'position');
BEGIN
	IF pos < 0 THEN PERFORM crm.raise_validation('position', 'range', 'position is >= 0'); END IF;
	s.pipeline_id := pl.id;
	s := crm.stage_apply(s, args - 'id' - 'pipeline_id' - 'position');
	s.id := crm.arg_uuid(args, 'id');
	s := crm.stage_insert(p, s, pos);
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(201, crm.stage_json(s), s.version, '/v1/pipelines/' || pl.id || '/stages/' || s.id);
END $$;

CREATE FUNCTION api.stages_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages := crm.find_stage(p, pl.id, args->>'id', true);
	n bigint;
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.stage_json(s), s.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'position' AND patch->'position' IS DISTINCT FROM to_jsonb(s.position) THEN
		PERFORM crm.raise_validation('position', 'read_only', 'positions change through stages_reorder');
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'pipeline_id' AND crm.try_uuid(patch->>'pipeline_id') IS DISTINCT FROM s.pipeline_id THEN
		PERFORM crm.raise_validation('pipeline_id', 'read_only', 'a stage cannot move to another pipeline');
	END IF;
	n := (SELECT count(*) FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL);
	s := crm.stage_apply(s, patch - 'position' - 'pipeline_id' - 'id');
	-- The kind decides the status (and won_at/lost_at) of the deals in the
	-- stage: it cannot change under them.
	IF s.kind <> (SELECT x.kind FROM crm.stages x WHERE x.org_id = s.org_id AND x.id = s.id) AND n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the kind of a stage that holds deals cannot change; move the deals first',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	UPDATE crm.stages SET name = s.name, probability = s.probability, kind = s.kind, rotting_days = s.rotting_days,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = s.org_id AND id = s.id
	RETURNING * INTO s;
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(200, crm.stage_json(s), s.version);
END $$;

CREATE FUNCTION api.stages_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages := crm.find_stage(p, pl.id, args->>'id', true);
	target crm.stages;
	move_to uuid;
	n bigint;
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.stage_json(s), s.version);
	END IF;
	BEGIN
		move_to := crm.arg_uuid(args, 'move_to');
	EXCEPTION WHEN SQLSTATE 'CR422' THEN
		PERFORM crm.raise_validation('move_to', 'not_found', 'move_to must be another stage of this pipeline');
	END;
	n := (SELECT count(*) FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL);
	IF move_to IS NOT NULL THEN
		SELECT * INTO target FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pl.id AND x.id = move_to AND x.deleted_at IS NULL AND x.id <> s.id;
		IF NOT FOUND THEN
			PERFORM crm.raise_validation('move_to', 'not_found', 'move_to must be another stage of this pipeline');
		END IF;
		IF target.kind = 'lost' AND EXISTS (SELECT 1 FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id
		                                      AND d.deleted_at IS NULL AND d.lost_reason IS NULL) THEN
			PERFORM crm.raise_validation('move_to', 'lost_reason_required',
				'some deals have no lost_reason: they cannot move to a lost stage');
		END IF;
	ELSIF n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the stage still holds deals; give move_to to move them',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	IF n > 0 THEN
		-- One statement; the history trigger records each move as the caller's.
		UPDATE crm.deals SET stage_id = target.id, version = version + 1, updated_at = now(), updated_by = p.user_id
		 WHERE org_id = s.org_id AND stage_id = s.id AND deleted_at IS NULL;
	END IF;
	UPDATE crm.stages SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = s.org_id AND id = s.id;
	PERFORM crm.stages_close_up(pl.org_id, pl.id, p.user_id);
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.stages_reorder(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	ids uuid[];
	live uuid[];
BEGIN
	IF jsonb_typeof(args->'stage_ids') IS DISTINCT FROM 'array'
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(args->'stage_ids') e
	               WHERE jsonb_typeof(e) <> 'string' OR crm.try_uuid(e #>> '{}') IS NULL) THEN
		PERFORM crm.raise_validation('stage_ids', 'type', 'must be an array of stage ids');
	END IF;
	ids := ARRAY(SELECT crm.try_uuid(e) FROM jsonb_array_elements_text(args->'stage_ids') WITH ORDINALITY x(e, i) ORDER BY i);
	live := ARRAY(SELECT s.id FROM crm.stages s WHERE s.org_id = pl.org_id AND s.pipeline_id = pl.id AND s.deleted_at IS NULL);
	IF cardinality(ids) <> cardinality(live)
	   OR (SELECT count(DISTINCT x) FROM unnest(ids) x) <> cardinality(ids)
	   OR NOT ids <@ live THEN
		PERFORM crm.raise_validation('stage_ids', 'mismatch', 'stage_ids must list every stage of the pipeline exactly once');
	END IF;
	UPDATE crm.stages s SET position = o.i - 1, version = s.version + 1, updated_at = now(), updated_by = p.user_id
	  FROM unnest(ids) WITH ORDINALITY o(id, i)
	 WHERE s.org_id = pl.org_id AND s.id = o.id AND s.position <> o.i - 1;
	IF FOUND THEN
		pl := crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	END IF;
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;

------------------------------------------------------------------------------
-- Deals API (owned like contacts)
------------------------------------------------------------------------------

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

CREATE FUNCTION api.deals_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', '-created_at');
	col text := crm.sort_column(sort, ARRAY['created_at', 'updated_at', 'amount', 'expected_close_date', 'title']);
	keytype text := CASE col WHEN 'amount' THEN 'numeric' WHEN 'expected_close_date' THEN 'date'
	                         WHEN 'title' THEN 'text' ELSE 'timestamptz' END;
	expr text := CASE col WHEN 'amount' THEN 'coalesce(d.amount, -1)'
	                      WHEN 'expected_close_date' THEN 'coalesce(d.expected_close_date, ''-infinity''::date)'
	                      ELSE 'd.' || quote_ident(col) END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := nullif(crm.fold(crm.arg_text(args, 'q', 200)), '');
	status text := crm.arg_enum(args, 'status', ARRAY['open', 'won', 'lost']);
	rows crm.deals[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF cur IS NOT NULL AND keytype IN ('numeric', 'date') THEN
		BEGIN
			PERFORM CASE keytype WHEN 'numeric' THEN (cur->>'k')::numeric::text ELSE (cur->>'k')::date::text END;
		EXCEPTION WHEN others THEN
			PERFORM crm.bad_cursor();
		END;
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT d FROM crm.deals d
			 WHERE d.org_id = $1 AND d.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR d.owner_id = ANY ($2))
			   AND ($3::text IS NULL OR crm.fold(d.title) LIKE $3)
			   AND ($4::uuid IS NULL OR d.pipeline_id = $4)
			   AND ($5::uuid IS NULL OR d.stage_id = $5)
			   AND ($6::uuid IS NULL OR d.owner_id = $6)
			   AND ($7::text IS NULL OR d.status = $7)
			   AND ($8::boolean IS NULL OR $8 = EXISTS (SELECT 1 FROM crm.stages s WHERE s.org_id = d.org_id AND s.id = d.stage_id
			                                               AND crm.deal_is_stale(d.status, d.stage_entered_at, s.rotting_days)))
			   AND ($9::date IS NULL OR d.expected_close_date >= $9)
			   AND ($10::date IS NULL OR d.expected_close_date <= $10)
			   AND ($11::numeric IS NULL OR d.amount >= $11)
			   AND ($12::numeric IS NULL OR d.amount <= $12)
			   AND ($13::uuid IS NULL OR d.contact_id = $13)
			   AND ($14::uuid IS NULL OR d.company_id = $14)
			   AND ($15::jsonb IS NULL OR (%1$s, d.id) %3$s (($15->>'k')::%4$s, ($15->>'id')::uuid))
			 ORDER BY %1$s %2$s, d.id %2$s
			 LIMIT $16)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, crm.like_pattern(q), crm.arg_uuid(args, 'pipeline_id'), crm.arg_uuid(args, 'stage_id'),
	      crm.arg_uuid(args, 'owner_id'), status, crm.arg_bool(args, 'stale'),
	      crm.arg_date(args, 'close_from'), crm.arg_date(args, 'close_to'),
	      crm.arg_money(args, 'amount_min'), crm.arg_money(args, 'amount_max'),
	      crm.arg_uuid(args, 'contact_id'), crm.arg_uuid(args, 'company_id'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.deal_sort_key(rows[lim], col), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.deal_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.deals_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	d crm.deals := crm.find_deal(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.deal_json(d), crm.arg_text_array(args, 'fields')), d.version);
END $$;

CREATE FUNCTION api.deals_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	d crm.deals;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('title', 'required', 'title is required');
	END IF;
	d.org_id := p.org_id;
	d.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	d := crm.deal_apply(p, d, args - 'id' - 'status' - 'won_at' - 'lost_at' - 'stage_entered_at', true);
	d.status := 'open'; d.stage_entered_at := now();
	d.created_at := now(); d.updated_at := now(); d.created_by := p.user_id; d.updated_by := p.user_id; d.version := 1;
	INSERT INTO crm.deals SELECT (d).* RETURNING * INTO d;
	RETURN crm.reply(201, crm.deal_json(d), d.version, '/v1/deals/' || d.id);
END $$;

CREATE FUNCTION api.deals_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	patch jsonb := coalesce(args->'patch', '{}');
	d crm.deals := crm.find_deal(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, d.version) THEN
		RETURN crm.stale(ctx, crm.deal_json(d), d.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'id' AND crm.try_uuid(patch->>'id') IS DISTINCT FROM d.id THEN
		PERFORM crm.raise_validation('id', 'read_only', 'cannot be changed');
	END IF;
	d := crm.deal_apply(p, d, patch - 'id' - 'status' - 'won_at' - 'lost_at' - 'stage_entered_at', false);
	UPDATE crm.deals SET title = d.title, amount = d.amount, currency = d.currency, pipeline_id = d.pipeline_id,
	       stage_id = d.stage_id, expected_close_date = d.expected_close_date, owner_id = d.owner_id,
	       contact_id = d.contact_id, company_id = d.company_id, campaign_id = d.campaign_id,
	       lost_reason = d.lost_reason, notes = d.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = d.org_id AND id = d.id
	RETURNING * INTO d;
	RETURN crm.reply(200, crm.deal_json(d), d.version);
END $$;

CREATE FUNCTION api.deals_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:write');
	d crm.deals := crm.find_deal(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, d.version) THEN
		RETURN crm.stale(ctx, crm.deal_json(d), d.version);
	END IF;
	UPDATE crm.deals SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = d.org_id AND id = d.id;
	RETURN crm.reply(204);
END $$;

-- Stage history of a deal, oldest first.
CREATE FUNCTION api.deals_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	d crm.deals := crm.find_deal(p, args->>'id');
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', 'moved_at');
	rows crm.deal_stage_history[];
BEGIN
	PERFORM crm.check_cursor(cur, 'timestamptz');
	IF cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'seq')::bigint; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
		IF cur->>'seq' IS NULL THEN PERFORM crm.bad_cursor(); END IF;
	END IF;
	rows := ARRAY(
		SELECT h FROM crm.deal_stage_history h
		 WHERE h.org_id = d.org_id AND h.deal_id = d.id
		   AND (cur IS NULL OR (h.moved_at, h.seq) > ((cur->>'k')::timestamptz, (cur->>'seq')::bigint))
		 ORDER BY h.moved_at, h.seq
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(jsonb_build_object(
			'id', h.id,
			'from_stage', (SELECT jsonb_build_object('id', s.id, 'name', s.name) FROM crm.stages s
			                WHERE s.org_id = h.org_id AND s.id = h.from_stage_id),
			'to_stage', (SELECT jsonb_build_object('id', s.id, 'name', s.name) FROM crm.stages s
			              WHERE s.org_id = h.org_id AND s.id = h.to_stage_id),
			'moved_at', crm.ts(h.moved_at),
			'moved_by', CASE WHEN h.moved_by IS NOT NULL THEN jsonb_build_object('type', 'user', 'id', h.moved_by)
			                 WHEN h.moved_by_key IS NOT NULL THEN jsonb_build_object('type', 'api_key', 'id', h.moved_by_key)
			                 ELSE jsonb_build_object('type', 'system', 'id', NULL) END,
			'seconds_in_previous', h.seconds_in_previous) ORDER BY i)
		  FROM generate_subscripts(rows, 1) i, LATERAL (SELECT (rows[i]).*) h WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim THEN crm.cursor_encode(jsonb_build_object(
			's', 'moved_at', 'k', to_jsonb(rows[lim].moved_at) #>> '{}', 'id', rows[lim].id, 'seq', rows[lim].seq)) END));
END $$;

------------------------------------------------------------------------------
-- Merge and lookup hooks
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION crm.contact_child_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['activities', 'deals']
$$;

-- The compact profile of a contact for a caller lookup; open_deals are the
-- contact's open deals the current caller may see, newest first, at most 5.
CREATE OR REPLACE FUNCTION crm.contact_profile(c crm.contacts) RETURNS jsonb
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
			         ORDER BY a.occurred_at DESC, a.id DESC LIMIT 3) a), '[]'),
		'open_deals', coalesce((
			SELECT jsonb_agg(jsonb_build_object('id', d.id, 'title', d.title, 'amount', d.amount::text, 'currency', d.currency,
			                                    'stage', jsonb_build_object('id', s.id, 'name', s.name))
			                 ORDER BY d.created_at DESC, d.id DESC)
			  FROM (SELECT x.* FROM crm.deals x, (SELECT crm.current_visible_owners() AS vis) v
			         WHERE x.org_id = c.org_id AND x.contact_id = c.id AND x.deleted_at IS NULL AND x.status = 'open'
			           AND (v.vis IS NULL OR x.owner_id = ANY (v.vis))
			         ORDER BY x.created_at DESC, x.id DESC LIMIT 5) d
			  JOIN crm.stages s ON s.org_id = d.org_id AND s.id = d.stage_id), '[]'))
$$;

RESET ROLE;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO crm_app;
-- (the blanket grant must not reach the bootstrap function of 0001)
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app, PUBLIC;
GRANT SELECT, INSERT, UPDATE ON crm.pipelines, crm.stages, crm.deals TO crm_app;
GRANT SELECT, INSERT ON crm.deal_stage_history TO crm_app;
