-- PostgreSQL 15 re-plans a LANGUAGE sql function on every call unless it can
-- inline it, and it can only inline a bare "SELECT <expression>". Our JSON
-- builders and visibility helpers read tables (and crm.reply builds a row
-- type, which is not inlined either), so every request paid for
-- planning them again (bench: ~0.4 ms of a 1.3 ms contact read). PL/pgSQL
-- keeps each statement's plan for the life of the connection, so every such
-- reading helper is re-created here as PL/pgSQL with the same body, signature,
-- volatility and column-before-parameter name resolution. Helpers that are
-- bare expressions (crm.fold, crm.ts, ...) stay SQL: those are inlined.
SET ROLE crm_owner;

DO $$
DECLARE
	f record;
	body text;
BEGIN
	FOR f IN
		SELECT p.oid, p.prosrc, p.provolatile, p.proisstrict, p.proparallel,
		       pg_get_function_identity_arguments(p.oid) AS args,
		       pg_get_function_arguments(p.oid) AS args_with_defaults,
		       pg_get_function_result(p.oid) AS result, p.proname
		  FROM pg_proc p
		  JOIN pg_namespace n ON n.oid = p.pronamespace
		  JOIN pg_language l ON l.oid = p.prolang
		 WHERE n.nspname = 'crm' AND l.lanname = 'sql' AND NOT p.proretset
		   AND p.provolatile <> 'v'            -- readers only, not write helpers
		   AND p.prosrc ~* '^\s*SELECT\M'
		   -- reads a table, or builds a row type (never inlined either)
		   AND (p.prosrc ~* '\mFROM\M' OR (SELECT t.typtype FROM pg_type t WHERE t.oid = p.prorettype) = 'c')
		   -- one statement only (a trailing semicolon is fine)
		   AND position(';' IN rtrim(rtrim(p.prosrc), E'; \n\t')) = 0
	LOOP
		body := rtrim(rtrim(f.prosrc), E'; \n\t');
		EXECUTE format(
		    'CREATE OR REPLACE FUNCTION crm.%I(%s) RETURNS %s LANGUAGE plpgsql %s %s PARALLEL %s AS %L',
		    f.proname, f.args_with_defaults, f.result,
		    CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
		    CASE WHEN f.proisstrict THEN 'STRICT' ELSE '' END,
		    CASE f.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END,
		    E'#variable_conflict use_column\nBEGIN\n\tRETURN (' || body || E');\nEND');
	END LOOP;
END $$;

RESET ROLE;
