#!/usr/bin/env bash
# Runs the isolation specs (test/isolation/specs) with pg_isolation_regress against a temporary
# PostgreSQL 15 instance, as the postgres OS user. The extension must be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=/usr/lib/postgresql/15/bin
PGXS_DIR=$("$BIN/pg_config" --pgxs | xargs dirname | xargs dirname)
ISOLATION="$PGXS_DIR/test/isolation/pg_isolation_regress"

work=$(mktemp -d /tmp/mg-isolation.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r test/isolation/specs test/isolation/expected "$work/"
chown -R postgres: "$work"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
mapfile -t specs < <(cd test/isolation/specs && ls *.spec | sed 's/\.spec$//')
if ! as_postgres "$ISOLATION" --temp-instance="$work/instance" --bindir="$BIN" --inputdir="$work" \
    --outputdir="$work/out" --load-extension=migration_guard "${specs[@]}"; then
  [ -f "$work/out/regression.diffs" ] && cat "$work/out/regression.diffs"
  mkdir -p results/isolation && cp -r "$work/out/results/." results/isolation/ 2>/dev/null || true
  exit 1
fi
