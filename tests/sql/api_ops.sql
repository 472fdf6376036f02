-- sql/api/ops.sql: ready answers 200 {"status":"ready"} without a caller.
BEGIN;
\ir fixtures.psql
SELECT plan(1);
SET ROLE crm_app;

SELECT is((api.ready('{}', '{}')).body::jsonb, '{"status":"ready"}'::jsonb, 'ready');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
