-- The recycle bin (preloaded: keep is on). Tables belong to an ordinary role, as a migration
-- tool's would; approvals and restores come from an approver. Every restore is checked byte for
-- byte: md5 of the ordered rows, and the table's definition as the catalog describes it.
\set VERBOSITY terse
-- Approval ids and what earlier tests kept depend on the order tests run in.
SET client_min_messages = warning;
SELECT migration_guard.purge_kept('0 s') >= 0 AS bin_emptied;
SELECT count(*) AS purges_before FROM migration_guard.audit_log WHERE command_tag = 'PURGE KEPT' \gset
CREATE ROLE rb_owner LOGIN;
CREATE ROLE rb_other LOGIN;
CREATE ROLE rb_approver LOGIN IN ROLE migration_guard_approver;
CREATE SCHEMA rb AUTHORIZATION rb_owner;
GRANT USAGE ON SCHEMA rb TO rb_other;
-- The table as pg_dump would describe it: columns, defaults, indexes, constraints, privileges, comment.
CREATE FUNCTION rb_shape(t regclass) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(' | ',
        (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
                           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY attnum)
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE attrelid = t AND attnum > 0 AND NOT attisdropped),
        (SELECT string_agg(pg_get_indexdef(indexrelid), ', ' ORDER BY 1) FROM pg_index WHERE indrelid = t),
        (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = t),
        (SELECT relacl::text FROM pg_class WHERE oid = t),
        obj_description(t, 'pg_class'),
        (SELECT relowner::regrole::text FROM pg_class WHERE oid = t))
$$;
CREATE FUNCTION rb_rows(t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format('SELECT count(*) || '' rows, '' || md5(coalesce(string_agg(x::text, '','' ORDER BY x::text), '''')) FROM %s x', t) INTO r;
    RETURN r;
END $$;
-- Tokens are bound to the session's login role (the tests SET ROLE under it).
CREATE FUNCTION rb_approve(rules text[], objects text[]) RETURNS text LANGUAGE sql AS $$
    SELECT migration_guard.approve(rules, objects, 'recycle bin test', for_role => session_user)
$$;
SET ROLE rb_owner;
SET search_path = rb;
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, note text DEFAULT 'none');
INSERT INTO customers (email, note) SELECT 'c' || g || '@example.com', 'note ' || g FROM generate_series(1, 1000) g;
CREATE INDEX customers_note_idx ON customers (note);
COMMENT ON TABLE customers IS 'who buys';
GRANT SELECT ON customers TO rb_other;
CREATE TABLE orders (id int PRIMARY KEY, customer_id bigint REFERENCES customers, total numeric(10,2));
INSERT INTO orders SELECT g, g % 1000 + 1, g * 1.5 FROM generate_series(1, 3000) g;
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
RESET ROLE;
RESET search_path;
ANALYZE rb.customers, rb.orders;
CREATE TEMP TABLE before AS
SELECT 'customers' AS t, rb_shape('rb.customers') AS shape, rb_rows('rb.customers') AS rows
UNION ALL SELECT 'orders', rb_shape('rb.orders'), rb_rows('rb.orders');

-- Attack first: a role that does not own the table cannot get it moved aside (PostgreSQL's own
-- permission error, nothing kept, nothing moved).
SELECT rb_approve(ARRAY['drop-table', 'drop-cascade'], ARRAY['rb.customers']) AS token \gset
SET ROLE rb_other;
SET migration_guard.approval = :'token';
DROP TABLE rb.customers CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS kept FROM migration_guard.kept;

-- 1. An approved DROP TABLE ... CASCADE: the table is moved aside with its indexes, sequence,
-- comment and privileges; the view and the other table's foreign key are recorded and dropped.
SELECT rb_approve(ARRAY['drop-table', 'drop-cascade'], ARRAY['rb.orders']) AS token \gset
SET ROLE rb_owner;
SET search_path = rb;
SET migration_guard.approval = :'token';
DROP TABLE orders CASCADE;
RESET migration_guard.approval;
SELECT to_regclass('rb.orders') AS gone, to_regclass('rb.big_orders') AS view_gone;
-- The name is free at once: a later migration may reuse it.
CREATE TABLE orders (id int);
RESET ROLE;
RESET search_path;
SELECT kind, object_identity, audit_id IS NOT NULL AS audited, row_count, size_bytes > 0 AS has_size,
       keep_until - kept_at AS kept_for, command_tag
FROM migration_guard.kept;
SELECT a.command_tag, a.object_type, a.object_identity, a.decision
FROM migration_guard.kept k JOIN migration_guard.audit_log a ON a.id = k.audit_id;
-- Invisible where it can be: not a member of any schema on the path, an extension member (pg_dump
-- skips it), owned by the guard (DROP OWNED BY its old owner neither takes it nor fails on it).
SELECT c.relowner::regrole AS owner, d.deptype AS extension_member
FROM migration_guard.kept_item k JOIN pg_class c ON c.oid = k.kept_relid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e';
-- The old owner cannot change or drop the kept table, nor restore or purge it.
SELECT kept_as AS kept_orders FROM migration_guard.kept WHERE object_identity = 'rb.orders' \gset
SET ROLE rb_owner;
\set VERBOSITY sqlstate
UPDATE :kept_orders SET total = 0;
DELETE FROM :kept_orders;
DROP TABLE :kept_orders;
ALTER TABLE :kept_orders RENAME TO mine;
\set VERBOSITY terse
SELECT migration_guard.restore(id) FROM migration_guard.kept;
SELECT migration_guard.purge_kept('0 s');
RESET ROLE;
-- A restore while the name is taken fails clearly and changes nothing.
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb.orders';
RESET ROLE;
SET ROLE rb_owner;
DROP TABLE rb.orders;
RESET ROLE;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb.orders';
RESET ROLE;
SELECT b.t, b.shape = rb_shape('rb.orders') AS same_definition, b.rows = rb_rows('rb.orders') AS same_rows
FROM before b WHERE b.t = 'orders';
SELECT pg_get_viewdef('rb.big_orders') IS NOT NULL AS view_back,
       (SELECT count(*) FROM pg_constraint WHERE conrelid = 'rb.orders'::regclass AND contype = 'f') AS foreign_keys;
SELECT command_tag, object_identity FROM migration_guard.audit_log WHERE command_tag LIKE '%KEPT' ORDER BY id DESC LIMIT 1;
-- Restored once: a second call says so.
SELECT migration_guard.restore(id) FROM migration_guard.kept_item WHERE object_identity = 'rb.orders';

-- 2. DROP SCHEMA ... CASCADE: every table in it is kept; restore() recreates the schema.
CREATE SCHEMA rb2 AUTHORIZATION rb_owner;
SET ROLE rb_owner;
CREATE TABLE rb2.events (id int PRIMARY KEY, payload jsonb);
INSERT INTO rb2.events SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 500) g;
CREATE TABLE rb2.empty_one (id int);
RESET ROLE;
CREATE TEMP TABLE events_before AS SELECT rb_shape('rb2.events') AS shape, rb_rows('rb2.events') AS rows;
SELECT rb_approve(ARRAY['drop-schema', 'drop-cascade', 'drop-table'], ARRAY['rb2', 'rb2.*']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
DROP SCHEMA rb2 CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT to_regnamespace('rb2') AS schema_gone;
SELECT kind, object_identity FROM migration_guard.kept WHERE object_identity LIKE 'rb2.%';
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb2.events';
RESET ROLE;
SELECT e.shape = rb_shape('rb2.events') AS same_definition, e.rows = rb_rows('rb2.events') AS same_rows,
       (SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'rb2') AS schema_owner
FROM events_before e;

-- 3. DROP COLUMN: the values are copied with the primary key first, and come back by key.
CREATE TEMP TABLE customers_before AS SELECT rb_rows('rb.customers') AS rows, rb_shape('rb.customers') AS shape;
SELECT rb_approve(ARRAY['drop-column'], ARRAY['rb.customers.note']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
ALTER TABLE rb.customers DROP COLUMN note;
RESET migration_guard.approval;
-- Rows written after the drop keep working; they get no value back.
RESET ROLE;
SELECT kind, object_identity, audit_id IS NOT NULL AS audited, row_count FROM migration_guard.kept WHERE kind = 'column';
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE kind = 'column';
RESET ROLE;
SELECT rows = rb_rows('rb.customers') AS same_rows, shape = rb_shape('rb.customers') AS same_definition
FROM customers_before;

-- 4. TRUNCATE: the rows are copied first and go back with one call.
SELECT rb_approve(ARRAY['truncate'], ARRAY['rb.orders']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
TRUNCATE rb.orders;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS left_after_truncate FROM rb.orders;
SELECT kind, object_identity, audit_id IS NOT NULL AS audited FROM migration_guard.kept WHERE kind = 'rows';
-- A table that changed shape since is refused clearly.
SET ROLE rb_owner;
ALTER TABLE rb.orders ADD COLUMN extra int;
RESET ROLE;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE kind = 'rows';
RESET ROLE;
SELECT rb_approve(ARRAY['drop-column'], ARRAY['rb.orders.extra']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
ALTER TABLE rb.orders DROP COLUMN extra;
RESET migration_guard.approval;
RESET ROLE;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE kind = 'rows';
RESET ROLE;
SELECT b.rows = rb_rows('rb.orders') AS same_rows FROM before b WHERE b.t = 'orders';

-- 5. Attack: code the table's owner controls (an ALWAYS trigger) runs during a restore as the
-- owner, never as the approver who restores.
CREATE FUNCTION rb.escalate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN ALTER ROLE rb_owner SUPERUSER; RETURN NEW;
-- PostgreSQL words the refusal differently from 16 on; the SQLSTATE is what counts.
EXCEPTION WHEN insufficient_privilege THEN RAISE EXCEPTION 'escalation refused (%)', SQLSTATE; END $$;
ALTER FUNCTION rb.escalate() OWNER TO rb_owner;
SELECT rb_approve(ARRAY['truncate'], ARRAY['rb.orders']) AS token \gset
SET ROLE rb_owner;
CREATE TRIGGER grab BEFORE INSERT ON rb.orders FOR EACH ROW EXECUTE FUNCTION rb.escalate();
ALTER TABLE rb.orders ENABLE ALWAYS TRIGGER grab;
SET migration_guard.approval = :'token';
TRUNCATE rb.orders;
RESET migration_guard.approval;
RESET ROLE;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE kind = 'rows';
SELECT rolsuper AS owner_became_superuser FROM pg_roles WHERE rolname = 'rb_owner';

-- 6. Beyond keep_max_size the rows cannot be kept: the approval must say not-kept as well.
SELECT set_config('migration_guard.keep_max_size', '0', false) AS keep_max_size;
SELECT rb_approve(ARRAY['truncate'], ARRAY['rb.customers']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
TRUNCATE rb.customers CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS customers_still_there FROM rb.customers;
SELECT set_config('migration_guard.keep_max_size', '1GB', false) AS keep_max_size;
-- ... and with not-kept in the approval it runs, knowingly.
SELECT rb_approve(ARRAY['truncate', 'not-kept'], ARRAY['rb.customers', 'rb.orders']) AS token \gset
BEGIN;
SELECT set_config('migration_guard.keep_max_size', '0', true) IS NOT NULL AS capped;
SET ROLE rb_owner;
SET LOCAL migration_guard.approval = :'token';
TRUNCATE rb.customers CASCADE;
SELECT count(*) AS customers_left FROM rb.customers;
ROLLBACK;
RESET migration_guard.approval;
RESET ROLE;

-- 6b. Attack: a cascade the recycle bin cannot follow (DROP TYPE ... CASCADE takes a column with
-- it). Approving the type's drop is not enough: the column is not kept, and the approval must say so.
SET ROLE rb_owner;
CREATE TYPE rb.mood AS ENUM ('ok', 'sad');
ALTER TABLE rb.customers ADD COLUMN mood rb.mood DEFAULT 'ok';
RESET ROLE;
SELECT rb_approve(ARRAY['drop-type', 'drop-cascade', 'drop-column'], ARRAY['rb.mood', 'rb.customers.mood']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
DROP TYPE rb.mood CASCADE;
RESET migration_guard.approval;
SELECT count(*) AS mood_values_left FROM rb.customers WHERE mood IS NOT NULL;
RESET ROLE;
SELECT rb_approve(ARRAY['drop-type', 'drop-cascade', 'drop-column', 'not-kept'], ARRAY['rb.mood', 'rb.customers.mood']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
DROP TYPE rb.mood CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS mood_column_left FROM pg_attribute WHERE attrelid = 'rb.customers'::regclass AND attname = 'mood';

-- 6c. DROP OWNED: the role's tables are kept; restored, they are the role's again.
CREATE ROLE rb_leaver LOGIN;
CREATE TABLE rb.leaver_notes (id int PRIMARY KEY, body text);
ALTER TABLE rb.leaver_notes OWNER TO rb_leaver;
INSERT INTO rb.leaver_notes SELECT g, 'n' || g FROM generate_series(1, 100) g;
SELECT rb_rows('rb.leaver_notes') AS leaver_before \gset
SELECT rb_approve(ARRAY['drop-owned', 'drop-table'], ARRAY['rb_leaver', 'rb.leaver_notes']) AS token \gset
SET migration_guard.approval = :'token';
DROP OWNED BY rb_leaver;
RESET migration_guard.approval;
SELECT to_regclass('rb.leaver_notes') AS gone,
       (SELECT kind || ' ' || object_identity FROM migration_guard.kept WHERE object_identity = 'rb.leaver_notes') AS kept;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb.leaver_notes';
RESET ROLE;
SELECT rb_rows('rb.leaver_notes') = :'leaver_before' AS same_rows, relowner::regrole AS owner
FROM pg_class WHERE oid = 'rb.leaver_notes'::regclass;

-- 6d. A column re-added since (a down migration) gets the values back only while it is empty:
-- values written into it since are never overwritten.
SELECT md5(string_agg(id || ':' || email, ',' ORDER BY id)) AS emails_before FROM rb.customers \gset
SELECT rb_approve(ARRAY['drop-column'], ARRAY['rb.customers.email']) AS token \gset
SET ROLE rb_owner;
SET migration_guard.approval = :'token';
ALTER TABLE rb.customers DROP COLUMN email;
RESET migration_guard.approval;
ALTER TABLE rb.customers ADD COLUMN email text;
UPDATE rb.customers SET email = 'written since' WHERE id = 1;
RESET ROLE;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb.customers.email';
RESET ROLE;
SET ROLE rb_owner;
UPDATE rb.customers SET email = NULL WHERE id = 1;
RESET ROLE;
SET ROLE rb_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'rb.customers.email';
RESET ROLE;
-- (the column comes back last: compare its values by key)
SELECT (SELECT md5(string_agg(id || ':' || email, ',' ORDER BY id)) FROM rb.customers) = :'emails_before' AS same_values,
       (SELECT attnotnull FROM pg_attribute WHERE attrelid = 'rb.customers'::regclass AND attname = 'email') AS not_null_again,
       (SELECT count(*) FROM pg_constraint WHERE conrelid = 'rb.customers'::regclass AND contype = 'u') AS unique_again;

-- 7. Purge: on demand, and once the retention has passed (the purge worker does the same).
SELECT count(*) AS kept_now FROM migration_guard.kept;
SELECT set_config('migration_guard.keep_for', '1 s', false);
CREATE TABLE rb.scratch AS SELECT g AS id FROM generate_series(1, 10) g;
SELECT rb_approve(ARRAY['drop-table'], ARRAY['rb.scratch']) AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE rb.scratch;
RESET migration_guard.approval;
SELECT set_config('migration_guard.keep_for', '7 days', false) AS keep_for;
SELECT pg_sleep(1.2);
SET ROLE rb_approver;
SELECT migration_guard.purge_kept() AS purged_expired;
SELECT migration_guard.purge_kept('0 s') AS purged_all;
RESET ROLE;
SELECT count(*) AS kept_after_purge, (SELECT count(*) FROM pg_class WHERE relnamespace = 'migration_guard_kept'::regnamespace) AS kept_tables
FROM migration_guard.kept;
SELECT count(*) - :purges_before AS purges_audited FROM migration_guard.audit_log WHERE command_tag = 'PURGE KEPT';
-- The old owner can still be dropped: the kept tables were never theirs.
SELECT rb_approve(ARRAY['drop-owned', 'drop-cascade', 'drop-table', 'not-kept'], ARRAY['rb_owner', 'rb.*', 'rb2.*', 'rb', 'rb2']) AS token \gset
SET migration_guard.approval = :'token';
SELECT set_config('migration_guard.keep', 'off', false) AS keep;
DROP OWNED BY rb_owner CASCADE;
RESET migration_guard.approval;
SELECT rb_approve(ARRAY['drop-role'], ARRAY['rb_owner', 'rb_other', 'rb_approver', 'rb_leaver']) AS token \gset
SET migration_guard.approval = :'token';
DROP OWNED BY rb_leaver;
DROP ROLE rb_owner, rb_other, rb_approver, rb_leaver;
RESET migration_guard.approval;
