#!/usr/bin/env bash
# Time of migration_guard.verify() (wall clock, median of 5) on a database with T tables (default
# 10,000: each with an identity key, a foreign key to the previous one without an index, a
# timestamp column), against the same call on an empty database in the same run. Also verify()
# scoped to one migration on the large database. Prints figures and ratios only. Needs
# `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${T:-10000}
PORT=${PORT:-55476}
dir=$(mktemp -d /tmp/mg-bench-verify.XXXXXX)
trap 'scripts/pg-temp.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
scripts/pg-temp.sh start "$dir" "$PORT" "autovacuum = off" "max_locks_per_transaction = 256"
eval "$(scripts/pg-temp.sh env "$dir")"
sql() { psql -X -q -At -d "$1" -c "$2"; }
sql postgres "CREATE DATABASE empty" && sql postgres "CREATE DATABASE large"
sql empty "CREATE EXTENSION migration_guard"
sql large "CREATE EXTENSION migration_guard"
echo "Creating $T tables ..."
python3 - "$T" >"$dir/schema.sql" <<'PY'
import sys
t = int(sys.argv[1])
print("SET migration_guard.mode = 'off';")  # setting up is not what is measured
for i in range(1, t + 1):
    ref = f", parent_id bigint REFERENCES v{i - 1}" if i > 1 else ""
    print(f"CREATE TABLE v{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY{ref}, at timestamp);")
print("SET migration_guard.mode = 'audit';")
print("SELECT migration_guard.begin_migration('bench-last');")
print(f"CREATE TABLE v{t + 1} (id int PRIMARY KEY, parent_id bigint REFERENCES v{t});")
print("SELECT migration_guard.end_migration();")
PY
chmod a+r "$dir/schema.sql"
psql -X -q -d large -f "$dir/schema.sql" >/dev/null
# median_ms DB SQL: median of 5 runs, in milliseconds (psql's \timing).
median_ms() {
    for _ in 1 2 3 4 5; do
        psql -X -q -d "$1" -c '\timing on' -c "$2" | awk '/^Time:/ { print $2 }'
    done | sort -n | sed -n 3p
}
q="SELECT count(*) FROM migration_guard.verify()"
empty=$(median_ms empty "$q")
large=$(median_ms large "$q")
scoped=$(median_ms large "SELECT count(*) FROM migration_guard.verify(migration_id => 'bench-last')")
found=$(sql large "$q")
awk -v e="$empty" -v l="$large" -v s="$scoped" -v t="$T" -v f="$found" 'BEGIN {
    printf "verify() on an empty database:        %9.1f ms\n", e
    printf "verify() on %d tables (%d findings): %9.1f ms  (%.1f us per table; %.0fx the empty database)\n", t, f, l, l * 1000 / t, l / e
    printf "verify(migration_id) on the same:      %9.1f ms  (%.2fx the whole-database call)\n", s, s / l
}'
