#!/usr/bin/env bash
# Instructions the backend executes per statement, counted with callgrind (repeatable on a busy
# machine, unlike wall time), on one throwaway cluster restarted under valgrind with each
# preload:
#   - additive migrations of SIZES statements (CREATE TABLE, CREATE INDEX, ADD COLUMN, COMMENT
#     on tables the migration creates; nothing blocked) in one transaction, as `psql -1 -f`
#     runs them: bare (no preload, no extension), the guard (preloaded, extension installed),
#     pgaudit (preloaded, pgaudit.log = 'ddl'; installed with apt when missing) and the usual
#     PL/pgSQL event-trigger audit recipe (one INSERT per pg_event_trigger_ddl_commands() row);
#   - the largest size again in databases that already hold TABLES tables, bare and guard: the
#     guard's cost must not grow with the catalog;
#   - ordinary traffic: SET, SHOW, BEGIN/COMMIT, LISTEN/NOTIFY, PREPARE/EXECUTE, DISCARD ALL and
#     SELECT 1, bare vs guard (the utility hook's cost on what is not a schema change).
# The instructions of an empty session are subtracted. With BASELINE_REF=<commit>, that commit's
# library and extension script are measured the same way in the same run (guard only).
# Prints figures and ratios only; never fails on them. Needs `make install` first; slow
# (about 15 minutes with the defaults). Another major: PG_BIN=<bindir> with the guard installed for
# it (scripts/pg-major.sh) and, to compare, pgaudit built for it (its REL_<major>_STABLE branch).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-200 2000}
TABLES=${TABLES:-10000}
TRAFFIC=${TRAFFIC:-500}   # rounds of the ordinary-traffic statements
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}  # another major: PG_BIN=<its bindir> (its pgaudit installed by hand)
PORT=${PORT:-55475}
dir=$(mktemp -d /tmp/mg-bench-cg.XXXXXX)
work=$(mktemp -d /tmp/mg-bench-work.XXXXXX)
source bench/lib.sh
save_current
trap bench_cleanup EXIT

if [[ ! -f $LIBDIR/pgaudit.so && $BIN == /usr/lib/postgresql/15/bin ]]; then
    echo "Installing pgaudit (postgresql-15-pgaudit) ..."
    (apt-get update -qq && apt-get install -y -qq postgresql-15-pgaudit) >/dev/null 2>&1 || true
fi
have_pgaudit=false
[[ -f $LIBDIR/pgaudit.so ]] && have_pgaudit=true
if [[ -n ${BASELINE_REF:-} ]]; then build_baseline "$BASELINE_REF"; fi

largest=0
for n in $SIZES; do
    additive_migration "$n" "$work/body_$n.sql"
    { echo "SELECT pg_backend_pid();"; echo "SET search_path = run_$n;"; echo "BEGIN;"; cat "$work/body_$n.sql"; echo "COMMIT;"; } >"$work/migration_$n.sql"
    ((n > largest)) && largest=$n
done
printf 'SELECT pg_backend_pid();\nSET search_path = public;\n' >"$work/empty.sql"
# The bounded lock wait (docs/lock-waits.md) against none: the same migration with
# migration_guard.lock_timeout at its default and at 0, each set in the session (and in its
# subtracted empty session), each in a fresh database of its own.
smallest=${SIZES%% *}
for wait in 3s 0; do
    { echo "SELECT pg_backend_pid();"; echo "SET migration_guard.lock_timeout = '$wait';"; echo "SET search_path = run_$smallest;"
      echo "BEGIN;"; cat "$work/body_$smallest.sql"; echo "COMMIT;"; } >"$work/migration_wait_$wait.sql"
    printf "SELECT pg_backend_pid();\nSET migration_guard.lock_timeout = '%s';\nSET search_path = public;\n" "$wait" >"$work/empty_wait_$wait.sql"
done
python3 - "$TRAFFIC" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
kinds = {
    "SET": "SET work_mem = '8MB';",
    "SHOW": "SHOW work_mem;",
    "BEGIN/COMMIT": "BEGIN;\nCOMMIT;",
    "LISTEN/NOTIFY": "LISTEN bench;\nNOTIFY bench;\nUNLISTEN bench;",
    "PREPARE/EXECUTE": "PREPARE p AS SELECT 1;\nEXECUTE p;\nDEALLOCATE p;",
    "DISCARD ALL": "DISCARD ALL;",
    "SELECT 1": "SELECT 1;",
}
with open(f"{work}/traffic_kinds", "w") as k:
    for i, (name, sql) in enumerate(kinds.items()):
        per = sql.count(";")
        k.write(f"{i}\t{name}\t{per * n}\n")
        with open(f"{work}/traffic_{i}.sql", "w") as f:
            f.write("SELECT pg_backend_pid();\n" + (sql + "\n") * n)
PY
chown -R postgres: "$dir" "$work"
mkdir -p "$dir/cg" && chown postgres: "$dir/cg"

as_postgres "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $PORT
fsync = off
autovacuum = off
max_locks_per_transaction = 256
shared_buffers = 1GB
CONF
export PGHOST=$dir PGPORT=$PORT PGUSER=postgres
q() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }

# Set-up on a server that is not under valgrind.
echo "Setting up (databases, $TABLES existing tables twice) ..."
setup_preload=migration_guard
$have_pgaudit && setup_preload=migration_guard,pgaudit
as_postgres "$BIN/pg_ctl" -D "$dir/data" -w -l "$dir/setup.log" -o "-c shared_preload_libraries=$setup_preload" start >/dev/null
dbs="bare guard guard_bounded guard_unbounded plpgsql bare_big guard_big"
$have_pgaudit && dbs="$dbs pgaudit"
[[ -n ${BASELINE_REF:-} ]] && dbs="$dbs baseline"
for db in $dbs; do q -d postgres -c "CREATE DATABASE $db"; done
for db in bare_big guard_big; do
    for ((b = 0; b < TABLES; b += 1000)); do
        q -d "$db" -c "DO \$\$ BEGIN FOR i IN $((b + 1))..$((b + 1000)) LOOP
            EXECUTE format('CREATE TABLE big_%s (id int PRIMARY KEY, v text)', i); END LOOP; END \$\$"
    done
    q -d "$db" -c "VACUUM ANALYZE"
done
for db in $dbs; do for n in $SIZES; do q -d "$db" -c "CREATE SCHEMA run_$n"; done; done
q -d guard -c "CREATE EXTENSION migration_guard"
q -d guard_bounded -c "CREATE EXTENSION migration_guard"
q -d guard_unbounded -c "CREATE EXTENSION migration_guard"
q -d guard_big -c "CREATE EXTENSION migration_guard"
if $have_pgaudit; then
    q -d pgaudit -c "CREATE EXTENSION pgaudit" -c "ALTER DATABASE pgaudit SET pgaudit.log = 'ddl'"
fi
q -d plpgsql <<'SQL'
CREATE TABLE public.ddl_audit (
    id bigserial PRIMARY KEY,
    logged_at timestamptz NOT NULL DEFAULT now(),
    role_name text NOT NULL DEFAULT current_user,
    command_tag text, object_type text, object_identity text, statement text);
CREATE FUNCTION public.ddl_audit_trigger() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        INSERT INTO public.ddl_audit (command_tag, object_type, object_identity, statement)
        VALUES (r.command_tag, r.object_type, r.object_identity, current_query());
    END LOOP;
END $$;
CREATE EVENT TRIGGER ddl_audit ON ddl_command_end EXECUTE FUNCTION public.ddl_audit_trigger();
SQL
as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null



# per_statement FILE DB STATEMENTS [EMPTY]: instructions per statement, the empty session
# (EMPTY, default empty.sql) subtracted.
per_statement() {
    local empty_file=${4:-$work/empty.sql}
    instructions "$empty_file" "$2" >/dev/null  # warm the caches once
    local empty full
    empty=$(instructions "$empty_file" "$2")
    full=$(instructions "$1" "$2")
    echo $(((full - empty) / $3))
}

declare -A R
measure_migrations() {  # measure_migrations NAME DB [BIG_NAME BIG_DB]
    for n in $SIZES; do R[$1,$n]=$(per_statement "$work/migration_$n.sql" "$2" "$n"); done
    if [[ -n ${3:-} ]]; then R[$3,$largest]=$(per_statement "$work/migration_$largest.sql" "$4" "$largest"); fi
}
measure_traffic() {  # measure_traffic NAME DB
    while IFS=$'\t' read -r i name count; do
        R[$1,traffic_$i]=$(per_statement "$work/traffic_$i.sql" "$2" "$count")
    done <"$work/traffic_kinds"
}

echo "Measuring under callgrind (minutes) ..."
start_server ""
measure_migrations bare bare bare_big bare_big
measure_migrations plpgsql plpgsql
measure_traffic bare bare
stop_server
start_server migration_guard
measure_migrations guard guard guard_big guard_big
R[bounded,$smallest]=$(per_statement "$work/migration_wait_3s.sql" guard_bounded "$smallest" "$work/empty_wait_3s.sql")
R[unbounded,$smallest]=$(per_statement "$work/migration_wait_0.sql" guard_unbounded "$smallest" "$work/empty_wait_0.sql")
measure_traffic guard guard
stop_server
if $have_pgaudit; then
    start_server pgaudit
    measure_migrations pgaudit pgaudit
    stop_server
fi
if [[ -n ${BASELINE_REF:-} ]]; then
    use baseline
    start_server migration_guard
    q -d baseline -c "CREATE EXTENSION migration_guard"
    measure_migrations "guard@$BASELINE_REF" baseline
    stop_server
    use current
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo
echo "Additive migrations, one transaction; instructions per statement (callgrind):"
for n in $SIZES; do
    printf '  %5d statements:  bare %9d' "$n" "${R[bare,$n]}"
    for c in guard pgaudit plpgsql ${BASELINE_REF:+guard@$BASELINE_REF}; do
        [[ -n ${R[$c,$n]:-} ]] || continue
        printf '   %s %9d (%s)' "$c" "${R[$c,$n]}" "$(ratio "${R[$c,$n]}" "${R[bare,$n]}")"
    done
    echo
done
printf '  %5d statements, %d existing tables:  bare %9d   guard %9d (%s)\n' "$largest" "$TABLES" \
    "${R[bare_big,$largest]}" "${R[guard_big,$largest]}" "$(ratio "${R[guard_big,$largest]}" "${R[bare_big,$largest]}")"
printf '  guard with %d tables vs none: %s per statement (goal: within 10%%)\n' "$TABLES" \
    "$(ratio "${R[guard_big,$largest]}" "${R[guard,$largest]}")"
for n in $SIZES; do
    [[ -n ${R[pgaudit,$n]:-} ]] || continue
    printf '  guard overhead vs pgaudit overhead (%d statements): %d vs %d instructions per statement\n' "$n" \
        $((R[guard,$n] - R[bare,$n])) $((R[pgaudit,$n] - R[bare,$n]))
done
printf '  bounded lock wait (%d statements): %d instructions per statement (lock_timeout 3s: %d, 0: %d)\n' \
    "$smallest" $((R[bounded,$smallest] - R[unbounded,$smallest])) "${R[bounded,$smallest]}" "${R[unbounded,$smallest]}"
echo
echo "Ordinary traffic (not schema changes); instructions per statement, guard - bare:"
while IFS=$'\t' read -r i name count; do
    printf '  %-16s bare %8d   guard %8d   difference %6d\n' "$name" "${R[bare,traffic_$i]}" "${R[guard,traffic_$i]}" \
        $((R[guard,traffic_$i] - R[bare,traffic_$i]))
done <"$work/traffic_kinds"
