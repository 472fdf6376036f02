-- sql/code_reset.sql: the first step of re-creating the code (functions,
-- types and triggers; scripts/db.sh migrate, in the migrations'
-- transaction). It drops the schema api and every crm function and
-- composite type that no stored object depends on, with their triggers, so
-- that the files listed in sql/code.list are all the code there is. What a
-- column default or an index uses (sql/crm/expressions.sql) stays.
SET ROLE crm_owner;

DROP SCHEMA IF EXISTS api CASCADE;

DO $$
DECLARE
	f regprocedure;
	t regtype;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p
	          WHERE p.pronamespace = 'crm'::regnamespace
	            AND NOT EXISTS (SELECT 1 FROM pg_depend d
	                             WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
	                               AND d.classid IN ('pg_attrdef'::regclass, 'pg_class'::regclass,
	                                                 'pg_constraint'::regclass))
	LOOP
		EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', f);
	END LOOP;
	FOR t IN SELECT ty.oid FROM pg_type ty JOIN pg_class c ON c.oid = ty.typrelid
	          WHERE ty.typnamespace = 'crm'::regnamespace AND c.relkind = 'c'
	LOOP
		EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', t);
	END LOOP;
END $$;

-- Functions may name functions of files further down the list; every body
-- is checked once all exist (sql/code_finish.sql).
SET LOCAL check_function_bodies = off;
