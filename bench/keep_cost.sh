#!/usr/bin/env bash
# What the recycle bin costs: time and extra disk of an approved DROP TABLE, DROP COLUMN and
# TRUNCATE with migration_guard.keep on vs off, on tables of ROWS_LIST rows (default 10k, 1M, 10M),
# in one throwaway preloaded cluster, each measured on a fresh copy of the table. Prints figures
# and ratios (keep on / keep off); never fails on them. Needs `make install` first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS_LIST=${ROWS_LIST:-"10000 1000000 10000000"}
dir=$(mktemp -d /tmp/mg-bench-keep.XXXXXX)
trap 'scripts/pg-temp.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
scripts/pg-temp.sh start "$dir" "${PORT:-55491}" "shared_preload_libraries = 'migration_guard'" \
    "shared_buffers = 512MB" "autovacuum = off" "synchronous_commit = off" "max_wal_size = 8GB" >/dev/null
eval "$(scripts/pg-temp.sh env "$dir")"
q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }
q -c "CREATE EXTENSION migration_guard" >/dev/null

# One statement, approved, timed by the server (clock_timestamp around it); echoes "ms bytes".
run() {  # keep rule object statement
    local keep=$1 rule=$2 object=$3 stmt=$4
    q <<SQL
SELECT set_config('migration_guard.keep', '$keep', false) \\g /dev/null
SELECT migration_guard.approve(ARRAY['$rule'], ARRAY['$object'], 'bench') AS t \\gset
SET migration_guard.approval = :'t';
SELECT pg_catalog.pg_database_size(current_database()) AS before \\gset
SELECT clock_timestamp() AS t0 \\gset
$stmt;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000, 1)
       || ' ' || (pg_catalog.pg_database_size(current_database()) - :before);
SQL
}

make_table() {  # rows
    q -c "SELECT set_config('migration_guard.mode', 'off', false)" -c "DROP TABLE IF EXISTS public.b" -c "CREATE TABLE public.b (id bigint PRIMARY KEY, note text, n int);
          INSERT INTO public.b SELECT g, md5(g::text), g FROM generate_series(1, $1) g" -c "ANALYZE public.b" -c "CHECKPOINT" >/dev/null
}

# disk: the database's size after the statement minus before (a drop with keep off frees the table).
printf '%-10s %-12s %10s %10s %8s %12s %12s\n' rows statement "off (ms)" "on (ms)" on/off "disk off" "disk on"
for rows in $ROWS_LIST; do
    for case in "drop-table|public.b|DROP TABLE public.b" "drop-column|public.b.note|ALTER TABLE public.b DROP COLUMN note" \
                "truncate|public.b|TRUNCATE public.b"; do
        IFS='|' read -r rule object stmt <<<"$case"
        make_table "$rows"; read -r off_ms off_bytes < <(run off "$rule" "$object" "$stmt")
        make_table "$rows"; read -r on_ms on_bytes < <(run on "$rule" "$object" "$stmt")
        q -c "SELECT migration_guard.purge_kept('0 s')" >/dev/null
        ratio=$(python3 -c "print(f'{$on_ms / max($off_ms, 0.01):.2f}x')")
        size() { local b=$1 sign=; [[ $b == -* ]] && sign=- b=${b#-}; echo "$sign$(numfmt --to=iec "$b")"; }
        printf '%-10s %-12s %10s %10s %8s %12s %12s\n' "$rows" "$rule" "$off_ms" "$on_ms" "$ratio" "$(size "$off_bytes")" \
            "$(size "$on_bytes")"
    done
done
