-- sql/api/custom_fields.sql: Custom field definitions.

CREATE FUNCTION api.custom_fields_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'contacts:read');
	ent text := crm.arg_enum(args, 'entity', ARRAY['contact', 'company', 'ticket']);
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
	ent text := crm.arg_enum(args, 'entity', ARRAY['contact', 'company', 'ticket']);
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
	PERFORM crm.soft_delete('crm.custom_fields', f.org_id, f.id, p.user_id);
	RETURN crm.reply(204);
END $$;
