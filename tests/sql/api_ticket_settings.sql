-- sql/api/ticket_settings.sql: ticket_settings_get and _update: the defaults, the reopen window, admins write, per organization.
BEGIN;
\ir fixtures.psql
SELECT plan(6);
SET ROLE crm_app;

SELECT is((SELECT jsonb_build_object('status', r.status, 'etag', r.etag, 'body', r.body::jsonb) FROM api.ticket_settings_get(ctx_rep1, '{}') r),
          '{"status": 200, "etag": "\"0\"", "body": {"reopen_days": 7, "updated_at": null, "updated_by": null, "version": 0}}'::jsonb,
          'ticket_settings_get: the defaults before any change') FROM fx;
SELECT is((SELECT jsonb_build_object('status', r.status, 'etag', r.etag, 'body', r.body::jsonb)
             FROM api.ticket_settings_update(ctx_admin1, '{"patch":{"reopen_days":10}}') r),
          format('{"status": 200, "etag": "\"1\"", "body": {"reopen_days": 10, "updated_at": "%s", "updated_by": "%s", "version": 1}}',
                 pg_temp.utc(now()), admin1)::jsonb,
          'ticket_settings_update: an admin widens the reopen window') FROM fx;
SELECT is((api.ticket_settings_get(ctx_rep1, '{}')).body::jsonb,
          format('{"reopen_days": 10, "updated_at": "%s", "updated_by": "%s", "version": 1}', pg_temp.utc(now()), admin1)::jsonb,
          'ticket_settings_get: the saved settings') FROM fx;
SELECT is((api.ticket_settings_get(ctx_admin2, '{}')).body::jsonb,
          '{"reopen_days": 7, "updated_at": null, "updated_by": null, "version": 0}'::jsonb,
          'another organization keeps its defaults') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.ticket_settings_update(%L, %L)', ctx_admin1, '{"patch":{"reopen_days":400}}')),
          'CR422 reopen_days range', 'ticket_settings_update: at most 365 days') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.ticket_settings_update(%L, %L)', ctx_manager1, '{"patch":{"reopen_days":3}}')),
          'CR403', 'ticket_settings_update: admins only') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
