-- sql/crm/contacts.sql: the contact document (inlinable, generic plan, page order, joins), birthday windows.
BEGIN;
\ir fixtures.psql
SELECT plan(8);

-- crm.contact_doc is a bare expression, inlined into every read.
SELECT is(l.lanname, 'sql', p.proname || ' is an inlinable SQL expression')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname = 'contact_doc';

-- unnest() tells the planner its array's length: without a forced generic
-- plan, a one-contact call looks cheaper planned afresh and is re-planned
-- on every create, update and merge reply (~0.45 ms).
SELECT ok('plan_cache_mode=force_generic_plan' = ANY (p.proconfig), 'crm.contacts_json keeps its generic plan')
  FROM pg_proc p WHERE p.oid = 'crm.contacts_json(crm.contacts[])'::regprocedure;

-- Birthdays: the window wraps the year.
SELECT ok(crm.birthday_within('1990-01-03', '2024-12-28', 10) AND NOT crm.birthday_within('1990-02-01', '2024-12-28', 10)
          AND crm.birthday_within('1985-12-30', '2024-12-28', 10) AND NOT crm.birthday_within('1985-12-27', '2024-12-28', 10),
          'birthday_within wraps from December into January');

SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
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

SELECT * FROM finish();
ROLLBACK;
