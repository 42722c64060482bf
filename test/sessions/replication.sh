#!/usr/bin/env bash
# A FOR ALL TABLES publication of a guarded database and a guarded subscriber: PostgreSQL 15
# publishes the guard's tables too, and they replicate harmlessly. The subscriber's table sync
# finishes, it keeps its own history and approvals, takes none of the publisher's (so a token
# works only where it was issued, once), and replication goes on through the publisher's later
# changes and purge. Real throwaway servers. Prints "ok - ..." per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
p=$(mktemp -d /tmp/mg-pub.XXXXXX)
s=$(mktemp -d /tmp/mg-sub.XXXXXX)
trap '[ -n "${KEEP:-}" ] || { scripts/pg-temp.sh stop "$s"; scripts/pg-temp.sh stop "$p"; }' EXIT
PRELOAD="shared_preload_libraries = 'migration_guard'"
scripts/pg-temp.sh start "$p" 55470 "$PRELOAD" "wal_level = logical" "max_wal_senders = 4" "max_replication_slots = 4" >&2 || exit 1
scripts/pg-temp.sh start "$s" 55471 "$PRELOAD" >&2 || exit 1
pub() { PGHOST=$p PGPORT=55470 PGUSER=postgres psql -X -q -v ON_ERROR_STOP=0 -d app "$@" 2>&1; }
sub() { PGHOST=$s PGPORT=55471 PGUSER=postgres psql -X -q -v ON_ERROR_STOP=0 -d app "$@" 2>&1; }
PGHOST=$p PGPORT=55470 psql -X -q -U postgres -d postgres -c "CREATE DATABASE app" >/dev/null
PGHOST=$s PGPORT=55471 psql -X -q -U postgres -d postgres -c "CREATE DATABASE app" >/dev/null

SCHEMA="CREATE TABLE orders (id int PRIMARY KEY, note text); CREATE TABLE gone (id int PRIMARY KEY); CREATE TABLE scratch (id int)"
pub -c "CREATE EXTENSION migration_guard" -c "$SCHEMA" -c "INSERT INTO orders SELECT g, 'p' FROM generate_series(1, 100) g" \
    -c "INSERT INTO gone VALUES (1)" -c "DROP TABLE gone" >/dev/null  # blocked: history on the publisher
pub -c "INSERT INTO scratch VALUES (1)" >/dev/null
pub_token=$(pub -At -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.scratch'], 'publisher only')")
sub -c "CREATE EXTENSION migration_guard" -c "$SCHEMA" -c "INSERT INTO scratch VALUES (2)" >/dev/null
sub_history=$(sub -At -c "SELECT count(*) FROM migration_guard.audit_change")
pub -c "CREATE PUBLICATION everything FOR ALL TABLES" >/dev/null
check "FOR ALL TABLES publishes the guard's tables too (PostgreSQL 15 cannot leave them out)" "migration_guard" \
  "$(pub -At -c "SELECT schemaname FROM pg_publication_tables WHERE pubname = 'everything'")"

sub -c "CREATE SUBSCRIPTION everything CONNECTION 'host=$p port=55470 user=postgres dbname=app' PUBLICATION everything" >/dev/null
wait_ready() {
  for _ in $(seq 1 60); do
    [ "$(sub -At -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")" = 0 ] && return 0
    sleep 0.5
  done
  return 1
}
wait_ready
check "the subscriber's table sync of every table finishes (the guard's included)" "^0$" \
  "$(sub -At -c "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")"
check "... and the application's rows arrive" "^100$" "$(sub -At -c "SELECT count(*) FROM orders")"
check "the subscriber keeps its own history and takes none of the publisher's" "^$((sub_history + 1)) 0$" \
  "$(sub -At -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE statement ~ 'DROP TABLE gone|CREATE PUBLICATION') FROM migration_guard.audit_log")"
check "... nor its approvals" "^0$" "$(sub -At -c "SELECT count(*) FROM migration_guard.approval")"
out=$(PGOPTIONS="-c migration_guard.approval=$pub_token" sub -c "DROP TABLE scratch")
check "a token issued on the publisher does nothing on the subscriber" "migration_guard blocked DROP TABLE" "$out"
check "... where the table is still there (its row and the publisher's)" "^2$" "$(sub -At -c "SELECT count(*) FROM scratch")"

# Both sides go on writing their own history and approvals; replication keeps going.
sub -c "CREATE TABLE mine (id int, note text)" -c "INSERT INTO mine VALUES (1, 'x')" >/dev/null  # the subscriber's own
sub_token=$(sub -At -c "SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.mine.note'], 'subscriber only')")
pub -c "SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.orders.note'], 'publisher again')" \
    -c "CREATE TABLE later (id int)" -c "SELECT migration_guard.purge_audit('0 seconds')" >/dev/null
out=$(PGOPTIONS="-c migration_guard.approval=$pub_token" pub -c "DROP TABLE scratch" 2>&1)
check "the publisher's token works where it was issued" "approved by approval #1" "$out"
pub -c "INSERT INTO orders VALUES (1000, 'after')" >/dev/null
for _ in $(seq 1 60); do [ "$(sub -At -c "SELECT count(*) FROM orders WHERE id = 1000")" = 1 ] && break; sleep 0.5; done
check "replication goes on after the publisher's approvals, uses, changes and purge_audit()" "^1$" \
  "$(sub -At -c "SELECT count(*) FROM orders WHERE id = 1000")"
out=$(PGOPTIONS="-c migration_guard.approval=$sub_token" sub -c "ALTER TABLE mine DROP COLUMN note")
check "the subscriber's own token works there" "approved by approval #1" "$out"
# An approved wipe on the publisher is applied on the subscriber: the apply worker is never judged.
wipe=$(pub -At -c "SELECT migration_guard.approve(ARRAY['dml-without-where'], ARRAY['public.orders'], 'reset')")
PGOPTIONS="-c migration_guard.approval=$wipe" pub -c "DELETE FROM orders" >/dev/null
for _ in $(seq 1 60); do [ "$(sub -At -c "SELECT count(*) FROM orders")" = 0 ] && break; sleep 0.5; done
check "a wipe approved on the publisher is applied by the subscriber (its apply is not judged)" "^0$" \
  "$(sub -At -c "SELECT count(*) FROM orders")"
check "the subscriber's apply and sync workers never failed" "^0$" \
  "$(grep -cE 'duplicate key|append-only|logical replication .* worker .* exited' "$s/server.log")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
