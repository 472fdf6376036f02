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

RESET ROLE;
GRANT SELECT, INSERT, UPDATE ON crm.tasks TO crm_app;
