-- approve_migration(): one token for a whole migration, covering exactly the (rule, object)
-- pairs its text would be blocked for, one use per statement that needs it, and nothing else.
\set VERBOSITY default
CREATE TABLE am_a (id int);
INSERT INTO am_a SELECT generate_series(1, 100);
CREATE TABLE am_b (id int, note text);
INSERT INTO am_b SELECT g, 'n' || g FROM generate_series(1, 100) g;

-- A revert that drops a table and a column: one token, two uses.
SELECT migration_guard.approve_migration($m$
    DROP TABLE am_a;
    ALTER TABLE am_b DROP COLUMN note;
$m$, 'revert of 0042') AS token \gset
SELECT rules, objects, pairs, uses_total, uses_left FROM migration_guard.approvals ORDER BY id DESC LIMIT 1;
SET migration_guard.approval = :'token';
BEGIN;
DROP TABLE am_a;
ALTER TABLE am_b DROP COLUMN note;
COMMIT;
SELECT uses_left, jsonb_array_length(used_by) AS uses FROM migration_guard.approvals ORDER BY id DESC LIMIT 1;
SELECT to_regclass('am_a') IS NULL AS a_dropped,
       NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'am_b'::regclass AND attname = 'note') AS note_dropped;
RESET migration_guard.approval;

-- Another object, another rule: refused, saying what differs; the data stays.
CREATE TABLE am_c (id int, x int);
INSERT INTO am_c SELECT g, g FROM generate_series(1, 10) g;
CREATE TABLE am_d (id int);
INSERT INTO am_d SELECT generate_series(1, 10);
SELECT migration_guard.approve_migration('DROP TABLE am_c;', 'retire c') AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE am_d;
ALTER TABLE am_c DROP COLUMN x;
SELECT count(*) AS d_rows FROM am_d;
DROP TABLE am_c;
-- Used up: the same text cannot run twice with it.
CREATE TABLE am_c (id int);
INSERT INTO am_c VALUES (1);
DROP TABLE am_c;
RESET migration_guard.approval;

-- Nothing in the text is blocked: no token, a NOTICE.
SELECT migration_guard.approve_migration('CREATE TABLE am_new (id int); ALTER TABLE am_new ADD COLUMN n text;', 'additive') IS NULL AS no_token;

-- Bound to a role, to a migration id, and expiring, as approve() is.
SELECT migration_guard.approve_migration('DROP TABLE am_c;', 'for someone else', for_role => 'pg_monitor') AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE am_c;
SELECT migration_guard.approve_migration('DROP TABLE am_c;', 'for 0043 only', migration_id => '0043') AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE am_c;
SET migration_guard.migration_id = '0043';
DROP TABLE am_c;
RESET migration_guard.migration_id;
CREATE TABLE am_c (id int);
INSERT INTO am_c VALUES (1);
SELECT migration_guard.approve_migration('DROP TABLE am_c;', 'short-lived', valid_for => '1 millisecond') AS token \gset
SELECT pg_sleep(0.01);
SET migration_guard.approval = :'token';
DROP TABLE am_c;
RESET migration_guard.approval;

-- Bad input: a clear error with position; no reason; NULLs.
SELECT migration_guard.approve_migration('DROP TABLE am_c;
ALTER TABLE ;', 'x');
SELECT migration_guard.approve_migration('DROP TABLE am_c;', ' ');
SELECT migration_guard.approve_migration(NULL, 'x');

-- Attack: a role that may not approve cannot issue one, whatever it puts in the text.
CREATE ROLE am_mallory;
GRANT USAGE ON SCHEMA migration_guard TO am_mallory;
SET ROLE am_mallory;
SELECT migration_guard.approve_migration('DROP TABLE am_c;', 'let me');
RESET ROLE;
REVOKE USAGE ON SCHEMA migration_guard FROM am_mallory;
DROP ROLE am_mallory;

-- A migration sent as one query string: the block message quotes the call for all of it, and that
-- call's token runs it.
CREATE TABLE am_e (id int) \; DROP TABLE am_d;
SELECT migration_guard.approve_migration($migration$CREATE TABLE am_e (id int) ; DROP TABLE am_d;$migration$, 'one string') AS token \gset
SET migration_guard.approval = :'token';
CREATE TABLE am_e (id int) \; DROP TABLE am_d;
RESET migration_guard.approval;
SELECT to_regclass('am_d') IS NULL AS d_dropped, to_regclass('am_e') IS NOT NULL AS e_created;
-- Over several lines: quoted on one line (E'...\n...'), and that literal is the text exactly.
CREATE TABLE am_f (id int);
INSERT INTO am_f VALUES (1);
CREATE TABLE am_g (id int) \;
DROP TABLE am_f;
SELECT migration_guard.approve_migration(E'CREATE TABLE am_g (id int) ;\nDROP TABLE am_f;', 'two lines') AS token \gset
SET migration_guard.approval = :'token';
CREATE TABLE am_g (id int) \;
DROP TABLE am_f;
RESET migration_guard.approval;
SELECT to_regclass('am_f') IS NULL AS f_dropped;

-- Attack: a newline in a name. Rules, objects and pairs are stored as arrays, never joined, so
-- the pair the guard suggests for a table named E'am_t\npublic.am_b' covers that table alone.
CREATE TABLE "am_t
public.am_b" (id int);
INSERT INTO "am_t
public.am_b" VALUES (1);
INSERT INTO am_b SELECT 1 WHERE false;
SELECT migration_guard.approve_migration('DROP TABLE "am_t
public.am_b"; DROP TABLE am_b;', 'newline') IS NOT NULL AS issued;
SELECT pairs FROM migration_guard.approvals ORDER BY approved_at DESC, id DESC LIMIT 1;
SELECT migration_guard.approve_migration('DROP TABLE "am_t
public.am_b";', 'newline', for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE am_b;
RESET migration_guard.approval;
SELECT to_regclass('public.am_b') IS NOT NULL AS am_b_still_there;
-- approve() takes one pattern per element: a control character in one is refused.
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY[E'public.junk\npublic.am_b'], 'smuggle');
SELECT migration_guard.approve(ARRAY[E'drop-table\ntruncate'], ARRAY['public.junk'], 'smuggle');

SET migration_guard.mode = 'audit';
DROP TABLE am_b, am_c, am_e, am_g, "am_t
public.am_b";
RESET migration_guard.mode;
