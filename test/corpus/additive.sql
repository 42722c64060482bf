-- case: purely additive migration
-- expect: require-lock-timeout
-- risk: low
CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE app.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX CONCURRENTLY accounts_created_idx ON app.accounts (created_at);
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE users ADD COLUMN score int DEFAULT 0;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;
CREATE VIEW app.active_accounts AS SELECT * FROM app.accounts;
CREATE SEQUENCE app.ticket_seq;
CREATE TYPE app.status AS ENUM ('new', 'done');
ALTER TYPE app.status ADD VALUE 'archived';
CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
COMMENT ON TABLE app.accounts IS 'customer accounts';
GRANT SELECT ON app.accounts TO reporting;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- case: new table in public with a foreign key and its index
-- expect: require-lock-timeout table-without-rls
-- risk: low
CREATE TABLE comments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), body text);
CREATE INDEX comments_user_idx ON comments (user_id);
