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

RESET ROLE;
GRANT SELECT, INSERT, UPDATE ON crm.activities TO crm_app;
