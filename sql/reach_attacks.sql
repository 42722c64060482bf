-- What a statement reaches, not what it names (preloaded, default settings). Every attack runs
-- as an ordinary role that owns the tables: a migration tool's or an agent's role.
\set VERBOSITY terse
CREATE ROLE reach_owner LOGIN;
CREATE SCHEMA reach AUTHORIZATION reach_owner;
SET ROLE reach_owner;
SET search_path = reach;
CREATE TABLE customers (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, sku text);
CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 500) g;
INSERT INTO orders SELECT g, g % 500 + 1, 'sku-' || g FROM generate_series(1, 2000) g;
INSERT INTO invoices SELECT g, g FROM generate_series(1, 2000) g;
CREATE VIEW counts AS SELECT (SELECT count(*) FROM customers) AS customers,
    (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM invoices) AS invoices;
RESET ROLE;
-- audit_start: where this test begins in the log; wait_for_blocked(n): the workers caught up.
\getenv abs_srcdir PG_ABS_SRCDIR
\set audit_setup :abs_srcdir '/sql/include/audit_start.sql'
\i :audit_setup
SET ROLE reach_owner;
SET search_path = reach;

-- 1. A new inheritance parent: TRUNCATE recurses into the existing child.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
\set VERBOSITY default
TRUNCATE proxy;
\set VERBOSITY terse
ROLLBACK;
-- ... and ALTER COLUMN ... TYPE recurses into it (every value replaced).
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
ALTER TABLE proxy ALTER COLUMN sku TYPE text USING NULL;
ROLLBACK;
-- ... and through two levels of new parents.
BEGIN;
CREATE TABLE proxy_top (LIKE orders);
CREATE TABLE proxy (LIKE orders);
ALTER TABLE proxy INHERIT proxy_top;
ALTER TABLE orders INHERIT proxy;
TRUNCATE proxy_top;
ROLLBACK;
-- ... and a new partitioned parent with an existing table attached as a partition.
BEGIN;
CREATE TABLE parted (LIKE customers) PARTITION BY RANGE (id);
ALTER TABLE customers DROP CONSTRAINT IF EXISTS nothing_here;
ALTER TABLE parted ATTACH PARTITION customers FOR VALUES FROM (0) TO (1000000);
TRUNCATE parted CASCADE;
ROLLBACK;
BEGIN;
CREATE TABLE parted (LIKE customers) PARTITION BY RANGE (id);
ALTER TABLE parted ATTACH PARTITION customers FOR VALUES FROM (0) TO (1000000);
ALTER TABLE parted ALTER COLUMN email TYPE varchar(3) USING 'x';
ROLLBACK;
-- Other recursing subcommands: SET NOT NULL scans the child and fails on its NULLs.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
UPDATE orders SET sku = NULL WHERE id = 1;
ALTER TABLE proxy ALTER COLUMN sku SET NOT NULL;
ROLLBACK;
-- DROP COLUMN through a new parent leaves the child's own column alone (PostgreSQL keeps a
-- column the child defines itself): allowed, and the column is still there.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
ALTER TABLE proxy DROP COLUMN sku;
SELECT count(sku) AS sku_kept FROM ONLY orders;
ROLLBACK;
-- ONLY stops the recursion: TRUNCATE ONLY of the new parent empties nothing else.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
TRUNCATE ONLY proxy;
ROLLBACK;

-- 2. TRUNCATE ... CASCADE of a new table through a NOT VALID foreign key.
BEGIN;
CREATE TABLE bait (id bigint PRIMARY KEY);
ALTER TABLE customers ADD CONSTRAINT bait_fk FOREIGN KEY (id) REFERENCES bait NOT VALID;
TRUNCATE bait CASCADE;
ROLLBACK;
-- Without CASCADE, PostgreSQL itself refuses: nothing for the guard to judge beyond bait.
BEGIN;
CREATE TABLE bait (id bigint PRIMARY KEY);
ALTER TABLE customers ADD CONSTRAINT bait_fk FOREIGN KEY (id) REFERENCES bait NOT VALID;
TRUNCATE bait;
ROLLBACK;

-- 3. Statistics faked by a rolled-back DELETE + ANALYZE do not make a full table empty. (A DELETE
-- of every row is judged itself; batches below migration_guard.data_change_rows and a third of
-- the table are not.)
BEGIN;
DELETE FROM invoices WHERE id % 3 = 0; DELETE FROM invoices WHERE id % 3 = 1; DELETE FROM invoices WHERE id % 3 = 2;
DELETE FROM orders WHERE id % 3 = 0; DELETE FROM orders WHERE id % 3 = 1; DELETE FROM orders WHERE id % 3 = 2;
ANALYZE orders;
ROLLBACK;
SELECT reltuples AS faked_reltuples FROM pg_class WHERE oid = 'reach.orders'::regclass;
ALTER TABLE orders ALTER COLUMN sku TYPE text USING 'gone';
SELECT count(*) AS skus_intact FROM orders WHERE sku LIKE 'sku-%';

-- 4. A blocked DDL run and caught inside the outer statement (here by the USING expression of
-- an approved ALTER TABLE) leaves the outer statement's state as it was: the outer statement
-- is recorded as approved with its own text, the inner attempt as blocked with its own.
CREATE FUNCTION swallow(v int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DROP TABLE reach.invoices;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'inner: %', SQLERRM;
    END;
    RETURN v;
END $$;
CREATE TABLE tiny (id int PRIMARY KEY, n int, extra text);
INSERT INTO tiny VALUES (1, 1, 'a'), (2, 2, 'b');
RESET ROLE;
SELECT migration_guard.approve(ARRAY['drop-column', 'change-column-type'],
                               ARRAY['reach.tiny.extra', 'reach.tiny.n'], 'retype n, drop extra') AS token \gset
SET ROLE reach_owner;
SET migration_guard.approval = :'token';
ALTER TABLE tiny DROP COLUMN extra, ALTER COLUMN n TYPE bigint USING swallow(n);
RESET migration_guard.approval;
SELECT count(*) AS invoices_kept FROM invoices;

-- A function that runs DDL per row: each call is judged at its own level.
CREATE FUNCTION empty_it(t text) RETURNS int LANGUAGE plpgsql AS $$
BEGIN EXECUTE format('TRUNCATE %I', t); RETURN 1; END $$;
SELECT empty_it(x) FROM (VALUES ('invoices'), ('invoices')) v(x);
SELECT count(*) AS invoices_kept FROM invoices;

-- 5. An approval for TRUNCATE of customers does not cover what CASCADE also empties.
RESET ROLE;
SELECT migration_guard.approve(ARRAY['truncate'], ARRAY['reach.customers'], 'reset customers') AS token \gset
SET ROLE reach_owner;
SET migration_guard.approval = :'token';
TRUNCATE customers CASCADE;
RESET migration_guard.approval;
SELECT * FROM counts;

-- With an approval that covers every reached relation, it runs, and each one is on record.
RESET ROLE;
SELECT migration_guard.approve(ARRAY['truncate', 'change-column-type'],
                               ARRAY['reach.customers', 'reach.orders', 'reach.invoices', 'reach.orders.sku'],
                               'reset the shop') AS token \gset
SET ROLE reach_owner;
SET migration_guard.approval = :'token';
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
ALTER TABLE proxy ALTER COLUMN sku TYPE text USING NULL;
SELECT count(sku) AS skus_left FROM orders;
ROLLBACK;
TRUNCATE customers CASCADE;
RESET migration_guard.approval;
SELECT * FROM counts;

RESET ROLE;
SELECT wait_for_blocked(17);
-- Workers race: blocked rows sorted by what they say.
SELECT command_tag, object_identity, rules, decision, statement FROM migration_guard.audit_log
WHERE id > (SELECT id FROM audit_start) AND decision = 'blocked'
ORDER BY statement, object_identity;
SELECT command_tag, object_type, object_identity, decision, statement FROM migration_guard.audit_log
WHERE id > (SELECT id FROM audit_start) AND decision = 'approved' ORDER BY id;
-- (The suite's instance is thrown away: its objects and roles go with it.)
