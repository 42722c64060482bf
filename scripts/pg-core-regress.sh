#!/usr/bin/env bash
# PostgreSQL 15's own regression suite, twice on temporary instances: once bare, once with the
# guard preloaded and installed in audit mode (it records everything and blocks nothing). Prints
# the tests that fail in each run and the diff of those that fail only with the guard: what the
# guard changes in PostgreSQL's behaviour. Not part of `make test`: it needs a PostgreSQL 15 source
# tree (its src/test/regress and contrib/spi), given as the argument.
#   scripts/pg-core-regress.sh /path/to/postgresql-15-source
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:?usage: pg-core-regress.sh POSTGRESQL_15_SOURCE_TREE}
BIN=/usr/lib/postgresql/15/bin
PGXS_DIR=$("$BIN/pg_config" --pgxs | xargs dirname | xargs dirname)
PG_REGRESS="$PGXS_DIR/test/regress/pg_regress"
INCLUDE=$("$BIN/pg_config" --includedir-server)
work=$(mktemp -d /tmp/mg-core.XXXXXX)
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

# The suite's C helpers: regress.so, and contrib/spi's autoinc and refint for the trigger tests.
mkdir -p "$work/lib"
for c in "$SRC/src/test/regress/regress.c" "$SRC/contrib/spi/autoinc.c" "$SRC/contrib/spi/refint.c"; do
    gcc -O0 -shared -fPIC -I "$INCLUDE" -w "$c" -o "$work/lib/$(basename "$c" .c).so"
done
cp -r "$SRC/src/test/regress" "$work/regress"
cat >"$work/guard.conf" <<CONF
shared_preload_libraries = 'migration_guard'
migration_guard.mode = 'audit'
CONF
chown -R postgres: "$work"

failing() { grep -E "^not ok|\.\.\. FAILED|FAILED \(" "$work/$1.log" | sed -E 's/^(not ok [0-9]+ +- +|test |     )//; s/ .*//' | sort -u; }
run() {  # run NAME [pg_regress options...]; SCHEDULE= another schedule file
    local name=$1
    shift
    echo "== PostgreSQL regression suite: $name =="
    (cd "$work/regress" && as_postgres "$PG_REGRESS" --temp-instance="$work/instance-$name" --bindir="$BIN" \
        --dlpath="$work/lib" --inputdir=. --outputdir="$work/out-$name" --schedule="${SCHEDULE:-parallel_schedule}" \
        --max-connections=4 "$@") >"$work/$name.log" 2>&1 || true
    grep -E "tests (passed|failed)" "$work/$name.log" || true
    echo "failing: $(failing "$name" | tr '\n' ' ')"
}
run bare
run guard --temp-config="$work/guard.conf" --load-extension=migration_guard

# compare BARE GUARDED LABEL [EXPECTED_DIR]: tests that fail only in the guarded run (diffed against
# EXPECTED_DIR, default the bare run's outputs), and tests that fail in both but differently.
compare() {
    local bare=$1 guarded=$2 label=$3 expected=${4:-$work/out-$1/results}
    local only both differ="" t
    only=$(comm -13 <(failing "$bare") <(failing "$guarded" | grep -vx mg_approve_all) || true)
    echo "== ${label}fail only with the guard: $(echo ${only:-none}) =="
    for t in $only; do diff -U3 "$expected/$t.out" "$work/out-$guarded/results/$t.out" | head -80 || true; done
    # A test that fails in both runs can still fail differently: compare the two outputs.
    both=$(comm -12 <(failing "$bare") <(failing "$guarded") || true)
    for t in $both; do
        cmp -s "$work/out-$bare/results/$t.out" "$work/out-$guarded/results/$t.out" || differ="$differ $t"
    done
    echo "== ${label}fail in both runs, differently with the guard:${differ:- none} =="
    for t in $differ; do diff -U3 "$work/out-$bare/results/$t.out" "$work/out-$guarded/results/$t.out" | head -60 || true; done
}
compare bare guard "" "$work/regress/expected"

# A crash anywhere in the guarded run (a backend terminated by a signal) is a failure of the guard,
# whatever the test outputs say: its server log is read, not the bare run's.
crashed() {  # NAME: did the guarded server of that run crash?
    local log="$work/out-$1/log/postmaster.log"
    if [ -f "$log" ] && grep -E "terminated by signal|was terminated by exception|PANIC" "$log"; then
        grep -E -B2 "terminated by signal|was terminated by exception|PANIC" "$log" | grep -E "DETAIL|STATEMENT|Failed process" || true
        echo "== the guarded server of the $1 run crashed (see above) =="
        return 0
    fi
    echo "== no crash in the $1 run ($(basename "$log")) =="
    return 1
}
crashed guard && exit 1

# Enforce mode with everything approved: a first test issues one approval of every rule on every
# object and makes it the database's default, so each statement the guard would block runs
# approved. Each approved statement says so in a NOTICE: both runs hide notices
# (client_min_messages = warning), and tests that show their own NOTICEs differ in both alike.
[ -n "${AUDIT_ONLY:-}" ] && exit 0
cat >"$work/enforce.conf" <<CONF
shared_preload_libraries = 'migration_guard'
migration_guard.mode = 'enforce'
CONF
cat >"$work/regress/sql/mg_approve_all.sql" <<'SQL'
SELECT format('ALTER DATABASE %I SET migration_guard.approval = %L', current_database(),
              migration_guard.approve(ARRAY['*'], ARRAY['*'], 'PostgreSQL core suite: everything approved', 2000000000, '1 day')) \gexec
SQL
touch "$work/regress/expected/mg_approve_all.out"
{ echo "test: mg_approve_all"; cat "$work/regress/parallel_schedule"; } >"$work/regress/approved_schedule"
chown -R postgres: "$work"
PGOPTIONS="-c client_min_messages=warning" run bare-quiet
PGOPTIONS="-c client_min_messages=warning" SCHEDULE=approved_schedule run enforce \
    --temp-config="$work/enforce.conf" --load-extension=migration_guard
compare bare-quiet enforce "enforce, everything approved: "
crashed enforce && exit 1
exit 0
