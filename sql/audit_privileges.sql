-- Privilege changes are schema changes: GRANT, REVOKE and ALTER DEFAULT PRIVILEGES are on record
-- with what, to whom and on what, also when an ordinary owner runs them (event triggers alone,
-- no preload). REFRESH MATERIALIZED VIEW CONCURRENTLY is recorded as what it is.
\set VERBOSITY terse
CREATE ROLE priv_owner LOGIN;
CREATE ROLE priv_reader NOLOGIN;
CREATE SCHEMA priv AUTHORIZATION priv_owner;
CREATE TEMP TABLE priv_mark AS SELECT clock_timestamp() AS at;
SET ROLE priv_owner;
CREATE TABLE priv.accounts (id int PRIMARY KEY, email text);
GRANT SELECT, UPDATE (email) ON priv.accounts TO priv_reader, PUBLIC;
REVOKE UPDATE ON priv.accounts FROM priv_reader;
GRANT USAGE ON SCHEMA priv TO priv_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA priv TO priv_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA priv GRANT SELECT ON TABLES TO priv_reader;
CREATE MATERIALIZED VIEW priv.account_count AS SELECT count(*) AS n, 1 AS k FROM priv.accounts;
CREATE UNIQUE INDEX ON priv.account_count (k);
REFRESH MATERIALIZED VIEW CONCURRENTLY priv.account_count;
RESET ROLE;
SELECT command_tag, object_type, object_identity, role_name, statement FROM migration_guard.audit_log
WHERE logged_at > (SELECT at FROM priv_mark)
  AND command_tag IN ('GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES', 'REFRESH MATERIALIZED VIEW', 'DROP TABLE')
ORDER BY id;

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP SCHEMA priv CASCADE;
DROP OWNED BY priv_owner, priv_reader;
DROP ROLE priv_owner, priv_reader;
RESET migration_guard.mode;
