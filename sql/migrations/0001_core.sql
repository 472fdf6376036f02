-- 0001_core: schemas, helpers, identity/tenancy tables and the audit log.
-- Runs as postgres inside one transaction (scripts/db.sh migrate); objects
-- are created as crm_owner so the application role never owns anything.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE SCHEMA IF NOT EXISTS crm AUTHORIZATION crm_owner;
CREATE SCHEMA IF NOT EXISTS api AUTHORIZATION crm_owner;

SET ROLE crm_owner;

-- Functions are executable only where granted below.
ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

------------------------------------------------------------------------------
-- Types
------------------------------------------------------------------------------
CREATE TYPE api.reply AS (status int, body text, etag text, location text);
CREATE TYPE crm.principal AS (org_id uuid, user_id uuid, api_key_id uuid, role text, scopes text[]);

------------------------------------------------------------------------------
-- Small helpers
------------------------------------------------------------------------------

-- Time-ordered UUID (version 7): 48-bit Unix milliseconds, then random bits
-- from a v4 UUID whose version nibble 0100 becomes 0111 (bits 52 and 53).
CREATE FUNCTION crm.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
	SELECT encode(
		set_bit(set_bit(
			overlay(uuid_send(gen_random_uuid())
				PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
				FROM 1 FOR 6),
			52, 1), 53, 1),
		'hex')::uuid
$$;

-- RFC 3339 UTC with microseconds, the one time format of every response.
CREATE FUNCTION crm.ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Raises a 422 naming one field; DETAIL is the JSON error list.
CREATE FUNCTION crm.raise_validation(field text, code text, message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CR422', MESSAGE = 'validation failed',
		DETAIL = jsonb_build_array(jsonb_build_object('field', field, 'code', code, 'message', message))::text;
END $$;

CREATE FUNCTION crm.problem(ctx jsonb, status int, detail text, extra jsonb DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT (jsonb_build_object(
		'type', 'urn:crm:problem:' || CASE status
			WHEN 400 THEN 'bad-request' WHEN 401 THEN 'unauthorized' WHEN 403 THEN 'forbidden'
			WHEN 404 THEN 'not-found' WHEN 409 THEN 'conflict' WHEN 412 THEN 'precondition-failed'
			WHEN 422 THEN 'validation' WHEN 429 THEN 'too-many-requests' ELSE 'internal' END,
		'title', CASE status
			WHEN 400 THEN 'Bad Request' WHEN 401 THEN 'Unauthorized' WHEN 403 THEN 'Forbidden'
			WHEN 404 THEN 'Not Found' WHEN 409 THEN 'Conflict' WHEN 412 THEN 'Precondition Failed'
			WHEN 422 THEN 'Unprocessable Content' WHEN 429 THEN 'Too Many Requests'
			ELSE 'Internal Server Error' END,
		'status', status,
		'detail', detail,
		'instance', ctx->>'request_id') || coalesce(extra, '{}'))::text
$$;

CREATE FUNCTION crm.not_found() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CR404', MESSAGE = 'not found';
END $$;

-- Safe casts for untrusted jsonb members. Ids that do not parse simply match
-- nothing (404); values to be stored raise a 422 naming the field.
-- A regex instead of an exception block: this runs on every request (crm.begin).
CREATE FUNCTION crm.try_uuid(v text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN v ~ '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$'
	            THEN v::uuid END
$$;

CREATE FUNCTION crm.arg_uuid(args jsonb, field text) RETURNS uuid
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::uuid;
EXCEPTION WHEN invalid_text_representation THEN
	PERFORM crm.raise_validation(field, 'format', 'must be a UUID');
END $$;

CREATE FUNCTION crm.arg_bool(args jsonb, field text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	CASE jsonb_typeof(args->field)
	WHEN 'boolean' THEN RETURN (args->field)::boolean;
	WHEN 'null' THEN RETURN NULL;
	ELSE
		IF args->field IS NULL THEN RETURN NULL; END IF;
		PERFORM crm.raise_validation(field, 'type', 'must be a boolean');
	END CASE;
END $$;

CREATE FUNCTION crm.arg_int(args jsonb, field text) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::int;
EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
	PERFORM crm.raise_validation(field, 'type', 'must be an integer');
END $$;

-- If-Match (args.if_match, a version; absent = no condition) names a
-- version other than the record's: the write must answer 412.
CREATE FUNCTION crm.if_match_fails(args jsonb, version int) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(crm.arg_int(args, 'if_match') <> version, false)
$$;

CREATE FUNCTION crm.arg_ts(args jsonb, field text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	RETURN (args->>field)::timestamptz;
EXCEPTION WHEN others THEN
	PERFORM crm.raise_validation(field, 'format', 'must be an RFC 3339 timestamp');
END $$;

CREATE FUNCTION crm.arg_text_array(args jsonb, field text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(args->field) <> 'array'
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(args->field) e WHERE jsonb_typeof(e) <> 'string') THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of strings');
	END IF;
	RETURN ARRAY(SELECT jsonb_array_elements_text(args->field));
END $$;

-- Page size: default 50, clamped to 1..200.
CREATE FUNCTION crm.page_limit(args jsonb) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT greatest(1, least(200, coalesce(crm.arg_int(args, 'limit'), 50)))
$$;

-- ILIKE pattern matching s literally anywhere.
CREATE FUNCTION crm.like_pattern(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT '%' || replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

-- Opaque keyset cursor: unpadded base64url of a small JSON object.
CREATE FUNCTION crm.cursor_encode(c jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(encode(convert_to(c::text, 'UTF8'), 'base64'), E'+/=\n', '-_')
$$;

-- Decodes a cursor; CR400 on garbage or on a cursor made for another sort.
CREATE FUNCTION crm.cursor_decode(cursor text, sort text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	b64 text;
	c jsonb;
BEGIN
	IF cursor IS NULL THEN
		RETURN NULL;
	END IF;
	BEGIN
		b64 := translate(cursor, '-_', '+/');
		b64 := b64 || repeat('=', (4 - length(b64) % 4) % 4);
		c := convert_from(decode(b64, 'base64'), 'UTF8')::jsonb;
	EXCEPTION WHEN others THEN
		c := NULL;
	END;
	IF c IS NULL OR jsonb_typeof(c) <> 'object' OR (sort IS NOT NULL AND c->>'s' IS DISTINCT FROM sort) THEN
		RAISE EXCEPTION USING ERRCODE = 'CR400', MESSAGE = 'invalid cursor';
	END IF;
	RETURN c;
END $$;

-- Keeps only the requested top-level members (and always "id").
CREATE FUNCTION crm.project(obj jsonb, fields text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN fields IS NULL THEN obj ELSE
		coalesce((SELECT jsonb_object_agg(key, value) FROM jsonb_each(obj)
		          WHERE key = 'id' OR key = ANY (fields)), '{}')
	END
$$;

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

CREATE FUNCTION crm.audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	actor_user uuid := crm.try_uuid(nullif(current_setting('crm.actor_user', true), ''));
	actor_key  uuid := crm.try_uuid(nullif(current_setting('crm.actor_key', true), ''));
	actor_sys  text := nullif(current_setting('crm.actor_system', true), '');
	o jsonb;
	n jsonb;
	whole jsonb;
	secret text;
BEGIN
	IF actor_user IS NULL AND actor_key IS NULL AND actor_sys IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CR500', MESSAGE = 'no actor set for audited write';
	END IF;
	IF TG_OP <> 'INSERT' THEN o := to_jsonb(OLD); END IF;
	IF TG_OP <> 'DELETE' THEN n := to_jsonb(NEW); END IF;
	whole := coalesce(n, o);
	IF TG_OP = 'UPDATE' THEN
		SELECT coalesce(jsonb_object_agg(key, o->key), '{}'), coalesce(jsonb_object_agg(key, value), '{}')
		  INTO o, n
		  FROM jsonb_each(n) WHERE value IS DISTINCT FROM o->key;
		-- crm.begin's throttled last_used_at stamp is bookkeeping, not an event.
		IF TG_TABLE_NAME = 'api_keys' AND n - 'last_used_at' = '{}' THEN
			RETURN NULL;
		END IF;
	END IF;
	FOREACH secret IN ARRAY ARRAY['password_hash', 'key_hash', 'token_hash'] LOOP
		IF o->secret IS NOT NULL AND o->secret <> 'null' THEN o := jsonb_set(o, ARRAY[secret], '"[redacted]"'); END IF;
		IF n->secret IS NOT NULL AND n->secret <> 'null' THEN n := jsonb_set(n, ARRAY[secret], '"[redacted]"'); END IF;
	END LOOP;
	INSERT INTO crm.audit_log (org_id, table_name, record_id, action, actor_user_id, actor_api_key_id,
	                           actor_system, request_id, old_values, new_values)
	VALUES (coalesce(whole->>'org_id', whole->>'id')::uuid,
	        TG_TABLE_NAME, (whole->>'id')::uuid, lower(TG_OP), actor_user, actor_key,
	        actor_sys, nullif(current_setting('crm.request_id', true), ''), o, n);
	RETURN NULL;
END $$;

CREATE FUNCTION crm.audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log__immutable BEFORE UPDATE OR DELETE ON crm.audit_log
	FOR EACH ROW EXECUTE FUNCTION crm.audit_log_immutable();
CREATE TRIGGER audit_log__no_truncate BEFORE TRUNCATE ON crm.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_log_immutable();

CREATE TRIGGER organizations__audit AFTER INSERT OR UPDATE OR DELETE ON crm.organizations
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();
CREATE TRIGGER users__audit AFTER INSERT OR UPDATE OR DELETE ON crm.users
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();
CREATE TRIGGER teams__audit AFTER INSERT OR UPDATE OR DELETE ON crm.teams
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();
CREATE TRIGGER team_members__audit AFTER INSERT OR UPDATE OR DELETE ON crm.team_members
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();
CREATE TRIGGER api_keys__audit AFTER INSERT OR UPDATE OR DELETE ON crm.api_keys
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

------------------------------------------------------------------------------
-- Bootstrap: the first organization and its admin (not for crm_app).
------------------------------------------------------------------------------
CREATE FUNCTION crm.create_organization(name text, slug text, admin_email text, admin_name text,
                                        admin_password_hash text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	org uuid;
	prev text := current_setting('crm.actor_system', true);
BEGIN
	PERFORM set_config('crm.actor_system', 'bootstrap', true);
	INSERT INTO crm.organizations (name, slug) VALUES (name, slug) RETURNING id INTO org;
	INSERT INTO crm.users (org_id, email, name, role, password_hash)
	VALUES (org, lower(admin_email), admin_name, 'admin', admin_password_hash);
	-- The bootstrap actor covers this call only.
	PERFORM set_config('crm.actor_system', coalesce(prev, ''), true);
	RETURN org;
END $$;

RESET ROLE;
