-- sql/crm/teams.sql: Teams and their members as JSON; team lookup.

CREATE FUNCTION crm.team_json(t crm.teams) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', t.id, 'name', t.name, 'description', t.description,
			'member_count', (SELECT count(*) FROM crm.team_members m WHERE m.org_id = t.org_id AND m.team_id = t.id),
			'created_at', crm.ts(t.created_at), 'updated_at', crm.ts(t.updated_at), 'version', t.version)
	);
END
$$;

CREATE FUNCTION crm.member_json(m crm.team_members, u crm.users) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('team_id', m.team_id, 'user_id', m.user_id, 'name', u.name,
		'email', u.email, 'role', u.role, 'added_at', crm.ts(m.added_at))
$$;

CREATE FUNCTION crm.team_members_json(org uuid, team uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(crm.member_json(m, u) ORDER BY u.name, u.id), '[]')
		  FROM crm.team_members m JOIN crm.users u ON u.org_id = m.org_id AND u.id = m.user_id
		 WHERE m.org_id = org AND m.team_id = team
	);
END
$$;

-- The live team with this id in the caller's org, or CR404.
CREATE FUNCTION crm.find_team(p crm.principal, id text, lock boolean DEFAULT false) RETURNS crm.teams
LANGUAGE plpgsql AS $$
DECLARE
	t crm.teams;
BEGIN
	IF lock THEN
		SELECT * INTO t FROM crm.teams x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(find_team.id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO t FROM crm.teams x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(find_team.id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN t;
END $$;
