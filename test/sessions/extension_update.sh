#!/usr/bin/env bash
# Every released version updates to the current one, and an updated installation equals a fresh
# one: the same objects, columns, defaults, constraints, indexes, triggers, grants, comments and
# function signatures and bodies; data in the guard's tables is kept across the update. Against a
# real throwaway server (preloaded). Prints "ok - ..." per check and "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/sessions/lib.sh
d=$(mktemp -d /tmp/mg-update.XXXXXX)
trap 'scripts/pg-temp.sh stop "$d"' EXIT
scripts/pg-temp.sh start "$d" 55437 "shared_preload_libraries = 'migration_guard'" >&2 || exit 1
eval "$(scripts/pg-temp.sh env "$d")"
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" migration_guard.control)
# Versions a user may have: every full script of an older version shipped in extension/.
versions=$(ls extension | sed -n 's/^migration_guard--\([0-9.]*\)\.sql$/\1/p' | grep -vx "$current" | sort -V)

# The extension's objects as the catalog describes them, one line each, sorted.
describe() {
  psql -X -At -d "$1" <<'SQL'
WITH members AS (
  SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'migration_guard')
SELECT line FROM (
  SELECT 'object ' || pg_describe_object(classid, objid, 0) AS line FROM members
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure || ' returns ' || pg_get_function_result(p.oid) || ' ' ||
         p.prosecdef::text || ' ' || p.provolatile::text || ' ' || coalesce(array_to_string(p.proconfig, ','), '') || ' ' ||
         coalesce(p.proacl::text, '') || ' ' || md5(p.prosrc) || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
  UNION ALL
  SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
         a.attnotnull::text || ' ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '') || ' ' || coalesce(a.attacl::text, '')
  FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
  UNION ALL
  SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' ' || coalesce(c.relacl::text, '') || ' ' ||
         coalesce(obj_description(c.oid, 'pg_class'), '') || ' ' ||
         CASE WHEN c.relkind = 'v' THEN md5(pg_get_viewdef(c.oid)) ELSE '' END
  FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
  UNION ALL
  SELECT 'constraint ' || k.conrelid::regclass || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = k.conrelid
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = i.indrelid
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
  FROM pg_trigger t JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'event trigger ' || evtname || ' ' || evtevent || ' ' || evtenabled::text || ' ' || evtfoid::regproc
  FROM pg_event_trigger
  UNION ALL
  SELECT 'schema ' || nspname || ' ' || nspowner::regrole || ' ' || coalesce(nspacl::text, '')
  FROM pg_namespace WHERE nspname LIKE 'migration_guard%'
  UNION ALL
  SELECT 'type ' || t.oid::regtype || ' ' || coalesce(t.typacl::text, '') || ' ' ||
         coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
  FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
  UNION ALL
  SELECT 'config ' || c.oid::regclass || ' ' || coalesce(x.extcondition[array_position(x.extconfig, c.oid)], '')
  FROM pg_extension x, unnest(x.extconfig) c(oid) WHERE x.extname = 'migration_guard'
) s ORDER BY line;
SQL
}

psql -X -q -d postgres -c "CREATE DATABASE fresh" -c "CREATE DATABASE updated" >/dev/null
psql -X -q -d fresh -c "CREATE EXTENSION migration_guard" >/dev/null
describe fresh >"$d/fresh.txt"
check "a fresh installation is at $current" "^$current$" "$(psql -X -At -d fresh -c "SELECT extversion FROM pg_extension WHERE extname = 'migration_guard'")"
check "its description holds functions, tables and event triggers" "event trigger migration_guard_ddl_start" "$(cat "$d/fresh.txt")"

for v in $versions; do
  db="from_${v//./_}"
  psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null
  psql -X -q -d "$db" -c "CREATE EXTENSION migration_guard VERSION '$v'" >/dev/null
  # Data written under the old version: an approval and an audited change.
  psql -X -q -d "$db" >/dev/null 2>&1 <<'SQL'
SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.kept_across'], 'written before the update');
CREATE TABLE public.kept_across (id int);
SQL
  before=$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM migration_guard.approval) || ' ' || (SELECT count(*) FROM migration_guard.audit_log)")
  out=$(psql -X -q -d "$db" -c "ALTER EXTENSION migration_guard UPDATE" 2>&1)
  check "$v updates to $current" "^none$" "${out:-none}"
  check "... and reports $current" "^$current$" "$(psql -X -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'migration_guard'")"
  describe "$db" >"$d/$db.txt"
  difference=$(diff "$d/fresh.txt" "$d/$db.txt")
  check "... and equals a fresh installation" "^none$" "${difference:-none}"
  [ -z "$difference" ] || printf '%s\n' "$difference" | head -20 | sed 's/^/   | /'
  after=$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM migration_guard.approval) || ' ' || (SELECT count(*) FROM migration_guard.audit_log WHERE command_tag <> 'ALTER EXTENSION')")
  check "... keeping the data in the guard's tables" "^$before$" "$after"
done
missing=$(for v in $versions; do
  psql -X -At -d fresh -c "SELECT '$v' FROM pg_extension_update_paths('migration_guard') WHERE source = '$v' AND target = '$current' AND path IS NULL"
done)
check "every older version has an update path to $current" "^none$" "${missing:-none}"
# PGXN's META.json (spec 1.0.0) says the same version, file and PostgreSQL requirement.
meta=$(python3 - "$current" <<'PY'
import json, sys
m = json.load(open("META.json"))
cur = sys.argv[1]
problems = [k for k in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec") if k not in m]
p = m.get("provides", {}).get("migration_guard", {})
if m.get("version") != cur: problems.append(f"version {m.get('version')}")
if p.get("version") != cur: problems.append(f"provides version {p.get('version')}")
if p.get("file") != f"extension/migration_guard--{cur}.sql": problems.append(f"provides file {p.get('file')}")
if m.get("prereqs", {}).get("runtime", {}).get("requires", {}).get("PostgreSQL") != "15.0.0": problems.append("PostgreSQL requirement")
if m.get("meta-spec", {}).get("version") != "1.0.0": problems.append("meta-spec")
print(", ".join(problems) or "none")
PY
)
check "META.json (PGXN) names the control file's version, script and PostgreSQL 15+" "^none$" "$meta"
check "the library is the control file's version" "^$current$" "$(psql -X -At -d fresh -c "SELECT migration_guard.version()")"
# The library refuses clearly to serve SQL older than it works with (installed, never updated).
psql -X -q -d postgres -c "CREATE DATABASE stale" >/dev/null
psql -X -q -d stale -c "CREATE EXTENSION migration_guard VERSION '0.1.0'" >/dev/null
out=$(psql -X -q -d stale -c "SELECT migration_guard.approve(ARRAY['drop-table'], ARRAY['public.t'], 'x')" 2>&1)
check "a library newer than the database's SQL refuses approve() in words" "SQL in this database is version 0.1.0, the library is $current" "$out"
check "... and says how to update" "ALTER EXTENSION migration_guard UPDATE" "$out"
out=$(psql -X -q -d stale -c "CREATE TABLE t (id int)" -c "INSERT INTO t VALUES (1)" -c "DROP TABLE t" 2>&1)
check "... while schema changes are still judged" "migration_guard blocked DROP TABLE" "$out"
# A schema of the guard's name made beforehand by an ordinary role: CREATE EXTENSION refuses it.
psql -X -q -d postgres -c "CREATE DATABASE planted" -c "CREATE ROLE planter LOGIN" >/dev/null
psql -X -q -d planted -c "GRANT CREATE ON DATABASE planted TO planter" >/dev/null
PGUSER=planter psql -X -q -d planted -c "CREATE SCHEMA migration_guard" >/dev/null
out=$(psql -X -q -d planted -c "CREATE EXTENSION migration_guard" 2>&1)
check "CREATE EXTENSION refuses a migration_guard schema an ordinary role made" "belongs to an ordinary role" "$out"
check "... and installs nothing" "^0$" "$(psql -X -At -d planted -c "SELECT count(*) FROM pg_extension WHERE extname = 'migration_guard'")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
