-- sql/crm/expressions.sql: the functions that stored state depends on:
-- column defaults (crm.uuid_v7) and index expressions (crm.fold,
-- crm.month_day). scripts/db.sh migrate applies this file first, before the
-- migrations, with CREATE OR REPLACE, and never drops them, so the indexes
-- stay; a change to what one returns needs a migration that rebuilds the
-- indexes using it. It also makes the schema crm, the first thing there is.
CREATE SCHEMA IF NOT EXISTS crm AUTHORIZATION crm_owner;
SET ROLE crm_owner;

-- Time-ordered UUID (version 7): 48-bit Unix milliseconds, then random bits
-- from a v4 UUID whose version nibble 0100 becomes 0111 (bits 52 and 53).
CREATE OR REPLACE FUNCTION crm.uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
	SELECT encode(
		set_bit(set_bit(
			overlay(uuid_send(gen_random_uuid())
				PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
				FROM 1 FOR 6),
			52, 1), 53, 1),
		'hex')::uuid
$$;

CREATE OR REPLACE FUNCTION crm.fold(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
	t text := lower(s);
BEGIN
	-- Arabic ي ى → ی, ك → ک, ۀ ة → ه, أ إ آ ٱ → ا; Persian and Arabic-Indic
	-- digits → ASCII; no-break and thin spaces → ' '.
	IF t ~ U&'[\064A\0649\0643\06C0\0629\0623\0625\0622\0671\06F0-\06F9\0660-\0669\00A0\202F\2009\2007]' THEN
		t := translate(t,
			U&'\064A\0649\0643\06C0\0629\0623\0625\0622\0671'
			|| U&'\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9'
			|| U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669'
			|| U&'\00A0\202F\2009\2007',
			U&'\06CC\06CC\06A9\0647\0647\0627\0627\0627\0627'
			|| '0123456789' || '0123456789' || '    ');
	END IF;
	-- Arabic diacritics, tatweel, zero-width and direction marks removed.
	t := regexp_replace(t, U&'[\064B-\065F\0670\0640\200C\200B\200D\FEFF\200E\200F]', '', 'g');
	-- White space collapsed (nothing to do when every run is one ' ').
	IF t ~ '\s\s|(?! )\s' THEN
		t := regexp_replace(t, '\s+', ' ', 'g');
	END IF;
	RETURN btrim(t);
END $$;

-- An inlinable SQL expression (a bare SELECT of an expression, which the
-- planner inlines); crm.birthday_within calls it six times a row.
CREATE OR REPLACE FUNCTION crm.month_day(d date) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT (extract(month FROM d) * 100 + extract(day FROM d))::int
$$;

RESET ROLE;
