-- begin_migration() and migration_guard.migration_id work together: a migration id that a tool or
-- the session set (SET, PGOPTIONS) is refined by begin_migration() and restored by
-- end_migration(), with no error; the bookkeeping tables of migration tools are never "outside a
-- migration".
\set VERBOSITY terse
SET migration_guard.migration_id = 'deploy-42';
CREATE TABLE mid_a (id int);
SELECT migration_guard.begin_migration('0001_b', 'add b');
SHOW migration_guard.migration_id;
CREATE TABLE mid_b (id int);
SELECT migration_guard.end_migration();
SHOW migration_guard.migration_id;
CREATE TABLE mid_c (id int);
SELECT object_identity, migration_id FROM migration_guard.audit_log
WHERE object_identity IN ('public.mid_a', 'public.mid_b', 'public.mid_c') ORDER BY id;
SELECT migration_id, intent, ended_at IS NOT NULL AS ended FROM migration_guard.migration_run WHERE migration_id = '0001_b';

-- Two begun at once is still a mistake; a begin that is rolled back is undone with its id.
SELECT migration_guard.begin_migration('0002_x');
SELECT migration_guard.begin_migration('0003_y');
SELECT migration_guard.end_migration();
BEGIN;
SELECT migration_guard.begin_migration('0004_rolled_back');
ROLLBACK;
SHOW migration_guard.migration_id;
SELECT migration_guard.begin_migration('0005_z');
SELECT migration_guard.end_migration();
SHOW migration_guard.migration_id;
RESET migration_guard.migration_id;
-- Nothing set at all: begin and end as before.
SELECT migration_guard.begin_migration('0006_plain');
SHOW migration_guard.migration_id;
SELECT migration_guard.end_migration();
SHOW migration_guard.migration_id;
SELECT migration_guard.end_migration();

-- The tools' bookkeeping is part of a migration even where drift is blocked.
SET migration_guard.outside_migration = 'block';
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz);
ALTER TABLE knex_migrations ADD COLUMN note text;
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY);
COMMENT ON TABLE sqitch.changes IS 'Tracks the changes currently deployed to the database.';
-- Anything else still is drift, and so is dropping a tool's table.
CREATE TABLE not_bookkeeping (id int);
DROP TABLE alembic_version;
SET migration_guard.migration_id = 'cleanup';
SET migration_guard.mode = 'audit';
DROP TABLE mid_a, mid_b, mid_c, alembic_version, schema_migrations, knex_migrations;
DROP SCHEMA sqitch CASCADE;
RESET migration_guard.mode;
RESET migration_guard.migration_id;
RESET migration_guard.outside_migration;
