#!/usr/bin/env bash
# How many blocked attempts reach the audit log under load, and how fast: SESSIONS sessions each
# run PER_SESSION blocked statements (each its own transaction) at the same time, against one
# preloaded throwaway server, once with the long-lived writer (migration_guard.blocked_writer =
# queue, the default) and once with a background worker per attempt (= worker, the design it
# replaces), in the same run. Prints attempts, rows recorded, the time until the last row was
# written, and ratios queue/worker. Prints figures only: never fails on timing.
# Needs `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${SESSIONS:-8}
PER_SESSION=${PER_SESSION:-500}
dir=$(mktemp -d /tmp/mg-bench.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-work.XXXXXX)
trap 'scripts/pg-temp.sh stop "$dir"; rm -rf "$work"' EXIT
scripts/pg-temp.sh start "$dir" "${PORT:-55474}" "shared_preload_libraries = 'migration_guard'" "autovacuum = off" \
    "max_connections = 50"
eval "$(scripts/pg-temp.sh env "$dir")"
psql() { command psql -X -q "$@"; }
psql -d postgres -v ON_ERROR_STOP=1 -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE kept (id bigint)" \
    -c "INSERT INTO kept VALUES (1)" >/dev/null
for ((s = 1; s <= SESSIONS; s++)); do
    for ((i = 1; i <= PER_SESSION; i++)); do echo "DROP TABLE kept /* s$s-$i */;"; done >"$work/s$s.sql"
done
chmod -R a+rX "$work"
attempts=$((SESSIONS * PER_SESSION))

count() { psql -d postgres -At -c "SELECT count(*) FROM migration_guard.blocked_attempts WHERE statement LIKE 'DROP TABLE kept /* s%'"; }

# run MODE: sets RECORDED and MS (from the first statement to the last row written).
run() {
    echo "migration_guard.blocked_writer = '$1'" >>"$dir/data/postgresql.conf"
    psql -d postgres -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    local before start end last=-1 now stable=0
    before=$(count)
    start=$(date +%s%N)
    for ((s = 1; s <= SESSIONS; s++)); do psql -d postgres -f "$work/s$s.sql" >/dev/null 2>&1 & done
    wait
    # Rows keep arriving after the sessions are done: wait until the count stops moving.
    end=$(date +%s%N)
    for _ in $(seq 1 600); do
        now=$(count)
        if [[ $now == "$last" ]]; then stable=$((stable + 1)); else stable=0; end=$(date +%s%N); fi
        last=$now
        ((stable >= 10)) && break
        sleep 0.1
    done
    RECORDED=$((last - before))
    MS=$(((end - start) / 1000000))
}

run queue
q_rows=$RECORDED q_ms=$MS
run worker
w_rows=$RECORDED w_ms=$MS
psql -d postgres -c "SELECT blocked_queued, blocked_written, blocked_dropped, blocked_overflowed FROM migration_guard.audit_status()"
printf '%-8s %9s %9s %10s %9s\n' writer attempts recorded "ms" "rows/s"
for m in queue worker; do
    if [[ $m == queue ]]; then r=$q_rows t=$q_ms; else r=$w_rows t=$w_ms; fi
    awk -v m="$m" -v a="$attempts" -v r="$r" -v t="$t" 'BEGIN { printf "%-8s %9d %9d %10d %9.0f\n", m, a, r, t, r * 1000 / (t > 0 ? t : 1) }'
done
awk -v qr="$q_rows" -v wr="$w_rows" -v qt="$q_ms" -v wt="$w_ms" -v a="$attempts" \
    'BEGIN { printf "recorded: queue %.1f%%, worker %.1f%% of attempts; time queue/worker %.2fx\n", qr * 100 / a, wr * 100 / a, qt / (wt > 0 ? wt : 1) }'
