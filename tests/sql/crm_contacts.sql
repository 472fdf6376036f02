-- sql/crm/contacts.sql: the contact document (inlinable, generic plan, page order, joins), birthday windows, phone and e-mail keys of bulk writes, the lookup profile's open tickets.
BEGIN;
\ir fixtures.psql
SELECT plan(14);

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

\o /dev/null
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT (api.companies_create(ctx_admin1, jsonb_build_object('name', 'Hot Co', 'owner_id', rep1))).body::jsonb->>'id' AS co FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Zed', 'company_id', :'co'))).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Amy","phones":[{"label":"mobile","number":"0912 111 2233"}]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Bob"}')).body::jsonb->>'id' AS c3 FROM fx \gset
\o

-- The page JSON keeps the array's order; each element is the record's document.
CREATE TEMP TABLE page AS
SELECT crm.contacts_json(ARRAY(SELECT c FROM crm.contacts c JOIN unnest(ARRAY[:'c3', :'c1', :'c2']::uuid[]) WITH ORDINALITY o(id, n)
                               ON c.id = o.id ORDER BY o.n))::jsonb AS j;
SELECT is(ARRAY(SELECT e->>'id' FROM page, jsonb_array_elements(j) e), ARRAY[:'c3', :'c1', :'c2'], 'contacts_json keeps the order');
SELECT is((SELECT j->1 FROM page),
          format('{"id": "%1$s", "first_name": "Zed", "last_name": null, "display_name": "Zed", "phones": [], "emails": [],
                   "birthday": null, "city": null, "address": null, "job_title": null,
                   "company_id": "%2$s", "company": {"id": "%2$s", "name": "Hot Co"},
                   "lifecycle_stage": "lead", "lead_source": null, "campaign_id": null, "lead_score": 0, "tags": [],
                   "custom_fields": {}, "consent": {"sms": null, "email": null, "phone": null}, "preferences": {}, "notes": null,
                   "owner_id": "%3$s", "owner": {"id": "%3$s", "name": "One Rep"}, "merged_into": null,
                   "created_at": "%4$s", "updated_at": "%4$s", "created_by": "%3$s", "updated_by": "%3$s", "version": 1}',
                 :'c1', :'co', fx.rep1, pg_temp.utc(c.created_at))::jsonb,
          'a page element is the record''s whole document') FROM fx, crm.contacts c WHERE c.id = :'c1';
SELECT is(crm.contact_json(c),
          format('{"id": "%1$s", "first_name": "Amy", "last_name": null, "display_name": "Amy",
                   "phones": [{"label": "mobile", "number": "0912 111 2233", "key": "989121112233"}], "emails": [],
                   "birthday": null, "city": null, "address": null, "job_title": null, "company_id": null, "company": null,
                   "lifecycle_stage": "lead", "lead_source": null, "campaign_id": null, "lead_score": 0, "tags": [],
                   "custom_fields": {}, "consent": {"sms": null, "email": null, "phone": null}, "preferences": {}, "notes": null,
                   "owner_id": "%2$s", "owner": {"id": "%2$s", "name": "One Rep"}, "merged_into": null,
                   "created_at": "%3$s", "updated_at": "%3$s", "created_by": "%2$s", "updated_by": "%2$s", "version": 1}',
                 :'c2', fx.rep1, pg_temp.utc(c.created_at))::jsonb,
          'contact_json of one record: its whole document') FROM fx, crm.contacts c WHERE c.id = :'c2';
SELECT is((SELECT j->1->'company'->>'name' FROM page), 'Hot Co', 'the company is joined in');
SELECT is((SELECT j->1->'owner'->>'name' FROM page), 'One Rep', 'the owner is joined in');
SELECT is(crm.contacts_json('{}'::crm.contacts[])::text, '[]', 'an empty page is []');

-- Contact keys from the statement-level trigger: every new contact of a
-- bulk insert; a phone change re-keys only that contact.
SELECT set_config('crm.actor_system', 'tap-bulk', true) \g /dev/null
-- Three contacts in one INSERT.
CREATE TEMP TABLE bulk_c AS
WITH ins AS (
	INSERT INTO crm.contacts (org_id, first_name, last_name, phones, emails, owner_id)
	SELECT fx.org1, 'Bulk' || i, 'Contact', jsonb_build_array(jsonb_build_object('label', 'mobile', 'number', '0912 000 000' || i)),
	       CASE WHEN i = 2 THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('label', 'work', 'address', 'Bulk' || i || '@Example.test')) END,
	       fx.rep1
	  FROM fx, generate_series(1, 3) i
	RETURNING id, first_name)
SELECT * FROM ins;
SELECT is((SELECT array_agg(p.key ORDER BY p.key) FROM crm.contact_phones p JOIN bulk_c c ON c.id = p.contact_id),
          ARRAY['989120000001', '989120000002', '989120000003'], 'every new contact gets its phone key');
SELECT is((SELECT array_agg(e.address ORDER BY e.address) FROM crm.contact_emails e JOIN bulk_c c ON c.id = e.contact_id),
          ARRAY['bulk1@example.test', 'bulk3@example.test'], 'and its e-mail keys (none for the one without e-mail)');
-- Phones changed by an update re-key only that contact.
UPDATE crm.contacts c SET phones = '[{"label":"mobile","number":"+98 935 111 2222"}]' FROM bulk_c b WHERE c.id = b.id AND b.first_name = 'Bulk2';
SELECT is((SELECT array_agg(p.key ORDER BY p.key) FROM crm.contact_phones p JOIN bulk_c c ON c.id = p.contact_id),
          ARRAY['989120000001', '989120000003', '989351112222'], 'a phone change re-keys that contact only');

-- The lookup profile lists the contact's unresolved tickets, among the
-- assignees the caller sees (NULL: all).
\o /dev/null
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Caller"}')).body::jsonb->>'id' AS caller FROM fx \gset
SELECT (api.tickets_create(ctx_rep1, jsonb_build_object('subject', 'Router down', 'contact_id', :'caller'))).body::jsonb->>'id' AS tk_open FROM fx \gset
SELECT (api.tickets_create(ctx_rep1, jsonb_build_object('subject', 'Invoice copy', 'contact_id', :'caller'))).body::jsonb->>'id' AS tk_done FROM fx \gset
SELECT api.tickets_update(ctx_rep1, jsonb_build_object('id', :'tk_done', 'patch', '{"status":"resolved"}'::jsonb)) FROM fx;
\o
SELECT is(crm.contact_profile(c, NULL)::jsonb->'open_tickets',
          format('[{"id": "%s", "number": "T-1", "subject": "Router down", "status": "new", "priority": "normal",
                    "due_at": null, "breached": false}]', :'tk_open')::jsonb,
          'the lookup profile lists the contact''s unresolved tickets') FROM crm.contacts c WHERE c.id = :'caller';
SELECT is(crm.contact_profile(c, ARRAY[fx.admin1])::jsonb->'open_tickets', '[]'::jsonb,
          'and only those of assignees the caller sees') FROM fx, crm.contacts c WHERE c.id = :'caller';

SELECT * FROM finish();
ROLLBACK;
