-- Approvals: issued by superusers and members of migration_guard_approver, scoped to rule ids
-- and object patterns, spent one use per statement, expiring, optionally from a distinct role.
\set VERBOSITY terse
SELECT current_database() AS dbname \gset
CREATE ROLE approver_alice LOGIN IN ROLE migration_guard_approver;
CREATE ROLE runner_bob LOGIN;
CREATE ROLE outsider_carol LOGIN;
GRANT CREATE ON SCHEMA public TO runner_bob;
SET ROLE runner_bob;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, phone text, fax text, pager text);
INSERT INTO accounts SELECT g, 'a' || g, 'p' || g, 'f' || g, 'g' || g FROM generate_series(1, 10) g;
CREATE TABLE audit_trail (id bigint);
INSERT INTO audit_trail VALUES (1);
ANALYZE accounts;
RESET ROLE;

-- Who may approve.
SET ROLE outsider_carol;
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], 'not mine to give');
SET ROLE runner_bob;
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], 'approving myself');
RESET ROLE;

-- What approve() refuses.
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], '   ');
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], NULL);
SELECT migration_guard.approve(ARRAY['drop-colum'], ARRAY['public.accounts.*'], 'typo');
SELECT migration_guard.approve(ARRAY[]::text[], ARRAY['public.accounts.*'], 'no rules');
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], 'zero uses', uses => 0);
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], 'negative', valid_for => '-5 minutes');

-- Tokens look like this, and are stored only as a hash.
SET ROLE approver_alice;
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.accounts.*'], 'retire contact columns, ticket 7', uses => 2) AS token \gset
RESET ROLE;
SELECT :'token' ~ '^mga_[0-9a-f]{32}$' AS token_shape;
SELECT count(*) AS stored_tokens FROM migration_guard.approval WHERE token_hash = :'token';

-- Scope: by rule and by object pattern; two uses.
SET ROLE runner_bob;
ALTER TABLE accounts DROP COLUMN fax;
SET migration_guard.approval = :'token';
ALTER TABLE accounts DROP COLUMN fax;
DROP TABLE audit_trail;
ALTER TABLE accounts RENAME COLUMN phone TO telephone;
ALTER TABLE accounts DROP COLUMN pager;
\set VERBOSITY default
ALTER TABLE accounts DROP COLUMN phone;
\set VERBOSITY terse
RESET migration_guard.approval;
RESET ROLE;
SELECT rules, objects, reason, approved_by, uses_total, uses_left, active,
       jsonb_path_query_array(used_by, '$[*].statement') AS statements
FROM migration_guard.approvals WHERE reason LIKE 'retire contact%';

-- SET LOCAL presents an approval for one transaction only.
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.audit_*'], 'audit moves elsewhere') AS token \gset
BEGIN;
SET LOCAL migration_guard.approval = :'token';
DROP TABLE audit_trail;
ROLLBACK;
DROP TABLE audit_trail;
SHOW migration_guard.approval;

-- Expiry.
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.audit_trail'], 'expires', valid_for => '1 hour') AS token \gset
UPDATE migration_guard.approval SET valid_until = now() - interval '1 second' WHERE reason = 'expires';
SET migration_guard.approval = :'token';
\set VERBOSITY default
DROP TABLE audit_trail;
SET migration_guard.approval = 'mga_00000000000000000000000000000000';
DROP TABLE audit_trail;
\set VERBOSITY terse
RESET migration_guard.approval;

-- '*' approves any rule on the objects it names.
SELECT migration_guard.approve(ARRAY['*'], ARRAY['public.accounts', 'public.accounts.*'], 'rebuild accounts') AS token \gset
SET migration_guard.approval = :'token';
ALTER TABLE accounts RENAME COLUMN email TO email_address;
RESET migration_guard.approval;

-- require_distinct_approver: an approval counts only when the role running the statement (and
-- its session) is not the one that issued it.
ALTER TABLE audit_trail OWNER TO approver_alice;
ALTER DATABASE :"dbname" SET migration_guard.require_distinct_approver = on;
\c - approver_alice
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.audit_trail'], 'four eyes') AS token \gset
SET migration_guard.approval = :'token';
\set VERBOSITY default
DROP TABLE audit_trail;
\set VERBOSITY terse
\c - postgres
ALTER TABLE audit_trail OWNER TO runner_bob;
\c - runner_bob
SET migration_guard.approval = :'token';
DROP TABLE audit_trail;
\c - postgres
ALTER DATABASE :"dbname" RESET migration_guard.require_distinct_approver;
LOAD 'migration_guard';
\set VERBOSITY terse

SELECT reason, uses_left, active, jsonb_path_query_array(used_by, '$[*].role') AS used_by_roles
FROM migration_guard.approvals
WHERE reason IN ('retire contact columns, ticket 7', 'audit moves elsewhere', 'expires', 'rebuild accounts', 'four eyes')
ORDER BY approved_at;

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP OWNED BY approver_alice;
DROP ROLE approver_alice;
DROP OWNED BY runner_bob;
DROP ROLE runner_bob;
DROP OWNED BY outsider_carol;
DROP ROLE outsider_carol;
RESET migration_guard.mode;
