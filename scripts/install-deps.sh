#!/usr/bin/env bash
# Installs what building and testing migration_guard needs on Debian 12 (bookworm), as root.
# Does nothing when everything is already there.
set -euo pipefail
packages=(postgresql-15 postgresql-server-dev-15 libpq-dev libpg-query-dev libprotobuf-c-dev cmake g++ make
          libgtest-dev python3 clang libclang-rt-14-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's package may start its default cluster; migration_guard's scripts use throwaway
  # clusters of their own, so leave no server running that nobody asked for.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql-15; then
    pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
fi

# The CLI parses with libpg_query 17 (PostgreSQL 17's grammar) and reads its trees through
# PostgreSQL 17's headers. bookworm ships only libpg_query 15, so both come unpacked (never
# installed) from Debian trixie's packages through a private apt configuration; the system's
# sources are not changed. CMake finds them in MG_PG_QUERY_ROOT.
pg_query_root=${MG_PG_QUERY_ROOT:-/var/cache/migration-guard/pg_query17}
if [ ! -f "$pg_query_root/lib/libpg_query.a" ]; then
  if [ "$(id -u)" -ne 0 ] && [ ! -w "$(dirname "$pg_query_root")" ]; then
    echo "libpg_query 17 missing in $pg_query_root (run as root, or MG_PG_QUERY_ROOT=<writable dir>)" >&2
    exit 1
  fi
  echo "fetching libpg_query 17 and PostgreSQL 17 headers from Debian trixie into $pg_query_root"
  work=$(mktemp -d)
  mkdir -p "$work/apt/lists/partial" "$work/apt/archives/partial" "$work/debs"
  printf '%s\n' "deb http://deb.debian.org/debian trixie main" \
    "deb http://deb.debian.org/debian-security trixie-security main" >"$work/apt/sources.list"
  opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt" -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq >/dev/null
  (cd "$work/debs" && apt-get "${opts[@]}" download libpg-query-dev postgresql-server-dev-17 >/dev/null 2>&1)
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/x"; done
  rm -rf "$pg_query_root" && mkdir -p "$pg_query_root/lib" "$pg_query_root/include"
  cp "$work"/x/usr/lib/*/libpg_query.a "$pg_query_root/lib/"
  cp -r "$work"/x/usr/include/pg_query.h "$work"/x/usr/include/pg_query "$pg_query_root/include/"
  cp -r "$work"/x/usr/include/postgresql/17/server "$pg_query_root/server"
  chmod -R a+rX "$pg_query_root"
  rm -rf "$work"
fi
