-- Risk that knows the data: the same statement is low on an empty or small table and higher on
-- a large one; failure predictions give exact counts; a CASCADE lists what it would take; every
-- data check is bounded by rows and time.
\set VERBOSITY terse
SET migration_guard.mode = 'audit';  -- this test only classifies
CREATE TABLE dr_accounts (id bigint PRIMARY KEY, email text, plan text, signup_code text, credit bigint);
INSERT INTO dr_accounts
SELECT g,
       CASE WHEN g % 100 = 0 THEN NULL ELSE 'user' || (g % 19000) || '@example.com' END,
       CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'free' END,
       CASE WHEN g % 5000 = 0 THEN 'promo-' || g ELSE g::text END,
       CASE WHEN g = 77 THEN 9000000000 ELSE g END
FROM generate_series(1, 20000) g;
CREATE TABLE dr_payments (id bigint PRIMARY KEY, account_id bigint, amount numeric(10,2));
INSERT INTO dr_payments SELECT g, CASE WHEN g % 1000 = 0 THEN 900000 + g ELSE 1 + g % 20000 END, g % 500
FROM generate_series(1, 30000) g;
CREATE TABLE dr_empty_accounts (LIKE dr_accounts INCLUDING ALL);
ANALYZE dr_accounts, dr_payments, dr_empty_accounts;

-- Thresholds lowered for the test: 1,000 rows is "medium", 10,000 "high".
SET migration_guard.medium_table_rows = 1000;
SET migration_guard.high_table_rows = 10000;
CREATE FUNCTION dr_risk_of(sql text, the_rule text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(risk::text, ',') FROM migration_guard.classify(sql) WHERE rule = the_rule
$$;
SELECT stmt, dr_risk_of(replace(stmt, '%t', 'dr_empty_accounts'), rule) AS on_empty,
             dr_risk_of(replace(stmt, '%t', 'dr_accounts'), rule) AS on_20000_rows
FROM (VALUES
    ('CREATE INDEX ON %t (plan)', 'create-index-blocking'),
    ('ALTER TABLE %t ALTER COLUMN plan SET NOT NULL', 'set-not-null'),
    ('ALTER TABLE %t ADD COLUMN token uuid DEFAULT gen_random_uuid()', 'add-column-volatile-default'),
    ('ALTER TABLE %t ALTER COLUMN id TYPE numeric', 'change-column-type'),
    ('ALTER TABLE %t SET UNLOGGED', 'set-unlogged'),
    ('VACUUM FULL %t', 'vacuum-full'),
    ('ALTER TABLE %t ADD CONSTRAINT plan_known CHECK (plan IN (''pro'', ''free''))', 'add-check-constraint'),
    ('ALTER TABLE %t ADD COLUMN region text NOT NULL', 'add-not-null-column')
) AS s(stmt, rule);
RESET migration_guard.medium_table_rows;
RESET migration_guard.high_table_rows;

-- Failure predictions, each with its exact count.
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN email SET NOT NULL') WHERE rule = 'set-not-null';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN plan SET NOT NULL') WHERE rule = 'set-not-null';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_payments ADD FOREIGN KEY (account_id) REFERENCES dr_accounts') WHERE rule = 'add-foreign-key';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)') WHERE rule = 'add-unique-constraint';
SELECT rule, risk, message FROM migration_guard.classify('CREATE UNIQUE INDEX ON dr_accounts (email)') WHERE rule = 'create-index-blocking';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ADD PRIMARY KEY (email)') WHERE rule = 'add-unique-constraint';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN credit TYPE integer') WHERE rule = 'change-column-type';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN signup_code TYPE bigint USING signup_code::bigint') WHERE rule = 'change-column-type';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN signup_code TYPE bigint') WHERE rule = 'change-column-type';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_accounts ADD COLUMN region text NOT NULL') WHERE rule = 'add-not-null-column';
SELECT rule, risk, message FROM migration_guard.classify('ALTER TABLE dr_empty_accounts ADD COLUMN region text NOT NULL') WHERE rule = 'add-not-null-column';

-- A conversion every value survives, but with its value changed (rounded), stays critical.
CREATE TABLE dr_prices (id bigint PRIMARY KEY, price numeric(10,2));
INSERT INTO dr_prices SELECT g, g + 0.25 FROM generate_series(1, 100) g;
ANALYZE dr_prices;
SELECT risk, message FROM migration_guard.classify('ALTER TABLE dr_prices ALTER COLUMN price TYPE numeric(10,0)') WHERE rule = 'change-column-type';
SELECT risk, message FROM migration_guard.classify('ALTER TABLE dr_prices ALTER COLUMN id TYPE numeric') WHERE rule = 'change-column-type';
-- SET UNLOGGED loses durability whatever the size.
SELECT risk FROM migration_guard.classify('ALTER TABLE dr_prices SET UNLOGGED') WHERE rule = 'set-unlogged';

-- Partitioned tables: their partitions hold the rows, and the checks read them all.
CREATE TABLE dr_events (id bigint, at date NOT NULL, note text) PARTITION BY RANGE (at);
CREATE TABLE dr_events_2025 PARTITION OF dr_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE dr_events_2026 PARTITION OF dr_events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO dr_events SELECT g, DATE '2025-01-01' + (g % 700), CASE WHEN g % 50 = 0 THEN NULL ELSE 'n' END
FROM generate_series(1, 5000) g;
ANALYZE dr_events_2025, dr_events_2026;
SELECT risk, message FROM migration_guard.classify('ALTER TABLE dr_events ALTER COLUMN note SET NOT NULL') WHERE rule = 'set-not-null';

-- What is at stake: rows and bytes, and everything a CASCADE would take, before it runs.
CREATE VIEW dr_pro_accounts AS SELECT * FROM dr_accounts WHERE plan = 'pro';
CREATE VIEW dr_pro_emails AS SELECT email FROM dr_pro_accounts;
CREATE TABLE dr_invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES dr_accounts);
SELECT rule, object, risk FROM migration_guard.classify_verbose('DROP TABLE dr_accounts CASCADE') WHERE rule IS NOT NULL ORDER BY rule, object;
SELECT message FROM migration_guard.classify('DROP TABLE dr_accounts CASCADE') WHERE rule = 'drop-cascade';
SELECT message FROM migration_guard.classify('ALTER TABLE dr_accounts DROP COLUMN email CASCADE') WHERE rule = 'drop-cascade';
CREATE SCHEMA dr_reporting;
CREATE TABLE dr_reporting.daily (day date PRIMARY KEY, total numeric);
CREATE VIEW dr_reporting.weekly AS SELECT date_trunc('week', day) AS week, sum(total) FROM dr_reporting.daily GROUP BY 1;
SELECT rule, object FROM migration_guard.classify_verbose('DROP SCHEMA dr_reporting CASCADE') WHERE rule IS NOT NULL ORDER BY rule, object;
SELECT message FROM migration_guard.classify('DROP SCHEMA dr_reporting CASCADE') WHERE rule = 'drop-cascade';
SELECT rule, message ~ '~20,000 rows' AS rows_named FROM migration_guard.classify('TRUNCATE dr_accounts') WHERE rule = 'truncate';

-- The caps: at most check_rows rows and check_timeout per check; an early stop says "at least".
SET migration_guard.check_rows = 500;
SELECT message FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN email SET NOT NULL') WHERE rule = 'set-not-null';
RESET migration_guard.check_rows;
SET migration_guard.check_timeout = 1;
CREATE TABLE dr_slow_check AS SELECT g AS id, CASE WHEN g % 7 = 0 THEN NULL ELSE g END AS v FROM generate_series(1, 2000000) g;
ANALYZE dr_slow_check;
SELECT risk, message ~ 'the check stopped at its time limit' AS stopped_early
FROM migration_guard.classify('ALTER TABLE dr_slow_check ALTER COLUMN v SET NOT NULL') WHERE rule = 'set-not-null';
RESET migration_guard.check_timeout;
-- Data checks can be switched off: risks then come from sizes alone.
SET migration_guard.data_checks = off;
SELECT rule, risk, message ~ 'have NULL' AS counted FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN email SET NOT NULL') WHERE rule = 'set-not-null';
RESET migration_guard.data_checks;
-- They only read: no lock above ACCESS SHARE, nothing changed.
BEGIN;
SELECT count(*) > 0 AS classified FROM migration_guard.classify('ALTER TABLE dr_accounts ALTER COLUMN email SET NOT NULL; ALTER TABLE dr_payments ADD FOREIGN KEY (account_id) REFERENCES dr_accounts; ALTER TABLE dr_accounts ADD UNIQUE (email); ALTER TABLE dr_accounts ALTER COLUMN credit TYPE integer');
SELECT count(*) AS stronger_locks FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND mode <> 'AccessShareLock'
  AND relation IN ('dr_accounts'::regclass, 'dr_payments'::regclass);
COMMIT;
