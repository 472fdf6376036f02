-- 0001_core: identity and tenancy tables, the audit log (the schema crm is
-- made by sql/crm/expressions.sql, applied before the migrations).
-- Runs as postgres inside one transaction (scripts/db.sh migrate); objects
-- are created as crm_owner so the application role never owns anything.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

SET ROLE crm_owner;

-- Functions are executable only where granted (sql/code_finish.sql).
ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

------------------------------------------------------------------------------
-- Tables. Every key includes org_id (DESIGN §3); constraint names follow
-- <table>__<field>__<uq|fk|ck> so the server can name the field.
------------------------------------------------------------------------------
CREATE TABLE crm.organizations (
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name       text        NOT NULL,
	slug       text        NOT NULL,
	active     boolean     NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int         NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT organizations__id__uq PRIMARY KEY (id),
	CONSTRAINT organizations__slug__uq UNIQUE (slug),
	CONSTRAINT organizations__slug__ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	CONSTRAINT organizations__name__ck CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE crm.users (
	org_id        uuid        NOT NULL,
	id            uuid        NOT NULL DEFAULT crm.uuid_v7(),
	email         text        NOT NULL,
	name          text        NOT NULL,
	role          text        NOT NULL,
	active        boolean     NOT NULL DEFAULT true,
	password_hash text,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	created_by    uuid,
	updated_by    uuid,
	version       int         NOT NULL DEFAULT 1,
	deleted_at    timestamptz,
	CONSTRAINT users__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT users__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT users__role__ck CHECK (role IN ('admin', 'manager', 'rep')),
	CONSTRAINT users__email__ck CHECK (email = lower(email) AND email LIKE '%_@_%' AND length(email) <= 254),
	CONSTRAINT users__name__ck CHECK (length(name) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX users__email__uq ON crm.users (org_id, lower(email));
-- login_lookup searches by e-mail across organizations.
CREATE INDEX users__email__ix ON crm.users (lower(email));
CREATE INDEX users__name__ix ON crm.users (org_id, name, id);
CREATE INDEX users__created_at__ix ON crm.users (org_id, created_at, id);
CREATE INDEX users__name_trgm__ix ON crm.users USING gin (name gin_trgm_ops, email gin_trgm_ops);

CREATE TABLE crm.teams (
	org_id      uuid        NOT NULL,
	id          uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name        text        NOT NULL,
	description text,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	created_by  uuid,
	updated_by  uuid,
	version     int         NOT NULL DEFAULT 1,
	deleted_at  timestamptz,
	CONSTRAINT teams__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT teams__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT teams__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT teams__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT teams__name__ck CHECK (length(name) BETWEEN 1 AND 200)
);
-- Names are unique among live teams; a deleted team frees its name.
CREATE UNIQUE INDEX teams__name__uq ON crm.teams (org_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX teams__name__ix ON crm.teams (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX teams__created_at__ix ON crm.teams (org_id, created_at, id) WHERE deleted_at IS NULL;

-- Memberships are deleted outright (the audit log keeps the history), so no deleted_at.
CREATE TABLE crm.team_members (
	org_id     uuid        NOT NULL,
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	team_id    uuid        NOT NULL,
	user_id    uuid        NOT NULL,
	added_at   timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int         NOT NULL DEFAULT 1,
	CONSTRAINT team_members__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT team_members__user_id__uq UNIQUE (org_id, team_id, user_id),
	CONSTRAINT team_members__team_id__fk FOREIGN KEY (org_id, team_id) REFERENCES crm.teams (org_id, id),
	CONSTRAINT team_members__user_id__fk FOREIGN KEY (org_id, user_id) REFERENCES crm.users (org_id, id)
);
CREATE INDEX team_members__user__ix ON crm.team_members (org_id, user_id);

CREATE TABLE crm.api_keys (
	org_id       uuid        NOT NULL,
	id           uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name         text        NOT NULL,
	prefix       text        NOT NULL,
	key_hash     text        NOT NULL,
	scopes       text[]      NOT NULL,
	expires_at   timestamptz,
	revoked_at   timestamptz,
	last_used_at timestamptz,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	created_by   uuid,
	updated_by   uuid,
	version      int         NOT NULL DEFAULT 1,
	deleted_at   timestamptz,
	CONSTRAINT api_keys__id__uq PRIMARY KEY (org_id, id),
	-- Looked up by hash alone (the caller is not known yet); hashes of random keys.
	CONSTRAINT api_keys__key_hash__uq UNIQUE (key_hash),
	CONSTRAINT api_keys__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT api_keys__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT api_keys__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT api_keys__scopes__ck CHECK (scopes <@ ARRAY[
		'contacts:read', 'contacts:write', 'companies:read', 'companies:write',
		'activities:read', 'activities:write', 'lookup:read', 'deals:read', 'deals:write',
		'tasks:read', 'tasks:write', 'tickets:read', 'tickets:write', 'reminders:read',
		'users:read', 'teams:read', 'audit:read']::text[] AND array_position(scopes, NULL) IS NULL)
);
CREATE INDEX api_keys__created_at__ix ON crm.api_keys (org_id, created_at DESC, id DESC);

-- Not a business table (no audit): opaque refresh tokens, stored hashed.
CREATE TABLE crm.refresh_tokens (
	org_id     uuid        NOT NULL,
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	user_id    uuid        NOT NULL,
	family_id  uuid        NOT NULL,
	token_hash text        NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	revoked_at timestamptz,
	CONSTRAINT refresh_tokens__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT refresh_tokens__token_hash__uq UNIQUE (token_hash),
	CONSTRAINT refresh_tokens__user_id__fk FOREIGN KEY (org_id, user_id) REFERENCES crm.users (org_id, id)
);
CREATE INDEX refresh_tokens__family__ix ON crm.refresh_tokens (org_id, family_id);
CREATE INDEX refresh_tokens__user__ix ON crm.refresh_tokens (org_id, user_id) WHERE revoked_at IS NULL;

-- Failed logins, for throttling; keyed by what the attacker sends, not by org.
CREATE TABLE crm.login_failures (
	id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email text        NOT NULL,
	ip    inet,
	at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures__email__ix ON crm.login_failures (email, at);
CREATE INDEX login_failures__ip__ix ON crm.login_failures (ip, at);

------------------------------------------------------------------------------
-- Audit log: append-only, written by crm.audit_row() in the same transaction.
------------------------------------------------------------------------------
CREATE TABLE crm.audit_log (
	id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id           uuid        NOT NULL,
	table_name       text        NOT NULL,
	record_id        uuid,
	action           text        NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
	actor_user_id    uuid,
	actor_api_key_id uuid,
	actor_system     text,
	request_id       text,
	at               timestamptz NOT NULL DEFAULT now(),
	txid             bigint      NOT NULL DEFAULT txid_current(),
	old_values       jsonb,
	new_values       jsonb
);
CREATE INDEX audit_log__org__ix ON crm.audit_log (org_id, id DESC);
CREATE INDEX audit_log__record__ix ON crm.audit_log (org_id, record_id, id DESC);
CREATE INDEX audit_log__actor_user__ix ON crm.audit_log (org_id, actor_user_id, id DESC) WHERE actor_user_id IS NOT NULL;
CREATE INDEX audit_log__actor_key__ix ON crm.audit_log (org_id, actor_api_key_id, id DESC) WHERE actor_api_key_id IS NOT NULL;

RESET ROLE;
