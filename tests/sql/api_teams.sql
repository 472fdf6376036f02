-- sql/api/teams.sql: teams and members: tenancy, unique names, member add/remove, member_count, delete.
BEGIN;
\ir fixtures.psql
SELECT plan(13);
SET ROLE crm_app;

-- Another organization's teams and users answer like missing ones.
SELECT throws_ok(format('SELECT api.teams_get(%L, %L)', ctx_admin1, jsonb_build_object('id', team2)),
                 'CR404', 'not found', 'teams_get: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.teams_update(%L, %L)', ctx_admin1, jsonb_build_object('id', team2, 'patch', '{"name":"x"}'::jsonb)),
                 'CR404', 'not found', 'teams_update: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.teams_delete(%L, %L)', ctx_admin1, jsonb_build_object('id', team2)),
                 'CR404', 'not found', 'teams_delete: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_list(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team2)),
                 'CR404', 'not found', 'team_members_list: other org team is 404') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_add(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', admin2)),
                 'CR422', NULL, 'team_members_add: other org user is 422') FROM fx;

-- Teams and members.
SELECT throws_ok(format('SELECT api.teams_create(%L, %L)', ctx_admin1, '{"name":"TEAM ONE"}'),
                 '23505', NULL, 'team names are unique per org (teams__name__uq)') FROM fx;
SELECT is((api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1))).location,
          format('/v1/teams/%s/members/%s', team1, rep1), 'team_members_add: 201 with Location') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_add(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)),
                 '23505', NULL, 'already a member is 23505 (team_members__user_id__uq)') FROM fx;
SELECT is((api.teams_get(ctx_rep1, jsonb_build_object('id', team1))).body::jsonb->>'member_count', '1', 'member_count counts') FROM fx;
SELECT is((api.team_members_remove(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1))).status, 204,
          'team_members_remove answers 204') FROM fx;
SELECT throws_ok(format('SELECT api.team_members_remove(%L, %L)', ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)),
                 'CR404', NULL, 'removing a non-member is 404') FROM fx;

-- Delete: a team with members leaves the list.
RESET ROLE;
\o /dev/null
SELECT api.users_create(ctx_admin1, jsonb_build_object('email', 'u' || i || '@one.test', 'name', 'Same Name', 'role', 'rep', 'password_hash', 'h'))
  FROM fx, generate_series(1, 3) i;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', u.id))
  FROM fx JOIN crm.users u ON u.org_id = fx.org1 AND u.name = 'Same Name';
\o
SET ROLE crm_app;
SELECT is((api.teams_delete(ctx_admin1, jsonb_build_object('id', team1))).status, 204, 'teams_delete answers 204') FROM fx;
SELECT ok(NOT (team1::text = ANY (pg_temp.page_all('teams_list', ctx_admin1, '{}'))), 'a deleted team leaves the list') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
