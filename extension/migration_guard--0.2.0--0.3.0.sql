-- migration_guard 0.2.0 -> 0.3.0 (docs/setup.md, "Upgrading the extension").
\echo Use "ALTER EXTENSION migration_guard UPDATE TO '0.3.0'" to load this file. \quit

-- The library's version (pg_extension.extversion is the SQL's).
CREATE FUNCTION migration_guard.version() RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_version' LANGUAGE C STABLE PARALLEL SAFE;

-- Rows a logical replication worker brings into the guard's tables are dropped: a FOR ALL TABLES
-- publication publishes them, and a subscriber keeps its own history and approvals.
CREATE FUNCTION migration_guard.skip_replicated() RETURNS trigger
AS 'MODULE_PATHNAME', 'migration_guard_skip_replicated' LANGUAGE C;
REVOKE ALL ON FUNCTION migration_guard.skip_replicated() FROM PUBLIC;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['approval', 'approval_use', 'audit_change', 'audit_blocked', 'tool_migration',
                             'migration_run', 'kept_item'] LOOP
        EXECUTE format('CREATE TRIGGER skip_replicated BEFORE INSERT OR UPDATE OR DELETE ON migration_guard.%I '
                       'FOR EACH ROW EXECUTE FUNCTION migration_guard.skip_replicated()', t);
        EXECUTE format('ALTER TABLE migration_guard.%I ENABLE ALWAYS TRIGGER skip_replicated', t);
    END LOOP;
END
$$;

-- Ids of approvals and migration runs continue after a restore: their sequences are dumped.
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('migration_guard.approval', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('migration_guard.migration_run', 'id'), '');
-- ... and readable by anyone, so that the database owner's pg_dump can read them (they say how
-- many approvals and migration runs there were, nothing more).
GRANT SELECT ON SEQUENCE migration_guard.approval_id_seq, migration_guard.migration_run_id_seq TO PUBLIC;
