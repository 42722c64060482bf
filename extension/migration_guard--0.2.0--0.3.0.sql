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

-- Data changes (DELETE, UPDATE, MERGE) are judged by the rows they delete or overwrite: how many,
-- per table, on record.
ALTER TABLE migration_guard.audit_change ADD COLUMN rows_affected bigint;
ALTER TABLE migration_guard.audit_blocked ADD COLUMN rows_affected bigint;
CREATE OR REPLACE VIEW migration_guard.audit_log AS
SELECT a.id, a.logged_at, a.role_name, a.session_role, a.application_name, a.client_addr, a.backend_pid, a.xid,
       a.command_tag, a.object_type, a.object_identity, a.statement, a.rules, a.risk, a.decision, a.approval_id,
       coalesce(a.migration_id, t.migration_id) AS migration_id, t.tool, a.undo_sql, a.rows_affected
FROM (
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           undo_sql, rows_affected
    FROM migration_guard.audit_change
    UNION ALL
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           NULL::text, rows_affected
    FROM migration_guard.audit_blocked
) a
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id FROM migration_guard.tool_migration tm
    WHERE tm.xid = a.xid ORDER BY tm.id LIMIT 1
) t ON true
ORDER BY a.logged_at DESC, a.id DESC;

-- A data change keeps the rows it overwrote, to be put back by key.
ALTER TABLE migration_guard.kept_item DROP CONSTRAINT kept_item_kind_check;
ALTER TABLE migration_guard.kept_item ADD CONSTRAINT kept_item_kind_check
    CHECK (kind IN ('table', 'column', 'rows', 'overwritten'));

-- Tables wiped by design (a queue, a cache): their data changes are not judged. Only a superuser
-- exempts one, through the function below, which records it in the audit log.
CREATE TABLE migration_guard.data_change_exemption (
    relid oid PRIMARY KEY,
    table_name text NOT NULL,
    reason text NOT NULL CHECK (btrim(reason) <> ''),
    exempted_by name NOT NULL,
    exempted_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON migration_guard.data_change_exemption FROM PUBLIC;
GRANT SELECT ON migration_guard.data_change_exemption TO migration_guard_auditor, migration_guard_approver;
CREATE TRIGGER skip_replicated BEFORE INSERT OR UPDATE OR DELETE ON migration_guard.data_change_exemption
    FOR EACH ROW EXECUTE FUNCTION migration_guard.skip_replicated();
ALTER TABLE migration_guard.data_change_exemption ENABLE ALWAYS TRIGGER skip_replicated;
CREATE FUNCTION migration_guard.exempt_from_data_changes(tbl regclass, reason text, exempt boolean DEFAULT true)
RETURNS void AS 'MODULE_PATHNAME', 'migration_guard_exempt_from_data_changes' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION migration_guard.exempt_from_data_changes(regclass, text, boolean) FROM PUBLIC;
COMMENT ON FUNCTION migration_guard.exempt_from_data_changes(regclass, text, boolean) IS
    'Exempts a table wiped by design from the judgement of data changes (exempt => false ends it); superusers only, on record';

-- A use's statement (a data change's may hold values) is shown to the role that ran it, auditors
-- and approvers only; everyone sees who used an approval, when, for what.
CREATE OR REPLACE VIEW migration_guard.approvals AS
SELECT a.id, a.rules, a.objects, a.reason, a.approved_by, a.approved_at, a.valid_until,
       a.uses_total, a.uses_left, a.for_role,
       (a.uses_left > 0 AND a.valid_until > clock_timestamp()) AS active,
       coalesce(u.uses, '[]'::jsonb) AS used_by, a.pairs, a.migration_id
FROM migration_guard.approval a
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('used_at', au.used_at, 'role', au.used_by, 'command', au.command_tag,
                                        'statement', CASE WHEN au.used_by = current_user OR pg_catalog.pg_has_role('migration_guard_auditor', 'USAGE')
                                                          OR pg_catalog.pg_has_role('migration_guard_approver', 'USAGE')
                                                     THEN au.statement END, 'rules', au.rules, 'objects', au.objects)
                     ORDER BY au.used_at) AS uses
    FROM migration_guard.approval_use au WHERE au.approval_id = a.id
) u ON true
ORDER BY a.approved_at DESC, a.id DESC;

