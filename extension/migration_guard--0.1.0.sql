-- migration_guard 0.1.0: the SQL surface of the rule engine.
\echo Use "CREATE EXTENSION migration_guard" to load this file. \quit

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
