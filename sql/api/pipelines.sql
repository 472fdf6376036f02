-- sql/api/pipelines.sql: Pipelines and their stages.

CREATE FUNCTION api.pipelines_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	lim int := crm.page_limit(args);
	cur jsonb := crm.cursor_decode(args->>'cursor', 'name');
	rows crm.pipelines[];
BEGIN
	PERFORM crm.check_cursor(cur, 'text');
	rows := ARRAY(
		SELECT x FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.deleted_at IS NULL
		   AND (cur IS NULL OR (x.name, x.id) > (cur->>'k', (cur->>'id')::uuid))
		 ORDER BY x.name, x.id
		 LIMIT lim + 1);
	RETURN crm.reply(200, jsonb_build_object(
		'data', coalesce((SELECT jsonb_agg(crm.pipeline_json(rows[i]) ORDER BY i)
		                    FROM generate_subscripts(rows, 1) i WHERE i <= lim), '[]'),
		'next_cursor', CASE WHEN cardinality(rows) > lim
		                    THEN crm.cursor_encode(jsonb_build_object('s', 'name', 'k', rows[lim].name, 'id', rows[lim].id)) END));
END $$;

CREATE FUNCTION api.pipelines_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'deals:read');
	pl crm.pipelines := crm.find_pipeline(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;

CREATE FUNCTION api.pipelines_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines;
	s crm.stages;
	e jsonb;
	i int := 0;
BEGIN
	IF jsonb_typeof(args) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('name', 'required', 'name is required');
	END IF;
	pl.name := crm.arg_text(args, 'name', 200);
	IF pl.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	IF args ? 'stages' AND jsonb_typeof(args->'stages') NOT IN ('array', 'null') THEN
		PERFORM crm.raise_validation('stages', 'type', 'must be an array of stages');
	END IF;
	IF jsonb_typeof(args->'stages') = 'array' AND jsonb_array_length(args->'stages') > 100 THEN
		PERFORM crm.raise_validation('stages', 'too_many', 'at most 100 stages');
	END IF;
	INSERT INTO crm.pipelines (org_id, id, name, created_by, updated_by)
	VALUES (p.org_id, coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7()), pl.name, p.user_id, p.user_id)
	RETURNING * INTO pl;
	IF jsonb_typeof(args->'stages') = 'array' THEN
		FOR e IN SELECT x FROM jsonb_array_elements(args->'stages') x LOOP
			s := NULL;
			s.pipeline_id := pl.id;
			s := crm.stage_apply(s, e, 'stages[' || i || '].');
			s.id := NULL;
			IF jsonb_typeof(e) = 'object' THEN s.id := crm.arg_uuid(e, 'id'); END IF;
			PERFORM crm.stage_insert(p, s, i);
			i := i + 1;
		END LOOP;
	END IF;
	RETURN crm.reply(201, crm.pipeline_json(pl), pl.version, '/v1/pipelines/' || pl.id);
END $$;

CREATE FUNCTION api.pipelines_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	pl crm.pipelines := crm.find_pipeline(p, args->>'id', true);
	v_name text;
BEGIN
	IF crm.if_match_fails(args, pl.version) THEN
		RETURN crm.stale(ctx, crm.pipeline_json(pl), pl.version);
	END IF;
	IF jsonb_typeof(patch) <> 'object' THEN PERFORM crm.raise_validation('patch', 'type', 'must be an object'); END IF;
	IF patch ? 'stages' THEN
		PERFORM crm.raise_validation('stages', 'read_only', 'stages change through the stage operations');
	END IF;
	IF patch ? 'name' THEN
		v_name := crm.arg_text(patch, 'name', 200);
		IF v_name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	UPDATE crm.pipelines SET name = coalesce(v_name, name),
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = pl.org_id AND id = pl.id
	RETURNING * INTO pl;
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;

CREATE FUNCTION api.pipelines_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'id', true);
	n bigint;
BEGIN
	IF crm.if_match_fails(args, pl.version) THEN
		RETURN crm.stale(ctx, crm.pipeline_json(pl), pl.version);
	END IF;
	SELECT count(*) INTO n FROM crm.deals d WHERE d.org_id = pl.org_id AND d.pipeline_id = pl.id AND d.deleted_at IS NULL;
	IF n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the pipeline still holds deals; move or delete them first',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	UPDATE crm.stages SET deleted_at = now(), version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = pl.org_id AND pipeline_id = pl.id AND deleted_at IS NULL;
	PERFORM crm.soft_delete('crm.pipelines', pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.stages_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages;
	pos int := crm.arg_int(args, 'position');
BEGIN
	IF pos < 0 THEN PERFORM crm.raise_validation('position', 'range', 'position is >= 0'); END IF;
	s.pipeline_id := pl.id;
	s := crm.stage_apply(s, args - 'id' - 'pipeline_id' - 'position');
	s.id := crm.arg_uuid(args, 'id');
	s := crm.stage_insert(p, s, pos);
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(201, crm.stage_json(s), s.version, '/v1/pipelines/' || pl.id || '/stages/' || s.id);
END $$;

CREATE FUNCTION api.stages_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	patch jsonb := coalesce(args->'patch', '{}');
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages := crm.find_stage(p, pl.id, args->>'id', true);
	n bigint;
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.stage_json(s), s.version);
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'position' AND patch->'position' IS DISTINCT FROM to_jsonb(s.position) THEN
		PERFORM crm.raise_validation('position', 'read_only', 'positions change through stages_reorder');
	END IF;
	IF jsonb_typeof(patch) = 'object' AND patch ? 'pipeline_id' AND crm.try_uuid(patch->>'pipeline_id') IS DISTINCT FROM s.pipeline_id THEN
		PERFORM crm.raise_validation('pipeline_id', 'read_only', 'a stage cannot move to another pipeline');
	END IF;
	n := (SELECT count(*) FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL);
	s := crm.stage_apply(s, patch - 'position' - 'pipeline_id' - 'id');
	-- The kind decides the status (and won_at/lost_at) of the deals in the
	-- stage: it cannot change under them.
	IF s.kind <> (SELECT x.kind FROM crm.stages x WHERE x.org_id = s.org_id AND x.id = s.id) AND n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the kind of a stage that holds deals cannot change; move the deals first',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	UPDATE crm.stages SET name = s.name, probability = s.probability, kind = s.kind, rotting_days = s.rotting_days,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = s.org_id AND id = s.id
	RETURNING * INTO s;
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(200, crm.stage_json(s), s.version);
END $$;

CREATE FUNCTION api.stages_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	s crm.stages := crm.find_stage(p, pl.id, args->>'id', true);
	target crm.stages;
	move_to uuid;
	n bigint;
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.stage_json(s), s.version);
	END IF;
	BEGIN
		move_to := crm.arg_uuid(args, 'move_to');
	EXCEPTION WHEN SQLSTATE 'CR422' THEN
		PERFORM crm.raise_validation('move_to', 'not_found', 'move_to must be another stage of this pipeline');
	END;
	n := (SELECT count(*) FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL);
	IF move_to IS NOT NULL THEN
		SELECT * INTO target FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pl.id AND x.id = move_to AND x.deleted_at IS NULL AND x.id <> s.id;
		IF NOT FOUND THEN
			PERFORM crm.raise_validation('move_to', 'not_found', 'move_to must be another stage of this pipeline');
		END IF;
		IF target.kind = 'lost' AND EXISTS (SELECT 1 FROM crm.deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id
		                                      AND d.deleted_at IS NULL AND d.lost_reason IS NULL) THEN
			PERFORM crm.raise_validation('move_to', 'lost_reason_required',
				'some deals have no lost_reason: they cannot move to a lost stage');
		END IF;
	ELSIF n > 0 THEN
		RETURN ROW(409, crm.problem(ctx, 409, 'the stage still holds deals; give move_to to move them',
			jsonb_build_object('deal_count', n)), NULL, NULL)::api.reply;
	END IF;
	IF n > 0 THEN
		-- One statement; the history trigger records each move as the caller's.
		UPDATE crm.deals SET stage_id = target.id, version = version + 1, updated_at = now(), updated_by = p.user_id
		 WHERE org_id = s.org_id AND stage_id = s.id AND deleted_at IS NULL;
	END IF;
	PERFORM crm.soft_delete('crm.stages', s.org_id, s.id, p.user_id);
	PERFORM crm.stages_close_up(pl.org_id, pl.id, p.user_id);
	PERFORM crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	RETURN crm.reply(204);
END $$;

CREATE FUNCTION api.stages_reorder(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	pl crm.pipelines := crm.find_pipeline(p, args->>'pipeline_id', true);
	ids uuid[];
	live uuid[];
BEGIN
	IF jsonb_typeof(args->'stage_ids') IS DISTINCT FROM 'array'
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(args->'stage_ids') e
	               WHERE jsonb_typeof(e) <> 'string' OR crm.try_uuid(e #>> '{}') IS NULL) THEN
		PERFORM crm.raise_validation('stage_ids', 'type', 'must be an array of stage ids');
	END IF;
	ids := ARRAY(SELECT crm.try_uuid(e) FROM jsonb_array_elements_text(args->'stage_ids') WITH ORDINALITY x(e, i) ORDER BY i);
	live := ARRAY(SELECT s.id FROM crm.stages s WHERE s.org_id = pl.org_id AND s.pipeline_id = pl.id AND s.deleted_at IS NULL);
	IF cardinality(ids) <> cardinality(live)
	   OR (SELECT count(DISTINCT x) FROM unnest(ids) x) <> cardinality(ids)
	   OR NOT ids <@ live THEN
		PERFORM crm.raise_validation('stage_ids', 'mismatch', 'stage_ids must list every stage of the pipeline exactly once');
	END IF;
	UPDATE crm.stages s SET position = o.i - 1, version = s.version + 1, updated_at = now(), updated_by = p.user_id
	  FROM unnest(ids) WITH ORDINALITY o(id, i)
	 WHERE s.org_id = pl.org_id AND s.id = o.id AND s.position <> o.i - 1;
	IF FOUND THEN
		pl := crm.pipeline_touch(pl.org_id, pl.id, p.user_id);
	END IF;
	RETURN crm.reply(200, crm.pipeline_json(pl), pl.version);
END $$;
