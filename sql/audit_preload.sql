-- With the library preloaded, the utility hook gives every audit row the exact text of its own
-- statement at any nesting level, records guarded utility commands and policy changes, and
-- counts blocked rows in shared memory.
\set VERBOSITY terse
-- audit_start: where this test begins in the log; wait_for_blocked(n): the workers caught up.
\getenv abs_srcdir PG_ABS_SRCDIR
\set audit_setup :abs_srcdir '/sql/include/audit_start.sql'
\i :audit_setup
CREATE TABLE parts (id bigint PRIMARY KEY, code text);
INSERT INTO parts VALUES (1, 'a');
CREATE FUNCTION add_weight() RETURNS void LANGUAGE plpgsql AS $$
BEGIN ALTER TABLE parts ADD COLUMN weight numeric; END $$;
SELECT add_weight();
DO $$ BEGIN EXECUTE 'CREATE INDEX parts_code_idx ON parts (code)'; END $$;
SELECT command_tag, object_identity, statement FROM migration_guard.audit_log
WHERE id > (SELECT id FROM audit_start) AND command_tag <> 'CREATE FUNCTION' ORDER BY id;

-- Guarded utility commands are on record, blocked or approved.
TRUNCATE parts;
SELECT wait_for_blocked(1);
SELECT migration_guard.approve(ARRAY['truncate'], ARRAY['public.parts'], 'reset test data') AS token \gset
SET migration_guard.approval = :'token';
TRUNCATE parts;
RESET migration_guard.approval;
SELECT command_tag, object_type, object_identity, statement, rules, decision, approval_id IS NOT NULL AS approved
FROM migration_guard.audit_log WHERE id > (SELECT id FROM audit_start) AND command_tag LIKE 'TRUNCATE%' ORDER BY id;

-- Changes of the guard's policy are on record, refused or not.
SET migration_guard.block_at = 'medium';
SET migration_guard.mode = 'off';
SET migration_guard.block_at = 'critical';
SELECT wait_for_blocked(3);
SELECT command_tag, object_type, object_identity, statement, decision FROM migration_guard.audit_log
WHERE id > (SELECT id FROM audit_start) AND object_type IN ('setting', 'guard') ORDER BY statement;  -- workers race
SELECT preloaded, blocked_queued >= 3 AS queued, blocked_written >= 3 AS written, blocked_dropped FROM migration_guard.audit_status();
