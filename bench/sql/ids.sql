-- Bench dataset, step 3: dense numbers for the companies and contacts
-- (pgbench's helper table; the activity and deal loaders walk it too), and
-- statistics for the loaders' plans and triggers.
\set ON_ERROR_STOP 1
SELECT value AS org FROM bench.meta WHERE key = 'org_id' \gset
INSERT INTO bench.company_ids SELECT row_number() OVER (ORDER BY id)::int, id FROM crm.companies WHERE org_id = :'org';
INSERT INTO bench.meta SELECT 'companies', count(*)::text FROM bench.company_ids;
INSERT INTO bench.contact_ids SELECT row_number() OVER (ORDER BY id)::int, id FROM crm.contacts WHERE org_id = :'org';
INSERT INTO bench.meta SELECT 'contacts', count(*)::text FROM bench.contact_ids;
ANALYZE bench.company_ids, bench.contact_ids, crm.contacts;
