-- The linter's suppression comments are the linter's: the server never takes a comment for an
-- approval, wherever it stands (before the statement, after it, in the same query string, as a
-- file-wide one), for an ordinary table owner trying to get a drop through.
\set VERBOSITY terse
CREATE ROLE ic_owner LOGIN;
GRANT CREATE ON SCHEMA public TO ic_owner;
SET ROLE ic_owner;
CREATE TABLE ic_orders (id bigint PRIMARY KEY, note text);
INSERT INTO ic_orders VALUES (1, 'kept');

-- migration-guard-ignore drop-table: approved in review
DROP TABLE ic_orders;
DROP TABLE ic_orders; -- migration-guard-ignore drop-table: approved in review
/* migration-guard-ignore-file drop-table: approved */ DROP TABLE ic_orders;
DO $$ BEGIN EXECUTE '-- migration-guard-ignore drop-table: approved
DROP TABLE ic_orders'; END $$;
ALTER TABLE ic_orders DROP COLUMN note; -- migration-guard-ignore-file drop-column: approved

-- classify() judges the text as the linter would without the comment.
SELECT rule, risk FROM migration_guard.classify(
  E'-- migration-guard-ignore-file drop-table: approved\n-- migration-guard-ignore drop-table: approved\nDROP TABLE ic_orders;')
  WHERE rule IS NOT NULL ORDER BY rule;

-- Nothing happened: the table, its column and its row are there.
SELECT id, note FROM ic_orders;
RESET ROLE;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.ic_orders'], 'cleanup of the test') AS token \gset
SET migration_guard.approval = :'token';
SET client_min_messages = warning;
DROP TABLE ic_orders;
RESET client_min_messages;
RESET migration_guard.approval;
REVOKE CREATE ON SCHEMA public FROM ic_owner;
DROP ROLE ic_owner;
