-- sql/crm/records.sql: the steps every resource's writes share, so that a
-- resource's own file holds only what is particular to it. A write finds its
-- record with a lock (crm.find_<resource>(p, id, true)), answers 412 when
-- If-Match names another version (crm.if_match_fails, crm.stale), and ends
-- with one of these.

-- DELETE of a record: the row stays (its history, what refers to it) and
-- every read and list skips it; the version moves on, as on any write, and
-- the audit trigger records the actor. One statement planned per call (the
-- table is a parameter): deletes are rare next to reads and patches.
CREATE FUNCTION crm.soft_delete(tbl regclass, org uuid, rec uuid, actor uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('UPDATE %s SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = $3
	                 WHERE org_id = $1 AND id = $2', tbl)
	USING org, rec, actor;
END $$;
