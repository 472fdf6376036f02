-- 0011_owner_search: a rep's q= search reads one index for both conditions.
--
-- The trigram index alone made a rep's search of a common name read every
-- matching posting list of the organization (bench, 1M contacts: ~10 ms for
-- a last name shared by 30,000 contacts, of which the rep owns 74) and then
-- intersect it with the owner index. With owner_id as the first column of
-- the same GIN index (btree_gin), the scan walks the rep's short list and
-- skips through the long ones: ~3-4 ms. Searches without a single owner
-- (managers, admins, API keys) use the search_text column alone, as before.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

SET ROLE crm_owner;

DROP INDEX crm.contacts__search__ix;
CREATE INDEX contacts__search__ix ON crm.contacts USING gin (owner_id, search_text gin_trgm_ops)
	WITH (fastupdate = off) WHERE deleted_at IS NULL;

RESET ROLE;
