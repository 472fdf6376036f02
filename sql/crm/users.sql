-- sql/crm/users.sql: Users as other records show them.

CREATE FUNCTION crm.user_json(u crm.users) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', u.id, 'org_id', u.org_id, 'email', u.email, 'name', u.name,
		'role', u.role, 'active', u.active, 'created_at', crm.ts(u.created_at),
		'updated_at', crm.ts(u.updated_at), 'version', u.version)
$$;

-- [{id,name}] of the live teams a user belongs to.
CREATE FUNCTION crm.user_teams(org uuid, uid uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name) ORDER BY t.name, t.id), '[]')
		  FROM crm.team_members m
		  JOIN crm.teams t ON t.org_id = m.org_id AND t.id = m.team_id AND t.deleted_at IS NULL
		 WHERE m.org_id = org AND m.user_id = uid
	);
END
$$;

CREATE FUNCTION crm.user_ref(org uuid, uid uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', u.id, 'name', u.name) FROM crm.users u WHERE u.org_id = org AND u.id = uid
	);
END
$$;
