-- Compensating SQL (audit_log.undo_sql, undo_script()) as an ordinary owner role writes a
-- migration. Every name and value in it comes from the catalog, quoted: a hostile name cannot
-- turn the undo an approver runs into something else.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE ROLE undo_owner LOGIN;
CREATE SCHEMA undo_app AUTHORIZATION undo_owner;
SET ROLE undo_owner;
CREATE TABLE undo_app.victim (id int PRIMARY KEY);
INSERT INTO undo_app.victim VALUES (1);
CREATE TABLE undo_app.accounts (id int PRIMARY KEY, note text DEFAULT 'it''s; DROP TABLE undo_app.victim; --',
                                score int CHECK (score >= 0));
CREATE INDEX accounts_note_idx ON undo_app.accounts (note);
INSERT INTO undo_app.accounts VALUES (1, 'x', 5);
RESET ROLE;
SELECT migration_guard.approve_migration($m$
CREATE TABLE undo_app."x""; DROP TABLE undo_app.victim; --" (id int);
ALTER TABLE undo_app.accounts ADD COLUMN "select" int, ALTER COLUMN note SET DEFAULT 'new';
ALTER TABLE undo_app.accounts RENAME COLUMN score TO "Score; DROP TABLE undo_app.victim";
ALTER TABLE undo_app.accounts DROP CONSTRAINT accounts_score_check;
DROP INDEX undo_app.accounts_note_idx;
ALTER TABLE undo_app.accounts ALTER COLUMN id TYPE bigint;
$m$, 'undo test', for_role => session_user) AS token \gset
SET ROLE undo_owner;
SET migration_guard.migration_id = 'undo-1';
SET migration_guard.approval = :'token';
CREATE TABLE undo_app."x""; DROP TABLE undo_app.victim; --" (id int);
ALTER TABLE undo_app.accounts ADD COLUMN "select" int, ALTER COLUMN note SET DEFAULT 'new';
ALTER TABLE undo_app.accounts RENAME COLUMN score TO "Score; DROP TABLE undo_app.victim";
ALTER TABLE undo_app.accounts DROP CONSTRAINT accounts_score_check;
DROP INDEX undo_app.accounts_note_idx;
ALTER TABLE undo_app.accounts ALTER COLUMN id TYPE bigint;
RESET migration_guard.approval;
RESET migration_guard.migration_id;
RESET ROLE;
-- One undo per statement, on its first audit row; a statement that changes nothing leaves none.
SELECT command_tag, undo_sql FROM migration_guard.audit_log
WHERE migration_id = 'undo-1' AND undo_sql IS NOT NULL ORDER BY id;
SELECT migration_guard.undo_script('undo-1') AS undo \gset
\echo :undo
-- The undo runs as what it says (quoted names, literal defaults), nothing else.
SELECT migration_guard.approve_migration(:'undo', 'roll back undo-1', for_role => session_user) AS token \gset
SET ROLE undo_owner;
SET migration_guard.approval = :'token';
SET client_min_messages = error;
:undo
RESET client_min_messages;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS victim_rows FROM undo_app.victim;
SELECT to_regclass('undo_app."x""; DROP TABLE undo_app.victim; --"') AS hostile_table_gone;
SELECT attname, format_type(atttypid, atttypmod), pg_get_expr(adbin, adrelid) AS default
FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
WHERE attrelid = 'undo_app.accounts'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'undo_app.accounts'::regclass ORDER BY conname;
SELECT indexname FROM pg_indexes WHERE schemaname = 'undo_app' AND tablename = 'accounts' ORDER BY 1;
-- A blocked statement changed nothing: it has no undo.
SET ROLE undo_owner;
SET migration_guard.migration_id = 'undo-2';
ALTER TABLE undo_app.accounts DROP COLUMN note;
RESET migration_guard.migration_id;
RESET ROLE;
SELECT migration_guard.undo_script('undo-2');
-- Only auditors and approvers read the compensating SQL (it is the audit log's).
SET ROLE undo_owner;
SELECT migration_guard.undo_script('undo-1') IS NOT NULL;
RESET ROLE;
-- Attack: a table of the same name further down the search_path. CREATE puts the new one in the
-- first schema of the path; its undo drops that one, never the older table.
CREATE SCHEMA undo_first AUTHORIZATION undo_owner;
SET ROLE undo_owner;
SET search_path = undo_first, undo_app;
SET migration_guard.migration_id = 'undo-3';
CREATE TABLE victim (id int);
RESET migration_guard.migration_id;
RESET search_path;
RESET ROLE;
SELECT undo_sql FROM migration_guard.audit_log WHERE migration_id = 'undo-3' AND undo_sql IS NOT NULL;
-- Attack: control characters in names and in the migration id. A newline in a column name used
-- to end the "-- not undone" comment and run what followed. Every line of the script is a comment
-- or a generated statement; names with control characters are written U&"..." on one line.
SET ROLE undo_owner;
SET migration_guard.migration_id = E'undo-4\nDELETE FROM undo_app.victim;';
BEGIN;
CREATE TABLE undo_app.hostile (id int PRIMARY KEY, U&"x\000AALTER ROLE undo_owner SUPERUSER;\000A--" int,
                               "tab	here" text DEFAULT E'a\nDELETE FROM undo_app.victim;\n');
ALTER TABLE undo_app.hostile RENAME COLUMN "tab	here" TO "b
c";
ALTER TABLE undo_app.hostile ALTER COLUMN "b
c" SET DEFAULT E'\nDROP TABLE undo_app.victim;';
COMMIT;
ALTER TABLE undo_app.hostile DROP COLUMN U&"x\000AALTER ROLE undo_owner SUPERUSER;\000A--";
RESET migration_guard.migration_id;
RESET ROLE;
SELECT migration_guard.undo_script(E'undo-4\nDELETE FROM undo_app.victim;') AS undo \gset
SELECT line, CASE WHEN line ~ '^-- ' THEN 'comment'
                  WHEN line ~ '^(ALTER TABLE|DROP TABLE|CREATE|SELECT migration_guard\.restore)\M' THEN 'statement'
                  ELSE 'OTHER' END AS kind
FROM regexp_split_to_table(:'undo', E'\n') AS line;
SELECT count(*) AS lines_with_control_characters
FROM regexp_split_to_table(:'undo', E'\n') AS line WHERE line ~ '[\x01-\x08\x0b-\x1f\x7f]';
