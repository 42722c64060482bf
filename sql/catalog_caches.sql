-- What the guard keeps per session instead of scanning catalogs per statement follows every
-- change: the schemas that use row level security (for table-without-rls) across commits,
-- rollbacks, drops, moves between schemas, and more changes at once than it tracks one by one.
SET migration_guard.rls_schemas = 'rls_cache';
SET migration_guard.mode = 'audit';  -- classify() judges; nothing here needs blocking
CREATE SCHEMA rls_cache;
CREATE TABLE rls_cache.a (id int);
CREATE FUNCTION pg_temp.without_rls() RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(max(risk::text), 'none') FROM migration_guard.classify('CREATE TABLE rls_cache.fresh (id int);')
    WHERE rule = 'table-without-rls' $$;
SELECT pg_temp.without_rls() AS no_table_uses_rls;
ALTER TABLE rls_cache.a ENABLE ROW LEVEL SECURITY;
SELECT pg_temp.without_rls() AS enabled;
ALTER TABLE rls_cache.a DISABLE ROW LEVEL SECURITY;
SELECT pg_temp.without_rls() AS disabled;

-- In a transaction, then rolled back.
BEGIN;
ALTER TABLE rls_cache.a ENABLE ROW LEVEL SECURITY;
SELECT pg_temp.without_rls() AS enabled_in_transaction;
ROLLBACK;
SELECT pg_temp.without_rls() AS rolled_back;

-- A table with RLS created, then dropped; one moved in from another schema, then out.
CREATE TABLE rls_cache.b (id int);
ALTER TABLE rls_cache.b ENABLE ROW LEVEL SECURITY;
SELECT pg_temp.without_rls() AS created;
DROP TABLE rls_cache.b;
SELECT pg_temp.without_rls() AS dropped;
CREATE TABLE public.rls_mover (id int);
ALTER TABLE public.rls_mover ENABLE ROW LEVEL SECURITY;
SELECT pg_temp.without_rls() AS elsewhere;
ALTER TABLE public.rls_mover SET SCHEMA rls_cache;
SELECT pg_temp.without_rls() AS moved_in;
ALTER TABLE rls_cache.rls_mover SET SCHEMA public;
SELECT pg_temp.without_rls() AS moved_out;

-- More relations changed between two look-ups than are tracked one by one: scanned again.
DO $$
BEGIN
    FOR i IN 1..1100 LOOP
        EXECUTE format('CREATE TABLE rls_cache_many_%s (id int)', i);
    END LOOP;
    ALTER TABLE rls_cache.a ENABLE ROW LEVEL SECURITY;
END $$;
SELECT pg_temp.without_rls() AS after_many_changes;

DO $$
BEGIN
    FOR i IN 1..1100 LOOP
        EXECUTE format('DROP TABLE rls_cache_many_%s', i);
    END LOOP;
END $$;
DROP TABLE public.rls_mover;
DROP SCHEMA rls_cache CASCADE;
RESET migration_guard.mode;
RESET migration_guard.rls_schemas;
