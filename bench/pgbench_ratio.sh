#!/usr/bin/env bash
# What ordinary traffic pays for the guard: pgbench select-only (-S) and tpcb-like throughput on
# a server with the guard preloaded and installed, against a bare server (nothing preloaded), both
# throwaway clusters running side by side with the same settings. Runs are interleaved (bare,
# guard, guard, bare, ...) over ROUNDS rounds of SECONDS each, so drift on a shared machine hits
# both alike; the figure is the ratio of the medians. Prints figures only; never fails on them.
# Needs `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-15}
SCALE=${SCALE:-5}
CLIENTS=${CLIENTS:-2}
bare=$(mktemp -d /tmp/mg-bench-bare.XXXXXX)
guard=$(mktemp -d /tmp/mg-bench-guard.XXXXXX)
cleanup() {
    scripts/pg-temp.sh stop "$bare" >/dev/null 2>&1 || true
    scripts/pg-temp.sh stop "$guard" >/dev/null 2>&1 || true
}
trap cleanup EXIT

common=("shared_buffers = 256MB" "autovacuum = off" "synchronous_commit = off" "max_connections = 20")
scripts/pg-temp.sh start "$bare" "${BARE_PORT:-55481}" "${common[@]}" >/dev/null
scripts/pg-temp.sh start "$guard" "${GUARD_PORT:-55482}" "shared_preload_libraries = 'migration_guard'" "${common[@]}" >/dev/null

on() { (eval "$(scripts/pg-temp.sh env "$1")"; shift; "$@"); }
for d in "$bare" "$guard"; do
    on "$d" psql -X -q -d postgres -c "CREATE DATABASE bench" >/dev/null
    on "$d" pgbench -q -i -s "$SCALE" bench >/dev/null 2>&1
done
# Installed after pgbench's own set-up, which drops and recreates its tables.
on "$guard" psql -X -q -d bench -c "CREATE EXTENSION migration_guard" >/dev/null

# tps SERVER MODE: one run's transactions per second.
tps() {
    local args=(-n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PER_RUN")
    [[ $2 == select-only ]] && args+=(-S)
    on "$1" pgbench "${args[@]}" bench 2>/dev/null | awk '/^tps = / { printf "%.0f\n", $3 }'
}

declare -A runs
for ((round = 1; round <= ROUNDS; round++)); do
    for mode in select-only tpcb-like; do
        if ((round % 2)); then order=(bare guard); else order=(guard bare); fi
        for who in "${order[@]}"; do
            if [[ $who == bare ]]; then d=$bare; else d=$guard; fi
            runs[$who,$mode]+="$(tps "$d" "$mode") "
        done
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "pgbench, scale $SCALE, $CLIENTS clients, $ROUNDS interleaved rounds of ${SECONDS_PER_RUN} s; median tps:"
for mode in select-only tpcb-like; do
    b=$(median <<<"${runs[bare,$mode]}")
    g=$(median <<<"${runs[guard,$mode]}")
    awk -v m="$mode" -v b="$b" -v g="$g" -v rb="${runs[bare,$mode]}" -v rg="${runs[guard,$mode]}" 'BEGIN {
        printf "  %-12s bare %10.1f   guard %10.1f   guard/bare %.3fx (goal: at least 0.99x)\n", m, b, g, g / b
        printf "  %-12s runs: bare %s| guard %s\n", "", rb, rg
    }'
done
