-- A cascade that reaches an object of the guard's own would take the whole extension with it (its
-- audit log, approvals, recycle bin, event triggers): it is weaken-guard, never an ordinary drop,
-- whatever approval for the drop is presented.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE SCHEMA wg;
CREATE TABLE wg.t (id int);
INSERT INTO wg.t VALUES (1);
CREATE VIEW wg.v AS SELECT id FROM wg.t;
-- By mistake (or by an attacker with the rights to do it once): a user object joins the extension.
ALTER EXTENSION migration_guard ADD VIEW wg.v;
SELECT rule, risk FROM migration_guard.classify('DROP TABLE wg.t CASCADE') ORDER BY rule;
-- The drop's own approval does not cover it.
SELECT migration_guard.approve(ARRAY['drop-table', 'drop-cascade', 'drop-view'], ARRAY['wg.*'], 'retire t') AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE wg.t CASCADE;
RESET migration_guard.approval;
SELECT extname FROM pg_extension WHERE extname = 'migration_guard';
ALTER EXTENSION migration_guard DROP VIEW wg.v;
SELECT rule FROM migration_guard.classify('DROP TABLE wg.t CASCADE') WHERE rule = 'weaken-guard';
SELECT migration_guard.approve(ARRAY['*'], ARRAY['wg', 'wg.*'], 'cleanup') AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA wg CASCADE;
RESET migration_guard.approval;
