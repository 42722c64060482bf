# Shared by the DDL benchmarks (sourced): swapping the installed library and extension script
# between this tree's build and an earlier commit's, and the additive migration they run.
# The caller sets `work` (a scratch folder) first.
# PG_BIN: another major's programs (default 15's).
LIBDIR=$("${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_config" --pkglibdir)
EXTDIR=$("${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_config" --sharedir)/extension
SCRIPT=migration_guard--$(sed -n "s/^default_version = '\(.*\)'/\1/p" migration_guard.control).sql

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

# bench_cleanup (trap it on EXIT): stops the callgrind server and the set-up one of `dir`, puts the
# current build back, forgets the baseline and removes `dir` and `work`.
bench_cleanup() {
    stop_server
    as_postgres "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    use current
    if [[ -n ${BASELINE_REF:-} ]]; then forget_baseline; fi
    rm -rf "$dir" "$work"
}

# save_current: keeps the installed build as "current" (restore it with `use current`).
save_current() {
    cp "$LIBDIR/migration_guard.so" "$work/current.so"
    cp "$EXTDIR/$SCRIPT" "$work/current.sql"
}

# use NAME: installs that build's library and extension script. A new file renamed into place,
# never an overwrite: a running backend that has the library mapped must not see it change.
use() {
    cp "$work/$1.so" "$LIBDIR/.migration_guard.so.new" && mv -f "$LIBDIR/.migration_guard.so.new" "$LIBDIR/migration_guard.so"
    cp "$work/$1.sql" "$EXTDIR/.$SCRIPT.new" && mv -f "$EXTDIR/.$SCRIPT.new" "$EXTDIR/$SCRIPT"
}

# build_baseline REF: builds REF's library in a worktree, kept as "baseline".
build_baseline() {
    echo "Building the library of $1 ..."
    git worktree add --detach "$work/src" "$1" >/dev/null 2>&1
    cmake -S "$work/src" -B "$work/build" -DMG_BUILD_TESTS=OFF >/dev/null
    cmake --build "$work/build" -j2 --target migration_guard >/dev/null
    cp "$work/build/migration_guard.so" "$work/baseline.so"
    # The baseline's own install script, installed under the current version's name (`use`).
    local version
    version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$work/src/migration_guard.control")
    cp "$work/src/extension/migration_guard--$version.sql" "$work/baseline.sql"
}

forget_baseline() { git worktree remove --force "$work/src" >/dev/null 2>&1 || true; }

# additive_migration N FILE: N additive statements on tables the migration itself creates.
additive_migration() {
    python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
out, i = [], 0
while len(out) < n:
    i += 1
    out += [f"CREATE TABLE bench_t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);",
            f"CREATE INDEX bench_t{i}_note ON bench_t{i} (note);",
            f"ALTER TABLE bench_t{i} ADD COLUMN created_at timestamptz;",
            f"COMMENT ON TABLE bench_t{i} IS 'bench';"]
open(path, "w").write("\n".join(out[:n]) + "\n")
PY
}

# --- one throwaway server under callgrind (the caller sets dir, BIN and PGHOST/PGPORT) -------------
server_pid=""
stop_server() {
    if [[ -n $server_pid ]]; then
        as_postgres "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 600 stop >/dev/null 2>&1 || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
# start_server PRELOAD [plain]: under callgrind, every backend's instructions in $dir/cg/<pid>;
# `plain` without valgrind (for wall times).
start_server() {
    local valgrind=(valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$dir/cg/%p" -q)
    [[ ${2:-} == plain ]] && valgrind=()
    as_postgres "${valgrind[@]}" "$BIN/postgres" -D "$dir/data" -c "shared_preload_libraries=$1" >"$dir/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 900); do "$BIN/pg_isready" -q && return; sleep 0.2; done
    echo "server did not start" >&2; cat "$dir/server.log" >&2; exit 1
}
# instructions FILE DB: instructions of the backend that ran FILE (its first line prints its pid;
# written when it exits).
instructions() {
    local pid f
    # Output to a file first: a pipe closed after one line would stop psql early.
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$2" -f "$1" >"$dir/psql.out" 2>"$dir/psql.err" || true
    pid=$(head -1 "$dir/psql.out")
    if [[ -s $dir/psql.err ]]; then echo "psql failed on $1 in $2:" >&2; head -5 "$dir/psql.err" >&2; exit 1; fi
    f="$dir/cg/$pid"
    for _ in $(seq 1 600); do grep -q '^totals:' "$f" 2>/dev/null && break; sleep 0.1; done
    awk '/^totals:/ { print $2 }' "$f"
}
