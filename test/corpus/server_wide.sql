-- case: drop role
-- expect: drop-role
-- risk: high
DROP ROLE reporting;

-- case: drop two roles
-- expect: drop-role drop-role
DROP ROLE IF EXISTS old_app, old_admin;

-- case: create and alter roles are not drops
-- expect: none
CREATE ROLE analyst NOLOGIN;
ALTER ROLE analyst NOLOGIN;

-- case: drop tablespace
-- expect: drop-tablespace
-- risk: high
DROP TABLESPACE fast_ssd;

-- case: alter system
-- expect: alter-system
-- risk: high
ALTER SYSTEM SET work_mem = '64MB';

-- case: alter system on the guard's own settings
-- expect: weaken-guard
-- risk: critical
ALTER SYSTEM SET migration_guard.mode = 'off';

-- case: switching the guard's mode in a migration
-- expect: weaken-guard
SET migration_guard.mode = 'warn';

-- case: reset of a guard setting
-- expect: weaken-guard
RESET migration_guard.additive_only;

-- case: presenting an approval is how the guard is meant to be used
-- expect: none
SET migration_guard.approval = 'mg_0123456789abcdef';
SET LOCAL migration_guard.migration_id = '0042_cleanup';

-- case: other settings
-- expect: none
SET statement_timeout = '30s';
SET search_path = app, public;

-- case: disabling the guard's event trigger
-- expect: weaken-guard
ALTER EVENT TRIGGER migration_guard_ddl_start DISABLE;

-- case: dropping the guard's event trigger
-- expect: weaken-guard
DROP EVENT TRIGGER migration_guard_sql_drop;

-- case: dropping the guard itself
-- expect: weaken-guard
DROP EXTENSION migration_guard;

-- case: other event triggers are not the guard
-- expect: none
ALTER EVENT TRIGGER my_audit DISABLE;
DROP EVENT TRIGGER my_audit;

-- case: making the guard stricter is not weakening it
-- expect: none
SET migration_guard.mode = 'enforce';
SET migration_guard.block_at = 'medium';
SET migration_guard.additive_only = on;
SET LOCAL migration_guard.require_distinct_approver = true;

-- case: raising block_at or switching additive_only off weakens it
-- expect: weaken-guard weaken-guard
SET migration_guard.block_at = 'critical';
SET migration_guard.additive_only = off;

-- case: per-role and per-database settings that loosen the guard
-- expect: weaken-guard weaken-guard
ALTER ROLE app_migrator SET migration_guard.mode = 'warn';
ALTER DATABASE app SET migration_guard.additive_only = off;

-- case: per-role settings that tighten it, and unrelated settings
-- expect: none
ALTER ROLE app_migrator SET migration_guard.block_at = 'medium';
ALTER ROLE app_migrator SET statement_timeout = '5min';

-- case: renaming or re-owning the guard's event trigger
-- expect: weaken-guard weaken-guard
ALTER EVENT TRIGGER migration_guard_ddl_start RENAME TO quiet;
ALTER EVENT TRIGGER migration_guard_sql_drop OWNER TO nobody;

-- case: objects that only share the guard's prefix
-- expect: none
ALTER EVENT TRIGGER migration_guard_custom_audit DISABLE;
DROP EXTENSION migration_guard_extras;

-- case: DDL on the guard's own records loosens the guard
-- expect: disable-trigger drop-trigger require-lock-timeout truncate weaken-guard weaken-guard weaken-guard weaken-guard
ALTER TABLE migration_guard.audit_change DISABLE TRIGGER audit_change_append_only;
DROP TRIGGER audit_change_append_only ON migration_guard.audit_change;
ALTER TABLE migration_guard.audit_change ENABLE REPLICA TRIGGER audit_change_append_only;
TRUNCATE migration_guard.approval_use;

-- case: tightening outside_migration is not weakening
-- expect: none
SET migration_guard.outside_migration = 'block';
