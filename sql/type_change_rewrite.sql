-- ALTER COLUMN ... TYPE: the guard's "rewrite or not" is PostgreSQL's own. For each change the
-- finding's risk is shown next to whether PostgreSQL really rewrote the table (its relfilenode
-- changed). A table owner runs them; what keeps values is low and allowed, a rewrite of a table
-- with data stays critical and blocked.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS citext;
RESET client_min_messages;
CREATE ROLE tc_owner LOGIN;
GRANT CREATE ON SCHEMA public TO tc_owner;
SET ROLE tc_owner;
CREATE TABLE tc (id bigint PRIMARY KEY, name varchar(20), note text, code citext, at timestamp,
                 amount numeric(8,2), tag varchar(20), seen timestamp);
INSERT INTO tc SELECT g, 'n' || g, 'note ' || g, 'C' || g, '2026-01-01'::timestamp + g * interval '1 hour',
                      g, 't' || g, '2026-01-01 12:34:56'::timestamp + g * interval '1 day' FROM generate_series(1, 200) g;
ANALYZE tc;
CREATE FUNCTION tc_change(change text) RETURNS TABLE (risk text, rewritten boolean)
LANGUAGE plpgsql AS $$
DECLARE
  before oid := (SELECT relfilenode FROM pg_class WHERE relname = 'tc');
  r text;
BEGIN
  SELECT max(c.risk)::text INTO r FROM migration_guard.classify('ALTER TABLE tc ' || change) c
   WHERE c.rule = 'change-column-type';
  EXECUTE 'ALTER TABLE tc ' || change;
  RETURN QUERY SELECT r, (SELECT relfilenode FROM pg_class WHERE relname = 'tc') <> before;
END $$;

SET TimeZone = 'UTC';
SELECT 'varchar(20) -> varchar(40)' AS change, * FROM tc_change('ALTER COLUMN name TYPE varchar(40)');
SELECT 'varchar(40) -> text' AS change, * FROM tc_change('ALTER COLUMN name TYPE text');
SELECT 'text -> citext' AS change, * FROM tc_change('ALTER COLUMN note TYPE citext');
SELECT 'citext -> text' AS change, * FROM tc_change('ALTER COLUMN code TYPE text');
SELECT 'numeric(8,2) -> numeric(12,2)' AS change, * FROM tc_change('ALTER COLUMN amount TYPE numeric(12,2)');
SELECT 'timestamp -> timestamptz, TimeZone UTC' AS change, * FROM tc_change('ALTER COLUMN at TYPE timestamptz');
SELECT 'varchar(20) -> varchar(40) USING tag::varchar(40)' AS change, *
  FROM tc_change('ALTER COLUMN tag TYPE varchar(40) USING tag::varchar(40)');
SET TimeZone = 'Europe/Paris';
SELECT 'timestamptz -> timestamp, TimeZone Europe/Paris' AS change, risk
  FROM migration_guard.classify('ALTER TABLE tc ALTER COLUMN at TYPE timestamp') WHERE rule = 'change-column-type';
RESET TimeZone;

-- A rewrite of a table with data stays critical, and the guard blocks it.
SELECT 'bigint -> int' AS change, risk FROM migration_guard.classify('ALTER TABLE tc ALTER COLUMN id TYPE int')
  WHERE rule = 'change-column-type';
ALTER TABLE tc ALTER COLUMN id TYPE int;

-- USING col::type is the plain conversion: its values are checked, with the explicit cast's
-- rules (text -> int has no assignment cast; 'C1' ... do not convert, so the statement would fail).
SELECT risk, message LIKE '%200 values of code do not convert to integer%' AS counted
  FROM migration_guard.classify('ALTER TABLE tc ALTER COLUMN code TYPE int USING code::int')
  WHERE rule = 'change-column-type';

-- Attack: a table owner plants types of its own under built-in names and points the change at
-- them: the type is the one PostgreSQL resolves for the statement, not the name. (a) A
-- schema-qualified "numeric" that rounds to whole numbers: not a widening, blocked.
CREATE DOMAIN public.numeric AS pg_catalog.numeric(5,0);
UPDATE tc SET amount = amount + 0.25;
SELECT risk FROM migration_guard.classify('ALTER TABLE tc ALTER COLUMN amount TYPE public.numeric')
  WHERE rule = 'change-column-type';
ALTER TABLE tc ALTER COLUMN amount TYPE public.numeric;
SELECT count(*) AS kept_fractions FROM tc WHERE amount <> trunc(amount);
-- (b) A "timestamptz" that is a date, found first on the search_path (timestamptz is no keyword):
-- timestamp -> timestamptz would be lossless, this drops every time of day; blocked.
CREATE DOMAIN public.timestamptz AS pg_catalog.date;
SET search_path = public, pg_catalog;
SET TimeZone = 'UTC';
SELECT risk FROM migration_guard.classify('ALTER TABLE tc ALTER COLUMN seen TYPE timestamptz')
  WHERE rule = 'change-column-type';
ALTER TABLE tc ALTER COLUMN seen TYPE timestamptz;
RESET TimeZone;
RESET search_path;
SELECT count(*) AS kept_times FROM tc WHERE seen::pg_catalog.timestamp::time <> '00:00';

-- A chain within one text is judged against the type the previous statement left.
SELECT statement, risk FROM migration_guard.classify(
  'ALTER TABLE tc ALTER COLUMN tag TYPE text; ALTER TABLE tc ALTER COLUMN tag TYPE varchar(10);')
  WHERE rule = 'change-column-type' ORDER BY statement;
RESET ROLE;
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.tc'], 'end of the test') AS token \gset
SET migration_guard.approval = :'token';
SET client_min_messages = warning;
DROP TABLE tc;
SELECT migration_guard.approve(ARRAY['drop-type'], ARRAY['public.numeric', 'public.timestamptz'], 'end of the test') AS token \gset
SET migration_guard.approval = :'token';
DROP DOMAIN public.numeric, public.timestamptz;
RESET client_min_messages;
RESET migration_guard.approval;
DROP FUNCTION tc_change(text);
REVOKE CREATE ON SCHEMA public FROM tc_owner;
DROP ROLE tc_owner;
