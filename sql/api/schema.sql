-- sql/api/schema.sql: The api schema: one function per operation, called by the server as
-- SELECT status, body, etag, location FROM api.<operation>(ctx, args).

CREATE SCHEMA api AUTHORIZATION crm_owner;

CREATE TYPE api.reply AS (status int, body text, etag text, location text);
