-- Risk follows what is really at stake: a drop that finds nothing destroys nothing; an empty
-- table or an all-NULL column is medium (code that uses it breaks, no data is lost), never from a
-- figure a transaction can fake.
\set VERBOSITY terse
CREATE TABLE stake_full (id int, note text);
INSERT INTO stake_full SELECT g, CASE WHEN g = 1 THEN 'kept' END FROM generate_series(1, 50) g;
CREATE TABLE stake_empty (id int, note text);
CREATE TABLE stake_emptied (id int);
INSERT INTO stake_emptied SELECT generate_series(1, 20);
DELETE FROM stake_emptied;

-- Nothing to drop: when it runs, no finding and nothing blocked. (classify() judges a text ahead
-- of time, for wherever it will run, and still names the drop.)
SELECT rule, risk FROM migration_guard.classify('DROP TABLE IF EXISTS stake_missing;') WHERE rule = 'drop-table';
DROP TABLE IF EXISTS stake_missing;
ALTER TABLE stake_full DROP COLUMN IF EXISTS no_such_column;
ALTER TABLE IF EXISTS stake_missing DROP COLUMN note;
DROP TABLE IF EXISTS stake_missing, stake_also_missing CASCADE;

-- Empty tables (never filled, or emptied by a committed DELETE) and all-NULL columns: medium.
SELECT rule, risk FROM migration_guard.classify('DROP TABLE stake_empty;') WHERE rule IS NOT NULL;
SELECT rule, risk FROM migration_guard.classify('DROP TABLE stake_emptied;') WHERE rule IS NOT NULL;
UPDATE stake_full SET note = NULL WHERE id > 1;
ALTER TABLE stake_full ADD COLUMN unused text;
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE stake_full DROP COLUMN unused;') WHERE rule IS NOT NULL;
-- One value is enough to be data.
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE stake_full DROP COLUMN note;') WHERE rule IS NOT NULL;
SELECT rule, risk FROM migration_guard.classify('DROP TABLE stake_full;') WHERE rule IS NOT NULL;

-- Enforced: the empty ones pass (recorded with their risk), the full ones are blocked.
DROP TABLE stake_empty;
ALTER TABLE stake_full DROP COLUMN unused;
ALTER TABLE stake_full DROP COLUMN note;
DROP TABLE stake_full;
SELECT command_tag, object_identity, risk, decision FROM migration_guard.audit_log
WHERE object_identity IN ('public.stake_empty', 'public.stake_full.unused') ORDER BY id;

-- Attack: emptiness faked inside the transaction (DELETE, then DROP; UPDATE to NULL, then DROP
-- COLUMN). The rows this transaction deleted still count: blocked, and nothing is lost.
BEGIN;
DELETE FROM stake_full;
DROP TABLE stake_full;
ROLLBACK;
BEGIN;
UPDATE stake_full SET note = NULL;
ALTER TABLE stake_full DROP COLUMN note;
ROLLBACK;
-- Nor does ANALYZE of an emptied table, rolled back, make a full table look empty.
BEGIN;
DELETE FROM stake_full;
ANALYZE stake_full;
SAVEPOINT s;
DROP TABLE stake_full;
ROLLBACK TO s;
ROLLBACK;
-- TRUNCATE (which only the preloaded guard judges), then DROP in one transaction: the replaced
-- file hides what the table held, so it is not "empty".
BEGIN;
TRUNCATE stake_full;
DROP TABLE stake_full;
ROLLBACK;
SELECT count(*) AS full_rows, count(note) AS notes FROM stake_full;
-- The same as an ordinary table owner, not a superuser.
CREATE ROLE stake_owner;
GRANT CREATE ON SCHEMA public TO stake_owner;
SET ROLE stake_owner;
CREATE TABLE stake_owned (id int, v text);
INSERT INTO stake_owned SELECT g, 'v' || g FROM generate_series(1, 10) g;
BEGIN;
DELETE FROM stake_owned;
DROP TABLE stake_owned;
ROLLBACK;
BEGIN;
UPDATE stake_owned SET v = NULL;
ALTER TABLE stake_owned DROP COLUMN v;
ROLLBACK;
SELECT count(v) AS owned_values FROM stake_owned;
RESET ROLE;

-- Real row figures: after every row was updated twice the pages hold three versions of each, and
-- the statistics may count twice the rows; the figure is the table's real count.
CREATE TABLE stake_updated (id int PRIMARY KEY, v text);
INSERT INTO stake_updated SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g;
ANALYZE stake_updated;
UPDATE stake_updated SET v = v || 'a';
UPDATE stake_updated SET v = v || 'b';
SELECT message FROM migration_guard.classify('DROP TABLE stake_updated;') WHERE rule = 'drop-table';

SET migration_guard.mode = 'audit';
DROP TABLE stake_full, stake_emptied, stake_updated, stake_owned;
REVOKE CREATE ON SCHEMA public FROM stake_owner;
DROP ROLE stake_owner;
RESET migration_guard.mode;
