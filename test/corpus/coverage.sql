-- case: detach partition without concurrently
-- expect: detach-partition-blocking require-lock-timeout
ALTER TABLE measurements DETACH PARTITION measurements_2020;

-- case: detach partition concurrently
-- expect: none
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;

-- case: attach an existing table as a partition
-- expect: attach-partition-scan
ALTER TABLE measurements ATTACH PARTITION measurements_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- case: attach a partition created in the same migration
-- expect: none
CREATE TABLE app.m_2025 (id bigint, at date);
ALTER TABLE app.measurements ATTACH PARTITION app.m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- case: alter domain add constraint
-- expect: alter-domain-add-constraint
ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);

-- case: alter domain add constraint not valid
-- expect: none
ALTER DOMAIN positive_amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;

-- case: create domain with a check
-- expect: create-domain-constraint
-- risk: low
CREATE DOMAIN app.amount AS numeric CHECK (VALUE > 0);

-- case: create domain without a constraint
-- expect: none
CREATE DOMAIN app.label AS text;

-- case: create trigger on an existing table
-- expect: create-trigger-lock require-lock-timeout
CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();

-- case: create trigger on a new table
-- expect: none
CREATE TABLE app.notes (id bigint PRIMARY KEY, body text);
CREATE TRIGGER notes_audit AFTER INSERT ON app.notes FOR EACH ROW EXECUTE FUNCTION audit_row();

-- case: lock table without lock_timeout
-- expect: lock-table
LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;

-- case: lock table after lock_timeout
-- expect: none
SET lock_timeout = '2s';
LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;

-- case: lock table nowait
-- expect: none
LOCK TABLE accounts IN SHARE MODE NOWAIT;

-- case: primary key using an index on possibly nullable columns
-- expect: add-primary-key-using-index require-lock-timeout
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_email_key;

-- case: primary key using an index on columns made not null first
-- expect: require-lock-timeout set-not-null
CREATE UNIQUE INDEX CONCURRENTLY accounts_code_key ON accounts (code);
ALTER TABLE accounts ALTER COLUMN code SET NOT NULL;
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_code_key;

-- case: set schema of an existing table
-- expect: set-schema
-- risk: high
ALTER TABLE app.events SET SCHEMA archive;

-- case: set schema of a table created in the same migration
-- expect: none
CREATE TABLE app.staging (id bigint PRIMARY KEY);
ALTER TABLE app.staging SET SCHEMA archive;

-- case: json column
-- expect: prefer-jsonb require-lock-timeout
ALTER TABLE users ADD COLUMN properties json;

-- case: jsonb column
-- expect: require-lock-timeout
ALTER TABLE users ADD COLUMN properties jsonb;

-- case: delete without where
-- expect: dml-without-where
-- risk: critical
DELETE FROM audit_log;

-- case: WHERE true is no WHERE
-- expect: dml-without-where
UPDATE accounts SET phone = NULL WHERE true;

-- case: a WHERE the text cannot judge is left to the server, which counts the rows
-- expect: none
DELETE FROM audit_log WHERE id > 0;

-- case: delete with where
-- expect: none
DELETE FROM audit_log WHERE logged_at < now() - interval '1 year';

-- case: update without where of an old column
-- expect: dml-without-where
UPDATE users SET status = 'active';

-- case: backfill of a column added in the same migration, under the lock of its ALTER
-- expect: backfill-under-lock require-lock-timeout
BEGIN;
ALTER TABLE users ADD COLUMN c text;
UPDATE users SET c = 'x';
COMMIT;

-- case: backfill in its own transaction
-- expect: require-lock-timeout
BEGIN;
ALTER TABLE users ADD COLUMN c text;
COMMIT;
UPDATE users SET c = 'x' WHERE id < 1000;

-- case: index build while another table is locked
-- expect: backfill-under-lock create-index-blocking require-lock-timeout
ALTER TABLE users ADD COLUMN c text;
CREATE INDEX orders_user_idx ON orders (user_id);

-- case: backfill-under-lock once per transaction and locked table, however many long statements follow
-- expect: backfill-under-lock create-index-blocking dml-without-where require-lock-timeout
ALTER TABLE users ADD COLUMN c text;
CREATE INDEX orders_total_idx ON orders (total);
CREATE INDEX orders_status_idx ON orders (status);
UPDATE orders SET total = 0;

-- case: create-index-blocking once per transaction and table, again after COMMIT and for another table
-- expect: create-index-blocking create-index-blocking create-index-blocking
BEGIN;
CREATE INDEX orders_total_idx ON orders (total);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX users_email_idx ON users (email);
COMMIT;
BEGIN;
CREATE INDEX orders_created_idx ON orders (created_at);
COMMIT;

-- case: type advice once per rule, table and statement
-- expect: prefer-text prefer-timestamptz prefer-timestamptz prefer-timestamptz require-lock-timeout table-without-rls table-without-rls
CREATE TABLE events (id bigint PRIMARY KEY, a timestamp, b timestamp(3), c varchar(10), d char(2));
CREATE TABLE audits (id bigint PRIMARY KEY, at timestamp);
ALTER TABLE users ADD COLUMN seen timestamp, ADD COLUMN left_at timestamp;

-- case: a targeted fix under the lock is no backfill; a NULL-filling one is
-- expect: backfill-under-lock require-lock-timeout
ALTER TABLE users ADD COLUMN c text;
UPDATE orders SET status = 'x' WHERE id = 42;
UPDATE orders SET status = 'new' WHERE status IS NULL;

-- case: no backfill-under-lock after a drop: the lock is on what the migration removed
-- expect: drop-table create-index-blocking require-lock-timeout
DROP TABLE sessions;
CREATE INDEX orders_total_idx ON orders (total);

-- case: new enum value used in the same transaction
-- expect: enum-value-in-transaction
BEGIN;
ALTER TYPE mood ADD VALUE 'ecstatic';
UPDATE people SET current_mood = 'ecstatic' WHERE id = 1;
COMMIT;

-- case: new enum value used after commit
-- expect: none
ALTER TYPE mood ADD VALUE 'ecstatic';
COMMIT;
UPDATE people SET current_mood = 'ecstatic' WHERE id = 1;

-- case: transaction left open
-- expect: open-transaction
BEGIN;
CREATE TABLE app.users (id bigint PRIMARY KEY);

-- case: nested begin
-- expect: nested-begin
BEGIN;
CREATE TABLE app.a (id bigint PRIMARY KEY);
BEGIN;
CREATE TABLE app.b (id bigint PRIMARY KEY);
COMMIT;

-- case: identifier longer than 63 bytes
-- expect: identifier-too-long
CREATE TABLE app.customer_subscription_billing_adjustment_history_entries_archive_2024 (id bigint PRIMARY KEY);

-- case: identifier of 63 bytes exactly
-- expect: none
CREATE TABLE app.customer_subscription_billing_adjustment_history_entries_arc_24 (id bigint PRIMARY KEY);

-- case: prefer text on an array column type change
-- expect: change-column-type prefer-text require-lock-timeout
ALTER TABLE t ALTER COLUMN tags TYPE varchar(20)[];

-- case: widening a column added earlier in the same migration
-- expect: change-column-type prefer-text prefer-text require-lock-timeout
-- quiet: change-column-type
-- risk: low
ALTER TABLE users ADD COLUMN nickname varchar(50);
ALTER TABLE users ALTER COLUMN nickname TYPE varchar(100);

-- case: a chain of type changes judged against the type the previous one left
-- expect: change-column-type change-column-type prefer-text prefer-text require-lock-timeout
-- quiet: change-column-type
-- risk: critical
ALTER TABLE users ADD COLUMN code varchar(20);
ALTER TABLE users ALTER COLUMN code TYPE text;
ALTER TABLE users ALTER COLUMN code TYPE varchar(10);

-- case: using col::type is the plain conversion
-- expect: change-column-type prefer-text prefer-text require-lock-timeout
-- quiet: change-column-type
-- risk: low
ALTER TABLE users ADD COLUMN nick varchar(20);
ALTER TABLE users ALTER COLUMN nick TYPE varchar(40) USING nick::varchar(40);

-- case: reindex system is not a blocking-reindex finding
-- expect: none
REINDEX SYSTEM app;

-- case: drop and re-add a constraint in the same alter table
-- expect: add-check-constraint require-lock-timeout
ALTER TABLE orders DROP CONSTRAINT orders_amount_check, ADD CONSTRAINT orders_amount_check CHECK (amount >= 0);

-- case: set logged on a table created in the same migration
-- expect: none
CREATE UNLOGGED TABLE app.load (id bigint PRIMARY KEY);
ALTER TABLE app.load SET LOGGED;

-- case: two transactions one after the other
-- expect: none
BEGIN;
CREATE TABLE app.c1 (id bigint PRIMARY KEY);
COMMIT;
BEGIN;
CREATE TABLE app.c2 (id bigint PRIMARY KEY);
COMMIT;

-- case: update with where
-- expect: none
UPDATE users SET status = 'active' WHERE status IS NULL AND id < 1000;

-- case: delete from a table created in the same migration
-- expect: none
CREATE TABLE app.scratch (id bigint PRIMARY KEY);
DELETE FROM app.scratch;

-- case: json column in a new table
-- expect: prefer-jsonb
CREATE TABLE app.payloads (id bigint PRIMARY KEY, body json);

-- case: a domain constraint on a domain created in the same migration
-- expect: none
CREATE DOMAIN app.cents AS bigint;
ALTER DOMAIN app.cents ADD CONSTRAINT cents_positive CHECK (VALUE >= 0);

-- case: set schema of a sequence
-- expect: set-schema
ALTER SEQUENCE app.ticket_seq SET SCHEMA archive;

-- case: quoted type names are the same types
-- expect: prefer-text prefer-text prefer-timestamptz require-lock-timeout
ALTER TABLE t ADD COLUMN a "varchar"(20);
ALTER TABLE t ADD COLUMN b character(5)[];
ALTER TABLE t ADD COLUMN d "timestamp";

-- case: the one-byte "char" type is not char(n)
-- expect: require-lock-timeout
ALTER TABLE t ADD COLUMN c "char";

-- case: set not null after validating the column's check from an earlier migration
-- expect: require-lock-timeout
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_email_not_null;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;

-- case: set not null after validating a constraint that may be another column's
-- expect: require-lock-timeout set-not-null
-- risk: low
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_check_1;
ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;

-- case: a schema-qualified type is not the built-in of the same name
-- expect: change-column-type prefer-text require-lock-timeout
-- risk: critical
ALTER TABLE users ADD COLUMN handle varchar(20);
ALTER TABLE users ALTER COLUMN handle TYPE app.text;

-- case: a foreign key dropped and added back under its name in the same transaction (an ORM changing ON DELETE)
-- expect: add-foreign-key cascade-delete-change drop-constraint require-lock-timeout
-- quiet: drop-constraint
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;

-- case: a constraint dropped on a table the same transaction then drops
-- expect: drop-constraint drop-table require-lock-timeout
-- quiet: drop-constraint
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
DROP TABLE orders;

-- case: dropped in one transaction, added back in the next: unenforced in between
-- expect: add-foreign-key drop-constraint require-lock-timeout require-lock-timeout
BEGIN;
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
COMMIT;
BEGIN;
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
COMMIT;
