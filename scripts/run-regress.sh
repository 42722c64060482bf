#!/usr/bin/env bash
# Runs the pg_regress suites, each against a temporary PostgreSQL 15 instance that pg_regress
# creates and removes itself (as the postgres OS user). The extension must be installed.
#   run-regress.sh                 every suite: plain, preloaded, locked
#   run-regress.sh SUITE [TEST..]  one suite (plain|preload|locked), optionally some tests of it
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}  # another major: PG_BIN=<its bindir>
PGXS_DIR=$("$BIN/pg_config" --pgxs | xargs dirname | xargs dirname)
PG_REGRESS="$PGXS_DIR/test/regress/pg_regress"

make_list() { make -s --no-print-directory "print-$1"; }
declare -A suite_tests suite_conf
suite_tests[plain]=$(make_list REGRESS)
suite_tests[preload]=$(make_list REGRESS_PRELOAD)
suite_tests[locked]=$(make_list REGRESS_LOCKED)
suite_conf[plain]=test/regress/plain.conf
suite_conf[preload]=test/regress/preload.conf
suite_conf[locked]=test/regress/locked.conf

suites=(plain preload locked)
if [ $# -gt 0 ]; then suites=("$1"); shift; fi

work=$(mktemp -d /tmp/mg-regress.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The postgres user may not be able to read the checkout (e.g. under /root): give it a copy.
cp -r sql expected test/regress "$work/"
python3 scripts/gen-parity.py "$work/sql/parity_cases.tsv"
chown -R postgres: "$work"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

status=0
for suite in "${suites[@]}"; do
  if [ $# -gt 0 ]; then tests=("$@"); else read -r -a tests <<<"${suite_tests[$suite]}"; fi
  conf=()
  [ -n "${suite_conf[$suite]}" ] && conf=(--temp-config="$work/regress/$(basename "${suite_conf[$suite]}")")
  echo "== pg_regress suite: $suite =="
  out="$work/out-$suite"
  if ! as_postgres "$PG_REGRESS" --temp-instance="$work/instance-$suite" --bindir="$BIN" "${conf[@]}" \
      --inputdir="$work" --outputdir="$out" --dbname=contrib_regression --load-extension=migration_guard "${tests[@]}"; then
    status=1
    [ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
    mkdir -p "${RESULTS_DIR:-results}" && cp -r "$out/results/." "${RESULTS_DIR:-results}/" 2>/dev/null || true
    echo "(actual outputs copied to ${RESULTS_DIR:-results}/)"
  fi
done
exit $status
