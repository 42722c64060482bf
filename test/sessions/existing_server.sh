#!/usr/bin/env bash
# docs/setup.md "On an existing Debian or Ubuntu server", run as written: the shell blocks between
# its markers, on a Debian cluster of our own (pg_createcluster 15 mgsetup) instead of 15 main,
# with an application database already there (app, its owner app_owner, a table orders, people
# alice and bob). Then checks what the page promises. Needs the packages in dist/ (scripts/deb.sh)
# or builds them; removes them, the cluster and its configuration afterwards.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
cluster=mgsetup
port=55441
export PGPORT=$port
cleanup() {
  dpkg -r migration-guard postgresql-15-migration-guard >/dev/null 2>&1
  pg_dropcluster 15 "$cluster" --stop >/dev/null 2>&1
  make install >/dev/null 2>&1
}
trap cleanup EXIT
pg_dropcluster 15 "$cluster" --stop >/dev/null 2>&1
pg_createcluster 15 "$cluster" -p "$port" >/dev/null || exit 1
pg_ctlcluster 15 "$cluster" start || exit 1
runuser -u postgres -- psql -X -q <<'SQL'
CREATE ROLE app_owner LOGIN;
CREATE ROLE alice LOGIN;
CREATE ROLE bob LOGIN;
CREATE DATABASE app OWNER app_owner;
SQL
runuser -u postgres -- psql -X -q -d app -c "SET ROLE app_owner" \
  -c "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)" -c "INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g"

# The page's shell blocks, in order: sudo as root is the command itself, 15 main is our cluster.
steps=$(awk '/<!-- existing-server:begin -->/{on=1} /<!-- existing-server:end -->/{on=0}
             on && /^ *```sh$/{code=1; next} on && /^ *```$/{code=0; next} on && code' docs/setup.md |
        sed -e 's/^   //' -e 's/sudo -u postgres /runuser -u postgres -- /' -e 's/^sudo //' -e "s/15 main/15 $cluster/")
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migration_guard.control)
if ls dist/postgresql-15-migration-guard_"$version"_*.deb >/dev/null 2>&1; then
  steps=$(printf '%s\n' "$steps" | sed 's/^make deb .*/: the packages are in dist\/ already/')
fi
out=$(bash -c "$steps" 2>&1)
check "the page's steps ran (packages, preload, restart, extension, roles, a blocked drop)" "migration_guard blocked DROP TABLE" "$out"
check "... the library is preloaded after the restart" "^ *t$" "$(printf '%s\n' "$out" | grep -A2 preloaded | tail -1)"
check "... the extension reports its version" "$version" "$out"
check "... the auditor reads the blocked drop in the audit log" "blocked +\| DROP TABLE +\| \{drop-table" "$out"
check "... and the table is still there" "^100$" "$(runuser -u postgres -- psql -X -At -d app -c 'SELECT count(*) FROM orders')"
check "... preloaded from postgresql.auto.conf" "migration_guard" "$(cat /var/lib/postgresql/15/$cluster/postgresql.auto.conf)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
