-- sql/crm/sla.sql: working time added and measured, 24x7 and in business
-- hours (an Iranian week with a half day and a holiday, a DST change), all
-- expected instants computed by hand; and the calendar's validation.
BEGIN;
SELECT plan(19);

-- Sat-Wed 08:00-12:00 and 13:00-17:00, Thursday until noon, Friday off;
-- Sunday 2026-12-13 a holiday. Asia/Tehran is UTC+03:30 all year.
CREATE TEMP TABLE cal AS SELECT
'{"time_zone":"Asia/Tehran","week":{
  "sat":[["08:00","12:00"],["13:00","17:00"]],"sun":[["08:00","12:00"],["13:00","17:00"]],
  "mon":[["08:00","12:00"],["13:00","17:00"]],"tue":[["08:00","12:00"],["13:00","17:00"]],
  "wed":[["08:00","12:00"],["13:00","17:00"]],"thu":[["08:00","12:00"]]},
  "holidays":["2026-12-13"]}'::jsonb AS tehran,
'{"time_zone":"Europe/Berlin","week":{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],
  "wed":[["09:00","17:00"]],"thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]]}}'::jsonb AS berlin;

-- 24x7: plain addition and subtraction.
SELECT is(crm.sla_add('2026-12-11 10:00Z', 90 * 60, NULL), '2026-12-11 11:30Z'::timestamptz, '24x7: start plus the target');
SELECT is(crm.sla_between('2026-12-11 10:00Z', '2026-12-12 10:00Z', NULL), 86400::numeric, '24x7: a day is 86400 s');

-- Wednesday 16:00 + 2 h: one hour on Wednesday, one on Thursday morning.
SELECT is(crm.sla_add('2026-12-09 16:00+03:30', 120 * 60, tehran), '2026-12-10 05:30Z'::timestamptz,
          'Wed 16:00 + 2 h = Thu 09:00 Tehran') FROM cal;
-- Thursday 11:00 + 4 h: the half day ends at noon, Friday is off.
SELECT is(crm.sla_add('2026-12-10 11:00+03:30', 240 * 60, tehran), '2026-12-12 07:30Z'::timestamptz,
          'Thu 11:00 + 4 h = Sat 11:00 (half day, Friday off)') FROM cal;
-- Friday (off) 10:00 + 30 min: the clock starts on Saturday morning.
SELECT is(crm.sla_add('2026-12-11 10:00+03:30', 30 * 60, tehran), '2026-12-12 05:00Z'::timestamptz,
          'Fri 10:00 + 30 min = Sat 08:30') FROM cal;
-- Saturday 16:30 + 1 h: Sunday is a holiday.
SELECT is(crm.sla_add('2026-12-12 16:30+03:30', 60 * 60, tehran), '2026-12-14 05:00Z'::timestamptz,
          'Sat 16:30 + 1 h = Mon 08:30 (Sunday a holiday)') FROM cal;
-- The lunch break does not count.
SELECT is(crm.sla_add('2026-12-12 11:30+03:30', 60 * 60, tehran), '2026-12-12 10:00Z'::timestamptz,
          'Sat 11:30 + 1 h = Sat 13:30 (lunch skipped)') FROM cal;
-- Exactly at the end of a day's last interval.
SELECT is(crm.sla_add('2026-12-09 16:00+03:30', 60 * 60, tehran), '2026-12-09 13:30Z'::timestamptz,
          'Wed 16:00 + 1 h = Wed 17:00, not the next morning') FROM cal;
SELECT is(crm.sla_add('2026-12-09 16:00+03:30', 0, tehran), '2026-12-09 12:30Z'::timestamptz,
          'a zero target is due at once') FROM cal;

SELECT is(crm.sla_between('2026-12-09 16:00+03:30', '2026-12-10 09:00+03:30', tehran), 7200::numeric,
          'Wed 16:00 to Thu 09:00 = 2 h of working time') FROM cal;
SELECT is(crm.sla_between('2026-12-10 11:00+03:30', '2026-12-14 11:00+03:30', tehran), 43200::numeric,
          'Thu 11:00 to Mon 11:00 = 1 + 8 + 0 + 3 h') FROM cal;
SELECT is(crm.sla_between('2026-12-11 09:00+03:30', '2026-12-11 18:00+03:30', tehran), 0::numeric,
          'a Friday has no working time') FROM cal;

-- A pause: 1 h used Wed 16:00-17:00, paused until Sat 09:00; of a 3 h
-- target 2 h remain: Sat 09:00-11:00.
SELECT is(crm.sla_add('2026-12-12 09:00+03:30',
                      3 * 3600 - crm.sla_between('2026-12-09 16:00+03:30', '2026-12-09 17:00+03:30', tehran), tehran),
          '2026-12-12 07:30Z'::timestamptz, 'a paused clock resumes with what was left') FROM cal;

-- Berlin's clocks move forward on 2027-03-28: Friday 16:00 CET + 2 h is
-- Monday 10:00 CEST, 08:00 UTC.
SELECT is(crm.sla_add('2027-03-26 16:00+01', 120 * 60, berlin), '2027-03-29 08:00Z'::timestamptz,
          'business hours follow the zone''s DST change') FROM cal;

-- Validation: each mistake names its member.
CREATE FUNCTION pg_temp.cal_err(c jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	dt text;
BEGIN
	PERFORM crm.sla_calendar_check(c, 'business_hours');
	RETURN 'no error';
EXCEPTION WHEN SQLSTATE 'CR422' THEN
	GET STACKED DIAGNOSTICS dt = PG_EXCEPTION_DETAIL;
	RETURN (dt::jsonb->0->>'field') || ' ' || (dt::jsonb->0->>'code');
END $$;
SELECT is(pg_temp.cal_err('{"time_zone":"Mars/Base","week":{"sat":[["08:00","12:00"]]}}'),
          'business_hours.time_zone invalid_value', 'an unknown time zone');
SELECT is(pg_temp.cal_err('{"time_zone":"Asia/Tehran","week":{"sat":[["12:00","08:00"]]}}'),
          'business_hours.week.sat invalid_value', 'an interval that ends before it starts');
SELECT is(pg_temp.cal_err('{"time_zone":"Asia/Tehran","week":{"sat":[["08:00","12:00"],["11:00","13:00"]]}}'),
          'business_hours.week.sat invalid_value', 'overlapping intervals');
SELECT is(pg_temp.cal_err('{"time_zone":"Asia/Tehran","week":{"sat":[]}}'),
          'business_hours.week invalid_value', 'a week with no working time');
SELECT is(crm.sla_calendar_check('{"time_zone":"Asia/Tehran","week":{"thu":[["08:00","24:00"]]},"holidays":["2027-03-22","2027-03-21","2027-03-21"]}', 'b'),
          '{"time_zone":"Asia/Tehran","week":{"thu":[["08:00","24:00"]]},"holidays":["2027-03-21","2027-03-22"]}'::jsonb,
          'a valid calendar: days up to 24:00, holidays sorted once each');

SELECT * FROM finish();
ROLLBACK;
