-- migration_guard 0.1.0: the SQL surface of the rule engine.
\echo Use "CREATE EXTENSION migration_guard" to load this file. \quit

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
LANGUAGE C STRICT IMMUTABLE;
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
CREATE TABLE migration_guard.approval (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    rules text[] NOT NULL,
    objects text[] NOT NULL,
    reason text NOT NULL CHECK (btrim(reason) <> ''),
    approved_by name NOT NULL,
    approved_session_user name NOT NULL,
    approved_at timestamptz NOT NULL DEFAULT now(),
    valid_until timestamptz NOT NULL,
    uses_total int NOT NULL CHECK (uses_total > 0),
    uses_left int NOT NULL CHECK (uses_left >= 0)
);

CREATE TABLE migration_guard.approval_use (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    rules text[], objects text[], reason text, uses int DEFAULT 1, valid_for interval DEFAULT '1 hour')
RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_approve'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_guard.approve(text[], text[], text, int, interval) IS
    'Issues an approval token for these rule ids on these object patterns (superusers and migration_guard_approver)';
REVOKE ALL ON FUNCTION migration_guard.approve(text[], text[], text, int, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.approve(text[], text[], text, int, interval) TO migration_guard_approver;

CREATE VIEW migration_guard.approvals AS
SELECT a.id, a.rules, a.objects, a.reason, a.approved_by, a.approved_at, a.valid_until,
       a.uses_total, a.uses_left,
       (a.uses_left > 0 AND a.valid_until > now()) AS active,
       coalesce(u.uses, '[]'::jsonb) AS used_by
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
AS $$
    WITH state AS (
        SELECT migration_guard.preloaded() AS preloaded,
               current_setting('migration_guard.mode') AS mode,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_ddl_start') AS ddl_start,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_sql_drop') AS sql_drop,
               (SELECT coalesce(bool_and(evtenabled <> 'D'), false) AND count(*) = 1
                  FROM pg_catalog.pg_event_trigger WHERE evtname = 'migration_guard_table_rewrite') AS table_rewrite
    ),
    surface(ord, command, mechanism) AS (VALUES
        (1, 'CREATE / ALTER / DROP of tables, columns, constraints, indexes, views, sequences, types, functions, schemas, extensions', 'event trigger migration_guard_ddl_start'),
        (2, 'REFRESH MATERIALIZED VIEW', 'event trigger migration_guard_ddl_start'),
        (3, 'tables and columns destroyed by CASCADE, DROP OWNED, DROP SCHEMA, DROP TYPE, DROP EXTENSION', 'event trigger migration_guard_sql_drop'),
        (4, 'rewrites of tables larger than migration_guard.rewrite_threshold', 'event trigger migration_guard_table_rewrite'),
        (5, 'TRUNCATE', 'utility hook'),
        (6, 'DROP DATABASE', 'utility hook'),
        (7, 'ALTER SYSTEM', 'utility hook'),
        (8, 'DROP ROLE', 'utility hook'),
        (9, 'DROP TABLESPACE', 'utility hook'),
        (10, 'VACUUM FULL, CLUSTER, REINDEX', 'utility hook'),
        (11, 'ALTER / DROP EVENT TRIGGER on the guard''s triggers', 'utility hook'),
        (12, 'SET / RESET of migration_guard settings', 'utility hook')
    )
    SELECT s.command,
           st.mode <> 'off' AND CASE s.mechanism
               WHEN 'utility hook' THEN st.preloaded
               WHEN 'event trigger migration_guard_ddl_start' THEN st.ddl_start
               WHEN 'event trigger migration_guard_sql_drop' THEN st.sql_drop
               ELSE st.table_rewrite END,
           s.mechanism,
           CASE
               WHEN st.mode = 'off' THEN 'migration_guard.mode is off'
               WHEN s.mechanism = 'utility hook' AND NOT st.preloaded
                   THEN 'not guarded: needs shared_preload_libraries = ''migration_guard'' and a restart'
               WHEN s.mechanism LIKE 'event trigger%' AND NOT CASE s.mechanism
                        WHEN 'event trigger migration_guard_ddl_start' THEN st.ddl_start
                        WHEN 'event trigger migration_guard_sql_drop' THEN st.sql_drop
                        ELSE st.table_rewrite END
                   THEN 'not guarded: the event trigger is missing or disabled'
               WHEN st.mode <> 'enforce' THEN 'guarded in ' || st.mode || ' mode: reported, not blocked'
               ELSE 'guarded'
           END
    FROM surface s CROSS JOIN state st
    ORDER BY s.ord
$$;
COMMENT ON FUNCTION migration_guard.coverage() IS 'Which commands the guard sees right now, and through what';
