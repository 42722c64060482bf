-- Relations are judged by what they are, not by the statement's words: PostgreSQL lets
-- ALTER INDEX ... RENAME rename a table, a view or a sequence. Attack: an approval to drop a
-- junk table was spent on a real one after swapping names that way.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE ROLE rk_owner LOGIN;
CREATE SCHEMA rk AUTHORIZATION rk_owner;
SET ROLE rk_owner;
CREATE TABLE rk.invoices (id int PRIMARY KEY, amount numeric);
INSERT INTO rk.invoices SELECT g, g FROM generate_series(1, 1000) g;
CREATE TABLE rk.junk (id int);
CREATE VIEW rk.invoice_view AS SELECT id FROM rk.invoices;
CREATE SEQUENCE rk.counter;
CREATE INDEX invoices_amount_idx ON rk.invoices (amount);
RESET ROLE;
ANALYZE rk.invoices;
SET ROLE rk_owner;
-- Each is judged as the rename of what it names: blocked like ALTER TABLE ... RENAME.
ALTER INDEX rk.invoices RENAME TO junk2;
ALTER INDEX rk.invoice_view RENAME TO invoice_view2;
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE rk.invoices RENAME TO junk2') ORDER BY rule;
-- A real index rename stays what it is (no rename-table), and so does ALTER TABLE on an index.
ALTER INDEX rk.invoices_amount_idx RENAME TO invoices_amount_idx2;
ALTER TABLE rk.invoices_amount_idx2 RENAME TO invoices_amount_idx;
ALTER SEQUENCE rk.counter RENAME TO counter2;
-- The swap itself, with the junk table's rename approved: the second step is still refused.
RESET ROLE;
SELECT migration_guard.approve(ARRAY['rename-table'], ARRAY['rk.junk'], 'make room', for_role => session_user) AS token \gset
SET ROLE rk_owner;
SET migration_guard.approval = :'token';
BEGIN;
ALTER TABLE rk.junk RENAME TO junk_old;
ALTER INDEX rk.invoices RENAME TO junk;
ROLLBACK;
RESET migration_guard.approval;
SELECT relname FROM pg_class WHERE relnamespace = 'rk'::regnamespace AND relkind IN ('r', 'v', 'S') ORDER BY 1;
RESET ROLE;
-- Through a row type: ALTER TYPE ... RENAME ATTRIBUTE of a table's row type renames its column;
-- ALTER TYPE ... ALTER ATTRIBUTE ... TYPE CASCADE changes the columns of the tables made OF the type.
SET ROLE rk_owner;
CREATE TYPE rk.shape AS (id int, amount numeric(10,2));
CREATE TABLE rk.typed OF rk.shape;
INSERT INTO rk.typed VALUES (1, 1.49);
RESET ROLE;
ANALYZE rk.typed;
SET ROLE rk_owner;
ALTER TYPE rk.invoices RENAME ATTRIBUTE amount TO amount2;
ALTER TYPE rk.shape ALTER ATTRIBUTE amount TYPE int CASCADE;
ALTER TYPE rk.shape RENAME ATTRIBUTE amount TO amount3 CASCADE;
SELECT amount FROM rk.typed;
SELECT attname FROM pg_attribute WHERE attrelid = 'rk.invoices'::regclass AND attnum > 0 ORDER BY attnum;
RESET ROLE;
SELECT migration_guard.approve(ARRAY['*'], ARRAY['rk', 'rk.*', 'rk_owner'], 'cleanup', uses => 2) AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA rk CASCADE;
DROP ROLE rk_owner;
RESET migration_guard.approval;
