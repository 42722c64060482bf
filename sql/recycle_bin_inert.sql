-- What the recycle bin keeps is inert (preloaded, keep on): a kept table holds no type, domain,
-- collation, function, role, tablespace or other table of the live schema hostage, no cascade
-- reaches it, nobody but the guard reads it, and a restore runs the owner's code as the owner.
-- Attacks come from an ordinary owner (a migration tool's or an agent's role) and a member of it.
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT migration_guard.purge_kept('0 s') >= 0 AS bin_emptied;
CREATE ROLE ri_owner LOGIN;
CREATE ROLE ri_reader LOGIN;
CREATE ROLE ri_approver LOGIN IN ROLE migration_guard_approver;
CREATE SCHEMA ri AUTHORIZATION ri_owner;
GRANT USAGE ON SCHEMA ri TO ri_reader;
CREATE FUNCTION ri_approve(rules text[], objects text[]) RETURNS text LANGUAGE sql AS $$
    SELECT migration_guard.approve(rules, objects, 'inert bin test', for_role => session_user)
$$;
-- Catalog rows of kept tables that point at nothing (what oidjoins checks).
CREATE FUNCTION ri_dangling() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'migration_guard_kept'::regnamespace AND NOT a.attisdropped
      AND (NOT EXISTS (SELECT FROM pg_type t WHERE t.oid = a.atttypid)
           OR (a.attcollation <> 0 AND NOT EXISTS (SELECT FROM pg_collation l WHERE l.oid = a.attcollation)))
$$;
-- What the kept tables still depend on outside themselves and PostgreSQL's own objects.
CREATE FUNCTION ri_live_links() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0)
    FROM pg_depend d
    WHERE d.refobjid >= 16384 AND d.deptype <> 'e'
      AND (d.classid, d.objid) IN (
          SELECT 'pg_class'::regclass, c.oid FROM pg_class c WHERE c.relnamespace = 'migration_guard_kept'::regnamespace
          UNION ALL SELECT 'pg_constraint'::regclass, k.oid FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                    WHERE c.relnamespace = 'migration_guard_kept'::regnamespace
          UNION ALL SELECT 'pg_attrdef'::regclass, a.oid FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid
                    WHERE c.relnamespace = 'migration_guard_kept'::regnamespace)
      AND d.refobjid <> 'migration_guard_kept'::regnamespace
      AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
                      AND c.relnamespace = 'migration_guard_kept'::regnamespace)
      AND NOT EXISTS (SELECT FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                      WHERE k.oid = d.refobjid AND d.refclassid = 'pg_constraint'::regclass
                      AND c.relnamespace = 'migration_guard_kept'::regnamespace)
    UNION ALL
    SELECT DISTINCT 'role ' || r.rolname FROM pg_shdepend s JOIN pg_roles r ON r.oid = s.refobjid
    JOIN pg_class c ON s.classid = 'pg_class'::regclass AND c.oid = s.objid
    WHERE c.relnamespace = 'migration_guard_kept'::regnamespace AND s.deptype <> 'o'
    ORDER BY 1
$$;

SET ROLE ri_owner;
SET search_path = ri;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE COLLATION ri_c (locale = 'C');
CREATE FUNCTION ri_nonneg(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 >= 0';
CREATE FUNCTION ri_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TYPE shape_t AS (id int, label text);
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT generate_series(1, 10);
CREATE TABLE hostage (
    id int PRIMARY KEY,
    feeling mood NOT NULL DEFAULT 'ok',
    qty positive,
    label text COLLATE ri_c,
    parent_id int REFERENCES parent,
    n int CHECK (ri_nonneg(n)));
INSERT INTO hostage SELECT g, (ARRAY['sad','ok','happy'])[g % 3 + 1]::mood, g, 'label ' || g, g % 10 + 1, g
FROM generate_series(1, 200) g;
CREATE INDEX hostage_label_idx ON hostage (label);
CREATE INDEX hostage_expr_idx ON hostage (ri_nonneg(n));
CREATE TRIGGER hostage_touch BEFORE UPDATE ON hostage FOR EACH ROW EXECUTE FUNCTION ri_touch();
CREATE RULE hostage_log AS ON DELETE TO hostage DO ALSO NOTIFY hostage_gone;
ALTER TABLE hostage ENABLE ROW LEVEL SECURITY;
CREATE POLICY hostage_read ON hostage FOR SELECT TO ri_reader USING (true);
CREATE STATISTICS hostage_stats ON id, n FROM hostage;
GRANT SELECT ON hostage TO ri_reader;
GRANT UPDATE (label) ON hostage TO ri_reader;
-- A typed table: DROP TYPE ... CASCADE used to reach the kept table and take the extension.
CREATE TABLE typed OF shape_t;
INSERT INTO typed SELECT g, 'typed ' || g FROM generate_series(1, 50) g;
RESET ROLE;
RESET search_path;
ANALYZE ri.hostage, ri.typed;
CREATE TEMP TABLE before AS
SELECT id, feeling::text, qty::int, label::text COLLATE "default" AS label, parent_id, n FROM ri.hostage;

-- The approved drops: kept.
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.hostage', 'ri.typed']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.hostage, ri.typed;
RESET migration_guard.approval;
RESET ROLE;
SELECT kind, object_identity FROM migration_guard.kept ORDER BY object_identity;
-- Nothing of the live schema is held: no dependency, no grant, no policy role.
SELECT * FROM ri_live_links();

-- Attack: the grantee keeps reading the dropped table (PII) from the bin. Refused.
SELECT kept_as AS kept_hostage FROM migration_guard.kept WHERE object_identity = 'ri.hostage' \gset
SET ROLE ri_reader;
\set VERBOSITY sqlstate
SELECT count(*) FROM :kept_hostage;
\set VERBOSITY terse
RESET ROLE;
SELECT has_schema_privilege('public', 'migration_guard_kept', 'USAGE') AS public_usage,
       has_schema_privilege('ri_owner', 'migration_guard_kept', 'USAGE') AS owner_usage;

-- The live schema moves on as if the tables were gone: plain drops (no CASCADE) of what they used.
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.parent']) AS token \gset
SET ROLE ri_owner;
SET search_path = ri;
DROP FUNCTION ri_touch();
DROP FUNCTION ri_nonneg(int);
DROP COLLATION ri_c;
SET migration_guard.approval = :'token';
DROP TABLE parent;
RESET migration_guard.approval;
RESET ROLE;
RESET search_path;
-- A statistics object of the kept table's old name: the name is free.
SET ROLE ri_owner;
CREATE TABLE ri.other (id int, n int);
CREATE STATISTICS ri.hostage_stats ON id, n FROM ri.other;
RESET ROLE;
-- The role the policy and the grants named can be dropped.
SELECT migration_guard.approve(ARRAY['drop-owned', 'drop-role'], ARRAY['ri_reader'], 'inert bin test', uses => 2,
                               for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
DROP OWNED BY ri_reader;
DROP ROLE ri_reader;
RESET migration_guard.approval;
-- Attack: DROP TYPE ... CASCADE of the typed table's type, with the approval the block message
-- suggests. It reaches nothing of the guard: the extension, its audit log and the bin stay.
SELECT ri_approve(ARRAY['drop-type', 'drop-cascade'], ARRAY['ri.shape_t']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TYPE ri.shape_t CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT extname FROM pg_extension WHERE extname = 'migration_guard';
SELECT count(*) AS kept_items FROM migration_guard.kept;
-- No catalog row of a kept table points at a dropped type or collation.
SELECT ri_dangling() AS dangling;

-- Restore as the approver: the table comes back with its rows; what was dropped since is
-- reported and the column stays text; what still exists comes back by oid.
SET ROLE ri_approver;
SELECT migration_guard.restore(id) AS restored FROM migration_guard.kept WHERE object_identity = 'ri.hostage';
RESET ROLE;
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull FROM pg_attribute
WHERE attrelid = 'ri.hostage'::regclass AND attnum > 0 ORDER BY attnum;
SELECT (SELECT count(*) FROM ri.hostage h JOIN before b USING (id)
        WHERE h.feeling::text = b.feeling AND h.qty = b.qty AND h.label = b.label AND h.n = b.n) AS same_rows,
       (SELECT count(*) FROM before) AS rows_before;
SELECT relowner::regrole AS owner, relrowsecurity, relnamespace::regnamespace AS schema FROM pg_class WHERE oid = 'ri.hostage'::regclass;
SELECT polname FROM pg_policy WHERE polrelid = 'ri.hostage'::regclass;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'ri.hostage'::regclass AND NOT tgisinternal;
SELECT rulename FROM pg_rules WHERE tablename = 'hostage';
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'ri.hostage'::regclass ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ri.hostage'::regclass ORDER BY 1;

-- Restore of a kept column whose domain CHECK calls the owner's function: it runs as the owner,
-- never as the guard (before, the migrator became a superuser when an approver restored).
SET ROLE ri_owner;
CREATE FUNCTION ri.sneaky(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE ri_owner SUPERUSER';
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN ri.checked AS int CHECK (ri.sneaky(VALUE)) DEFAULT 1;
CREATE TABLE ri.accounts (id int PRIMARY KEY, score ri.checked);
INSERT INTO ri.accounts SELECT g, g FROM generate_series(1, 100) g;
RESET ROLE;
ANALYZE ri.accounts;
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.accounts.score']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.accounts DROP COLUMN score;
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM ri_live_links();
SET ROLE ri_approver;
SELECT migration_guard.restore(id) AS restored FROM migration_guard.kept WHERE object_identity = 'ri.accounts.score';
RESET ROLE;
SELECT rolsuper AS owner_became_superuser FROM pg_roles WHERE rolname = 'ri_owner';
SELECT count(*) AS values_back FROM ri.accounts WHERE score = id;

-- Attack: after the drop, the domain is renamed and another of its name planted. The restore
-- resolves the type by the oid it recorded: it refuses, and the values stay in the bin.
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.accounts.score']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.accounts DROP COLUMN score;
RESET migration_guard.approval;
ALTER DOMAIN ri.checked RENAME TO checked_old;
CREATE DOMAIN ri.checked AS int CHECK (ri.sneaky(VALUE));
RESET ROLE;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) AS restored FROM migration_guard.kept WHERE object_identity = 'ri.accounts.score';
RESET ROLE;
-- The original (renamed) type still exists, so it is the one the values return to.
SELECT format_type(atttypid, atttypmod) AS restored_type FROM pg_attribute
WHERE attrelid = 'ri.accounts'::regclass AND attname = 'score';
-- Dropped and replaced: the restore refuses and says where the values are.
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.accounts.score']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.accounts DROP COLUMN score;
RESET migration_guard.approval;
RESET ROLE;
SELECT ri_approve(ARRAY['drop-type'], ARRAY['ri.checked_old']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP DOMAIN ri.checked_old;
RESET migration_guard.approval;
ALTER DOMAIN ri.checked RENAME TO checked_old;
RESET ROLE;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) AS restored FROM migration_guard.kept WHERE object_identity = 'ri.accounts.score';
RESET ROLE;
SELECT rolsuper AS owner_became_superuser FROM pg_roles WHERE rolname = 'ri_owner';

-- Rows kept by TRUNCATE hold their enum values as text and come back as the enum.
SET ROLE ri_owner;
CREATE TABLE ri.events (id int, feeling ri.mood);
INSERT INTO ri.events SELECT g, 'happy' FROM generate_series(1, 100) g;
RESET ROLE;
ANALYZE ri.events;
SELECT ri_approve(ARRAY['truncate'], ARRAY['ri.events']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
TRUNCATE ri.events;
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM ri_live_links();
SET ROLE ri_approver;
SELECT migration_guard.restore(id) AS restored FROM migration_guard.kept WHERE object_identity = 'ri.events';
RESET ROLE;
SELECT count(*) AS happy_back FROM ri.events WHERE feeling = 'happy';

-- A table the transaction merely touched is not new: the commonest ORM migration (ADD COLUMN, then
-- an approved DROP COLUMN of the same table, in one transaction) keeps the values, and so does a
-- REVOKE before an approved DROP TABLE. approve_migration() over the whole text covers it.
SET ROLE ri_owner;
CREATE TABLE ri.legacy (id int PRIMARY KEY, old_note text);
INSERT INTO ri.legacy SELECT g, 'note ' || g FROM generate_series(1, 100) g;
GRANT SELECT ON ri.legacy TO PUBLIC;
RESET ROLE;
ANALYZE ri.legacy;
SELECT migration_guard.approve_migration($m$
    ALTER TABLE ri.legacy ADD COLUMN new_note text;
    ALTER TABLE ri.legacy DROP COLUMN old_note;
$m$, 'orm migration', for_role => session_user) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
BEGIN;
ALTER TABLE ri.legacy ADD COLUMN new_note text;
ALTER TABLE ri.legacy DROP COLUMN old_note;
COMMIT;
RESET migration_guard.approval;
RESET ROLE;
SELECT kind, object_identity, row_count FROM migration_guard.kept WHERE object_identity LIKE 'ri.legacy%';
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.legacy']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
BEGIN;
REVOKE ALL ON ri.legacy FROM PUBLIC;
DROP TABLE ri.legacy;
COMMIT;
RESET migration_guard.approval;
RESET ROLE;
SELECT kind, object_identity, row_count FROM migration_guard.kept WHERE object_identity LIKE 'ri.legacy%' ORDER BY kind;

-- A total cap on the bin (migration_guard.keep_total_max_size): the oldest items go first, each
-- on record; the items the running statement keeps stay.
SELECT migration_guard.purge_kept('0 s') >= 0 AS emptied;
SET ROLE ri_owner;
CREATE TABLE ri.cap1 AS SELECT g AS id, repeat('x', 40) AS filler FROM generate_series(1, 60000) g;
CREATE TABLE ri.cap2 AS SELECT * FROM ri.cap1;
CREATE TABLE ri.cap3 AS SELECT * FROM ri.cap1;
RESET ROLE;
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.cap1', 'ri.cap2', 'ri.cap3']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.cap1;
RESET ROLE;
-- Room for two of the three (their size depends on the major: 16+ extends bulk loads by more
-- than a page at a time); the setting counts in MB.
SELECT (size_bytes * 5 / 2 / 1048576) || 'MB' AS cap FROM migration_guard.kept WHERE object_identity = 'ri.cap1' \gset
SET migration_guard.keep_total_max_size = :'cap';
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.cap2', 'ri.cap3']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.cap2;
RESET ROLE;
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.cap3']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.cap3;
RESET migration_guard.approval;
RESET ROLE;
RESET migration_guard.keep_total_max_size;
SELECT object_identity FROM migration_guard.kept ORDER BY object_identity;
SELECT object_identity, statement LIKE '%keep_total_max_size%' AS says_why FROM migration_guard.audit_log
WHERE command_tag = 'PURGE KEPT' AND object_identity LIKE 'ri.cap%' ORDER BY id;

-- Attack: statistics understate a column (analyzed while it was small); keep_max_size is enforced
-- on what the copy measures, and an approval naming not-kept is what lets the drop through unkept.
SET ROLE ri_owner;
CREATE TABLE ri.notes (id int PRIMARY KEY, body text);
INSERT INTO ri.notes VALUES (0, 'x');
RESET ROLE;
ANALYZE ri.notes;
SET ROLE ri_owner;
INSERT INTO ri.notes SELECT g, (SELECT string_agg(md5(g::text || h::text), '') FROM generate_series(1, 1000) h)
FROM generate_series(1, 100) g;
RESET ROLE;
SELECT migration_guard.approve(ARRAY['weaken-guard'], ARRAY['migration_guard.keep_max_size'], 'test', uses => 2,
                               for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
SET migration_guard.keep_max_size = '1MB';
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.notes.body']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.notes DROP COLUMN body;
RESET migration_guard.approval;
RESET ROLE;
SELECT count(*) AS values_still_there FROM ri.notes WHERE body IS NOT NULL;
SELECT ri_approve(ARRAY['drop-column', 'not-kept'], ARRAY['ri.notes.body']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.notes DROP COLUMN body;
RESET migration_guard.approval;
RESET ROLE;
SELECT migration_guard.approve(ARRAY['weaken-guard'], ARRAY['migration_guard.keep_max_size'], 'test',
                               for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
RESET migration_guard.keep_max_size;
RESET migration_guard.approval;
SELECT count(*) AS kept_body FROM migration_guard.kept WHERE object_identity = 'ri.notes.body';

-- Review attacks.
-- A table in a publication with a column list and row filter is kept, and comes back with them
-- (not publishing more than before); a view comes back with its security options and grants.
SET ROLE ri_owner;
CREATE TABLE ri.pii (id int PRIMARY KEY, email text, ssn text);
INSERT INTO ri.pii SELECT g, 'e' || g, 's' || g FROM generate_series(1, 200) g;
CREATE VIEW ri.pii_v WITH (security_invoker = true, security_barrier = true) AS SELECT id, email FROM ri.pii;
RESET ROLE;
CREATE ROLE ri_viewer;
GRANT SELECT ON ri.pii_v TO ri_viewer;
SET client_min_messages = error;
CREATE PUBLICATION ri_pub FOR TABLE ri.pii (id, email) WHERE (id > 100);
SET client_min_messages = warning;
ANALYZE ri.pii;
SELECT ri_approve(ARRAY['drop-table', 'drop-cascade'], ARRAY['ri.pii']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.pii CASCADE;
RESET migration_guard.approval;
RESET ROLE;
SELECT kind, object_identity FROM migration_guard.kept WHERE object_identity = 'ri.pii';
SET ROLE ri_approver;
SELECT migration_guard.restore(id) IS NOT NULL AS restored FROM migration_guard.kept WHERE object_identity = 'ri.pii';
RESET ROLE;
SELECT array_to_string(attnames, ',') || ' where ' || rowfilter AS published FROM pg_publication_tables WHERE pubname = 'ri_pub';
SELECT reloptions, has_table_privilege('ri_viewer', 'ri.pii_v', 'SELECT') AS viewer_reads FROM pg_class WHERE oid = 'ri.pii_v'::regclass;
DROP PUBLICATION ri_pub;

-- A restore runs nothing as the approver: once the table's owner role is gone it is refused.
CREATE ROLE ri_leaver;
GRANT USAGE, CREATE ON SCHEMA ri TO ri_leaver;
SET ROLE ri_leaver;
CREATE TABLE ri.legacy3 (id int PRIMARY KEY, n int);
INSERT INTO ri.legacy3 SELECT g, g FROM generate_series(1, 50) g;
RESET ROLE;
ANALYZE ri.legacy3;
SELECT migration_guard.approve(ARRAY['drop-owned', 'drop-table', 'drop-role'], ARRAY['ri_leaver', 'ri.legacy3'], 'leaving',
                               uses => 2, for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
DROP OWNED BY ri_leaver;
DROP ROLE ri_leaver;
RESET migration_guard.approval;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'ri.legacy3';
RESET ROLE;

-- An owner without CREATE on its table's schema: the restore lends it CREATE only to build what
-- runs no code of anybody's; its CHECK cannot use it to plant objects there.
CREATE SCHEMA ri_secure;
GRANT USAGE ON SCHEMA ri_secure TO ri_owner;
CREATE FUNCTION ri.plant(int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE 'CREATE FUNCTION ri_secure.planted() RETURNS int LANGUAGE sql AS $f$SELECT 1$f$';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RETURN true;
END $$;
ALTER FUNCTION ri.plant(int) OWNER TO ri_owner;
CREATE TABLE ri_secure.t (id int PRIMARY KEY, n int CHECK (ri.plant(n)));
ALTER TABLE ri_secure.t OWNER TO ri_owner;
SET ROLE ri_owner;
INSERT INTO ri_secure.t SELECT g, g FROM generate_series(1, 50) g;
RESET ROLE;
ANALYZE ri_secure.t;
SELECT nspacl::text AS acl_before FROM pg_namespace WHERE nspname = 'ri_secure' \gset
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri_secure.t']) AS token \gset
SET migration_guard.approval = :'token';
DROP TABLE ri_secure.t;
RESET migration_guard.approval;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'ri_secure.t';
RESET ROLE;
SELECT to_regprocedure('ri_secure.planted()') IS NULL AS nothing_planted, count(*) AS rows_back,
       (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'ri_secure') = :'acl_before' AS schema_acl_as_before
FROM ri_secure.t;
SELECT conname FROM pg_constraint WHERE conrelid = 'ri_secure.t'::regclass ORDER BY 1;

-- A column without a key comes back by row identity: a row put later into a freed slot does not
-- get a deleted row's value.
SET ROLE ri_owner;
CREATE TABLE ri.nokey (name text, salary int);
INSERT INTO ri.nokey VALUES ('alice', 100), ('bob', 200);
RESET ROLE;
ANALYZE ri.nokey;
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.nokey.salary']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.nokey DROP COLUMN salary;
RESET migration_guard.approval;
DELETE FROM ri.nokey WHERE name = 'alice';
RESET ROLE;
VACUUM ri.nokey;
SET ROLE ri_owner;
INSERT INTO ri.nokey VALUES ('mallory');
RESET ROLE;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) IS NOT NULL AS restored FROM migration_guard.kept WHERE object_identity = 'ri.nokey.salary';
RESET ROLE;
SELECT name, salary FROM ri.nokey ORDER BY name;

-- A column named to split the generated SQL comes back as a column of that name, nothing else.
SET ROLE ri_owner;
CREATE TABLE ri.named (id int PRIMARY KEY, "a TYPE int; CREATE TABLE ri.injected(); --" text);
INSERT INTO ri.named SELECT g, 'v' || g FROM generate_series(1, 20) g;
RESET ROLE;
ANALYZE ri.named;
SELECT ri_approve(ARRAY['drop-column'], ARRAY['ri.named.a TYPE int; CREATE TABLE ri.injected(); --']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
ALTER TABLE ri.named DROP COLUMN "a TYPE int; CREATE TABLE ri.injected(); --";
RESET migration_guard.approval;
RESET ROLE;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) IS NOT NULL AS restored FROM migration_guard.kept WHERE object_identity LIKE 'ri.named.%';
RESET ROLE;
SELECT to_regclass('ri.injected') IS NULL AS nothing_injected,
       (SELECT count(*) FROM pg_attribute WHERE attrelid = 'ri.named'::regclass AND attname LIKE 'a TYPE%') AS column_back;

-- A column of an information_schema type (initdb's, but droppable) is kept as text: the bin holds
-- no link to that schema.
SET ROLE ri_owner;
CREATE TABLE ri.isch (id int, n information_schema.cardinal_number);
INSERT INTO ri.isch VALUES (1, 5);
RESET ROLE;
ANALYZE ri.isch;
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.isch']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.isch;
RESET migration_guard.approval;
RESET ROLE;
SELECT * FROM ri_live_links();

-- An item kept by 0.1.0 (the table itself, moved aside) is never dropped by a restore: refused,
-- with where the table is.
CREATE TABLE ri.moved_by_010 (id int);
INSERT INTO ri.moved_by_010 VALUES (1);
INSERT INTO migration_guard.kept_item (kind, object_identity, kept_relid, kept_name, kept_by, keep_until, size_bytes,
                                       schema_name, table_name, table_owner)
VALUES ('table', 'ri.old_table', 'ri.moved_by_010'::regclass, 'k_old', current_user, now() + interval '1 day', 0,
        'ri', 'old_table', 'ri_owner'::regrole);
SET ROLE ri_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'ri.old_table';
RESET ROLE;
SELECT count(*) AS still_there FROM ri.moved_by_010;
DELETE FROM migration_guard.kept_item WHERE object_identity = 'ri.old_table';

-- pg_upgrade restores each kept copy and then runs ALTER EXTENSION ADD for it, which (17+, and
-- older minors with the fix) makes the copy's row type and its array type members too. Ending
-- such an item (restore, purge) must never cascade into the extension itself: on 18 it took the
-- audit log, approvals and the rest of the bin with it. Done here as pg_upgrade does it.
SET ROLE ri_owner;
CREATE TABLE ri.upgraded1 AS SELECT g AS id FROM generate_series(1, 20) g;
CREATE TABLE ri.upgraded2 AS SELECT g AS id FROM generate_series(1, 20) g;
RESET ROLE;
SELECT ri_approve(ARRAY['drop-table'], ARRAY['ri.upgraded1', 'ri.upgraded2']) AS token \gset
SET ROLE ri_owner;
SET migration_guard.approval = :'token';
DROP TABLE ri.upgraded1, ri.upgraded2;
RESET migration_guard.approval;
RESET ROLE;
DO $$
DECLARE k record;
BEGIN
    FOR k IN SELECT kept_as FROM migration_guard.kept WHERE object_identity LIKE 'ri.upgraded%' LOOP
        DELETE FROM pg_depend WHERE classid = 'pg_class'::regclass AND objid = k.kept_as::regclass
                                AND refclassid = 'pg_extension'::regclass AND deptype = 'e';
        EXECUTE format('ALTER EXTENSION migration_guard ADD MATERIALIZED VIEW %s', k.kept_as);
    END LOOP;
END $$;
SET ROLE ri_approver;
SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'ri.upgraded1';
RESET ROLE;
SELECT count(*) AS restored_rows FROM ri.upgraded1;
SELECT migration_guard.purge_kept('0 s') >= 1 AS purged;
SELECT count(*) AS guard_installed FROM pg_extension WHERE extname = 'migration_guard';
SELECT count(*) > 0 AS history_kept FROM migration_guard.audit_log WHERE object_identity LIKE 'ri.upgraded%';

SELECT migration_guard.purge_kept('0 s') >= 0 AS purged;
DROP TABLE before;
SELECT migration_guard.approve(ARRAY['*'], ARRAY['ri', 'ri.*', 'ri_secure', 'ri_secure.*', 'ri_owner', 'ri_approver', 'ri_viewer'], 'cleanup', uses => 4,
                               for_role => session_user) AS token \gset
SET migration_guard.approval = :'token';
SELECT set_config('migration_guard.keep', 'off', false) AS keep;
DROP SCHEMA ri CASCADE;
DROP SCHEMA ri_secure CASCADE;
DROP ROLE ri_owner, ri_approver, ri_viewer;
RESET migration_guard.approval;
DROP FUNCTION ri_approve(text[], text[]), ri_dangling(), ri_live_links();
