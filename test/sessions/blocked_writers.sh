#!/usr/bin/env bash
# Blocked attempts reach the audit log of every database promptly, nothing queued is lost at a
# clean restart, and a standby queues nothing and takes no worker slot. Real throwaway servers
# (a primary, preloaded, and a streaming standby of it). Prints "ok - ..." per check and
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
BIN=/usr/lib/postgresql/15/bin
d=$(mktemp -d /tmp/mg-writers.XXXXXX)
s=$(mktemp -d /tmp/mg-standby.XXXXXX)
work=$(mktemp -d)
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
trap '[ -n "${KEEP:-}" ] || { as_postgres $BIN/pg_ctl -D "$s/data" -m immediate stop >/dev/null 2>&1; rm -rf "$s"; scripts/pg-temp.sh stop "$d"; rm -rf "$work"; }' EXIT
scripts/pg-temp.sh start "$d" 55438 "shared_preload_libraries = 'migration_guard'" "max_worker_processes = 8" \
    "wal_level = replica" "max_wal_senders = 4" "max_connections = 60" >&2 || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
psql() { command psql -X -q "$@"; }
DBS="db1 db2 db3 db4 db5"
for db in $DBS; do
  psql -d postgres -c "CREATE DATABASE $db" >/dev/null
  psql -d "$db" -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE kept (id int)" -c "INSERT INTO kept VALUES (1)" >/dev/null
done
PER_DB=${PER_DB:-300}
for db in $DBS; do
  for ((i = 1; i <= PER_DB; i++)); do echo "DROP TABLE kept /* $db-$i */;"; done >"$work/$db.sql"
done
chmod -R a+rX "$work"
recorded() {  # DB: blocked attempts of the flood recorded there
  psql -d "$1" -At -c "SELECT count(*) FROM migration_guard.audit_log WHERE decision = 'blocked' AND statement LIKE 'DROP TABLE kept /* %'"
}
total() { local t=0 n; for db in $DBS; do n=$(recorded "$db"); t=$((t + n)); done; echo "$t"; }
# wait_for N SECONDS: until N rows are recorded over all databases, or the time is up.
wait_for() {
  local until=$(( $(date +%s) + $2 )); while [ "$(total)" -lt "$1" ] && [ "$(date +%s)" -lt "$until" ]; do sleep 0.2; done
}

# A flood over five databases at once.
start=$(date +%s%N)
for db in $DBS; do psql -d "$db" -f "$work/$db.sql" >/dev/null 2>&1 & done
wait
wait_for $((5 * PER_DB)) 60
ms=$(( ($(date +%s%N) - start) / 1000000 ))
n=$(total)
check "every blocked attempt of a flood over 5 databases is recorded in its own database ($n of $((5 * PER_DB)), ${ms} ms)" \
  "^$((5 * PER_DB))$" "$n"
rate=$(( n * 1000 / (ms > 0 ? ms : 1) ))
check "... at hundreds of rows per second, not one ($rate rows/s)" "^[0-9]{3,}$" "$rate"
per_db=$(for db in $DBS; do recorded "$db"; done | sort -u | tr '\n' ' ')
check "... each database has its own" "^$PER_DB $" "$per_db"

# A flood, then at once a clean (fast) restart: what was queued is written after the start.
before=$(total)
for db in $DBS; do psql -d "$db" -f "$work/$db.sql" >/dev/null 2>&1 & done
wait
scripts/pg-temp.sh restart "$d" >&2
wait_for $((before + 5 * PER_DB)) 60
n=$(total)
check "nothing queued is lost at a clean restart ($((n - before)) of $((5 * PER_DB)))" "^$((before + 5 * PER_DB))$" "$n"
check "audit_status() says its counts are per server start" "since the server started" \
  "$(psql -d db1 -At -c "SELECT mechanism FROM migration_guard.audit_status()")"

# An approval counts only in the database it was issued for: a copy of the database carries the
# approval's row (pg_dump, CREATE DATABASE ... TEMPLATE, a restore) but not its validity.
token=$(psql -d db2 -At -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.kept'], 'copy test', uses => 2)")
psql -d postgres -c "CREATE DATABASE db2copy TEMPLATE db2" >/dev/null
out=$(psql -d db2copy -c "SET migration_guard.approval = '$token'" -c "DROP TABLE kept" 2>&1)
check "a token issued in one database is refused in a copy of it" "issued for another database" "$out"
check "... and the copy's table is still there" "^1$" "$(psql -d db2copy -At -c "SELECT count(*) FROM kept")"
out=$(psql -d db2 -c "SET migration_guard.approval = '$token'" -c "DROP TABLE kept" 2>&1)
check "... while it counts where it was issued" "^none$" "$(printf '%s' "$out" | grep ERROR || echo none)"

# A standby of it.
chown postgres: "$s"; chmod 700 "$s"
as_postgres $BIN/pg_basebackup -h "$d" -p 55438 -D "$s/data" -R -X stream >/dev/null 2>&1
chmod 700 "$s/data"
cat >>"$s/data/postgresql.conf" <<CONF
port = 55439
unix_socket_directories = '$s'
CONF
as_postgres $BIN/pg_ctl -D "$s/data" -l "$s/server.log" -w -t 60 start >/dev/null
sq() { command psql -X -q -h "$s" -p 55439 "$@" 2>&1; }
check "the standby is in recovery" "^t$" "$(sq -d db1 -At -c "SELECT pg_is_in_recovery()")"
# Blocked attempts there (a weakening SET is judged on a standby too), many times over.
for ((i = 1; i <= 40; i++)); do echo "SET migration_guard.mode = off;"; done >"$work/standby.sql"
chmod a+r "$work/standby.sql"
out=$(sq -d db1 -f "$work/standby.sql")
check "a blocked attempt on the standby says it cannot be recorded there" "standby \(in recovery\)" "$out"
workers=$(sq -d db1 -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'migration_guard%'")
check "... and no worker of the guard's runs or waits there" "^0$" "$workers"
registered=$(sq -d db1 -At -c "SET force_parallel_mode = on" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM kept" | grep -c "Workers Launched: [1-9]")
check "... parallel queries still get their workers" "^1$" "$registered"
for call in "SELECT migration_guard.dry_run('CREATE TABLE t (id int)')" \
            "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.kept'], 'why')" \
            "SELECT migration_guard.restore(1)" \
            "SELECT migration_guard.begin_migration('m1', 'intent')"; do
  out=$(sq -d db1 -c "$call")
  check "on the standby, ${call%%(*} refuses in words" "is a standby" "$out"
  check "... without the guard's internal SQL" "^none$" "$(printf '%s' "$out" | grep -E 'INSERT INTO|migration_guard\.approval \(|SPI|XX000' || echo none)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
