-- migration_guard 0.4.0: the SQL surface of the rule engine.
\echo Use "CREATE EXTENSION migration_guard" to load this file. \quit

-- A schema of this name made beforehand by an ordinary role would let that role revoke the
-- approvers' and auditors' access to everything below: only a superuser's is used.
DO $$
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
            WHERE n.nspname = 'migration_guard') THEN
        RAISE EXCEPTION 'schema migration_guard already exists and belongs to an ordinary role'
            USING HINT = 'Drop or rename that schema (or give it to a superuser), then CREATE EXTENSION migration_guard again.';
    END IF;
END
$$;

GRANT USAGE ON SCHEMA migration_guard TO PUBLIC;

CREATE TYPE migration_guard.risk AS ENUM ('low', 'medium', 'high', 'critical');
COMMENT ON TYPE migration_guard.risk IS 'Risk of a schema change: low < medium < high < critical';

-- Every finding with everything the engine knows about it; classify() and risk() are views of it.
CREATE FUNCTION migration_guard.analyze_text(
    sql text,
    OUT statement int, OUT command text, OUT rule text, OUT risk text, OUT category text,
    OUT lock_mode text, OUT rewrites_table boolean, OUT message text, OUT hint text,
    OUT location int, OUT line int, OUT col int, OUT object text, OUT scans_table boolean,
    OUT statement_location int, OUT statement_length int)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'migration_guard_analyze_text'
LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION migration_guard.classify(sql text)
RETURNS TABLE (statement int, command text, rule text, risk migration_guard.risk, category text,
               lock_mode text, rewrites_table boolean, message text, hint text)
LANGUAGE sql STRICT VOLATILE
AS $$
    SELECT a.statement, a.command, a.rule, a.risk::migration_guard.risk, a.category,
           a.lock_mode, a.rewrites_table, a.message, a.hint
    FROM migration_guard.analyze_text(sql) AS a
$$;
COMMENT ON FUNCTION migration_guard.classify(text) IS
    'One row per finding of each statement of a migration text (rule NULL and risk low when a statement has none)';

CREATE FUNCTION migration_guard.classify_verbose(sql text)
RETURNS TABLE (statement int, command text, rule text, risk migration_guard.risk, category text,
               lock_mode text, rewrites_table boolean, scans_table boolean, object text,
               location int, line int, col int, message text, hint text)
LANGUAGE sql STRICT VOLATILE
AS $$
    SELECT a.statement, a.command, a.rule, a.risk::migration_guard.risk, a.category,
           a.lock_mode, a.rewrites_table, a.scans_table, a.object, a.location, a.line, a.col,
           a.message, a.hint
    FROM migration_guard.analyze_text(sql) AS a
$$;
COMMENT ON FUNCTION migration_guard.classify_verbose(text) IS
    'classify() plus the object, position (byte offset, line, column) and whether the table is scanned';

CREATE FUNCTION migration_guard.risk(sql text)
RETURNS migration_guard.risk
AS 'MODULE_PATHNAME', 'migration_guard_risk'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION migration_guard.risk(text) IS 'The highest risk of any statement in a migration text';

-- Without this overload, risk('DROP TABLE t') would be read as a cast of the literal to the
-- type migration_guard.risk (PostgreSQL treats typename('literal') as a cast).
CREATE FUNCTION migration_guard.risk(sql unknown)
RETURNS migration_guard.risk
AS 'MODULE_PATHNAME', 'migration_guard_risk'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION migration_guard.risk(unknown) IS 'The highest risk of any statement in a migration text';

CREATE FUNCTION migration_guard.rules(
    OUT rule text, OUT risk text, OUT category text, OUT summary text, OUT additive boolean,
    OUT server_only boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'migration_guard_rules'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION migration_guard.rules() IS
    'The rule catalog: id, default risk, category, summary, whether it is purely additive, whether only the server sees it';

------------------------------------------------------------------------------------------------
-- Approvals
------------------------------------------------------------------------------------------------

-- Roles are cluster-wide: another database may already have created it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'migration_guard_approver') THEN
        CREATE ROLE migration_guard_approver NOLOGIN;
    END IF;
END
$$;

-- Only a hash of each token is stored; the token itself is shown once, by approve().
-- Ids of the guard's own rows, without a sequence: a nextval() inside the guard would change the
-- session's lastval(). The writing transaction's id, shifted, plus a counter within it.
CREATE FUNCTION migration_guard.row_id() RETURNS bigint
AS 'MODULE_PATHNAME', 'migration_guard_row_id' LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION migration_guard.row_id() FROM PUBLIC;

CREATE TABLE migration_guard.approval (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    rules text[] NOT NULL,
    objects text[] NOT NULL,
    reason text NOT NULL CHECK (btrim(reason) <> ''),
    approved_by name NOT NULL,
    approved_session_user name NOT NULL,
    approved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    valid_until timestamptz NOT NULL,
    uses_total int NOT NULL CHECK (uses_total > 0),
    uses_left int NOT NULL CHECK (uses_left >= 0),
    for_role name,  -- NULL: any role may present it
    -- A whole-migration approval (approve_migration): exactly these "rule:object" pairs, not
    -- every rule on every object; NULL for approve()'s rules x objects.
    pairs text[],
    migration_id text,  -- approve_migration(..., migration_id): only for that migration
    -- The database it was issued for (system identifier, database oid, timeline): a copy, a
    -- restore, a logical subscriber or a promoted replica never honours it. NULL: issued before 0.2.0.
    issued_on text
);

CREATE TABLE migration_guard.approval_use (
    id bigint PRIMARY KEY DEFAULT migration_guard.row_id(),
    approval_id bigint NOT NULL REFERENCES migration_guard.approval (id),
    used_at timestamptz NOT NULL DEFAULT now(),
    used_by name NOT NULL,
    session_user_name name NOT NULL,
    command_tag text NOT NULL,
    statement text NOT NULL,
    rules text[] NOT NULL,
    objects text[] NOT NULL,
    backend_pid int NOT NULL,
    xid xid8
);
CREATE INDEX approval_use_approval_idx ON migration_guard.approval_use (approval_id);

REVOKE ALL ON migration_guard.approval, migration_guard.approval_use FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('migration_guard.approval', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.approval_use', '');

CREATE FUNCTION migration_guard.approve(
    rules text[], objects text[], reason text, uses int DEFAULT 1, valid_for interval DEFAULT '1 hour',
    for_role name DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_approve'
LANGUAGE C VOLATILE;

CREATE FUNCTION migration_guard.approve_migration(
    migration text, reason text, valid_for interval DEFAULT '1 hour', for_role name DEFAULT NULL,
    migration_id text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_approve_migration'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_guard.approve_migration(text, text, interval, name, text) IS
    'One token for a whole migration: exactly the blocked (rule, object) pairs of its text, one use per statement that needs it';
COMMENT ON FUNCTION migration_guard.approve(text[], text[], text, int, interval, name) IS
    'Issues an approval token for these rule ids on these object patterns (superusers and migration_guard_approver)';
REVOKE ALL ON FUNCTION migration_guard.approve(text[], text[], text, int, interval, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.approve(text[], text[], text, int, interval, name) TO migration_guard_approver;
REVOKE ALL ON FUNCTION migration_guard.approve_migration(text, text, interval, name, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.approve_migration(text, text, interval, name, text) TO migration_guard_approver;

CREATE VIEW migration_guard.approvals AS
SELECT a.id, a.rules, a.objects, a.reason, a.approved_by, a.approved_at, a.valid_until,
       a.uses_total, a.uses_left, a.for_role,
       (a.uses_left > 0 AND a.valid_until > clock_timestamp()) AS active,
       coalesce(u.uses, '[]'::jsonb) AS used_by, a.pairs, a.migration_id
FROM migration_guard.approval a
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('used_at', au.used_at, 'role', au.used_by, 'command', au.command_tag,
                                        'statement', au.statement, 'rules', au.rules, 'objects', au.objects)
                     ORDER BY au.used_at) AS uses
    FROM migration_guard.approval_use au WHERE au.approval_id = a.id
) u ON true
ORDER BY a.approved_at DESC, a.id DESC;
COMMENT ON VIEW migration_guard.approvals IS 'Approvals (never their tokens): who, when, why, scope, uses left, expiry, and the statements that used them';
GRANT SELECT ON migration_guard.approvals TO PUBLIC;

------------------------------------------------------------------------------------------------
-- Enforcement: event triggers (ENABLE ALWAYS, so session_replication_role = replica does not
-- switch them off) and what the guard covers right now.
------------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.on_ddl_command_start() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migration_guard_on_ddl_command_start' LANGUAGE C;
CREATE FUNCTION migration_guard.on_sql_drop() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migration_guard_on_sql_drop' LANGUAGE C;
CREATE FUNCTION migration_guard.on_table_rewrite() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migration_guard_on_table_rewrite' LANGUAGE C;

CREATE EVENT TRIGGER migration_guard_ddl_start ON ddl_command_start
    EXECUTE FUNCTION migration_guard.on_ddl_command_start();
CREATE EVENT TRIGGER migration_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION migration_guard.on_sql_drop();
CREATE EVENT TRIGGER migration_guard_table_rewrite ON table_rewrite
    EXECUTE FUNCTION migration_guard.on_table_rewrite();
ALTER EVENT TRIGGER migration_guard_ddl_start ENABLE ALWAYS;
ALTER EVENT TRIGGER migration_guard_sql_drop ENABLE ALWAYS;
ALTER EVENT TRIGGER migration_guard_table_rewrite ENABLE ALWAYS;

CREATE FUNCTION migration_guard.preloaded() RETURNS boolean
AS 'MODULE_PATHNAME', 'migration_guard_preloaded' LANGUAGE C STABLE;
COMMENT ON FUNCTION migration_guard.preloaded() IS
    'Whether the library is in shared_preload_libraries (its utility hook then guards what event triggers cannot see)';

CREATE FUNCTION migration_guard.coverage(
    OUT command text, OUT guarded boolean, OUT mechanism text, OUT note text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH state AS (
        SELECT migration_guard.preloaded() AS preloaded,
               current_setting('migration_guard.mode') AS mode,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_ddl_start') AS ddl_start,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_sql_drop') AS sql_drop,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_table_rewrite') AS table_rewrite,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_ddl_end') AS ddl_end
    ),
    surface(ord, command, mechanism) AS (VALUES
        (1, 'CREATE / ALTER / DROP of tables, columns, constraints, indexes, views, sequences, types, functions, schemas, extensions', 'event trigger migration_guard_ddl_start'),
        (2, 'REFRESH MATERIALIZED VIEW', 'event trigger migration_guard_ddl_start'),
        (3, 'tables and columns destroyed by CASCADE, DROP OWNED, DROP SCHEMA, DROP TYPE, DROP EXTENSION', 'event trigger migration_guard_sql_drop'),
        (4, 'rewrites of tables larger than migration_guard.rewrite_threshold', 'event trigger migration_guard_table_rewrite'),
        (4.5, 'the audit log of changes', 'event trigger migration_guard_ddl_end'),
        (5, 'TRUNCATE', 'utility hook'),
        (6, 'DROP DATABASE', 'utility hook'),
        (7, 'ALTER SYSTEM', 'utility hook'),
        (8, 'DROP ROLE', 'utility hook'),
        (9, 'DROP TABLESPACE', 'utility hook'),
        (10, 'VACUUM FULL, CLUSTER, REINDEX', 'utility hook'),
        (11, 'ALTER / RENAME / DROP EVENT TRIGGER on the guard''s triggers', 'utility hook'),
        (12, 'SET / RESET and ALTER ROLE / DATABASE SET of migration_guard settings', 'utility hook'),
        (13, 'GRANT / REVOKE on objects in the database, ALTER DEFAULT PRIVILEGES: recorded', 'event trigger migration_guard_ddl_end'),
        (14, 'roles, memberships, databases, tablespaces, event triggers, GRANT on them, REASSIGN OWNED: recorded', 'utility hook')
    )
    SELECT s.command,
           st.mode <> 'off' AND CASE s.mechanism
               WHEN 'utility hook' THEN st.preloaded
               WHEN 'event trigger migration_guard_ddl_start' THEN st.ddl_start
               WHEN 'event trigger migration_guard_sql_drop' THEN st.sql_drop
               WHEN 'event trigger migration_guard_ddl_end' THEN st.ddl_end
               ELSE st.table_rewrite END,
           s.mechanism,
           CASE
               WHEN st.mode = 'off' THEN 'migration_guard.mode is off'
               WHEN s.mechanism = 'utility hook' AND NOT st.preloaded
                   THEN 'not guarded: needs shared_preload_libraries = ''migration_guard'' and a restart'
               WHEN s.mechanism LIKE 'event trigger%' AND NOT CASE s.mechanism
                        WHEN 'event trigger migration_guard_ddl_start' THEN st.ddl_start
                        WHEN 'event trigger migration_guard_sql_drop' THEN st.sql_drop
                        WHEN 'event trigger migration_guard_ddl_end' THEN st.ddl_end
                        ELSE st.table_rewrite END
                   THEN 'not guarded: the event trigger is missing or disabled'
               WHEN st.mode = 'warn' THEN 'guarded in warn mode: reported, not blocked'
               WHEN st.mode = 'audit' THEN 'guarded in audit mode: recorded only'
               ELSE 'guarded'
           END
    FROM surface s CROSS JOIN state st
    ORDER BY s.ord
$$;
COMMENT ON FUNCTION migration_guard.coverage() IS 'Which commands the guard sees right now, and through what';

------------------------------------------------------------------------------------------------
-- Audit log: every schema change on record, blocked attempts too, append-only.
------------------------------------------------------------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'migration_guard_auditor') THEN
        CREATE ROLE migration_guard_auditor NOLOGIN;
    END IF;
END
$$;

-- Changes, written in the changing transaction.
CREATE TABLE migration_guard.audit_change (
    id bigint PRIMARY KEY DEFAULT migration_guard.row_id(),
    logged_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    role_name text NOT NULL,
    session_role text NOT NULL,
    application_name text,
    client_addr inet,
    backend_pid int NOT NULL,
    xid xid8,
    command_tag text NOT NULL,
    object_type text,
    object_identity text,
    statement text,
    rules text[] NOT NULL DEFAULT '{}',
    risk migration_guard.risk NOT NULL DEFAULT 'low',
    decision text NOT NULL CHECK (decision IN ('allowed', 'warned', 'approved', 'blocked')),
    approval_id bigint,
    migration_id text,
    -- The SQL that undoes the change, or a comment saying why none exists (undo_script()).
    undo_sql text
);
-- Blocked attempts, written by a background worker after the attempt's transaction aborted.
CREATE TABLE migration_guard.audit_blocked (LIKE migration_guard.audit_change INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE migration_guard.audit_blocked ADD PRIMARY KEY (id);
CREATE INDEX audit_change_logged_at_idx ON migration_guard.audit_change (logged_at);
CREATE INDEX audit_blocked_logged_at_idx ON migration_guard.audit_blocked (logged_at);
CREATE INDEX audit_change_migration_idx ON migration_guard.audit_change (migration_id);

CREATE FUNCTION migration_guard.audit_append_only() RETURNS trigger
AS 'MODULE_PATHNAME', 'migration_guard_audit_append_only' LANGUAGE C;
CREATE TRIGGER audit_change_append_only BEFORE UPDATE OR DELETE ON migration_guard.audit_change
    FOR EACH ROW EXECUTE FUNCTION migration_guard.audit_append_only();
CREATE TRIGGER audit_change_no_truncate BEFORE TRUNCATE ON migration_guard.audit_change
    FOR EACH STATEMENT EXECUTE FUNCTION migration_guard.audit_append_only();
CREATE TRIGGER audit_blocked_append_only BEFORE UPDATE OR DELETE ON migration_guard.audit_blocked
    FOR EACH ROW EXECUTE FUNCTION migration_guard.audit_append_only();
CREATE TRIGGER audit_blocked_no_truncate BEFORE TRUNCATE ON migration_guard.audit_blocked
    FOR EACH STATEMENT EXECUTE FUNCTION migration_guard.audit_append_only();
-- ... also in replica mode.
ALTER TABLE migration_guard.audit_change ENABLE ALWAYS TRIGGER audit_change_append_only;
ALTER TABLE migration_guard.audit_change ENABLE ALWAYS TRIGGER audit_change_no_truncate;
ALTER TABLE migration_guard.audit_blocked ENABLE ALWAYS TRIGGER audit_blocked_append_only;
ALTER TABLE migration_guard.audit_blocked ENABLE ALWAYS TRIGGER audit_blocked_no_truncate;

REVOKE ALL ON migration_guard.audit_change, migration_guard.audit_blocked FROM PUBLIC;
GRANT SELECT ON migration_guard.audit_change, migration_guard.audit_blocked TO migration_guard_auditor;
SELECT pg_catalog.pg_extension_config_dump('migration_guard.audit_change', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.audit_blocked', '');

-- The migrations a transaction recorded in a migration tool's bookkeeping (alembic_version,
-- schema_migrations, django_migrations, ...), written as it commits when it changed the schema.
CREATE TABLE migration_guard.tool_migration (
    id bigint PRIMARY KEY DEFAULT migration_guard.row_id(),
    xid xid8 NOT NULL,
    tool text NOT NULL,
    migration_id text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tool_migration_xid_idx ON migration_guard.tool_migration (xid);
CREATE TRIGGER tool_migration_append_only BEFORE UPDATE OR DELETE ON migration_guard.tool_migration
    FOR EACH ROW EXECUTE FUNCTION migration_guard.audit_append_only();
ALTER TABLE migration_guard.tool_migration ENABLE ALWAYS TRIGGER tool_migration_append_only;
REVOKE ALL ON migration_guard.tool_migration FROM PUBLIC;
GRANT SELECT ON migration_guard.tool_migration TO migration_guard_auditor;
SELECT pg_catalog.pg_extension_config_dump('migration_guard.tool_migration', '');

-- The migration id of a change: the session's, else the one its transaction recorded in a tool's
-- bookkeeping; `tool` says which tool that was.
CREATE VIEW migration_guard.audit_log AS
SELECT a.id, a.logged_at, a.role_name, a.session_role, a.application_name, a.client_addr, a.backend_pid, a.xid,
       a.command_tag, a.object_type, a.object_identity, a.statement, a.rules, a.risk, a.decision, a.approval_id,
       coalesce(a.migration_id, t.migration_id) AS migration_id, t.tool, a.undo_sql
FROM (
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           undo_sql
    FROM migration_guard.audit_change
    UNION ALL
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           NULL::text
    FROM migration_guard.audit_blocked
) a
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id FROM migration_guard.tool_migration tm
    WHERE tm.xid = a.xid ORDER BY tm.id LIMIT 1
) t ON true
ORDER BY a.logged_at DESC, a.id DESC;
COMMENT ON VIEW migration_guard.audit_log IS
    'Every schema change and dropped object, and every blocked attempt, newest first';

CREATE FUNCTION migration_guard.purge_audit(older_than interval) RETURNS bigint
AS 'MODULE_PATHNAME', 'migration_guard_purge_audit' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION migration_guard.purge_audit(interval) FROM PUBLIC;
COMMENT ON FUNCTION migration_guard.purge_audit(interval) IS
    'Removes audit rows older than the interval (superusers only) and records that it did';

CREATE FUNCTION migration_guard.audit_status(
    OUT preloaded boolean, OUT blocked_queued bigint, OUT blocked_written bigint, OUT blocked_dropped bigint,
    OUT blocked_coalesced bigint, OUT blocked_overflowed bigint, OUT mechanism text)
AS 'MODULE_PATHNAME', 'migration_guard_audit_status' LANGUAGE C VOLATILE;

-- Migrations as first-class records.
CREATE TABLE migration_guard.migration_run (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id text NOT NULL,
    intent text,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at timestamptz,
    role_name text NOT NULL,
    session_role text NOT NULL,
    backend_pid int NOT NULL
);
REVOKE ALL ON migration_guard.migration_run FROM PUBLIC;
GRANT SELECT ON migration_guard.migration_run TO migration_guard_auditor;
SELECT pg_catalog.pg_extension_config_dump('migration_guard.migration_run', '');

CREATE FUNCTION migration_guard.begin_migration(id text, intent text DEFAULT NULL) RETURNS void
AS 'MODULE_PATHNAME', 'migration_guard_begin_migration' LANGUAGE C VOLATILE;
CREATE FUNCTION migration_guard.end_migration() RETURNS void
AS 'MODULE_PATHNAME', 'migration_guard_end_migration' LANGUAGE C VOLATILE;

CREATE VIEW migration_guard.migrations AS
WITH changes AS (
    SELECT migration_id,
           count(*) FILTER (WHERE decision <> 'blocked') AS changes,
           count(*) FILTER (WHERE decision = 'blocked') AS blocked_attempts,
           max(risk) AS highest_risk,
           array_agg(DISTINCT approval_id) FILTER (WHERE approval_id IS NOT NULL) AS approvals_used,
           min(logged_at) AS first_change,
           max(logged_at) AS last_change,
           (array_agg(role_name ORDER BY logged_at))[1] AS first_role
    FROM migration_guard.audit_log
    WHERE migration_id IS NOT NULL
    GROUP BY migration_id
), runs AS (
    SELECT DISTINCT ON (migration_id) migration_id, intent, started_at, ended_at, role_name
    FROM migration_guard.migration_run
    ORDER BY migration_id, started_at DESC
)
SELECT coalesce(r.migration_id, c.migration_id) AS migration_id,
       coalesce(r.started_at, c.first_change) AS started_at,
       coalesce(r.ended_at, c.last_change) AS ended_at,
       coalesce(r.role_name, c.first_role) AS role_name,
       r.intent,
       coalesce(c.changes, 0) AS changes,
       coalesce(c.blocked_attempts, 0) AS blocked_attempts,
       coalesce(c.highest_risk, 'low') AS highest_risk,
       coalesce(c.approvals_used, '{}') AS approvals_used
FROM runs r FULL JOIN changes c ON c.migration_id = r.migration_id
ORDER BY 2 DESC;
COMMENT ON VIEW migration_guard.migrations IS 'One row per migration: when, who, why, how many changes, highest risk, approvals used';

-- Ready-made answers, newest first.
CREATE VIEW migration_guard.recent_changes AS
SELECT * FROM migration_guard.audit_log WHERE decision <> 'blocked';
CREATE VIEW migration_guard.blocked_attempts AS
SELECT * FROM migration_guard.audit_log WHERE decision = 'blocked';
CREATE VIEW migration_guard.drift AS
SELECT * FROM migration_guard.audit_log WHERE migration_id IS NULL AND decision <> 'blocked';
COMMENT ON VIEW migration_guard.drift IS 'Schema changes made outside any migration, newest first';

-- The guard's SQL functions run with a pinned search_path; history() reads only the caller's
-- current schema (for an unqualified name), through a qualified call.
CREATE FUNCTION migration_guard.history_in(object text, default_schema name)
RETURNS SETOF migration_guard.audit_log
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH target AS (
        SELECT CASE WHEN position('.' IN object) > 0 THEN object ELSE default_schema || '.' || object END AS name
    )
    SELECT a.* FROM migration_guard.audit_log a, target t
    WHERE a.object_identity = t.name
       OR a.object_identity LIKE t.name || '.%'
       OR a.object_identity LIKE '% on ' || t.name
    ORDER BY a.logged_at DESC, a.id DESC
$$;
CREATE FUNCTION migration_guard.history(object text)
RETURNS SETOF migration_guard.audit_log
LANGUAGE sql STABLE
AS $$ SELECT * FROM migration_guard.history_in(object, pg_catalog.current_schema()) $$;
COMMENT ON FUNCTION migration_guard.history(text) IS 'Everything that happened to one table, its columns, constraints and triggers, newest first';

CREATE FUNCTION migration_guard.changes_by(role_name text)
RETURNS SETOF migration_guard.audit_log
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM migration_guard.audit_log a
    WHERE a.role_name = changes_by.role_name OR a.session_role = changes_by.role_name
    ORDER BY a.logged_at DESC, a.id DESC
$$;

REVOKE ALL ON migration_guard.audit_log, migration_guard.migrations, migration_guard.recent_changes,
              migration_guard.blocked_attempts, migration_guard.drift FROM PUBLIC;
GRANT SELECT ON migration_guard.audit_log, migration_guard.migrations, migration_guard.recent_changes,
                migration_guard.blocked_attempts, migration_guard.drift TO migration_guard_auditor;
REVOKE ALL ON FUNCTION migration_guard.history(text), migration_guard.history_in(text, name),
                       migration_guard.changes_by(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.history(text), migration_guard.history_in(text, name),
                          migration_guard.changes_by(text) TO migration_guard_auditor;

------------------------------------------------------------------------------------------------
-- Schema checks: verify() looks at the live schema after a migration (docs/verify.md)
------------------------------------------------------------------------------------------------

-- The objects a migration changed, by identity: the audit log itself is for auditors only.
CREATE FUNCTION migration_guard.migration_objects(migration_id text)
RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT DISTINCT a.object_identity FROM migration_guard.audit_log a
    WHERE a.migration_id = $1 AND a.decision <> 'blocked' AND a.object_identity IS NOT NULL
$$;
COMMENT ON FUNCTION migration_guard.migration_objects(text) IS
    'Identities of the objects a migration changed (for verify()); no statement text';

CREATE FUNCTION migration_guard.verify(schemas text[] DEFAULT NULL, migration_id text DEFAULT NULL)
RETURNS TABLE (rule text, risk migration_guard.risk, category text, object text, message text, hint text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH changed AS (
    SELECT o FROM migration_guard.migration_objects($2) o WHERE $2 IS NOT NULL
), rel AS NOT MATERIALIZED (
    -- User relations: not the system's, not the guard's, not an extension's. Not materialized:
    -- each use is planned as a join on pg_class with its indexes, not as a scan of a CTE.
    SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relispartition, c.relnamespace,
           n.nspname, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS ident
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'migration_guard')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
      AND ($1 IS NULL OR n.nspname = ANY ($1))
      AND NOT EXISTS (SELECT FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
), scope AS (
    -- Everything, or what the migration changed: a relation by name, its columns ("t.c"), and
    -- its constraints, triggers and policies ("c on t"); indexes with their table.
    SELECT r.oid FROM rel r
    WHERE $2 IS NULL
       OR EXISTS (SELECT FROM changed ch
                  WHERE ch.o = r.ident OR starts_with(ch.o, r.ident || '.')
                     OR right(ch.o, length(r.ident) + 4) = ' on ' || r.ident)
    UNION
    SELECT i.indexrelid FROM pg_index i JOIN rel r ON r.oid = i.indrelid
    WHERE $2 IS NOT NULL AND EXISTS (SELECT FROM changed ch WHERE ch.o = r.ident)
), tab AS NOT MATERIALIZED (
    SELECT r.* FROM rel r WHERE r.relkind IN ('r', 'p') AND r.oid IN (SELECT oid FROM scope)
), protected AS (
    SELECT btrim(s, ' "') AS nspname
    FROM unnest(string_to_array(coalesce(current_setting('migration_guard.rls_schemas', true), 'public'), ',')) s
), findings AS (
    SELECT 'invalid-index' AS rule, 'medium'::migration_guard.risk AS risk, 'performance' AS category, ix.ident AS object,
           format('index %s on %s is INVALID: queries cannot use it, yet every write still maintains it', ix.ident, t.ident) AS message,
           format('A CREATE INDEX CONCURRENTLY failed or was cancelled. Rebuild it with REINDEX INDEX CONCURRENTLY %s; or drop it with DROP INDEX CONCURRENTLY %s and create it again.', ix.ident, ix.ident) AS hint
    FROM pg_index i JOIN rel ix ON ix.oid = i.indexrelid JOIN rel t ON t.oid = i.indrelid
    WHERE NOT i.indisvalid
      AND (i.indexrelid IN (SELECT oid FROM scope) OR i.indrelid IN (SELECT oid FROM scope))
    UNION ALL
    SELECT 'constraint-not-validated', 'medium', 'integrity', format('%I on %s', con.conname, t.ident),
           format('%s constraint %I on %s was added NOT VALID and never validated: rows from before it are not checked',
                  CASE con.contype WHEN 'f' THEN 'foreign key' ELSE 'check' END, con.conname, t.ident),
           format('ALTER TABLE %s VALIDATE CONSTRAINT %I; checks the old rows under SHARE UPDATE EXCLUSIVE (reads and writes go on).', t.ident, con.conname)
    FROM pg_constraint con JOIN tab t ON t.oid = con.conrelid
    WHERE NOT con.convalidated AND con.contype IN ('f', 'c') AND con.conparentid = 0
    UNION ALL
    SELECT 'fk-without-index', 'medium', 'performance', format('%I on %s', con.conname, t.ident),
           format('foreign key %I on %s (%s) has no index on its columns: every DELETE or key UPDATE on %s scans %s',
                  con.conname, t.ident, cols.list, con.confrelid::regclass, t.ident),
           format('CREATE INDEX CONCURRENTLY ON %s (%s);', t.ident, cols.list)
    FROM pg_constraint con JOIN tab t ON t.oid = con.conrelid
    CROSS JOIN LATERAL (
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS list
        FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    ) cols
    WHERE con.contype = 'f' AND con.conparentid = 0
      AND NOT EXISTS (
          SELECT FROM pg_index i
          WHERE i.indrelid = con.conrelid AND i.indpred IS NULL AND i.indisvalid
            AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey)
    UNION ALL
    SELECT 'table-without-primary-key', 'low', 'practice', t.ident,
           format('table %s has no primary key: its rows cannot be told apart, and logical replication cannot replicate its UPDATEs and DELETEs', t.ident),
           'Add one (an identity column, or ALTER TABLE ... ADD PRIMARY KEY USING INDEX over a unique index built CONCURRENTLY).'
    FROM tab t
    WHERE NOT t.relispartition
      AND NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = t.oid AND i.indisprimary)
    UNION ALL
    SELECT 'rls-without-policy', 'medium', 'security', t.ident,
           format('row level security is enabled on %s but it has no policy: every role but its owner and BYPASSRLS roles sees no row and can write none', t.ident),
           format('CREATE POLICY ... ON %s for the roles that use it; or ALTER TABLE %s DISABLE ROW LEVEL SECURITY if only its owner does.', t.ident, t.ident)
    FROM tab t
    WHERE t.relrowsecurity AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = t.oid)
    UNION ALL
    -- A protected schema that uses row level security at all: its other tables without it are
    -- the finding (a schema with none is not using RLS, and every table would be noise).
    SELECT 'table-without-rls', 'medium', 'security', t.ident,
           format('table %s in schema %I has no row level security, while other tables of the schema do', t.ident, t.nspname),
           format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY; and CREATE POLICY for the roles that use it.', t.ident)
    FROM tab t
    WHERE NOT t.relrowsecurity AND NOT t.relispartition
      AND t.nspname IN (SELECT nspname FROM protected)
      AND EXISTS (SELECT FROM pg_class o WHERE o.relnamespace = t.relnamespace AND o.relkind IN ('r', 'p') AND o.relrowsecurity)
    UNION ALL
    SELECT 'sequence-near-limit', CASE WHEN u.used >= 0.9 THEN 'high' ELSE 'medium' END::migration_guard.risk,
           'availability', coalesce(u.column_ident, u.ident),
           format('%s has used %s%% of its range: %s of %s (%s)', coalesce(u.column_ident, u.ident),
                  round(u.used * 100, 1), u.last, u.upper, u.type_name),
           CASE WHEN u.type_name = 'bigint' THEN format('Raise the sequence''s limit: ALTER SEQUENCE %s MAXVALUE ...;', u.ident)
                WHEN u.column_ident IS NULL THEN format('Move it to bigint before it runs out: ALTER SEQUENCE %s AS bigint; (and the columns it feeds).', u.ident)
                ELSE format('Move %s to bigint before it runs out: ALTER SEQUENCE %s AS bigint; and the column''s type (ALTER COLUMN ... TYPE bigint rewrites the table: plan it, or add a bigint column and backfill).',
                            u.column_ident, u.ident) END
    FROM (
        SELECT r.ident, col.ident AS column_ident, v.last,
               coalesce(col.type_name, format_type(s.seqtypid, NULL)) AS type_name,
               least(s.seqmax::numeric, coalesce(col.upper, s.seqmax)) AS upper,
               (v.last - s.seqmin)::numeric / nullif(least(s.seqmax::numeric, coalesce(col.upper, s.seqmax)) - s.seqmin, 0) AS used
        FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
        CROSS JOIN LATERAL (
            SELECT CASE WHEN has_sequence_privilege(r.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(r.oid) END AS last
        ) v
        LEFT JOIN LATERAL (
            -- The column the sequence feeds (identity or serial): its type's limit is the real one.
            -- Catalogs, not the rel CTE: an index look-up per sequence, not a scan.
            SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.' || quote_ident(a.attname) AS ident,
                   tc.oid AS relid, format_type(a.atttypid, NULL) AS type_name,
                   CASE a.atttypid WHEN 'int2'::regtype THEN 32767::numeric WHEN 'int4'::regtype THEN 2147483647::numeric END AS upper
            FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass
              AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
            LIMIT 1
        ) col ON true
        WHERE s.seqincrement > 0 AND NOT s.seqcycle AND v.last IS NOT NULL
          AND (r.oid IN (SELECT oid FROM scope) OR col.relid IN (SELECT oid FROM scope))
    ) u
    -- The library may not be loaded yet (not preloaded): its settings' defaults then.
    WHERE u.used >= coalesce(current_setting('migration_guard.sequence_usage_threshold', true), '75')::numeric / 100
    UNION ALL
    SELECT 'unlogged-table', 'medium', 'data-loss', t.ident,
           format('table %s is UNLOGGED: a crash empties it, and standbys never receive its rows', t.ident),
           format('ALTER TABLE %s SET LOGGED; (rewrites it into the WAL) unless its rows can be rebuilt.', t.ident)
    FROM tab t WHERE t.relpersistence = 'u'
    UNION ALL
    SELECT 'trigger-disabled', 'medium', 'integrity', format('%I on %s', tg.tgname, t.ident),
           format('trigger %I on %s is disabled: what it enforces or records is skipped on every write', tg.tgname, t.ident),
           format('ALTER TABLE %s ENABLE TRIGGER %I; or drop it if it is no longer wanted.', t.ident, tg.tgname)
    FROM pg_trigger tg JOIN tab t ON t.oid = tg.tgrelid
    WHERE tg.tgenabled = 'D' AND NOT tg.tgisinternal AND tg.tgparentid = 0
    UNION ALL
    -- The column types the prefer-* rules advise against, as they stand.
    SELECT p.rule, 'low', 'practice', t.ident || '.' || quote_ident(a.attname),
           format('column %s.%I is %s: %s', t.ident, a.attname, format_type(a.atttypid, a.atttypmod), p.why), p.hint
    FROM tab t
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    CROSS JOIN LATERAL (
        SELECT 'prefer-timestamptz' AS rule, 'it stores no time zone, so the same value means different instants to clients in different zones' AS why,
               'Use timestamptz (ALTER COLUMN ... TYPE timestamptz needs no rewrite when the session TimeZone is UTC).' AS hint
        WHERE a.atttypid = 'timestamp'::regtype
        UNION ALL
        SELECT 'prefer-text', 'a length limit in the type makes every later change of the limit a schema change',
               'Use text, with a CHECK (length(...) <= n) if the limit matters.'
        WHERE a.atttypid = 'bpchar'::regtype OR (a.atttypid = 'varchar'::regtype AND a.atttypmod > 0)
        UNION ALL
        SELECT 'prefer-bigint', 'an integer key runs out at 2,147,483,647',
               'Use bigint for keys and identity columns.'
        WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype)
          AND (a.attidentity <> '' OR pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%'
               OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = t.oid AND i.indisprimary AND i.indkey::int2[] @> ARRAY[a.attnum]))
        UNION ALL
        SELECT 'prefer-identity', 'a serial column''s sequence has its own owner and privileges, which dumps and grants get wrong',
               'Use GENERATED ALWAYS AS IDENTITY (or BY DEFAULT).'
        WHERE a.attidentity = '' AND pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%'
    ) p
    WHERE NOT t.relispartition
)
SELECT f.rule, f.risk, f.category, f.object, f.message, f.hint
FROM findings f
ORDER BY f.risk DESC, f.rule, f.object
$$;
COMMENT ON FUNCTION migration_guard.verify(text[], text) IS
    'Checks of the live schema (invalid indexes, unvalidated constraints, foreign keys without an index, ...), for some schemas or for what one migration changed';

CREATE FUNCTION migration_guard.on_ddl_command_end() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'migration_guard_on_ddl_command_end' LANGUAGE C;
CREATE EVENT TRIGGER migration_guard_ddl_end ON ddl_command_end
    EXECUTE FUNCTION migration_guard.on_ddl_command_end();
ALTER EVENT TRIGGER migration_guard_ddl_end ENABLE ALWAYS;

------------------------------------------------------------------------------------------------
-- Data-aware checks
------------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.cast_fails(value anyelement, target text, explicit_cast boolean DEFAULT false)
RETURNS boolean AS 'MODULE_PATHNAME', 'migration_guard_cast_fails' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION migration_guard.cast_fails(anyelement, text, boolean) IS
    'Whether converting the value to the type (as ALTER COLUMN ... TYPE does, or with USING value::type when explicit_cast) would fail';

------------------------------------------------------------------------------------------------
-- Dry run: a whole migration, run and always rolled back, reported per statement.
------------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.dry_run_raw(
    sql text,
    OUT statement int, OUT command text, OUT rules text[], OUT created text[], OUT altered text[],
    OUT dropped text[], OUT locks text[], OUT rewritten text[], OUT status text, OUT would_block boolean,
    OUT risk text, OUT approval text, OUT rows_affected bigint, OUT error text, OUT error_line int,
    OUT error_col int, OUT note text, OUT duration_ms float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'migration_guard_dry_run' LANGUAGE C STRICT VOLATILE;

CREATE FUNCTION migration_guard.dry_run(sql text)
RETURNS TABLE (statement int, command text, status text, risk migration_guard.risk, would_block boolean,
               approval text, rules text[], locks text[], created text[], altered text[], dropped text[],
               rewritten text[], rows_affected bigint, error text, error_line int, error_col int, note text,
               duration_ms numeric)
LANGUAGE sql STRICT VOLATILE
AS $$
    SELECT d.statement, d.command, d.status, d.risk::migration_guard.risk, d.would_block, d.approval, d.rules,
           d.locks, d.created, d.altered, d.dropped, d.rewritten, d.rows_affected, d.error, d.error_line,
           d.error_col, d.note, pg_catalog.round(d.duration_ms::pg_catalog.numeric, 3)
    FROM migration_guard.dry_run_raw(sql) d
$$;
COMMENT ON FUNCTION migration_guard.dry_run(text) IS
    'Runs a migration in a subtransaction that is always rolled back and reports, per statement, what it did: objects, locks, rewrites, rows, errors, time, and what the guard would decide';

------------------------------------------------------------------------------------------------
-- Recycle bin (docs/recycle-bin.md): what allowed or approved drops and truncates took, kept for
-- migration_guard.keep_for. Kept tables live in migration_guard_kept under names made of their
-- oids, owned by the guard and members of the extension (pg_dump leaves them out; a plain DROP
-- of them is refused). They are inert: nothing of the live schema depends on them or they on it,
-- and nobody but the guard may use the schema (a restore lends a copy to the table's owner for
-- its own statement only).
------------------------------------------------------------------------------------------------

CREATE SCHEMA migration_guard_kept;
REVOKE ALL ON SCHEMA migration_guard_kept FROM PUBLIC;

CREATE TABLE migration_guard.kept_item (
    id bigint PRIMARY KEY DEFAULT migration_guard.row_id(),
    kind text NOT NULL CHECK (kind IN ('table', 'column', 'rows')),
    object_identity text NOT NULL,   -- schema.table[.column], as the audit log names it
    kept_relid oid NOT NULL,         -- the table in migration_guard_kept that holds it
    kept_name name NOT NULL,
    audit_id bigint,                 -- the audit row of the drop or truncate
    command_tag text,
    statement text,
    migration_id text,
    xid xid8,
    kept_by name NOT NULL,
    kept_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    keep_until timestamptz NOT NULL,
    size_bytes bigint NOT NULL,
    row_count float8,
    -- Putting it back.
    schema_name name NOT NULL,
    table_name name NOT NULL,
    column_name name,
    table_relid oid,
    table_owner oid,
    schema_owner name,
    kept_names text[] NOT NULL DEFAULT '{}',      -- indexes and sequences, as kept ...
    original_names text[] NOT NULL DEFAULT '{}',  -- ... and as they were
    recreate text[] NOT NULL DEFAULT '{}',        -- SQL of what was dropped with it
    recreate_as text[] NOT NULL DEFAULT '{}',     -- the role each runs as
    key_columns text[] NOT NULL DEFAULT '{}',
    by_ctid boolean NOT NULL DEFAULT false,
    column_type text,
    column_default text,
    column_not_null boolean NOT NULL DEFAULT false,
    shape text,
    ended_at timestamptz,
    ended_how text CHECK (ended_how IN ('restored', 'purged')),
    ended_by name
);
REVOKE ALL ON migration_guard.kept_item FROM PUBLIC;

CREATE VIEW migration_guard.kept AS
SELECT k.id, k.kind, k.object_identity, k.audit_id, k.kept_at, k.keep_until, k.size_bytes,
       k.row_count::bigint AS row_count, k.command_tag, k.statement, k.migration_id,
       'migration_guard_kept.' || quote_ident(k.kept_name) AS kept_as,
       format('SELECT migration_guard.restore(%s);', k.id) AS restore_call
FROM migration_guard.kept_item k
WHERE k.ended_at IS NULL
ORDER BY k.kept_at DESC, k.id DESC;
COMMENT ON VIEW migration_guard.kept IS
    'The recycle bin: tables, column values and rows that drops and truncates took, until when they are kept, and the call that restores each';
GRANT SELECT ON migration_guard.kept TO migration_guard_approver, migration_guard_auditor;

CREATE FUNCTION migration_guard.restore(kept_id bigint) RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_restore' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION migration_guard.restore(bigint) IS
    'Puts a kept table, column or set of rows back exactly as it was (superusers and migration_guard_approver)';
REVOKE ALL ON FUNCTION migration_guard.restore(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.restore(bigint) TO migration_guard_approver;

CREATE FUNCTION migration_guard.purge_kept(older_than interval DEFAULT NULL) RETURNS bigint
AS 'MODULE_PATHNAME', 'migration_guard_purge_kept' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_guard.purge_kept(interval) IS
    'Removes kept items past their retention (or kept longer than older_than) for good; returns how many (superusers and migration_guard_approver)';
REVOKE ALL ON FUNCTION migration_guard.purge_kept(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.purge_kept(interval) TO migration_guard_approver;

------------------------------------------------------------------------------------------------
-- Compensating SQL (docs/rollback.md): each change's audit row carries what undoes it.
------------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.undo_rows(migration_id text, since timestamptz, until timestamptz)
RETURNS SETOF text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    -- Who made each change, on one comment line: a migration id is a label any role can set.
    SELECT '-- ' || a.command_tag || ' by ' || regexp_replace(coalesce(a.role_name, '?'), '[[:cntrl:]]', '?', 'g')
           || E'\n' || a.undo_sql
    FROM migration_guard.audit_log a
    WHERE a.decision <> 'blocked' AND a.undo_sql IS NOT NULL
      AND CASE WHEN undo_rows.migration_id IS NOT NULL THEN a.migration_id = undo_rows.migration_id
               ELSE a.logged_at >= undo_rows.since AND a.logged_at <= undo_rows.until END
    ORDER BY a.logged_at DESC, a.id DESC
$$;
REVOKE ALL ON FUNCTION migration_guard.undo_rows(text, timestamptz, timestamptz) FROM PUBLIC;

CREATE FUNCTION migration_guard.undo_script(migration_id text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '-- Compensating migration for ' || regexp_replace(quote_literal(undo_script.migration_id), '[[:cntrl:]]', '?', 'g')
           || ' (newest change first; review before running)' || E'\n'
           || coalesce(string_agg(u, E'\n'), '-- nothing recorded for this migration')
    FROM migration_guard.undo_rows(undo_script.migration_id, NULL, NULL) u
$$;
COMMENT ON FUNCTION migration_guard.undo_script(text) IS
    'The compensating migration of a migration: the undo SQL of each change in reverse order, and what cannot be undone as comments';
REVOKE ALL ON FUNCTION migration_guard.undo_script(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.undo_script(text) TO migration_guard_auditor, migration_guard_approver;

CREATE FUNCTION migration_guard.undo_script(since timestamptz, until timestamptz DEFAULT now()) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '-- Compensating migration for the changes from ' || undo_script.since || ' to ' || undo_script.until
           || ' (newest change first; review before running)' || E'\n'
           || coalesce(string_agg(u, E'\n'), '-- nothing recorded in that time')
    FROM migration_guard.undo_rows(NULL, undo_script.since, undo_script.until) u
$$;
REVOKE ALL ON FUNCTION migration_guard.undo_script(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.undo_script(timestamptz, timestamptz) TO migration_guard_auditor, migration_guard_approver;

-- ---- since 0.3.0 ----

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


------------------------------------------------------------------------------------------------
-- 0.4.0
------------------------------------------------------------------------------------------------

-- Approval requests (docs/approvals.md): a blocked attempt is a request, keyed by what it needs
-- (database, the role that logged in, migration, rule:object pairs), so that repeated attempts of
-- one migration are one request. An approver grants it by id with approve_request().
ALTER TABLE migration_guard.audit_blocked ADD COLUMN request_id bigint;
CREATE INDEX audit_blocked_request_idx ON migration_guard.audit_blocked (request_id);
-- An approval bound to a role (for_role) applies to that role's matching statements without a
-- token: those issued by approve_request() have none at all.
ALTER TABLE migration_guard.approval ALTER COLUMN token_hash DROP NOT NULL;
ALTER TABLE migration_guard.approval ADD COLUMN request_id bigint;

-- A request is pending for a day after its last attempt; then the migration is run again.
CREATE VIEW migration_guard.requests AS
SELECT r.id, r.role, pg_catalog.current_database() AS database, r.migration_id,
       -- An attempt after the latest approval was not let through by it: pending again.
       CASE WHEN a.id IS NULL OR r.last_attempt > a.approved_at
                 THEN CASE WHEN r.last_attempt > pg_catalog.now() - interval '1 day' THEN 'pending' ELSE 'expired' END
            WHEN a.uses_left = 0 THEN 'used'
            WHEN a.valid_until > pg_catalog.clock_timestamp() THEN 'approved'
            ELSE 'approval expired' END AS status,
       r.pairs, r.risk, r.statement, r.command_tag, r.first_attempt, r.last_attempt, r.attempts,
       a.id AS approval_id, a.approved_by, a.reason
FROM (
    SELECT b.request_id AS id, b.session_role AS role, max(b.migration_id) AS migration_id,
           array_agg(DISTINCT b.rules[1] || ':' || b.object_identity) AS pairs, max(b.risk) AS risk,
           (array_agg(b.statement ORDER BY b.logged_at DESC))[1] AS statement,
           (array_agg(b.command_tag ORDER BY b.logged_at DESC))[1] AS command_tag,
           min(b.logged_at) AS first_attempt, max(b.logged_at) AS last_attempt,
           count(DISTINCT (b.backend_pid, b.logged_at)) AS attempts
    FROM migration_guard.audit_blocked b
    WHERE b.request_id IS NOT NULL
    GROUP BY b.request_id, b.session_role
) r
LEFT JOIN LATERAL (
    SELECT ap.id, ap.uses_left, ap.valid_until, ap.approved_by, ap.reason, ap.approved_at FROM migration_guard.approval ap
    WHERE ap.request_id = r.id ORDER BY ap.id DESC LIMIT 1
) a ON true
ORDER BY r.last_attempt DESC;
COMMENT ON VIEW migration_guard.requests IS
    'Blocked attempts as requests an approver grants by id with approve_request(id, reason), newest first';
REVOKE ALL ON migration_guard.requests FROM PUBLIC;
GRANT SELECT ON migration_guard.requests TO migration_guard_approver, migration_guard_auditor;

CREATE FUNCTION migration_guard.approve_request(request_id bigint, reason text, valid_for interval DEFAULT '1 hour')
RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_approve_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_guard.approve_request(bigint, text, interval) IS
    'Grants a blocked attempt''s request: exactly what it needed, for the role that made it, once, no token needed';

-- Anyone may call the approving functions: they check the caller themselves, so that a role that
-- may not approve is told who can instead of a bare "permission denied".
GRANT EXECUTE ON FUNCTION migration_guard.approve(text[], text[], text, int, interval, name) TO PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.approve_migration(text, text, interval, name, text) TO PUBLIC;

-- Approvals say which request they grant.
CREATE OR REPLACE VIEW migration_guard.approvals AS
SELECT a.id, a.rules, a.objects, a.reason, a.approved_by, a.approved_at, a.valid_until,
       a.uses_total, a.uses_left, a.for_role,
       (a.uses_left > 0 AND a.valid_until > clock_timestamp()) AS active,
       coalesce(u.uses, '[]'::jsonb) AS used_by, a.pairs, a.migration_id, a.request_id
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

-- A blocked attempt shows the migration id a granted request's run recorded, once it ran.
CREATE OR REPLACE VIEW migration_guard.audit_log AS
SELECT a.id, a.logged_at, a.role_name, a.session_role, a.application_name, a.client_addr, a.backend_pid, a.xid,
       a.command_tag, a.object_type, a.object_identity, a.statement, a.rules, a.risk, a.decision, a.approval_id,
       coalesce(a.migration_id, t.migration_id, g.migration_id) AS migration_id, coalesce(t.tool, g.tool) AS tool,
       a.undo_sql, a.rows_affected, a.request_id
FROM (
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           undo_sql, rows_affected, NULL::bigint AS request_id
    FROM migration_guard.audit_change
    UNION ALL
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           NULL::text, rows_affected, request_id
    FROM migration_guard.audit_blocked
) a
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id FROM migration_guard.tool_migration tm
    WHERE tm.xid = a.xid ORDER BY tm.id LIMIT 1
) t ON true
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id
    FROM migration_guard.approval ap
    JOIN migration_guard.approval_use au ON au.approval_id = ap.id
    JOIN migration_guard.tool_migration tm ON tm.xid = au.xid
    WHERE a.request_id IS NOT NULL AND ap.request_id = a.request_id
    ORDER BY au.used_at, tm.id LIMIT 1
) g ON true
ORDER BY a.logged_at DESC, a.id DESC;
