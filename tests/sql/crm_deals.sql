-- sql/crm/deals.sql: statement-level stage history: entry rows, one history row and timeline entry per moved deal, the status settled by the row trigger.
BEGIN;
\ir fixtures.psql
SELECT plan(5);

\o /dev/null
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Bulk","stages":[
	{"name":"Lead","probability":10,"kind":"open"},
	{"name":"Offer","probability":50,"kind":"open"},
	{"name":"Won","probability":100,"kind":"won"}]}')).body::jsonb AS pl FROM fx \gset
SELECT set_config('crm.actor_user', '', true); -- left by the API call
\o
SELECT :'pl'::jsonb->>'id' AS pid, :'pl'::jsonb->'stages'->0->>'id' AS s_lead,
       :'pl'::jsonb->'stages'->1->>'id' AS s_offer, :'pl'::jsonb->'stages'->2->>'id' AS s_won \gset
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

-- Three deals in one INSERT, then one UPDATE that moves two of them.
CREATE TEMP TABLE bulk_d AS
WITH ins AS (
	INSERT INTO crm.deals (org_id, title, pipeline_id, stage_id, owner_id, contact_id, stage_entered_at)
	SELECT fx.org1, 'Bulk deal ' || c.first_name, :'pid', :'s_lead', fx.rep1, c.id, now() - interval '2 days'
	  FROM fx, bulk_c c
	RETURNING id, title, contact_id)
SELECT * FROM ins;
SELECT is((SELECT count(*) FROM crm.deal_stage_history h JOIN bulk_d d ON d.id = h.deal_id
            WHERE h.from_stage_id IS NULL AND h.to_stage_id = :'s_lead' AND h.seconds_in_previous IS NULL), 3::bigint,
          'a three-deal INSERT writes three entry rows');
UPDATE crm.deals x SET stage_id = CASE d.title WHEN 'Bulk deal Bulk1' THEN :'s_offer'::uuid WHEN 'Bulk deal Bulk2' THEN :'s_won'::uuid ELSE x.stage_id END,
                       stage_entered_at = CASE WHEN d.title = 'Bulk deal Bulk3' THEN x.stage_entered_at ELSE x.stage_entered_at + interval '1 day' END,
                       notes = 'bulk'
  FROM bulk_d d WHERE x.id = d.id;
SELECT is((SELECT array_agg(d.title || ': ' || s.name || ' after ' || h.seconds_in_previous ORDER BY d.title)
             FROM crm.deal_stage_history h JOIN bulk_d d ON d.id = h.deal_id JOIN crm.stages s ON s.id = h.to_stage_id
            WHERE h.from_stage_id = :'s_lead'),
          ARRAY['Bulk deal Bulk1: Offer after 86400', 'Bulk deal Bulk2: Won after 86400'],
          'a multi-row UPDATE writes history for the deals that moved, each with its own stage and time');
SELECT is((SELECT status FROM crm.deals WHERE title = 'Bulk deal Bulk2'), 'won', 'the BEFORE trigger still settles the status');
SELECT is((SELECT array_agg(a.subject ORDER BY a.subject) FROM crm.activities a JOIN bulk_d d ON d.contact_id = a.contact_id
            WHERE a.event = 'deal_stage_change'),
          ARRAY['Deal «Bulk deal Bulk1»: Lead → Offer', 'Deal «Bulk deal Bulk2»: Lead → Won'],
          'and a timeline entry on each moved deal''s contact');
SELECT is((SELECT array_agg((a.data->>'to_stage_id') = :'s_won' ORDER BY a.subject) FROM crm.activities a JOIN bulk_d d ON d.contact_id = a.contact_id
            WHERE a.event = 'deal_stage_change' AND (a.data->>'deal_id')::uuid = d.id),
          ARRAY[false, true], 'whose data names its own deal and stages');

SELECT * FROM finish();
ROLLBACK;
