-- Earlier tests of the suite wrote rows too: look only at what this test does.
CREATE TEMP TABLE audit_start AS SELECT coalesce(max(id), 0) AS id FROM migration_guard.audit_log;
-- Waits until the background workers have written the blocked attempts they were given.
CREATE FUNCTION wait_for_blocked(n int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. 400 LOOP
        IF (SELECT count(*) FROM migration_guard.audit_blocked WHERE id > (SELECT id FROM audit_start)) >= n THEN RETURN 'written'; END IF;
        PERFORM pg_sleep(0.025);
    END LOOP;
    RETURN 'timed out';
END $$;
