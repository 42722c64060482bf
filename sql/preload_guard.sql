-- With shared_preload_libraries = 'migration_guard' the utility hook guards what event triggers
-- never see, and attempts to weaken the guard.
\set VERBOSITY terse
SELECT current_database() AS dbname \gset
SELECT migration_guard.preloaded();
SELECT command, guarded, mechanism FROM migration_guard.coverage();

CREATE TABLE sessions (id bigint PRIMARY KEY, token text);
INSERT INTO sessions SELECT g, md5(g::text) FROM generate_series(1, 500) g;
CREATE DATABASE scratch_db;

-- TRUNCATE and DROP DATABASE: blocked, then approved.
\set VERBOSITY default
TRUNCATE sessions;
\set VERBOSITY terse
DROP DATABASE scratch_db;
SELECT count(*) AS sessions_kept FROM sessions;
SELECT count(*) AS scratch_db_exists FROM pg_database WHERE datname = 'scratch_db';
SELECT migration_guard.approve(ARRAY['truncate'], ARRAY['public.sessions'], 'log out everyone after the key rotation') AS token \gset
SET migration_guard.approval = :'token';
TRUNCATE sessions;
SELECT count(*) AS sessions_left FROM sessions;
SELECT migration_guard.approve(ARRAY['drop-database'], ARRAY['scratch_db'], 'scratch database no longer used') AS token \gset
SET migration_guard.approval = :'token';
DROP DATABASE scratch_db;
SELECT count(*) AS scratch_db_exists FROM pg_database WHERE datname = 'scratch_db';
RESET migration_guard.approval;

-- Other server-wide commands.
CREATE ROLE old_service NOLOGIN;
DROP ROLE old_service;
ALTER SYSTEM SET work_mem = '64MB';
VACUUM FULL sessions;
CLUSTER sessions USING sessions_pkey;
REINDEX TABLE sessions;
REINDEX TABLE CONCURRENTLY sessions;
VACUUM ANALYZE sessions;
-- Each REINDEX on record once, judged: the utility hook sees it before 17, event triggers from 17
-- on (which list each index rebuilt, the TOAST table's too).
SELECT statement, rules, count(*) AS rows FROM migration_guard.audit_log
WHERE command_tag = 'REINDEX' AND object_identity NOT LIKE 'pg\_toast.%'
GROUP BY statement, rules ORDER BY statement;

-- Weakening the guard is refused, even for a superuser, unless approved.
SET migration_guard.mode = 'off';
SET migration_guard.block_at = 'critical';
RESET migration_guard.mode;
SET LOCAL migration_guard.additive_only = off;
ALTER SYSTEM SET migration_guard.mode = 'off';
ALTER EVENT TRIGGER migration_guard_ddl_start DISABLE;
DROP EVENT TRIGGER migration_guard_sql_drop;
DROP EXTENSION migration_guard;
ALTER EVENT TRIGGER migration_guard_ddl_start RENAME TO quiet_trigger;
ALTER ROLE CURRENT_USER SET migration_guard.mode = 'warn';
ALTER DATABASE :"dbname" SET migration_guard.block_at = 'critical';
SHOW migration_guard.mode;
SELECT evtname, evtenabled FROM pg_event_trigger ORDER BY evtname;
-- Strengthening is fine; RESET, which may loosen, is not.
SET migration_guard.block_at = 'medium';
SET migration_guard.mode = 'enforce';
RESET migration_guard.block_at;
-- Presenting an approval is how the guard is meant to be used, not weakening.
SET migration_guard.approval = 'mga_00000000000000000000000000000000';
RESET migration_guard.approval;

-- An approved weakening goes through, and is on record.
SELECT migration_guard.approve(ARRAY['weaken-guard'], ARRAY['migration_guard.mode'], 'maintenance window: bulk reload') AS token \gset
SET migration_guard.approval = :'token';
SET migration_guard.mode = 'warn';
SHOW migration_guard.mode;
SELECT reason, uses_left, jsonb_path_query_array(used_by, '$[*].command') AS commands
FROM migration_guard.approvals WHERE reason LIKE 'maintenance%';
RESET migration_guard.approval;
RESET migration_guard.mode;

-- A scratch database (a migration tool's shadow database): created moments ago by the role that
-- drops it, holding no more than an empty database. Its drop is low; any other drop of a
-- database stays critical: one another role created, one created without the guard on record.
CREATE ROLE mg_shadow_maker LOGIN CREATEDB;
SET SESSION AUTHORIZATION mg_shadow_maker;
CREATE DATABASE mg_shadow_scratch;
DROP DATABASE mg_shadow_scratch;
CREATE DATABASE mg_shadow_theirs;
-- A database renamed to a scratch one's name is not that database.
CREATE DATABASE mg_shadow_decoy;
CREATE DATABASE mg_shadow_real;
ALTER DATABASE mg_shadow_decoy RENAME TO mg_shadow_decoy_old;
ALTER DATABASE mg_shadow_real RENAME TO mg_shadow_decoy;
DROP DATABASE mg_shadow_decoy;
RESET SESSION AUTHORIZATION;
DROP DATABASE mg_shadow_theirs;
SELECT migration_guard.approve(ARRAY['weaken-guard', 'drop-database', 'drop-role'],
                               ARRAY['migration_guard.mode', 'mg_shadow_*'], 'shadow test', uses => 10) AS token \gset
SET migration_guard.approval = :'token';
SET migration_guard.mode = 'off';
CREATE DATABASE mg_shadow_unrecorded;
SET migration_guard.mode = 'enforce';
RESET migration_guard.approval;
DROP DATABASE mg_shadow_unrecorded;
SELECT command_tag, object_identity, risk, decision FROM migration_guard.audit_log
WHERE object_identity LIKE 'mg_shadow%' ORDER BY id;
SET migration_guard.approval = :'token';
DROP DATABASE mg_shadow_theirs;
DROP DATABASE mg_shadow_unrecorded;
DROP DATABASE mg_shadow_decoy;
DROP DATABASE mg_shadow_decoy_old;
DROP ROLE mg_shadow_maker;
RESET migration_guard.approval;
