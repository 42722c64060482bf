# Shared by the DDL benchmarks (sourced): swapping the installed library and extension script
# between this tree's build and an earlier commit's, and the additive migration they run.
# The caller sets `work` (a scratch folder) first.
LIBDIR=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
EXTDIR=$(/usr/lib/postgresql/15/bin/pg_config --sharedir)/extension
SCRIPT=migration_guard--$(sed -n "s/^default_version = '\(.*\)'/\1/p" migration_guard.control).sql

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
