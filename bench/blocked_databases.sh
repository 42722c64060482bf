#!/usr/bin/env bash
# Blocked attempts recorded per second when they come from 1 and from 5 databases at once, this
# build against BASELINE_REF's (the single writer that reconnected per database), in one run: each
# build preloaded in a fresh throwaway cluster; PER_DB blocked DROPs per database, all sessions at
# once; the rate counts from the first statement until the last row is written (or DEADLINE
# seconds). Prints figures and ratios only; never fails on them. Needs `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
PER_DB=${PER_DB:-400}
DEADLINE=${DEADLINE:-60}
BASELINE_REF=${BASELINE_REF:-551e70f}
dir=$(mktemp -d /tmp/mg-bench-dbs.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-work.XXXXXX)
source bench/lib.sh
save_current
build_baseline "$BASELINE_REF"
trap 'scripts/pg-temp.sh stop "$dir" >/dev/null 2>&1 || true; use current; forget_baseline; rm -rf "$work"' EXIT
chmod 755 "$work"

# measure BUILD DATABASES: prints rows per second
measure() {
    use "$1"
    scripts/pg-temp.sh stop "$dir" >/dev/null 2>&1 || true
    mkdir -p "$dir"
    scripts/pg-temp.sh start "$dir" "${PORT:-55493}" "shared_preload_libraries = 'migration_guard'" "autovacuum = off" \
        "max_connections = 50" >/dev/null
    eval "$(scripts/pg-temp.sh env "$dir")"
    local dbs=() i
    for ((i = 1; i <= $2; i++)); do
        dbs+=("bench$i")
        psql -X -q -d postgres -c "CREATE DATABASE bench$i" >/dev/null
        psql -X -q -d "bench$i" -c "CREATE EXTENSION migration_guard" -c "CREATE TABLE kept (id int)" \
            -c "INSERT INTO kept VALUES (1)" >/dev/null
        for ((n = 1; n <= PER_DB; n++)); do echo "DROP TABLE kept /* $n */;"; done >"$work/bench$i.sql"
    done
    chmod -R a+rX "$work"
    local want=$(( $2 * PER_DB )) start now got=0 db
    start=$(date +%s%N)
    for db in "${dbs[@]}"; do psql -X -q -d "$db" -f "$work/$db.sql" >/dev/null 2>&1 & done
    wait
    while :; do
        got=0
        for db in "${dbs[@]}"; do
            got=$(( got + $(psql -X -At -d "$db" -c "SELECT count(*) FROM migration_guard.audit_log WHERE decision = 'blocked'") ))
        done
        now=$(date +%s%N)
        [ "$got" -ge "$want" ] && break
        [ $(( (now - start) / 1000000000 )) -ge "$DEADLINE" ] && break
        sleep 0.2
    done
    scripts/pg-temp.sh stop "$dir" >/dev/null 2>&1 || true
    python3 -c "print(f'{$got * 1e9 / ($now - $start):.1f} {$got} {$want} {($now - $start) / 1e9:.1f}')"
}

printf '%-10s %-9s %12s %14s %10s\n' databases build rows/s recorded seconds
declare -A rate
for n in 1 5; do
    for build in baseline current; do
        read -r r got want secs < <(measure "$build" "$n")
        rate[$build$n]=$r
        printf '%-10s %-9s %12s %14s %10s\n' "$n" "$build" "$r" "$got/$want" "$secs"
    done
    python3 -c "print(f'  {$n} database(s): this build / {\"$BASELINE_REF\"}: {${rate[current$n]} / max(${rate[baseline$n]}, 0.001):.1f}x')"
done
