-- Hot-path helpers: the expression helpers stay inlinable SQL, the
-- page JSON keeps the array's order and matches the single-record JSON,
-- projection, phone keys and visibility short-cuts give the same answers.
BEGIN;
\ir fixtures.psql
SELECT plan(24);

-- Bare expressions must stay LANGUAGE sql: the planner inlines those, and a
-- PL/pgSQL wrapper costs a function call per row (as crm.month_day once did,
-- used six times a row by the birthday filter).
SELECT is(l.lanname, 'sql', p.proname || ' is an inlinable SQL expression')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname IN ('month_day', 'fold_digits', 'digits', 'ts', 'contact_doc')
 ORDER BY p.proname;
-- crm.fold is the exception: its steps run only when the text needs
-- them, which one inlined expression cannot say, and the call costs less
-- than the unguarded translate() did.
SELECT is(l.lanname, 'plpgsql', 'fold is PL/pgSQL with guarded steps')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname = 'fold';

SELECT is(crm.month_day(date '2024-02-29'), 229, 'month_day');

SELECT is(ARRAY[crm.phone_key('+98 912 345 6789'), crm.phone_key('0098 912 345 6789'), crm.phone_key('0912-345-6789'),
                crm.phone_key('۰۹۱۲ ۳۴۵ ۶۷۸۹'), crm.phone_key('٠٩١٢٣٤٥٦٧٨٩'), crm.phone_key('(0912) 345 67 89'),
                crm.phone_key('912 345 6789'), crm.phone_key('+1 (415) 555-0100', '98'), crm.phone_key('0912', '98'),
                crm.phone_key(NULL)],
          ARRAY['989123456789', '989123456789', '989123456789', '989123456789', '989123456789', '989123456789',
                '989123456789', '14155550100', NULL, NULL],
          'phone_key: every format, digit script and the short/NULL cases');

SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT is(crm.visible_owners(ROW(org1, admin1, NULL, 'admin', NULL)::crm.principal), NULL, 'an admin sees every owner') FROM fx;
SELECT is(crm.visible_owners(ROW(org1, rep1, NULL, 'rep', NULL)::crm.principal), ARRAY[rep1], 'a rep sees only themself') FROM fx;
SELECT set_eq(format('SELECT unnest(crm.visible_owners(ROW(%L::uuid, %L::uuid, NULL, ''manager'', NULL)::crm.principal))', org1, manager1),
              format('VALUES (%L::uuid), (%L::uuid)', manager1, rep1), 'a manager sees their team') FROM fx;

SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Hot Co', 'owner_id', rep1))).body::jsonb->>'id' AS co FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Zed', 'company_id', :'co'))).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Amy","phones":[{"label":"mobile","number":"0912 111 2233"}]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Bob"}')).body::jsonb->>'id' AS c3 FROM fx \gset

-- The page JSON keeps the array's order and each element is the record's JSON.
CREATE TEMP TABLE page AS
SELECT crm.contacts_json(ARRAY(SELECT c FROM crm.contacts c JOIN unnest(ARRAY[:'c3', :'c1', :'c2']::uuid[]) WITH ORDINALITY o(id, n)
                               ON c.id = o.id ORDER BY o.n))::jsonb AS j;
SELECT is(ARRAY(SELECT e->>'id' FROM page, jsonb_array_elements(j) e), ARRAY[:'c3', :'c1', :'c2'], 'contacts_json keeps the order');
SELECT is((SELECT j->1 FROM page), crm.contact_json(c), 'page element = single-record JSON') FROM crm.contacts c WHERE c.id = :'c1';
SELECT is((SELECT j->1->'company'->>'name' FROM page), 'Hot Co', 'the company is joined in');
SELECT is((SELECT j->1->'owner'->>'name' FROM page), 'One Rep', 'the owner is joined in');
SELECT is(crm.contacts_json('{}'::crm.contacts[])::text, '[]', 'an empty page is []');
SELECT is((api.contacts_get(ctx_rep1, jsonb_build_object('id', :'c1', 'fields', '["display_name"]'::jsonb))).body::jsonb,
          jsonb_build_object('id', :'c1', 'display_name', 'Zed'), 'fields= projects the record (id always)') FROM fx;
SELECT is((api.contacts_list(ctx_rep1, '{"fields":["first_name"],"limit":2}')).body::jsonb->'data',
          jsonb_build_array(jsonb_build_object('id', :'c3', 'first_name', 'Bob'), jsonb_build_object('id', :'c2', 'first_name', 'Amy')),
          'fields= projects every element of a page') FROM fx;

-- Caller lookup: the profile of a visible contact, nothing for another rep.
SELECT is((api.lookup_phone(ctx_rep1, '{"number":"+98 912 111 2233"}')).body::jsonb->'matches'->0->>'id', :'c2',
          'lookup finds the contact by another format') FROM fx;
SELECT (api.users_create(ctx_admin1, '{"email":"rep9@one.test","name":"Other Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep9 FROM fx \gset
SELECT is((api.lookup_phone(jsonb_build_object('request_id', 'r', 'ip', '10.0.0.1', 'user_id', :'rep9', 'org_id', org1),
                            '{"number":"09121112233"}')).body::jsonb->'matches', '[]'::jsonb,
          'lookup shows nothing of another rep''s contacts') FROM fx;

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
