-- 0006_deals: pipelines and their ordered stages, deals, stage history
-- (written by a trigger), system timeline entries for stage moves, and the
-- merge/lookup hooks (deals move on a contact merge; the caller lookup
-- profile lists open deals). Tasks, calendar and reminders are in 0007.
-- Money: numeric(18,2); amounts travel as decimal strings with exactly two
-- decimals ("1250.50").
SET ROLE crm_owner;

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

RESET ROLE;
GRANT SELECT, INSERT, UPDATE ON crm.pipelines, crm.stages, crm.deals TO crm_app;
GRANT SELECT, INSERT ON crm.deal_stage_history TO crm_app;
