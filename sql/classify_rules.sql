-- classify() and risk() on the server's parser: the contract's columns, one row per finding,
-- a row with rule NULL for a statement without findings, statements numbered from 1.
\pset null '(null)'

SELECT * FROM migration_guard.classify('DROP TABLE users;');

SELECT statement, command, rule, risk, category, lock_mode, rewrites_table
FROM migration_guard.classify($$
  CREATE TABLE app_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
  ALTER TABLE app_notes ENABLE ROW LEVEL SECURITY;
  SELECT 1;
  ALTER TABLE users ALTER COLUMN email SET NOT NULL;
  CREATE INDEX users_email_idx ON users (email);
  ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
  ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
  VACUUM FULL users;
$$);

-- Messages name the object; hints give the safe alternative.
SELECT rule, message, hint
FROM migration_guard.classify('ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);')
WHERE rule = 'add-foreign-key';

SELECT rule, hint FROM migration_guard.classify('CREATE INDEX i ON users (email);');

-- risk(): the highest risk of the text.
SELECT migration_guard.risk('CREATE TABLE app_t (id bigint); ALTER TABLE app_t ENABLE ROW LEVEL SECURITY;') AS additive,
       migration_guard.risk('ALTER TABLE users RENAME COLUMN email TO mail;') AS rename,
       migration_guard.risk('CREATE INDEX i ON users (email); DROP TABLE users;') AS mixed,
       migration_guard.risk('') AS empty;
SELECT pg_typeof(migration_guard.risk('SELECT 1'));

-- Purely additive statements are never above low.
SELECT sql, migration_guard.risk(sql)
FROM unnest(ARRAY[
  'CREATE TABLE t1 (id bigint PRIMARY KEY, body text)',
  'ALTER TABLE users ADD COLUMN nickname text',
  'ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT false',
  'CREATE INDEX CONCURRENTLY i ON users (email)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (amount > 0) NOT VALID',
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
  'CREATE VIEW v1 AS SELECT 1 AS one'
]) AS sql;

-- Text inside strings, comments, function bodies and DO blocks is not a statement.
SELECT statement, command, rule FROM migration_guard.classify($sql$
  SELECT 'DROP TABLE users;';
  -- DROP TABLE users;
  /* TRUNCATE users; */
  CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;
  DO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;
$sql$);

-- classify_verbose(): object and position (byte offset, line, column) of each finding.
SELECT statement, rule, object, location, line, col, scans_table
FROM migration_guard.classify_verbose(E'-- first line\nCREATE INDEX ON users (email);\nALTER TABLE users\n  ADD COLUMN token uuid DEFAULT random()::text::uuid;')
WHERE rule IS NOT NULL;

-- Command tags are PostgreSQL's own.
SELECT DISTINCT statement, command FROM migration_guard.classify(
  'BEGIN; ALTER MATERIALIZED VIEW mv RENAME TO mv2; DROP OWNED BY nobody; TRUNCATE t; COMMIT;')
ORDER BY statement;
