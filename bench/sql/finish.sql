-- Bench dataset, last step (after run.sh's VACUUM and index rebuild, before
-- its ANALYZE): row counts for the report, pg_prewarm.
\set ON_ERROR_STOP 1
SELECT to_regclass('crm.activities') IS NOT NULL AS has_activities, to_regclass('crm.deals') IS NOT NULL AS has_deals \gset
\if :has_activities
-- (the deals' stage moves write timeline entries too)
SELECT count(*) AS n, count(*) FILTER (WHERE event = 'deal_stage_change') AS moves FROM crm.activities \gset
INSERT INTO bench.meta VALUES ('activities', :'n'), ('timeline_entries', :'moves');
\endif
\if :has_deals
INSERT INTO bench.meta SELECT 'deals', count(*)::text FROM crm.deals;
INSERT INTO bench.meta SELECT 'deal_stage_history', count(*)::text FROM crm.deal_stage_history;
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
