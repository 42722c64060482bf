#!/usr/bin/env bash
# What data changes pay for the guard (docs/data-changes.md), in one run on one throwaway cluster:
#   - instructions per transaction (callgrind) of pgbench's select-only and tpcb-like
#     transactions, sent as SQL by one session (TX of each, fixed keys): bare (nothing preloaded)
#     and the guard (preloaded, installed), and with BASELINE_REF=<commit> that commit's library
#     too, as ratios; the empty session is subtracted;
#   - the time of one wiping DELETE of ROWS rows (approved; rolled back after), bare, guard with
#     migration_guard.keep off and on, median of 3, as ratios.
# For TPS under load, bench/pgbench_ratio.sh. Prints figures only; never fails on them. Needs
# `make install` first; about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
TX=${TX:-2000}
ROWS=${ROWS:-1000000}
BIN=/usr/lib/postgresql/15/bin
PORT=${PORT:-55476}
dir=$(mktemp -d /tmp/mg-bench-dml.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-dmlw.XXXXXX)
source bench/lib.sh
save_current
trap bench_cleanup EXIT
if [[ -n ${BASELINE_REF:-} ]]; then build_baseline "$BASELINE_REF"; fi

python3 - "$TX" "$work" <<'PY'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
random.seed(7)
with open(f"{work}/select.sql", "w") as f:
    f.write("SELECT pg_backend_pid();\n")
    for _ in range(n):
        f.write(f"SELECT abalance FROM pgbench_accounts WHERE aid = {random.randint(1, 100000)};\n")
with open(f"{work}/tpcb.sql", "w") as f:
    f.write("SELECT pg_backend_pid();\n")
    for _ in range(n):
        aid, bid, tid, delta = random.randint(1, 100000), 1, random.randint(1, 10), random.randint(-5000, 5000)
        f.write("BEGIN;\n"
                f"UPDATE pgbench_accounts SET abalance = abalance + {delta} WHERE aid = {aid};\n"
                f"SELECT abalance FROM pgbench_accounts WHERE aid = {aid};\n"
                f"UPDATE pgbench_tellers SET tbalance = tbalance + {delta} WHERE tid = {tid};\n"
                f"UPDATE pgbench_branches SET bbalance = bbalance + {delta} WHERE bid = {bid};\n"
                f"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ({tid}, {bid}, {aid}, {delta}, CURRENT_TIMESTAMP);\n"
                "END;\n")
open(f"{work}/empty.sql", "w").write("SELECT pg_backend_pid();\n")
PY
chown -R postgres: "$dir" "$work"
mkdir -p "$dir/cg" && chown postgres: "$dir/cg"
as_postgres "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $PORT
fsync = off
autovacuum = off
shared_buffers = 512MB
max_wal_size = 4GB
CONF
export PGHOST=$dir PGPORT=$PORT PGUSER=postgres
q() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

echo "Setting up ..."
as_postgres "$BIN/pg_ctl" -D "$dir/data" -w -l "$dir/setup.log" -o "-c shared_preload_libraries=migration_guard" start >/dev/null
dbs="bare guard"
[[ -n ${BASELINE_REF:-} ]] && dbs="$dbs baseline"
for db in $dbs; do
    q -d postgres -c "CREATE DATABASE $db"
    "$BIN/pgbench" -q -i -s 1 "$db" >/dev/null 2>&1
done
q -d guard -c "CREATE EXTENSION migration_guard"
[[ -n ${BASELINE_REF:-} ]] && { use baseline; q -d baseline -c "CREATE EXTENSION migration_guard"; use current; }
for db in bare guard; do
    q -d "$db" -c "CREATE TABLE wipe (id bigint PRIMARY KEY, payload text)" \
        -c "INSERT INTO wipe SELECT g, md5(g::text) FROM generate_series(1, $ROWS) g" -c "VACUUM ANALYZE"
done
as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null

per_tx() {  # FILE DB
    instructions "$work/empty.sql" "$2" >/dev/null
    local empty full
    empty=$(instructions "$work/empty.sql" "$2")
    full=$(instructions "$1" "$2")
    echo $(((full - empty) / TX))
}
declare -A R
echo "Measuring under callgrind ..."
start_server ""
R[bare,select]=$(per_tx "$work/select.sql" bare); R[bare,tpcb]=$(per_tx "$work/tpcb.sql" bare)
stop_server
start_server migration_guard
R[guard,select]=$(per_tx "$work/select.sql" guard); R[guard,tpcb]=$(per_tx "$work/tpcb.sql" guard)
stop_server
if [[ -n ${BASELINE_REF:-} ]]; then
    use baseline
    start_server migration_guard
    R[baseline,select]=$(per_tx "$work/select.sql" baseline); R[baseline,tpcb]=$(per_tx "$work/tpcb.sql" baseline)
    stop_server
    use current
fi

# ms DB [SETTINGS]: median of 3 of one approved DELETE FROM wipe, rolled back.
ms() {
    local db=$1 set=${2:-} runs=()
    for _ in 1 2 3; do
        local token=""
        [[ $db == guard ]] && token=$(psql -X -At -d guard -c "SELECT migration_guard.approve(ARRAY['dml-without-where', 'weaken-guard'], ARRAY['public.wipe', 'migration_guard.keep'], 'bench', 2)")
        runs+=("$(psql -X -At -d "$db" <<SQL | awk '/^Time: / { print $2; exit }'
BEGIN;
SET LOCAL migration_guard.approval = '$token';
$set
\timing on
DELETE FROM wipe;
ROLLBACK;
SQL
)")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}
echo "Measuring one wiping DELETE of $ROWS rows ..."
start_server "" plain
T_bare=$(ms bare "SET client_min_messages = warning;")
stop_server
start_server migration_guard plain
T_off=$(ms guard "SET client_min_messages = warning; SET LOCAL migration_guard.keep = off;")
T_on=$(ms guard "SET client_min_messages = warning;")
stop_server

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
echo
echo "Instructions per transaction (callgrind, $TX transactions, empty session subtracted):"
printf '  %-12s %14s %14s %10s\n' workload bare guard ratio
for w in select tpcb; do
    printf '  %-12s %14s %14s %10s\n' "$w" "${R[bare,$w]}" "${R[guard,$w]}" "$(ratio "${R[guard,$w]}" "${R[bare,$w]}")"
    if [[ -n ${BASELINE_REF:-} ]]; then
        printf '  %-12s %14s %14s %10s   (guard vs %s)\n' "" "${R[baseline,$w]}" "${R[guard,$w]}" \
            "$(ratio "${R[guard,$w]}" "${R[baseline,$w]}")" "$BASELINE_REF"
    fi
done
echo
echo "One wiping DELETE of $ROWS rows, approved (ms, median of 3, rolled back):"
echo "  bare: $T_bare   guard keep=off: $T_off ($(ratio "$T_off" "$T_bare")x)   guard keep=on: $T_on ($(ratio "$T_on" "$T_bare")x)"
