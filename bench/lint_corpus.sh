#!/usr/bin/env bash
# The linter before and after, on a generated corpus of migration projects in the common tools'
# layouts (bench/gen_corpus.py: up/down files and sections, one project using RLS, psql
# scripts, *.sql.postgres files, a few statements that do not parse). Prints, from one run:
#   - findings per rule, before and after, counted (up migrations) and apart (down, suppressed);
#   - the share of require-lock-timeout and table-without-rls among counted findings;
#   - files with a statement that does not parse, and the statements of them still linted;
#   - files found in the folders;
#   - lint wall time and peak RSS, --jobs 1 and one per core, best of RUNS, as ratios.
# The baseline is the CLI built from BASELINE_REF (default 61cc783, before the linter's layouts,
# suppressions and recovery) in a temporary folder. Never fails on figures.
# Also: instruction counts (callgrind) of one project, the same files, before and after.
# CORPUS=<folder> lints real projects instead, one sub-folder each (bench/real_corpus.sh puts 13
# open-source applications' migrations there).
# Usage: [CORPUS=folder] bench/lint_corpus.sh [path/to/migration-guard]
set -euo pipefail
cd "$(dirname "$0")/.."
MG=$(realpath "${1:-build/migration-guard}")
BASELINE_REF=${BASELINE_REF:-61cc783}
PER=${PER:-300}
RUNS=${RUNS:-3}
CORES=$(nproc)
[[ -x /usr/bin/time ]] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "Building the baseline CLI at $BASELINE_REF ..."
git archive "$BASELINE_REF" | tar -x -C "$T" --one-top-level=base
cmake -S "$T/base" -B "$T/base/build" -DMG_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$T/base/build" -j"$CORES" --target migration-guard >/dev/null
BASE=$T/base/build/migration-guard

if [[ -n ${CORPUS:-} ]]; then
    ln -s "$(realpath "$CORPUS")" "$T/corpus"
    projects=("$T"/corpus/*/)
    one_project=${projects[0]}
else
    python3 bench/gen_corpus.py "$T/corpus" "$PER"
    projects=("$T"/corpus/*)
    one_project=$T/corpus/plain
fi
# One run per project, as a repository's CI runs it (the RLS default looks at the project's own
# files); the reports are merged for the tallies.
lint_all() { # BINARY OUT ARGS...
    local bin=$1 out=$2 p
    shift 2
    for p in "${projects[@]}"; do "$bin" lint --format json "$@" "$p" 2>/dev/null || true; done >"$out"
}
lint_all "$BASE" "$T/before.jsonl" --jobs "$CORES"
lint_all "$MG" "$T/after.jsonl" --no-config --jobs "$CORES"
merge() { python3 -c '
import json, sys
files, statements, folded = [], 0, 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    files += d["files"]
    statements += d["summary"]["statements"]
    folded += d["summary"].get("lock_timeout_folded", 0)
json.dump({"files": files, "summary": {"statements": statements, "lock_timeout_folded": folded}},
          open(sys.argv[2], "w"))' "$1" "$2"; }
merge "$T/before.jsonl" "$T/before.json"
merge "$T/after.jsonl" "$T/after.json"

python3 - "$T/before.json" "$T/after.json" "$T/corpus" <<'PY'
import collections, json, os, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
root = sys.argv[3]
on_disk = sum(len(files) for _, _, files in os.walk(root))

def tally(d, counted_only):
    c = collections.Counter()
    for f in d["files"]:
        for x in f["findings"]:
            if counted_only and (x.get("direction", "up") != "up" or x.get("suppressed")):
                continue
            c[x["rule"]] += 1
    return c

# A baseline that knows down migrations is counted the same way (up only, unsuppressed).
knows_direction = any("direction" in x for f in before["files"] for x in f["findings"])
b, a = tally(before, knows_direction), tally(after, True)
apart = tally(after, False) - a
print(f"\nfiles on disk {on_disk}: linted before {len(before['files'])}, after {len(after['files'])}")
print(f"\n{'rule':30} {'before':>8} {'after':>8} {'apart':>8}   (apart: in down migrations, not counted)")
for rule in sorted(set(b) | set(a) | set(apart), key=lambda r: -(b[r] + a[r])):
    print(f"{rule:30} {b[rule]:8} {a[rule]:8} {apart[rule]:8}")
tb, ta = sum(b.values()), sum(a.values())
print(f"{'total':30} {tb:8} {ta:8} {sum(apart.values()):8}")
for rule in ("require-lock-timeout", "table-without-rls", "backfill-under-lock"):
    print(f"share of {rule}: before {100 * b[rule] / max(tb, 1):.1f}%, after {100 * a[rule] / max(ta, 1):.1f}%")
print(f"require-lock-timeout shown once a project run: {after['summary']['lock_timeout_folded']} more migrations "
      "that need it counted in the summaries, not listed")
# Advisory rules (lock and style advice, low and medium by default): the goal is none above 10%.
advisory = {x["rule"] for f in after["files"] for x in f["findings"]
            if x["category"] in ("availability", "practice", "performance") and x["risk"] in ("low", "medium")}
top = sorted(((100 * a[r] / max(ta, 1), r) for r in advisory), reverse=True)[:3]
print("largest advisory shares after: " + ", ".join(f"{r} {p:.1f}%" for p, r in top)
      + ("  (goal: none above 10%)" if top else ""))
crit_b = sum(1 for f in before["files"] for x in f["findings"] if x["risk"] == "critical")
crit_down = sum(1 for f in after["files"] for x in f["findings"] if x["risk"] == "critical" and x["direction"] != "up")
crit_a = sum(1 for f in after["files"] for x in f["findings"] if x["risk"] == "critical" and x["direction"] == "up")
print(f"critical findings: before {crit_b} (down and up mixed), after {crit_a} counted + {crit_down} in down migrations")
bad_b = [f for f in before["files"] if f.get("error") or f.get("errors")]
bad_a = [f for f in after["files"] if f.get("errors")]
print(f"files with a statement that does not parse: before {len(bad_b)} "
      f"({sum(len(f['findings']) for f in bad_b)} findings from the statements around them), "
      f"after {len(bad_a)}: {sum(len(f['errors']) for f in bad_a)} bad statements reported, "
      f"{sum(len(f['findings']) for f in bad_a)} findings from the statements around them")
print(f"statements: before {before['summary']['statements']}, after {after['summary']['statements']}")
PY

# measure NAME CMD...: best wall time of RUNS and the largest RSS.
declare -A WALL RSS
measure() {
    local name=$1 best="" rss=0 w m
    shift
    for ((run = 1; run <= RUNS; run++)); do
        /usr/bin/time -f '%e %M' -o "$T/time" "$@" >/dev/null 2>&1 || true
        read -r w m < <(tail -1 "$T/time")
        if [[ -z $best ]] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$w; fi
        ((m > rss)) && rss=$m
    done
    WALL[$name]=$best RSS[$name]=$rss
}
for jobs in 1 "$CORES"; do
    measure "before/$jobs" bash -c 'for p in "${@:3}"; do "$1" lint --format json --jobs "$2" "$p"; done' _ "$BASE" "$jobs" "${projects[@]}"
    measure "after/$jobs" bash -c 'for p in "${@:3}"; do "$1" lint --format json --no-config --jobs "$2" "$p"; done' _ "$MG" "$jobs" "${projects[@]}"
done
measure "before/startup" "$BASE" lint --format json /dev/null
measure "after/startup" "$MG" lint --format json --no-config /dev/null
echo
printf '%-12s %12s %12s %10s %12s %12s %10s\n' run "before s" "after s" ratio "before KiB" "after KiB" ratio
for k in 1 "$CORES" startup; do
    b=${WALL[before/$k]} a=${WALL[after/$k]}
    printf '%-12s %12s %12s %10s %12s %12s %10s\n' "jobs $k" "$b" "$a" \
        "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')" \
        "${RSS[before/$k]}" "${RSS[after/$k]}" \
        "$(awk -v a="${RSS[after/$k]}" -v b="${RSS[before/$k]}" 'BEGIN { printf "%.2fx", a / b }')"
done
before_st=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["statements"])' "$T/before.json")
after_st=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["statements"])' "$T/after.json")
awk -v bs="$before_st" -v as="$after_st" -v bt="${WALL[before/1]}" -v at="${WALL[after/1]}" 'BEGIN {
    printf "statements per second, --jobs 1: before %.0f, after %.0f (%.2fx)\n", bs / bt, as / at, (as / at) / (bs / bt) }'
if command -v valgrind >/dev/null; then
    ir() { { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } | awk '/refs:/ { gsub(",", "", $4); print $4 }'; }
    b=$(ir "$BASE" lint --format json --jobs 1 "$one_project")
    a=$(ir "$MG" lint --format json --no-config --jobs 1 "$one_project")
    awk -v a="$a" -v b="$b" -v p="$(basename "$one_project")" 'BEGIN { printf "instructions, project %s (--jobs 1): before %.0f, after %.0f (%.2fx)\n", p, b, a, a / b }'
    # Every project, per statement linted (the after runs lint the statements the before ones lost).
    irall() { local p s=0 n; for p in "${projects[@]}"; do n=$(ir "$@" "$p"); s=$((s + n)); done; echo "$s"; }
    b=$(irall "$BASE" lint --format json --jobs 1)
    a=$(irall "$MG" lint --format json --no-config --jobs 1)
    awk -v a="$a" -v b="$b" -v bs="$before_st" -v as="$after_st" 'BEGIN {
        printf "instructions, every project (--jobs 1): before %.0f (%.0f a statement), after %.0f (%.0f a statement): %.2fx a statement\n",
            b, b / bs, a, a / as, (a / as) / (b / bs) }'
fi
[[ -n ${CORPUS:-} ]] || echo "(the after runs lint more: the files and statements the before runs lost, a first pass for RLS)"
