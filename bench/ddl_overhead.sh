#!/usr/bin/env bash
# What the guard costs per DDL statement: a 2,000-statement additive migration (CREATE TABLE,
# CREATE INDEX, ADD COLUMN on tables it created, nothing blocked) run with `psql -1 -f`, in a
# database without the extension ("bare") and in one with it ("guard"), on one preloaded
# throwaway server. With BASELINE_REF=<commit>, that commit's library is built and measured in
# the same run ("guard@REF"), so a change's cost is a ratio of two numbers taken side by side.
# Figures are the best of RUNS wall-clock runs; ratios are against "bare" measured in this run.
# Prints figures only: timing never makes this script fail. Needs `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
RUNS=${RUNS:-5}
dir=$(mktemp -d /tmp/mg-bench.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-work.XXXXXX)
source bench/lib.sh
save_current
cleanup() {
    use current
    scripts/pg-temp.sh stop "$dir"
    if [[ -n ${BASELINE_REF:-} ]]; then forget_baseline; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [[ -n ${BASELINE_REF:-} ]]; then build_baseline "$BASELINE_REF"; fi

additive_migration "$N" "$work/migration.sql"
chmod -R a+rX "$work"

scripts/pg-temp.sh start "$dir" "${PORT:-55473}" "shared_preload_libraries = 'migration_guard'" "autovacuum = off"
eval "$(scripts/pg-temp.sh env "$dir")"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# best_ms DB: best wall time of RUNS runs of the migration, each in a schema of its own.
best_ms() {
    local db=$1 best=0 run start end ms
    for ((run = 1; run <= RUNS; run++)); do
        psql -d "$db" -c "CREATE SCHEMA bench_$run" >/dev/null
        start=$(date +%s%N)
        PGOPTIONS="-c search_path=bench_$run" psql -d "$db" -1 -f "$work/migration.sql" >/dev/null
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        if ((best == 0 || ms < best)); then best=$ms; fi
    done
    echo "$best"
}

setup() {
    psql -d postgres -c "DROP DATABASE IF EXISTS bare" -c "DROP DATABASE IF EXISTS guard" >/dev/null 2>&1 || true
    psql -d postgres -c "CREATE DATABASE bare" -c "CREATE DATABASE guard" >/dev/null
    psql -d guard -c "CREATE EXTENSION migration_guard" >/dev/null
}

report() {  # NAME MS BARE_MS
    awk -v name="$1" -v ms="$2" -v bare="$3" -v n="$N" \
        'BEGIN { printf "%-22s %8d ms  %7.1f us/statement  %5.2fx bare\n", name, ms, ms * 1000 / n, ms / bare }'
}

echo "Migration: $N additive statements in one transaction; best of $RUNS runs."
results=()
if [[ -n ${BASELINE_REF:-} ]]; then
    use baseline
    scripts/pg-temp.sh restart "$dir"
    setup
    base_bare=$(best_ms bare)
    base_guard=$(best_ms guard)
    results+=("$(report "bare (REF loaded)" "$base_bare" "$base_bare")" "$(report "guard@$BASELINE_REF" "$base_guard" "$base_bare")")
    use current
    scripts/pg-temp.sh restart "$dir"
fi
setup
bare=$(best_ms bare)
guard=$(best_ms guard)
results+=("$(report "bare" "$bare" "$bare")" "$(report "guard (this tree)" "$guard" "$bare")")
printf '%s\n' "${results[@]}"
if [[ -n ${BASELINE_REF:-} ]]; then
    awk -v a="$guard" -v ab="$bare" -v b="$base_guard" -v bb="$base_bare" \
        'BEGIN { printf "guard overhead per statement, this tree vs %s: %.2fx\n", "'"$BASELINE_REF"'", ((a - ab) / (b - bb)) }'
fi
