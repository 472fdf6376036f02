-- Demo data for `make run`: two organizations, one team. Idempotent: every
-- insert skips rows that already exist, so a second run changes nothing.
-- Usage: scripts/db.sh seed sql/seed/demo.sql (CRM_DEMO_PWHASH = argon2id hash).
\set ON_ERROR_STOP 1
BEGIN;
SET LOCAL crm.actor_system = 'seed';

INSERT INTO crm.organizations (name, slug) VALUES
	('Demo Trading Co.', 'demo'),
	('Other Org', 'other')
ON CONFLICT (slug) DO NOTHING;

INSERT INTO crm.users (org_id, email, name, role, password_hash)
SELECT o.id, v.email, v.name, v.role, :'pwhash'
  FROM (VALUES
	('demo', 'admin@demo.test', 'Sara Ahmadi', 'admin'),
	('demo', 'manager@demo.test', 'Reza Karimi', 'manager'),
	('demo', 'rep1@demo.test', 'Ali Rezaei', 'rep'),
	('demo', 'rep2@demo.test', 'Maryam Hosseini', 'rep'),
	('other', 'admin@other.test', 'Other Admin', 'admin')
  ) AS v(slug, email, name, role)
  JOIN crm.organizations o ON o.slug = v.slug
ON CONFLICT (org_id, lower(email)) DO NOTHING;

INSERT INTO crm.teams (org_id, name, description, created_by, updated_by)
SELECT o.id, 'Tehran Field Sales', 'Field reps covering Tehran', u.id, u.id
  FROM crm.organizations o
  JOIN crm.users u ON u.org_id = o.id AND u.email = 'admin@demo.test'
 WHERE o.slug = 'demo'
ON CONFLICT (org_id, lower(name)) WHERE deleted_at IS NULL DO NOTHING;

INSERT INTO crm.team_members (org_id, team_id, user_id, created_by, updated_by)
SELECT o.id, t.id, u.id, a.id, a.id
  FROM crm.organizations o
  JOIN crm.teams t ON t.org_id = o.id AND t.name = 'Tehran Field Sales' AND t.deleted_at IS NULL
  JOIN crm.users a ON a.org_id = o.id AND a.email = 'admin@demo.test'
  JOIN crm.users u ON u.org_id = o.id AND u.email IN ('manager@demo.test', 'rep1@demo.test', 'rep2@demo.test')
 WHERE o.slug = 'demo'
ON CONFLICT (org_id, team_id, user_id) DO NOTHING;

COMMIT;
