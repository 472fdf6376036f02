-- sql/api/deals.sql: deals_* operations: defaults, validation, stage history with exact durations, won/lost rules, rotting, visibility, paging, pipeline moves, audit, merge, delete.
BEGIN;
\ir fixtures.psql
SELECT plan(53);

-- rep2 outside the manager's team; keys for deals and for other scopes.
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

-- A pipeline with five stages and an empty one.
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
SELECT (api.pipelines_create(ctx_admin1, '{"name":"Renewals"}')).body::jsonb->>'id' AS pid2 FROM fx \gset

-- Deals: create, defaults, validation.
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"علي","last_name":"رضائي","phones":["۰۹۱۲ ۳۴۵ ۶۷۸۹"]}')).body::jsonb->>'id' AS c1 FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, '{"first_name":"Source","phones":["0935 111 2222"]}')).body::jsonb->>'id' AS c2 FROM fx \gset
SELECT (api.contacts_create(ctx_admin1, jsonb_build_object('first_name', 'Rep2 contact', 'owner_id', :'rep2'))).body::jsonb->>'id' AS c3 FROM fx \gset
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'Big order', 'pipeline_id', :'pid', 'amount', '1250.5', 'currency', 'IRR',
                                                     'contact_id', :'c1', 'expected_close_date', '2025-06-30'))).body::jsonb AS d1j FROM fx \gset
SELECT :'d1j'::jsonb->>'id' AS d1 \gset
SELECT is((:'d1j'::jsonb)->>'stage_id', :'s_lead', 'stage defaults to the first open stage');
SELECT is(((:'d1j'::jsonb)->>'amount') || ' ' || ((:'d1j'::jsonb)->>'weighted_amount') || ' ' || ((:'d1j'::jsonb)->>'status'),
          '1250.50 125.05 open', 'amounts are decimal strings with two decimals; weighted = amount × probability');
SELECT is((:'d1j'::jsonb)->>'owner_id', rep1::text, 'owner defaults to the caller') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'amount', '10', 'currency', 'XYZ'))),
          'CR422 currency invalid', 'an unknown currency is 422 currency') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'amount', '10'))),
          'CR422 currency required', 'an amount without a currency is 422 currency') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'amount', '1.234', 'currency', 'USD'))),
          'CR422 amount format', 'three decimals is 422 amount') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid2', 'stage_id', :'s_lead'))),
          'CR422 stage_id not_found', 'a stage of another pipeline is 422 stage_id') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'contact_id', :'c3'))),
          'CR422 contact_id not_found', 'an invisible contact is 422 contact_id') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'stage_id', :'s_lost'))),
          'CR422 lost_reason required', 'creating a lost deal without lost_reason is 422') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_rep1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid', 'owner_id', :'rep2'))),
          'CR422 owner_id forbidden', 'a rep cannot give a deal to someone else') FROM fx, fx2;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_keyd, jsonb_build_object('title', 'x', 'pipeline_id', :'pid'))),
          'CR422 owner_id required', 'an API key must name the owner') FROM fx2;

-- Stage history with exact durations (explicit timestamps).
SELECT set_config('crm.actor_system', 'test', true) \g /dev/null
UPDATE crm.deals SET stage_entered_at = now() - interval '3 days 5 seconds' WHERE id = :'d1';
SELECT set_config('crm.actor_system', '', true) \g /dev/null
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->>'stage_entered_at' = pg_temp.utc(now()))::text
             FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'if_match', 1, 'patch', jsonb_build_object('stage_id', :'s_qual'))) r),
          '200 true', 'moving a deal: stage_entered_at is the move time') FROM fx;
SELECT set_config('crm.actor_system', 'test', true) \g /dev/null
UPDATE crm.deals SET stage_entered_at = now() - interval '90 minutes' WHERE id = :'d1';
SELECT set_config('crm.actor_system', '', true) \g /dev/null
SELECT is((api.deals_update(ctx_manager1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_prop')))).status, 200, 'the manager moves a team deal') FROM fx;
SELECT (api.deals_history(ctx_rep1, jsonb_build_object('id', :'d1'))).body::jsonb->'data' AS hist FROM fx \gset
SELECT is(ARRAY(SELECT coalesce(e->'from_stage'->>'name', '-') || '>' || (e->'to_stage'->>'name') || ' ' || coalesce(e->>'seconds_in_previous', 'null')
                  FROM jsonb_array_elements(:'hist'::jsonb) e),
          ARRAY['->Lead null', 'Lead>Qualified 259205', 'Qualified>Proposal 5400'], 'history: oldest first, exact seconds_in_previous');
SELECT is(ARRAY(SELECT (e->'moved_by'->>'type') || ':' || (e->'moved_by'->>'id') FROM jsonb_array_elements(:'hist'::jsonb) e),
          ARRAY['user:' || rep1, 'user:' || rep1, 'user:' || manager1], 'history: moved_by is the caller') FROM fx;
SELECT is((SELECT count(*)::int FROM crm.deal_stage_history WHERE deal_id = :'d1'), 3, 'three stage history rows');
SELECT is((SELECT string_agg(a.event || ' ' || (a.data->>'from') || '>' || (a.data->>'to') || ' ' || (a.data->>'deal_id' = :'d1')::text, ',' ORDER BY a.data->>'to' DESC)
             FROM crm.activities a WHERE a.contact_id = :'c1' AND a.type = 'system'),
          'deal_stage_change Lead>Qualified true,deal_stage_change Qualified>Proposal true', 'each move writes a system entry on the contact');

-- Won and lost.
SELECT is(pg_temp.err(format('SELECT api.deals_update(%L, %L)', ctx_rep1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_lost')))),
          'CR422 lost_reason required', 'entering a lost stage without lost_reason is 422 lost_reason') FROM fx;
SELECT is((SELECT (r.body::jsonb->>'status') || ' ' || (r.body::jsonb->>'lost_at' IS NOT NULL)::text || ' ' || (r.body::jsonb->>'lost_reason')
             FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_lost', 'lost_reason', 'too expensive'))) r),
          'lost true too expensive', 'lost: status lost, lost_at set') FROM fx;
SELECT is((SELECT (r.body::jsonb->>'status') || ' ' || (r.body::jsonb->>'won_at' = pg_temp.utc(now()))::text || ' ' || coalesce(r.body::jsonb->>'lost_at', 'null')
                  || ' ' || coalesce(r.body::jsonb->>'lost_reason', 'null') || ' ' || (r.body::jsonb->>'weighted_amount')
             FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_won'))) r),
          'won true null null 1250.50', 'won: won_at set, lost_at and lost_reason cleared') FROM fx;
SELECT is((SELECT (r.body::jsonb->>'status') || ' ' || coalesce(r.body::jsonb->>'won_at', 'null')
             FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'patch', jsonb_build_object('stage_id', :'s_prop'))) r),
          'open null', 'reopening clears won_at') FROM fx;
SELECT is((SELECT r.status || ' ' || (r.body::jsonb->'current'->>'version') FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d1', 'if_match', 1, 'patch', '{"title":"x"}'::jsonb)) r),
          '412 6', 'a stale If-Match is 412 with the current deal') FROM fx;

-- Rotting.
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'Sleepy', 'pipeline_id', :'pid', 'stage_id', :'s_qual', 'amount', 100, 'currency', 'usd'))).body::jsonb->>'id' AS d2 FROM fx \gset
SELECT is((api.deals_get(ctx_rep1, jsonb_build_object('id', :'d2'))).body::jsonb->>'is_stale', 'false', 'a fresh deal is not stale') FROM fx;
SELECT set_config('crm.actor_system', 'test', true) \g /dev/null
UPDATE crm.deals SET stage_entered_at = now() - interval '15 days' WHERE id = :'d2';
SELECT set_config('crm.actor_system', '', true) \g /dev/null
SELECT is((api.deals_get(ctx_rep1, jsonb_build_object('id', :'d2'))).body::jsonb->>'is_stale', 'true', 'open for 15 days in a 14-day stage: stale') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_rep1, '{"stale":true}')), ARRAY[:'d2'], 'deals_list stale=true') FROM fx;
SELECT is((api.deals_get(ctx_rep1, jsonb_build_object('id', :'d2'))).body::jsonb->>'currency', 'USD', 'currency is upper-cased') FROM fx;

-- Visibility.
SELECT (api.deals_create(ctx_admin1, jsonb_build_object('title', 'Rep2 deal', 'pipeline_id', :'pid', 'stage_id', :'s_qual', 'owner_id', :'rep2', 'contact_id', :'c3', 'amount', '5000000', 'currency', 'IRR'))).body::jsonb->>'id' AS d3 FROM fx \gset
SELECT (api.pipelines_create(ctx_admin2, '{"name":"Other","stages":[{"name":"S","probability":10,"kind":"open"}]}')).body::jsonb->>'id' AS pid_o FROM fx \gset
SELECT (api.deals_create(ctx_admin2, jsonb_build_object('title', 'Other org deal', 'pipeline_id', :'pid_o'))).body::jsonb->>'id' AS d_o FROM fx \gset
SELECT is(pg_temp.ids(api.deals_list(ctx_rep1, '{"sort":"title"}')), ARRAY[:'d1', :'d2'], 'rep1 sees own deals only') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_rep2, '{}')), ARRAY[:'d3'], 'rep2 sees own deals only') FROM fx2;
SELECT is(pg_temp.ids(api.deals_list(ctx_manager1, '{"sort":"title"}')), ARRAY[:'d1', :'d2'], 'the manager sees the team''s deals, not rep2''s') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_admin1, '{"sort":"-amount"}')), ARRAY[:'d3', :'d1', :'d2'], 'the admin sees all, sorted by amount desc') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_keyd, '{"sort":"title","q":"ORDER"}')), ARRAY[:'d1'], 'a key sees the org; q matches the folded title') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.deals_get(%L, %L)', ctx_rep2, jsonb_build_object('id', :'d1'))), 'CR404', 'another rep: 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.deals_history(%L, %L)', ctx_rep2, jsonb_build_object('id', :'d1'))), 'CR404', 'another rep: history 404') FROM fx2;
SELECT is(pg_temp.err(format('SELECT api.deals_get(%L, %L)', ctx_admin2, jsonb_build_object('id', :'d1'))), 'CR404', 'another org: 404') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_create(%L, %L)', ctx_admin1, jsonb_build_object('title', 'x', 'pipeline_id', :'pid_o'))),
          'CR422 pipeline_id not_found', 'another org''s pipeline is 422 pipeline_id') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_admin1, jsonb_build_object('amount_min', '1000', 'amount_max', '2000', 'status', 'open'))), ARRAY[:'d1'],
          'amount range and status filters') FROM fx;
SELECT is((SELECT array_length(pg_temp.ids(r), 1) || ' ' || (r.body::jsonb->>'next_cursor' IS NOT NULL)::text
             FROM api.deals_list(ctx_admin1, '{"limit":2,"sort":"-amount"}') r), '2 true', 'paging: a cursor after a full page') FROM fx;
SELECT is(pg_temp.ids(api.deals_list(ctx_admin1, jsonb_build_object('limit', 2, 'sort', '-amount',
             'cursor', (api.deals_list(ctx_admin1, '{"limit":2,"sort":"-amount"}')).body::jsonb->>'next_cursor'))),
          ARRAY[:'d2'], 'paging: the next page continues the order') FROM fx;

-- Moving to another pipeline; campaign from the contact; scopes.
SELECT is(pg_temp.err(format('SELECT api.deals_update(%L, %L)', ctx_rep1, jsonb_build_object('id', :'d2', 'patch', jsonb_build_object('pipeline_id', :'pid2')))),
          'CR422 stage_id required', 'a pipeline without open stages needs an explicit stage') FROM fx;
SELECT (api.stages_create(ctx_admin1, jsonb_build_object('pipeline_id', :'pid2', 'name', 'Up for renewal', 'probability', 40, 'kind', 'open'))).body::jsonb->>'id' AS s_ren FROM fx \gset
SELECT is((SELECT (r.body::jsonb->>'pipeline_id' = :'pid2')::text || ' ' || (r.body::jsonb->>'stage_id' = :'s_ren')::text
             FROM api.deals_update(ctx_rep1, jsonb_build_object('id', :'d2', 'patch', jsonb_build_object('pipeline_id', :'pid2'))) r),
          'true true', 'a new pipeline without a stage: its first open stage') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_update(%L, %L)', ctx_rep1, jsonb_build_object('id', :'d2', 'patch', jsonb_build_object('stage_id', :'s_lead')))),
          'CR422 stage_id not_found', 'a stage of another pipeline without pipeline_id is 422') FROM fx;
SELECT (api.campaigns_create(ctx_admin1, '{"name":"Nowruz","channel":"sms"}')).body::jsonb->>'id' AS camp FROM fx \gset
SELECT (api.contacts_create(ctx_rep1, jsonb_build_object('first_name', 'Campaign lead', 'campaign_id', :'camp'))).body::jsonb->>'id' AS c4 FROM fx \gset
SELECT is((api.deals_create(ctx_rep1, jsonb_build_object('title', 'From campaign', 'pipeline_id', :'pid2', 'contact_id', :'c4'))).body::jsonb->>'campaign_id',
          :'camp', 'campaign_id defaults from the contact') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_list(%L, %L)', ctx_key1, '{}')), 'CR403', 'a key without deals:read: 403') FROM fx;

-- Audit rows.
SELECT is((SELECT a.actor_user_id FROM crm.audit_log a WHERE a.table_name = 'deals' AND a.record_id = :'d1' AND a.action = 'insert'),
          rep1, 'deal insert audited with the actor') FROM fx;
SELECT ok((SELECT count(*) FROM crm.audit_log a WHERE a.table_name = 'deals' AND a.record_id = :'d1' AND a.action = 'update' AND a.new_values ? 'stage_id') >= 4,
          'deal moves audited');

-- Merge moves deals.
SELECT (api.deals_create(ctx_rep1, jsonb_build_object('title', 'From source', 'pipeline_id', :'pid', 'contact_id', :'c2'))).body::jsonb->>'id' AS d4 FROM fx \gset
SELECT is((api.contacts_merge(ctx_rep1, jsonb_build_object('id', :'c1', 'source_id', :'c2'))).status, 200, 'merge c2 into c1') FROM fx;
SELECT is((SELECT d.contact_id::text FROM crm.deals d WHERE d.id = :'d4'), :'c1', 'merge moves the source''s deals');

-- Delete.
SELECT is(pg_temp.err(format('SELECT api.deals_delete(%L, %L)', ctx_rep1, jsonb_build_object('id', :'d3'))), 'CR404',
          'deals_delete: another rep''s deal is 404') FROM fx;
-- d4 as the merge left it: c1's, version 2, in the pipeline's first stage.
SELECT is((SELECT jsonb_build_object('status', r.status, 'body', r.body::jsonb)
             FROM api.deals_delete(ctx_rep1, jsonb_build_object('id', :'d4', 'if_match', 9)) r),
          format('{"status": 412, "body": {"type": "urn:crm:problem:precondition-failed", "title": "Precondition Failed", "status": 412,
                   "detail": "the record was changed by someone else (If-Match is stale)", "instance": "req-rep1",
                   "current": {"id": "%1$s", "title": "From source", "pipeline_id": "%2$s", "stage_id": "%3$s",
                               "stage": {"id": "%3$s", "name": "Lead", "kind": "open", "probability": 10},
                               "status": "open", "amount": null, "currency": null, "weighted_amount": null,
                               "expected_close_date": null, "won_at": null, "lost_at": null, "lost_reason": null,
                               "contact_id": "%4$s", "contact": {"id": "%4$s", "display_name": "علي رضائي"},
                               "company_id": null, "company": null, "campaign_id": null, "notes": null,
                               "owner_id": "%5$s", "owner": {"id": "%5$s", "name": "One Rep"}, "is_stale": false,
                               "stage_entered_at": "%6$s", "created_at": "%6$s", "updated_at": "%6$s",
                               "created_by": "%5$s", "updated_by": "%5$s", "version": 2}}}',
                 :'d4', :'pid', :'s_lead', :'c1', fx.rep1, pg_temp.utc(d.created_at))::jsonb,
          'deals_delete: a stale If-Match is 412 with the current deal') FROM fx, crm.deals d WHERE d.id = :'d4';
SELECT is((api.deals_delete(ctx_rep1, jsonb_build_object('id', :'d4'))).status, 204, 'deals_delete answers 204') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_get(%L, %L)', ctx_rep1, jsonb_build_object('id', :'d4'))), 'CR404', 'a deleted deal is 404') FROM fx;
SELECT is((SELECT array_agg(e->>'title' ORDER BY e->>'title') FROM jsonb_array_elements((api.deals_list(ctx_admin1, '{"limit":200}')).body::jsonb->'data') e),
          ARRAY['Big order', 'From campaign', 'Rep2 deal', 'Sleepy'], 'and leaves the list') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.deals_delete(%L, %L)', ctx_key1, jsonb_build_object('id', :'d1'))), 'CR403',
          'deals_delete: a key without deals:write is 403') FROM fx;

SELECT * FROM finish();
ROLLBACK;
