-- Modes and thresholds: enforce blocks at block_at, warn reports, audit is silent, off is off;
-- additive_only blocks every change that is not purely additive.
\set VERBOSITY terse
CREATE TABLE items (id bigint PRIMARY KEY, sku text, price numeric(10,2), legacy text);
INSERT INTO items SELECT g, 'sku' || g, g, 'x' FROM generate_series(1, 100) g;
ANALYZE items;
SHOW migration_guard.mode;
SHOW migration_guard.block_at;

-- warn: the statement runs; what enforce would block is a WARNING, other medium+ findings a NOTICE.
SET migration_guard.mode = 'warn';
ALTER TABLE items DROP COLUMN legacy;
ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (sku);
CREATE INDEX items_price_idx ON items (price);
SELECT count(*) AS legacy_columns FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'legacy' AND NOT attisdropped;

-- audit: nothing is shown, nothing is stopped.
SET migration_guard.mode = 'audit';
ALTER TABLE items RENAME COLUMN sku TO code;
-- off: the guard does nothing at all.
SET migration_guard.mode = 'off';
ALTER TABLE items RENAME COLUMN code TO sku;

-- enforce with a lower threshold blocks medium findings too.
SET migration_guard.mode = 'enforce';
SET migration_guard.block_at = 'medium';
ALTER TABLE items DROP CONSTRAINT items_sku_key;
ALTER TABLE items ADD CONSTRAINT items_price_positive CHECK (price > 0);
ALTER TABLE items ADD CONSTRAINT items_price_positive CHECK (price > 0) NOT VALID;
-- ... and a higher one lets high findings through.
SET migration_guard.block_at = 'critical';
ALTER TABLE items RENAME COLUMN price TO unit_price;
ALTER TABLE items DROP COLUMN unit_price;
RESET migration_guard.block_at;

-- additive_only: anything that is not purely additive is blocked, whatever its risk.
SET migration_guard.additive_only = on;
DROP INDEX items_price_idx;
ALTER TABLE items ALTER COLUMN sku DROP NOT NULL;
ALTER TABLE items RENAME CONSTRAINT items_price_positive TO items_price_check;
ALTER TABLE items ALTER COLUMN sku TYPE text;
ALTER TABLE items ADD COLUMN color text;
UPDATE items SET color = 'red' WHERE id = (SELECT min(id) FROM items);
CREATE INDEX CONCURRENTLY items_color_idx ON items (color);
CREATE TABLE item_tags (item_id bigint REFERENCES items, tag text);
SELECT rule FROM migration_guard.rules() WHERE NOT additive ORDER BY rule LIMIT 5;
RESET migration_guard.additive_only;

-- Settings per role and per database.
CREATE ROLE lenient_migrator LOGIN SUPERUSER;
ALTER ROLE lenient_migrator SET migration_guard.mode = 'warn';
SELECT rolname, setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE rolname = 'lenient_migrator';
\c - lenient_migrator
SHOW migration_guard.mode;
ALTER TABLE items DROP COLUMN color;
\c - postgres
-- Without shared_preload_libraries the settings exist once the library is loaded in a session.
LOAD 'migration_guard';
SHOW migration_guard.mode;
ALTER TABLE items DROP COLUMN sku;
DROP ROLE lenient_migrator;
