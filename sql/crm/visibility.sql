-- sql/crm/visibility.sql: Which owners' records a principal may see (rep: own; manager: team; admin:
-- organization).

-- Owners whose records the caller may see; NULL = the whole organization.
CREATE FUNCTION crm.visible_owners(p crm.principal) RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p.api_key_id IS NOT NULL OR p.role = 'admin' THEN
		RETURN NULL;
	END IF;
	IF p.role IS DISTINCT FROM 'manager' THEN
		RETURN ARRAY[p.user_id];
	END IF;
	RETURN ARRAY(
		SELECT p.user_id
		UNION
		SELECT m2.user_id
		  FROM crm.team_members m1
		  JOIN crm.teams t ON t.org_id = m1.org_id AND t.id = m1.team_id AND t.deleted_at IS NULL
		  JOIN crm.team_members m2 ON m2.org_id = m1.org_id AND m2.team_id = m1.team_id
		 WHERE m1.org_id = p.org_id AND m1.user_id = p.user_id);
END $$;

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

-- crm.visible_owners of the current caller; NULL (everything) without one.
CREATE FUNCTION crm.current_visible_owners() RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	p crm.principal := crm.current_principal();
BEGIN
	IF p.org_id IS NULL AND p.user_id IS NULL AND p.api_key_id IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN crm.visible_owners(p);
END $$;
