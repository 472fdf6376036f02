-- sql/crm/pipelines.sql: Pipelines and their stages: JSON, writes and lookup.

CREATE FUNCTION crm.stage_json(s crm.stages) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', s.id, 'pipeline_id', s.pipeline_id, 'name', s.name, 'position', s.position,
			'probability', s.probability, 'kind', s.kind, 'rotting_days', s.rotting_days,
			'deal_count', (SELECT count(*) FROM crm.deals d
			                WHERE d.org_id = s.org_id AND d.stage_id = s.id AND d.deleted_at IS NULL),
			'created_at', crm.ts(s.created_at), 'updated_at', crm.ts(s.updated_at), 'version', s.version)
	);
END
$$;

CREATE FUNCTION crm.pipeline_json(pl crm.pipelines) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', pl.id, 'name', pl.name,
			'stages', coalesce((SELECT jsonb_agg(crm.stage_json(s) ORDER BY s.position, s.id) FROM crm.stages s
			                     WHERE s.org_id = pl.org_id AND s.pipeline_id = pl.id AND s.deleted_at IS NULL), '[]'),
			'created_at', crm.ts(pl.created_at), 'updated_at', crm.ts(pl.updated_at), 'version', pl.version)
	);
END
$$;

CREATE FUNCTION crm.find_pipeline(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.pipelines
LANGUAGE plpgsql AS $$
DECLARE
	pl crm.pipelines;
BEGIN
	IF lock THEN
		SELECT * INTO pl FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO pl FROM crm.pipelines x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN pl;
END $$;

-- A live stage of a live pipeline, or CR404.
CREATE FUNCTION crm.find_stage(p crm.principal, pipeline uuid, p_id text, lock boolean DEFAULT false) RETURNS crm.stages
LANGUAGE plpgsql AS $$
DECLARE
	s crm.stages;
BEGIN
	IF lock THEN
		SELECT * INTO s FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pipeline AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO s FROM crm.stages x
		 WHERE x.org_id = p.org_id AND x.pipeline_id = pipeline AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN s;
END $$;

-- Applies create args / a patch to a stage; label prefixes field names
-- (e.g. "stages[2]." inside pipelines_create).
CREATE FUNCTION crm.stage_apply(s crm.stages, patch jsonb, label text DEFAULT '') RETURNS crm.stages
LANGUAGE plpgsql STABLE AS $$
DECLARE
	n int;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation(coalesce(nullif(rtrim(label, '.'), ''), 'patch'), 'type', 'must be an object');
	END IF;
	IF patch ? 'name' OR s.name IS NULL THEN
		s.name := crm.arg_text(patch, 'name', 200, label || 'name');
		IF s.name IS NULL THEN PERFORM crm.raise_validation(label || 'name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'kind' OR s.kind IS NULL THEN
		IF jsonb_typeof(patch->'kind') IS DISTINCT FROM 'string' OR NOT (patch->>'kind') = ANY (ARRAY['open', 'won', 'lost']) THEN
			PERFORM crm.raise_validation(label || 'kind', CASE WHEN patch->'kind' IS NULL OR jsonb_typeof(patch->'kind') = 'null' THEN 'required' ELSE 'invalid' END,
				'kind is one of open, won, lost');
		END IF;
		s.kind := patch->>'kind';
	END IF;
	IF patch ? 'probability' OR s.probability IS NULL THEN
		IF jsonb_typeof(patch->'probability') IS DISTINCT FROM 'number' THEN
			PERFORM crm.raise_validation(label || 'probability', CASE WHEN patch->'probability' IS NULL OR jsonb_typeof(patch->'probability') = 'null' THEN 'required' ELSE 'type' END,
				'probability is an integer 0 to 100');
		END IF;
		BEGIN
			n := (patch->>'probability')::int;
		EXCEPTION WHEN others THEN
			n := -1;
		END;
		IF n IS NULL OR n NOT BETWEEN 0 AND 100 OR (patch->>'probability')::numeric <> n THEN
			PERFORM crm.raise_validation(label || 'probability', 'range', 'probability is an integer 0 to 100');
		END IF;
		s.probability := n;
	END IF;
	IF patch ? 'rotting_days' THEN
		IF jsonb_typeof(patch->'rotting_days') NOT IN ('number', 'null') THEN
			PERFORM crm.raise_validation(label || 'rotting_days', 'type', 'rotting_days is an integer >= 1 or null');
		END IF;
		BEGIN
			n := (patch->>'rotting_days')::int;
		EXCEPTION WHEN others THEN
			n := 0;
		END;
		IF n < 1 THEN
			PERFORM crm.raise_validation(label || 'rotting_days', 'range', 'rotting_days is an integer >= 1 or null');
		END IF;
		s.rotting_days := n;
	END IF;
	RETURN s;
END $$;

-- Bumps a pipeline's version (its representation includes the stages).
CREATE FUNCTION crm.pipeline_touch(org uuid, pipeline uuid, actor uuid) RETURNS crm.pipelines
LANGUAGE sql AS $$
	UPDATE crm.pipelines SET version = version + 1, updated_at = now(), updated_by = actor
	 WHERE org_id = org AND id = pipeline
	RETURNING *
$$;

-- Renumbers the live stages of a pipeline 0..n-1 in their current order
-- (ties by id); only rows whose position changes are written.
CREATE FUNCTION crm.stages_close_up(org uuid, pipeline uuid, actor uuid) RETURNS void
LANGUAGE sql AS $$
	UPDATE crm.stages s SET position = o.pos, version = s.version + 1, updated_at = now(), updated_by = actor
	  FROM (SELECT x.id, (row_number() OVER (ORDER BY x.position, x.id) - 1)::int AS pos
	          FROM crm.stages x WHERE x.org_id = org AND x.pipeline_id = pipeline AND x.deleted_at IS NULL) o
	 WHERE s.org_id = org AND s.id = o.id AND s.position <> o.pos
$$;

-- Inserts a validated stage at position pos (clamped to 0..n), shifting the others.
CREATE FUNCTION crm.stage_insert(p crm.principal, s crm.stages, pos int) RETURNS crm.stages
LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	SELECT count(*) INTO n FROM crm.stages x
	 WHERE x.org_id = p.org_id AND x.pipeline_id = s.pipeline_id AND x.deleted_at IS NULL;
	pos := least(greatest(coalesce(pos, n), 0), n);
	UPDATE crm.stages SET position = position + 1, version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = p.org_id AND pipeline_id = s.pipeline_id AND deleted_at IS NULL AND position >= pos;
	s.org_id := p.org_id;
	s.id := coalesce(s.id, crm.uuid_v7());
	s.position := pos;
	s.created_at := now(); s.updated_at := now(); s.created_by := p.user_id; s.updated_by := p.user_id; s.version := 1;
	INSERT INTO crm.stages SELECT (s).* RETURNING * INTO s;
	RETURN s;
END $$;
