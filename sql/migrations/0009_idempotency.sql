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

GRANT SELECT, INSERT, UPDATE, DELETE ON crm.idempotency_keys TO crm_app;
