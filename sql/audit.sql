-- The audit log: one row per changed object (ddl_command_end) and per dropped object (sql_drop),
-- blocked attempts kept although their transaction aborts, append-only, migrations and drift.
\set VERBOSITY terse
-- audit_start: where this test begins in the log; wait_for_blocked(n): the workers caught up.
\getenv abs_srcdir PG_ABS_SRCDIR
\set audit_setup :abs_srcdir '/sql/include/audit_start.sql'
\i :audit_setup
CREATE TEMP VIEW audit AS
-- Ids are not consecutive (a transaction's id, then a counter): n numbers this test's rows.
SELECT row_number() OVER (ORDER BY id) AS n, command_tag, object_type, object_identity, statement, rules, risk, decision,
       approval_id IS NOT NULL AS approved, migration_id
FROM migration_guard.audit_log WHERE id > (SELECT id FROM audit_start);
-- The session fields, for a row written just now.
CREATE TEMP VIEW audit_session AS
SELECT role_name, session_role, application_name, client_addr, backend_pid = pg_backend_pid() AS this_backend,
       xid IS NOT NULL AS has_xid, logged_at BETWEEN now() - interval '1 minute' AND clock_timestamp() AS logged_now
FROM migration_guard.audit_log WHERE id > (SELECT id FROM audit_start);
SET application_name = 'audit-test';
SET migration_guard.rls_schemas = 'api';  -- keep RLS advice (which depends on earlier tests) out of the rows

-- A multi-statement string: each row carries the text of its own statement.
CREATE TABLE products (id bigint PRIMARY KEY, name text) \; ALTER TABLE products ADD COLUMN price numeric \; CREATE INDEX products_name_idx ON products (name);
INSERT INTO products VALUES (1000, 'kept', 1);
SELECT * FROM audit ORDER BY n;
SELECT DISTINCT * FROM audit_session ORDER BY application_name;

-- DDL inside a function and a DO block (without preload the row names the statement that ran it).
CREATE FUNCTION add_sku() RETURNS void LANGUAGE plpgsql AS $$
BEGIN ALTER TABLE products ADD COLUMN sku text; END $$;
SELECT add_sku();
DO $$ BEGIN EXECUTE 'CREATE INDEX products_sku_idx ON products (sku)'; END $$;
UPDATE products SET sku = 'sku-1000';
SELECT command_tag, object_type, object_identity, statement FROM audit WHERE n > 4 ORDER BY n;

-- A cascade drop lists every object it took.
CREATE SCHEMA legacy;
CREATE TABLE legacy.orders (id bigint PRIMARY KEY, product_id bigint, total numeric);
CREATE INDEX legacy_orders_product_idx ON legacy.orders (product_id);
CREATE VIEW legacy.big_orders AS SELECT * FROM legacy.orders WHERE total > 100;
CREATE FUNCTION legacy.order_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM legacy.orders $$;
SELECT migration_guard.approve(ARRAY['drop-schema', 'drop-cascade', 'drop-table'], ARRAY['legacy', 'legacy.*'],
                               'legacy schema retired') AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA legacy CASCADE;
RESET migration_guard.approval;
SELECT command_tag, object_type, object_identity, rules, risk, decision, approved
FROM audit WHERE command_tag = 'DROP SCHEMA' AND object_identity NOT LIKE 'pg_toast.%'
ORDER BY object_type, object_identity;

-- A blocked statement inside an explicit transaction: its row survives the rollback.
BEGIN;
ALTER TABLE products ADD COLUMN color text;
ALTER TABLE products DROP COLUMN name;
ROLLBACK;
SELECT wait_for_blocked(1);
SELECT command_tag, object_type, object_identity, statement, rules, risk, decision FROM audit WHERE decision = 'blocked';
SELECT role_name, session_role, application_name, backend_pid = pg_backend_pid() AS this_backend,
       xid IS NOT NULL AS has_xid, logged_at <= clock_timestamp() AS logged
FROM migration_guard.blocked_attempts WHERE id > (SELECT id FROM audit_start);
SELECT count(*) AS color_rows FROM audit WHERE statement LIKE '%color%';

-- An approved statement carries its approval.
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.products.sku'], 'sku comes from the ERP now') AS token \gset
SET migration_guard.approval = :'token';
ALTER TABLE products DROP COLUMN sku;
RESET migration_guard.approval;
SELECT a.command_tag, a.object_type, a.object_identity, a.decision, p.reason
FROM migration_guard.audit_log a JOIN migration_guard.approvals p ON p.id = a.approval_id
WHERE a.id > (SELECT id FROM audit_start) AND a.object_identity NOT LIKE 'pg_toast.%' ORDER BY a.id;

-- Migrations: begin/end_migration, or SET migration_guard.migration_id from a tool.
SELECT migration_guard.begin_migration('0007_reviews', 'product reviews');
CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint REFERENCES products, body text);
INSERT INTO reviews VALUES (1, 1000, 'kept');
CREATE INDEX reviews_product_idx ON reviews (product_id);
SELECT migration_guard.end_migration();
SET migration_guard.migration_id = '0008_ratings';
ALTER TABLE reviews ADD COLUMN rating int;
ALTER TABLE reviews DROP COLUMN body;
RESET migration_guard.migration_id;
SELECT wait_for_blocked(2);
SELECT migration_id, role_name, intent, changes, blocked_attempts, highest_risk, approvals_used,
       ended_at >= started_at AS ended
FROM migration_guard.migrations;
SELECT migration_guard.end_migration();
SELECT migration_guard.begin_migration('0009');
SELECT migration_guard.begin_migration('0010');
SELECT migration_guard.end_migration();

-- Drift: changes outside any migration, newest first.
ALTER TABLE products ADD COLUMN weight numeric;
SELECT command_tag, object_identity, statement FROM migration_guard.drift WHERE id > (SELECT id FROM audit_start) LIMIT 3;
-- ... and a setting makes them a finding of their own.
SET migration_guard.outside_migration = 'warn';
ALTER TABLE products ADD COLUMN height numeric;
SET migration_guard.outside_migration = 'block';
ALTER TABLE products ADD COLUMN depth numeric;
SET migration_guard.migration_id = '0011_dimensions';
ALTER TABLE products ADD COLUMN depth numeric;
RESET migration_guard.migration_id;
RESET migration_guard.outside_migration;

-- Ready-made answers.
SELECT wait_for_blocked(3);
SELECT command_tag, object_identity, decision FROM migration_guard.history('products') LIMIT 5;
SELECT count(*) > 0 AS has_rows FROM migration_guard.changes_by(current_user);
SELECT count(*) = (SELECT count(*) FROM migration_guard.audit_log WHERE decision <> 'blocked') AS recent_is_complete
FROM migration_guard.recent_changes;
SELECT bool_and(logged_at >= lead_at) AS newest_first
FROM (SELECT logged_at, lead(logged_at, 1, logged_at) OVER () AS lead_at FROM migration_guard.audit_log) s;
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'migration_guard' AND table_name = 'audit_log' ORDER BY ordinal_position;

-- Append-only: refused for the owner and for everyone else.
UPDATE migration_guard.audit_change SET risk = 'low';
DELETE FROM migration_guard.audit_change;
DELETE FROM migration_guard.audit_blocked;
TRUNCATE migration_guard.audit_change;
TRUNCATE migration_guard.audit_blocked;
CREATE ROLE auditor_amy LOGIN IN ROLE migration_guard_auditor;
CREATE ROLE intern_ian LOGIN;
SET ROLE auditor_amy;
SELECT count(*) > 0 AS auditor_reads FROM migration_guard.audit_log;
DELETE FROM migration_guard.audit_change;
INSERT INTO migration_guard.audit_change (role_name, session_role, backend_pid, command_tag, decision)
VALUES ('x', 'x', 0, 'FORGED', 'allowed');
SELECT migration_guard.purge_audit('0 seconds');
SET ROLE intern_ian;
SELECT count(*) FROM migration_guard.audit_log;
RESET ROLE;
-- Nothing that is not DDL is written, and the guard's own writes are not changes.
SELECT count(*) AS rows_before FROM migration_guard.audit_change \gset
INSERT INTO products (id, name) VALUES (1, 'chair');
UPDATE products SET price = 10;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.nothing'], 'unused') IS NOT NULL AS issued;
SELECT count(*) - :rows_before AS new_rows FROM migration_guard.audit_change;

-- purge_audit: the one way rows leave, for superusers, and it leaves its own row.
SELECT migration_guard.purge_audit('1 day') AS purged_old;
SELECT migration_guard.purge_audit('0 seconds') > 0 AS purged_all;
SELECT command_tag, object_type, object_identity ~ 'rows removed' AS says_how_many, decision FROM migration_guard.audit_log;

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP OWNED BY auditor_amy;
DROP ROLE auditor_amy;
DROP OWNED BY intern_ian;
DROP ROLE intern_ian;
RESET migration_guard.mode;
