#!/usr/bin/env bash
# Instructions the backend executes per DDL statement, counted with callgrind (repeatable on a
# busy machine, unlike wall time): an additive migration of N statements (CREATE TABLE, CREATE
# INDEX, ADD COLUMN, COMMENT on tables it created; nothing blocked) in one transaction, in a
# database without the extension ("bare") and one with it ("guard"), on one preloaded server run
# under valgrind. The count of an empty session is subtracted. With BASELINE_REF=<commit>, that
# commit's library and extension script are measured the same way in the same run. The guard is
# also measured with migration_guard.lock_timeout = 0, for the cost of the bounded lock wait
# (docs/lock-waits.md): the ALTER TABLE statements of the migration are bounded.
# Prints figures and ratios only; never fails on them. Needs `make install` first; slow (minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-500}
BIN=/usr/lib/postgresql/15/bin
PORT=${PORT:-55475}
dir=$(mktemp -d /tmp/mg-bench-cg.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-work.XXXXXX)
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
source bench/lib.sh
save_current
server_pid=""
stop_server() {
    if [[ -n $server_pid ]]; then
        as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 300 stop >/dev/null 2>&1 || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
cleanup() {
    stop_server
    use current
    if [[ -n ${BASELINE_REF:-} ]]; then forget_baseline; fi
    rm -rf "$dir" "$work"
}
trap cleanup EXIT

if [[ -n ${BASELINE_REF:-} ]]; then build_baseline "$BASELINE_REF"; fi

additive_migration "$N" "$work/body.sql"
{ echo "SELECT pg_backend_pid();"; echo "BEGIN;"; cat "$work/body.sql"; echo "COMMIT;"; } >"$work/migration.sql"
{ echo "SELECT pg_backend_pid();"; echo "SET migration_guard.lock_timeout = 0;"; echo "BEGIN;"; cat "$work/body.sql"; echo "COMMIT;"; } >"$work/migration_unbounded.sql"
echo "SELECT pg_backend_pid();" >"$work/empty.sql"
# The SET is not part of what is compared: its own cost is subtracted with it.
printf 'SELECT pg_backend_pid();\nSET migration_guard.lock_timeout = 0;\n' >"$work/empty_unbounded.sql"
mkdir -p "$dir/cg"
chown -R postgres: "$dir" "$work"
as_postgres "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $PORT
fsync = off
autovacuum = off
shared_preload_libraries = 'migration_guard'
CONF
export PGHOST=$dir PGPORT=$PORT PGUSER=postgres

start_server() {
    as_postgres valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$dir/cg/%p" -q \
        "$BIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do "$BIN/pg_isready" -q && return; sleep 0.2; done
    echo "server did not start" >&2; cat "$dir/server.log" >&2; exit 1
}

# instructions FILE DB: instructions of the backend that ran FILE (written when it exits).
instructions() {
    local pid f
    pid=$(psql -X -q -At -d "$2" -f "$1" 2>/dev/null | head -1)
    f="$dir/cg/$pid"
    for _ in $(seq 1 300); do grep -q '^totals:' "$f" 2>/dev/null && break; sleep 0.1; done
    awk '/^totals:/ { print $2 }' "$f"
}

# measure [unbounded]: sets BARE and GUARD (instructions per statement); with "unbounded", also
# UNBOUNDED (the guard with migration_guard.lock_timeout = 0).
measure() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bare" -c "DROP DATABASE IF EXISTS guard" \
        -c "DROP DATABASE IF EXISTS unbounded" >/dev/null 2>&1 || true
    psql -X -q -d postgres -c "CREATE DATABASE bare" -c "CREATE DATABASE guard" -c "CREATE DATABASE unbounded" >/dev/null
    psql -X -q -d guard -c "CREATE EXTENSION migration_guard" >/dev/null
    psql -X -q -d unbounded -c "CREATE EXTENSION migration_guard" >/dev/null
    if [[ ${1:-} == unbounded ]]; then
        instructions "$work/empty.sql" unbounded >/dev/null
        UNBOUNDED=$((($(instructions "$work/migration_unbounded.sql" unbounded) - $(instructions "$work/empty_unbounded.sql" unbounded)) / N))
    fi
    local db empty full
    for db in bare guard; do
        instructions "$work/empty.sql" "$db" >/dev/null  # warm the caches once
        empty=$(instructions "$work/empty.sql" "$db")
        full=$(instructions "$work/migration.sql" "$db")
        printf -v "${db^^}" '%s' $(((full - empty) / N))
    done
}

echo "Migration: $N additive statements in one transaction; instructions per statement (callgrind)."
if [[ -n ${BASELINE_REF:-} ]]; then
    use baseline
    start_server
    measure
    base_bare=$BARE base_guard=$GUARD
    stop_server
    use current
fi
start_server
measure unbounded
stop_server
report() { awk -v n="$1" -v v="$2" -v b="$3" 'BEGIN { printf "%-22s %12d instructions/statement  %5.2fx bare\n", n, v, v / b }'; }
if [[ -n ${BASELINE_REF:-} ]]; then
    report "bare (REF loaded)" "$base_bare" "$base_bare"
    report "guard@$BASELINE_REF" "$base_guard" "$base_bare"
fi
report "bare" "$BARE" "$BARE"
report "guard (this tree)" "$GUARD" "$BARE"
report "guard, lock_timeout=0" "$UNBOUNDED" "$BARE"
awk -v g="$GUARD" -v u="$UNBOUNDED" -v b="$BARE" \
    'BEGIN { printf "bounded lock wait: %d instructions/statement (%.3fx of the guard without it, %.3fx bare)\n", g - u, g / u, (g - u) / b }'
if [[ -n ${BASELINE_REF:-} ]]; then
    awk -v a="$GUARD" -v ab="$BARE" -v b="$base_guard" -v bb="$base_bare" -v r="$BASELINE_REF" \
        'BEGIN { printf "guard overhead per statement (guard - bare), this tree vs %s: %.2fx\n", r, (a - ab) / (b - bb) }'
fi
