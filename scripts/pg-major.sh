#!/usr/bin/env bash
# The server suites on another PostgreSQL major: builds that major from Debian's source package
# (once; cached under MG_PG_ROOT), builds and installs the guard for it, and runs the pg_regress
# suites (plain, preload, locked) and the isolation specs against temporary instances of it.
#   scripts/pg-major.sh 18
# Debian's postgresql-MAJOR source (18 from sid, 17 from trixie) comes through a private apt
# configuration (the system's sources are never changed); bookworm's bison and flex build it (about
# 5 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: pg-major.sh MAJOR}
root=${MG_PG_ROOT:-/var/cache/migration-guard}
prefix=$root/pg$major
if [ ! -x "$prefix/bin/postgres" ]; then
    echo "Building PostgreSQL $major from Debian's source package into $prefix ..."
    command -v bison >/dev/null && command -v flex >/dev/null || {
        apt-get update -qq >/dev/null && apt-get install -y -qq bison flex >/dev/null
    }
    apt=$root/apt
    mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$root/src"
    printf '%s\n' "deb-src http://deb.debian.org/debian sid main" \
        "deb-src http://deb.debian.org/debian trixie main" \
        "deb-src http://deb.debian.org/debian-security trixie-security main" >"$apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt")
    apt-get "${opts[@]}" update -qq >/dev/null
    (cd "$root/src" && apt-get "${opts[@]}" source --download-only "postgresql-$major" >/dev/null 2>&1) || {
        # The mirror may lack the newest upload's files (trixie-security's 17.12); an earlier
        # release's tarball from the same pool serves.
        for version in ${MG_PG_FALLBACK_VERSIONS:-17.11 17.10}; do
            [ "${version%%.*}" = "$major" ] || continue
            curl -fsSL -o "$root/src/postgresql-${major}_$version.orig.tar.bz2" \
                "http://deb.debian.org/debian/pool/main/p/postgresql-$major/postgresql-${major}_$version.orig.tar.bz2" && break
        done
    }
    tarball=$(ls "$root/src"/postgresql-"$major"_*.orig.tar.bz2 | tail -1)
    rm -rf "$root/src"/postgresql-"$major".*/
    tar -xjf "$tarball" -C "$root/src"
    tree=$(ls -d "$root/src"/postgresql-"$major".*/ | tail -1)
    # Under `make test`, make's own variables would tell PostgreSQL's build that it is a sub-make
    # (MAKELEVEL > 0), which skips generating its headers.
    unset MAKELEVEL MAKEFLAGS MFLAGS
    (cd "$tree" && ./configure --prefix="$prefix" --without-icu --without-readline >"$root/configure-$major.log" 2>&1 \
        && make -j2 >"$root/make-$major.log" 2>&1 && make install >/dev/null && make -C contrib/citext install >/dev/null) \
        || { tail -20 "$root/configure-$major.log" "$root/make-$major.log" 2>/dev/null; exit 1; }
    chmod -R a+rX "$root"
fi
version=$("$prefix/bin/pg_config" --version)
echo "== $version ($prefix) =="
make install PG_CONFIG="$prefix/bin/pg_config" BUILD_DIR="build-pg$major" CMAKE_ARGS=-DMG_BUILD_TESTS=OFF \
    CMAKE_TARGET=migration_guard >/dev/null
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
{
  failures=0
  PG_BIN=$prefix/bin RESULTS_DIR=results-pg$major scripts/run-regress.sh || failures=1
  PG_BIN=$prefix/bin RESULTS_DIR=results-pg$major scripts/run-isolation.sh || failures=1
  # A scripted session with that major's own psql and pg_dump: a migration, its undo, the schema
  # dump equal to the one before, the recycle bin across a restart.
  PG_BIN=$prefix/bin bash test/sessions/rollback.sh || failures=1
  # What that major adds: SET EXPRESSION's undo, VIRTUAL columns and NOT VALID NOT NULL through
  # the bin, NOT ENFORCED as a way around the guard.
  PG_BIN=$prefix/bin bash test/sessions/majors.sh || failures=1
  exit $failures
} 2>&1 | tee "$log" || status=1
# pg_regress of 16+ and the session both print TAP-like "ok"/"not ok" lines: one count for all.
echo "$(grep -c '^ok ' "$log") passed, $(grep -c '^not ok ' "$log") failed"
exit $status
