-- sql_drop: what a statement actually destroys is judged, cascades included. A table or a column
-- that disappears through CASCADE, DROP TYPE, DROP OWNED, DROP SCHEMA or DROP EXTENSION is
-- blocked like a direct DROP TABLE / DROP COLUMN unless approved.
\set VERBOSITY terse
SET migration_guard.block_at = 'critical';   -- the cascade rules themselves are critical anyway

CREATE SCHEMA shop;
CREATE TABLE shop.orders (id bigint PRIMARY KEY, total numeric);
INSERT INTO shop.orders SELECT g, g FROM generate_series(1, 50) g;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE diary (id bigint PRIMARY KEY, feeling mood, note text);
INSERT INTO diary VALUES (1, 'happy', 'a good day');

-- An approval for the schema alone does not cover the tables its CASCADE takes with it.
SELECT migration_guard.approve(ARRAY['drop-schema', 'drop-cascade'], ARRAY['shop'], 'retire the shop schema') AS token \gset
SET migration_guard.approval = :'token';
\set VERBOSITY default
DROP SCHEMA shop CASCADE;
\set VERBOSITY terse
SELECT count(*) AS orders_kept FROM shop.orders;
-- The use spent by the failed statement came back with its rollback.
SELECT uses_left, used_by FROM migration_guard.approvals WHERE reason = 'retire the shop schema';

-- One approval covering the schema and what it holds lets it through, spending one use.
SELECT migration_guard.approve(ARRAY['drop-schema', 'drop-cascade', 'drop-table'], ARRAY['shop', 'shop.*'],
                               'retire the shop schema, tables included') AS token \gset
SET migration_guard.approval = :'token';
DROP SCHEMA shop CASCADE;
SELECT count(*) AS shop_schemas FROM pg_namespace WHERE nspname = 'shop';
SELECT uses_left, jsonb_array_length(used_by) AS uses FROM migration_guard.approvals WHERE reason LIKE '%tables included';
RESET migration_guard.approval;

-- Below, each statement's own rules are approved, so what stops it is what it destroys.
-- DROP TYPE ... CASCADE drops every column of that type.
SELECT migration_guard.approve(ARRAY['drop-type', 'drop-cascade'], ARRAY['public.mood'], 'mood tracking is gone') AS token \gset
SET migration_guard.approval = :'token';
DROP TYPE mood CASCADE;
SELECT feeling FROM diary;

-- DROP OWNED drops the tables a role owns.
CREATE ROLE temp_owner NOLOGIN;
CREATE TABLE owned_by_temp (id bigint);
ALTER TABLE owned_by_temp OWNER TO temp_owner;
SELECT migration_guard.approve(ARRAY['drop-owned'], ARRAY['temp_owner'], 'temp_owner leaves') AS token \gset
SET migration_guard.approval = :'token';
DROP OWNED BY temp_owner;
SELECT count(*) AS still_there FROM pg_tables WHERE tablename = 'owned_by_temp';

-- DROP EXTENSION ... CASCADE drops columns whose type the extension defines.
CREATE EXTENSION citext;
CREATE TABLE handles (id bigint PRIMARY KEY, handle citext);
INSERT INTO handles VALUES (1, 'Alice');
SELECT migration_guard.approve(ARRAY['drop-cascade'], ARRAY['citext'], 'case-insensitive text no longer needed') AS token \gset
SET migration_guard.approval = :'token';
DROP EXTENSION citext CASCADE;
SELECT handle FROM handles;
RESET migration_guard.approval;
SET migration_guard.block_at = 'high';

-- A DROP TABLE ... CASCADE that only takes a view with it is judged once, as drop-table.
CREATE TABLE events (id bigint);
CREATE VIEW recent_events AS SELECT * FROM events;
SELECT migration_guard.approve(ARRAY['drop-table', 'drop-cascade'], ARRAY['public.events'], 'events move to a new service') AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE events CASCADE;
RESET migration_guard.approval;
SELECT count(*) AS events_tables FROM pg_tables WHERE tablename = 'events';

-- Temporary tables are nobody's data.
CREATE TEMP TABLE scratch (id bigint);
DROP TABLE scratch;

-- table_rewrite: a rewrite of a table above migration_guard.rewrite_threshold that no finding of
-- the statement foresaw is a finding of its own.
CREATE UNLOGGED TABLE clicks (id bigint, url text);
INSERT INTO clicks SELECT g, 'https://example.com/' || g FROM generate_series(1, 20000) g;
ANALYZE clicks;
SET migration_guard.rewrite_threshold = '64kB';
-- A column of a domain with a constraint makes PostgreSQL rewrite the table to check every row.
CREATE DOMAIN click_count AS int CHECK (VALUE >= 0);
ALTER TABLE clicks ADD COLUMN hits click_count;
SELECT count(*) AS has_hits FROM pg_attribute WHERE attrelid = 'clicks'::regclass AND attname = 'hits';
-- A rewrite the statement's own findings predicted is judged once, by those findings.
SET migration_guard.block_at = 'critical';
ALTER TABLE clicks ALTER COLUMN id TYPE numeric;
SET migration_guard.rewrite_threshold = '1GB';
ALTER TABLE clicks SET LOGGED;
RESET migration_guard.rewrite_threshold;
RESET migration_guard.block_at;
SELECT relpersistence, format_type(atttypid, atttypmod) FROM pg_class JOIN pg_attribute ON attrelid = pg_class.oid
WHERE relname = 'clicks' AND attname = 'id';

-- Roles are cluster-wide: leave none behind (the guard is off for this housekeeping only).
SET migration_guard.mode = 'off';
DROP OWNED BY temp_owner;
DROP ROLE temp_owner;
RESET migration_guard.mode;
