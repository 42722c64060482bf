#!/usr/bin/env bash
# Throughput of `migration-guard lint --format json` on a realistic 50,000-statement migration
# compared with a baseline of as many `SELECT 1;` statements (parsing and reporting alone).
# Prints figures only: timing never makes this script fail.
# Usage: bench/cli_throughput.sh [path/to/migration-guard] [statements]
set -euo pipefail

MG=${1:-build/migration-guard}
N=${2:-50000}
RUNS=3
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ ! -x $MG ]]; then
    echo "migration-guard binary not found or not executable: $MG" >&2
    exit 2
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 "$HERE/gen_migration.py" realistic "$N" "$T/realistic.sql"
python3 "$HERE/gen_migration.py" baseline "$N" "$T/baseline.sql"

# Peak RSS only when GNU time is already there; nothing is installed for it.
TIME_V=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then TIME_V=/usr/bin/time; fi

# measure FILE: sets BEST_NS and PEAK_KB (best wall time, largest RSS over the runs).
measure() {
    local file=$1 run start end elapsed rc kb
    BEST_NS=0
    PEAK_KB=0
    for ((run = 1; run <= RUNS; run++)); do
        rc=0
        start=$(date +%s%N)
        if [[ -n $TIME_V ]]; then
            "$TIME_V" -v -o "$T/time.txt" "$MG" lint --format json "$file" >"$T/out.json" || rc=$?
        else
            "$MG" lint --format json "$file" >"$T/out.json" || rc=$?
        fi
        end=$(date +%s%N)
        if [[ $rc -ne 0 && $rc -ne 1 ]]; then
            echo "lint of $(basename "$file") failed with exit $rc" >&2
            head -c 2000 "$T/out.json" >&2
            exit 1
        fi
        elapsed=$((end - start))
        if [[ $BEST_NS -eq 0 || $elapsed -lt $BEST_NS ]]; then BEST_NS=$elapsed; fi
        if [[ -n $TIME_V ]]; then
            kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$T/time.txt")
            if [[ -n $kb && $kb -gt $PEAK_KB ]]; then PEAK_KB=$kb; fi
        fi
    done
    # The figures are only meaningful if every statement was seen.
    python3 - "$T/out.json" "$N" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
if s["statements"] != int(sys.argv[2]):
    sys.exit(f"expected {sys.argv[2]} statements, the linter saw {s['statements']}")
PYEOF
}

report() {
    local name=$1 file=$2
    local bytes rate
    bytes=$(wc -c <"$file")
    rate=$(python3 -c "print(f'{$N / ($BEST_NS / 1e9):,.0f}')")
    printf '%-10s %8d statements  %6.1f MB  best of %d: %8.1f ms  %12s statements/s' \
        "$name" "$N" "$(python3 -c "print($bytes / 1e6)")" "$RUNS" \
        "$(python3 -c "print($BEST_NS / 1e6)")" "$rate"
    if [[ -n $TIME_V ]]; then
        printf '  peak RSS %6.1f MB' "$(python3 -c "print($PEAK_KB / 1024)")"
    fi
    printf '\n'
}

measure "$T/realistic.sql"
REAL_NS=$BEST_NS
report realistic "$T/realistic.sql"
measure "$T/baseline.sql"
BASE_NS=$BEST_NS
report baseline "$T/baseline.sql"

# Throughput ratio: how fast realistic statements go relative to trivial ones.
python3 -c "print(f'ratio realistic/baseline (statements/s): {$BASE_NS / $REAL_NS:.2f}')"
if [[ -z $TIME_V ]]; then echo "peak RSS: skipped (/usr/bin/time -v not available)"; fi
