-- 0003_admin_api: the application role's rights on the identity tables.
-- Privileges: crm_app runs every operation (SECURITY INVOKER) and gets only
-- the table rights those operations use.
GRANT USAGE ON SCHEMA crm TO crm_app;

GRANT SELECT ON crm.organizations TO crm_app;
GRANT SELECT, INSERT, UPDATE ON crm.users, crm.teams, crm.api_keys TO crm_app;
GRANT SELECT, INSERT, DELETE ON crm.team_members, crm.login_failures TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON crm.refresh_tokens TO crm_app;
GRANT SELECT, INSERT ON crm.audit_log TO crm_app;

