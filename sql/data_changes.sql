-- Data changes (preloaded, enforce): a DELETE, UPDATE or MERGE that deletes or overwrites every row
-- of an existing table, or most of a big one, is judged like a schema change, from every path an
-- ordinary owner or an agent role has; bounded changes, inserts, new and empty tables pass.
\set VERBOSITY terse
SET client_min_messages = notice;
CREATE EXTENSION IF NOT EXISTS migration_guard;
CREATE ROLE dc_owner LOGIN;
CREATE ROLE dc_agent LOGIN;
CREATE SCHEMA dc AUTHORIZATION dc_owner;
GRANT USAGE ON SCHEMA dc TO dc_agent;
SET ROLE dc_owner;
CREATE TABLE dc.customers (id int PRIMARY KEY, phone text);
CREATE TABLE dc.orders (id int PRIMARY KEY, customer_id int REFERENCES dc.customers ON DELETE CASCADE);
CREATE TABLE dc.lines (id int PRIMARY KEY, order_id int REFERENCES dc.orders ON DELETE CASCADE);
CREATE TABLE dc.notes (id int PRIMARY KEY, customer_id int REFERENCES dc.customers ON DELETE SET NULL);
CREATE TABLE dc.events (id int PRIMARY KEY, kind text);
INSERT INTO dc.customers SELECT g, '555-' || g FROM generate_series(1, 3000) g;
INSERT INTO dc.orders SELECT g, g FROM generate_series(1, 3000) g;
INSERT INTO dc.lines SELECT g, g FROM generate_series(1, 3000) g;
INSERT INTO dc.notes SELECT g, g FROM generate_series(1, 3000) g;
INSERT INTO dc.events SELECT g, 'e' FROM generate_series(1, 20) g;
ANALYZE dc.customers; ANALYZE dc.orders; ANALYZE dc.lines; ANALYZE dc.notes; ANALYZE dc.events;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dc TO dc_agent;
CREATE FUNCTION dc.wipe_events() RETURNS void LANGUAGE sql AS 'DELETE FROM dc.events WHERE id > 0';
CREATE FUNCTION dc.on_note() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN DELETE FROM dc.lines; RETURN NEW; END$$;
CREATE TABLE dc.trigger_bait (id int);
CREATE TRIGGER bait AFTER INSERT ON dc.trigger_bait FOR EACH ROW EXECUTE FUNCTION dc.on_note();
GRANT INSERT ON dc.trigger_bait TO dc_agent;
GRANT EXECUTE ON FUNCTION dc.wipe_events() TO dc_agent;
RESET ROLE;
CREATE VIEW dc_counts AS
SELECT (SELECT count(*) FROM dc.customers) AS customers, (SELECT count(*) FROM dc.orders) AS orders,
       (SELECT count(*) FROM dc.lines) AS lines, (SELECT count(*) FROM dc.notes WHERE customer_id IS NOT NULL) AS notes,
       (SELECT count(*) FROM dc.events) AS events, (SELECT count(*) FROM dc.customers WHERE phone LIKE '555-%') AS phones;

-- 1. The agent, every path: each blocked, the data intact.
SET ROLE dc_agent;
DELETE FROM dc.events;
DELETE FROM dc.events WHERE true;
-- An error caught inside the statement does not blind the guard to what follows it.
DO $$ BEGIN
  BEGIN DELETE FROM dc.events; PERFORM 1 / 0; EXCEPTION WHEN division_by_zero THEN NULL; END;
  DELETE FROM dc.events;
END $$;
DELETE FROM dc.events WHERE id > 0;             -- 20 rows: a WHERE, below data_change_rows
UPDATE dc.customers SET phone = NULL;
UPDATE dc.customers SET phone = NULL WHERE id > 0;
DELETE FROM dc.customers WHERE id > 0;
DELETE FROM dc.customers WHERE id > 1000;       -- two thirds, and the cascades
WITH gone AS (DELETE FROM dc.customers WHERE id > 10 RETURNING id) SELECT count(*) FROM gone;
PREPARE wipe(int) AS DELETE FROM dc.orders WHERE id > $1;
EXECUTE wipe(0);
DO $$ BEGIN UPDATE dc.customers SET phone = 'x' WHERE id > 5; END $$;
SELECT dc.wipe_events();
INSERT INTO dc.trigger_bait VALUES (1);          -- a trigger of the owner's deletes every line
MERGE INTO dc.customers c USING (SELECT generate_series(1, 3000) AS id) s ON c.id = s.id
  WHEN MATCHED THEN DELETE;
BEGIN; DELETE FROM dc.lines WHERE id <= 500; DELETE FROM dc.orders WHERE id > 0; COMMIT;
-- The agent is told that a person with the approver role decides, not given a call to run.
\set VERBOSITY default
UPDATE dc.customers SET phone = NULL;
\set VERBOSITY terse
RESET ROLE;
SELECT * FROM dc_counts;
-- ... each on record as blocked, with the rows it reached (written by the audit writer, after
-- the attempts' aborts: waited for).
DO $$ BEGIN
    FOR i IN 1 .. 400 LOOP
        EXIT WHEN (SELECT count(*) FROM migration_guard.audit_blocked WHERE object_identity LIKE 'dc.%') >= 28;
        PERFORM pg_sleep(0.025);
    END LOOP;
END $$;
SELECT command_tag, object_identity, rules, decision, rows_affected FROM migration_guard.audit_log
WHERE object_identity LIKE 'dc.%' ORDER BY id;

-- 2. What passes: bounded changes, inserts, a WHERE below the thresholds, new and empty tables,
-- the events table a DELETE with a WHERE empties (20 rows: below data_change_rows).
SET ROLE dc_agent;
UPDATE dc.customers SET phone = '555-1' WHERE id = 1;
DELETE FROM dc.lines WHERE id BETWEEN 2001 AND 2500;
INSERT INTO dc.events VALUES (21, 'e');
INSERT INTO dc.customers VALUES (1, 'dup') ON CONFLICT (id) DO UPDATE SET phone = '555-1';
RESET ROLE;
SET ROLE dc_owner;
BEGIN;
CREATE TABLE dc.fresh AS SELECT g AS id FROM generate_series(1, 5000) g;
DELETE FROM dc.fresh;
ROLLBACK;
CREATE TABLE dc.empty_one (id int);
DELETE FROM dc.empty_one;
UPDATE dc.empty_one SET id = 1;
CREATE TEMP TABLE scratch AS SELECT g AS id FROM generate_series(1, 5000) g;
DELETE FROM scratch;
-- A table's only row, as a migration tool's lock row: UPDATE without WHERE is not judged.
CREATE TABLE dc.lock_row (is_locked int);
INSERT INTO dc.lock_row VALUES (0);
UPDATE dc.lock_row SET is_locked = 1;
SELECT is_locked FROM dc.lock_row;
RESET ROLE;
SELECT * FROM dc_counts;

-- 3. The agent cannot switch the judgement off.
SET ROLE dc_agent;
SET migration_guard.data_changes = off;
SELECT set_config('migration_guard.data_change_rows', '1000000000', false);
SET session_replication_role = replica;
RESET ROLE;
SET ROLE dc_owner;
CREATE FUNCTION dc.lenient() RETURNS void LANGUAGE sql SET migration_guard.data_changes = off AS 'SELECT 1';
SELECT dc.exempt_self FROM (SELECT migration_guard.exempt_from_data_changes('dc.events', 'a queue')) AS dc(exempt_self);
RESET ROLE;
SELECT * FROM dc_counts;

-- 4. Approved: runs once, recorded as approved with its rows, kept, and restore() puts it back.
SELECT migration_guard.approve(ARRAY['mass-dml'], ARRAY['dc.customers', 'dc.orders', 'dc.lines', 'dc.notes'],
                               'retire customers above 1000') AS token \gset
SET ROLE dc_agent;
SET migration_guard.approval = :'token';
DELETE FROM dc.customers WHERE id > 1000;
DELETE FROM dc.customers WHERE id > 0;           -- the approval is spent: blocked
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM dc_counts;
SELECT command_tag, object_identity, rules, decision, rows_affected FROM migration_guard.audit_log
WHERE object_identity LIKE 'dc.%' AND decision = 'approved' ORDER BY id;
SELECT kind, object_identity, row_count FROM migration_guard.kept WHERE object_identity LIKE 'dc.%' ORDER BY object_identity;
-- Parents first: a restored row's foreign keys are checked.
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity LIKE 'dc.%'
ORDER BY array_position(ARRAY['dc.customers', 'dc.orders', 'dc.lines', 'dc.notes'], object_identity);
SELECT * FROM dc_counts;

-- 5. An approved overwrite keeps the values before it; restore() puts them back by key.
SELECT migration_guard.approve(ARRAY['dml-without-where'], ARRAY['dc.customers'], 'reset phones') AS token \gset
SET ROLE dc_agent;
SET migration_guard.approval = :'token';
UPDATE dc.customers SET phone = NULL;
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM dc_counts;
SELECT kind, object_identity, row_count FROM migration_guard.kept WHERE kind = 'overwritten';
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE kind = 'overwritten';
SELECT * FROM dc_counts;

-- 6. A superuser exempts a table wiped by design, on record.
SELECT migration_guard.exempt_from_data_changes('dc.events', 'a queue drained by the worker');
SET ROLE dc_agent;
DELETE FROM dc.events;
RESET ROLE;
SELECT command_tag, object_identity, decision FROM migration_guard.audit_log
WHERE command_tag LIKE '%DATA CHANGES%' ORDER BY id;
SELECT migration_guard.exempt_from_data_changes('dc.events', 'no longer a queue', false);
INSERT INTO dc.events SELECT g, 'e' FROM generate_series(1, 20) g;
SET ROLE dc_agent;
DELETE FROM dc.events;
RESET ROLE;

-- 7. A migration approval over a text that holds the data change covers it and its cascades.
SELECT migration_guard.approve_migration('DELETE FROM dc.customers WHERE id > 1000;', 'archive old customers') AS token \gset
SET ROLE dc_agent;
SET migration_guard.approval = :'token';
DELETE FROM dc.customers WHERE id > 1000;
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM dc_counts;
-- Parents first: a restored row's foreign keys are checked.
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity LIKE 'dc.%'
ORDER BY array_position(ARRAY['dc.customers', 'dc.orders', 'dc.lines', 'dc.notes'], object_identity);


-- 8. Paths found by review, each blocked with the data intact: partitions and inheritance children
-- add up; a COMMIT inside a DO block or procedure; batches run while the planner folds an IMMUTABLE
-- function; a SELECT of a function (judged with the guard's message, not an internal error);
-- statistics the owner inflated.
SET ROLE dc_owner;
CREATE TABLE dc.parts (id int, v text) PARTITION BY RANGE (id);
DO $$ BEGIN FOR i IN 0..9 LOOP
  EXECUTE format('CREATE TABLE dc.parts_%s PARTITION OF dc.parts FOR VALUES FROM (%s) TO (%s)', i, i * 500 + 1, i * 500 + 501);
END LOOP; END $$;
INSERT INTO dc.parts SELECT g, 'v' FROM generate_series(1, 5000) g;
CREATE TABLE dc.kin (id int, v text);
CREATE TABLE dc.kin_a () INHERITS (dc.kin);
CREATE TABLE dc.kin_b () INHERITS (dc.kin);
INSERT INTO dc.kin_a SELECT g, 'v' FROM generate_series(1, 900) g;
INSERT INTO dc.kin_b SELECT g, 'v' FROM generate_series(901, 1800) g;
CREATE TABLE dc.big2 (id int PRIMARY KEY, v text);
INSERT INTO dc.big2 SELECT g, 'v' FROM generate_series(1, 5000) g;
ANALYZE dc.parts; ANALYZE dc.kin; ANALYZE dc.kin_a; ANALYZE dc.kin_b; ANALYZE dc.big2;
CREATE FUNCTION dc.batch(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE c int; BEGIN DELETE FROM dc.big2 WHERE id IN (SELECT id FROM dc.big2 LIMIT n); GET DIAGNOSTICS c = ROW_COUNT; RETURN c; END $$;
CREATE FUNCTION dc.imm_wipe() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$
DECLARE t int := 0; c int; BEGIN LOOP c := dc.batch(999); t := t + c; EXIT WHEN c = 0; END LOOP; RETURN t; END $$;
CREATE PROCEDURE dc.wipe_commit() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM dc.big2; COMMIT; END $$;
GRANT SELECT, DELETE, UPDATE ON dc.parts, dc.kin, dc.big2 TO dc_agent;
GRANT EXECUTE ON FUNCTION dc.batch(int), dc.imm_wipe() TO dc_agent;
GRANT EXECUTE ON PROCEDURE dc.wipe_commit() TO dc_agent;
RESET ROLE;
SET ROLE dc_agent;
DELETE FROM dc.parts WHERE id > 0;
DELETE FROM dc.parts;
UPDATE dc.kin SET v = 'x' WHERE id > 0;
SELECT dc.imm_wipe();
DO $$ BEGIN DELETE FROM dc.big2; COMMIT; END $$;
CALL dc.wipe_commit();
SELECT dc.batch(5000);
RESET ROLE;
SET ROLE dc_owner;
BEGIN; INSERT INTO dc.big2 SELECT g, 'junk' FROM generate_series(100001, 200000) g; ANALYZE dc.big2; ROLLBACK;
SELECT reltuples > 100000 AS inflated FROM pg_class WHERE oid = 'dc.big2'::regclass;
DELETE FROM dc.big2 WHERE id > 1000;
RESET ROLE;
SELECT (SELECT count(*) FROM dc.parts) AS parts, (SELECT count(*) FROM dc.kin WHERE v = 'v') AS kin,
       (SELECT count(*) FROM dc.big2) AS big2;

-- 9. restore() checks the restored rows' foreign keys (the parent's rows first), and refuses to
-- put overwritten rows back by a key the change itself rewrote.
SELECT migration_guard.approve(ARRAY['mass-dml'], ARRAY['dc.customers', 'dc.orders', 'dc.lines', 'dc.notes'], 'prune') AS token \gset
SET migration_guard.approval = :'token';
DELETE FROM dc.customers WHERE id > 1000;
RESET migration_guard.approval;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'dc.lines';
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'dc.customers';
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'dc.orders';
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity IN ('dc.lines', 'dc.notes') ORDER BY object_identity;
SELECT * FROM dc_counts;
SELECT migration_guard.approve(ARRAY['dml-without-where'], ARRAY['dc.events'], 'renumber') AS token \gset
SET migration_guard.approval = :'token';
UPDATE dc.events SET id = id + 1000;
RESET migration_guard.approval;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'dc.events' AND kind = 'overwritten';
SELECT count(*) AS events FROM dc.events;
