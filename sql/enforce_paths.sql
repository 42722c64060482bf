-- The same risky statement is judged whatever runs it: a DO block, a function with EXECUTE, a
-- procedure, dynamic SQL, a transaction block.
\set VERBOSITY terse
CREATE TABLE ledger (id bigint PRIMARY KEY, amount numeric);
INSERT INTO ledger SELECT g, g FROM generate_series(1, 100) g;
ANALYZE ledger;

DO $$ BEGIN DROP TABLE ledger; END $$;
DO $$ BEGIN EXECUTE 'ALTER TABLE ledger DROP COLUMN amount'; END $$;

CREATE FUNCTION wipe(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TABLE %I', t);
END $$;
SELECT wipe('ledger');

CREATE PROCEDURE shrink() LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE ledger ALTER COLUMN amount TYPE int;
END $$;
CALL shrink();

CREATE FUNCTION sql_wipe() RETURNS void LANGUAGE sql AS $$ TRUNCATE ledger; DROP TABLE ledger; $$;
SELECT sql_wipe();

BEGIN;
SAVEPOINT s1;
DROP TABLE ledger;
ROLLBACK TO SAVEPOINT s1;
SELECT count(*) AS rows_in_transaction FROM ledger;
COMMIT;

-- A security-definer function owned by a superuser is judged the same way.
CREATE FUNCTION definer_wipe() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN DROP TABLE ledger; END $$;
SELECT definer_wipe();

-- session_replication_role = replica does not switch the guard off (its triggers are ENABLE ALWAYS).
SET session_replication_role = replica;
DROP TABLE ledger;
RESET session_replication_role;
SELECT evtname, evtenabled FROM pg_event_trigger WHERE evtname LIKE 'migration_guard%' ORDER BY evtname;

SELECT count(*) AS rows_left, sum(amount) AS total FROM ledger;
