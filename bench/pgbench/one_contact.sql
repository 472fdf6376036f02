-- One contact by random id: PostgreSQL's own ceiling for the API's
-- single-contact read (run with -M prepared -D org=<uuid> -D ncontacts=N).
\set n random(1, :ncontacts)
SELECT c.* FROM bench.contact_ids b JOIN crm.contacts c ON c.org_id = :org AND c.id = b.id WHERE b.n = :n;
