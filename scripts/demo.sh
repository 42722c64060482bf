#!/usr/bin/env bash
# The main job, end to end: a throwaway PostgreSQL 15 with migration_guard and tables with real
# rows; what the guard says about a risky migration; the migration applied anyway and stopped,
# with nothing lost; an approval letting one change through; the audit log; the CLI linter.
# Expects `make install` to have run (`make demo` does both). Leaves no server running.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(mktemp -d /tmp/mg-demo.XXXXXX)
trap 'scripts/pg-temp.sh stop "$dir"' EXIT
port=$(( 55000 + RANDOM % 1000 ))
echo "Starting a throwaway PostgreSQL 15 in $dir ..."
scripts/pg-temp.sh start "$dir" "$port"
eval "$(scripts/pg-temp.sh env "$dir")"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

psql <<'SQL'
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text, name varchar(50));
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint, total numeric(10,2));
INSERT INTO users (email, name) SELECT 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 200000) g;
INSERT INTO orders (user_id, total) SELECT 1 + g % 200000, g % 500 FROM generate_series(1, 300000) g;
ANALYZE;
CREATE EXTENSION migration_guard;
SQL

migration=$(mktemp /tmp/mg-demo-migration.XXXXXX.sql)
trap 'rm -f "$migration"; scripts/pg-temp.sh stop "$dir"' EXIT
cat >"$migration" <<'SQL'
-- 0042_cleanup.sql: what a tired human (or an agent) might apply on a Friday
ALTER TABLE users DROP COLUMN email;
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);
CREATE INDEX orders_user_idx ON orders (user_id);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
SQL

echo
echo "== The migration =="
cat "$migration"

echo
echo "== migration_guard.classify(): what each statement risks, on this data =="
psql -v "migration=$(cat "$migration")" <<'SQL'
SELECT statement, command, rule, risk, lock_mode, rewrites_table
FROM migration_guard.classify(:'migration')
ORDER BY statement, risk DESC;
SELECT migration_guard.risk(:'migration') AS highest_risk;
\echo 'What is at stake, and the safe alternative (findings at medium or above):'
\x on
SELECT statement, rule, risk, message, hint
FROM migration_guard.classify(:'migration')
WHERE risk >= 'medium'
ORDER BY statement, risk DESC;
SQL

echo
echo "== Applying it anyway, as a migration tool would (psql -1 -f, one transaction) =="
command psql -X -q -v ON_ERROR_STOP=1 -d postgres -1 -f "$migration" 2>&1 | sed 's/^/  /' || true
echo
echo "== Nothing was lost: the column, its data and every row are still there =="
psql -c "SELECT count(*) AS users, count(email) AS emails FROM users;"

echo
echo "== An approver lets exactly that one change through, once =="
psql <<'SQL'
SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.users.email'],
                               'email moved to the identity service, ticket 812') AS token \gset
SET migration_guard.approval = :'token';
ALTER TABLE users DROP COLUMN email;
SELECT id, rules, objects, reason, approved_by, uses_left FROM migration_guard.approvals;
SQL

echo
echo "== The audit log: what happened, blocked attempts included (they survive their rollback) =="
for _ in $(seq 1 40); do
  [ "$(command psql -X -At -d postgres -c "SELECT count(*) FROM migration_guard.blocked_attempts")" -gt 0 ] && break
  sleep 0.1
done
psql <<'SQL'
SELECT logged_at::time(0) AS at, role_name, command_tag, object_identity, rules, risk, decision, approval_id
FROM migration_guard.audit_log
WHERE command_tag <> 'CREATE EXTENSION'
ORDER BY id;
SQL

echo
echo "== The same file through the CLI linter (offline, for CI) =="
build/migration-guard lint "$migration" || echo "(exit code $?: findings at or above the --fail-on level, default high)"
echo
echo "Done; the throwaway server is stopped and removed."
