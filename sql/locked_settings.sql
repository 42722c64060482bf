-- migration_guard.locked = on in the server configuration: the policy settings keep their
-- configured values; no SET, set_config(), ALTER ROLE/DATABASE SET or PGOPTIONS changes them,
-- not even for a superuser.
\set VERBOSITY terse
SELECT current_database() AS dbname \gset
SHOW migration_guard.locked;
SHOW migration_guard.mode;
SET migration_guard.mode = 'off';
SELECT set_config('migration_guard.mode', 'off', false);
SELECT set_config('migration_guard.block_at', 'critical', true);
SET migration_guard.additive_only = off;
SET migration_guard.data_checks = off;
SET migration_guard.require_distinct_approver = off;
ALTER ROLE CURRENT_USER SET migration_guard.mode = 'off';
ALTER DATABASE :"dbname" SET migration_guard.mode = 'warn';
SET migration_guard.locked = off;
-- Even with an approval for weaken-guard, a locked setting does not move.
SELECT migration_guard.approve(ARRAY['weaken-guard'], ARRAY['*'], 'try to unlock') AS token \gset
SET migration_guard.approval = :'token';
SET migration_guard.mode = 'off';
ALTER SYSTEM SET migration_guard.locked = off;
RESET migration_guard.approval;
SHOW migration_guard.mode;
-- (A session asking for it in its startup options, PGOPTIONS, is refused: test/sessions.)
-- Settings that tune risk are policy too; the ones that name a migration or present an approval are not.
SET migration_guard.rls_schemas = 'api';
SET migration_guard.migration_id = '0042_locked';
SHOW migration_guard.migration_id;
-- And the guard still guards.
CREATE TABLE kept (id bigint);
INSERT INTO kept VALUES (1);
DROP TABLE kept;
-- Approval requests need no setting: granted by id, the plain retry goes through.
CREATE ROLE locked_runner LOGIN;
ALTER TABLE kept OWNER TO locked_runner;
\c - locked_runner
DROP TABLE kept;
\c - postgres
DO $$ BEGIN
    FOR i IN 1 .. 400 LOOP
        EXIT WHEN EXISTS (SELECT FROM migration_guard.requests WHERE role = 'locked_runner');
        PERFORM pg_sleep(0.025);
    END LOOP;
END $$;
SELECT migration_guard.approve_request(id, 'locked server, one step') IS NOT NULL AS granted
FROM migration_guard.requests WHERE role = 'locked_runner';
\c - locked_runner
DROP TABLE kept;
\c - postgres
SELECT status FROM migration_guard.requests WHERE role = 'locked_runner';
SELECT migration_guard.approve(ARRAY['drop-role'], ARRAY['locked_runner'], 'cleanup') AS token \gset
SET migration_guard.approval = :'token';
DROP ROLE locked_runner;
RESET migration_guard.approval;
