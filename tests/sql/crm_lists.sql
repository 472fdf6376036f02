-- sql/crm/lists.sql: keyset paging (every row exactly once, in order, for every sort), fields= projection, bad cursors.
BEGIN;
\ir fixtures.psql
SELECT plan(14);

-- Ten users in org 1, three sharing a name; all created in this
-- transaction, so created_at ties everywhere and only id breaks them.
\o /dev/null
SELECT api.users_create(ctx_admin1, jsonb_build_object('email', 'u' || i || '@one.test',
       'name', CASE WHEN i <= 3 THEN 'Same Name' ELSE 'User ' || (10 - i) END, 'role', 'rep', 'password_hash', 'h'))
  FROM fx, generate_series(1, 7) i;
SELECT api.teams_create(ctx_admin1, jsonb_build_object('name', 'Extra ' || i)) FROM fx, generate_series(1, 4) i;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', u.id))
  FROM fx JOIN crm.users u ON u.org_id = fx.org1 AND u.name = 'Same Name';
\o

SET ROLE crm_app;

SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":3}'),
          (SELECT array_agg(id::text ORDER BY name, id) FROM crm.users WHERE org_id = fx.org1),
          'users_list by name: every row once, in order') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":3,"sort":"-name"}'),
          (SELECT array_agg(id::text ORDER BY name DESC, id DESC) FROM crm.users WHERE org_id = fx.org1),
          'users_list by -name') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":4,"sort":"email"}'),
          (SELECT array_agg(id::text ORDER BY email, id) FROM crm.users WHERE org_id = fx.org1),
          'users_list by email') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":2,"sort":"-email"}'),
          (SELECT array_agg(id::text ORDER BY email DESC, id DESC) FROM crm.users WHERE org_id = fx.org1),
          'users_list by -email') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":3,"sort":"created_at"}'),
          (SELECT array_agg(id::text ORDER BY created_at, id) FROM crm.users WHERE org_id = fx.org1),
          'users_list by created_at (ties broken by id)') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_admin1, '{"limit":1,"sort":"-created_at"}'),
          (SELECT array_agg(id::text ORDER BY created_at DESC, id DESC) FROM crm.users WHERE org_id = fx.org1),
          'users_list by -created_at, one per page') FROM fx;
SELECT is(pg_temp.page_all('users_list', ctx_key1, '{"limit":200}'),
          (SELECT array_agg(id::text ORDER BY name, id) FROM crm.users WHERE org_id = fx.org1),
          'users_list with an API key (users:read), one page') FROM fx;

SELECT is((SELECT array_agg(DISTINCT k ORDER BY k) FROM jsonb_array_elements((api.users_list(ctx_admin1, '{"fields":["email"]}')).body::jsonb->'data') e,
                jsonb_object_keys(e) k),
          ARRAY['email', 'id'], 'fields keeps only the named members (and id)') FROM fx;
SELECT is((api.users_list(ctx_admin1, '{"limit":200}')).body::jsonb->'next_cursor', 'null'::jsonb,
          'the last page has next_cursor null') FROM fx;

-- Bad cursors.
SELECT throws_ok(format('SELECT api.users_list(%L, %L)', ctx_admin1, '{"cursor":"!!garbage!!"}'),
                 'CR400', 'invalid cursor', 'garbage cursor is 400') FROM fx;
SELECT throws_ok(format('SELECT api.users_list(%L, %L)', ctx_admin1,
                        jsonb_build_object('sort', 'email', 'cursor', (api.users_list(ctx_admin1, '{"limit":1}')).body::jsonb->>'next_cursor')),
                 'CR400', 'invalid cursor', 'a cursor made for another sort is 400') FROM fx;
SELECT throws_ok(format('SELECT api.users_list(%L, %L)', ctx_admin1,
                        jsonb_build_object('sort', 'created_at', 'cursor', crm.cursor_encode('{"s":"created_at","k":"yesterday-ish","id":"x"}'))),
                 'CR400', 'invalid cursor', 'a forged cursor is 400') FROM fx;

-- Teams, keys, audit.
SELECT is(pg_temp.page_all('teams_list', ctx_admin1, '{"limit":2}'),
          (SELECT array_agg(id::text ORDER BY name, id) FROM crm.teams WHERE org_id = fx.org1 AND deleted_at IS NULL),
          'teams_list pages every team once') FROM fx;
SELECT is(pg_temp.page_all('teams_list', ctx_admin1, '{"limit":2,"sort":"-created_at"}'),
          (SELECT array_agg(id::text ORDER BY created_at DESC, id DESC) FROM crm.teams WHERE org_id = fx.org1 AND deleted_at IS NULL),
          'teams_list by -created_at') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
