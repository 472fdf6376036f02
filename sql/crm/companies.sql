-- sql/crm/companies.sql: Companies: JSON, writes, derived columns and lookup.

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

CREATE FUNCTION crm.company_json(c crm.companies) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN (
		SELECT jsonb_build_object('id', c.id, 'name', c.name, 'domain', c.domain,
			'phones', coalesce((SELECT jsonb_agg(jsonb_build_object('label', e->'label', 'number', e->'number'))
			                      FROM jsonb_array_elements(c.phones) e), '[]'),
			'email', c.email, 'city', c.city, 'address', c.address, 'industry', c.industry,
			'owner_id', c.owner_id, 'owner', crm.user_ref(c.org_id, c.owner_id), 'tags', to_jsonb(c.tags),
			'custom_fields', crm.custom_values_json(c.org_id, 'company', c.custom_fields), 'notes', c.notes,
			'created_at', crm.ts(c.created_at), 'updated_at', crm.ts(c.updated_at),
			'created_by', c.created_by, 'updated_by', c.updated_by, 'version', c.version)
	);
END
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

CREATE TRIGGER companies__derive BEFORE INSERT OR UPDATE ON crm.companies
	FOR EACH ROW EXECUTE FUNCTION crm.companies_derive();

CREATE TRIGGER companies__refresh_contacts AFTER UPDATE ON crm.companies
	FOR EACH ROW EXECUTE FUNCTION crm.companies_refresh_contacts();
