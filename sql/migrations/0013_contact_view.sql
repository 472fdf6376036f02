-- 0013_contact_view: a contact's JSON is row_to_json of a typed row.
--
-- json_build_object takes its 58 arguments as a variadic list, with a key
-- constant per member, on every row; row_to_json of a row of a declared
-- type (crm.contact_view) walks the same values with one cached row type.
-- Measured on a page of 50 (bench, 1M contacts): 2.0 -> 1.4 ms for the
-- page's JSON, with the change to crm.contacts_json below. Members, order and values are unchanged; the text is now
-- compact ("key":value, no spaces), about 10% fewer bytes.
SET ROLE crm_owner;

-- {id, name} of a record a contact refers to (company, owner).
CREATE TYPE crm.ref AS (id uuid, name text);
-- Consent per channel, each {granted, at, source} or null.
CREATE TYPE crm.consent_view AS (sms jsonb, email jsonb, phone jsonb);
-- The public members of a contact, in their order.
CREATE TYPE crm.contact_view AS (
	id uuid, first_name text, last_name text, display_name text, phones jsonb, emails jsonb, birthday text,
	city text, address text, job_title text, company_id uuid, company crm.ref, lifecycle_stage text,
	lead_source text, campaign_id uuid, lead_score int, tags text[], custom_fields jsonb,
	consent crm.consent_view, preferences jsonb, notes text, owner_id uuid, owner crm.ref, merged_into uuid,
	created_at text, updated_at text, created_by uuid, updated_by uuid, version int);
-- As in 0010, through the declared row types above.
CREATE OR REPLACE FUNCTION crm.contact_doc(c crm.contacts, co crm.companies, campaign_id uuid, owner_name text) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT row_to_json(ROW(c.id, c.first_name, c.last_name, c.display_name, c.phones, c.emails,
		to_char(c.birthday, 'YYYY-MM-DD'), c.city, c.address, c.job_title,
		co.id, CASE WHEN co.id IS NOT NULL THEN ROW(co.id, co.name)::crm.ref END,
		c.lifecycle_stage, c.lead_source, campaign_id, c.lead_score, c.tags,
		-- Most contacts have none: no PL/pgSQL call for them (~5% of a read).
		CASE WHEN c.custom_fields = '{}' THEN c.custom_fields
		     ELSE crm.custom_values_json(c.org_id, 'contact', c.custom_fields) END,
		ROW(c.consent->'sms', c.consent->'email', c.consent->'phone')::crm.consent_view,
		c.preferences, c.notes, c.owner_id,
		CASE WHEN owner_name IS NOT NULL THEN ROW(c.owner_id, owner_name)::crm.ref END,
		c.merged_into, crm.ts(c.created_at), crm.ts(c.updated_at), c.created_by, c.updated_by, c.version)::crm.contact_view)
$$;

-- As in 0010, with the page's rows as the columns of unnest(): a whole-row
-- reference to them is reduced to plain columns, where the rows[i]
-- composites were taken apart member by member (nocachegetattr, ~8% of a
-- page). Nested loops over the lateral probes keep unnest's order.
-- unnest() tells the planner the length of the array it is given, so every
-- custom plan looks cheaper than the generic one and the plan cache would
-- plan the statement on every call (~0.45 ms): the generic plan is forced.
CREATE OR REPLACE FUNCTION crm.contacts_json(rows crm.contacts[]) RETURNS json
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	RETURN (
		SELECT coalesce(json_agg(crm.contact_doc(r, co, ca.id, u.name)), '[]')
		  FROM unnest(rows) r
		  LEFT JOIN LATERAL (SELECT * FROM crm.companies x
		                      WHERE x.org_id = r.org_id AND x.id = r.company_id AND x.deleted_at IS NULL
		                     OFFSET 0) co ON true
		  LEFT JOIN LATERAL (SELECT x.id FROM crm.campaigns x
		                      WHERE x.org_id = r.org_id AND x.id = r.campaign_id AND x.deleted_at IS NULL
		                     OFFSET 0) ca ON true
		  LEFT JOIN LATERAL (SELECT x.name FROM crm.users x
		                      WHERE x.org_id = r.org_id AND x.id = r.owner_id
		                     OFFSET 0) u ON true);
END $$;

RESET ROLE;
