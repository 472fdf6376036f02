-- sql/api/idempotency.sql: Idempotency-Key: the stored first reply of a retried create.

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
