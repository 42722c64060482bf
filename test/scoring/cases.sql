-- The hazards the common PostgreSQL migration linters and guides describe (lock queues, table
-- rewrites, full scans, data loss, statements that fail at run time, breaking running code),
-- written as migrations of our own. `-- hazard: RULE` means the case must produce RULE;
-- `-- safe: RULE` means it must not (the safe way to do the same thing). Scored by
-- test/scoring/score.py through the CLI.

-- case: adding a column with a volatile default rewrites the table
-- hazard: add-column-volatile-default
ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- case: adding a column with a constant default is instant since PostgreSQL 11
-- safe: add-column-volatile-default
ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free';
-- case: adding a serial column fills every row
-- hazard: add-column-volatile-default
ALTER TABLE accounts ADD COLUMN seq serial;
-- case: adding a stored generated column computes every row
-- hazard: add-column-volatile-default
ALTER TABLE accounts ADD COLUMN name_lower text GENERATED ALWAYS AS (lower(name)) STORED;
-- case: NOT NULL column without a default fails on a table with rows
-- hazard: add-not-null-column
ALTER TABLE accounts ADD COLUMN region text NOT NULL;
-- case: NOT NULL column with a constant default
-- safe: add-not-null-column
ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';
-- case: blocking index build
-- hazard: create-index-blocking
CREATE INDEX accounts_email_idx ON accounts (email);
-- case: concurrent index build
-- safe: create-index-blocking
CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);
-- case: concurrent index inside a transaction fails
-- hazard: concurrently-in-transaction
BEGIN;
CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);
COMMIT;
-- case: index on a table created in the same migration
-- safe: create-index-blocking
CREATE TABLE app.sessions (id bigint PRIMARY KEY, account_id bigint);
CREATE INDEX sessions_account_idx ON app.sessions (account_id);
-- case: dropping an index without concurrently
-- hazard: drop-index
DROP INDEX accounts_email_idx;
-- case: foreign key validated at once scans and locks both tables
-- hazard: add-foreign-key
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
-- case: foreign key added NOT VALID
-- safe: add-foreign-key
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
-- case: validating in the same transaction as NOT VALID
-- hazard: validate-in-same-transaction
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;
COMMIT;
-- case: validating in a later transaction
-- safe: validate-in-same-transaction
ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;
-- case: check constraint validated at once
-- hazard: add-check-constraint
ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0);
-- case: check constraint NOT VALID
-- safe: add-check-constraint
ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount > 0) NOT VALID;
-- case: unique constraint builds its index under ACCESS EXCLUSIVE
-- hazard: add-unique-constraint
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
-- case: unique constraint using an index built concurrently
-- safe: add-unique-constraint
ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_idx;
-- case: primary key added directly
-- hazard: add-unique-constraint
ALTER TABLE events ADD PRIMARY KEY (id);
-- case: primary key using an index on columns that may be nullable
-- hazard: add-primary-key-using-index
ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;
-- case: exclusion constraint on an existing table
-- hazard: add-exclusion-constraint
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);
-- case: SET NOT NULL scans under ACCESS EXCLUSIVE
-- hazard: set-not-null
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
-- case: SET NOT NULL after a validated CHECK in the same migration
-- safe: set-not-null
ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn CHECK (email IS NOT NULL) NOT VALID;
COMMIT;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_email_nn;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
-- case: changing a column type rewrites the table
-- hazard: change-column-type
ALTER TABLE accounts ALTER COLUMN id TYPE bigint;
-- case: widening varchar added in the same migration is instant
-- safe: change-column-type@critical
ALTER TABLE accounts ADD COLUMN nickname varchar(50);
ALTER TABLE accounts ALTER COLUMN nickname TYPE varchar(100);
-- case: narrowing after widening
-- hazard: change-column-type@critical
ALTER TABLE accounts ADD COLUMN code varchar(20);
ALTER TABLE accounts ALTER COLUMN code TYPE varchar(10);
-- case: USING with another expression
-- hazard: change-column-type@critical
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric USING balance / 100;
-- case: dropping a column
-- hazard: drop-column
ALTER TABLE accounts DROP COLUMN legacy_flag;
-- case: dropping a table
-- hazard: drop-table
DROP TABLE legacy_accounts;
-- case: dropping a table created in the same migration
-- safe: drop-table
CREATE TABLE app.tmp_import (id bigint PRIMARY KEY);
DROP TABLE app.tmp_import;
-- case: truncate
-- hazard: truncate
TRUNCATE audit_events;
-- case: drop cascade
-- hazard: drop-cascade
DROP TABLE accounts CASCADE;
-- case: drop schema
-- hazard: drop-schema
DROP SCHEMA reporting;
-- case: renaming a column breaks running code
-- hazard: rename-column
ALTER TABLE accounts RENAME COLUMN email TO email_address;
-- case: renaming a table breaks running code
-- hazard: rename-table
ALTER TABLE accounts RENAME TO customers;
-- case: moving a table to another schema breaks running code
-- hazard: set-schema
ALTER TABLE app.events SET SCHEMA archive;
-- case: SET LOGGED rewrites the table
-- hazard: set-logged
ALTER TABLE staging_events SET LOGGED;
-- case: SET UNLOGGED loses durability
-- hazard: set-unlogged
ALTER TABLE events SET UNLOGGED;
-- case: detaching a partition locks the parent
-- hazard: detach-partition-blocking
ALTER TABLE measurements DETACH PARTITION measurements_2020;
-- case: detaching concurrently
-- safe: detach-partition-blocking
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;
-- case: attaching an existing table as a partition scans it
-- hazard: attach-partition-scan
ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- case: attaching a fresh partition
-- safe: attach-partition-scan
CREATE TABLE app.measurements_2026 (LIKE app.measurements);
ALTER TABLE app.measurements ATTACH PARTITION app.measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- case: adding a domain constraint checks every column using it
-- hazard: alter-domain-add-constraint
ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
-- case: domain constraint NOT VALID
-- safe: alter-domain-add-constraint
ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%') NOT VALID;
-- case: a domain with a constraint is hard to change later
-- hazard: create-domain-constraint
CREATE DOMAIN app.percentage AS numeric CHECK (VALUE BETWEEN 0 AND 100);
-- case: creating a trigger blocks writes
-- hazard: create-trigger-lock
CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
-- case: LOCK TABLE without a lock timeout
-- hazard: lock-table
LOCK TABLE accounts;
-- case: LOCK TABLE with a lock timeout
-- safe: lock-table
SET lock_timeout = '3s';
LOCK TABLE accounts;
-- case: strong lock without a lock timeout
-- hazard: require-lock-timeout
ALTER TABLE accounts ADD COLUMN note text;
-- case: strong lock after a lock timeout
-- safe: require-lock-timeout
SET lock_timeout = '3s';
ALTER TABLE accounts ADD COLUMN note text;
-- case: json instead of jsonb
-- hazard: prefer-jsonb
ALTER TABLE accounts ADD COLUMN settings json;
-- case: jsonb
-- safe: prefer-jsonb
ALTER TABLE accounts ADD COLUMN settings jsonb;
-- case: varchar(n) column
-- hazard: prefer-text
CREATE TABLE app.tags (id bigint PRIMARY KEY, label varchar(40));
-- case: varchar(n) in an ALTER COLUMN TYPE
-- hazard: prefer-text
ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200);
-- case: varchar(n) array
-- hazard: prefer-text
ALTER TABLE accounts ADD COLUMN aliases varchar(20)[];
-- case: timestamp without time zone
-- hazard: prefer-timestamptz
ALTER TABLE accounts ADD COLUMN seen_at timestamp;
-- case: integer primary key
-- hazard: prefer-bigint
CREATE TABLE app.things (id integer PRIMARY KEY);
-- case: serial primary key
-- hazard: prefer-identity
CREATE TABLE app.widgets (id bigserial PRIMARY KEY);
-- case: identity bigint primary key
-- safe: prefer-bigint
CREATE TABLE app.gadgets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
-- case: DELETE without WHERE
-- hazard: dml-without-where
DELETE FROM audit_log;
-- case: UPDATE without WHERE of an existing column
-- hazard: dml-without-where
UPDATE accounts SET plan = 'free';
-- case: UPDATE without WHERE of a column added in the same migration (a backfill)
-- safe: dml-without-where
ALTER TABLE accounts ADD COLUMN tier text;
UPDATE accounts SET tier = 'basic';
-- case: backfill under the lock of the ALTER in the same transaction
-- hazard: backfill-under-lock
BEGIN;
ALTER TABLE accounts ADD COLUMN tier text;
UPDATE accounts SET tier = 'basic';
COMMIT;
-- case: backfill after the commit
-- safe: backfill-under-lock
ALTER TABLE accounts ADD COLUMN tier text;
COMMIT;
UPDATE accounts SET tier = 'basic' WHERE id BETWEEN 1 AND 10000;
-- case: using a new enum value in the same transaction
-- hazard: enum-value-in-transaction
BEGIN;
ALTER TYPE order_status ADD VALUE 'refunded';
UPDATE orders SET status = 'refunded' WHERE id = 7;
COMMIT;
-- case: using a new enum value in a later transaction
-- safe: enum-value-in-transaction
ALTER TYPE order_status ADD VALUE 'refunded';
COMMIT;
UPDATE orders SET status = 'refunded' WHERE id = 7;
-- case: renaming an enum value
-- hazard: rename-enum-value
ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';
-- case: a transaction left open
-- hazard: open-transaction
BEGIN;
ALTER TABLE accounts ADD COLUMN flag boolean;
-- case: a closed transaction
-- safe: open-transaction
BEGIN;
ALTER TABLE accounts ADD COLUMN flag boolean;
COMMIT;
-- case: nested BEGIN
-- hazard: nested-begin
BEGIN;
ALTER TABLE accounts ADD COLUMN a1 text;
BEGIN;
ALTER TABLE accounts ADD COLUMN a2 text;
COMMIT;
-- case: identifier cut to 63 bytes
-- hazard: identifier-too-long
ALTER TABLE accounts ADD CONSTRAINT accounts_primary_billing_contact_email_address_must_be_unique_per_org UNIQUE (org_id, email);
-- case: VACUUM FULL
-- hazard: vacuum-full
VACUUM FULL accounts;
-- case: CLUSTER
-- hazard: cluster
CLUSTER accounts USING accounts_pkey;
-- case: REINDEX without concurrently
-- hazard: reindex-blocking
REINDEX TABLE accounts;
-- case: REINDEX SYSTEM cannot run concurrently
-- safe: reindex-blocking
REINDEX SYSTEM app;
-- case: REFRESH MATERIALIZED VIEW without concurrently
-- hazard: refresh-matview-blocking
REFRESH MATERIALIZED VIEW account_totals;
-- case: disabling triggers
-- hazard: disable-trigger
ALTER TABLE accounts DISABLE TRIGGER ALL;
-- case: disabling row level security
-- hazard: disable-rls
ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;
-- case: dropping a NOT NULL
-- hazard: drop-not-null
ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL;
-- case: dropping a constraint
-- hazard: drop-constraint
ALTER TABLE orders DROP CONSTRAINT orders_amount_check;
-- case: replacing a constraint in the same ALTER
-- safe: drop-constraint
ALTER TABLE orders DROP CONSTRAINT orders_amount_check, ADD CONSTRAINT orders_amount_check CHECK (amount >= 0) NOT VALID;
-- case: ON DELETE CASCADE on an existing table
-- hazard: cascade-delete-change
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE NOT VALID;
-- case: foreign key without an index on a new table
-- hazard: fk-without-index
CREATE TABLE app.invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES app.accounts (id));
-- case: foreign key whose columns lead the primary key
-- safe: fk-without-index
CREATE TABLE app.invoice_lines (invoice_id bigint REFERENCES app.invoices (id), line int, PRIMARY KEY (invoice_id, line));
-- case: dropping a sequence
-- hazard: drop-sequence
DROP SEQUENCE ticket_seq;
-- case: dropping a function
-- hazard: drop-function
DROP FUNCTION touch();
-- case: dropping a view
-- hazard: drop-view
DROP VIEW account_summary;
-- case: dropping a type
-- hazard: drop-type
DROP TYPE order_status;
-- case: SET NOT NULL after validating the column's CHECK added by an earlier migration
-- safe: set-not-null
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_email_not_null;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
-- case: USING col::type is the plain conversion, a safe widening here
-- safe: change-column-type@high
ALTER TABLE accounts ADD COLUMN handle varchar(20);
ALTER TABLE accounts ALTER COLUMN handle TYPE varchar(40) USING handle::varchar(40);
-- case: a change from an unknown type is a possible rewrite, not a known loss
-- safe: change-column-type@critical
ALTER TABLE accounts ALTER COLUMN score TYPE bigint;
