-- migration_guard 0.1.0 -> 0.2.0 (docs/setup.md, "Upgrading the extension").
\echo Use "ALTER EXTENSION migration_guard UPDATE TO '0.2.0'" to load this file. \quit

-- The recycle bin is the guard's alone: no role but the guard may use its schema.
REVOKE USAGE ON SCHEMA migration_guard_kept FROM PUBLIC;

-- Approvals are bound to the database they were issued for.
ALTER TABLE migration_guard.approval ADD COLUMN issued_on text;

-- Undo scripts name who made each change; a migration id in a comment has no control characters.
CREATE OR REPLACE FUNCTION migration_guard.undo_rows(migration_id text, since timestamptz, until timestamptz)
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
CREATE OR REPLACE FUNCTION migration_guard.undo_script(migration_id text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '-- Compensating migration for ' || regexp_replace(quote_literal(undo_script.migration_id), '[[:cntrl:]]', '?', 'g')
           || ' (newest change first; review before running)' || E'\n'
           || coalesce(string_agg(u, E'\n'), '-- nothing recorded for this migration')
    FROM migration_guard.undo_rows(undo_script.migration_id, NULL, NULL) u
$$;
