-- Bench dataset, last step: rebuild the secondary indexes dropped for the
-- bulk load (same definitions), then statistics and the visibility map.
\set ON_ERROR_STOP 1
SET maintenance_work_mem = '1GB';
SELECT def FROM bench.saved_indexes ORDER BY name \gexec
SELECT to_regclass('crm.activities') IS NOT NULL AS has_activities \gset
\if :has_activities
INSERT INTO bench.meta SELECT 'activities', count(*)::text FROM crm.activities;
\endif
VACUUM (ANALYZE);
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
