-- A non-superuser cannot switch the guard off, read tokens, forge or edit approvals, or drop or
-- disable the guard's triggers.
\set VERBOSITY terse
SELECT current_database() AS dbname \gset
CREATE ROLE mallory LOGIN;
GRANT CREATE ON SCHEMA public TO mallory;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.*'], 'an approval mallory would like') AS token \gset
SET ROLE mallory;
CREATE TABLE mallory_data (id bigint);
INSERT INTO mallory_data VALUES (1);

SET migration_guard.mode = 'off';
SET migration_guard.block_at = 'critical';
SET migration_guard.additive_only = off;
SET migration_guard.require_distinct_approver = off;
SELECT set_config('migration_guard.mode', 'off', false);
SELECT set_config('migration_guard.mode', 'off', true);
ALTER ROLE mallory SET migration_guard.mode = 'off';
ALTER DATABASE :"dbname" SET migration_guard.mode = 'off';
ALTER EVENT TRIGGER migration_guard_ddl_start DISABLE;
DROP EVENT TRIGGER migration_guard_ddl_start;
DROP EXTENSION migration_guard;
DROP FUNCTION migration_guard.on_ddl_command_start();
SET session_replication_role = replica;
CREATE EVENT TRIGGER mallory_trigger ON ddl_command_start EXECUTE FUNCTION migration_guard.on_ddl_command_start();

-- Tokens and approvals cannot be read or written directly; the view shows no token.
SELECT token_hash FROM migration_guard.approval;
INSERT INTO migration_guard.approval (token_hash, rules, objects, reason, approved_by, approved_session_user, valid_until, uses_total, uses_left)
VALUES ('x', '{*}', '{*}', 'forged', 'postgres', 'postgres', now() + interval '1 day', 100, 100);
UPDATE migration_guard.approval SET uses_left = 100;
DELETE FROM migration_guard.approval_use;
SELECT column_name FROM information_schema.columns WHERE table_schema = 'migration_guard' AND table_name = 'approvals' ORDER BY ordinal_position;
SELECT count(*) AS visible_approvals FROM migration_guard.approvals;

-- The guard still holds.
SHOW migration_guard.mode;
DROP TABLE mallory_data;
SELECT count(*) FROM mallory_data;
RESET ROLE;
SELECT evtname, evtenabled FROM pg_event_trigger ORDER BY evtname;

-- A session started with the setting in its options: the placeholder a non-superuser creates is
-- discarded when the guard loads (with a warning), so the guard stays on.
\c -reuse-previous=on "user=mallory options='-c migration_guard.mode=off'"
SELECT migration_guard.preloaded();  -- the first call into the library loads it
SHOW migration_guard.mode;
DROP TABLE mallory_data;
\c - postgres

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP OWNED BY mallory;
DROP ROLE mallory;
RESET migration_guard.mode;
