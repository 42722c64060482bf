-- With the library preloaded, the utility hook gives every audit row the exact text of its own
-- statement at any nesting level, records guarded utility commands and policy changes, and
-- counts blocked rows in shared memory.
\set VERBOSITY terse
-- Earlier tests of the suite wrote rows too: look only at what this test does.
CREATE TEMP TABLE audit_start AS SELECT coalesce(max(id), 0) AS id FROM migration_guard.audit_log;
CREATE FUNCTION wait_for_blocked(n int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. 400 LOOP
        IF (SELECT count(*) FROM migration_guard.audit_blocked WHERE id > (SELECT id FROM audit_start)) >= n THEN RETURN 'written'; END IF;
        PERFORM pg_sleep(0.025);
    END LOOP;
    RETURN 'timed out';
END $$;
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
SELECT wait_for_blocked(2);
SELECT command_tag, object_type, object_identity, statement, decision FROM migration_guard.audit_log
WHERE id > (SELECT id FROM audit_start) AND object_type IN ('setting', 'guard') ORDER BY id;
SELECT preloaded, blocked_queued >= 2 AS queued, blocked_written >= 2 AS written, blocked_dropped FROM migration_guard.audit_status();
