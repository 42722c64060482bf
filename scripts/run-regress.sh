#!/usr/bin/env bash
# Runs the pg_regress suites against a temporary PostgreSQL 15 instance (created and removed by
# pg_regress itself, as the postgres OS user). The extension must be installed (make install).
#   run-regress.sh [TEST...]     default: every test of the Makefile's REGRESS list
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=/usr/lib/postgresql/15/bin
PGXS_DIR=$("$BIN/pg_config" --pgxs | xargs dirname | xargs dirname)
PG_REGRESS="$PGXS_DIR/test/regress/pg_regress"

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  read -r -a tests <<<"$(sed -n 's/^REGRESS *= *//p' Makefile)"
fi

work=$(mktemp -d /tmp/mg-regress.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The postgres user may not be able to read the checkout (e.g. under /root): give it a copy.
cp -r sql expected "$work/"
python3 scripts/gen-parity.py "$work/sql/parity_cases.tsv"
chown -R postgres: "$work"

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
status=0
as_postgres "$PG_REGRESS" --temp-instance="$work/instance" --bindir="$BIN" \
  --inputdir="$work" --outputdir="$work/out" --load-extension=migration_guard \
  ${MG_REGRESS_OPTS:-} "${tests[@]}" || status=$?
if [ $status -ne 0 ] && [ -f "$work/out/regression.diffs" ]; then
  cat "$work/out/regression.diffs"
  mkdir -p results && cp -r "$work/out/results/." results/ 2>/dev/null || true
  echo "(actual outputs copied to ./results/)"
fi
exit $status
