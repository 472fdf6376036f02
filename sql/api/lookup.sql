-- sql/api/lookup.sql: Caller lookup by phone, and the tags in use.

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

CREATE FUNCTION api.lookup_phone(ctx jsonb, args jsonb) RETURNS SETOF api.reply
LANGUAGE sql STABLE AS $$
	SELECT 200,
	       CASE WHEN p.org_id IS NULL THEN crm.refuse('CR401', 'unknown or inactive user')
	       ELSE json_build_object('phone_key', p.key, 'matches', coalesce((
		SELECT json_agg(crm.contact_profile(m.c, p.vis) ORDER BY (m.c).updated_at DESC, (m.c).id DESC)
		  FROM (SELECT c FROM crm.contact_phones ph
		          JOIN crm.contacts c ON c.org_id = ph.org_id AND c.id = ph.contact_id AND c.deleted_at IS NULL
		         WHERE ph.org_id = p.org_id AND ph.key = p.key AND (p.vis IS NULL OR c.owner_id = ANY (p.vis))
		         ORDER BY c.updated_at DESC, c.id DESC LIMIT 5) m), '[]'))::text END,
	       NULL::text, NULL::text
	  FROM (SELECT) one
	  LEFT JOIN (SELECT r.*, crm.phone_key(crm.arg_text(args, 'number', 100), o.default_country_code) AS key
	               FROM crm.reader(ctx, 'lookup:read') r
	               JOIN crm.organizations o ON o.id = r.org_id OFFSET 0) p ON true
$$;
