-- What a statement reaches, seen through the event triggers alone (the library is not preloaded
-- in this suite): ALTER TABLE's recursion into children and partitions, faked statistics, and
-- DDL nested inside an approved statement. Every attack runs as an ordinary owner.
\set VERBOSITY terse
CREATE ROLE reach_et_owner LOGIN;
CREATE SCHEMA reach_et AUTHORIZATION reach_et_owner;
SET ROLE reach_et_owner;
SET search_path = reach_et;
CREATE TABLE orders (id bigint PRIMARY KEY, sku text);
INSERT INTO orders SELECT g, 'sku-' || g FROM generate_series(1, 2000) g;
CREATE TABLE customers (id bigint PRIMARY KEY, email text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 500) g;

-- A new inheritance parent: ALTER COLUMN ... TYPE recurses into the existing child.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
ALTER TABLE proxy ALTER COLUMN sku TYPE text USING NULL;
ROLLBACK;
-- A new partitioned parent with an existing table attached.
BEGIN;
CREATE TABLE parted (LIKE customers) PARTITION BY RANGE (id);
ALTER TABLE parted ATTACH PARTITION customers FOR VALUES FROM (0) TO (1000000);
ALTER TABLE parted ALTER COLUMN email TYPE varchar(3) USING 'x';
ROLLBACK;
-- ALTER TABLE ONLY does not recurse: nothing but the new parent is judged.
BEGIN;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
ALTER TABLE ONLY proxy ALTER COLUMN sku SET NOT NULL;
ROLLBACK;
-- Statistics faked in a rolled-back transaction do not make the table look empty.
BEGIN; DELETE FROM orders; ANALYZE orders; ROLLBACK;
ALTER TABLE orders ALTER COLUMN sku TYPE text USING 'gone';
SELECT count(*) AS skus_intact FROM orders WHERE sku LIKE 'sku-%';

-- Approved for every table it reaches, the recursion runs, and the child it rewrote is on record.
RESET ROLE;
SELECT migration_guard.approve(ARRAY['change-column-type'], ARRAY['reach_et.orders.sku', 'reach_et.proxy.sku'],
                               'sku becomes varchar') AS token \gset
SET ROLE reach_et_owner;
SET search_path = reach_et;
CREATE TABLE proxy (LIKE orders);
ALTER TABLE orders INHERIT proxy;
CREATE TEMP TABLE audit_mark AS SELECT clock_timestamp() AS at;
SET migration_guard.approval = :'token';
ALTER TABLE proxy ALTER COLUMN sku TYPE varchar(20);
RESET migration_guard.approval;
RESET ROLE;
SELECT command_tag, object_type, object_identity, decision FROM migration_guard.audit_log
WHERE logged_at > (SELECT at FROM audit_mark) ORDER BY object_identity;

-- DDL nested in an approved statement and caught there leaves the outer judgement alone.
SET ROLE reach_et_owner;
SET search_path = reach_et;
CREATE FUNCTION swallow(v int) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        DROP TABLE reach_et.customers;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'inner: %', SQLERRM;
    END;
    RETURN v;
END $$;
CREATE TABLE tiny (id int PRIMARY KEY, n int, extra text);
INSERT INTO tiny VALUES (1, 1, 'a');
RESET ROLE;
SELECT migration_guard.approve(ARRAY['drop-column', 'change-column-type'],
                               ARRAY['reach_et.tiny.extra', 'reach_et.tiny.n'], 'retype n, drop extra') AS token \gset
SET ROLE reach_et_owner;
SET search_path = reach_et;
TRUNCATE audit_mark;
INSERT INTO audit_mark VALUES (clock_timestamp());
SET migration_guard.approval = :'token';
ALTER TABLE tiny DROP COLUMN extra, ALTER COLUMN n TYPE bigint USING swallow(n);
RESET migration_guard.approval;
SELECT count(*) AS customers_kept FROM customers;
RESET ROLE;
SELECT command_tag, object_type, object_identity, decision FROM migration_guard.audit_log
WHERE logged_at > (SELECT at FROM audit_mark) AND decision <> 'blocked' ORDER BY object_identity;

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
RESET search_path;
SET migration_guard.mode = 'off';
DROP SCHEMA reach_et CASCADE;
DROP OWNED BY reach_et_owner;
DROP ROLE reach_et_owner;
RESET migration_guard.mode;
