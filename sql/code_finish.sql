-- sql/code_finish.sql: the last step of re-creating the code: the
-- application role's rights on it, then every function body checked now
-- that every object it names exists.
RESET ROLE;

-- Nothing is callable by default (PUBLIC); the application role may call
-- everything but what an operator alone runs.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api, crm FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO crm_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api, crm TO crm_app;
-- Organizations are created by an operator (scripts, seeds), never by a request.
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app;

SET LOCAL check_function_bodies = on;
SELECT count(*) AS checked_bodies
  FROM (SELECT CASE l.lanname WHEN 'sql' THEN fmgr_sql_validator(p.oid)
                              WHEN 'plpgsql' THEN plpgsql_validator(p.oid) END
          FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace IN ('crm'::regnamespace, 'api'::regnamespace)) v \gset
