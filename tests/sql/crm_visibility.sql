-- sql/crm/visibility.sql: visible_owners per role, and a rep's or manager's fenced search through one index.
BEGIN;
\ir fixtures.psql
SELECT plan(7);

SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT is(crm.visible_owners(ROW(org1, admin1, NULL, 'admin', NULL)::crm.principal), NULL, 'an admin sees every owner') FROM fx;
SELECT is(crm.visible_owners(ROW(org1, rep1, NULL, 'rep', NULL)::crm.principal), ARRAY[rep1], 'a rep sees only themself') FROM fx;
SELECT set_eq(format('SELECT unnest(crm.visible_owners(ROW(%L::uuid, %L::uuid, NULL, ''manager'', NULL)::crm.principal))', org1, manager1),
              format('VALUES (%L::uuid), (%L::uuid)', manager1, rep1), 'a manager sees their team') FROM fx;

-- A rep's search walks one GIN index on (owner_id, search_text) (0011).
RESET ROLE;
SELECT set_config('crm.actor_system', 'test', true) \g /dev/null
INSERT INTO crm.contacts (org_id, first_name, last_name, owner_id)
SELECT fx.org1, 'Gen' || i, 'Person' || (i % 1000), CASE WHEN i % 10 = 0 THEN fx.admin1 ELSE fx.rep1 END
  FROM fx, generate_series(1, 20000) i;
ANALYZE crm.contacts;
SELECT matches(pg_temp.plan(format($q$SELECT c.id FROM crm.contacts c WHERE c.org_id = %L AND c.deleted_at IS NULL
                                      AND c.owner_id = %L AND c.search_text LIKE '%%person12%%'$q$, org1, rep1)),
               'Index Cond: \(\(owner_id = .*search_text ~~', 'a rep''s search uses owner and text in one index scan') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_rep1, '{"q":"person121","limit":200}')),
          ARRAY(SELECT id::text FROM crm.contacts WHERE owner_id = fx.rep1 AND last_name = 'Person121' ORDER BY created_at DESC, id DESC),
          'and finds exactly the rep''s matches') FROM fx;
SELECT is(pg_temp.ids(api.contacts_list(ctx_manager1, '{"q":"person12","limit":100}')),
          ARRAY(SELECT id::text FROM crm.contacts WHERE owner_id IN (fx.rep1, fx.manager1) AND deleted_at IS NULL
                   AND last_name LIKE 'Person12%' ORDER BY created_at DESC, id DESC LIMIT 100),
          'a manager''s (fenced) search: their team''s matches only, newest first') FROM fx;
SELECT ok((SELECT count(*) FROM crm.contacts WHERE owner_id = fx.admin1 AND last_name = 'Person120') > 0,
          '(the admin owns matches the manager must not see)') FROM fx;

SELECT * FROM finish();
ROLLBACK;
