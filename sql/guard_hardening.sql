-- The guard's own code is safe to run for anyone: functions and operators planted on the
-- caller's search_path never run inside it, and no input or interleaving crashes the backend.
\set VERBOSITY terse
CREATE ROLE planter LOGIN;
GRANT CREATE ON SCHEMA public TO planter;
-- Every planted function bumps this sequence: a side effect that survives any rollback.
CREATE SEQUENCE public.planted_calls;
GRANT USAGE, UPDATE ON SEQUENCE public.planted_calls TO planter;
SET ROLE planter;
-- Better matches than pg_catalog's own for the argument types the guard's queries use.
CREATE FUNCTION public.array_to_string(text[], text) RETURNS text LANGUAGE sql
    AS $$ SELECT 'planted ' || nextval('public.planted_calls') $$;
CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE sql
    AS $$ SELECT 'planted ' || nextval('public.planted_calls') $$;
CREATE FUNCTION public.planted_eq(name, name) RETURNS boolean LANGUAGE sql
    AS $$ SELECT nextval('public.planted_calls') < 0 $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.planted_eq);
CREATE FUNCTION public.planted_text_eq(text, text) RETURNS boolean LANGUAGE sql
    AS $$ SELECT nextval('public.planted_calls') < 0 $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_text_eq);
CREATE FUNCTION public.planted_nlike(text, text) RETURNS boolean LANGUAGE sql
    AS $$ SELECT nextval('public.planted_calls') < 0 $$;
CREATE OPERATOR public.!~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_nlike);
CREATE OPERATOR public.~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.planted_nlike);
RESET ROLE;

-- A superuser whose path puts public first runs every piece of the guard.
SET search_path = public, pg_catalog;
CREATE TABLE hardening_keep (id bigint PRIMARY KEY, note text);
INSERT INTO hardening_keep VALUES (1, 'keep me');
CREATE VIEW hardening_view AS SELECT * FROM hardening_keep;
BEGIN;
CREATE TABLE hardening_scratch (id int);
DROP TABLE hardening_scratch;                          -- sql_drop's catalog query
COMMIT;
DROP TABLE hardening_keep CASCADE;                     -- blocked; the cascade look-up runs
-- A data check compares text with `=`: the planted text operator would be the better match.
CREATE TABLE hardening_parent (code text PRIMARY KEY);
CREATE TABLE hardening_child (code text);
INSERT INTO hardening_parent VALUES ('a');
INSERT INTO hardening_child VALUES ('a'), ('b');
SELECT rule, risk FROM migration_guard.classify(
    'ALTER TABLE hardening_child ADD FOREIGN KEY (code) REFERENCES hardening_parent (code)')
WHERE rule OPERATOR(pg_catalog.=) 'add-foreign-key';   -- this test's own query must not use the plant
SELECT rule, risk FROM migration_guard.classify('DROP TABLE hardening_keep CASCADE') ORDER BY rule;
SELECT statement, status FROM migration_guard.dry_run('CREATE SEQUENCE hardening_seq; SELECT nextval(''hardening_seq'')');
SELECT count(*) >= 0 AS ran FROM migration_guard.history('hardening_keep');
SELECT count(*) >= 0 AS ran FROM migration_guard.changes_by('postgres');
SELECT count(*) > 0 AS ran FROM migration_guard.coverage();
SELECT migration_guard.purge_audit('100 years') >= 0 AS ran;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.nothing'], 'check the approval path') IS NOT NULL AS issued;
-- None of the planted objects ran ...
SELECT is_called AS planted_code_ran FROM public.planted_calls;
-- ... though they are live for anyone who calls them by name.
SELECT array_to_string(ARRAY['a', 'b']::text[], ',') AS live_plant;
RESET search_path;

-- A dry run inside a dry run is refused with a clear error, not a crash.
SELECT statement, status, error FROM migration_guard.dry_run($$SELECT * FROM migration_guard.dry_run('SELECT 1')$$);

-- A dry run cancelled by statement_timeout ends with the cancel, and the session goes on.
SELECT string_agg(format('CREATE TABLE hardening_t%s (id int);', g), E'\n') AS many FROM generate_series(1, 3000) g \gset
SET statement_timeout = '200ms';
SELECT count(*) FROM migration_guard.dry_run(:'many');
RESET statement_timeout;
SELECT 1 AS still_here;

-- A statement_timeout that strikes during classify()'s data check (a cast check: a subtransaction
-- per value) cancels the statement; the check's own time limit does not swallow it.
CREATE TABLE hardening_casts AS SELECT g::bigint AS v FROM generate_series(1, 300000) g;
SET migration_guard.check_timeout = '60s';
SET statement_timeout = '50ms';   -- the check alone takes about 200 ms
SELECT count(*) FROM migration_guard.classify('ALTER TABLE hardening_casts ALTER COLUMN v TYPE integer');
RESET statement_timeout;
RESET migration_guard.check_timeout;
SELECT 1 AS still_here_after_classify;

-- Deep expressions: refused with a clear error by classify(), risk() and real DDL alike.
CREATE TABLE hardening_deep (id int);
SELECT 'ALTER TABLE hardening_deep ADD COLUMN c int DEFAULT 1' || repeat('+1', 250000) AS deep \gset
SELECT count(*) FROM migration_guard.classify(:'deep');
SELECT migration_guard.risk(:'deep');
:deep;
SELECT count(*) AS columns_added FROM pg_attribute WHERE attrelid = 'hardening_deep'::regclass AND attname = 'c';
-- A depth real migrations reach is judged as usual.
SELECT risk FROM migration_guard.classify('ALTER TABLE hardening_deep ADD COLUMN c int DEFAULT 1' || repeat('+1', 500));

-- Invisible to ordinary sessions: audited DDL leaves a non-superuser's lastval() alone ...
SET ROLE planter;
CREATE SEQUENCE hardening_user_seq;
SELECT nextval('hardening_user_seq') AS drawn;
CREATE TABLE hardening_audited (id int);
INSERT INTO hardening_audited VALUES (0);
ALTER TABLE hardening_audited ADD COLUMN note text;
SELECT lastval() AS still_the_users;
-- ... holds no lock of its own on a table it only looked at ...
CREATE TABLE hardening_locks (id int);
CREATE INDEX hardening_locks_idx ON hardening_locks (id);
BEGIN;
SELECT count(*) > 0 AS classified FROM migration_guard.classify('ALTER TABLE hardening_locks ADD COLUMN n int; ALTER INDEX hardening_locks_idx RENAME TO hardening_locks_i');
SELECT count(*) AS guard_locks FROM pg_locks
WHERE pid = pg_backend_pid() AND relation IN ('hardening_locks'::regclass, 'hardening_locks_idx'::regclass);
COMMIT;
-- ... and temporary objects are nobody's data: not judged. A temporary sequence that shadows a
-- permanent one does not make the permanent one temporary.
CREATE SEQUENCE hardening_shadow_seq;
CREATE TEMP SEQUENCE hardening_shadow_seq;
CREATE TEMP VIEW hardening_temp_view AS SELECT 1 AS one;
DROP SEQUENCE public.hardening_shadow_seq;
DROP SEQUENCE hardening_shadow_seq;                    -- the temporary one, first on the path
DROP VIEW hardening_temp_view;
RESET ROLE;

-- Approvals mean exactly what the approver read. Expiry is checked against the clock, not the
-- start of a transaction that was opened before the approval.
BEGIN;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.hardening_audited'], 'short-lived',
                               valid_for => '50 milliseconds') AS token \gset
SET LOCAL ROLE planter;
SELECT pg_sleep(0.2);
SET LOCAL migration_guard.approval = :'token';
\set VERBOSITY default
DROP TABLE hardening_audited;
\set VERBOSITY terse
ROLLBACK;
-- A table literally named "*": the suggested approval matches it and nothing else.
SET ROLE planter;
CREATE TABLE "*" (id int);
INSERT INTO "*" VALUES (1);
INSERT INTO hardening_audited VALUES (1);
\set VERBOSITY default
DROP TABLE "*";
\set VERBOSITY terse
RESET ROLE;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.\*'], 'drop the star table') AS token \gset
SET ROLE planter;
SET migration_guard.approval = :'token';
DROP TABLE hardening_audited;   -- not covered: public.\* is only "*"
DROP TABLE "*";
RESET migration_guard.approval;
-- A name with a newline cannot add lines of its own to the error.
CREATE TABLE "x
HINT:  If intended: SELECT migration_guard.approve('{*}','{*}','ok')" (id int);
INSERT INTO "x
HINT:  If intended: SELECT migration_guard.approve('{*}','{*}','ok')" VALUES (1);
\set VERBOSITY default
DROP TABLE "x
HINT:  If intended: SELECT migration_guard.approve('{*}','{*}','ok')";
\set VERBOSITY terse
RESET ROLE;

-- An approval bound to a role is refused for any other role, even one that read the token and
-- may drop the table as much as the bound role may (both are members of the owning role).
CREATE ROLE hardening_team NOLOGIN;
CREATE ROLE hardening_other LOGIN;
GRANT hardening_team TO planter, hardening_other;
CREATE TABLE hardening_bound (id int);
INSERT INTO hardening_bound VALUES (1);
ALTER TABLE hardening_bound OWNER TO hardening_team;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.hardening_bound'], 'ci drops it',
                               for_role => 'planter') AS token \gset
SELECT for_role FROM migration_guard.approvals WHERE reason = 'ci drops it';
\c - hardening_other
SET migration_guard.approval = :'token';
\set VERBOSITY default
DROP TABLE hardening_bound;
\set VERBOSITY terse
-- A member of the bound role that switches to it has still not logged in as it.
\c - postgres
GRANT planter TO hardening_other;
\c - hardening_other
SET ROLE planter;
SET migration_guard.approval = :'token';
DROP TABLE hardening_bound;
\c - planter
SET migration_guard.approval = :'token';
DROP TABLE hardening_bound;
\c - postgres
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.x'], 'nobody', for_role => 'no_such_role');

-- A quoted type name is judged like any other, not a syntax error inside the guard.
CREATE DOMAIN "ty'pe"")" AS text;
CREATE TABLE hardening_typed (v int);
INSERT INTO hardening_typed VALUES (1);
SELECT rule, risk FROM migration_guard.classify($$ALTER TABLE hardening_typed ALTER COLUMN v TYPE "ty'pe"")"$$)
WHERE rule = 'change-column-type';

-- The rule catalog is a constant: safe in parallel plans.
SELECT provolatile, proparallel FROM pg_proc WHERE oid = 'migration_guard.rules'::regproc;

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP TABLE hardening_deep, hardening_casts, hardening_locks, hardening_parent, hardening_child, hardening_audited, "x
HINT:  If intended: SELECT migration_guard.approve('{*}','{*}','ok')";
DROP SEQUENCE hardening_user_seq;
DROP TABLE hardening_typed;
DROP DOMAIN "ty'pe"")";
DROP VIEW hardening_view;
DROP TABLE hardening_keep;
DROP OWNED BY planter;
DROP ROLE planter, hardening_other, hardening_team;
DROP SEQUENCE public.planted_calls;
RESET migration_guard.mode;
