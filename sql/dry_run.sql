-- dry_run(): runs a whole migration in a subtransaction that is always rolled back and reports,
-- per statement, what it did. It is not stopped by enforcement, never leaves anything behind,
-- never spends an approval, and is audited as a dry run.
\set VERBOSITY terse
CREATE TABLE dry_authors (id bigint PRIMARY KEY, name text, age int);
INSERT INTO dry_authors SELECT g, 'author ' || g, 20 + g % 60 FROM generate_series(1, 5000) g;
CREATE TABLE dry_books (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, author_id bigint, title text);
INSERT INTO dry_books (author_id, title) SELECT 1 + g % 5000, 'book ' || g FROM generate_series(1, 8000) g;
ANALYZE dry_authors, dry_books;

-- Fingerprints of the catalog, the data and the sequences, to compare after the dry runs.
CREATE FUNCTION dry_fingerprint() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
        SELECT format('%s %s %s %s', c.oid::regclass, c.relkind, c.relfilenode, c.relnatts) FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace
        UNION ALL SELECT format('%s.%s %s %s', a.attrelid::regclass, a.attname, a.atttypid, a.attnotnull) FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0
        UNION ALL SELECT format('%s %s', conname, contype) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT md5(string_agg(a::text, ',' ORDER BY a.id)) FROM dry_authors a
        UNION ALL SELECT md5(string_agg(b::text, ',' ORDER BY b.id)) FROM dry_books b
        UNION ALL SELECT format('%s %s', sequencename, last_value) FROM pg_sequences WHERE schemaname <> 'migration_guard'
    ) s(x)
$$;
SELECT dry_fingerprint() AS before \gset

-- Locks as PostgreSQL takes them, one statement per dry run.
SELECT command, status, locks, rewritten FROM migration_guard.dry_run('ALTER TABLE dry_authors ALTER COLUMN age TYPE bigint');
SELECT command, status, locks, created FROM migration_guard.dry_run('CREATE INDEX books_title_idx ON dry_books (title)');
SELECT command, status, locks FROM migration_guard.dry_run('ALTER TABLE dry_books ADD CONSTRAINT books_author_fk FOREIGN KEY (author_id) REFERENCES dry_authors (id)');

-- A whole migration: objects, rows, errors with their position, skipped statements, the guard's verdict.
SELECT statement, command, status, risk, would_block, rules, created, altered, dropped, rows_affected,
       error, error_line, error_col, note
FROM migration_guard.dry_run($$
BEGIN;
CREATE TABLE dry_reviews (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, book_id bigint REFERENCES dry_books, stars int);
INSERT INTO dry_reviews (book_id, stars) SELECT id, 5 FROM dry_books WHERE id <= 100;
UPDATE dry_authors SET name = upper(name) WHERE id <= 10;
ALTER TABLE dry_books DROP COLUMN title;
CREATE INDEX CONCURRENTLY reviews_book_idx ON dry_reviews (book_id);
UPDATE dry_authors
   SET nmae = 'x' WHERE id = 1;
DROP TABLE dry_books;
COMMIT;
$$);

-- Sequences are not transactional: a dry run that draws from an existing one says so (it is never
-- rewound: another session may have drawn from it meanwhile).
SELECT command, status, rows_affected, note FROM migration_guard.dry_run('INSERT INTO dry_books (author_id, title) VALUES (1, ''new'')');
SELECT dry_fingerprint() = :'before' AS unchanged_but_the_sequence;
SELECT last_value FROM pg_sequences WHERE sequencename = 'dry_books_id_seq';
SELECT dry_fingerprint() AS before \gset

-- What the guard would say, and which approval would let it through; a presented approval that
-- covers it is named, and not spent.
SELECT approval FROM migration_guard.dry_run('ALTER TABLE dry_books DROP COLUMN title');
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.dry_books.title'], 'titles move to the catalog service') AS token \gset
SET migration_guard.approval = :'token';
SELECT status, would_block, approval ~ '^covered by approval #' AS covered FROM migration_guard.dry_run('ALTER TABLE dry_books DROP COLUMN title');
SELECT uses_left, used_by FROM migration_guard.approvals WHERE reason = 'titles move to the catalog service';
RESET migration_guard.approval;

-- Drift: with outside_migration = block, schema changes outside a migration would be blocked.
SET migration_guard.outside_migration = 'block';
SELECT statement, command, would_block, rules FROM migration_guard.dry_run('ALTER TABLE dry_books ADD COLUMN isbn text; UPDATE dry_books SET isbn = ''x'' WHERE id = 1');
SET migration_guard.migration_id = '0042_isbn';
SELECT statement, command, would_block, rules FROM migration_guard.dry_run('ALTER TABLE dry_books ADD COLUMN isbn text');
RESET migration_guard.migration_id;
RESET migration_guard.outside_migration;

-- A cancel (here statement_timeout) ends the dry run itself instead of becoming one statement's
-- error; what it had run is gone with it.
SET statement_timeout = '300ms';
SELECT count(*) FROM migration_guard.dry_run('CREATE TABLE dry_cancelled (id int); SELECT pg_sleep(5)');
RESET statement_timeout;
SELECT count(*) AS cancelled_tables FROM pg_tables WHERE tablename = 'dry_cancelled';

-- Nothing was left behind: catalog, data and sequences are as before.
SELECT dry_fingerprint() = :'before' AS unchanged;
SELECT count(*) AS reviews_tables FROM pg_tables WHERE tablename = 'dry_reviews';
SELECT count(*) AS upper_names FROM dry_authors WHERE name = upper(name);

-- Audited as dry runs, not as changes.
SELECT command_tag, object_type, decision, risk FROM migration_guard.audit_log WHERE command_tag = 'DRY RUN' ORDER BY id;
SELECT count(*) AS change_rows FROM migration_guard.audit_log WHERE object_identity LIKE '%dry_reviews%';

-- Bad input: a syntax error names its line and column, like classify().
SELECT * FROM migration_guard.dry_run('ALTER TABLE dry_books ADD COLUMN x in t');
