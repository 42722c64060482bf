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
