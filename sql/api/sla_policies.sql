-- sql/api/sla_policies.sql: SLA policies: the targets a new ticket gets.
-- Everyone who reads tickets may read them; admins write them. A change
-- applies to tickets opened (or re-prioritized) afterwards.

CREATE FUNCTION api.sla_policies_list(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
BEGIN
	RETURN crm.reply(200, jsonb_build_object('data',
		coalesce((SELECT jsonb_agg(crm.sla_policy_json(s) ORDER BY crm.ticket_priority_rank(s.priority) DESC, s.name, s.id)
		            FROM crm.sla_policies s WHERE s.org_id = p.org_id AND s.deleted_at IS NULL), '[]'),
		'next_cursor', NULL));
END $$;

CREATE FUNCTION api.sla_policies_get(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, 'tickets:read');
	s crm.sla_policies := crm.find_sla_policy(p, args->>'id');
BEGIN
	RETURN crm.reply(200, crm.sla_policy_json(s), s.version);
END $$;

CREATE FUNCTION api.sla_policies_create(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	s crm.sla_policies;
BEGIN
	s.org_id := p.org_id;
	s.id := coalesce(crm.arg_uuid(args, 'id'), crm.uuid_v7());
	s := crm.sla_policy_apply(s, coalesce(args, '{}') - 'id', true);
	s.created_at := now(); s.updated_at := now(); s.created_by := p.user_id; s.updated_by := p.user_id; s.version := 1;
	INSERT INTO crm.sla_policies SELECT (s).* RETURNING * INTO s;
	RETURN crm.reply(201, crm.sla_policy_json(s), s.version, '/v1/sla-policies/' || s.id);
END $$;

CREATE FUNCTION api.sla_policies_update(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	s crm.sla_policies := crm.find_sla_policy(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.sla_policy_json(s), s.version);
	END IF;
	s := crm.sla_policy_apply(s, coalesce(args->'patch', '{}') - 'id', false);
	UPDATE crm.sla_policies SET name = s.name, priority = s.priority, channel = s.channel, type = s.type, tag = s.tag,
	       first_response_minutes = s.first_response_minutes, resolution_minutes = s.resolution_minutes,
	       business_hours = s.business_hours,
	       version = version + 1, updated_at = now(), updated_by = p.user_id
	 WHERE org_id = s.org_id AND id = s.id
	RETURNING * INTO s;
	RETURN crm.reply(200, crm.sla_policy_json(s), s.version);
END $$;

CREATE FUNCTION api.sla_policies_delete(ctx jsonb, args jsonb) RETURNS api.reply
LANGUAGE plpgsql AS $$
DECLARE
	p crm.principal := crm.begin(ctx, NULL, ARRAY['admin']);
	s crm.sla_policies := crm.find_sla_policy(p, args->>'id', true);
BEGIN
	IF crm.if_match_fails(args, s.version) THEN
		RETURN crm.stale(ctx, crm.sla_policy_json(s), s.version);
	END IF;
	PERFORM crm.soft_delete('crm.sla_policies', s.org_id, s.id, p.user_id);
	RETURN crm.reply(204);
END $$;
