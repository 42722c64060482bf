#!/usr/bin/env bash
# Runs the isolation specs (test/isolation/specs) with pg_isolation_regress against temporary
# PostgreSQL 15 instances, as the postgres OS user: the specs of ISOLATION_PRELOAD (Makefile)
# with the guard preloaded, the others without. The extension must be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}  # another major: PG_BIN=<its bindir>
PGXS_DIR=$("$BIN/pg_config" --pgxs | xargs dirname | xargs dirname)
ISOLATION="$PGXS_DIR/test/isolation/pg_isolation_regress"

work=$(mktemp -d /tmp/mg-isolation.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r test/isolation/specs test/isolation/expected "$work/"
cp test/regress/preload.conf "$work/preload.conf"
chown -R postgres: "$work"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
read -r -a preload_specs <<<"$(make -s print-ISOLATION_PRELOAD)"
mapfile -t plain_specs < <(cd test/isolation/specs && ls *.spec | sed 's/\.spec$//' | grep -vxF -f <(printf '%s\n' "${preload_specs[@]}"))

# run NAME EXTRA_OPTION SPEC...
run() {
  local name=$1 extra=$2
  shift 2
  mkdir -p "$work/$name" && chown postgres: "$work/$name"
  if ! as_postgres "$ISOLATION" --temp-instance="$work/$name/instance" --bindir="$BIN" --inputdir="$work" \
      --outputdir="$work/$name/out" --load-extension=migration_guard ${extra:+"$extra"} "$@"; then
    [ -f "$work/$name/out/regression.diffs" ] && cat "$work/$name/out/regression.diffs"
    mkdir -p "${RESULTS_DIR:-results}/isolation" && cp -r "$work/$name/out/results/." "${RESULTS_DIR:-results}/isolation/" 2>/dev/null || true
    return 1
  fi
}
status=0
run plain "" "${plain_specs[@]}" || status=1
run preload "--temp-config=$work/preload.conf" "${preload_specs[@]}" || status=1
exit $status
