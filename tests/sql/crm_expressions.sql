-- sql/crm/expressions.sql: crm.fold (as its first definition, Arabic and Persian forms) and crm.month_day (inlinable).
BEGIN;
SELECT plan(13);

-- crm.fold() gives exactly what its first (translate()) definition gave, for every
-- character it maps or removes, every kind of white space and thousands of
-- random mixtures: stored search texts and deals__search__ix depend on it.
-- The first definition, for comparison.
CREATE FUNCTION pg_temp.fold_0004(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT btrim(regexp_replace(
		translate(lower(s),
			U&'\064A\0649\0643\06C0\0629\0623\0625\0622\0671'
			|| U&'\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9'
			|| U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669'
			|| U&'\00A0\202F\2009\2007'
			|| U&'\064B\064C\064D\064E\064F\0650\0651\0652\0653\0654\0655\0656\0657\0658\0659\065A\065B\065C\065D\065E\065F'
			|| U&'\0670\0640\200C\200B\200D\FEFF\200E\200F',
			U&'\06CC\06CC\06A9\0647\0647\0627\0627\0627\0627'
			|| '0123456789' || '0123456789' || '    '),
		'\s+', ' ', 'g'))
$$;

-- Every special character, alone, between letters and beside spaces.
CREATE TEMP TABLE specials AS
SELECT chr(c) AS ch FROM unnest(ARRAY[
	x'064A'::int, x'0649'::int, x'0643'::int, x'06C0'::int, x'0629'::int, x'0623'::int, x'0625'::int, x'0622'::int, x'0671'::int,
	x'00A0'::int, x'202F'::int, x'2009'::int, x'2007'::int, x'0670'::int, x'0640'::int, x'200C'::int, x'200B'::int,
	x'200D'::int, x'FEFF'::int, x'200E'::int, x'200F'::int, x'2003'::int, x'3000'::int, x'0085'::int,
	9, 10, 11, 12, 13, 32]) c
UNION ALL SELECT chr(c) FROM generate_series(x'064B'::int, x'065F'::int) c
UNION ALL SELECT chr(c) FROM generate_series(x'06F0'::int, x'06F9'::int) c
UNION ALL SELECT chr(c) FROM generate_series(x'0660'::int, x'0669'::int) c;

SELECT is((SELECT count(*) FROM specials s, unnest(ARRAY[s.ch, 'a' || s.ch || 'b', ' ' || s.ch || ' ', s.ch || s.ch || 'x ' || s.ch,
                                                       'علی' || s.ch || 'رضا', 'Ab ' || s.ch || ' CD']) v
            WHERE crm.fold(v) IS DISTINCT FROM pg_temp.fold_0004(v)), 0::bigint,
          'every mapped, removed or white-space character folds as before, alone and in context');

-- Random mixtures of those with Persian, Arabic and Latin letters, digits and spaces.
SELECT setseed(0.16);
CREATE TEMP TABLE mixtures AS
SELECT i, string_agg(CASE WHEN random() < 0.3 THEN (SELECT ch FROM specials ORDER BY random() LIMIT 1)
                          ELSE substr('abcXYZ09 علیرضاکیانی یزدان  ', 1 + floor(random() * 27)::int, 1) END, '') AS v
  FROM generate_series(1, 3000) i, generate_series(1, 1 + (i % 25)) k
 GROUP BY i;
SELECT is((SELECT count(*) FROM mixtures WHERE crm.fold(v) IS DISTINCT FROM pg_temp.fold_0004(v)), 0::bigint,
          '3,000 random mixtures fold as before');
SELECT cmp_ok((SELECT count(DISTINCT v) FROM mixtures WHERE v ~ '\s\s|(?! )\s'), '>', 100::bigint,
          'and many of them hold runs of white space or other white space');

SELECT is(crm.fold(NULL), NULL, 'NULL stays NULL');
SELECT is(crm.fold(''), '', 'empty stays empty');
SELECT is(crm.fold(U&'  \0643\0631\064A\0645\0020\0020\0623\062D\0645\062F  '), 'کریم احمد', 'Arabic letters and spaces fold');
SELECT is(crm.fold(U&'\06F0\06F9\06F1\06F2\00A0\0661\0662'), '0912 12', 'Persian and Arabic-Indic digits fold');
SELECT is(crm.fold(U&'\0646\06CC\06A9\200C\0646\0627\0645\0640'), 'نیکنام', 'zero-width non-joiner and tatweel are removed');

SELECT is(crm.fold('علي'), 'علی', 'fold: Arabic ي becomes Persian ی');
SELECT is(crm.fold(E'  كِتاب\u200Cخانه  ۀ  أإآ ٠١۲ '), 'کتابخانه ه ااا 012', 'fold: ک, diacritics, ZWNJ, ۀ, alef forms, digits, spaces');

-- Bare expressions must stay LANGUAGE sql: the planner inlines those, and a
-- PL/pgSQL wrapper costs a function call per row (as crm.month_day once did,
-- used six times a row by the birthday filter).
SELECT is(l.lanname, 'sql', p.proname || ' is an inlinable SQL expression')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname = 'month_day';
-- crm.fold is the exception: its steps run only when the text needs
-- them, which one inlined expression cannot say, and the call costs less
-- than the unguarded translate() did.
SELECT is(l.lanname, 'plpgsql', 'fold is PL/pgSQL with guarded steps')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'crm' AND p.proname = 'fold';

SELECT is(crm.month_day(date '2024-02-29'), 229, 'month_day');

SELECT * FROM finish();
ROLLBACK;
