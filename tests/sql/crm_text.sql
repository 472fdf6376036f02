-- sql/crm/text.sql: the text helpers stay inlinable SQL; phone_key for every format, digit script and the short/NULL cases.
BEGIN;
\ir fixtures.psql
SELECT plan(8);

-- Bare expressions must stay LANGUAGE sql: the planner inlines those, and a
-- PL/pgSQL wrapper costs a function call per row.
SELECT is(l.lanname, 'sql', p.proname || ' is an inlinable SQL expression')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname IN ('fold_digits', 'digits', 'ts')
 ORDER BY p.proname;

SELECT is(ARRAY[crm.phone_key('+98 912 345 6789'), crm.phone_key('0098 912 345 6789'), crm.phone_key('0912-345-6789'),
                crm.phone_key('۰۹۱۲ ۳۴۵ ۶۷۸۹'), crm.phone_key('٠٩١٢٣٤٥٦٧٨٩'), crm.phone_key('(0912) 345 67 89'),
                crm.phone_key('912 345 6789'), crm.phone_key('+1 (415) 555-0100', '98'), crm.phone_key('0912', '98'),
                crm.phone_key(NULL)],
          ARRAY['989123456789', '989123456789', '989123456789', '989123456789', '989123456789', '989123456789',
                '989123456789', '14155550100', NULL, NULL],
          'phone_key: every format, digit script and the short/NULL cases');
SELECT is(ARRAY(SELECT crm.phone_key(n) FROM unnest(ARRAY['+98 912 345 6789', '0098 912 345 6789', '09123456789', '0912-345-6789',
                                                          '۰۹۱۲ ۳۴۵ ۶۷۸۹', '٠٩١٢٣٤٥٦٧٨٩', '(0912) 345 67 89', '9123456789']) n),
          array_fill('989123456789'::text, ARRAY[8]), 'phone_key: every format of the brief gives 989123456789');
SELECT is(crm.phone_key('+1 (415) 555-0100'), '14155550100', 'phone_key keeps a foreign + number');
SELECT is(crm.phone_key('021 8888 1234', '98'), '982188881234', 'phone_key: trunk 0 becomes the default country code');
SELECT ok(crm.phone_key('12-34') IS NULL AND crm.phone_key('') IS NULL, 'phone_key: fewer than 5 digits is NULL');

SELECT * FROM finish();
ROLLBACK;
