-- sql/api/auth.sql: login throttle, refresh rotation and reuse detection, logout.
BEGIN;
\ir fixtures.psql
SELECT plan(21);
SET ROLE crm_app;

-- Throttle by e-mail: 4 failures pass, the 5th locks.
SELECT is((api.login_fail('{"request_id":"f","ip":"192.0.2.1"}', '{"email":"rep@one.test"}')).status, 204, 'login_fail answers 204');
SELECT api.login_fail('{"request_id":"f","ip":"192.0.2.1"}', '{"email":"rep@one.test"}') FROM generate_series(1, 3);
SELECT is((api.login_lookup('{"request_id":"l","ip":"192.0.2.1"}', '{"email":"rep@one.test"}')).body::jsonb->'locked_for',
          'null'::jsonb, 'four failures: not locked');
SELECT is(jsonb_array_length((api.login_lookup('{"request_id":"l","ip":"192.0.2.1"}', '{"email":"rep@one.test"}')).body::jsonb->'candidates'),
          1, 'four failures: the candidate is returned');
SELECT api.login_fail('{"request_id":"f","ip":"192.0.2.1"}', '{"email":"rep@one.test"}');
SELECT ok(((api.login_lookup('{"request_id":"l","ip":"192.0.2.77"}', '{"email":"rep@one.test"}')).body::jsonb->>'locked_for')::int
          BETWEEN 1 AND 900, 'five failures: locked for up to 15 minutes');
SELECT is((api.login_lookup('{"request_id":"l","ip":"192.0.2.77"}', '{"email":"rep@one.test"}')).body::jsonb->'candidates',
          '[]'::jsonb, 'locked: no candidates');
SELECT is((api.login_lookup('{"request_id":"l","ip":"192.0.2.1"}', '{"email":"manager@one.test"}')).body::jsonb->'locked_for',
          'null'::jsonb, 'another e-mail from the same ip is not locked yet');

-- Throttle by ip: 100 failures across e-mails lock the address.
SELECT api.login_fail('{"request_id":"f","ip":"198.51.100.7"}', jsonb_build_object('email', 'nobody' || i || '@x.test'))
  FROM generate_series(1, 99) i;
SELECT is((api.login_lookup('{"request_id":"l","ip":"198.51.100.7"}', '{"email":"manager@one.test"}')).body::jsonb->'locked_for',
          'null'::jsonb, 'ninety-nine failures from one ip do not lock it');
SELECT api.login_fail('{"request_id":"f","ip":"198.51.100.7"}', '{"email":"nobody100@x.test"}');
SELECT ok(((api.login_lookup('{"request_id":"l","ip":"198.51.100.7"}', '{"email":"manager@one.test"}')).body::jsonb->>'locked_for')::int
          >= 1, 'a hundredth failure from one ip locks that ip');
SELECT is((api.login_lookup('{"request_id":"l","ip":"198.51.100.8"}', '{"email":"manager@one.test"}')).body::jsonb->'locked_for',
          'null'::jsonb, 'other ips are not locked');

-- Candidates filtered by organization slug.
SELECT is(jsonb_array_length((api.login_lookup('{"request_id":"l","ip":"192.0.2.9"}', '{"email":"admin@one.test","organization":"tap-two"}')).body::jsonb->'candidates'),
          0, 'organization filter excludes other orgs');

-- Successful login clears the e-mail's failures and opens a refresh family.
SELECT is((api.login_succeed('{"request_id":"s","ip":"192.0.2.1"}',
           jsonb_build_object('user_id', rep1, 'org_id', org1, 'refresh_hash', 'rt-1', 'refresh_ttl', 3600))).status,
          200, 'login_succeed answers 200') FROM fx;
SELECT is((api.login_lookup('{"request_id":"l","ip":"192.0.2.1"}', '{"email":"rep@one.test"}')).body::jsonb->'locked_for',
          'null'::jsonb, 'login_succeed clears the e-mail''s failures');

-- Rotation.
SELECT is((api.refresh_rotate('{"request_id":"r","ip":"192.0.2.1"}', '{"old_hash":"rt-1","new_hash":"rt-2","refresh_ttl":3600}')).body::jsonb->'user'->>'id',
          (SELECT rep1::text FROM fx), 'refresh_rotate returns the user');
SELECT isnt((SELECT used_at FROM crm.refresh_tokens WHERE token_hash = 'rt-1'), NULL, 'the old token is marked used');
SELECT is((SELECT count(DISTINCT family_id)::int FROM crm.refresh_tokens WHERE token_hash IN ('rt-1', 'rt-2')), 1,
          'the new token stays in the family');

-- Reuse of rt-1: returned 401 (not raised, so the revocation commits).
SELECT is((api.refresh_rotate('{"request_id":"r","ip":"192.0.2.1"}', '{"old_hash":"rt-1","new_hash":"rt-3","refresh_ttl":3600}')).status,
          401, 'reusing a rotated token answers 401');
SELECT is((SELECT count(*)::int FROM crm.refresh_tokens WHERE token_hash IN ('rt-1', 'rt-2') AND revoked_at IS NULL), 0,
          'reuse revokes the whole family');
SELECT throws_ok('SELECT api.refresh_rotate(''{"request_id":"r","ip":"192.0.2.1"}'', ''{"old_hash":"rt-2","new_hash":"rt-4","refresh_ttl":3600}'')',
                 'CR401', NULL, 'the family''s live token no longer works');
SELECT throws_ok('SELECT api.refresh_rotate(''{"request_id":"r","ip":"192.0.2.1"}'', ''{"old_hash":"unknown","new_hash":"rt-5","refresh_ttl":3600}'')',
                 'CR401', NULL, 'an unknown token is 401');

-- Logout revokes the family.
SELECT api.login_succeed('{"request_id":"s","ip":"192.0.2.1"}',
       jsonb_build_object('user_id', manager1, 'org_id', org1, 'refresh_hash', 'rt-m1', 'refresh_ttl', 3600)) FROM fx;
SELECT is((api.logout('{"request_id":"o","ip":"192.0.2.1"}', '{"refresh_hash":"rt-m1"}')).status, 204, 'logout answers 204');
SELECT throws_ok('SELECT api.refresh_rotate(''{"request_id":"r","ip":"192.0.2.1"}'', ''{"old_hash":"rt-m1","new_hash":"rt-m2","refresh_ttl":3600}'')',
                 'CR401', NULL, 'a logged-out token is 401');


RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
