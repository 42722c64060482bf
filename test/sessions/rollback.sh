#!/usr/bin/env bash
# Compensating SQL and the recycle bin against a real throwaway server (preloaded): a migration of
# mixed statements, then its undo_script() applied, gives back the schema's pg_dump --schema-only
# exactly, and the data; what the recycle bin keeps survives a server restart. Prints "ok - ..."
# per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
d=$(mktemp -d /tmp/mg-rollback.XXXXXX)
work=$(mktemp -d)
chmod 755 "$work"  # the server reads the migration files (pg_read_file)
trap 'scripts/pg-temp.sh stop "$d"; rm -rf "$work"' EXIT
scripts/pg-temp.sh start "$d" 55435 "shared_preload_libraries = 'migration_guard'" "migration_guard.keep_purge_naptime = 1" >&2 || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
sql() { psql -X -q -v ON_ERROR_STOP=0 -d postgres "$@" 2>&1; }
# (\restrict lines carry a random key per dump.)
dump() { pg_dump -d postgres --schema-only -N migration_guard 2>&1 | grep -v '^--\|^$\|^\\restrict\|^\\unrestrict'; }
rows() { psql -X -At -d postgres -c "SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM $1 x"; }

sql -c "CREATE EXTENSION migration_guard" -c "CREATE ROLE migrator LOGIN" \
    -c "CREATE SCHEMA shop AUTHORIZATION migrator" >/dev/null
PGUSER=migrator sql <<'SQL' >/dev/null
CREATE TABLE shop.customers (id bigint PRIMARY KEY, email text NOT NULL, tier text DEFAULT 'basic',
                             score int CHECK (score >= 0), legacy text);
CREATE INDEX customers_email_idx ON shop.customers (email);
CREATE TABLE shop.audit_trail (id bigint PRIMARY KEY, customer_id bigint REFERENCES shop.customers, what text);
INSERT INTO shop.customers SELECT g, 'c' || g || '@example.com', 'basic', g, 'old ' || g FROM generate_series(1, 2000) g;
INSERT INTO shop.audit_trail SELECT g, g, 'signed up' FROM generate_series(1, 2000) g;
SQL
sql -c "ANALYZE" >/dev/null
if [ "$(psql -X -At -d postgres -c 'SHOW server_version_num')" -ge 180000 ]; then
  # 18 lists loaded modules with the name and version they declare (PG_MODULE_MAGIC_EXT).
  check "PostgreSQL 18 lists the module with its version" "^migration_guard\|$(sed -n 's/^default_version = .\(.*\).$/\1/p' migration_guard.control)$" \
    "$(psql -X -At -d postgres -c "SELECT module_name || '|' || version FROM pg_get_loaded_modules() WHERE module_name = 'migration_guard'")"
fi
dump >"$work/before.sql"
check "the schema dump holds the tables (the comparison below means something)" "CREATE TABLE shop.audit_trail" "$(cat "$work/before.sql")"
customers_before=$(rows shop.customers)
trail_before=$(rows shop.audit_trail)

# The migration: additive, renaming, loosening, tightening, and destructive statements.
cat >"$work/migration.sql" <<'SQL'
CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(10,2));
CREATE SEQUENCE shop.invoice_no;
CREATE VIEW shop.gold_customers AS SELECT id, email FROM shop.customers WHERE tier = 'gold';
ALTER TABLE shop.customers ADD COLUMN nickname text, ALTER COLUMN tier SET DEFAULT 'gold';
ALTER TABLE shop.customers RENAME COLUMN email TO email_address;
ALTER TABLE shop.customers ALTER COLUMN email_address DROP NOT NULL;
ALTER TABLE shop.customers ALTER COLUMN score TYPE bigint;
ALTER TABLE shop.customers DROP CONSTRAINT customers_score_check;
DROP INDEX shop.customers_email_idx;
ALTER TABLE shop.customers DROP COLUMN legacy;
DROP TABLE shop.audit_trail;
ALTER TABLE shop.orders ALTER COLUMN total SET NOT NULL;
SQL
chmod 644 "$work/migration.sql"
token=$(psql -X -At -d postgres -c "SELECT migration_guard.approve_migration(pg_read_file('$work/migration.sql'), 'rollback test', for_role => 'migrator')" 2>&1)
out=$(PGUSER=migrator PGOPTIONS="-c migration_guard.approval=$token -c migration_guard.migration_id=m42" \
      psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$work/migration.sql" 2>&1)
errors=$(printf '%s\n' "$out" | grep ERROR)
check "the migration runs (approved once for all of it)" "^none$" "${errors:-none}"
out=$(psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.kept")
check "the dropped table and column are in the recycle bin" "^2$" "$out"

# What the recycle bin keeps survives a restart.
scripts/pg-temp.sh restart "$d" >&2
out=$(psql -X -At -d postgres -c "SELECT string_agg(kind || ' ' || object_identity, ', ' ORDER BY kind) FROM migration_guard.kept")
check "after a restart the recycle bin still holds both" "^column shop.customers.legacy, table shop.audit_trail$" "$out"

psql -X -At -d postgres -c "SELECT migration_guard.undo_script('m42')" >"$work/undo.sql"
chmod 644 "$work/undo.sql"
check "undo_script() undoes in reverse order: the last change first" \
      "^ALTER TABLE shop.orders ALTER COLUMN total DROP NOT NULL;" "$(sed -n 3p "$work/undo.sql")"
check "... each change under a comment naming who made it" "^-- ALTER TABLE by migrator$" "$(sed -n 2p "$work/undo.sql")"
check "... and the dropped table comes back through restore()" "SELECT migration_guard.restore\([0-9]+\);  -- shop.audit_trail" \
      "$(cat "$work/undo.sql")"
check "... the old type with its risk stated" "TYPE integer USING score::integer;  -- risk: rewrites" "$(cat "$work/undo.sql")"
check "... the constraint back NOT VALID, then validated" "ADD CONSTRAINT customers_score_check CHECK \(\(score >= 0\)\) NOT VALID" \
      "$(cat "$work/undo.sql")"
check "... the index back CONCURRENTLY" "CREATE INDEX CONCURRENTLY customers_email_idx ON shop.customers" "$(cat "$work/undo.sql")"
# The compensating migration is a migration too: approved as a whole, run as the migrator.
token=$(psql -X -At -d postgres -c "SELECT migration_guard.approve_migration(pg_read_file('$work/undo.sql'), 'roll back m42', for_role => 'migrator')" 2>&1)
sql -c "GRANT migration_guard_approver TO migrator" >/dev/null  # restore() is an approver's call
out=$(PGUSER=migrator PGOPTIONS="-c migration_guard.approval=$token -c migration_guard.migration_id=m42-undo" \
      psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$work/undo.sql" 2>&1)
errors=$(printf '%s\n' "$out" | grep ERROR)
check "the compensating migration runs" "^none$" "${errors:-none}"
sql -c "REVOKE migration_guard_approver FROM migrator" >/dev/null
dump >"$work/after.sql"
out=$(diff "$work/before.sql" "$work/after.sql" 2>&1)
check "pg_dump --schema-only is the same as before the migration" "^same$" "${out:-same}"
check "the customers' rows are the same" "^$customers_before$" "$(rows shop.customers)"
check "the dropped table's rows are the same" "^$trail_before$" "$(rows shop.audit_trail)"

# The purge worker drops what outlived its retention, by itself, and says so in the audit log.
sql -c "CREATE TABLE shop.scratch AS SELECT g FROM generate_series(1, 10) g" >/dev/null
token=$(psql -X -At -d postgres -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['shop.scratch'], 'purge test')")
sql -c "SELECT set_config('migration_guard.keep_for', '1 s', false)" -c "SET migration_guard.approval = '$token'" \
    -c "DROP TABLE shop.scratch" >/dev/null
for _ in $(seq 1 100); do
  [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.kept WHERE object_identity = 'shop.scratch'")" = 0 ] && break
  sleep 0.1
done
out=$(psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.kept WHERE object_identity = 'shop.scratch'")
check "the purge worker drops a kept table once its retention has passed" "^0$" "$out"
out=$(psql -X -At -d postgres -c "SELECT statement FROM migration_guard.audit_log WHERE command_tag = 'PURGE KEPT' AND object_identity = 'shop.scratch'")
check "... and the purge is on record" "purge worker" "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
