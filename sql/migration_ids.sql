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
CREATE TABLE sqitch.changes (change_id text PRIMARY KEY, change text NOT NULL, project text NOT NULL);
COMMENT ON TABLE sqitch.changes IS 'Tracks the changes currently deployed to the database.';
-- Anything else still is drift, and so is dropping a tool's table.
CREATE TABLE not_bookkeeping (id int);
DROP TABLE alembic_version;
RESET migration_guard.outside_migration;

-- The migration id comes from the tool's bookkeeping, with no edit to the migration and no
-- setting: the transaction that changes the schema and records the migration (INSERT or UPDATE)
-- carries the id the tool wrote, and the tool's name.
CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255), name varchar(255), applied timestamptz);
BEGIN;
CREATE TABLE tool_a (id int);
INSERT INTO alembic_version VALUES ('3f2a9c1b');
COMMIT;
BEGIN;
ALTER TABLE tool_a ADD COLUMN note text;
UPDATE alembic_version SET version_num = '4b1e77d0';
COMMIT;
BEGIN;
CREATE INDEX tool_a_note_idx ON tool_a (note);
INSERT INTO schema_migrations VALUES ('20261201120000');
COMMIT;
BEGIN;
CREATE TABLE tool_b (id int);
INSERT INTO django_migrations (app, name, applied) VALUES ('shop', '0002_tool_b', now());
COMMIT;
BEGIN;
ALTER TABLE tool_b ADD COLUMN qty int;
INSERT INTO sqitch.changes VALUES ('8c7a', 'add_qty', 'shop');
COMMIT;
-- The session's own migration id wins; the tool is still named.
SET migration_guard.migration_id = 'release-9';
BEGIN;
CREATE TABLE tool_c (id int);
INSERT INTO schema_migrations VALUES ('20261201130000');
COMMIT;
RESET migration_guard.migration_id;
-- Rolled back, or recorded in a savepoint that was rolled back: no migration is named.
BEGIN;
CREATE TABLE tool_d (id int);
INSERT INTO schema_migrations VALUES ('20261201140000');
ROLLBACK;
BEGIN;
CREATE TABLE tool_e (id int);
SAVEPOINT s;
INSERT INTO schema_migrations VALUES ('20261201150000');
ROLLBACK TO s;
COMMIT;
-- Bookkeeping changed without a schema change: nothing to record.
INSERT INTO schema_migrations VALUES ('20261201160000');
-- Attack: anyone may create a table of a tool's name on the search path; only built-in types of
-- its id column are read, so no type or function of theirs runs in the committing session.
CREATE ROLE tool_planter;
GRANT CREATE ON SCHEMA public TO tool_planter;
SET ROLE tool_planter;
CREATE DOMAIN planted_id AS text;
CREATE TABLE gorp_migrations (id planted_id PRIMARY KEY);
GRANT INSERT ON gorp_migrations TO PUBLIC;
RESET ROLE;
BEGIN;
CREATE TABLE tool_f (id int);
INSERT INTO gorp_migrations VALUES ('planted');
COMMIT;
SELECT object_type, object_identity, migration_id, tool FROM migration_guard.audit_log
WHERE object_identity LIKE 'public.tool_%' ORDER BY id;
SELECT migration_id, changes FROM migration_guard.migrations
WHERE migration_id IN ('3f2a9c1b', '4b1e77d0', '20261201120000', 'shop.0002_tool_b', 'add_qty') ORDER BY migration_id;
SELECT object_identity FROM migration_guard.drift WHERE object_identity LIKE 'public.tool_%' ORDER BY id;
SELECT count(*) AS tool_rows FROM migration_guard.tool_migration;
SET migration_guard.migration_id = 'cleanup';
SET migration_guard.mode = 'audit';
DROP TABLE mid_a, mid_b, mid_c, alembic_version, schema_migrations, knex_migrations, django_migrations,
    tool_a, tool_b, tool_c, tool_e, tool_f, gorp_migrations;
DROP DOMAIN planted_id;
REVOKE CREATE ON SCHEMA public FROM tool_planter;
DROP ROLE tool_planter;
DROP SCHEMA sqitch CASCADE;
RESET migration_guard.mode;
RESET migration_guard.migration_id;

-- A tool that writes its bookkeeping in a later transaction of its own (Sequelize without a
-- transaction, Liquibase): the session's changes since its last recorded migration get the id.
-- A row another session writes names nothing of this one.
CREATE TABLE "SequelizeMeta" (name varchar(255) PRIMARY KEY);
\c -
CREATE TABLE seq_a (id int);
ALTER TABLE seq_a ADD COLUMN b text;
SELECT 1;
\c -
INSERT INTO "SequelizeMeta" VALUES ('20260101-forged.js');
\c -
CREATE TABLE seq_b (id int);
INSERT INTO "SequelizeMeta" VALUES ('20261201000001-seq-b.js');
SELECT object_identity, migration_id, tool FROM migration_guard.audit_log
WHERE object_identity LIKE 'public.seq_%' ORDER BY id;
SET migration_guard.mode = 'audit';
DROP TABLE seq_a, seq_b, "SequelizeMeta";
RESET migration_guard.mode;
