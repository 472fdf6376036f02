-- Bench dataset, last step (after run.sh's VACUUM and index rebuild, before
-- its ANALYZE): row counts for the report, pg_prewarm.
\set ON_ERROR_STOP 1
SELECT to_regclass('crm.activities') IS NOT NULL AS has_activities, to_regclass('crm.deals') IS NOT NULL AS has_deals,
       to_regclass('crm.tickets') IS NOT NULL AS has_tickets \gset
\if :has_activities
-- (the deals' stage moves write timeline entries too)
SELECT count(*) AS n, count(*) FILTER (WHERE event = 'deal_stage_change') AS moves FROM crm.activities \gset
INSERT INTO bench.meta VALUES ('activities', :'n'), ('timeline_entries', :'moves');
\endif
\if :has_deals
INSERT INTO bench.meta SELECT 'deals', count(*)::text FROM crm.deals;
INSERT INTO bench.meta SELECT 'deal_stage_history', count(*)::text FROM crm.deal_stage_history;
\endif
\if :has_tickets
INSERT INTO bench.meta SELECT 'tickets', count(*)::text FROM crm.tickets;
INSERT INTO bench.meta SELECT 'ticket_comments', count(*)::text FROM crm.ticket_comments;
INSERT INTO bench.meta SELECT 'ticket_ratings', count(*)::text FROM crm.ticket_ratings;
\endif
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
