-- Judging a migration never runs anybody's code as the judge or as the table's owner
-- (classify(), risk(), approve_migration(), check --db): a data check reads the table as its owner
-- under SECURITY_RESTRICTED_OPERATION, rolled back, and answers "unknown" when it would run code
-- some role wrote (a domain's CHECK, a cast function, an equality operator of a type of the
-- database); row security is not applied; the caller must be able to read the table.
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

-- Attack: an ordinary role judges a type change of a superuser's table (and of a catalog) to its
-- own domain: its code would have run as the table's owner. It runs nowhere: the answer is unknown.
CREATE TABLE public.jo_super (id int, name text);
INSERT INTO public.jo_super VALUES (1, 'n1');
GRANT SELECT ON public.jo_super TO jo_owner;
SET ROLE jo_owner;
CREATE DOMAIN jo.evil_text AS text CHECK (jo.evil(length(VALUE) - 1));
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE public.jo_super ALTER COLUMN name TYPE jo.evil_text') ORDER BY rule;
SELECT migration_guard.risk('ALTER TABLE pg_catalog.pg_authid ALTER COLUMN rolpassword TYPE jo.evil_text') AS risk;
RESET ROLE;
DROP TABLE public.jo_super;

SET client_min_messages = warning;
SELECT migration_guard.approve(ARRAY['*'], ARRAY['jo', 'jo.*', 'jo_owner', 'jo_approver'], 'cleanup', uses => 2) AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA jo CASCADE;
DROP ROLE jo_owner, jo_approver;
RESET migration_guard.approval;
