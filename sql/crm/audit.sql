-- sql/crm/audit.sql: The append-only audit trail: its guard, the statement triggers that write
-- one row per written row of every business table, and history replies.

CREATE FUNCTION crm.audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'audit_log is append-only';
END $$;

CREATE FUNCTION crm.audit_json(a crm.audit_log) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', a.id, 'table', a.table_name, 'record_id', a.record_id,
		'action', a.action,
		'actor', CASE WHEN a.actor_user_id IS NOT NULL THEN jsonb_build_object('type', 'user', 'id', a.actor_user_id)
		              WHEN a.actor_api_key_id IS NOT NULL THEN jsonb_build_object('type', 'api_key', 'id', a.actor_api_key_id)
		              ELSE jsonb_build_object('type', 'system', 'id', NULL) END,
		'request_id', a.request_id, 'at', crm.ts(a.at), 'txid', a.txid,
		'old', a.old_values, 'new', a.new_values)
$$;

-- Audit events of one record, newest first (companies_history, contacts_history).
CREATE FUNCTION crm.history_reply(org uuid, tbl text, rec uuid, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', '-id');
	after_id bigint;
	rows crm.audit_log[];
	internal text[] := ARRAY['search_text', 'tag_keys'];
BEGIN
	IF cur IS NOT NULL THEN
		BEGIN
			after_id := (cur->>'k')::bigint;
		EXCEPTION WHEN others THEN
			PERFORM crm.bad_cursor();
		END;
	END IF;
	rows := ARRAY(
		SELECT a FROM crm.audit_log a
		 WHERE a.org_id = org AND a.record_id = rec AND a.table_name = tbl
		   AND (after_id IS NULL OR a.id < after_id)
		   -- derived columns only (e.g. a company rename refreshing search text) are not events
		   AND NOT (a.action = 'update' AND coalesce(a.new_values, '{}') - internal = '{}')
		 ORDER BY a.id DESC
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.audit_json(rows[i])
		                                   || jsonb_build_object('old', rows[i].old_values - internal, 'new', rows[i].new_values - internal)
		                                   ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim
		                    THEN crm.cursor_encode(jsonb_build_object('s', '-id', 'k', rows[lim].id)) END));
END $$;

-- The audit rows of one statement: the whole row on insert and delete, the
-- changed columns (before and after) on update; secrets redacted. api_keys
-- updates that only stamp last_used_at (crm.begin's throttled bookkeeping)
-- are not events. A statement that writes audited rows without an actor
-- fails, like the row trigger did.
CREATE FUNCTION crm.audit_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	actor_user uuid := crm.try_uuid(nullif(current_setting('crm.actor_user', true), ''));
	actor_key  uuid := crm.try_uuid(nullif(current_setting('crm.actor_key', true), ''));
	actor_sys  text := nullif(current_setting('crm.actor_system', true), '');
	req        text := nullif(current_setting('crm.request_id', true), '');
	written    bigint;
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO crm.audit_log (org_id, table_name, record_id, action, actor_user_id, actor_api_key_id,
		                           actor_system, request_id, old_values, new_values)
		SELECT coalesce(j->>'org_id', j->>'id')::uuid, TG_TABLE_NAME, (j->>'id')::uuid, 'insert',
		       actor_user, actor_key, actor_sys, req, NULL,
		       CASE WHEN j ?| crm.audit_secrets() THEN crm.audit_redact(j) ELSE j END
		  FROM (SELECT to_jsonb(r) AS j FROM new_rows r) x;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO crm.audit_log (org_id, table_name, record_id, action, actor_user_id, actor_api_key_id,
		                           actor_system, request_id, old_values, new_values)
		SELECT coalesce(j->>'org_id', j->>'id')::uuid, TG_TABLE_NAME, (j->>'id')::uuid, 'delete',
		       actor_user, actor_key, actor_sys, req,
		       CASE WHEN j ?| crm.audit_secrets() THEN crm.audit_redact(j) ELSE j END, NULL
		  FROM (SELECT to_jsonb(r) AS j FROM old_rows r) x;
	ELSE
		INSERT INTO crm.audit_log (org_id, table_name, record_id, action, actor_user_id, actor_api_key_id,
		                           actor_system, request_id, old_values, new_values)
		SELECT coalesce(n.j->>'org_id', n.j->>'id')::uuid, TG_TABLE_NAME, (n.j->>'id')::uuid, 'update',
		       actor_user, actor_key, actor_sys, req,
		       CASE WHEN d.o ?| crm.audit_secrets() THEN crm.audit_redact(d.o) ELSE d.o END,
		       CASE WHEN d.n ?| crm.audit_secrets() THEN crm.audit_redact(d.n) ELSE d.n END
		  FROM unnest((SELECT array_agg(to_jsonb(r)) FROM old_rows r), (SELECT array_agg(to_jsonb(r)) FROM new_rows r))
		       WITH ORDINALITY AS p(old_row, new_row, k)
		 CROSS JOIN LATERAL (SELECT p.old_row AS j) o
		 CROSS JOIN LATERAL (SELECT p.new_row AS j) n
		 CROSS JOIN LATERAL (SELECT coalesce(jsonb_object_agg(e.key, o.j->e.key), '{}') AS o,
		                            coalesce(jsonb_object_agg(e.key, e.value), '{}') AS n
		                       FROM jsonb_each(n.j) e
		                      WHERE e.value IS DISTINCT FROM o.j->e.key) d
		 WHERE NOT (TG_TABLE_NAME = 'api_keys' AND d.n - 'last_used_at' = '{}')
		 ORDER BY p.k;
	END IF;
	GET DIAGNOSTICS written = ROW_COUNT;
	IF written > 0 AND actor_user IS NULL AND actor_key IS NULL AND actor_sys IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'CR500', MESSAGE = 'no actor set for audited write';
	END IF;
	RETURN NULL;
END $$;

-- Columns whose values never reach the audit log.
CREATE FUNCTION crm.audit_secrets() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ARRAY['password_hash', 'key_hash', 'token_hash']
$$;

-- j with its non-null secrets replaced by "[redacted]".
CREATE FUNCTION crm.audit_redact(j jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	secret text;
BEGIN
	FOREACH secret IN ARRAY crm.audit_secrets() LOOP
		IF j->secret IS NOT NULL AND j->secret <> 'null' THEN
			j := jsonb_set(j, ARRAY[secret], '"[redacted]"');
		END IF;
	END LOOP;
	RETURN j;
END $$;

CREATE TRIGGER audit_log__immutable BEFORE UPDATE OR DELETE ON crm.audit_log
	FOR EACH ROW EXECUTE FUNCTION crm.audit_log_immutable();

CREATE TRIGGER audit_log__no_truncate BEFORE TRUNCATE ON crm.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_log_immutable();

-- The audited tables: three statement triggers each, named
-- <table>__audit_insert, __audit_update and __audit_delete.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organizations', 'users', 'teams', 'team_members', 'api_keys',
	                         'custom_fields', 'campaigns', 'companies', 'contacts', 'activities',
	                         'pipelines', 'stages', 'deals', 'deal_stage_history', 'tasks',
	                         'ticket_settings', 'sla_policies', 'tickets', 'ticket_comments', 'ticket_ratings'] LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON crm.%I REFERENCING NEW TABLE AS new_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_rows()', t || '__audit_insert', t);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON crm.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_rows()', t || '__audit_update', t);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON crm.%I REFERENCING OLD TABLE AS old_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_rows()', t || '__audit_delete', t);
	END LOOP;
END $$;
