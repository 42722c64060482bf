#!/usr/bin/env bash
# Debian packages with Debian's own extension tooling (debian/: pg_buildext, debian/pgversions):
# postgresql-<major>-migration-guard for each installed major of debian/pgversions, and
# migration-guard (the CLI), versioned with the extension. Built from a copy of the tree into dist/.
#   scripts/deb.sh           build
#   scripts/deb.sh --test    build, then install them with dpkg -i, run the pg_regress suites
#                            against the installed files (preloaded ones included), check the CLI
#                            and its man page, remove them with dpkg -r and check that nothing is
#                            left; `make install` puts the working tree's build back afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migration_guard.control)
head -1 debian/changelog | grep -q "($version)" || { echo "debian/changelog is not at $version" >&2; exit 1; }
missing=()
for p in debhelper postgresql-server-dev-all fakeroot; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/migration-guard-$version
mkdir -p "$src" dist
git ls-files -co --exclude-standard | grep -v '^dist/' | tar -cf - -T - | tar -xf - -C "$src"
echo "Building the packages (dpkg-buildpackage -b) ..."
(cd "$src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || { tail -30 "$work/build.log"; exit 1; }
rm -f dist/*.deb
mv "$work"/*.deb dist/
ls dist/*.deb
[ "${1:-}" = --test ] || exit 0

source test/sessions/lib.sh
trap 'rm -rf "$work"; make install >/dev/null 2>&1 || true' EXIT
debs=(dist/postgresql-*-migration-guard_"$version"_*.deb dist/migration-guard_"$version"_*.deb)
dpkg -i "${debs[@]}" >/dev/null
check "the packages install with dpkg -i" "install ok installed" "$(dpkg-query -W -f='${Status}\n' migration-guard postgresql-15-migration-guard)"
libdir=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
check "the extension's library is the package's" "postgresql-15-migration-guard" "$(dpkg -S "$libdir/migration_guard.so" 2>&1)"
check "the CLI is the package's, at $version" "^migration-guard $version " "$(/usr/bin/migration-guard --version)"
check "its man page is installed" "migration-guard.1" "$(man -w migration-guard 2>&1)"
status=0
out=$(scripts/run-regress.sh 2>&1) || status=$?
check "the pg_regress suites pass against the installed package (plain, preloaded, locked)" "^0$" "$status"
[ "$status" = 0 ] || printf '%s\n' "$out" | tail -30
files=$(for d in "${debs[@]}"; do dpkg -c "$d" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$'; done)
dpkg -r migration-guard postgresql-15-migration-guard >/dev/null
left=$(for f in $files; do if [ -e "$f" ]; then echo "$f"; fi; done)
check "dpkg -r leaves none of their files behind" "^none$" "${left:-none}"
check "... and no package state" "^none$" "$(dpkg -l 'migration-guard' 'postgresql-15-migration-guard' 2>/dev/null | grep -E '^(ii|rc)' || echo none)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
