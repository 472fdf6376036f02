-- 0017_tickets: the support desk. Per-organization desk settings and ticket
-- numbers, SLA policies, tickets with the SLA targets they were opened with
-- and their clocks, the conversation (public replies, internal notes) and
-- customer satisfaction ratings. Ticket custom fields use crm.custom_fields.
SET ROLE crm_owner;

-- The desk's settings, one row per organization once an admin sets them
-- (defaults otherwise): how long a resolved ticket may be reopened.
CREATE TABLE crm.ticket_settings (
	org_id      uuid        NOT NULL,
	id          uuid        NOT NULL DEFAULT crm.uuid_v7(),
	reopen_days int         NOT NULL DEFAULT 7,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	created_by  uuid,
	updated_by  uuid,
	version     int         NOT NULL DEFAULT 1,
	CONSTRAINT ticket_settings__org_id__uq PRIMARY KEY (org_id),
	CONSTRAINT ticket_settings__id__uq UNIQUE (id),
	CONSTRAINT ticket_settings__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT ticket_settings__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT ticket_settings__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT ticket_settings__reopen_days__ck CHECK (reopen_days BETWEEN 0 AND 365)
);

-- The last ticket number given in an organization (T-1, T-2, …): its row
-- lock orders the numbers; not audited (the ticket's own row is).
CREATE TABLE crm.ticket_counters (
	org_id      uuid NOT NULL,
	last_number int  NOT NULL,
	CONSTRAINT ticket_counters__org_id__uq PRIMARY KEY (org_id),
	CONSTRAINT ticket_counters__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT ticket_counters__last_number__ck CHECK (last_number >= 1)
);

-- An SLA policy applies to the tickets of its priority, and, where given,
-- of its channel, type and tag; the most specific live policy wins.
-- business_hours: a calendar (sql/crm/sla.sql) or NULL for 24x7.
CREATE TABLE crm.sla_policies (
	org_id                 uuid        NOT NULL,
	id                     uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name                   text        NOT NULL,
	priority               text        NOT NULL,
	channel                text,
	type                   text,
	tag                    text,
	first_response_minutes int         NOT NULL,
	resolution_minutes     int         NOT NULL,
	business_hours         jsonb,
	created_at             timestamptz NOT NULL DEFAULT now(),
	updated_at             timestamptz NOT NULL DEFAULT now(),
	created_by             uuid,
	updated_by             uuid,
	version                int         NOT NULL DEFAULT 1,
	deleted_at             timestamptz,
	CONSTRAINT sla_policies__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT sla_policies__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT sla_policies__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT sla_policies__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT sla_policies__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT sla_policies__priority__ck CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	CONSTRAINT sla_policies__channel__ck CHECK (channel IN ('phone', 'email', 'sms', 'web', 'social', 'in_person', 'api')),
	CONSTRAINT sla_policies__type__ck CHECK (type IN ('question', 'problem', 'incident', 'request')),
	CONSTRAINT sla_policies__tag__ck CHECK (length(tag) BETWEEN 1 AND 100),
	CONSTRAINT sla_policies__first_response_minutes__ck CHECK (first_response_minutes BETWEEN 1 AND 525600),
	CONSTRAINT sla_policies__resolution_minutes__ck CHECK (resolution_minutes BETWEEN 1 AND 525600),
	CONSTRAINT sla_policies__business_hours__ck CHECK (business_hours IS NULL OR jsonb_typeof(business_hours) = 'object')
);
CREATE UNIQUE INDEX sla_policies__name__uq ON crm.sla_policies (org_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX sla_policies__priority__ix ON crm.sla_policies (org_id, priority) WHERE deleted_at IS NULL;

-- A ticket. The SLA members are copied from the matching policy when the
-- ticket is opened (a later change of the policy applies to new tickets):
-- sla_calendar, sla_first_response_s, sla_resolution_s. The resolution clock
-- runs from resolution_clock_at (NULL while pending, resolved or closed);
-- resolution_used_s is the working time it ran before, and
-- resolution_due_at the instant it runs out if it keeps running.
CREATE TABLE crm.tickets (
	org_id                  uuid        NOT NULL,
	id                      uuid        NOT NULL DEFAULT crm.uuid_v7(),
	number                  int         NOT NULL,
	subject                 text        NOT NULL,
	description             text,
	contact_id              uuid        NOT NULL,
	company_id              uuid,
	deal_id                 uuid,
	channel                 text        NOT NULL DEFAULT 'web',
	status                  text        NOT NULL DEFAULT 'new',
	priority                text        NOT NULL DEFAULT 'normal',
	type                    text,
	assignee_id             uuid        NOT NULL,
	team_id                 uuid,
	tags                    text[]      NOT NULL DEFAULT '{}',
	tag_keys                text[]      NOT NULL DEFAULT '{}',
	custom_fields           jsonb       NOT NULL DEFAULT '{}',
	external_id             text,
	search_text             text        NOT NULL DEFAULT '',
	sla_policy_id           uuid,
	sla_calendar            jsonb,
	sla_first_response_s    int,
	sla_resolution_s        int,
	first_response_due_at   timestamptz,
	first_response_at       timestamptz,
	resolution_due_at       timestamptz,
	resolution_clock_at     timestamptz,
	resolution_used_s       numeric     NOT NULL DEFAULT 0,
	resolution_breached     boolean     NOT NULL DEFAULT false,
	resolved_at             timestamptz,
	closed_at               timestamptz,
	reopen_count            int         NOT NULL DEFAULT 0,
	created_at              timestamptz NOT NULL DEFAULT now(),
	updated_at              timestamptz NOT NULL DEFAULT now(),
	created_by              uuid,
	updated_by              uuid,
	version                 int         NOT NULL DEFAULT 1,
	deleted_at              timestamptz,
	CONSTRAINT tickets__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT tickets__number__uq UNIQUE (org_id, number),
	CONSTRAINT tickets__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT tickets__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT tickets__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT tickets__deal_id__fk FOREIGN KEY (org_id, deal_id) REFERENCES crm.deals (org_id, id),
	CONSTRAINT tickets__assignee_id__fk FOREIGN KEY (org_id, assignee_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT tickets__team_id__fk FOREIGN KEY (org_id, team_id) REFERENCES crm.teams (org_id, id),
	CONSTRAINT tickets__sla_policy_id__fk FOREIGN KEY (org_id, sla_policy_id) REFERENCES crm.sla_policies (org_id, id),
	CONSTRAINT tickets__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT tickets__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT tickets__number__ck CHECK (number >= 1),
	CONSTRAINT tickets__subject__ck CHECK (length(subject) BETWEEN 1 AND 500),
	CONSTRAINT tickets__description__ck CHECK (length(description) <= 100000),
	CONSTRAINT tickets__channel__ck CHECK (channel IN ('phone', 'email', 'sms', 'web', 'social', 'in_person', 'api')),
	CONSTRAINT tickets__status__ck CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
	CONSTRAINT tickets__priority__ck CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	CONSTRAINT tickets__type__ck CHECK (type IN ('question', 'problem', 'incident', 'request')),
	CONSTRAINT tickets__external_id__ck CHECK (length(external_id) BETWEEN 1 AND 200),
	CONSTRAINT tickets__custom_fields__ck CHECK (jsonb_typeof(custom_fields) = 'object'),
	CONSTRAINT tickets__resolved_at__ck CHECK ((resolved_at IS NOT NULL) = (status IN ('resolved', 'closed'))),
	CONSTRAINT tickets__closed_at__ck CHECK ((closed_at IS NOT NULL) = (status = 'closed')),
	CONSTRAINT tickets__reopen_count__ck CHECK (reopen_count >= 0)
);
CREATE INDEX tickets__created_at__ix ON crm.tickets (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets__updated_at__ix ON crm.tickets (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX tickets__assignee__ix ON crm.tickets (org_id, assignee_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets__status__ix ON crm.tickets (org_id, status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX tickets__contact__ix ON crm.tickets (org_id, contact_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX tickets__company__ix ON crm.tickets (org_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX tickets__team__ix ON crm.tickets (org_id, team_id) WHERE team_id IS NOT NULL;
CREATE INDEX tickets__deal__ix ON crm.tickets (org_id, deal_id) WHERE deal_id IS NOT NULL;
-- The clocks that can still run out: the breach filters and due_before.
CREATE INDEX tickets__first_response_due__ix ON crm.tickets (org_id, first_response_due_at)
	WHERE deleted_at IS NULL AND first_response_at IS NULL;
CREATE INDEX tickets__resolution_due__ix ON crm.tickets (org_id, resolution_due_at)
	WHERE deleted_at IS NULL AND resolution_clock_at IS NOT NULL;
CREATE INDEX tickets__resolved_at__ix ON crm.tickets (org_id, resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX tickets__search__ix ON crm.tickets USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX tickets__tags__ix ON crm.tickets USING gin (tag_keys);
CREATE UNIQUE INDEX tickets__external_id__uq ON crm.tickets (org_id, external_id)
	WHERE deleted_at IS NULL AND external_id IS NOT NULL;

-- The conversation: public replies (the customer sees them) and internal
-- notes; written by a user, or by the contact when an integration posts the
-- customer's message. Entries are never edited.
CREATE TABLE crm.ticket_comments (
	org_id            uuid        NOT NULL,
	id                uuid        NOT NULL DEFAULT crm.uuid_v7(),
	ticket_id         uuid        NOT NULL,
	public            boolean     NOT NULL,
	author_user_id    uuid,
	author_contact_id uuid,
	body              text        NOT NULL,
	attachments       jsonb       NOT NULL DEFAULT '[]',
	created_at        timestamptz NOT NULL DEFAULT now(),
	created_by        uuid,
	CONSTRAINT ticket_comments__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT ticket_comments__ticket_id__fk FOREIGN KEY (org_id, ticket_id) REFERENCES crm.tickets (org_id, id),
	CONSTRAINT ticket_comments__author_user_id__fk FOREIGN KEY (org_id, author_user_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT ticket_comments__author_contact_id__fk FOREIGN KEY (org_id, author_contact_id) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT ticket_comments__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT ticket_comments__author__ck CHECK ((author_user_id IS NULL) <> (author_contact_id IS NULL)),
	-- A customer's message is public; a note is written by a user.
	CONSTRAINT ticket_comments__public__ck CHECK (public OR author_user_id IS NOT NULL),
	CONSTRAINT ticket_comments__body__ck CHECK (length(body) BETWEEN 1 AND 100000),
	CONSTRAINT ticket_comments__attachments__ck CHECK (jsonb_typeof(attachments) = 'array')
);
CREATE INDEX ticket_comments__ticket__ix ON crm.ticket_comments (org_id, ticket_id, created_at, id);

-- Customer satisfaction: one rating per resolution of a ticket (the
-- resolution's ordinal is the ticket's reopen_count when it was rated);
-- every rating is kept.
CREATE TABLE crm.ticket_ratings (
	org_id           uuid        NOT NULL,
	id               uuid        NOT NULL DEFAULT crm.uuid_v7(),
	ticket_id        uuid        NOT NULL,
	resolution       int         NOT NULL,
	rating           int         NOT NULL,
	comment          text,
	created_at       timestamptz NOT NULL DEFAULT now(),
	created_by       uuid,
	created_by_key   uuid,
	CONSTRAINT ticket_ratings__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT ticket_ratings__resolution__uq UNIQUE (org_id, ticket_id, resolution),
	CONSTRAINT ticket_ratings__ticket_id__fk FOREIGN KEY (org_id, ticket_id) REFERENCES crm.tickets (org_id, id),
	CONSTRAINT ticket_ratings__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT ticket_ratings__created_by_key__fk FOREIGN KEY (org_id, created_by_key) REFERENCES crm.api_keys (org_id, id),
	CONSTRAINT ticket_ratings__rating__ck CHECK (rating BETWEEN 1 AND 5),
	CONSTRAINT ticket_ratings__comment__ck CHECK (length(comment) <= 10000)
);

-- Tickets have custom fields of their own; an integration key may record
-- a customer's rating (the survey link in an SMS) with tickets:csat.
ALTER TABLE crm.api_keys DROP CONSTRAINT api_keys__scopes__ck;
ALTER TABLE crm.api_keys ADD CONSTRAINT api_keys__scopes__ck CHECK (scopes <@ ARRAY[
	'contacts:read', 'contacts:write', 'companies:read', 'companies:write',
	'activities:read', 'activities:write', 'lookup:read', 'deals:read', 'deals:write',
	'tasks:read', 'tasks:write', 'tickets:read', 'tickets:write', 'tickets:csat', 'reminders:read',
	'users:read', 'teams:read', 'audit:read']::text[] AND array_position(scopes, NULL) IS NULL);
ALTER TABLE crm.custom_fields DROP CONSTRAINT custom_fields__entity__ck;
ALTER TABLE crm.custom_fields ADD CONSTRAINT custom_fields__entity__ck CHECK (entity IN ('contact', 'company', 'ticket'));

RESET ROLE;
GRANT SELECT, INSERT, UPDATE ON crm.ticket_settings, crm.ticket_counters, crm.sla_policies, crm.tickets TO crm_app;
GRANT SELECT, INSERT ON crm.ticket_comments, crm.ticket_ratings TO crm_app;
