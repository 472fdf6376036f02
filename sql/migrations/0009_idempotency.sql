-- Idempotency-Key for POSTs: a phone on a flaky network retries a create
-- and must get the first answer back, never a second record. The C pipeline
-- routes a POST carrying the header through api.idempotent(), which runs the
-- operation and stores its reply in the same transaction.
SET ROLE crm_owner;

CREATE TABLE crm.idempotency_keys (
	principal    text NOT NULL,  -- 'u:<user id>' or 'k:<api key id>'
	key          text NOT NULL,
	request_hash text NOT NULL,  -- HMAC of the operation and its arguments
	fn           text NOT NULL,
	status       int  NOT NULL,
	body         text,
	etag         text,
	location     text,
	created_at   timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT idempotency_keys__key__uq PRIMARY KEY (principal, key),
	CONSTRAINT idempotency_keys__key__ck CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created ON crm.idempotency_keys (principal, created_at);

-- Who is calling, without a scope check (the wrapped operation does that):
-- an inactive user or a revoked key gets no replay either.
CREATE FUNCTION crm.caller_id(ctx jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id uuid;
BEGIN
	IF ctx ? 'api_key_hash' THEN
		SELECT a.id INTO v_id FROM crm.api_keys a
		 WHERE a.key_hash = ctx->>'api_key_hash' AND a.deleted_at IS NULL
		   AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now());
		IF FOUND THEN
			RETURN 'k:' || v_id;
		END IF;
	ELSIF ctx ? 'user_id' THEN
		SELECT u.id INTO v_id FROM crm.users u
		 WHERE u.org_id = crm.try_uuid(ctx->>'org_id') AND u.id = crm.try_uuid(ctx->>'user_id')
		   AND u.active AND u.deleted_at IS NULL;
		IF FOUND THEN
			RETURN 'u:' || v_id;
		END IF;
	END IF;
	RAISE EXCEPTION USING ERRCODE = 'CR401', MESSAGE = 'unknown or inactive caller';
END $$;

CREATE FUNCTION api.idempotent(ctx jsonb, idem_key text, request_hash text, fn text, args jsonb)
RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	who text := crm.caller_id(ctx);
	kept crm.idempotency_keys;
	r api.reply;
	ttl constant interval := interval '7 days';
BEGIN
	IF fn !~ '^api\.[a-z_]+$' OR fn = 'api.idempotent' THEN
		RAISE EXCEPTION 'api.idempotent: refusing to run %', fn;
	END IF;
	-- A second copy racing the first: tell it to retry rather than wait.
	IF NOT pg_try_advisory_xact_lock(hashtextextended(who || '/' || idem_key, 0)) THEN
		RETURN ROW(409, crm.problem(ctx, 409,
		    'a request with this Idempotency-Key is still being processed; retry later'),
		    NULL, NULL)::api.reply;
	END IF;

	SELECT * INTO kept FROM crm.idempotency_keys k
	 WHERE k.principal = who AND k.key = idem_key AND k.created_at > now() - ttl;
	IF FOUND THEN
		IF kept.request_hash <> request_hash OR kept.fn <> fn THEN
			RETURN ROW(422, crm.problem(ctx, 422,
			    'this Idempotency-Key was used with a different request'),
			    NULL, NULL)::api.reply;
		END IF;
		RETURN ROW(kept.status, kept.body, kept.etag, kept.location)::api.reply;
	END IF;

	EXECUTE format('SELECT * FROM %s($1, $2)', fn::regproc) INTO r USING ctx, args;

	IF r.status < 500 THEN
		INSERT INTO crm.idempotency_keys AS k
		       (principal, key, request_hash, fn, status, body, etag, location)
		VALUES (who, idem_key, request_hash, fn, r.status, r.body, r.etag, r.location)
		ON CONFLICT (principal, key) DO UPDATE
		   SET request_hash = EXCLUDED.request_hash, fn = EXCLUDED.fn,
		       status = EXCLUDED.status, body = EXCLUDED.body, etag = EXCLUDED.etag,
		       location = EXCLUDED.location, created_at = now();
	END IF;
	-- Housekeeping, bounded to this caller: keys are kept a week.
	DELETE FROM crm.idempotency_keys k WHERE k.principal = who AND k.created_at < now() - ttl;
	RETURN r;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON crm.idempotency_keys TO crm_app;
GRANT EXECUTE ON FUNCTION crm.caller_id(jsonb) TO crm_app;
