-- case: drop table on an existing table
-- expect: drop-table require-lock-timeout
-- risk: critical
DROP TABLE users;

-- case: drop table with lock_timeout set before it
-- expect: drop-table
SET lock_timeout = '5s';
DROP TABLE users;

-- case: drop table of a table created in the same migration
-- expect: none
CREATE TABLE app.scratch (id bigint);
DROP TABLE app.scratch;

-- case: drop table if exists with cascade
-- expect: drop-cascade drop-table require-lock-timeout
DROP TABLE IF EXISTS users CASCADE;

-- case: drop two tables in one statement
-- expect: drop-table drop-table require-lock-timeout
DROP TABLE public.invoices, public.payments;

-- case: drop schema
-- expect: drop-schema
-- risk: critical
DROP SCHEMA billing;

-- case: drop schema cascade
-- expect: drop-cascade drop-schema
DROP SCHEMA billing CASCADE;

-- case: drop a schema created in the same migration
-- expect: none
CREATE SCHEMA scratch;
DROP SCHEMA scratch;

-- case: drop database
-- expect: drop-database
-- risk: critical
DROP DATABASE shop;

-- case: drop owned
-- expect: drop-owned
DROP OWNED BY app_user;

-- case: drop owned cascade
-- expect: drop-cascade drop-owned
DROP OWNED BY app_user CASCADE;

-- case: reassign owned is not a drop
-- expect: none
REASSIGN OWNED BY app_user TO app_owner;

-- case: truncate
-- expect: require-lock-timeout truncate
-- risk: critical
TRUNCATE users;

-- case: truncate two tables with cascade
-- expect: require-lock-timeout truncate truncate
TRUNCATE TABLE orders, order_items CASCADE;

-- case: truncate a temporary table created in the same migration
-- expect: none
CREATE TEMP TABLE staging (id bigint);
TRUNCATE staging;

-- case: delete is data, not schema
-- expect: none
DELETE FROM sessions WHERE expires_at < now();

-- case: drop view
-- expect: drop-view
-- risk: medium
DROP VIEW active_users;

-- case: drop materialized view
-- expect: drop-view
DROP MATERIALIZED VIEW daily_stats;

-- case: drop a view created in the same migration
-- expect: none
CREATE VIEW app.v AS SELECT 1 AS one;
DROP VIEW app.v;

-- case: create or replace view is not a drop
-- expect: none
CREATE OR REPLACE VIEW active_users AS SELECT id, email FROM users WHERE active;

-- case: drop function
-- expect: drop-function
-- risk: medium
DROP FUNCTION calc_total(integer);

-- case: drop procedure
-- expect: drop-function
DROP PROCEDURE archive_orders();

-- case: drop a function created in the same migration
-- expect: none
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
DROP FUNCTION app.f();

-- case: drop trigger
-- expect: drop-trigger require-lock-timeout
DROP TRIGGER audit_users ON users;

-- case: drop trigger on a table created in the same migration
-- expect: none
CREATE TABLE app.t (id bigint);
CREATE TRIGGER t_audit AFTER INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.audit();
DROP TRIGGER t_audit ON app.t;

-- case: drop index
-- expect: drop-index require-lock-timeout
-- risk: medium
DROP INDEX users_email_idx;

-- case: drop index concurrently
-- expect: drop-index
DROP INDEX CONCURRENTLY users_email_idx;

-- case: drop index concurrently inside a transaction block
-- expect: concurrently-in-transaction drop-index
BEGIN;
DROP INDEX CONCURRENTLY users_email_idx;
COMMIT;

-- case: drop an index created in the same migration
-- expect: none
CREATE INDEX CONCURRENTLY users_tmp_idx ON users (created_at);
DROP INDEX CONCURRENTLY users_tmp_idx;

-- case: drop sequence
-- expect: drop-sequence
-- risk: high
DROP SEQUENCE order_number_seq;

-- case: drop type
-- expect: drop-type
-- risk: high
DROP TYPE mood;

-- case: drop domain
-- expect: drop-type
DROP DOMAIN email_address;

-- case: drop type cascade
-- expect: drop-cascade drop-type
DROP TYPE mood CASCADE;

-- case: drop a type created in the same migration
-- expect: none
CREATE TYPE app.mood AS ENUM ('ok', 'sad');
DROP TYPE app.mood;

-- case: drop extension cascade
-- expect: drop-cascade
DROP EXTENSION postgis CASCADE;

-- case: drop extension without cascade
-- expect: none
DROP EXTENSION pg_trgm;
