#!/usr/bin/env bash
# Lint wall time, CPU time and peak memory of `migration-guard lint` on a generated corpus of
# FILES migration files (bench/gen_migration.py corpus), with one thread and with one per core,
# against squawk 2.66 (npm squawk-cli@2.66.0, installed once into a cache folder) on the same
# files. Best of RUNS runs each. Prints figures and ratios only; never fails on them.
# Usage: bench/lint_vs_squawk.sh [path/to/migration-guard]
set -euo pipefail
MG=$(realpath "${1:-build/migration-guard}")
FILES=${FILES:-5000}
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/migration-guard-bench
SQUAWK_VERSION=2.66.0
CORES=$(nproc)
[[ -x $MG ]] || { echo "migration-guard binary not found: $MG" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }

squawk=$CACHE/squawk-$SQUAWK_VERSION/node_modules/.bin/squawk
if [[ ! -x $squawk ]]; then
    echo "Installing squawk-cli@$SQUAWK_VERSION into $CACHE ..."
    mkdir -p "$CACHE/squawk-$SQUAWK_VERSION"
    npm install --prefix "$CACHE/squawk-$SQUAWK_VERSION" --no-audit --no-fund --silent "squawk-cli@$SQUAWK_VERSION" >/dev/null
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$HERE/gen_migration.py" corpus "$FILES" "$T/corpus"
files=("$T"/corpus/*.sql)
statements=$(cat "${files[@]}" | grep -c ';$' || true)

# measure NAME CMD...: best wall time of RUNS, with its CPU time and the largest RSS.
declare -A WALL CPU RSS
measure() {
    local name=$1 best="" cpu="" rss=0 w u s m
    shift
    for ((run = 1; run <= RUNS; run++)); do
        /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$@" >/dev/null 2>&1 || true
        read -r w u s m < <(tail -1 "$T/time")
        if [[ -z $best ]] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$w
            cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        fi
        ((m > rss)) && rss=$m
    done
    WALL[$name]=$best CPU[$name]=$cpu RSS[$name]=$rss
}

measure "migration-guard --jobs 1" "$MG" lint --format json --jobs 1 "${files[@]}"
measure "migration-guard --jobs $CORES" "$MG" lint --format json --jobs "$CORES" "${files[@]}"
measure "squawk $SQUAWK_VERSION" "$squawk" "${files[@]}"

echo "Corpus: $FILES files, ~$statements statements; $CORES cores; best of $RUNS runs."
for name in "migration-guard --jobs 1" "migration-guard --jobs $CORES" "squawk $SQUAWK_VERSION"; do
    printf '  %-28s wall %6.2f s   cpu %6.2f s   peak RSS %7d KB\n' "$name" "${WALL[$name]}" "${CPU[$name]}" "${RSS[$name]}"
done
awk -v s="${WALL[squawk $SQUAWK_VERSION]}" -v p="${WALL[migration-guard --jobs $CORES]}" -v one="${WALL[migration-guard --jobs 1]}" \
    -v sc="${CPU[squawk $SQUAWK_VERSION]}" -v pc="${CPU[migration-guard --jobs $CORES]}" -v c="$CORES" 'BEGIN {
    printf "  wall time: squawk / migration-guard --jobs %d = %.1fx (goal: at least 5x)\n", c, s / p
    printf "  cpu time:  squawk / migration-guard = %.1fx\n", sc / pc
    printf "  scaling:   --jobs 1 / --jobs %d = %.2fx on %d cores\n", c, one / p, c
}'
