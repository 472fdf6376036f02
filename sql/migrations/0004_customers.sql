-- 0004_customers: the customer file. Text folding and phone keys, custom
-- fields, currencies, campaigns, companies, contacts, tags; their api.*
-- operations. Activities, timeline, merge and caller lookup are in 0005.
SET ROLE crm_owner;

------------------------------------------------------------------------------
-- Folding (Persian/Arabic letter variants, digits, invisible marks) and phones
------------------------------------------------------------------------------

-- Search key of free text: lower case; Arabic ي ى → ی, ك → ک, ۀ ة → ه,
-- أ إ آ ٱ → ا; Persian and Arabic-Indic digits → ASCII; Arabic diacritics,
-- tatweel and zero-width characters removed; white space collapsed.
CREATE FUNCTION crm.fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT btrim(regexp_replace(
		translate(lower(s),
			U&'\064A\0649\0643\06C0\0629\0623\0625\0622\0671'
			|| U&'\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9'
			|| U&'\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669'
			|| U&'\00A0\202F\2009\2007'
			-- removed (no counterpart in the second list):
			|| U&'\064B\064C\064D\064E\064F\0650\0651\0652\0653\0654\0655\0656\0657\0658\0659\065A\065B\065C\065D\065E\065F'
			|| U&'\0670\0640\200C\200B\200D\FEFF\200E\200F',
			U&'\06CC\06CC\06A9\0647\0647\0627\0627\0627\0627'
			|| '0123456789' || '0123456789' || '    '),
		'\s+', ' ', 'g'))
$$;

-- Only the digit folding (for phone numbers).
CREATE FUNCTION crm.fold_digits(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT translate(s,
		U&'\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\FF0B',
		'01234567890123456789+')
$$;

-- Lookup key of a phone number: E.164 digits without '+'. "+98 912…",
-- "0098 912…", "0912…", "۰۹۱۲…", "٠٩١٢…", "(0912) …" all give 98912…
-- NULL when fewer than 5 digits remain.
CREATE FUNCTION crm.phone_key(number text, default_cc text DEFAULT '98') RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN length(d) < 5 THEN NULL
		WHEN plus THEN d
		WHEN d LIKE '00%' THEN nullif(substr(d, 3), '')
		WHEN d LIKE '0%' THEN coalesce(default_cc, '98') || substr(d, 2)
		WHEN length(d) <= 10 THEN coalesce(default_cc, '98') || d
		ELSE d END
	  FROM (SELECT regexp_replace(f, '[^0-9]', '', 'g') AS d,
	               f ~ '^[^0-9]*\+' AS plus
	          FROM (SELECT crm.fold_digits(number) AS f) x) y
	 WHERE number IS NOT NULL
$$;

-- Digits only (the raw number as typed, for substring search).
CREATE FUNCTION crm.digits(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT regexp_replace(crm.fold_digits(s), '[^0-9]', '', 'g')
$$;

-- Month*100+day of a date (birthday windows).
CREATE FUNCTION crm.month_day(d date) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT (extract(month FROM d) * 100 + extract(day FROM d))::int
$$;

-- Does birthday b fall within the next n days from today (wrapping the year)?
CREATE FUNCTION crm.birthday_within(b date, today date, n int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN b IS NULL OR n IS NULL OR n < 0 THEN false
		WHEN n >= 365 THEN true
		WHEN crm.month_day(today) <= crm.month_day(today + n)
			THEN crm.month_day(b) BETWEEN crm.month_day(today) AND crm.month_day(today + n)
		ELSE crm.month_day(b) >= crm.month_day(today) OR crm.month_day(b) <= crm.month_day(today + n)
	END
$$;

-- RFC 7396 JSON merge patch.
CREATE FUNCTION crm.merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN patch IS NULL THEN target
		WHEN jsonb_typeof(patch) <> 'object' THEN patch
		ELSE (SELECT coalesce(jsonb_object_agg(k, v), '{}')
		        FROM (SELECT k, CASE WHEN patch ? k
		                             THEN crm.merge_patch(CASE WHEN jsonb_typeof(target) = 'object' THEN target->k END, patch->k)
		                             ELSE target->k END AS v
		                FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}' END) AS k
		                      UNION SELECT jsonb_object_keys(patch)) ks) x
		       WHERE v IS NOT NULL AND jsonb_typeof(v) <> 'null')
	END
$$;

ALTER TABLE crm.organizations ADD COLUMN default_country_code text NOT NULL DEFAULT '98'
	CONSTRAINT organizations__default_country_code__ck CHECK (default_country_code ~ '^[1-9][0-9]{0,2}$');

------------------------------------------------------------------------------
-- Visibility and ownership
------------------------------------------------------------------------------

-- Owners whose records the caller may see; NULL = the whole organization.
CREATE FUNCTION crm.visible_owners(p crm.principal) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN p.api_key_id IS NOT NULL OR p.role = 'admin' THEN NULL
		WHEN p.role = 'manager' THEN ARRAY(
			SELECT p.user_id
			UNION
			SELECT m2.user_id
			  FROM crm.team_members m1
			  JOIN crm.teams t ON t.org_id = m1.org_id AND t.id = m1.team_id AND t.deleted_at IS NULL
			  JOIN crm.team_members m2 ON m2.org_id = m1.org_id AND m2.team_id = m1.team_id
			 WHERE m1.org_id = p.org_id AND m1.user_id = p.user_id)
		ELSE ARRAY[p.user_id]
	END
$$;

-- Validates an owner for a record the caller writes; returns the owner.
-- NULL owner → the calling user (API keys must name one).
CREATE FUNCTION crm.check_owner(p crm.principal, owner uuid, field text DEFAULT 'owner_id') RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF owner IS NULL THEN
		IF p.user_id IS NULL THEN
			PERFORM crm.raise_validation(field, 'required', field || ' is required for API keys');
		END IF;
		RETURN p.user_id;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM crm.users u WHERE u.org_id = p.org_id AND u.id = owner
	                                          AND u.active AND u.deleted_at IS NULL) THEN
		PERFORM crm.raise_validation(field, 'not_found', 'no such active user in this organization');
	END IF;
	IF p.user_id IS NOT NULL AND p.role <> 'admin' AND NOT owner = ANY (crm.visible_owners(p)) THEN
		PERFORM crm.raise_validation(field, 'forbidden',
			CASE p.role WHEN 'rep' THEN 'a rep may only assign records to themself'
			            ELSE 'a manager may only assign records to members of their teams' END);
	END IF;
	RETURN owner;
END $$;

------------------------------------------------------------------------------
-- Small argument helpers (untrusted jsonb)
------------------------------------------------------------------------------

-- Optional string member: NULL when absent or null; 422 when not a string or too long.
CREATE FUNCTION crm.arg_text(args jsonb, field text, maxlen int DEFAULT 2000, label text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v text;
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'type', 'must be a string');
	END IF;
	v := btrim(args->>field);
	IF length(v) > maxlen THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'too_long', format('at most %s characters', maxlen));
	END IF;
	RETURN nullif(v, '');
END $$;

CREATE FUNCTION crm.arg_date(args jsonb, field text, label text DEFAULT NULL) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' OR args->>field !~ '^\d{4}-\d\d-\d\d$' THEN
		PERFORM crm.raise_validation(coalesce(label, field), 'format', 'must be a date YYYY-MM-DD');
	END IF;
	RETURN (args->>field)::date;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
	PERFORM crm.raise_validation(coalesce(label, field), 'format', 'must be a date YYYY-MM-DD');
END $$;

CREATE FUNCTION crm.is_date(s text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN s ~ '^\d{4}-\d\d-\d\d$' AND s::date IS NOT NULL;
EXCEPTION WHEN others THEN
	RETURN false;
END $$;

-- A member that must be one of a list.
CREATE FUNCTION crm.arg_enum(args jsonb, field text, allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF args->field IS NULL OR jsonb_typeof(args->field) = 'null' THEN RETURN NULL; END IF;
	IF jsonb_typeof(args->field) <> 'string' OR NOT (args->>field) = ANY (allowed) THEN
		PERFORM crm.raise_validation(field, 'invalid', 'must be one of ' || array_to_string(allowed, ', '));
	END IF;
	RETURN args->>field;
END $$;

-- Phones: [{label?, number}] (a plain string is taken as the number); adds
-- key, drops repeats of a key. 422 names phones.<i>.number.
CREATE FUNCTION crm.parse_phones(v jsonb, cc text, field text DEFAULT 'phones') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out jsonb := '[]';
	keys text[] := '{}';
	e jsonb;
	i int := 0;
	num text;
	lab text;
	k text;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '[]'; END IF;
	IF jsonb_typeof(v) <> 'array' THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of phone objects');
	END IF;
	IF jsonb_array_length(v) > 20 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 20 phone numbers');
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
		IF jsonb_typeof(e) = 'string' THEN e := jsonb_build_object('number', e); END IF;
		IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'number') IS DISTINCT FROM 'string' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].number', 'required', 'number is required');
		END IF;
		num := crm.arg_text(e, 'number', 50, field || '[' || i || '].number');
		lab := crm.arg_text(e, 'label', 50, field || '[' || i || '].label');
		k := crm.phone_key(num, cc);
		IF k IS NULL THEN
			PERFORM crm.raise_validation(field || '[' || i || '].number', 'format', 'not a phone number');
		END IF;
		IF NOT k = ANY (keys) THEN
			keys := keys || k;
			out := out || jsonb_build_array(jsonb_build_object('label', lab, 'number', num, 'key', k));
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

-- E-mails: [{label?, address}] (or plain strings), lower-cased, repeats dropped.
CREATE FUNCTION crm.parse_emails(v jsonb, field text DEFAULT 'emails') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out jsonb := '[]';
	seen text[] := '{}';
	e jsonb;
	i int := 0;
	addr text;
	lab text;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '[]'; END IF;
	IF jsonb_typeof(v) <> 'array' THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of e-mail objects');
	END IF;
	IF jsonb_array_length(v) > 20 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 20 e-mail addresses');
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(v) x LOOP
		IF jsonb_typeof(e) = 'string' THEN e := jsonb_build_object('address', e); END IF;
		IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'address') IS DISTINCT FROM 'string' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].address', 'required', 'address is required');
		END IF;
		addr := lower(crm.arg_text(e, 'address', 254, field || '[' || i || '].address'));
		lab := crm.arg_text(e, 'label', 50, field || '[' || i || '].label');
		IF addr IS NULL OR addr !~ '^[^@\s]+@[^@\s]+$' THEN
			PERFORM crm.raise_validation(field || '[' || i || '].address', 'format', 'not an e-mail address');
		END IF;
		IF NOT addr = ANY (seen) THEN
			seen := seen || addr;
			out := out || jsonb_build_array(jsonb_build_object('label', lab, 'address', addr));
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

-- Tags: strings, trimmed, stored as given; 1..50 characters once folded;
-- repeats (by folded form) dropped.
CREATE FUNCTION crm.parse_tags(v jsonb, field text DEFAULT 'tags') RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	out text[] := '{}';
	keys text[] := '{}';
	t text;
	i int := 0;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN '{}'; END IF;
	IF jsonb_typeof(v) <> 'array' OR EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) <> 'string') THEN
		PERFORM crm.raise_validation(field, 'type', 'must be an array of strings');
	END IF;
	IF jsonb_array_length(v) > 50 THEN
		PERFORM crm.raise_validation(field, 'too_many', 'at most 50 tags');
	END IF;
	FOR t IN SELECT regexp_replace(btrim(x), '\s+', ' ', 'g') FROM jsonb_array_elements_text(v) x LOOP
		IF length(crm.fold(t)) NOT BETWEEN 1 AND 50 THEN
			PERFORM crm.raise_validation(field || '[' || i || ']', 'length', 'a tag has 1 to 50 characters');
		END IF;
		IF NOT crm.fold(t) = ANY (keys) THEN
			keys := keys || crm.fold(t);
			out := out || t;
		END IF;
		i := i + 1;
	END LOOP;
	RETURN out;
END $$;

CREATE FUNCTION crm.fold_tags(tags text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(array_agg(DISTINCT crm.fold(t)), '{}') FROM unnest(tags) t
$$;

------------------------------------------------------------------------------
-- Reference: ISO 4217 currencies (not tenant data; read-only for crm_app)
------------------------------------------------------------------------------
CREATE TABLE crm.currencies (
	code text NOT NULL,
	CONSTRAINT currencies__code__uq PRIMARY KEY (code),
	CONSTRAINT currencies__code__ck CHECK (code ~ '^[A-Z]{3}$')
);
INSERT INTO crm.currencies (code)
SELECT unnest(string_to_array(
	'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP '
	'BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB '
	'EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY '
	'KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR '
	'MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB '
	'RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD '
	'TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR '
	'XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL', ' '));

------------------------------------------------------------------------------
-- Custom fields
------------------------------------------------------------------------------
CREATE TABLE crm.custom_fields (
	org_id     uuid        NOT NULL,
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	entity     text        NOT NULL,
	key        text        NOT NULL,
	label      text        NOT NULL,
	type       text        NOT NULL,
	choices    text[],
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int         NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT custom_fields__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT custom_fields__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT custom_fields__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT custom_fields__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT custom_fields__entity__ck CHECK (entity IN ('contact', 'company')),
	CONSTRAINT custom_fields__key__ck CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
	CONSTRAINT custom_fields__label__ck CHECK (length(label) BETWEEN 1 AND 200),
	CONSTRAINT custom_fields__type__ck CHECK (type IN ('text', 'number', 'date', 'boolean', 'choice')),
	CONSTRAINT custom_fields__choices__ck CHECK (
		CASE WHEN type = 'choice' THEN cardinality(choices) > 0 AND array_position(choices, NULL) IS NULL
		     ELSE choices IS NULL END)
);
CREATE UNIQUE INDEX custom_fields__key__uq ON crm.custom_fields (org_id, entity, key) WHERE deleted_at IS NULL;
CREATE TRIGGER custom_fields__audit AFTER INSERT OR UPDATE OR DELETE ON crm.custom_fields
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.custom_field_json(f crm.custom_fields) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', f.id, 'entity', f.entity, 'key', f.key, 'label', f.label, 'type', f.type,
		'choices', to_jsonb(f.choices), 'created_at', crm.ts(f.created_at), 'updated_at', crm.ts(f.updated_at),
		'version', f.version)
$$;

-- Applies a custom_fields merge patch (RFC 7396, member-wise) to cur,
-- validating every key against the live definitions of the entity.
CREATE FUNCTION crm.custom_values(org uuid, ent text, cur jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f crm.custom_fields;
	k text;
	v jsonb;
	ok boolean;
BEGIN
	cur := coalesce(cur, '{}');
	IF patch IS NULL THEN RETURN cur; END IF;
	IF jsonb_typeof(patch) = 'null' THEN RETURN '{}'; END IF;
	IF jsonb_typeof(patch) <> 'object' THEN
		PERFORM crm.raise_validation('custom_fields', 'type', 'must be an object');
	END IF;
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each(patch) e ORDER BY e.key LOOP
		SELECT * INTO f FROM crm.custom_fields x
		 WHERE x.org_id = org AND x.entity = ent AND x.key = k AND x.deleted_at IS NULL;
		IF NOT FOUND THEN
			PERFORM crm.raise_validation('custom_fields.' || k, 'unknown_field', 'no such custom field');
		END IF;
		IF jsonb_typeof(v) = 'null' THEN
			cur := cur - k;
			CONTINUE;
		END IF;
		ok := CASE f.type
			WHEN 'text' THEN jsonb_typeof(v) = 'string' AND length(v #>> '{}') <= 2000
			WHEN 'number' THEN jsonb_typeof(v) = 'number'
			WHEN 'boolean' THEN jsonb_typeof(v) = 'boolean'
			WHEN 'date' THEN jsonb_typeof(v) = 'string' AND crm.is_date(v #>> '{}')
			WHEN 'choice' THEN jsonb_typeof(v) = 'string'
			ELSE false END;
		IF NOT ok THEN
			PERFORM crm.raise_validation('custom_fields.' || k, 'type', 'must be a ' || f.type
				|| CASE f.type WHEN 'text' THEN ' of at most 2000 characters' WHEN 'date' THEN ' YYYY-MM-DD' ELSE '' END);
		END IF;
		IF f.type = 'choice' AND NOT (v #>> '{}') = ANY (f.choices) THEN
			PERFORM crm.raise_validation('custom_fields.' || k, 'invalid_choice',
				'must be one of ' || array_to_string(f.choices, ', '));
		END IF;
		cur := cur || jsonb_build_object(k, v);
	END LOOP;
	RETURN cur;
END $$;

-- Values of live fields only (a deleted field disappears from the JSON).
CREATE FUNCTION crm.custom_values_json(org uuid, ent text, vals jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN vals IS NULL OR vals = '{}' THEN '{}'::jsonb ELSE
		(SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(vals) e
		  WHERE EXISTS (SELECT 1 FROM crm.custom_fields f
		                 WHERE f.org_id = org AND f.entity = ent AND f.key = e.key AND f.deleted_at IS NULL))
	END
$$;

CREATE FUNCTION crm.find_custom_field(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.custom_fields
LANGUAGE plpgsql AS $$
DECLARE
	f crm.custom_fields;
BEGIN
	IF lock THEN
		SELECT * INTO f FROM crm.custom_fields x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO f FROM crm.custom_fields x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN f;
END $$;

CREATE FUNCTION crm.parse_choices(v jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	c text[];
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN RETURN NULL; END IF;
	c := crm.arg_text_array(jsonb_build_object('choices', v), 'choices');
	IF cardinality(c) = 0 OR cardinality(c) > 200
	   OR EXISTS (SELECT 1 FROM unnest(c) x WHERE length(btrim(x)) NOT BETWEEN 1 AND 200)
	   OR cardinality(c) <> (SELECT count(DISTINCT x) FROM unnest(c) x) THEN
		PERFORM crm.raise_validation('choices', 'invalid', '1 to 200 distinct non-empty strings');
	END IF;
	RETURN c;
END $$;

CREATE FUNCTION api.custom_fields_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	ent text := crm.arg_enum(args, 'entity', ARRAY['contact', 'company']);
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data',
		coalesce((SELECT jsonb_agg(crm.custom_field_json(f) ORDER BY f.entity, f.key)
		            FROM crm.custom_fields f
		           WHERE f.org_id = p.org_id AND f.deleted_at IS NULL AND (ent IS NULL OR f.entity = ent)), '[]'),
		'next_cursor', NULL));
END $$;

CREATE FUNCTION api.custom_fields_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	f crm.custom_fields := crm.find_custom_field(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.custom_field_json(f), f.version);
END $$;

CREATE FUNCTION api.custom_fields_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	ent text := crm.arg_enum(args, 'entity', ARRAY['contact', 'company']);
	typ text := crm.arg_enum(args, 'type', ARRAY['text', 'number', 'date', 'boolean', 'choice']);
	k text := crm.arg_text(args, 'key', 40);
	lab text := crm.arg_text(args, 'label', 200);
	ch text[] := crm.parse_choices(args->'choices');
	f crm.custom_fields;
BEGIN
	IF ent IS NULL THEN PERFORM crm.raise_validation('entity', 'required', 'entity is required'); END IF;
	IF typ IS NULL THEN PERFORM crm.raise_validation('type', 'required', 'type is required'); END IF;
	IF k IS NULL OR k !~ '^[a-z][a-z0-9_]{0,39}$' THEN
		PERFORM crm.raise_validation('key', 'format', 'key is a lower-case letter then up to 39 of a-z, 0-9, _');
	END IF;
	IF lab IS NULL THEN PERFORM crm.raise_validation('label', 'required', 'label is required'); END IF;
	IF typ = 'choice' AND ch IS NULL THEN
		PERFORM crm.raise_validation('choices', 'required', 'a choice field needs choices');
	ELSIF typ <> 'choice' AND ch IS NOT NULL THEN
		PERFORM crm.raise_validation('choices', 'not_applicable', 'only choice fields have choices');
	END IF;
	INSERT INTO crm.custom_fields (org_id, id, entity, key, label, type, choices, created_by, updated_by)
	VALUES (p.org_id, coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7()), ent, k, lab, typ, ch, p.user_id, p.user_id)
	RETURNING * INTO f;
	RETURN crm.reply(201, crm.custom_field_json(f), f.version, '/v1/custom-fields/' || f.id);
END $$;

CREATE FUNCTION api.custom_fields_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	f crm.custom_fields := crm.find_custom_field(p, args->>'id', true);
	lab text;
	ch text[];
BEGIN
	IF crm.if_match_fails(args, f.version) THEN
		RETURN crm.stale(ctx, crm.custom_field_json(f), f.version);
	END IF;
	IF jsonb_typeof(patch) <> 'object' THEN PERFORM crm.raise_validation('patch', 'type', 'must be an object'); END IF;
	IF patch ? 'type' AND patch->>'type' IS DISTINCT FROM f.type THEN
		PERFORM crm.raise_validation('type', 'immutable', 'the type of a custom field cannot change');
	END IF;
	IF patch ? 'key' AND patch->>'key' IS DISTINCT FROM f.key THEN
		PERFORM crm.raise_validation('key', 'immutable', 'the key of a custom field cannot change');
	END IF;
	IF patch ? 'entity' AND patch->>'entity' IS DISTINCT FROM f.entity THEN
		PERFORM crm.raise_validation('entity', 'immutable', 'the entity of a custom field cannot change');
	END IF;
	IF patch ? 'label' THEN
		lab := crm.arg_text(patch, 'label', 200);
		IF lab IS NULL THEN PERFORM crm.raise_validation('label', 'required', 'label is required'); END IF;
	END IF;
	IF patch ? 'choices' THEN
		ch := crm.parse_choices(patch->'choices');
		IF f.type <> 'choice' AND ch IS NOT NULL THEN
			PERFORM crm.raise_validation('choices', 'not_applicable', 'only choice fields have choices');
		ELSIF f.type = 'choice' AND ch IS NULL THEN
			PERFORM crm.raise_validation('choices', 'required', 'a choice field needs choices');
		END IF;
	END IF;
	UPDATE crm.custom_fields SET
	       label = coalesce(lab, label),
	       choices = CASE WHEN patch ? 'choices' THEN ch ELSE choices END,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = f.org_id AND id = f.id
	RETURNING * INTO f;
	RETURN crm.reply(200, crm.custom_field_json(f), f.version);
END $$;

CREATE FUNCTION api.custom_fields_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	f crm.custom_fields := crm.find_custom_field(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, f.version) THEN
		RETURN crm.stale(ctx, crm.custom_field_json(f), f.version);
	END IF;
	UPDATE crm.custom_fields SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = f.org_id AND id = f.id;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Campaigns
------------------------------------------------------------------------------
CREATE TABLE crm.campaigns (
	org_id     uuid          NOT NULL,
	id         uuid          NOT NULL DEFAULT crm.uuid_v7(),
	name       text          NOT NULL,
	channel    text          NOT NULL DEFAULT 'other',
	cost       numeric(18,2),
	currency   text,
	starts_on  date,
	ends_on    date,
	notes      text,
	created_at timestamptz   NOT NULL DEFAULT now(),
	updated_at timestamptz   NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int           NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT campaigns__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT campaigns__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT campaigns__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT campaigns__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT campaigns__currency__fk FOREIGN KEY (currency) REFERENCES crm.currencies (code),
	CONSTRAINT campaigns__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT campaigns__channel__ck CHECK (channel IN ('sms', 'email', 'phone', 'social', 'web', 'event', 'referral', 'other')),
	CONSTRAINT campaigns__cost__ck CHECK (cost >= 0),
	CONSTRAINT campaigns__currency__ck CHECK (cost IS NULL OR currency IS NOT NULL),
	CONSTRAINT campaigns__ends_on__ck CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns__name__ix ON crm.campaigns (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX campaigns__starts_on__ix ON crm.campaigns (org_id, starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX campaigns__created_at__ix ON crm.campaigns (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE TRIGGER campaigns__audit AFTER INSERT OR UPDATE OR DELETE ON crm.campaigns
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.campaign_json(c crm.campaigns) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'name', c.name, 'channel', c.channel, 'cost', c.cost::text,
		'currency', c.currency, 'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'), 'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),
		'notes', c.notes, 'created_at', crm.ts(c.created_at), 'updated_at', crm.ts(c.updated_at), 'version', c.version)
$$;

CREATE FUNCTION crm.find_campaign(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.campaigns
LANGUAGE plpgsql AS $$
DECLARE
	c crm.campaigns;
BEGIN
	IF lock THEN
		SELECT * INTO c FROM crm.campaigns x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO c FROM crm.campaigns x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN c;
END $$;

-- Applies create args / a patch to a campaign row, validating as it goes.
CREATE FUNCTION crm.campaign_apply(c crm.campaigns, patch jsonb) RETURNS crm.campaigns
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v numeric;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'name' THEN
		c.name := crm.arg_text(patch, 'name', 200);
		IF c.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'channel' THEN
		c.channel := coalesce(crm.arg_enum(patch, 'channel',
			ARRAY['sms', 'email', 'phone', 'social', 'web', 'event', 'referral', 'other']), 'other');
	END IF;
	IF patch ? 'cost' THEN
		IF jsonb_typeof(patch->'cost') = 'null' THEN
			c.cost := NULL;
		ELSE
			BEGIN
				IF jsonb_typeof(patch->'cost') NOT IN ('string', 'number') OR (patch->>'cost') !~ '^\s*\d{1,16}(\.\d{1,2})?\s*$' THEN
					RAISE invalid_text_representation;
				END IF;
				v := (patch->>'cost')::numeric(18,2);
			EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
				PERFORM crm.raise_validation('cost', 'format', 'a non-negative decimal with at most 2 decimals, e.g. "1500000.00"');
			END;
			c.cost := v;
		END IF;
	END IF;
	IF patch ? 'currency' THEN
		c.currency := upper(crm.arg_text(patch, 'currency', 3));
		IF c.currency IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.currencies WHERE code = c.currency) THEN
			PERFORM crm.raise_validation('currency', 'invalid', 'not an active ISO 4217 currency code');
		END IF;
	END IF;
	IF c.cost IS NOT NULL AND c.currency IS NULL THEN
		PERFORM crm.raise_validation('currency', 'required', 'a cost needs a currency');
	END IF;
	IF patch ? 'starts_on' THEN c.starts_on := crm.arg_date(patch, 'starts_on'); END IF;
	IF patch ? 'ends_on' THEN c.ends_on := crm.arg_date(patch, 'ends_on'); END IF;
	IF c.ends_on < c.starts_on THEN
		PERFORM crm.raise_validation('ends_on', 'before_start', 'ends_on must not be before starts_on');
	END IF;
	IF patch ? 'notes' THEN c.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	RETURN c;
END $$;

CREATE FUNCTION api.campaigns_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'starts_on', 'created_at']);
	keytype text := CASE col WHEN 'created_at' THEN 'timestamptz' WHEN 'starts_on' THEN 'date' ELSE 'text' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	expr text := CASE col WHEN 'starts_on' THEN 'coalesce(c.starts_on, ''-infinity''::date)' ELSE 'c.' || quote_ident(col) END;
	rows crm.campaigns[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF keytype = 'date' AND cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'k')::date; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT c FROM crm.campaigns c
			 WHERE c.org_id = $1 AND c.deleted_at IS NULL
			   AND ($2::text IS NULL OR c.name ILIKE $2)
			   AND ($3::text IS NULL OR c.channel = $3)
			   AND ($4::date IS NULL OR (coalesce(c.starts_on, '-infinity') <= $4 AND coalesce(c.ends_on, 'infinity') >= $4))
			   AND ($5::jsonb IS NULL OR (%1$s, c.id) %3$s (($5->>'k')::%4$s, ($5->>'id')::uuid))
			 ORDER BY %1$s %2$s, c.id %2$s
			 LIMIT $6)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, crm.like_pattern(args->>'q'), args->>'channel', crm.arg_date(args, 'active_on'), cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k',
			CASE col WHEN 'starts_on' THEN coalesce(rows[lim].starts_on, '-infinity'::date)::text ELSE to_jsonb(rows[lim])->>col END,
			'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.campaign_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.campaigns_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	c crm.campaigns := crm.find_campaign(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.campaign_json(c), crm.arg_text_array(args, 'fields')), c.version);
END $$;

CREATE FUNCTION api.campaigns_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns;
BEGIN
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.channel := 'other';
	IF NOT args ? 'name' THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	c := crm.campaign_apply(c, args - 'id');
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.campaigns SELECT (c).*;
	RETURN crm.reply(201, crm.campaign_json(c), c.version, '/v1/campaigns/' || c.id);
END $$;

CREATE FUNCTION api.campaigns_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns := crm.find_campaign(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.campaign_json(c), c.version);
	END IF;
	c := crm.campaign_apply(c, coalesce(args->'patch', '{}'));
	UPDATE crm.campaigns SET name = c.name, channel = c.channel, cost = c.cost, currency = c.currency,
	       starts_on = c.starts_on, ends_on = c.ends_on, notes = c.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.campaign_json(c), c.version);
END $$;

CREATE FUNCTION api.campaigns_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write', ARRAY['admin', 'manager']);
	c crm.campaigns := crm.find_campaign(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.campaign_json(c), c.version);
	END IF;
	UPDATE crm.campaigns SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id;
	RETURN crm.reply(204);
END $$;

------------------------------------------------------------------------------
-- Companies
------------------------------------------------------------------------------
CREATE TABLE crm.companies (
	org_id        uuid        NOT NULL,
	id            uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name          text        NOT NULL,
	domain        text,
	phones        jsonb       NOT NULL DEFAULT '[]',
	email         text,
	city          text,
	address       text,
	industry      text,
	owner_id      uuid        NOT NULL,
	tags          text[]      NOT NULL DEFAULT '{}',
	tag_keys      text[]      NOT NULL DEFAULT '{}',
	custom_fields jsonb       NOT NULL DEFAULT '{}',
	notes         text,
	search_text   text        NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	created_by    uuid,
	updated_by    uuid,
	version       int         NOT NULL DEFAULT 1,
	deleted_at    timestamptz,
	CONSTRAINT companies__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT companies__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT companies__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT companies__domain__ck CHECK (domain = lower(domain) AND length(domain) <= 253),
	CONSTRAINT companies__phones__ck CHECK (jsonb_typeof(phones) = 'array'),
	CONSTRAINT companies__custom_fields__ck CHECK (jsonb_typeof(custom_fields) = 'object')
);
CREATE UNIQUE INDEX companies__domain__uq ON crm.companies (org_id, domain) WHERE deleted_at IS NULL AND domain IS NOT NULL;
CREATE INDEX companies__org__ix ON crm.companies (org_id) WHERE deleted_at IS NULL;
CREATE INDEX companies__name__ix ON crm.companies (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__created_at__ix ON crm.companies (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__updated_at__ix ON crm.companies (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__owner__ix ON crm.companies (org_id, owner_id) WHERE deleted_at IS NULL;
-- fastupdate off: no pending list, so searches cost the same right after bulk writes.
CREATE INDEX companies__search__ix ON crm.companies USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX companies__tags__ix ON crm.companies USING gin (tag_keys);

-- Derived columns of a company: phone keys, folded tags, search text.
CREATE FUNCTION crm.companies_derive() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cc text;
BEGIN
	IF TG_OP = 'INSERT' OR NEW.phones IS DISTINCT FROM OLD.phones THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = NEW.org_id;
		NEW.phones := coalesce((SELECT jsonb_agg(e || jsonb_build_object('key', crm.phone_key(e->>'number', cc)))
		                          FROM jsonb_array_elements(NEW.phones) e), '[]');
	END IF;
	NEW.tag_keys := crm.fold_tags(NEW.tags);
	NEW.search_text := coalesce(crm.fold(concat_ws(' ', NEW.name, NEW.domain, NEW.email,
		(SELECT string_agg(concat_ws(' ', e->>'key', crm.digits(e->>'number')), ' ') FROM jsonb_array_elements(NEW.phones) e))), '');
	RETURN NEW;
END $$;
CREATE TRIGGER companies__derive BEFORE INSERT OR UPDATE ON crm.companies
	FOR EACH ROW EXECUTE FUNCTION crm.companies_derive();
CREATE TRIGGER companies__audit AFTER INSERT OR UPDATE OR DELETE ON crm.companies
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.user_ref(org uuid, uid uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', u.id, 'name', u.name) FROM crm.users u WHERE u.org_id = org AND u.id = uid
$$;

CREATE FUNCTION crm.company_json(c crm.companies) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'name', c.name, 'domain', c.domain,
		'phones', coalesce((SELECT jsonb_agg(jsonb_build_object('label', e->'label', 'number', e->'number'))
		                      FROM jsonb_array_elements(c.phones) e), '[]'),
		'email', c.email, 'city', c.city, 'address', c.address, 'industry', c.industry,
		'owner_id', c.owner_id, 'owner', crm.user_ref(c.org_id, c.owner_id), 'tags', to_jsonb(c.tags),
		'custom_fields', crm.custom_values_json(c.org_id, 'company', c.custom_fields), 'notes', c.notes,
		'created_at', crm.ts(c.created_at), 'updated_at', crm.ts(c.updated_at),
		'created_by', c.created_by, 'updated_by', c.updated_by, 'version', c.version)
$$;

-- The live company with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_company(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.companies
LANGUAGE plpgsql AS $$
DECLARE
	c crm.companies;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF lock THEN
		SELECT * INTO c FROM crm.companies x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis)) FOR UPDATE;
	ELSE
		SELECT * INTO c FROM crm.companies x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis));
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN c;
END $$;

CREATE FUNCTION crm.company_apply(p crm.principal, c crm.companies, patch jsonb) RETURNS crm.companies
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cc text;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'name' THEN
		c.name := crm.arg_text(patch, 'name', 200);
		IF c.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'domain' THEN
		c.domain := lower(rtrim(crm.arg_text(patch, 'domain', 253), '.'));
		IF c.domain !~ '^[a-z0-9\u0600-\u06ff]([a-z0-9\u0600-\u06ff-]*[a-z0-9\u0600-\u06ff])?(\.[a-z0-9\u0600-\u06ff]([a-z0-9\u0600-\u06ff-]*[a-z0-9\u0600-\u06ff])?)+$' THEN
			PERFORM crm.raise_validation('domain', 'format', 'not a domain name (e.g. example.com)');
		END IF;
	END IF;
	IF patch ? 'phones' THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = p.org_id;
		c.phones := crm.parse_phones(patch->'phones', cc);
	END IF;
	IF patch ? 'email' THEN
		c.email := lower(crm.arg_text(patch, 'email', 254));
		IF c.email !~ '^[^@\s]+@[^@\s]+$' THEN PERFORM crm.raise_validation('email', 'format', 'not an e-mail address'); END IF;
	END IF;
	IF patch ? 'city' THEN c.city := crm.arg_text(patch, 'city', 100); END IF;
	IF patch ? 'address' THEN c.address := crm.arg_text(patch, 'address', 1000); END IF;
	IF patch ? 'industry' THEN c.industry := crm.arg_text(patch, 'industry', 100); END IF;
	IF patch ? 'notes' THEN c.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	IF patch ? 'tags' THEN c.tags := crm.parse_tags(patch->'tags'); END IF;
	IF patch ? 'custom_fields' THEN c.custom_fields := crm.custom_values(p.org_id, 'company', c.custom_fields, patch->'custom_fields'); END IF;
	IF patch ? 'owner_id' OR c.owner_id IS NULL THEN
		IF patch ? 'owner_id' AND jsonb_typeof(patch->'owner_id') = 'null' AND c.owner_id IS NOT NULL THEN
			PERFORM crm.raise_validation('owner_id', 'required', 'owner_id cannot be null');
		END IF;
		c.owner_id := crm.check_owner(p, crm.arg_uuid(patch, 'owner_id'));
	END IF;
	RETURN c;
END $$;

-- Audit events of one record, newest first (companies_history, contacts_history).
CREATE FUNCTION crm.history_reply(org uuid, tbl text, rec uuid, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', '-id');
	after_id bigint;
	rows crm.audit_log[];
	internal text[] := ARRAY['search_text', 'tag_keys'];
BEGIN
	IF cur IS NOT NULL THEN
		BEGIN
			after_id := (cur->>'k')::bigint;
		EXCEPTION WHEN others THEN
			PERFORM crm.bad_cursor();
		END;
	END IF;
	rows := ARRAY(
		SELECT a FROM crm.audit_log a
		 WHERE a.org_id = org AND a.record_id = rec AND a.table_name = tbl
		   AND (after_id IS NULL OR a.id < after_id)
		   -- derived columns only (e.g. a company rename refreshing search text) are not events
		   AND NOT (a.action = 'update' AND coalesce(a.new_values, '{}') - internal = '{}')
		 ORDER BY a.id DESC
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.audit_json(rows[i])
		                                   || jsonb_build_object('old', rows[i].old_values - internal, 'new', rows[i].new_values - internal)
		                                   ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim
		                    THEN crm.cursor_encode(jsonb_build_object('s', '-id', 'k', rows[lim].id)) END));
END $$;

CREATE FUNCTION api.companies_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	vis uuid[] := crm.visible_owners(p);
	sort text := coalesce(args->>'sort', 'name');
	col text := crm.sort_column(sort, ARRAY['name', 'created_at', 'updated_at']);
	keytype text := CASE col WHEN 'name' THEN 'text' ELSE 'timestamptz' END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := crm.fold(crm.arg_text(args, 'q', 200));
	rows crm.companies[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT c FROM crm.companies c
			 WHERE c.org_id = $1 AND c.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR c.owner_id = ANY ($2))
			   AND ($3::text IS NULL OR c.search_text LIKE $3)
			   AND ($4::uuid IS NULL OR c.owner_id = $4)
			   AND ($5::text IS NULL OR lower(c.city) = lower($5))
			   AND ($6::text IS NULL OR lower(c.industry) = lower($6))
			   AND ($7::text IS NULL OR c.tag_keys @> ARRAY[$7])
			   AND ($8::timestamptz IS NULL OR c.created_at >= $8)
			   AND ($9::timestamptz IS NULL OR c.created_at < $9)
			   AND ($10::timestamptz IS NULL OR c.updated_at >= $10)
			   AND ($11::jsonb IS NULL OR (c.%1$I, c.id) %3$s (($11->>'k')::%4$s, ($11->>'id')::uuid))
			 ORDER BY c.%1$I %2$s, c.id %2$s
			 LIMIT $12)$q$,
		col, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, CASE WHEN q <> '' THEN crm.like_pattern(q) END, crm.arg_uuid(args, 'owner_id'),
	      crm.arg_text(args, 'city'), crm.arg_text(args, 'industry'), crm.fold(crm.arg_text(args, 'tag')),
	      crm.arg_ts(args, 'created_since'), crm.arg_ts(args, 'created_until'), crm.arg_ts(args, 'updated_since'),
	      cur, lim + 1;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', to_jsonb(rows[lim])->>col, 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.company_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.companies_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	c crm.companies := crm.find_company(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.company_json(c), crm.arg_text_array(args, 'fields')), c.version);
END $$;

CREATE FUNCTION api.companies_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' OR NOT args ? 'name' THEN
		PERFORM crm.raise_validation('name', 'required', 'name is required');
	END IF;
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.phones := '[]'; c.tags := '{}'; c.tag_keys := '{}'; c.custom_fields := '{}'; c.search_text := '';
	c := crm.company_apply(p, c, args - 'id');
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.companies SELECT (c).* RETURNING * INTO c;
	RETURN crm.reply(201, crm.company_json(c), c.version, '/v1/companies/' || c.id);
END $$;

CREATE FUNCTION api.companies_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies := crm.find_company(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.company_json(c), c.version);
	END IF;
	c := crm.company_apply(p, c, coalesce(args->'patch', '{}'));
	UPDATE crm.companies SET name = c.name, domain = c.domain, phones = c.phones, email = c.email, city = c.city,
	       address = c.address, industry = c.industry, owner_id = c.owner_id, tags = c.tags,
	       custom_fields = c.custom_fields, notes = c.notes,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.company_json(c), c.version);
END $$;

CREATE FUNCTION api.companies_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:write');
	c crm.companies := crm.find_company(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.company_json(c), c.version);
	END IF;
	UPDATE crm.companies SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id;
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.companies_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'companies:read');
	c crm.companies := crm.find_company(p, args->>'id');
BEGIN
	RETURN crm.history_reply(p.org_id, 'companies', c.id, args);
END $$;

------------------------------------------------------------------------------
-- Contacts
------------------------------------------------------------------------------
CREATE TABLE crm.contacts (
	org_id             uuid        NOT NULL,
	id                 uuid        NOT NULL DEFAULT crm.uuid_v7(),
	first_name         text,
	last_name          text,
	-- display_name as the client gave it; display_name is derived from it
	-- or from the names (or first phone/e-mail) by crm.contacts_derive().
	display_name_given text,
	display_name       text        NOT NULL DEFAULT '',
	phones             jsonb       NOT NULL DEFAULT '[]',
	emails             jsonb       NOT NULL DEFAULT '[]',
	birthday           date,
	city               text,
	address            text,
	job_title          text,
	company_id         uuid,
	lifecycle_stage    text        NOT NULL DEFAULT 'lead',
	lead_source        text,
	campaign_id        uuid,
	lead_score         int         NOT NULL DEFAULT 0,
	tags               text[]      NOT NULL DEFAULT '{}',
	tag_keys           text[]      NOT NULL DEFAULT '{}',
	custom_fields      jsonb       NOT NULL DEFAULT '{}',
	consent            jsonb       NOT NULL DEFAULT '{}',
	preferences        jsonb       NOT NULL DEFAULT '{}',
	notes              text,
	owner_id           uuid        NOT NULL,
	merged_into        uuid,
	search_text        text        NOT NULL DEFAULT '',
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	created_by         uuid,
	updated_by         uuid,
	version            int         NOT NULL DEFAULT 1,
	deleted_at         timestamptz,
	CONSTRAINT contacts__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT contacts__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT contacts__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT contacts__campaign_id__fk FOREIGN KEY (org_id, campaign_id) REFERENCES crm.campaigns (org_id, id),
	CONSTRAINT contacts__merged_into__fk FOREIGN KEY (org_id, merged_into) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT contacts__lifecycle_stage__ck CHECK (lifecycle_stage IN ('lead', 'prospect', 'customer', 'inactive')),
	CONSTRAINT contacts__lead_score__ck CHECK (lead_score BETWEEN 0 AND 100),
	CONSTRAINT contacts__lead_source__ck CHECK (length(lead_source) <= 100),
	CONSTRAINT contacts__phones__ck CHECK (jsonb_typeof(phones) = 'array'),
	CONSTRAINT contacts__emails__ck CHECK (jsonb_typeof(emails) = 'array'),
	CONSTRAINT contacts__custom_fields__ck CHECK (jsonb_typeof(custom_fields) = 'object'),
	CONSTRAINT contacts__consent__ck CHECK (jsonb_typeof(consent) = 'object'),
	CONSTRAINT contacts__preferences__ck CHECK (jsonb_typeof(preferences) = 'object' AND octet_length(preferences::text) <= 4096)
);
CREATE INDEX contacts__org__ix ON crm.contacts (org_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__created_at__ix ON crm.contacts (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__updated_at__ix ON crm.contacts (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__display_name__ix ON crm.contacts (org_id, display_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__last_name__ix ON crm.contacts (org_id, (coalesce(last_name, '')), id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__lead_score__ix ON crm.contacts (org_id, lead_score, id) WHERE deleted_at IS NULL;
-- id too: a rep's newest-first page reads this index in order (keyset on id).
CREATE INDEX contacts__owner__ix ON crm.contacts (org_id, owner_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__company__ix ON crm.contacts (org_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts__campaign__ix ON crm.contacts (org_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX contacts__birthday__ix ON crm.contacts (org_id, (crm.month_day(birthday))) WHERE deleted_at IS NULL AND birthday IS NOT NULL;
CREATE INDEX contacts__search__ix ON crm.contacts USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX contacts__tags__ix ON crm.contacts USING gin (tag_keys);

-- Lookup side tables (derived, maintained by trigger; not audited): every
-- phone key and e-mail address of every contact, for index lookups.
CREATE TABLE crm.contact_phones (
	org_id     uuid NOT NULL,
	contact_id uuid NOT NULL,
	key        text NOT NULL,
	CONSTRAINT contact_phones__key__uq PRIMARY KEY (org_id, key, contact_id),
	CONSTRAINT contact_phones__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id)
);
CREATE INDEX contact_phones__contact__ix ON crm.contact_phones (org_id, contact_id);
CREATE TABLE crm.contact_emails (
	org_id     uuid NOT NULL,
	contact_id uuid NOT NULL,
	address    text NOT NULL,
	CONSTRAINT contact_emails__address__uq PRIMARY KEY (org_id, address, contact_id),
	CONSTRAINT contact_emails__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id)
);
CREATE INDEX contact_emails__contact__ix ON crm.contact_emails (org_id, contact_id);

CREATE FUNCTION crm.contacts_derive() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cc text;
	company_name text;
BEGIN
	IF TG_OP = 'INSERT' OR NEW.phones IS DISTINCT FROM OLD.phones THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = NEW.org_id;
		NEW.phones := coalesce((SELECT jsonb_agg(e || jsonb_build_object('key', crm.phone_key(e->>'number', cc)))
		                          FROM jsonb_array_elements(NEW.phones) e), '[]');
	END IF;
	IF TG_OP = 'INSERT' OR NEW.emails IS DISTINCT FROM OLD.emails THEN
		NEW.emails := coalesce((SELECT jsonb_agg(e || jsonb_build_object('address', lower(e->>'address')))
		                          FROM jsonb_array_elements(NEW.emails) e), '[]');
	END IF;
	NEW.display_name := coalesce(nullif(btrim(NEW.display_name_given), ''),
		nullif(btrim(concat_ws(' ', NEW.first_name, NEW.last_name)), ''),
		NEW.phones->0->>'number', NEW.emails->0->>'address', '');
	NEW.tag_keys := crm.fold_tags(NEW.tags);
	IF NEW.company_id IS NOT NULL THEN
		SELECT c.name INTO company_name FROM crm.companies c
		 WHERE c.org_id = NEW.org_id AND c.id = NEW.company_id AND c.deleted_at IS NULL;
	END IF;
	NEW.search_text := coalesce(crm.fold(concat_ws(' ', NEW.first_name, NEW.last_name, NEW.display_name, company_name,
		(SELECT string_agg(e->>'address', ' ') FROM jsonb_array_elements(NEW.emails) e),
		(SELECT string_agg(concat_ws(' ', e->>'key', crm.digits(e->>'number')), ' ') FROM jsonb_array_elements(NEW.phones) e))), '');
	RETURN NEW;
END $$;
CREATE TRIGGER contacts__derive BEFORE INSERT OR UPDATE ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_derive();
CREATE TRIGGER contacts__audit AFTER INSERT OR UPDATE OR DELETE ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.audit_row();

CREATE FUNCTION crm.contacts_sync_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.phones IS DISTINCT FROM OLD.phones THEN
		DELETE FROM crm.contact_phones WHERE org_id = NEW.org_id AND contact_id = NEW.id;
		INSERT INTO crm.contact_phones (org_id, contact_id, key)
		SELECT DISTINCT NEW.org_id, NEW.id, e->>'key' FROM jsonb_array_elements(NEW.phones) e WHERE e->>'key' IS NOT NULL;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.emails IS DISTINCT FROM OLD.emails THEN
		DELETE FROM crm.contact_emails WHERE org_id = NEW.org_id AND contact_id = NEW.id;
		INSERT INTO crm.contact_emails (org_id, contact_id, address)
		SELECT DISTINCT NEW.org_id, NEW.id, lower(e->>'address') FROM jsonb_array_elements(NEW.emails) e WHERE e->>'address' IS NOT NULL;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER contacts__sync_keys AFTER INSERT OR UPDATE OF phones, emails ON crm.contacts
	FOR EACH ROW EXECUTE FUNCTION crm.contacts_sync_keys();

-- A company rename (or deletion) refreshes its contacts' search text.
CREATE FUNCTION crm.companies_refresh_contacts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.name IS DISTINCT FROM OLD.name OR NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN
		UPDATE crm.contacts SET search_text = search_text
		 WHERE org_id = NEW.org_id AND company_id = NEW.id AND deleted_at IS NULL;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER companies__refresh_contacts AFTER UPDATE ON crm.companies
	FOR EACH ROW EXECUTE FUNCTION crm.companies_refresh_contacts();

CREATE FUNCTION crm.contact_json(c crm.contacts) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'first_name', c.first_name, 'last_name', c.last_name,
		'display_name', c.display_name, 'phones', c.phones, 'emails', c.emails,
		'birthday', to_char(c.birthday, 'YYYY-MM-DD'), 'city', c.city, 'address', c.address, 'job_title', c.job_title,
		'company_id', co.id, 'company', CASE WHEN co.id IS NOT NULL THEN jsonb_build_object('id', co.id, 'name', co.name) END,
		'lifecycle_stage', c.lifecycle_stage, 'lead_source', c.lead_source, 'campaign_id', ca.id,
		'lead_score', c.lead_score, 'tags', to_jsonb(c.tags),
		'custom_fields', crm.custom_values_json(c.org_id, 'contact', c.custom_fields),
		'consent', jsonb_build_object('sms', c.consent->'sms', 'email', c.consent->'email', 'phone', c.consent->'phone'),
		'preferences', c.preferences, 'notes', c.notes,
		'owner_id', c.owner_id, 'owner', crm.user_ref(c.org_id, c.owner_id), 'merged_into', c.merged_into,
		'created_at', crm.ts(c.created_at), 'updated_at', crm.ts(c.updated_at),
		'created_by', c.created_by, 'updated_by', c.updated_by, 'version', c.version)
	  FROM (SELECT 1) one
	  LEFT JOIN crm.companies co ON co.org_id = c.org_id AND co.id = c.company_id AND co.deleted_at IS NULL
	  LEFT JOIN crm.campaigns ca ON ca.org_id = c.org_id AND ca.id = c.campaign_id AND ca.deleted_at IS NULL
$$;

-- The live contact with this id that the caller may see, or CR404.
CREATE FUNCTION crm.find_contact(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.contacts
LANGUAGE plpgsql AS $$
DECLARE
	c crm.contacts;
	vis uuid[] := crm.visible_owners(p);
BEGIN
	IF lock THEN
		SELECT * INTO c FROM crm.contacts x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis)) FOR UPDATE;
	ELSE
		SELECT * INTO c FROM crm.contacts x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL
		   AND (vis IS NULL OR x.owner_id = ANY (vis));
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN c;
END $$;

-- Consent merge: {"sms": {"granted": bool, "source"?: text, "at"?: ts} | null, …}.
-- "at" is now() whenever granted changes, unless the client gives a past time.
CREATE FUNCTION crm.consent_apply(cur jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ch text;
	v jsonb;
	prev jsonb;
	granted boolean;
	src text;
	at_ts timestamptz;
BEGIN
	cur := coalesce(cur, '{}');
	IF patch IS NULL THEN RETURN cur; END IF;
	IF jsonb_typeof(patch) = 'null' THEN RETURN '{}'; END IF;
	IF jsonb_typeof(patch) <> 'object' THEN
		PERFORM crm.raise_validation('consent', 'type', 'must be an object');
	END IF;
	FOR ch, v IN SELECT e.key, e.value FROM jsonb_each(patch) e ORDER BY e.key LOOP
		IF NOT ch = ANY (ARRAY['sms', 'email', 'phone']) THEN
			PERFORM crm.raise_validation('consent.' || ch, 'unknown_field', 'consent channels are sms, email and phone');
		END IF;
		IF jsonb_typeof(v) = 'null' THEN
			cur := cur - ch;
			CONTINUE;
		END IF;
		IF jsonb_typeof(v) <> 'object' THEN
			PERFORM crm.raise_validation('consent.' || ch, 'type', 'must be an object {granted, source?, at?}');
		END IF;
		IF jsonb_typeof(v->'granted') IS DISTINCT FROM 'boolean' THEN
			PERFORM crm.raise_validation('consent.' || ch || '.granted', 'required', 'granted must be true or false');
		END IF;
		prev := cur->ch;
		granted := (v->'granted')::boolean;
		src := CASE WHEN v ? 'source' THEN crm.arg_text(v, 'source', 200, 'consent.' || ch || '.source')
		            WHEN (prev->'granted')::boolean IS NOT DISTINCT FROM granted THEN prev->>'source' END;
		IF v ? 'at' AND jsonb_typeof(v->'at') <> 'null' THEN
			at_ts := crm.arg_ts(v, 'at');
			IF at_ts > now() + interval '5 minutes' THEN
				PERFORM crm.raise_validation('consent.' || ch || '.at', 'future', 'at must not be in the future');
			END IF;
		ELSIF prev IS NOT NULL AND (prev->'granted')::boolean IS NOT DISTINCT FROM granted THEN
			at_ts := (prev->>'at')::timestamptz;
		ELSE
			at_ts := now();
		END IF;
		cur := cur || jsonb_build_object(ch, jsonb_build_object('granted', granted, 'at', crm.ts(at_ts), 'source', src));
	END LOOP;
	RETURN cur;
END $$;

-- Applies create args / a patch to a contact row, validating every member.
CREATE FUNCTION crm.contact_apply(p crm.principal, c crm.contacts, patch jsonb) RETURNS crm.contacts
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cc text;
	n int;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'first_name' THEN c.first_name := crm.arg_text(patch, 'first_name', 100); END IF;
	IF patch ? 'last_name' THEN c.last_name := crm.arg_text(patch, 'last_name', 100); END IF;
	IF patch ? 'display_name' THEN c.display_name_given := crm.arg_text(patch, 'display_name', 200); END IF;
	IF patch ? 'phones' THEN
		SELECT default_country_code INTO cc FROM crm.organizations WHERE id = p.org_id;
		c.phones := crm.parse_phones(patch->'phones', cc);
	END IF;
	IF patch ? 'emails' THEN c.emails := crm.parse_emails(patch->'emails'); END IF;
	IF patch ? 'birthday' THEN
		c.birthday := crm.arg_date(patch, 'birthday');
		IF c.birthday > current_date OR c.birthday < date '1900-01-01' THEN
			PERFORM crm.raise_validation('birthday', 'range', 'birthday must be between 1900-01-01 and today');
		END IF;
	END IF;
	IF patch ? 'city' THEN c.city := crm.arg_text(patch, 'city', 100); END IF;
	IF patch ? 'address' THEN c.address := crm.arg_text(patch, 'address', 1000); END IF;
	IF patch ? 'job_title' THEN c.job_title := crm.arg_text(patch, 'job_title', 200); END IF;
	IF patch ? 'notes' THEN c.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	IF patch ? 'lead_source' THEN c.lead_source := crm.arg_text(patch, 'lead_source', 100); END IF;
	IF patch ? 'company_id' THEN
		c.company_id := crm.arg_uuid(patch, 'company_id');
		-- Only a company the caller may see: linking would show its name.
		IF c.company_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.companies x
		      WHERE x.org_id = p.org_id AND x.id = c.company_id AND x.deleted_at IS NULL
		        AND (crm.visible_owners(p) IS NULL OR x.owner_id = ANY (crm.visible_owners(p)))) THEN
			PERFORM crm.raise_validation('company_id', 'not_found', 'no such company');
		END IF;
	END IF;
	IF patch ? 'campaign_id' THEN
		c.campaign_id := crm.arg_uuid(patch, 'campaign_id');
		IF c.campaign_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.campaigns x
		      WHERE x.org_id = p.org_id AND x.id = c.campaign_id AND x.deleted_at IS NULL) THEN
			PERFORM crm.raise_validation('campaign_id', 'not_found', 'no such campaign');
		END IF;
	END IF;
	IF patch ? 'lifecycle_stage' THEN
		c.lifecycle_stage := crm.arg_enum(patch, 'lifecycle_stage', ARRAY['lead', 'prospect', 'customer', 'inactive']);
		IF c.lifecycle_stage IS NULL THEN
			PERFORM crm.raise_validation('lifecycle_stage', 'required', 'lifecycle_stage cannot be null');
		END IF;
	END IF;
	IF patch ? 'lead_score' THEN
		n := crm.arg_int(patch, 'lead_score');
		IF n IS NULL OR n NOT BETWEEN 0 AND 100 THEN
			PERFORM crm.raise_validation('lead_score', 'range', 'lead_score is an integer 0 to 100');
		END IF;
		c.lead_score := n;
	END IF;
	IF patch ? 'tags' THEN c.tags := crm.parse_tags(patch->'tags'); END IF;
	IF patch ? 'custom_fields' THEN
		c.custom_fields := crm.custom_values(p.org_id, 'contact', c.custom_fields, patch->'custom_fields');
	END IF;
	IF patch ? 'consent' THEN c.consent := crm.consent_apply(c.consent, patch->'consent'); END IF;
	IF patch ? 'preferences' THEN
		IF jsonb_typeof(patch->'preferences') NOT IN ('object', 'null') THEN
			PERFORM crm.raise_validation('preferences', 'type', 'must be an object');
		END IF;
		c.preferences := CASE WHEN jsonb_typeof(patch->'preferences') = 'null' THEN '{}'
		                      ELSE crm.merge_patch(c.preferences, patch->'preferences') END;
		IF octet_length(c.preferences::text) > 4096 THEN
			PERFORM crm.raise_validation('preferences', 'too_large', 'preferences are at most 4 KB of JSON');
		END IF;
	END IF;
	IF patch ? 'owner_id' OR c.owner_id IS NULL THEN
		IF patch ? 'owner_id' AND jsonb_typeof(patch->'owner_id') = 'null' AND c.owner_id IS NOT NULL THEN
			PERFORM crm.raise_validation('owner_id', 'required', 'owner_id cannot be null');
		END IF;
		c.owner_id := crm.check_owner(p, crm.arg_uuid(patch, 'owner_id'));
	END IF;
	IF c.first_name IS NULL AND c.last_name IS NULL AND c.display_name_given IS NULL
	   AND jsonb_array_length(c.phones) = 0 AND jsonb_array_length(c.emails) = 0 THEN
		PERFORM crm.raise_validation('display_name', 'required',
			'a contact needs a name, a display name, a phone number or an e-mail address');
	END IF;
	RETURN c;
END $$;

-- A live contact of the org (other than self) sharing a phone key or an
-- e-mail address; visible ones first. NULL existing when none.
CREATE FUNCTION crm.contact_duplicate(p crm.principal, p_phones jsonb, p_emails jsonb, p_self uuid,
                                      OUT existing uuid, OUT field text, OUT visible boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	vis uuid[] := crm.visible_owners(p);
BEGIN
	SELECT c.id, 'phones', (vis IS NULL OR c.owner_id = ANY (vis)) INTO existing, field, visible
	  FROM crm.contact_phones ph
	  JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id AND c.deleted_at IS NULL
	 WHERE ph.org_id = p.org_id AND ph.key IN (SELECT e->>'key' FROM jsonb_array_elements(p_phones) e)
	   AND c.id IS DISTINCT FROM p_self
	 ORDER BY (vis IS NULL OR c.owner_id = ANY (vis)) DESC, c.updated_at DESC
	 LIMIT 1;
	IF existing IS NOT NULL THEN RETURN; END IF;
	SELECT c.id, 'emails', (vis IS NULL OR c.owner_id = ANY (vis)) INTO existing, field, visible
	  FROM crm.contact_emails em
	  JOIN crm.contacts c ON c.org_id = em.org_id AND c.id = em.contact_id AND c.deleted_at IS NULL
	 WHERE em.org_id = p.org_id AND em.address IN (SELECT lower(e->>'address') FROM jsonb_array_elements(p_emails) e)
	   AND c.id IS DISTINCT FROM p_self
	 ORDER BY (vis IS NULL OR c.owner_id = ANY (vis)) DESC, c.updated_at DESC
	 LIMIT 1;
END $$;

-- The 409 reply for a duplicate (returned, not raised).
CREATE FUNCTION crm.duplicate_reply(ctx jsonb, existing uuid, field text, visible boolean) RETURNS api.reply
LANGUAGE sql STABLE AS $$
	SELECT ROW(409, crm.problem(ctx, 409,
		'a contact with this ' || CASE field WHEN 'phones' THEN 'phone number' ELSE 'e-mail address' END
		|| ' already exists (send allow_duplicate: true to keep both)',
		CASE WHEN visible THEN jsonb_build_object('existing_id', existing) ELSE '{}' END
		|| jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('field', field, 'code', 'duplicate',
		       'message', 'already on another contact')))), NULL, NULL)::api.reply
$$;

-- Sort expressions of contacts_list (whitelisted) and their key types.
CREATE FUNCTION crm.contact_sort_key(c crm.contacts, col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE col
		WHEN 'created_at' THEN to_jsonb(c.created_at) #>> '{}'
		WHEN 'updated_at' THEN to_jsonb(c.updated_at) #>> '{}'
		WHEN 'display_name' THEN c.display_name
		WHEN 'last_name' THEN coalesce(c.last_name, '')
		WHEN 'lead_score' THEN c.lead_score::text END
$$;

CREATE FUNCTION api.contacts_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	vis uuid[] := crm.visible_owners(p);
	-- One visible owner (a rep) is an equality, so the (owner, created_at)
	-- index can return the page in order instead of filtering the org's.
	only_owner uuid := CASE WHEN cardinality(vis) = 1 THEN vis[1] END;
	sort text := coalesce(args->>'sort', '-created_at');
	col text := crm.sort_column(sort, ARRAY['created_at', 'updated_at', 'display_name', 'last_name', 'lead_score']);
	keytype text := CASE WHEN col IN ('created_at', 'updated_at') THEN 'timestamptz'
	                     WHEN col = 'lead_score' THEN 'int' ELSE 'text' END;
	expr text := CASE col WHEN 'last_name' THEN 'coalesce(c.last_name, '''')' ELSE 'c.' || quote_ident(col) END;
	descending boolean := sort LIKE '-%';
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', sort);
	fields text[] := crm.arg_text_array(args, 'fields');
	q text := crm.fold(crm.arg_text(args, 'q', 200));
	q_digits text;
	q_key text;
	bdays int := crm.arg_int(args, 'birthday_within');
	consent text := crm.arg_enum(args, 'consent', ARRAY['sms', 'email', 'phone']);
	stage text := crm.arg_enum(args, 'stage', ARRAY['lead', 'prospect', 'customer', 'inactive']);
	rows crm.contacts[];
	next text;
BEGIN
	PERFORM crm.check_cursor(cur, keytype);
	IF keytype = 'int' AND cur IS NOT NULL THEN
		BEGIN PERFORM (cur->>'k')::int; EXCEPTION WHEN others THEN PERFORM crm.bad_cursor(); END;
	END IF;
	IF bdays IS NOT NULL AND bdays NOT BETWEEN 0 AND 366 THEN
		PERFORM crm.raise_validation('birthday_within', 'range', 'birthday_within is 0 to 366 days');
	END IF;
	IF q = '' THEN q := NULL; END IF;
	-- A query that looks like a phone number also matches by digits and phone key.
	IF q ~ '^\+?[0-9 ()./-]+$' AND length(crm.digits(q)) >= 3 THEN
		q_digits := crm.digits(q);
		IF length(q_digits) >= 5 THEN
			q_key := crm.phone_key(q, (SELECT default_country_code FROM crm.organizations WHERE id = p.org_id));
		END IF;
	END IF;
	EXECUTE format($q$
		SELECT ARRAY(
			SELECT c FROM crm.contacts c
			 WHERE c.org_id = $1 AND c.deleted_at IS NULL
			   AND ($2::uuid[] IS NULL OR $20::uuid IS NOT NULL OR c.owner_id = ANY ($2))
			   AND ($20::uuid IS NULL OR c.owner_id = $20)
			   AND ($3::text IS NULL OR c.search_text LIKE $3 OR c.search_text LIKE $18 OR c.search_text LIKE $19)
			   AND ($4::text IS NULL OR c.lifecycle_stage = $4)
			   AND ($5::text IS NULL OR c.tag_keys @> ARRAY[$5])
			   AND ($6::uuid IS NULL OR c.owner_id = $6)
			   AND ($7::text IS NULL OR lower(c.city) = lower($7))
			   AND ($8::uuid IS NULL OR c.company_id = $8)
			   AND ($9::uuid IS NULL OR c.campaign_id = $9)
			   AND ($10::text IS NULL OR lower(c.lead_source) = lower($10))
			   AND ($11::text IS NULL OR c.consent->$11->'granted' = 'true')
			   AND ($12::int IS NULL OR crm.birthday_within(c.birthday, current_date, $12))
			   AND ($13::timestamptz IS NULL OR c.created_at >= $13)
			   AND ($14::timestamptz IS NULL OR c.created_at < $14)
			   AND ($15::timestamptz IS NULL OR c.updated_at >= $15)
			   AND ($16::jsonb IS NULL OR (%1$s, c.id) %3$s (($16->>'k')::%4$s, ($16->>'id')::uuid))
			 ORDER BY %1$s %2$s, c.id %2$s
			 LIMIT $17)$q$,
		expr, CASE WHEN descending THEN 'DESC' ELSE 'ASC' END, CASE WHEN descending THEN '<' ELSE '>' END, keytype)
	INTO rows
	USING p.org_id, vis, crm.like_pattern(q), stage, crm.fold(crm.arg_text(args, 'tag')),
	      crm.arg_uuid(args, 'owner_id'), crm.arg_text(args, 'city'), crm.arg_uuid(args, 'company_id'),
	      crm.arg_uuid(args, 'campaign_id'), crm.arg_text(args, 'source'), consent, bdays,
	      crm.arg_ts(args, 'created_since'), crm.arg_ts(args, 'created_until'), crm.arg_ts(args, 'updated_since'),
	      cur, lim + 1, crm.like_pattern(q_digits), crm.like_pattern(q_key), only_owner;
	IF cardinality(rows) > lim THEN
		next := crm.cursor_encode(jsonb_build_object('s', sort, 'k', crm.contact_sort_key(rows[lim], col), 'id', rows[lim].id));
	END IF;
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.project(crm.contact_json(rows[i]), fields) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', next));
END $$;

CREATE FUNCTION api.contacts_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	c crm.contacts := crm.find_contact(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.project(crm.contact_json(c), crm.arg_text_array(args, 'fields')), c.version);
END $$;

CREATE FUNCTION api.contacts_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	c crm.contacts;
	dup record;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('display_name', 'required', 'a contact needs a name');
	END IF;
	c.org_id := p.org_id;
	c.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	c.phones := '[]'; c.emails := '[]'; c.lifecycle_stage := 'lead'; c.lead_score := 0;
	c.tags := '{}'; c.tag_keys := '{}'; c.custom_fields := '{}'; c.consent := '{}'; c.preferences := '{}';
	c.display_name := ''; c.search_text := '';
	c := crm.contact_apply(p, c, args - 'id' - 'allow_duplicate');
	IF crm.arg_bool(args, 'allow_duplicate') IS NOT TRUE THEN
		SELECT * INTO dup FROM crm.contact_duplicate(p, c.phones, c.emails, NULL);
		IF dup.existing IS NOT NULL THEN
			RETURN crm.duplicate_reply(ctx, dup.existing, dup.field, dup.visible);
		END IF;
	END IF;
	c.created_at := now(); c.updated_at := now(); c.created_by := p.user_id; c.updated_by := p.user_id; c.version := 1;
	INSERT INTO crm.contacts SELECT (c).* RETURNING * INTO c;
	RETURN crm.reply(201, crm.contact_json(c), c.version, '/v1/contacts/' || c.id);
END $$;

CREATE FUNCTION api.contacts_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	patch jsonb := coalesce(args->'patch', '{}');
	c crm.contacts := crm.find_contact(p, args->>'id', true);
	old crm.contacts := c;
	dup record;
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.contact_json(c), c.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND (patch ? 'id' OR patch ? 'merged_into') THEN
		PERFORM crm.raise_validation(CASE WHEN patch ? 'id' THEN 'id' ELSE 'merged_into' END, 'read_only', 'cannot be changed');
	END IF;
	c := crm.contact_apply(p, c, patch - 'allow_duplicate');
	-- Only numbers and addresses this contact did not have before are checked.
	IF crm.arg_bool(patch, 'allow_duplicate') IS NOT TRUE AND crm.arg_bool(args, 'allow_duplicate') IS NOT TRUE
	   AND (patch ? 'phones' OR patch ? 'emails') THEN
		SELECT * INTO dup FROM crm.contact_duplicate(p,
			coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(c.phones) e
			           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(old.phones) o WHERE o->>'key' = e->>'key')), '[]'),
			coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(c.emails) e
			           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(old.emails) o WHERE o->>'address' = e->>'address')), '[]'),
			c.id);
		IF dup.existing IS NOT NULL THEN
			RETURN crm.duplicate_reply(ctx, dup.existing, dup.field, dup.visible);
		END IF;
	END IF;
	UPDATE crm.contacts SET first_name = c.first_name, last_name = c.last_name, display_name_given = c.display_name_given,
	       phones = c.phones, emails = c.emails, birthday = c.birthday, city = c.city, address = c.address,
	       job_title = c.job_title, company_id = c.company_id, lifecycle_stage = c.lifecycle_stage,
	       lead_source = c.lead_source, campaign_id = c.campaign_id, lead_score = c.lead_score, tags = c.tags,
	       custom_fields = c.custom_fields, consent = c.consent, preferences = c.preferences, notes = c.notes,
	       owner_id = c.owner_id, version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id
	RETURNING * INTO c;
	RETURN crm.reply(200, crm.contact_json(c), c.version);
END $$;

CREATE FUNCTION api.contacts_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:write');
	c crm.contacts := crm.find_contact(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, c.version) THEN
		RETURN crm.stale(ctx, crm.contact_json(c), c.version);
	END IF;
	UPDATE crm.contacts SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = c.org_id AND id = c.id;
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.contacts_history(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	c crm.contacts := crm.find_contact(p, args->>'id');
BEGIN
	RETURN crm.history_reply(p.org_id, 'contacts', c.id, args);
END $$;

------------------------------------------------------------------------------
-- Tags
------------------------------------------------------------------------------
CREATE FUNCTION api.tags_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	vis uuid[] := crm.visible_owners(p);
	q text := nullif(crm.fold(crm.arg_text(args, 'q', 50)), '');
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data', coalesce((
		SELECT jsonb_agg(jsonb_build_object('tag', t.tag, 'count', t.n) ORDER BY t.n DESC, t.k)
		  FROM (SELECT crm.fold(x.tag) AS k, mode() WITHIN GROUP (ORDER BY x.tag) AS tag, count(*) AS n
		          FROM crm.contacts c, unnest(c.tags) AS x(tag)
		         WHERE c.org_id = p.org_id AND c.deleted_at IS NULL AND c.tags <> '{}'
		           AND (vis IS NULL OR c.owner_id = ANY (vis))
		           AND (q IS NULL OR crm.fold(x.tag) LIKE crm.like_pattern(q))
		         GROUP BY 1
		         ORDER BY 3 DESC, 1
		         LIMIT 200) t), '[]'), 'next_cursor', NULL));
END $$;

RESET ROLE;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO crm_app;
-- (the blanket grant must not reach the bootstrap function of 0001)
REVOKE EXECUTE ON FUNCTION crm.create_organization(text, text, text, text, text) FROM crm_app, PUBLIC;
GRANT SELECT ON crm.currencies TO crm_app;
GRANT SELECT, INSERT, UPDATE ON crm.custom_fields, crm.campaigns, crm.companies, crm.contacts TO crm_app;
GRANT SELECT, INSERT, DELETE ON crm.contact_phones, crm.contact_emails TO crm_app;
