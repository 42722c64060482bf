#!/usr/bin/env bash
# A guarded database lives a normal life: the owner's pg_dump, restores of a superuser's dump
# (pg_restore defaults, -j, --single-transaction, psql -f) into the same and another guarded
# cluster, approvals and ids after a restore, pg_upgrade, pgbench -i, DROP/CREATE EXTENSION; and
# an ordinary role cannot pass a destructive change off as a restore. Real throwaway servers.
# Prints "ok - ..." per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NEW_BIN=${PG_NEW_BIN:-$BIN}  # pg_upgrade's target (another major when the versions issue adds it)
a=$(mktemp -d /tmp/mg-life-a.XXXXXX)
b=$(mktemp -d /tmp/mg-life-b.XXXXXX)
c=$(mktemp -d /tmp/mg-life-c.XXXXXX)
work=$(mktemp -d /tmp/mg-life-w.XXXXXX)
chmod 777 "$work"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
cleanup() {
  [ -n "${KEEP:-}" ] && return
  as_postgres "$NEW_BIN/pg_ctl" -D "$c/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$c"
  scripts/pg-temp.sh stop "$a"; scripts/pg-temp.sh stop "$b"; rm -rf "$work"
}
trap cleanup EXIT
PRELOAD="shared_preload_libraries = 'migration_guard'"
scripts/pg-temp.sh start "$a" 55460 "$PRELOAD" >&2 || exit 1
scripts/pg-temp.sh start "$b" 55461 "$PRELOAD" >&2 || exit 1
on() { local dir=$1; shift; PGHOST=$dir PGPORT=$(cat "$dir/port") PGUSER=${PGUSER:-postgres} "$@"; }
sqla() { on "$a" psql -X -q -v ON_ERROR_STOP=0 "$@" 2>&1; }
sqlb() { on "$b" psql -X -q -v ON_ERROR_STOP=0 "$@" 2>&1; }

# --- a guarded application database with some history ------------------------------------------
sqla -d postgres -c "CREATE ROLE app LOGIN" -c "CREATE DATABASE appdb OWNER app" >/dev/null
sqla -d appdb -c "CREATE EXTENSION migration_guard" -c "CREATE ROLE approver LOGIN IN ROLE migration_guard_approver" >/dev/null
PGUSER=app sqla -d appdb >/dev/null <<'SQL'
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                             email text NOT NULL UNIQUE CHECK (email LIKE '%@%'));
CREATE TABLE shop.orders (id serial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customers ON DELETE CASCADE,
                          total numeric(10,2) DEFAULT 0, legacy text);
CREATE TABLE shop.order_notes (order_id int REFERENCES shop.orders ON DELETE SET NULL, note text);
CREATE TABLE shop.retired (id int PRIMARY KEY);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE VIEW shop.big_orders AS SELECT id, total FROM shop.orders WHERE total > 100;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.total := coalesce(NEW.total, 0); RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
INSERT INTO shop.customers (email) SELECT 'c' || g || '@x' FROM generate_series(1, 500) g;
INSERT INTO shop.orders (customer_id, total) SELECT 1 + g % 500, g FROM generate_series(1, 2000) g;
INSERT INTO shop.order_notes SELECT g, 'n' FROM generate_series(1, 300) g;
INSERT INTO shop.retired SELECT generate_series(1, 50);
ALTER TABLE shop.orders DROP COLUMN legacy;
SQL
# History: a blocked attempt (above), an approved drop kept in the recycle bin, an unspent approval.
token=$(PGUSER=approver on "$a" psql -X -At -d appdb -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['shop.retired'], 'retired in 4.2', for_role => 'app')")
PGUSER=app PGOPTIONS="-c migration_guard.approval=$token" sqla -d appdb -c "DROP TABLE shop.retired" >/dev/null
unspent=$(PGUSER=approver on "$a" psql -X -At -d appdb -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['shop.customers'], 'not yet', for_role => 'app')")
history=$(sqla -d appdb -At -c "SELECT count(*) FROM migration_guard.audit_change" -c "SELECT count(*) FROM migration_guard.audit_blocked")
check "the source has history: changes and blocked attempts" "^[0-9]{2,}"$'\n'"[1-9]" "$history"

app_schema() {  # DIR DB: the application's objects and rows, one line each
  on "$1" pg_dump -d "$2" --schema-only -n shop | grep -Ev '^(--|SET |SELECT pg_catalog.set_config|\\(un)?restrict )' | grep -v '^$'
  on "$1" psql -X -At -d "$2" -c "SELECT 'rows ' || (SELECT count(*) FROM shop.customers) || ' ' || (SELECT count(*) FROM shop.orders) || ' ' || (SELECT count(*) FROM shop.order_notes)"
}
audit_ids() { on "$1" psql -X -At -d "$2" -c "SELECT id FROM migration_guard.audit_change UNION ALL SELECT id FROM migration_guard.audit_blocked ORDER BY 1"; }
app_schema "$a" appdb >"$work/source.txt"
audit_ids "$a" appdb >"$work/source_ids.txt"

# --- the owner's pg_dump -------------------------------------------------------------------------
out=$(PGUSER=app on "$a" pg_dump -Fc -d appdb -f "$work/owner.dump" 2>&1; echo "rc=$?")
check "the database owner's pg_dump exits 0" "rc=0" "$out"
check "... and holds the application's tables" "TABLE DATA shop orders" "$(on "$a" pg_restore -l "$work/owner.dump")"
out=$(PGUSER=app sqla -d appdb -c "COPY (SELECT token_hash FROM migration_guard.approval) TO stdout")
check "... but nothing of the guard's history: a COPY of it by the owner gives no rows and says so" \
  "no rows of migration_guard.approval are copied for role app" "$out"
check "... (not one token hash)" "^none$" "$(printf '%s\n' "$out" | grep -E '^[0-9a-f]{32,}' || echo none)"
out=$(PGUSER=app sqla -d appdb -c "COPY migration_guard.audit_change FROM stdin" </dev/null)
check "... and COPY into the guard's tables is still refused" "permission denied" "$out"
sqlb -d postgres -c "CREATE ROLE app LOGIN" -c "CREATE DATABASE from_owner OWNER app" >/dev/null
out=$(on "$b" pg_restore -d from_owner "$work/owner.dump" 2>&1; echo "rc=$?")
check "the owner's dump restores into another guarded cluster" "^rc=0$" "$out"
difference=$(diff "$work/source.txt" <(app_schema "$b" from_owner))
check "... with every object and row" "^none$" "${difference:-none}"

# --- a superuser's dump, every way of restoring it --------------------------------------------------
on "$a" pg_dump -Fc -d appdb -f "$work/full.dump"
on "$a" pg_dump -d appdb -f "$work/full.sql"
chmod a+r "$work"/*
restore_into() {  # DIR DB HOW
  local dir=$1 db=$2 how=$3
  on "$dir" psql -X -q -d postgres -c "CREATE DATABASE $db OWNER app" >/dev/null
  case "$how" in
    psql) on "$dir" psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/full.sql" >/dev/null 2>"$work/$db.err" ;;
    default) on "$dir" pg_restore -d "$db" "$work/full.dump" 2>"$work/$db.err" ;;
    *) on "$dir" pg_restore $how -d "$db" "$work/full.dump" 2>"$work/$db.err" ;;
  esac
  echo "rc=$?"
}
for how in default "-j 2" "--single-transaction" psql; do
  db=copy_$(printf '%s' "$how" | tr -c 'a-z0-9' '_')
  out=$(restore_into "$b" "$db" "$how")
  check "restore into another guarded cluster with ${how}: exits 0" "^rc=0$" "$out$(grep -m3 ERROR "$work/$db.err")"
  difference=$(diff "$work/source.txt" <(app_schema "$b" "$db"))
  check "... every object, row and constraint is back (ON DELETE CASCADE/SET NULL included)" "^none$" "${difference:-none}"
  missing=$(comm -23 "$work/source_ids.txt" <(audit_ids "$b" "$db") | wc -l)
  check "... and the whole audit history ($(wc -l <"$work/source_ids.txt") rows)" "^0$" "$missing"
done
check "the restores keep the cascade foreign keys" "orders_customer_id_fkey c" \
  "$(on "$b" psql -X -At -d copy_default -c "SELECT conname || ' ' || confdeltype::text FROM pg_constraint WHERE conname = 'orders_customer_id_fkey'")"

# --- after a restore: ids go on, approvals stay where they were issued ------------------------------
out=$(restore_into "$a" same_cluster default)
check "restore into a new database of the same cluster exits 0" "^rc=0$" "$out$(grep -m3 ERROR "$work/same_cluster.err")"
for dir in "$a" "$b"; do
  db=$([ "$dir" = "$a" ] && echo same_cluster || echo copy_default)
  out=$(on "$dir" psql -X -q -At -d "$db" -c "SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['shop.orders.total'], 'after the restore') IS NOT NULL" 2>&1)
  check "approve() works in a restored copy ($db): ids continue" "^t$" "$out"
  out=$(PGUSER=app PGOPTIONS="-c migration_guard.approval=$unspent" on "$dir" psql -X -q -d "$db" -c "DROP TABLE shop.customers CASCADE" 2>&1)
  check "... and a token issued in the original is refused there" "issued for another database" "$out"
  out=$(PGUSER=app on "$dir" psql -X -q -d "$db" -c "CREATE TABLE shop.after_restore (id int)" -c "ALTER TABLE shop.after_restore ADD COLUMN x int" 2>&1)
  check "... and new changes are recorded next to the restored history" "^none$" "${out:-none}"
done

# --- an ordinary role cannot pass a destructive change off as a restore ---------------------------
out=$(PGUSER=app on "$a" pg_restore --clean --if-exists --single-transaction -d appdb "$work/owner.dump" 2>&1)
check "the owner's pg_restore --clean --single-transaction over the live database is blocked at its first destructive step" \
  "migration_guard blocked ALTER TABLE: cascade-delete-change" "$out"
difference=$(diff "$work/source.txt" <(app_schema "$a" appdb))
check "... and the database is as it was" "^none$" "${difference:-none}"
out=$(PGUSER=app sqla -d appdb -c "ALTER TABLE shop.order_notes DROP CONSTRAINT order_notes_order_id_fkey, ADD CONSTRAINT order_notes_order_id_fkey FOREIGN KEY (order_id) REFERENCES shop.orders ON DELETE CASCADE")
check "replacing a foreign key by an ON DELETE CASCADE one is blocked as a restore's ADD CONSTRAINT is not" \
  "blocked ALTER TABLE: cascade-delete-change \(critical\)" "$out"
out=$(PGUSER=app sqla -d appdb -c "SET session_replication_role = replica")
check "... and the owner cannot act as a replication worker" "permission denied" "$out"

# --- pgbench -i on a guarded database -------------------------------------------------------------
sqla -d postgres -c "CREATE DATABASE bench OWNER app" >/dev/null
sqla -d bench -c "CREATE EXTENSION migration_guard" >/dev/null
out=$(PGUSER=app on "$a" "$BIN/pgbench" -i -s 1 -q bench 2>&1; echo "rc=$?")
check "pgbench -i works on a guarded database (its TRUNCATE of empty tables)" "rc=0" "$out"
out=$(PGUSER=app on "$a" "$BIN/pgbench" -t 200 -c 2 bench 2>&1; echo "rc=$?")
check "... and a pgbench run (tpcb-like: UPDATEs by key, each of one row)" "rc=0" "$out"
check "... with no failed transaction" "number of failed transactions: 0" "$out"

# --- DROP EXTENSION and CREATE EXTENSION again ----------------------------------------------------
sqla -d postgres -c "CREATE DATABASE dropped" >/dev/null
sqla -d dropped -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE t (id int)" -c "INSERT INTO t VALUES (1)" >/dev/null
out=$(sqla -d dropped -c "DROP EXTENSION migration_guard")
check "DROP EXTENSION migration_guard is blocked (weaken-guard) and says what goes with it" "its approvals and its audit log" "$out"
tok=$(on "$a" psql -X -At -d dropped -c "SELECT migration_guard.approve(ARRAY['weaken-guard'], ARRAY['migration_guard'], 'reinstall')")
out=$(PGOPTIONS="-c migration_guard.approval=$tok" sqla -d dropped -c "DROP EXTENSION migration_guard")
check "... approved, it drops the guard's tables, history and recycle bin (the empty schema migration_guard stays)" "^0 migration_guard$" \
  "$(sqla -d dropped -At -c "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname LIKE 'migration_guard%') || ' ' || (SELECT string_agg(nspname, ',') FROM pg_namespace WHERE nspname LIKE 'migration_guard%')")"
out=$(sqla -d dropped -c "CREATE EXTENSION migration_guard" -c "SELECT count(*) AS history FROM migration_guard.audit_change")
check "... and CREATE EXTENSION again starts an empty history" "^ +0$" "$out"

# --- pg_upgrade ------------------------------------------------------------------------------------
kept=$(sqla -d appdb -At -c "SELECT id FROM migration_guard.kept WHERE object_identity = 'shop.retired'")
before=$(sqla -d appdb -At -c "SELECT (SELECT count(*) FROM migration_guard.audit_change) || ' ' || (SELECT count(*) FROM migration_guard.approval) || ' ' || (SELECT count(*) FROM migration_guard.kept)")
as_postgres "$BIN/pg_ctl" -D "$a/data" -m fast -w stop >/dev/null
mkdir -p "$c" && chown postgres: "$c" && chmod 700 "$c"
# 18's initdb turns data checksums on; pg_upgrade needs the old cluster's setting.
checksums=$("$NEW_BIN/initdb" --help | grep -q -- --no-data-checksums && echo --no-data-checksums || true)
as_postgres "$NEW_BIN/initdb" -D "$c/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 $checksums >/dev/null
printf '%s\n' "listen_addresses = ''" "unix_socket_directories = '$c'" "port = 55462" "fsync = off" "$PRELOAD" >>"$c/data/postgresql.conf"
echo 55462 >"$c/port"
out=$(cd "$work" && as_postgres "$NEW_BIN/pg_upgrade" -b "$BIN" -B "$NEW_BIN" -d "$a/data" -D "$c/data" \
        -o "-c unix_socket_directories='$a'" -O "-c unix_socket_directories='$c'" -p 55463 -P 55464 2>&1; echo "rc=$?")
check "pg_upgrade of a guarded cluster to a guarded cluster exits 0" "rc=0" "$(printf '%s' "$out" | tail -3)"
as_postgres "$NEW_BIN/pg_ctl" -D "$c/data" -l "$c/server.log" -w start >/dev/null
after=$(on "$c" psql -X -At -d appdb -c "SELECT (SELECT count(*) FROM migration_guard.audit_change) || ' ' || (SELECT count(*) FROM migration_guard.approval) || ' ' || (SELECT count(*) FROM migration_guard.kept)")
check "... with the audit log, approvals and recycle bin intact ($before)" "^$before$" "$after"
out=$(on "$c" psql -X -At -d appdb -c "SELECT migration_guard.restore($kept)" 2>&1)
check "... a kept table restores after the upgrade" "restored table shop.retired \(50 rows\)" "$out"
out=$(PGUSER=app on "$c" psql -X -q -d appdb -c "DROP TABLE shop.orders CASCADE" 2>&1)
check "... and the guard still blocks" "migration_guard blocked DROP TABLE" "$out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
