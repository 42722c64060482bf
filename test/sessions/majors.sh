#!/usr/bin/env bash
# What 17 and 18 add, against a preloaded throwaway server of PG_BIN's major (scripts/pg-major.sh
# runs it on each): the undo of 17's SET EXPRESSION, 18's VIRTUAL columns and NOT NULL ... NOT
# VALID constraints through the recycle bin, and NOT ENFORCED as a way around the guard. Checks of
# a newer major are skipped on an older one. Prints "ok - ..." per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
d=$(mktemp -d /tmp/mg-majors.XXXXXX)
trap 'scripts/pg-temp.sh stop "$d"' EXIT
scripts/pg-temp.sh start "$d" 55447 "shared_preload_libraries = 'migration_guard'" >&2 || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
major=$(( $(psql -X -At -d postgres -c 'SHOW server_version_num') / 10000 ))
sql() { psql -X -q -v ON_ERROR_STOP=0 -d postgres "$@" 2>&1; }
approve() { psql -X -At -d postgres -c "SELECT migration_guard.approve(ARRAY['$1'], ARRAY['$2'], 'majors test')"; }
sql -c "CREATE EXTENSION migration_guard" -c "CREATE ROLE app LOGIN" -c "CREATE SCHEMA shop AUTHORIZATION app" >/dev/null

if [ "$major" -ge 17 ]; then
  PGUSER=app sql -c "CREATE TABLE shop.orders (id bigint PRIMARY KEY, price int, qty int, total int GENERATED ALWAYS AS (price * qty) STORED)" \
    -c "INSERT INTO shop.orders (id, price, qty) SELECT g, g, 2 FROM generate_series(1, 100) g" >/dev/null
  PGUSER=app sql -c "ALTER TABLE shop.orders ALTER COLUMN total SET EXPRESSION AS (0)" >/dev/null
  check "17+: SET EXPRESSION of a stored column is judged (set-generated-expression)" "set-generated-expression" \
    "$(psql -X -At -d postgres -c "SELECT rules FROM migration_guard.audit_log WHERE statement LIKE '%SET EXPRESSION AS (0)%'")"
  undo=$(psql -X -At -d postgres -c "SELECT string_agg(undo_sql, ' ') FROM migration_guard.audit_log WHERE statement LIKE '%SET EXPRESSION AS (0)%'")
  check "... and its undo puts the old expression back" "SET EXPRESSION AS \(\(price \* qty\)\)" "$undo"
fi

if [ "$major" -ge 18 ]; then
  PGUSER=app sql <<'SQL' >/dev/null
CREATE TABLE shop.items (id bigint PRIMARY KEY, a int, q int, v int GENERATED ALWAYS AS (a * 2) VIRTUAL,
                         CONSTRAINT items_a_positive CHECK (a > 0));
INSERT INTO shop.items (id, a, q) SELECT g, g, CASE WHEN g = 1 THEN NULL ELSE g END FROM generate_series(1, 50) g;
ALTER TABLE shop.items ADD CONSTRAINT items_q_nn NOT NULL q NOT VALID;
SQL
  out=$(PGUSER=app sql -c "ALTER TABLE shop.items DROP CONSTRAINT items_a_positive, ADD CONSTRAINT items_a_positive CHECK (a > 0) NOT ENFORCED")
  check "18: dropping a CHECK and adding it back NOT ENFORCED is blocked (disable-constraint)" "migration_guard blocked ALTER TABLE: disable-constraint" "$out"
  check "... and the constraint is still enforced" "^t$" "$(psql -X -At -d postgres -c "SELECT conenforced FROM pg_constraint WHERE conname = 'items_a_positive'")"
  out=$(PGUSER=app sql -c "ALTER TABLE shop.items ALTER COLUMN v TYPE bigint")
  check "18: a VIRTUAL column's type changes without a data-loss finding (nothing is stored)" "^allowed \{" \
    "$(psql -X -At -d postgres -c "SELECT decision || ' ' || rules::text FROM migration_guard.audit_log WHERE statement LIKE '%COLUMN v TYPE bigint%' AND rules::text NOT LIKE '%change-column-type%'") $out"
  tok=$(approve drop-table shop.items)
  out=$(PGUSER=app PGOPTIONS="-c migration_guard.approval=$tok" sql -c "DROP TABLE shop.items")
  check "18: an approved DROP TABLE of a table with a VIRTUAL column and a NOT VALID NOT NULL" "approved by approval" "$out"
  out=$(psql -X -At -d postgres -c "SELECT migration_guard.restore(id) FROM migration_guard.kept WHERE object_identity = 'shop.items'" 2>&1)
  check "... restores every definition" "restored table shop.items \(50 rows\); recreated ([0-9]+) of \1 definitions$" "$out"
  check "... the column VIRTUAL again" "^v$" "$(psql -X -At -d postgres -c "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'shop.items'::regclass AND attname = 'v'")"
  check "... the NOT NULL constraint by its name, still NOT VALID" "^items_q_nn\|false$" \
    "$(psql -X -At -d postgres -c "SELECT conname || '|' || convalidated FROM pg_constraint WHERE conrelid = 'shop.items'::regclass AND contype = 'n' AND conname LIKE '%q%'")"
fi
[ "$major" -ge 17 ] || echo "(PostgreSQL $major: nothing of 17 or 18 to check)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
