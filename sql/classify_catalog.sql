-- classify() knows the live database: sizes, column types, constraints, indexes, volatility,
-- RLS, and the session's lock_timeout. It never changes anything and never takes a lock above
-- ACCESS SHARE.
\pset null '(null)'
SET client_min_messages = warning;

CREATE TABLE big (id bigint PRIMARY KEY, email text, name varchar(20), age int NOT NULL);
INSERT INTO big SELECT g, 'u' || g || '@example.com', 'n' || g, g % 90 FROM generate_series(1, 5000) g;
UPDATE big SET name = 'a rather long name' WHERE id = 42;
ANALYZE big;
CREATE TABLE empty (id bigint PRIMARY KEY, email text);
ANALYZE empty;

-- The same blocking index: low on an empty table, raised with the row thresholds.
SET migration_guard.medium_table_rows = 1000;
SET migration_guard.high_table_rows = 1000000;
SELECT rule, risk FROM migration_guard.classify('CREATE INDEX ON empty (email);') WHERE rule = 'create-index-blocking';
SELECT rule, risk FROM migration_guard.classify('CREATE INDEX ON big (email);') WHERE rule = 'create-index-blocking';
SET migration_guard.high_table_rows = 2000;
SELECT rule, risk FROM migration_guard.classify('CREATE INDEX ON big (email);') WHERE rule = 'create-index-blocking';
RESET migration_guard.medium_table_rows;
RESET migration_guard.high_table_rows;
SELECT rule, risk FROM migration_guard.classify('CREATE INDEX ON big (email);') WHERE rule = 'create-index-blocking';

-- What is at stake is in the message.
SELECT rule, message ~ '~5,000 rows' AS names_rows FROM migration_guard.classify('DROP TABLE big;') WHERE rule = 'drop-table';
SELECT rule, message FROM migration_guard.classify('TRUNCATE empty;') WHERE rule = 'truncate';

-- Column types from pg_attribute: a provable widening is low; values that do not fit make a
-- narrowing critical; a rewrite every value survives is scaled by the table's size.
SELECT rule, risk, rewrites_table FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN name TYPE varchar(50);') WHERE rule = 'change-column-type';
SELECT rule, risk, rewrites_table FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN name TYPE text;') WHERE rule = 'change-column-type';
SELECT rule, risk, rewrites_table FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN name TYPE varchar(10);') WHERE rule = 'change-column-type';
SELECT rule, risk, rewrites_table FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN age TYPE bigint;') WHERE rule = 'change-column-type';
SET migration_guard.medium_table_rows = 1000;
SELECT rule, risk, rewrites_table FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN age TYPE bigint;') WHERE rule = 'change-column-type';
RESET migration_guard.medium_table_rows;

-- SET NOT NULL on a column that already is NOT NULL is a no-op.
SELECT rule FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN age SET NOT NULL;');
SELECT rule FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN email SET NOT NULL;');

-- A validated CHECK (col IS NOT NULL) already in the catalog lets SET NOT NULL skip its scan.
ALTER TABLE big ADD CONSTRAINT big_email_not_null CHECK (email IS NOT NULL) NOT VALID;
SELECT rule FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN email SET NOT NULL;') ORDER BY rule;
ALTER TABLE big VALIDATE CONSTRAINT big_email_not_null;
SELECT rule FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN email SET NOT NULL;') ORDER BY rule;
-- ... and dropping the helper is harmless once the column is NOT NULL, not before.
SELECT rule FROM migration_guard.classify('ALTER TABLE big DROP CONSTRAINT big_email_not_null;') ORDER BY rule;
SELECT rule FROM migration_guard.classify('ALTER TABLE big ALTER COLUMN email SET NOT NULL; ALTER TABLE big DROP CONSTRAINT big_email_not_null;') ORDER BY rule;
ALTER TABLE big DROP CONSTRAINT big_email_not_null;

-- Function volatility from pg_proc, for functions the text does not create.
CREATE FUNCTION pick_code() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT md5(random()::text) $$;
CREATE FUNCTION fixed_code() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$;
SELECT rule FROM migration_guard.classify('SET lock_timeout = ''1s''; ALTER TABLE big ADD COLUMN c1 text DEFAULT pick_code();');
SELECT rule FROM migration_guard.classify('SET lock_timeout = ''1s''; ALTER TABLE big ADD COLUMN c2 text DEFAULT fixed_code();');

-- Dropping an existing ON DELETE CASCADE foreign key changes what deletes do.
CREATE TABLE parent (id bigint PRIMARY KEY);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE CASCADE, other_id bigint REFERENCES parent);
SELECT rule FROM migration_guard.classify('ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey;') ORDER BY rule;
SELECT rule FROM migration_guard.classify('ALTER TABLE child DROP CONSTRAINT child_other_id_fkey;') ORDER BY rule;

-- Foreign key indexes from pg_index.
CREATE INDEX child_other_idx ON child (other_id);
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent;') ORDER BY rule;
SELECT rule, risk FROM migration_guard.classify('ALTER TABLE child ADD FOREIGN KEY (other_id) REFERENCES parent;') ORDER BY rule;

-- table-without-rls is medium once the schema uses RLS.
SELECT rule, risk FROM migration_guard.classify('CREATE TABLE notes (id bigint);') WHERE rule = 'table-without-rls';
ALTER TABLE parent ENABLE ROW LEVEL SECURITY;
SELECT rule, risk FROM migration_guard.classify('CREATE TABLE notes (id bigint);') WHERE rule = 'table-without-rls';
SET migration_guard.rls_schemas = 'api, "Other"';
SELECT count(*) FROM migration_guard.classify('CREATE TABLE notes (id bigint);') WHERE rule = 'table-without-rls';
RESET migration_guard.rls_schemas;

-- The session's lock_timeout counts.
SELECT rule FROM migration_guard.classify('ALTER TABLE big DROP COLUMN email;') ORDER BY rule;
SET lock_timeout = '2s';
SELECT rule FROM migration_guard.classify('ALTER TABLE big DROP COLUMN email;') ORDER BY rule;
RESET lock_timeout;

-- Unqualified names resolve through search_path.
CREATE SCHEMA other;
CREATE TABLE other.big (id bigint);
SET search_path = other, public;
SELECT rule, message ~ 'holds no rows' AS empty FROM migration_guard.classify('TRUNCATE big;') WHERE rule = 'truncate';
RESET search_path;

-- Nothing changes, and no lock above ACCESS SHARE is taken.
BEGIN;
SELECT count(*) > 0 AS classified FROM migration_guard.classify('DROP TABLE big; ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent; CREATE INDEX ON big (email);');
SELECT relation::regclass, mode FROM pg_locks
WHERE locktype = 'relation' AND pid = pg_backend_pid() AND mode <> 'AccessShareLock'
  AND relation::regclass::text IN ('big', 'child', 'parent');
COMMIT;
SELECT count(*) AS rows_kept FROM big;
SELECT attname FROM pg_attribute WHERE attrelid = 'big'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
