-- Judging a migration never runs the migrator's code as the judge (classify(), risk(),
-- approve_migration(), check --db): a data check that reaches a domain's CHECK, a cast or a
-- policy runs as the table's owner under SECURITY_RESTRICTED_OPERATION, and whatever that code
-- writes or SETs is rolled back with the check.
\set VERBOSITY terse
SET client_min_messages = notice;
CREATE ROLE jo_owner LOGIN;
CREATE ROLE jo_approver LOGIN IN ROLE migration_guard_approver;
CREATE SCHEMA jo AUTHORIZATION jo_owner;
SET ROLE jo_owner;
CREATE TABLE jo.orders (id int PRIMARY KEY, qty int);
INSERT INTO jo.orders SELECT g, g FROM generate_series(1, 100) g;
-- The owner lends the judge read access itself.
GRANT USAGE ON SCHEMA jo TO migration_guard_approver;
GRANT SELECT ON jo.orders TO migration_guard_approver;
-- The planted code: tells who runs it, tries to mint a '*'/'*' approval, to become a superuser,
-- and to plant an approval token in the judge's session.
CREATE FUNCTION jo.evil(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF $1 = 1 THEN
        RAISE NOTICE 'planted code runs as %', current_user;
        BEGIN
            PERFORM migration_guard.approve(ARRAY['*'], ARRAY['*'], 'minted by a CHECK');
        EXCEPTION WHEN others THEN RAISE NOTICE 'approve() refused: %', SQLERRM;
        END;
        BEGIN
            EXECUTE 'ALTER ROLE jo_owner SUPERUSER';
        EXCEPTION WHEN others THEN RAISE NOTICE 'ALTER ROLE refused: %', SQLERRM;
        END;
        PERFORM set_config('search_path', 'jo, public', false);
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN jo.evil_dom AS int CHECK (jo.evil(VALUE));
-- Row security whose policy calls the planted code: the check reads as the owner, unfiltered.
CREATE POLICY everyone ON jo.orders USING (jo.evil(id));
ALTER TABLE jo.orders ENABLE ROW LEVEL SECURITY;
RESET ROLE;
ANALYZE jo.orders;
SELECT count(*) AS approvals_before FROM migration_guard.approval \gset

-- An approver judges the migrator's text.
SET ROLE jo_approver;
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE jo.orders ALTER COLUMN qty TYPE jo.evil_dom') ORDER BY rule;
SELECT migration_guard.risk('ALTER TABLE jo.orders ALTER COLUMN qty TYPE jo.evil_dom') AS risk;
SHOW search_path;
RESET ROLE;
-- A superuser judges it (as migration-guard check --db would connect).
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE jo.orders ALTER COLUMN qty TYPE jo.evil_dom') ORDER BY rule;
SHOW search_path;
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'jo_owner';
SELECT count(*) - :approvals_before AS approvals_minted FROM migration_guard.approval;

SET client_min_messages = warning;
SELECT migration_guard.approve(ARRAY['*'], ARRAY['jo', 'jo.*', 'jo_owner', 'jo_approver'], 'cleanup', uses => 2) AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA jo CASCADE;
DROP ROLE jo_owner, jo_approver;
RESET migration_guard.approval;
