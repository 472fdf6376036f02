-- sql/api/pipelines.sql: pipelines_* and stages_* operations: who may write, stage order and ranges, reorder, insert at a position, delete with deal_count and move_to, kind under deals, audit.
BEGIN;
\ir fixtures.psql
SELECT plan(24);

-- rep2 outside the manager's team; a key for deals.
\o /dev/null
SELECT (api.users_create(ctx_admin1, '{"email":"rep2@one.test","name":"Second Rep","role":"rep","password_hash":"h"}')).body::jsonb->>'id' AS rep2 FROM fx \gset
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', manager1)) FROM fx;
SELECT api.team_members_add(ctx_admin1, jsonb_build_object('team_id', team1, 'user_id', rep1)) FROM fx;
SELECT api.api_keys_create(ctx_admin1, '{"name":"deals","scopes":["deals:read","deals:write","lookup:read"],"key_hash":"tap-key-deals","prefix":"tapd"}') FROM fx;
\o
CREATE TEMP TABLE fx2 AS SELECT :'rep2'::uuid AS rep2,
	jsonb_build_object('request_id', 'req-rep2', 'ip', '10.0.0.5', 'user_id', :'rep2', 'org_id', org1) AS ctx_rep2,
	'{"request_id":"req-keyd","ip":"10.0.0.9","api_key_hash":"tap-key-deals"}'::jsonb AS ctx_keyd
  FROM fx;
GRANT SELECT ON fx2 TO PUBLIC;
SELECT set_config('crm.actor_user', '', true), set_config('crm.actor_key', '', true) \g /dev/null
SET ROLE crm_app;

-- Pipelines: admins write, others and keys read.
SELECT is(pg_temp.err(format('SELECT api.pipelines_create(%L, %L)', ctx_manager1, '{"name":"Nope"}')), 'CR403', 'a manager cannot create pipelines') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.pipelines_create(%L, %L)', ctx_keyd, '{"name":"Nope"}')), 'CR403', 'a key cannot create pipelines') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.pipelines_create(%L, %L)', ctx_admin1,
          '{"name":"Bad","stages":[{"name":"A","probability":10,"kind":"open"},{"name":"B","probability":150,"kind":"open"}]}')),
          'CR422 stages[1].probability range', 'a stage probability over 100 is 422 naming the element') FROM fx;
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Sales","stages":[
	{"name":"Lead","probability":10,"kind":"open"},
	{"name":"Qualified","probability":25,"kind":"open","rotting_days":14},
	{"name":"Proposal","probability":50,"kind":"open","rotting_days":10},
	{"name":"Won","probability":100,"kind":"won"},
	{"name":"Lost","probability":0,"kind":"lost"}]}')).body::jsonb AS pl FROM fx \gset
SELECT :'pl'::jsonb->>'id' AS pid,
       :'pl'::jsonb->'stages'->0->>'id' AS s_lead, :'pl'::jsonb->'stages'->1->>'id' AS s_qual,
       :'pl'::jsonb->'stages'->2->>'id' AS s_prop, :'pl'::jsonb->'stages'->3->>'id' AS s_won,
       :'pl'::jsonb->'stages'->4->>'id' AS s_lost \gset
SELECT is(ARRAY(SELECT (e->>'position') || ':' || (e->>'name') FROM jsonb_array_elements(:'pl'::jsonb->'stages') e),
          ARRAY['0:Lead', '1:Qualified', '2:Proposal', '3:Won', '4:Lost'], 'pipelines_create: stages in order, positions 0..n-1');
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Renewals"}')).body::jsonb->>'id' AS pid2 FROM fx \gset
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->'data'->0->>'name') || ' ' || jsonb_array_length(r.body::jsonb->'data')
             FROM api.pipelines_list(ctx_keyd, '{}') r), '200 Renewals 2', 'a key with deals:read lists pipelines by name') FROM fx2;
SELECT is((SELECT jsonb_array_length(r.body::jsonb->'stages') FROM api.pipelines_get(ctx_rep1, jsonb_build_object('id', :'pid2')) r),
          0, 'a pipeline may start empty; reps read pipelines') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.stages_create(%L, %L)', ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'name', 'lead', 'probability', 5, 'kind', 'open'))),
          '23505', 'stage names are unique per pipeline (stages__name__uq)') FROM fx;

-- Deals in Proposal (d1) and in Qualified (d2, and rep2's d3).
\o /dev/null
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":["۰۹۱۲ ۳۴۵ ۶۷۸۹"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Rep2 contact', 'owner_id', :'rep2'))).body::jsonb->>'id' AS c3 FROM fx \gset
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'Big order', 'pipeline_id', :'pid', 'amount', '1250.5', 'currency', 'IRR',
                                                     'contact_id', :'c1', 'expected_close_date', '2025-06-30'))).body::jsonb AS d1j FROM fx \gset
SELECT :'d1j'::jsonb->>'id' AS d1 \gset
SELECT api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_prop'))) FROM fx;
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'Sleepy', 'pipeline_id', :'pid', 'stage_id', :'s_qual', 'amount', 100, 'currency', 'usd'))).body::jsonb->>'id' AS d2 FROM fx \gset
SELECT (api.deals_create(ctx_admin1, jsonb_build_object('title', 'Rep2 deal', 'pipeline_id', :'pid', 'stage_id', :'s_qual', 'owner_id', :'rep2', 'contact_id', :'c3', 'amount', '5000000', 'currency', 'IRR'))).body::jsonb->>'id' AS d3 FROM fx \gset
\o

-- Reorder.
SELECT is(pg_temp.err(format('SELECT api.stages_reorder(%L, %L)', ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'stage_ids', jsonb_build_array(:'s_lead', :'s_qual')))),
          'CR422 stage_ids mismatch', 'reorder must list every stage') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.stages_reorder(%L, %L)', ctx_admin1, jsonb_build_object('pipeline_id', :'pid',
                             'stage_ids', jsonb_build_array(:'s_lead', :'s_lead', :'s_prop', :'s_won', :'s_lost')))),
          'CR422 stage_ids mismatch', 'reorder refuses repeats') FROM fx;
SELECT is((SELECT ARRAY(SELECT (e->>'position') || ':' || (e->>'name') FROM jsonb_array_elements(r.body::jsonb->'stages') e)
             FROM api.stages_reorder(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'stage_ids', jsonb_build_array(:'s_qual', :'s_lead', :'s_prop', :'s_lost', :'s_won'))) r),
          ARRAY['0:Qualified', '1:Lead', '2:Proposal', '3:Lost', '4:Won'], 'reorder keeps the given order, positions contiguous') FROM fx;
SELECT is((SELECT ARRAY(SELECT (e->>'position') || ':' || (e->>'name') FROM jsonb_array_elements(r.body::jsonb->'stages') e)
             FROM api.pipelines_get(ctx_rep1, jsonb_build_object('id', :'pid')) r),
          ARRAY['0:Qualified', '1:Lead', '2:Proposal', '3:Lost', '4:Won'], 'the new order is stored') FROM fx;
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'position') FROM api.stages_create(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'name', 'Demo',
                                                                                                                    'probability', 40, 'kind', 'open', 'position', 2)) r),
          '201 2', 'stages_create inserts at a position') FROM fx;
SELECT is((SELECT string_agg(s.position::text || s.name, ',' ORDER BY s.position) FROM crm.stages s WHERE s.pipeline_id = :'pid' AND s.deleted_at IS NULL),
          '0Qualified,1Lead,2Demo,3Proposal,4Lost,5Won', 'inserting shifts the others');

-- Stage delete: 409 with deal_count, then with move_to.
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'deal_count') FROM api.stages_delete(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'id', :'s_qual')) r),
          '409 2', 'deleting a stage holding deals: 409 with deal_count') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.stages_delete(%L, %L)', ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'id', :'s_qual', 'move_to', :'s_qual'))),
          'CR422 move_to not_found', 'move_to the deleted stage itself is 422') FROM fx;
SELECT is((api.stages_delete(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'id', :'s_qual', 'move_to', :'s_lead'))).status, 204, 'delete with move_to: 204') FROM fx;
SELECT is((SELECT string_agg(d.title || '@' || s.name, ',' ORDER BY d.title) FROM crm.deals d JOIN crm.stages s ON s.id = d.stage_id
            WHERE d.pipeline_id = :'pid' AND d.stage_id = :'s_lead'), 'Rep2 deal@Lead,Sleepy@Lead', 'the deals moved to the move_to stage');
SELECT is((SELECT h.from_stage_id::text || ' ' || h.moved_by FROM crm.deal_stage_history h WHERE h.deal_id = :'d2' AND h.to_stage_id = :'s_lead'),
          :'s_qual' || ' ' || admin1, 'each move is in the history as moved by the caller') FROM fx;
SELECT is((SELECT string_agg(s.position::text || s.name, ',' ORDER BY s.position) FROM crm.stages s WHERE s.pipeline_id = :'pid' AND s.deleted_at IS NULL),
          '0Lead,1Demo,2Proposal,3Lost,4Won', 'positions close up');
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'deal_count') FROM api.pipelines_delete(ctx_admin1, jsonb_build_object('id', :'pid')) r),
          '409 3', 'a pipeline holding deals cannot be deleted') FROM fx;

-- Stage kind under deals.
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'deal_count') FROM api.stages_update(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'id', :'s_lead', 'patch', '{"kind":"won"}'::jsonb)) r),
          '409 2', 'the kind of a stage holding deals cannot change') FROM fx;
SELECT is((SELECT (r.body::jsonb->>'probability') || ' ' || (r.body::jsonb->>'rotting_days') FROM api.stages_update(ctx_admin1, jsonb_build_object('pipeline_id', :'pid', 'id', :'s_lead', 'patch', '{"probability":15,"rotting_days":3}'::jsonb)) r),
          '15 3', 'stages_update changes probability and rotting days') FROM fx;

-- Audit rows.
SELECT is((SELECT count(*)::int FROM crm.audit_log a WHERE a.table_name = 'stages' AND a.record_id = :'s_qual' AND a.action = 'update'
              AND a.new_values->>'deleted_at' IS NOT NULL AND a.actor_user_id = fx.admin1), 1, 'stage soft delete audited with the actor') FROM fx;
SELECT ok((SELECT count(*) FROM crm.audit_log a WHERE a.table_name = 'stages' AND a.action = 'update' AND a.new_values ? 'position') >= 5,
          'stage position changes audited');

SELECT * FROM finish();
ROLLBACK;
