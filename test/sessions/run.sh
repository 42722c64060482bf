#!/usr/bin/env bash
# Scripted sessions against real throwaway servers: what pg_regress cannot show because it needs
# connection options or a server restart. Prints "ok - ..." per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh

dirs=()
cleanup() { for dir in "${dirs[@]}"; do scripts/pg-temp.sh stop "$dir"; done; }
trap cleanup EXIT
# start PORT CONF_LINES... : a throwaway server in a new folder, left in $d (no subshell, so the
# cleanup above knows every server it must stop).
start() {
  d=$(mktemp -d /tmp/mg-session.XXXXXX)
  dirs+=("$d")
  scripts/pg-temp.sh start "$d" "$@" >&2
}
sql() { psql -X -q -v ON_ERROR_STOP=0 -d postgres "$@" 2>&1; }

# --- preloaded, not locked: approvals through PGOPTIONS, as a migration tool would pass them ----
start 55431 "shared_preload_libraries = 'migration_guard'" || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
sql -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE legacy (id bigint)" -c "INSERT INTO legacy VALUES (1)" \
    -c "CREATE ROLE migrator LOGIN" -c "GRANT CREATE ON SCHEMA public TO migrator" -c "ALTER TABLE legacy OWNER TO migrator" >/dev/null
out=$(PGUSER=migrator sql -c "DROP TABLE legacy")
check "a migration tool's DROP TABLE is blocked" "migration_guard blocked DROP TABLE" "$out"
token=$(psql -X -At -d postgres -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.legacy'], 'retired in release 42')")
out=$(PGUSER=migrator PGOPTIONS="-c migration_guard.approval=$token" sql -c "DROP TABLE legacy")
check "PGOPTIONS presents the approval" "approved by approval #1" "$out"
out=$(sql -At -c "SELECT count(*) FROM pg_tables WHERE tablename = 'legacy'")
check "the approved drop happened" "^0$" "$out"
out=$(PGUSER=migrator PGOPTIONS="-c migration_guard.mode=off" sql -c "SHOW migration_guard.mode")
check "a non-superuser cannot start a session with the guard off" "permission denied to set parameter" "$out"
out=$(PGOPTIONS="-c migration_guard.mode=warn" sql -At -c "SHOW migration_guard.mode")
check "a superuser can, and it shows (not locked)" "^warn$" "$out"

# --- a dry run cancelled from another session ends with the cancel; the server stays up --------
python3 -c "print('SELECT count(*) FROM migration_guard.dry_run(\$m\$' + '\n'.join(f'CREATE TABLE dry_t{i} (id int);' for i in range(3000)) + '\$m\$);')" >"$d/many.sql"
chmod a+r "$d/many.sql"
(PGUSER=migrator psql -X -q -d postgres -f "$d/many.sql" >"$d/dry.out" 2>&1 &)
for _ in $(seq 1 100); do
  pid=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT count(*) FROM migration_guard.dry_run(%' AND pid <> pg_backend_pid()")
  [ -n "$pid" ] && break
  sleep 0.02
done
sleep 0.2
psql -X -At -d postgres -c "SELECT pg_cancel_backend($pid)" >/dev/null
for _ in $(seq 1 100); do grep -q . "$d/dry.out" 2>/dev/null && break; sleep 0.05; done
check "pg_cancel_backend() during a dry run ends it with the cancel" "canceling statement due to user request" "$(cat "$d/dry.out")"
check "... and the server is still up" "^1$" "$(sql -At -c "SELECT 1")"

# --- lock waits: a migration tool's ALTER TABLE behind a long reader fails fast, naming it -------
sql -c "CREATE TABLE busy (id bigint)" -c "INSERT INTO busy VALUES (1)" -c "ALTER TABLE busy OWNER TO migrator" \
    -c "CREATE ROLE reporting LOGIN" -c "GRANT SELECT ON busy TO reporting" >/dev/null
printf 'ALTER TABLE busy ADD COLUMN note text;\n' >"$d/0042_note.sql"
chmod a+r "$d/0042_note.sql"
(PGUSER=reporting PGAPPNAME=report psql -X -q -d postgres -c "BEGIN" -c "SELECT count(*) FROM busy" \
    -c "SELECT pg_sleep(7)" -c "COMMIT" >/dev/null 2>&1 &)
reader=""
for _ in $(seq 1 100); do
  reader=$(psql -X -At -d postgres -c "SELECT pid FROM pg_locks WHERE relation = 'busy'::regclass AND granted")
  [ -n "$reader" ] && break
  sleep 0.05
done
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
t0=$(date +%s%N)
out=$(PGUSER=migrator psql -X -q -v ON_ERROR_STOP=1 -1 -d postgres -f "$d/0042_note.sql" 2>&1)
waited=$(ms_since "$t0")
check "lock waits: the migration gives up instead of queueing behind the reader" "gave up after 3000 ms waiting for its ACCESS EXCLUSIVE lock on public.busy" "$out"
check "lock waits: ... within the timeout (waited ${waited} ms)" "^yes$" "$([ "$waited" -lt 4500 ] && echo yes)"
check "lock waits: ... naming the reader" "held by pid $reader \(role reporting, application \"report\"\)" "$out"
check "lock waits: ... without the query of a role the migrator may not watch" "query: <insufficient privilege>" "$out"
check "lock waits: ... saying how to retry and that nothing changed" "nothing was changed.*HINT:  Retry when they have finished" "$(printf '%s' "$out" | tr '\n' ' ')"
out=$(sql -At -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'busy'::regclass AND attname = 'note'")
check "lock waits: the table is unchanged" "^0$" "$out"
lock_rows() { psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.blocked_attempts WHERE rules = '{lock-wait-timeout}' AND object_identity = 'public.busy' AND role_name = 'migrator'"; }
for _ in $(seq 1 100); do [ "$(lock_rows)" = 1 ] && break; sleep 0.05; done
check "lock waits: on record as a blocked-by-lock attempt" "^1$" "$(lock_rows)"
t0=$(date +%s%N)
out=$(PGUSER=migrator PGOPTIONS="-c lock_timeout=1500" psql -X -q -v ON_ERROR_STOP=1 -1 -d postgres -f "$d/0042_note.sql" 2>&1)
waited=$(ms_since "$t0")
check "lock waits: a lock_timeout the session set is left alone (waited ${waited} ms)" "^yes$" "$([ "$waited" -ge 1400 ] && echo yes)"
check "lock waits: ... and its failure names the reader too" "gave up after 1500 ms .*held by pid $reader" "$out"

# --- blocked attempts are kept: written by a worker, committed, there after a restart ----------
sql -c "CREATE TABLE precious (id bigint)" -c "INSERT INTO precious VALUES (1)" -c "ALTER TABLE precious OWNER TO migrator" >/dev/null
out=$(PGUSER=migrator PGAPPNAME=nightly-migrate sql -c "BEGIN" -c "ALTER TABLE precious ADD COLUMN note text" \
      -c "DROP TABLE precious" -c "COMMIT")
check "a blocked DROP TABLE inside a transaction" "migration_guard blocked DROP TABLE" "$out"
count_blocked() {
  psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.blocked_attempts WHERE object_identity = 'public.precious' AND application_name = 'nightly-migrate'"
}
for _ in $(seq 1 100); do [ "$(count_blocked)" = 1 ] && break; sleep 0.05; done
check "its audit row is written although the transaction rolled back" "^1$" "$(count_blocked)"
scripts/pg-temp.sh restart "$d"
check "and it is still there after a server restart" "^1$" "$(count_blocked)"
out=$(sql -At -c "SELECT role_name || ' ' || decision || ' ' || statement FROM migration_guard.blocked_attempts WHERE object_identity = 'public.precious'")
check "with who, what and the statement" "^migrator blocked DROP TABLE precious$" "$out"

# --- worker slots taken: blocked attempts are still recorded ------------------------------------
# Four worker slots: the logical replication launcher's, the guard's writer's and purge launcher's (taken at start-up)
# and one that an ordinary role takes with a parallel query. A worker per attempt finds no slot.
start 55433 "shared_preload_libraries = 'migration_guard'" "max_worker_processes = 4" || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
sql -c "CREATE EXTENSION migration_guard" -c "CREATE ROLE hog LOGIN" -c "CREATE ROLE migrator LOGIN" \
    -c "CREATE TABLE kept (id bigint)" -c "INSERT INTO kept VALUES (1)" -c "ALTER TABLE kept OWNER TO migrator" \
    -c "CREATE DATABASE other_app" >/dev/null
psql -X -q -d other_app -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE kept (id bigint)" \
    -c "INSERT INTO kept VALUES (1)" >/dev/null
take_slots() {  # a parallel worker that sleeps SECONDS, in the background
  # A parallel query that finds no free slot (the purge launcher may be running a database's
  # worker just then) runs without workers: end it and try again.
  for _ in $(seq 1 10); do
    PGUSER=hog psql -X -q -d postgres -c "SET force_parallel_mode = on" -c "SELECT pg_sleep($1)" >/dev/null 2>&1 &
    for _ in $(seq 1 60); do
      [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'")" = 1 ] && return
      sleep 0.05
    done
    psql -X -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'hog'" >/dev/null
    wait 2>/dev/null
  done
}
blocked_rows() { psql -X -At -d "${2:-postgres}" -c "SELECT count(*) FROM migration_guard.blocked_attempts WHERE statement = '$1'"; }
wait_rows() {  # wait_rows STATEMENT N [DB]
  for _ in $(seq 1 100); do [ "$(blocked_rows "$1" "${3:-}")" = "$2" ] && return; sleep 0.05; done
}
take_slots 6
out=$(sql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'parallel worker'")
check "workers: an ordinary role holds the last free worker slot" "^1$" "$out"
out=$(PGUSER=migrator sql -c "DROP TABLE kept")
check "workers: the DROP TABLE is blocked" "migration_guard blocked DROP TABLE" "$out"
wait_rows "DROP TABLE kept" 1
check "workers: its audit row is written by the long-lived writer all the same" "^1$" "$(blocked_rows "DROP TABLE kept")"
out=$(sql -d other_app -c "DROP TABLE kept")
wait_rows "DROP TABLE kept" 1 other_app
check "workers: and in another database too (the writer reconnects)" "^1$" "$(blocked_rows "DROP TABLE kept" other_app)"
# The design it replaces: a worker per attempt, which an ordinary role can starve.
echo "migration_guard.blocked_writer = 'worker'" >>"$d/data/postgresql.conf"
sql -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.3
out=$(PGUSER=migrator sql -c "DROP TABLE kept /* starved */")
check "workers: a worker per attempt finds no slot and says so" "could not record a blocked attempt" "$out"
check "workers: ... and that attempt is missing from the log" "^0$" "$(blocked_rows "DROP TABLE kept /* starved */")"
out=$(sql -At -c "SELECT blocked_written >= 2, blocked_dropped >= 1 FROM migration_guard.audit_status()")
check "workers: audit_status() counts what was written and what was lost" "^t\|t$" "$out"
wait

# --- locked: nobody changes the policy from a session, PGOPTIONS included -------------------------
start 55432 "shared_preload_libraries = 'migration_guard'" "migration_guard.locked = on" \
      "migration_guard.block_at = 'high'" || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
sql -c "CREATE EXTENSION migration_guard" >/dev/null
out=$(PGOPTIONS="-c migration_guard.mode=off" sql -c "SHOW migration_guard.mode")
check "locked: PGOPTIONS with mode=off is refused, even for a superuser" "locked by the server configuration" "$out"
out=$(PGOPTIONS="-c migration_guard.block_at=critical" sql -c "SHOW migration_guard.block_at")
check "locked: PGOPTIONS with block_at=critical is refused" "locked by the server configuration" "$out"
out=$(PGOPTIONS="-c migration_guard.migration_id=0042" sql -At -c "SHOW migration_guard.migration_id")
check "locked: settings that are not policy are still free" "^0042$" "$out"
out=$(sql -At -c "SHOW migration_guard.mode")
check "locked: the configured mode holds" "^enforce$" "$out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
