-- Bad input: a clear error with the position in the migration text, never a crash.
\set VERBOSITY default

SELECT * FROM migration_guard.classify('CREATE TABLE t (id bigint);
ALTER TABLE users ADD COLUMN x in t;');

SELECT migration_guard.risk('DROP TABLE');

SELECT * FROM migration_guard.classify('SELECT ''unterminated');

SELECT * FROM migration_guard.classify('-- é ünïcode
ALTER TABLE x ADD COLUMN;');

-- The error is an ordinary ERROR: the session goes on.
SELECT 1 AS still_alive;

-- NULL in, NULL out (the functions are STRICT); empty text has no statements.
SELECT migration_guard.risk(NULL) IS NULL AS null_risk;
SELECT count(*) FROM migration_guard.classify(NULL);
SELECT count(*) FROM migration_guard.classify('');
SELECT count(*) FROM migration_guard.classify('  -- only a comment
  /* and another */ ;;');

-- Errors inside a transaction abort it like any other error.
BEGIN;
SELECT migration_guard.risk('ALTER TABLE');
SELECT 1;
ROLLBACK;

-- A large text is classified whole.
SELECT count(*) AS statements, max(statement) AS last
FROM migration_guard.classify((SELECT string_agg(format('ALTER TABLE t%s ADD COLUMN c%s text;', g % 10, g), E'\n') FROM generate_series(1, 20000) g))
WHERE rule IS NULL OR rule = 'require-lock-timeout';
