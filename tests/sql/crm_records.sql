-- sql/crm/records.sql: the soft delete every resource's DELETE ends with.
BEGIN;
\ir fixtures.psql
SELECT plan(7);

SET ROLE crm_app;
SELECT crm.begin(ctx_admin1, NULL, ARRAY['admin']) IS NOT NULL AS began FROM fx \gset

-- Another organization's id: nothing changes.
SELECT crm.soft_delete('crm.teams', org1, team2, admin1) FROM fx;
SELECT is((SELECT row(t.deleted_at IS NULL, t.version)::text FROM crm.teams t, fx WHERE t.id = fx.team2),
          '(t,1)', 'a record of another organization is left alone');

SELECT crm.soft_delete('crm.teams', org1, team1, manager1) FROM fx;
SELECT ok((SELECT t.deleted_at IS NOT NULL AND t.deleted_at = t.updated_at FROM crm.teams t, fx WHERE t.id = fx.team1),
          'deleted_at and updated_at are set, to the same time');
SELECT is((SELECT t.version FROM crm.teams t, fx WHERE t.id = fx.team1), 2, 'the version moves on');
SELECT is((SELECT t.updated_by FROM crm.teams t, fx WHERE t.id = fx.team1), (SELECT manager1 FROM fx),
          'updated_by is the actor given');
SELECT is((SELECT count(*)::int FROM crm.teams t, fx WHERE t.org_id = fx.org1 AND t.deleted_at IS NULL), 0,
          'the record is gone from its organization''s live rows');
SELECT is((SELECT array_to_string(ARRAY(SELECT jsonb_object_keys(a.new_values) ORDER BY 1), ',')
             FROM crm.audit_log a, fx WHERE a.record_id = fx.team1 AND a.action = 'update'),
          -- updated_at is now(), the time of this transaction, which created the team too.
          'deleted_at,updated_by,version', 'one audit row with the changed members');
SELECT is((SELECT a.actor_user_id FROM crm.audit_log a, fx WHERE a.record_id = fx.team1 AND a.action = 'update'),
          (SELECT admin1 FROM fx), 'the audit row names the caller of the request');

SELECT * FROM finish();
ROLLBACK;
