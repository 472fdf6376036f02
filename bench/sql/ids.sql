-- Bench dataset, step 3: dense numbers for the contacts (pgbench's helper
-- table; the activities loader walks it too).
\set ON_ERROR_STOP 1
INSERT INTO bench.contact_ids
SELECT row_number() OVER (ORDER BY id)::int, id FROM crm.contacts
 WHERE org_id = (SELECT value::uuid FROM bench.meta WHERE key = 'org_id');
INSERT INTO bench.meta SELECT 'contacts', count(*)::text FROM bench.contact_ids;
ANALYZE bench.contact_ids;
