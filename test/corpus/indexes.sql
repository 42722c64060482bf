-- case: create index on an existing table
-- expect: create-index-blocking
-- risk: low
CREATE INDEX users_email_idx ON users (email);

-- case: create unique index on an existing table
-- expect: create-index-blocking
CREATE UNIQUE INDEX users_email_key ON public.users (lower(email));

-- case: create index concurrently
-- expect: none
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);

-- case: create index on a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint, email text);
CREATE INDEX ON app.t (email);

-- case: create index concurrently inside a transaction block
-- expect: concurrently-in-transaction
-- risk: medium
BEGIN;
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
COMMIT;

-- case: START TRANSACTION counts as a transaction block
-- expect: concurrently-in-transaction
START TRANSACTION;
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
COMMIT;

-- case: create index concurrently after the transaction block ended
-- expect: none
BEGIN;
COMMIT;
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);

-- case: reindex table
-- expect: reindex-blocking
-- risk: medium
REINDEX TABLE users;

-- case: reindex index
-- expect: reindex-blocking
REINDEX INDEX users_email_idx;

-- case: reindex concurrently
-- expect: none
REINDEX TABLE CONCURRENTLY users;

-- case: reindex with the options list
-- expect: none
REINDEX (CONCURRENTLY, VERBOSE) INDEX users_email_idx;

-- case: reindex concurrently inside a transaction block
-- expect: concurrently-in-transaction
BEGIN;
REINDEX INDEX CONCURRENTLY users_email_idx;
COMMIT;
