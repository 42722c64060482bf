#!/usr/bin/env bash
# End-to-end checks of `migration-guard check` against a throwaway PostgreSQL 15 server with the
# migration_guard extension (installed system-wide by `make install`).
# Usage: test/cli/check.sh [path/to/migration-guard]   (default build/migration-guard)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

source "$HERE/lib.sh"
use_binary "${1:-build/migration-guard}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${MG_CHECK_PORT:-55461}

T=$(mktemp -d)
PGDIR=$(mktemp -d -u /tmp/mg-check-pg.XXXXXX)
cleanup() {
    cd /  # the postgres user stopping the server cannot enter $T
    bash "$ROOT/scripts/pg-temp.sh" stop "$PGDIR" || true
    rm -rf "$T"
}
trap cleanup EXIT
cd "$T"

bash "$ROOT/scripts/pg-temp.sh" start "$PGDIR" "$PORT"
eval "$(bash "$ROOT/scripts/pg-temp.sh" env "$PGDIR")"
DB="host=$PGHOST port=$PGPORT user=postgres dbname=postgres"

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

if ! sql -c 'CREATE EXTENSION migration_guard' 2>"$T/ext.err"; then
    echo "cannot create the migration_guard extension; is it installed (make install)?" >&2
    sed 's/^/  | /' "$T/ext.err" >&2
    exit 1
fi

# t: 50,000 rows, c with NULLs (every 40th row), e without; child: some parent_id point nowhere.
sql <<'SQL'
CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c int, e int);
INSERT INTO t (c, e) SELECT CASE WHEN g % 40 = 0 THEN NULL ELSE g END, g FROM generate_series(1, 50000) g;
CREATE TABLE child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id bigint);
INSERT INTO child (parent_id) SELECT CASE WHEN g % 100 = 0 THEN 900000 + g ELSE g END FROM generate_series(1, 5000) g;
ANALYZE t;
ANALYZE child;
CREATE DATABASE noext;
SQL
NULLS=$(sql -c 'SELECT count(*) FROM t WHERE c IS NULL')
NULLS_FMT=$(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$NULLS")

# --- fixtures --------------------------------------------------------------------------------
printf -- '-- make c mandatory\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n' >nulls.sql
printf -- '-- make e mandatory\nALTER TABLE t ALTER COLUMN e SET NOT NULL;\n' >no_nulls.sql
printf 'ALTER TABLE child\n  ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES t (id);\n' >orphans.sql
printf 'UPDATE t SET e = e + 1 WHERE id <= 10;\nUPDATE t\n   SET e = nosuch;\nALTER TABLE t ADD COLUMN later int;\n' >position.sql
printf 'CREATE INDEX i ON t (c);\n' >index.sql
printf 'DELETE FROM t WHERE c IS NULL;\n' >delete.sql
printf 'CREATE TABLE x (id int);\nALTER TABLE x ADD COLUMN;\n' >bad.sql

# --- findings with data-aware risk -----------------------------------------------------------
t_nulls() {
    mg check --db "$DB" --format json nulls.sql
    expect_rc 1 && py '
nulls = sys.argv[2]
f = [x for x in d["files"][0]["findings"] if x["rule"] == "set-not-null"]
assert len(f) == 1, d["files"][0]["findings"]
f = f[0]
assert f["risk"] == "high", f
assert nulls in f["message"], (nulls, f["message"])
assert (f["statement"], f["line"], f["column"]) == (1, 2, 1), f
' "$NULLS_FMT"
}
check "(a) SET NOT NULL on a column with NULLs: high, exact NULL count, exit 1" t_nulls

t_no_nulls() {
    mg check --db "$DB" --format json no_nulls.sql
    expect_rc 0 && py '
f = [x for x in d["files"][0]["findings"] if x["rule"] == "set-not-null"]
assert len(f) == 1 and f[0]["risk"] == "low", d["files"][0]["findings"]
assert d["files"][0]["dry_run"][0]["status"] == "ok", d["files"][0]["dry_run"]
'
}
check "(b) SET NOT NULL on a column without NULLs: low, exit 0" t_no_nulls

t_lint_positions() {
    # The server's line:column of a finding is where lint puts it.
    mg lint --format json nulls.sql orphans.sql
    cp "$T/out" "$T/lint.json"
    mg check --db "$DB" --format json nulls.sql orphans.sql
    python3 - "$T/lint.json" "$T/out" <<'PYEOF'
import json, sys
lint, check = (json.load(open(p)) for p in sys.argv[1:3])
for lf, cf in zip(lint["files"], check["files"]):
    at = lambda f: {(x["rule"], x["statement"]): (x["line"], x["column"]) for x in f["findings"]}
    l, c = at(lf), at(cf)
    for k in l.keys() & c.keys():
        assert l[k] == c[k], (lf["path"], k, l[k], c[k])
    assert l.keys() & c.keys(), (l, c)
PYEOF
}
check "findings are at the same line:column as lint's" t_lint_positions

# --- JSON shape and dry-run errors -----------------------------------------------------------
t_json() {
    mg check --db "$DB" --format json orphans.sql position.sql
    expect_rc 1 && py '
keys = ["rule", "risk", "category", "statement", "line", "column", "message", "hint", "lock_mode"]
dry_keys = ["statement", "command", "status", "risk", "would_block", "approval", "locks", "created",
            "altered", "dropped", "rewritten", "rows_affected", "error", "error_line", "error_col",
            "note", "duration_ms"]
assert list(d) == ["files", "summary"], list(d)
for f in d["files"]:
    blocked = any(s["would_block"] for s in f["dry_run"])
    assert list(f) == ["path", "findings", "layout", "dry_run"] + (["approve_migration"] if blocked else []), list(f)
    for x in f["findings"]:
        assert list(x) == keys + ["direction", "suppressed"], list(x)
    for s in f["dry_run"]:
        assert list(s) == dry_keys, list(s)
        for k in ("locks", "created", "altered", "dropped", "rewritten"):
            assert isinstance(s[k], list) and all(isinstance(v, str) for v in s[k]), s
        assert isinstance(s["would_block"], bool) and isinstance(s["duration_ms"], (int, float)), s
orphans, position = d["files"]
# A foreign key over orphan rows fails when it is added; PostgreSQL gives no position for it.
s = orphans["dry_run"][0]
assert (s["statement"], s["command"], s["status"]) == (1, "ALTER TABLE", "error"), s
assert "violates foreign key constraint" in s["error"], s
assert s["error_line"] is None and s["error_col"] is None, s
# An unknown column is an error with a position: line 3, column 12 of the file.
first, bad, later = position["dry_run"]
assert (first["status"], first["rows_affected"]) == ("ok", 10), first
assert (bad["status"], bad["error_line"], bad["error_col"]) == ("error", 3, 12), bad
assert "nosuch" in bad["error"], bad
assert later["status"] == "not run", later
assert d["summary"]["dry_run_errors"] == 2, d["summary"]
'
}
check "(c) JSON: 9 finding keys, dry_run entries, failing statements with error and position" t_json

t_text() {
    mg check --db "$DB" orphans.sql position.sql
    expect_rc 1 && has "$T/out" "orphans.sql: dry run (rolled back)" &&
        grep -qE '^  dry run: statement 1 \(ALTER TABLE\): ERROR: \[23503\] insert or update on table "child" violates foreign key constraint' "$T/out" &&
        has "$T/out" '  dry run: statement 2 (UPDATE): ERROR at 3:12: [42703] column "nosuch" does not exist' &&
        grep -qE '^  dry run: statement 1 \(UPDATE\): ok, [0-9.]+ ms, 10 rows' "$T/out" &&
        has "$T/out" "  dry run: statement 3 (ALTER TABLE): not run: an earlier statement failed" &&
        grep -qE ', 2 dry-run errors(, [0-9]+ statements? the server would block)?$' "$T/out"
}
check "text: one dry-run line per statement, errors with line:column" t_text

t_github() {
    mg check --db "$DB" --format github position.sql
    expect_rc 1 && grep -qE '^::error file=position\.sql,line=3,col=12,title=dry-run-error::statement 2 \(UPDATE\) fails in the dry run: ' "$T/out"
}
check "github: a failing statement is an error annotation titled dry-run-error" t_github

t_sarif() {
    mg check --db "$DB" --format sarif orphans.sql
    expect_rc 1 && py '
run = d["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
res = [r for r in run["results"] if r["ruleId"] == "dry-run-error"]
assert len(res) == 1 and res[0]["level"] == "error", res
assert ids[res[0]["ruleIndex"]] == "dry-run-error"
region = res[0]["locations"][0]["physicalLocation"]["region"]
assert (region["startLine"], region["startColumn"]) == (1, 1), region
'
}
check "sarif: a failing statement is a dry-run-error result at the statement" t_sarif

# --- locks, and nothing left behind ----------------------------------------------------------
t_index_lock() {
    mg check --db "$DB" --format json index.sql
    expect_rc 0 && py '
s = d["files"][0]["dry_run"][0]
assert (s["command"], s["status"]) == ("CREATE INDEX", "ok"), s
assert any(l in ("t: SHARE", "public.t: SHARE") for l in s["locks"]), s["locks"]
assert "index public.i" in s["created"], s
'
}
check "(d) dry run of CREATE INDEX reports SHARE on the table" t_index_lock

t_left_behind() {
    mg check --db "$DB" index.sql delete.sql
    expect_rc 0 || return 1
    [[ $(sql -c "SELECT to_regclass('public.i') IS NULL") == t ]] || { echo "  index i exists" >&2; return 1; }
    [[ $(sql -c "SELECT count(*) FROM t WHERE c IS NULL") == "$NULLS" ]] || { echo "  rows deleted" >&2; return 1; }
}
check "(e) nothing is left behind: no index, no deleted rows" t_left_behind

# --- failures of the connection --------------------------------------------------------------
t_unreachable() {
    local start end
    start=$(date +%s)
    mg check --db "host=$PGHOST port=$((PORT + 1)) user=postgres dbname=postgres" nulls.sql
    end=$(date +%s)
    expect_rc 2 && has "$T/err" "cannot connect to the database" && ((end - start <= 5))
}
check "(f) unreachable server: exit 2 with a clear message, quickly" t_unreachable

t_no_extension() {
    mg check --db "host=$PGHOST port=$PGPORT user=postgres dbname=noext" nulls.sql
    expect_rc 2 && has "$T/err" "migration_guard extension is not installed" && has "$T/err" "noext"
}
check "(g) database without the extension: exit 2" t_no_extension

t_parse_error() {
    # The conninfo points nowhere: a file that does not parse must not need the server.
    mg check --db "host=$PGHOST port=$((PORT + 1))" bad.sql
    expect_rc 2 && has "$T/out" "bad.sql:2:25: error:" && grep -qE '^ +\| {25}\^$' "$T/out" &&
        ! grep -q "connect" "$T/err"
}
check "(h) parse error: line:column, exit 2, server not contacted" t_parse_error

t_approve_migration() {
    # A revert with two blocked statements: check prints one approve_migration() call for the whole
    # file; its token lets exactly that file through, once.
    sql -c 'CREATE TABLE rev_a (id int); INSERT INTO rev_a VALUES (1); CREATE TABLE rev_b (id int, note text); INSERT INTO rev_b VALUES (1, $$x$$)'
    printf 'DROP TABLE rev_a;\nALTER TABLE rev_b DROP COLUMN note;\n' >revert.sql
    mg check --db "$DB" --format json revert.sql
    expect_rc 1 || return 1
    local call
    call=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][0]["approve_migration"])' "$T/out")
    [[ $call == "SELECT migration_guard.approve_migration(\$migration\$DROP TABLE rev_a;"* ]] || return 1
    mg check --db "$DB" revert.sql
    has "$T/out" "revert.sql: would be blocked; to let this whole migration through once, an approver runs:" || return 1
    local token
    token=$(sql -c "${call/<why>/revert 12}")
    PGOPTIONS="-c migration_guard.approval=$token" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -1 -f revert.sql 2>"$T/apply.err" || { cat "$T/apply.err" >&2; return 1; }
    [[ $(sql -c "SELECT to_regclass('rev_a') IS NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'rev_b'::regclass AND attname = 'note')") == t ]] &&
        [[ $(sql -c "SELECT uses_left FROM migration_guard.approvals ORDER BY id DESC LIMIT 1") == 0 ]] &&
        sql -c 'SET migration_guard.mode = audit; DROP TABLE rev_b'
}
check "check prints one approve_migration() call for the file; its token applies exactly that file" t_approve_migration

t_env() {
    RC=0
    MIGRATION_GUARD_DB="$DB" PGPORT=$((PORT + 1)) "$MG" check --format json no_nulls.sql >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 0 && py 'assert d["files"][0]["dry_run"][0]["status"] == "ok"'
}
check "connection string from MIGRATION_GUARD_DB" t_env

t_usage() { mg check --db; expect_rc 2 && has "$T/err" "usage:"; }
check "check --db without a value: usage, exit 2" t_usage

t_help() { mg --help; expect_rc 0 && has "$T/out" "migration-guard check" && has "$T/out" "migration-guard verify"; }
check "--help mentions check and verify" t_help

# --- verify --db: the live schema's checks ---------------------------------------------------
# child.parent_id has no index and no foreign key yet: a NOT VALID one gives two findings.
sql -c 'ALTER TABLE child ADD CONSTRAINT child_parent_nv FOREIGN KEY (parent_id) REFERENCES t (id) NOT VALID' \
    -c 'CREATE SCHEMA clean' -c 'CREATE TABLE clean.ok (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)'
t_verify_json() {
    mg verify --db "$DB" --format json --fail-on medium
    expect_rc 1 && py '
f = {(x["rule"], x["risk"]) for x in d["files"][0]["findings"]}
assert ("fk-without-index", "medium") in f, f
assert ("constraint-not-validated", "medium") in f, f
assert all(x["line"] == 0 for x in d["files"][0]["findings"])
assert d["files"][0]["path"] == "database postgres", d["files"][0]["path"]
'
}
check "verify --db: findings of the live schema as JSON, exit 1 at --fail-on medium" t_verify_json
t_verify_default() { mg verify --db "$DB"; expect_rc 0 && has "$T/out" "database postgres: fk-without-index [medium] foreign key child_parent_nv"; }
check "verify --db: text, no line numbers, exit 0 below the default --fail-on high" t_verify_default
t_verify_clean() { mg verify --db "$DB" --schema clean --format json --fail-on low; expect_rc 0 && py 'assert d["files"][0]["findings"] == [], d'; }
check "verify --schema: a clean schema has no finding, exit 0" t_verify_clean
t_verify_sarif() {
    mg verify --db "$DB" --format sarif
    expect_rc 0 && py '
r = d["runs"][0]["results"]
assert r and all("region" not in x["locations"][0]["physicalLocation"] for x in r), r[0]
'
}
check "verify --format sarif: results without a region" t_verify_sarif
t_verify_github() { mg verify --db "$DB" --format github; expect_rc 0 && has "$T/out" "::warning title=fk-without-index::"; }
check "verify --format github: annotations without a file" t_verify_github
t_verify_noext() { mg verify --db "host=$PGHOST port=$PGPORT user=postgres dbname=noext"; expect_rc 2 && has "$T/err" "not installed"; }
check "verify on a database without the extension: exit 2" t_verify_noext
t_verify_path() { mg verify --db "$DB" some.sql; expect_rc 2 && has "$T/err" "verify takes no PATH"; }
check "verify with a PATH: usage, exit 2" t_verify_path

# A goose file run through psql-style tooling: the server sees the Up section without the
# meta-command; the Down section keeps its offline findings, reported apart and not counted.
t_layout_check() {
    printf -- '-- +goose Up\n\\set ON_ERROR_STOP on\nCREATE TABLE gz (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE t;\n' >goose_check.sql
    mg check --format json --no-config goose_check.sql
    expect_rc 0 && py '
f = d["files"][0]
assert [x["status"] for x in f["dry_run"]] == ["ok"], f["dry_run"]
down = [(x["rule"], x["direction"]) for x in f["findings"] if x["direction"] != "up"]
assert ("drop-table", "down") in down, f["findings"]
assert d["summary"]["down_findings"] >= 1 and d["summary"]["dry_run_errors"] == 0, d["summary"]
'
}
check "layouts in check: the server runs the up section without psql meta-commands; down findings kept apart" t_layout_check

# check --db says what the server will do, nothing more or less: the same files through check
# (dry run) and then for real with psql -1, each on a fresh copy of the database.
t_check_parity() {
    mkdir -p parity
    printf 'ALTER TABLE t ADD COLUMN note text;\n' >parity/01_add.sql
    printf 'ALTER TABLE t DROP COLUMN e;\n' >parity/02_drop.sql
    printf 'CREATE TABLE scratch (id int);\nDROP TABLE scratch;\n' >parity/03_scratch.sql
    printf 'ALTER TABLE child RENAME COLUMN parent_id TO pid;\n' >parity/04_rename.sql
    printf 'ALTER TABLE t ADD COLUMN tmp int;\nALTER TABLE t DROP COLUMN tmp;\n' >parity/05_new_column.sql
    printf 'ALTER TABLE t ALTER COLUMN e TYPE bigint;\n' >parity/06_type.sql
    printf 'ALTER TABLE child DROP COLUMN parent_id;\n' >parity/07_approved.sql
    printf 'CREATE INDEX ON t (e);\nALTER TABLE t DROP COLUMN c;\n' >parity/08_second_blocked.sql
    sql -c "DROP DATABASE IF EXISTS par_src" -c "CREATE DATABASE par_src TEMPLATE postgres"
    # An approval bound to the role covers 07 (no token): the dry run and the run agree on that too.
    local mismatches=""
    for f in parity/*.sql; do
        psql -X -q -d "$DB" -c "DROP DATABASE IF EXISTS par" -c "CREATE DATABASE par TEMPLATE par_src"
        local pdb="host=$PGHOST port=$PGPORT user=postgres dbname=par"
        if [[ $f == *07_approved* ]]; then
            psql -X -q -At -d "$pdb" -c "SELECT migration_guard.approve(ARRAY['drop-column'], ARRAY['public.child.parent_id'], 'parity', uses => 2, for_role => 'postgres')" >/dev/null
        fi
        local rc=0
        "$MG" check --db "$pdb" --format json --no-config "$f" >"$T/par.json" 2>"$T/par.err" || rc=$?
        local said
        said=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("block" if any(x["would_block"] for f in d["files"] for x in f.get("dry_run", [])) else "pass")' "$T/par.json")
        [[ $said == block && $rc -ne 1 ]] && mismatches+=" $f(exit $rc although it would block)"
        local did=pass
        psql -X -q -v ON_ERROR_STOP=1 -1 -d "$pdb" -f "$f" >"$T/par.out" 2>&1 || did=error
        grep -q "migration_guard blocked" "$T/par.out" && did=block
        [[ $said == "$did" ]] || mismatches+=" $f(check: $said, server: $did)"
    done
    psql -X -q -d "$DB" -c "DROP DATABASE IF EXISTS par" -c "DROP DATABASE par_src"
    [[ -z $mismatches ]] || { echo "  disagree:$mismatches" >&2; return 1; }
}
check "check --db and the server agree file by file (blocked or not; approvals bound to the role count); a blocked file exits 1" t_check_parity

# --schema gives the linter the server's type-change verdicts: the same statements against a
# pg_dump -s of a table, offline, and through classify() in the server: the server's "no rewrite"
# is the linter's silence (the server records it as low; it also scales a rewrite's risk by the
# table's size, which no schema says).
t_schema_parity() {
    sql -c "CREATE TABLE sp_users (id bigint PRIMARY KEY, email varchar(40), code char(8), note text, price numeric(10,2),
                                   age int, at timestamp, tags varchar(20)[], doc xml);
            INSERT INTO sp_users SELECT g, 'e' || g, 'c', 'n', g, g, now(), '{a}', '<a/>' FROM generate_series(1, 500) g; ANALYZE sp_users"
    pg_dump -s -t sp_users -d "$DB" >sp_schema.sql
    local stmts=(
        "ALTER TABLE sp_users ALTER COLUMN email TYPE text"
        "ALTER TABLE sp_users ALTER COLUMN email TYPE varchar(80)"
        "ALTER TABLE sp_users ALTER COLUMN email TYPE varchar(20)"
        "ALTER TABLE sp_users ALTER COLUMN note TYPE varchar(10)"
        "ALTER TABLE sp_users ALTER COLUMN price TYPE numeric(12,2)"
        "ALTER TABLE sp_users ALTER COLUMN price TYPE numeric(8,2)"
        "ALTER TABLE sp_users ALTER COLUMN age TYPE bigint"
        "ALTER TABLE sp_users ALTER COLUMN code TYPE text"
        "ALTER TABLE sp_users ALTER COLUMN tags TYPE text[]"
        "ALTER TABLE sp_users ALTER COLUMN age TYPE integer"
        "ALTER TABLE sp_users ALTER COLUMN doc TYPE text"
        "ALTER TABLE sp_users ALTER COLUMN at TYPE timestamp(3)"
    )
    local mismatches="" i=0
    for st in "${stmts[@]}"; do
        i=$((i + 1))
        printf '%s;\n' "$st" >sp_$i.sql
        local server offline
        server=$(sql -c "SELECT coalesce((NOT bool_or(rewrites_table))::text, 'true') FROM migration_guard.classify(\$\$$st\$\$) WHERE rule = 'change-column-type'")
        # Safe offline: no change-column-type finding at all (the linter keeps quiet about it).
        offline=$("$MG" lint --no-config --format json --schema sp_schema.sql sp_$i.sql |
            python3 -c 'import json,sys; r=[x["risk"] for f in json.load(sys.stdin)["files"] for x in f["findings"] if x["rule"]=="change-column-type"]; print("false" if r else "true")')
        [[ $server == "$offline" ]] || mismatches+=" [$st: server safe=$server, offline safe=$offline]"
    done
    sql -c "DROP TABLE sp_users" 2>/dev/null || psql -X -q -d "$DB" -c "SET migration_guard.mode = 'audit'" -c "DROP TABLE sp_users" >/dev/null
    [[ -z $mismatches ]] || { echo "  disagree:$mismatches" >&2; return 1; }
}
check "--schema (pg_dump -s): the linter's type-change verdicts equal the server's classify() on the same table" t_schema_parity

finish
