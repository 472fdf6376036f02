-- sql/crm/custom_fields.sql: Custom field definitions and the values records carry.

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

-- Custom-field values whose definitions are live; most records have none.
CREATE FUNCTION crm.custom_values_json(org uuid, ent text, vals jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF vals IS NULL OR vals = '{}' THEN
		RETURN '{}';
	END IF;
	RETURN (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(vals) e
	         WHERE EXISTS (SELECT 1 FROM crm.custom_fields f
	                        WHERE f.org_id = org AND f.entity = ent AND f.key = e.key AND f.deleted_at IS NULL));
END $$;

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
