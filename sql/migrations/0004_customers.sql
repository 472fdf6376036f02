-- 0004_customers: the customer file. Text folding and phone keys, custom
-- fields, currencies, campaigns, companies, contacts, tags; their api.*
-- operations. Activities, timeline, merge and caller lookup are in 0005.
SET ROLE crm_owner;

ALTER TABLE crm.organizations ADD COLUMN default_country_code text NOT NULL DEFAULT '98'
	CONSTRAINT organizations__default_country_code__ck CHECK (default_country_code ~ '^[1-9][0-9]{0,2}$');

------------------------------------------------------------------------------
-- Reference: ISO 4217 currencies (not tenant data; read-only for crm_app)
------------------------------------------------------------------------------
CREATE TABLE crm.currencies (
	code text NOT NULL,
	CONSTRAINT currencies__code__uq PRIMARY KEY (code),
	CONSTRAINT currencies__code__ck CHECK (code ~ '^[A-Z]{3}$')
);
INSERT INTO crm.currencies (code)
SELECT unnest(string_to_array(
	'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP '
	'BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB '
	'EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY '
	'KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR '
	'MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB '
	'RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD '
	'TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR '
	'XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL', ' '));

------------------------------------------------------------------------------
-- Custom fields
------------------------------------------------------------------------------
CREATE TABLE crm.custom_fields (
	org_id     uuid        NOT NULL,
	id         uuid        NOT NULL DEFAULT crm.uuid_v7(),
	entity     text        NOT NULL,
	key        text        NOT NULL,
	label      text        NOT NULL,
	type       text        NOT NULL,
	choices    text[],
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int         NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT custom_fields__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT custom_fields__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT custom_fields__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT custom_fields__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT custom_fields__entity__ck CHECK (entity IN ('contact', 'company')),
	CONSTRAINT custom_fields__key__ck CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
	CONSTRAINT custom_fields__label__ck CHECK (length(label) BETWEEN 1 AND 200),
	CONSTRAINT custom_fields__type__ck CHECK (type IN ('text', 'number', 'date', 'boolean', 'choice')),
	CONSTRAINT custom_fields__choices__ck CHECK (
		CASE WHEN type = 'choice' THEN cardinality(choices) > 0 AND array_position(choices, NULL) IS NULL
		     ELSE choices IS NULL END)
);
CREATE UNIQUE INDEX custom_fields__key__uq ON crm.custom_fields (org_id, entity, key) WHERE deleted_at IS NULL;

------------------------------------------------------------------------------
-- Campaigns
------------------------------------------------------------------------------
CREATE TABLE crm.campaigns (
	org_id     uuid          NOT NULL,
	id         uuid          NOT NULL DEFAULT crm.uuid_v7(),
	name       text          NOT NULL,
	channel    text          NOT NULL DEFAULT 'other',
	cost       numeric(18,2),
	currency   text,
	starts_on  date,
	ends_on    date,
	notes      text,
	created_at timestamptz   NOT NULL DEFAULT now(),
	updated_at timestamptz   NOT NULL DEFAULT now(),
	created_by uuid,
	updated_by uuid,
	version    int           NOT NULL DEFAULT 1,
	deleted_at timestamptz,
	CONSTRAINT campaigns__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT campaigns__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT campaigns__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT campaigns__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT campaigns__currency__fk FOREIGN KEY (currency) REFERENCES crm.currencies (code),
	CONSTRAINT campaigns__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT campaigns__channel__ck CHECK (channel IN ('sms', 'email', 'phone', 'social', 'web', 'event', 'referral', 'other')),
	CONSTRAINT campaigns__cost__ck CHECK (cost >= 0),
	CONSTRAINT campaigns__currency__ck CHECK (cost IS NULL OR currency IS NOT NULL),
	CONSTRAINT campaigns__ends_on__ck CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns__name__ix ON crm.campaigns (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX campaigns__starts_on__ix ON crm.campaigns (org_id, starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX campaigns__created_at__ix ON crm.campaigns (org_id, created_at, id) WHERE deleted_at IS NULL;

------------------------------------------------------------------------------
-- Companies
------------------------------------------------------------------------------
CREATE TABLE crm.companies (
	org_id        uuid        NOT NULL,
	id            uuid        NOT NULL DEFAULT crm.uuid_v7(),
	name          text        NOT NULL,
	domain        text,
	phones        jsonb       NOT NULL DEFAULT '[]',
	email         text,
	city          text,
	address       text,
	industry      text,
	owner_id      uuid        NOT NULL,
	tags          text[]      NOT NULL DEFAULT '{}',
	tag_keys      text[]      NOT NULL DEFAULT '{}',
	custom_fields jsonb       NOT NULL DEFAULT '{}',
	notes         text,
	search_text   text        NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	created_by    uuid,
	updated_by    uuid,
	version       int         NOT NULL DEFAULT 1,
	deleted_at    timestamptz,
	CONSTRAINT companies__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT companies__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT companies__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT companies__name__ck CHECK (length(name) BETWEEN 1 AND 200),
	CONSTRAINT companies__domain__ck CHECK (domain = lower(domain) AND length(domain) <= 253),
	CONSTRAINT companies__phones__ck CHECK (jsonb_typeof(phones) = 'array'),
	CONSTRAINT companies__custom_fields__ck CHECK (jsonb_typeof(custom_fields) = 'object')
);
CREATE UNIQUE INDEX companies__domain__uq ON crm.companies (org_id, domain) WHERE deleted_at IS NULL AND domain IS NOT NULL;
CREATE INDEX companies__org__ix ON crm.companies (org_id) WHERE deleted_at IS NULL;
CREATE INDEX companies__name__ix ON crm.companies (org_id, name, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__created_at__ix ON crm.companies (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__updated_at__ix ON crm.companies (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX companies__owner__ix ON crm.companies (org_id, owner_id) WHERE deleted_at IS NULL;
-- fastupdate off: no pending list, so searches cost the same right after bulk writes.
CREATE INDEX companies__search__ix ON crm.companies USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX companies__tags__ix ON crm.companies USING gin (tag_keys);

------------------------------------------------------------------------------
-- Contacts
------------------------------------------------------------------------------
CREATE TABLE crm.contacts (
	org_id             uuid        NOT NULL,
	id                 uuid        NOT NULL DEFAULT crm.uuid_v7(),
	first_name         text,
	last_name          text,
	-- display_name as the client gave it; display_name is derived from it
	-- or from the names (or first phone/e-mail) by crm.contacts_derive().
	display_name_given text,
	display_name       text        NOT NULL DEFAULT '',
	phones             jsonb       NOT NULL DEFAULT '[]',
	emails             jsonb       NOT NULL DEFAULT '[]',
	birthday           date,
	city               text,
	address            text,
	job_title          text,
	company_id         uuid,
	lifecycle_stage    text        NOT NULL DEFAULT 'lead',
	lead_source        text,
	campaign_id        uuid,
	lead_score         int         NOT NULL DEFAULT 0,
	tags               text[]      NOT NULL DEFAULT '{}',
	tag_keys           text[]      NOT NULL DEFAULT '{}',
	custom_fields      jsonb       NOT NULL DEFAULT '{}',
	consent            jsonb       NOT NULL DEFAULT '{}',
	preferences        jsonb       NOT NULL DEFAULT '{}',
	notes              text,
	owner_id           uuid        NOT NULL,
	merged_into        uuid,
	search_text        text        NOT NULL DEFAULT '',
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	created_by         uuid,
	updated_by         uuid,
	version            int         NOT NULL DEFAULT 1,
	deleted_at         timestamptz,
	CONSTRAINT contacts__id__uq PRIMARY KEY (org_id, id),
	CONSTRAINT contacts__org_id__fk FOREIGN KEY (org_id) REFERENCES crm.organizations (id),
	CONSTRAINT contacts__owner_id__fk FOREIGN KEY (org_id, owner_id) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__created_by__fk FOREIGN KEY (org_id, created_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__updated_by__fk FOREIGN KEY (org_id, updated_by) REFERENCES crm.users (org_id, id),
	CONSTRAINT contacts__company_id__fk FOREIGN KEY (org_id, company_id) REFERENCES crm.companies (org_id, id),
	CONSTRAINT contacts__campaign_id__fk FOREIGN KEY (org_id, campaign_id) REFERENCES crm.campaigns (org_id, id),
	CONSTRAINT contacts__merged_into__fk FOREIGN KEY (org_id, merged_into) REFERENCES crm.contacts (org_id, id),
	CONSTRAINT contacts__lifecycle_stage__ck CHECK (lifecycle_stage IN ('lead', 'prospect', 'customer', 'inactive')),
	CONSTRAINT contacts__lead_score__ck CHECK (lead_score BETWEEN 0 AND 100),
	CONSTRAINT contacts__lead_source__ck CHECK (length(lead_source) <= 100),
	CONSTRAINT contacts__phones__ck CHECK (jsonb_typeof(phones) = 'array'),
	CONSTRAINT contacts__emails__ck CHECK (jsonb_typeof(emails) = 'array'),
	CONSTRAINT contacts__custom_fields__ck CHECK (jsonb_typeof(custom_fields) = 'object'),
	CONSTRAINT contacts__consent__ck CHECK (jsonb_typeof(consent) = 'object'),
	CONSTRAINT contacts__preferences__ck CHECK (jsonb_typeof(preferences) = 'object' AND octet_length(preferences::text) <= 4096)
);
CREATE INDEX contacts__org__ix ON crm.contacts (org_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__created_at__ix ON crm.contacts (org_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__updated_at__ix ON crm.contacts (org_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__display_name__ix ON crm.contacts (org_id, display_name, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__last_name__ix ON crm.contacts (org_id, (coalesce(last_name, '')), id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__lead_score__ix ON crm.contacts (org_id, lead_score, id) WHERE deleted_at IS NULL;
-- id too: a rep's newest-first page reads this index in order (keyset on id).
CREATE INDEX contacts__owner__ix ON crm.contacts (org_id, owner_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts__company__ix ON crm.contacts (org_id, company_id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts__campaign__ix ON crm.contacts (org_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX contacts__birthday__ix ON crm.contacts (org_id, (crm.month_day(birthday))) WHERE deleted_at IS NULL AND birthday IS NOT NULL;
CREATE INDEX contacts__search__ix ON crm.contacts USING gin (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX contacts__tags__ix ON crm.contacts USING gin (tag_keys);

-- Lookup side tables (derived, maintained by trigger; not audited): every
-- phone key and e-mail address of every contact, for index lookups.
CREATE TABLE crm.contact_phones (
	org_id     uuid NOT NULL,
	contact_id uuid NOT NULL,
	key        text NOT NULL,
	CONSTRAINT contact_phones__key__uq PRIMARY KEY (org_id, key, contact_id),
	CONSTRAINT contact_phones__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id)
);
CREATE INDEX contact_phones__contact__ix ON crm.contact_phones (org_id, contact_id);
CREATE TABLE crm.contact_emails (
	org_id     uuid NOT NULL,
	contact_id uuid NOT NULL,
	address    text NOT NULL,
	CONSTRAINT contact_emails__address__uq PRIMARY KEY (org_id, address, contact_id),
	CONSTRAINT contact_emails__contact_id__fk FOREIGN KEY (org_id, contact_id) REFERENCES crm.contacts (org_id, id)
);
CREATE INDEX contact_emails__contact__ix ON crm.contact_emails (org_id, contact_id);

RESET ROLE;
GRANT SELECT ON crm.currencies TO crm_app;
GRANT SELECT, INSERT, UPDATE ON crm.custom_fields, crm.campaigns, crm.companies, crm.contacts TO crm_app;
GRANT SELECT, INSERT, DELETE ON crm.contact_phones, crm.contact_emails TO crm_app;
