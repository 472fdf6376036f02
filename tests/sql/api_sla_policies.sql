-- sql/api/sla_policies.sql: sla_policies_* operations: the policy document, 24x7 and in business hours, admins write, a change is a new version, the list by priority.
BEGIN;
\ir fixtures.psql
SELECT plan(6);
SET ROLE crm_app;

-- Ids given by the caller, so the documents below are literal but for times.
SELECT is((SELECT jsonb_build_object('status', r.status, 'etag', r.etag, 'location', r.location, 'body', r.body::jsonb)
             FROM api.sla_policies_create(ctx_admin1, '{"id":"01900000-0000-7000-8000-000000000001","name":"Phone","priority":"normal",
                                          "channel":"phone","first_response_minutes":30,"resolution_minutes":240}') r),
          format('{"status": 201, "etag": "\"1\"", "location": "/v1/sla-policies/01900000-0000-7000-8000-000000000001",
                   "body": {"id": "01900000-0000-7000-8000-000000000001", "name": "Phone", "priority": "normal", "channel": "phone",
                            "type": null, "tag": null, "first_response_minutes": 30, "resolution_minutes": 240, "business_hours": null,
                            "created_at": "%1$s", "updated_at": "%1$s", "created_by": "%2$s", "updated_by": "%2$s", "version": 1}}',
                 pg_temp.utc(now()), admin1)::jsonb,
          'sla_policies_create: a 24x7 policy') FROM fx;
-- The calendar as given, its holidays in order and once each.
SELECT is((api.sla_policies_create(ctx_admin1, '{"id":"01900000-0000-7000-8000-000000000002","name":"Tehran urgent","priority":"urgent",
  "first_response_minutes":120,"resolution_minutes":240,
  "business_hours":{"time_zone":"Asia/Tehran","week":{
    "sat":[["08:00","12:00"],["13:00","17:00"]],"sun":[["08:00","12:00"],["13:00","17:00"]],
    "mon":[["08:00","12:00"],["13:00","17:00"]],"tue":[["08:00","12:00"],["13:00","17:00"]],
    "wed":[["08:00","12:00"],["13:00","17:00"]],"thu":[["08:00","12:00"]]},"holidays":["2027-03-21","2026-12-13","2027-03-21"]}}')).body::jsonb,
          format('{"id": "01900000-0000-7000-8000-000000000002", "name": "Tehran urgent", "priority": "urgent", "channel": null,
                   "type": null, "tag": null, "first_response_minutes": 120, "resolution_minutes": 240,
                   "business_hours": {"time_zone": "Asia/Tehran",
                                      "week": {"sat": [["08:00", "12:00"], ["13:00", "17:00"]], "sun": [["08:00", "12:00"], ["13:00", "17:00"]],
                                               "mon": [["08:00", "12:00"], ["13:00", "17:00"]], "tue": [["08:00", "12:00"], ["13:00", "17:00"]],
                                               "wed": [["08:00", "12:00"], ["13:00", "17:00"]], "thu": [["08:00", "12:00"]]},
                                      "holidays": ["2026-12-13", "2027-03-21"]},
                   "created_at": "%1$s", "updated_at": "%1$s", "created_by": "%2$s", "updated_by": "%2$s", "version": 1}',
                 pg_temp.utc(now()), admin1)::jsonb,
          'sla_policies_create: a business-hours policy') FROM fx;
SELECT is((SELECT jsonb_build_object('status', r.status, 'etag', r.etag, 'body', r.body::jsonb)
             FROM api.sla_policies_update(ctx_admin1, '{"id":"01900000-0000-7000-8000-000000000001","if_match":1,"patch":{"first_response_minutes":5}}') r),
          format('{"status": 200, "etag": "\"2\"",
                   "body": {"id": "01900000-0000-7000-8000-000000000001", "name": "Phone", "priority": "normal", "channel": "phone",
                            "type": null, "tag": null, "first_response_minutes": 5, "resolution_minutes": 240, "business_hours": null,
                            "created_at": "%1$s", "updated_at": "%1$s", "created_by": "%2$s", "updated_by": "%2$s", "version": 2}}',
                 pg_temp.utc(now()), admin1)::jsonb,
          'sla_policies_update: an admin changes a target, a new version') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.sla_policies_create(%L, %L)', ctx_rep1,
                             '{"name":"Mine","priority":"low","first_response_minutes":30,"resolution_minutes":60}')),
          'CR403', 'sla_policies_create: admins only') FROM fx;
SELECT is(pg_temp.err(format('SELECT api.sla_policies_create(%L, %L)', ctx_admin1,
                             '{"name":"Zero","priority":"low","first_response_minutes":0,"resolution_minutes":60}')),
          'CR422 first_response_minutes range', 'sla_policies_create: targets are 1 minute or more') FROM fx;
SELECT is((SELECT array_agg(e->>'name') FROM jsonb_array_elements((api.sla_policies_list(ctx_rep1, '{}')).body::jsonb->'data') e),
          ARRAY['Tehran urgent', 'Phone'], 'sla_policies_list: any role reads, the most urgent first') FROM fx;

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
