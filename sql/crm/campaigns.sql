-- sql/crm/campaigns.sql: Campaigns: JSON, writes and lookup.

CREATE FUNCTION crm.campaign_json(c crm.campaigns) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'name', c.name, 'channel', c.channel, 'cost', c.cost::text,
		'currency', c.currency, 'starts_on', to_char(c.starts_on, 'YYYY-MM-DD'), 'ends_on', to_char(c.ends_on, 'YYYY-MM-DD'),
		'notes', c.notes, 'created_at', crm.ts(c.created_at), 'updated_at', crm.ts(c.updated_at), 'version', c.version)
$$;

CREATE FUNCTION crm.find_campaign(p crm.principal, p_id text, lock boolean DEFAULT false) RETURNS crm.campaigns
LANGUAGE plpgsql AS $$
DECLARE
	c crm.campaigns;
BEGIN
	IF lock THEN
		SELECT * INTO c FROM crm.campaigns x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL FOR UPDATE;
	ELSE
		SELECT * INTO c FROM crm.campaigns x
		 WHERE x.org_id = p.org_id AND x.id = crm.try_uuid(p_id) AND x.deleted_at IS NULL;
	END IF;
	IF NOT FOUND THEN PERFORM crm.not_found(); END IF;
	RETURN c;
END $$;

-- Applies create args / a patch to a campaign row, validating as it goes.
CREATE FUNCTION crm.campaign_apply(c crm.campaigns, patch jsonb) RETURNS crm.campaigns
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v numeric;
BEGIN
	IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
		PERFORM crm.raise_validation('patch', 'type', 'must be an object');
	END IF;
	IF patch ? 'name' THEN
		c.name := crm.arg_text(patch, 'name', 200);
		IF c.name IS NULL THEN PERFORM crm.raise_validation('name', 'required', 'name is required'); END IF;
	END IF;
	IF patch ? 'channel' THEN
		c.channel := coalesce(crm.arg_enum(patch, 'channel',
			ARRAY['sms', 'email', 'phone', 'social', 'web', 'event', 'referral', 'other']), 'other');
	END IF;
	IF patch ? 'cost' THEN
		IF jsonb_typeof(patch->'cost') = 'null' THEN
			c.cost := NULL;
		ELSE
			BEGIN
				IF jsonb_typeof(patch->'cost') NOT IN ('string', 'number') OR (patch->>'cost') !~ '^\s*\d{1,16}(\.\d{1,2})?\s*$' THEN
					RAISE invalid_text_representation;
				END IF;
				v := (patch->>'cost')::numeric(18,2);
			EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
				PERFORM crm.raise_validation('cost', 'format', 'a non-negative decimal with at most 2 decimals, e.g. "1500000.00"');
			END;
			c.cost := v;
		END IF;
	END IF;
	IF patch ? 'currency' THEN
		c.currency := upper(crm.arg_text(patch, 'currency', 3));
		IF c.currency IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.currencies WHERE code = c.currency) THEN
			PERFORM crm.raise_validation('currency', 'invalid', 'not an active ISO 4217 currency code');
		END IF;
	END IF;
	IF c.cost IS NOT NULL AND c.currency IS NULL THEN
		PERFORM crm.raise_validation('currency', 'required', 'a cost needs a currency');
	END IF;
	IF patch ? 'starts_on' THEN c.starts_on := crm.arg_date(patch, 'starts_on'); END IF;
	IF patch ? 'ends_on' THEN c.ends_on := crm.arg_date(patch, 'ends_on'); END IF;
	IF c.ends_on < c.starts_on THEN
		PERFORM crm.raise_validation('ends_on', 'before_start', 'ends_on must not be before starts_on');
	END IF;
	IF patch ? 'notes' THEN c.notes := crm.arg_text(patch, 'notes', 10000); END IF;
	RETURN c;
END $$;
