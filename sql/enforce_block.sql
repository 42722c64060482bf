-- Enforcement: after CREATE EXTENSION, risky schema changes are refused by default, whatever
-- runs them, and a refused statement leaves everything exactly as it was.
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name varchar(40), age int, referrer text);
INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'Customer ' || g, 20 + g % 50,
                             CASE WHEN g % 10 = 0 THEN NULL ELSE 'ref' || g END
FROM generate_series(1, 2000) g;
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, total numeric(10,2));
INSERT INTO invoices SELECT g, 1 + g % 2000, g FROM generate_series(1, 3000) g;
CREATE TABLE secrets (id bigint PRIMARY KEY, owner text);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
ANALYZE customers, invoices, secrets;

-- Without shared_preload_libraries: what the event triggers guard, and what needs the preload.
SELECT command, guarded, note FROM migration_guard.coverage();
SELECT migration_guard.preloaded();

-- The full message once: rule, risk, object, what is at stake; why; the safe path and the approval.
ALTER TABLE customers DROP COLUMN email;

\set VERBOSITY terse
-- Each critical rule, blocked by default.
DROP TABLE customers;
DROP TABLE invoices CASCADE;
ALTER TABLE customers ALTER COLUMN email TYPE varchar(12);
-- Replacing a foreign key by one that cascades changes what deleting a customer destroys...
ALTER TABLE invoices ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE invoices DROP CONSTRAINT invoices_customer_fk,
  ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers ON DELETE CASCADE NOT VALID;
-- ... a new one deletes nothing when it is added (a restore adds them all to full tables).
CREATE TABLE invoice_lines (invoice_id int);
ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_cascade FOREIGN KEY (invoice_id) REFERENCES invoices ON DELETE CASCADE NOT VALID;
SELECT conname, confdeltype FROM pg_constraint WHERE conrelid IN ('invoices'::regclass, 'invoice_lines'::regclass) AND contype = 'f' ORDER BY 1;
ALTER TABLE secrets DISABLE ROW LEVEL SECURITY;
ALTER TABLE secrets NO FORCE ROW LEVEL SECURITY;
CREATE SCHEMA archive;
CREATE TABLE archive.old_invoices (id bigint);
DROP SCHEMA archive CASCADE;
-- High rules are blocked too (block_at = high).
ALTER TABLE customers RENAME TO clients;
ALTER TABLE customers RENAME COLUMN name TO full_name;
ALTER TABLE customers ADD COLUMN tenant_id bigint NOT NULL;
ALTER TABLE customers ALTER COLUMN referrer SET NOT NULL;
ALTER TABLE invoices DISABLE TRIGGER ALL;

-- Everything is still there.
SELECT count(*) AS customers, count(email) AS emails FROM customers;
SELECT count(*) AS invoices FROM invoices;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'customers'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT relname, relrowsecurity FROM pg_class WHERE relname IN ('secrets', 'clients', 'customers') ORDER BY relname;
SELECT count(*) AS archive_tables FROM pg_tables WHERE schemaname = 'archive';

-- Below block_at, and purely additive changes, pass silently.
CREATE INDEX invoices_total_idx ON invoices (total);
ALTER TABLE customers ADD COLUMN nickname text;
ALTER TABLE invoices ADD CONSTRAINT invoices_total_positive CHECK (total > 0) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total_positive;
DROP INDEX invoices_total_idx;
CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text);
-- The data decides: a provable widening, a NULL-free column made NOT NULL, a type change every
-- value survives on a small table: all low, and they pass.
ALTER TABLE customers ALTER COLUMN name TYPE varchar(80);
ALTER TABLE customers ALTER COLUMN name SET NOT NULL;
ALTER TABLE customers ALTER COLUMN age TYPE bigint;
-- Tables created in the same transaction are new: nothing at stake yet.
BEGIN;
CREATE TABLE staging (id bigint, payload text);
ALTER TABLE staging ADD COLUMN batch int NOT NULL;
ALTER TABLE staging DROP COLUMN payload;
DROP TABLE staging;
COMMIT;

-- Inside an explicit transaction the whole transaction is rolled back, and the message says so.
\set VERBOSITY default
BEGIN;
ALTER TABLE customers ADD COLUMN loyalty int;
INSERT INTO customers (id, email, name) VALUES (999999, 'new@example.com', 'New');
DROP TABLE invoices;
COMMIT;
\set VERBOSITY terse
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attname = 'loyalty') AS loyalty_column;
SELECT count(*) AS inserted_rows FROM customers WHERE id = 999999;
