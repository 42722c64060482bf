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
