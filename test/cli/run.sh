#!/usr/bin/env bash
# End-to-end checks of the migration-guard command line: output formats, exit codes, inputs.
# Usage: test/cli/run.sh [path/to/migration-guard]   (default build/migration-guard)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

source "$HERE/lib.sh"
use_binary "${1:-build/migration-guard}"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

# mg_stdin FILE ARGS... : like mg, with FILE on standard input.
mg_stdin() {
    local input=$1
    shift
    RC=0
    "$MG" "$@" <"$input" >"$T/out" 2>"$T/err" || RC=$?
}

# --- fixtures --------------------------------------------------------------------------------
printf -- '-- drop the old users table\n\nDROP TABLE users;\n' >drop.sql
printf 'CREATE INDEX i ON t(a);\n' >index.sql
printf 'CREATE TABLE t (id bigint generated always as identity primary key);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n' >safe.sql
printf 'CREATE TABLE t (id bigint generated always as identity primary key);\n' >norls.sql
printf 'CREATE TABLE x (id int);\nALTER TABLE x ADD COLUMN;\n' >bad.sql
cat >hidden.sql <<'SQL'
INSERT INTO audit_note VALUES ('DROP TABLE users;');
-- DROP TABLE users;
/* DROP TABLE users; */
CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DROP TABLE users; $$;
SQL
mkdir -p tree/sub/deeper tree/empty
printf 'DROP TABLE a;\n' >tree/b.sql
printf 'CREATE INDEX i ON t(a);\n' >tree/sub/a.sql
printf 'DROP TABLE c;\n' >tree/sub/deeper/c.sql
printf 'DROP TABLE not_sql;\n' >tree/notes.txt
printf 'DROP TABLE backup;\n' >tree/sub/old.sql.bak

# --- general ---------------------------------------------------------------------------------
t_help() { mg --help && expect_rc 0 && has "$T/out" "usage: migration-guard lint"; }
check "--help prints usage, exit 0" t_help

t_version() { mg --version && expect_rc 0 && has "$T/out" "0.4.0"; }
check "--version prints 0.4.0" t_version

# --- PostgreSQL majors ------------------------------------------------------------------------
t_version_grammar() { mg --version && expect_rc 0 && has "$T/out" "parses PostgreSQL 17's grammar"; }
check "--version says which grammar the linter parses (17)" t_version_grammar

t_pg17_syntax() {
    printf '%s\n' "MERGE INTO stock s USING delivery d ON s.item = d.item WHEN MATCHED THEN DELETE RETURNING merge_action(), s.item;" \
        "SELECT * FROM JSON_TABLE(jsonb '[]', '\$[*]' COLUMNS (a int PATH '\$.a')) jt;" \
        "ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (price * qty);" >pg17.sql
    mg lint --no-config pg17.sql; expect_rc 1 && has "$T/out" "set-generated-expression" && has "$T/out" "3 statements"
}
check "PostgreSQL 17 syntax is linted (MERGE RETURNING, JSON_TABLE, SET EXPRESSION)" t_pg17_syntax

t_pg_version_advice() {
    printf 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n' >notnull.sql
    mg lint --no-config notnull.sql && has "$T/out" "NOT NULL email NOT VALID" || return 1
    mg lint --no-config --pg-version 15 notnull.sql && has "$T/out" "CHECK (email IS NOT NULL) NOT VALID" &&
        ! grep -q "NOT NULL email NOT VALID" "$T/out" || return 1
    mkdir -p cfg15 && printf 'postgres_version = 15\n' >cfg15/migration-guard.toml && cp notnull.sql cfg15/
    mg lint cfg15/notnull.sql && has "$T/out" "CHECK (email IS NOT NULL)" || return 1
    mg lint --pg-version 18 cfg15/notnull.sql && has "$T/out" "NOT NULL email NOT VALID"
}
check "--pg-version / postgres_version: 18's remedy by default, 15's when asked; the flag wins" t_pg_version_advice

t_pg_version_bad() {
    mg lint --pg-version 19 index.sql; expect_rc 2 && has "$T/err" "from 10 to 18" || return 1
    mkdir -p cfg19 && printf 'postgres_version = 9\n' >cfg19/migration-guard.toml && cp index.sql cfg19/
    mg lint cfg19/index.sql; expect_rc 2 && has "$T/err" "from 10 to 18"
}
check "an unsupported --pg-version or postgres_version is refused, exit 2" t_pg_version_bad

t_rules() {
    mg rules && expect_rc 0 && has "$T/out" "drop-table" && has "$T/out" "create-index-blocking" &&
        grep -Eq '^drop-table +critical +data-loss ' "$T/out"
}
check "rules lists the catalog with risk and category" t_rules

# --- exit codes ------------------------------------------------------------------------------
t_exit_critical() { mg lint drop.sql; expect_rc 1; }
check "critical finding, default --fail-on high: exit 1" t_exit_critical

t_exit_low_default() { mg lint index.sql; expect_rc 0 && has "$T/out" "create-index-blocking"; }
check "low finding, default --fail-on high: exit 0" t_exit_low_default

t_exit_fail_on_low() { mg lint --fail-on low index.sql; expect_rc 1; }
check "low finding with --fail-on low: exit 1" t_exit_fail_on_low

t_exit_fail_on_eq() { mg lint --fail-on=medium index.sql; expect_rc 0; }
check "low finding with --fail-on=medium: exit 0" t_exit_fail_on_eq

t_exit_fail_on_critical() { mg lint --fail-on critical drop.sql; expect_rc 1; }
check "critical finding with --fail-on critical: exit 1" t_exit_fail_on_critical

t_safe() { mg lint --fail-on medium safe.sql; expect_rc 0; }
check "identity table with RLS enabled: nothing at or above medium" t_safe

t_bad_fail_on() { mg lint --fail-on severe drop.sql; expect_rc 2 && has "$T/err" "usage:"; }
check "bad --fail-on value: usage, exit 2" t_bad_fail_on

t_bad_option() { mg lint --frobnicate drop.sql; expect_rc 2 && has "$T/err" "usage:"; }
check "unknown option: usage, exit 2" t_bad_option

t_bad_format() { mg lint --format xml drop.sql; expect_rc 2 && has "$T/err" "usage:"; }
check "unknown format: usage, exit 2" t_bad_format

t_no_path() { mg lint --format json; expect_rc 2 && has "$T/err" "usage:"; }
check "no PATH: usage, exit 2" t_no_path

t_no_command() { mg; expect_rc 2 && has "$T/err" "usage:"; }
check "no command: usage, exit 2" t_no_command

t_missing() { mg lint missing.sql; expect_rc 2 && has "$T/err" "missing.sql"; }
check "missing file: exit 2" t_missing

t_missing_others() { mg lint missing.sql drop.sql; expect_rc 2 && has "$T/out" "drop-table"; }
check "missing file does not stop the other files" t_missing_others

# --- parse errors ----------------------------------------------------------------------------
t_parse_error() {
    mg lint bad.sql drop.sql
    expect_rc 2 && has "$T/out" "bad.sql:2:25: error:" && has "$T/out" "hint:" &&
        has "$T/out" "    2 | ALTER TABLE x ADD COLUMN;" &&
        grep -qE '^ +\| {25}\^$' "$T/out" && has "$T/out" "drop.sql:3:1: drop-table"
}
check "parse error: path:line:column, caret, exit 2, other files still linted" t_parse_error

# A NUL byte would end the text for the parser while psql runs what follows it; bytes that are
# not UTF-8 would be read differently by the server. Both are refused, with the position.
t_nul_byte() {
    printf 'SELECT 1;\n\0DROP TABLE users;\n' >nul.sql
    mg lint nul.sql
    expect_rc 2 && has "$T/out" "nul.sql:2:1: error:" && has "$T/out" "NUL byte"
}
check "NUL byte: refused with its position, exit 2 (never a silent pass)" t_nul_byte
t_bad_utf8() {
    printf "SELECT 'caf\xc3';\nDROP TABLE users;\n" >latin.sql
    mg lint latin.sql
    expect_rc 2 && has "$T/out" "latin.sql:1:12: error:" && has "$T/out" "UTF-8"
}
check "invalid UTF-8: refused with its position, exit 2" t_bad_utf8
t_deep_expression() {
    python3 -c "print('ALTER TABLE t ADD COLUMN c int DEFAULT 1' + '+1' * 250000 + ';')" >deep.sql
    mg lint deep.sql
    expect_rc 2 && has "$T/out" "deep.sql:1:1: error:" && has "$T/out" "nested more than"
}
check "250,000-term expression: refused with its position, exit 2, no crash" t_deep_expression

t_parse_error_json() {
    mg lint --format json bad.sql drop.sql
    expect_rc 2 && py '
f = d["files"][0]
assert list(f)[:2] == ["path", "findings"] and "error" in f and "errors" in f, list(f)
assert [x["rule"] for x in f["findings"]] == ["prefer-bigint"], f["findings"]  # statement 1 still linted
assert list(f["error"])[:3] == ["message", "line", "column"], list(f["error"])
assert (f["error"]["line"], f["error"]["column"], f["error"]["statement"]) == (2, 25, 2), f["error"]
assert f["errors"] == [f["error"]], f["errors"]
assert d["summary"]["parse_errors"] == 1
assert d["files"][1]["findings"][0]["rule"] == "drop-table"
'
}
check "parse error in JSON: error {message,line,column,statement}, the statements around it still linted" t_parse_error_json

# --- formats ---------------------------------------------------------------------------------
t_text() {
    mg lint drop.sql index.sql
    expect_rc 1 && has "$T/out" "drop.sql:3:1: drop-table [critical] " &&
        grep -qE '^index\.sql:1:[0-9]+: create-index-blocking \[low\] .+' "$T/out" &&
        has "$T/out" "  hint: " && has "$T/out" "    3 | DROP TABLE users;" &&
        grep -qE '^ +\| \^$' "$T/out" &&
        grep -qE '^2 statements, [0-9]+ findings \(1 critical, [0-9]+ low\) in 2 files$' "$T/out"
}
check "text format: location, rule, risk, hint, caret, summary" t_text

t_json() {
    mg lint --format json drop.sql index.sql
    expect_rc 1 && py '
assert list(d) == ["files", "summary"], list(d)
assert [f["path"] for f in d["files"]] == ["drop.sql", "index.sql"]
keys = ["rule", "risk", "category", "statement", "line", "column", "message", "hint", "lock_mode"]
for f in d["files"]:
    assert list(f) == ["path", "findings", "layout"], list(f)
    for x in f["findings"]:
        assert list(x) == keys + ["direction", "suppressed"], list(x)
        assert (x["direction"], x["suppressed"]) == ("up", None), x
        assert x["lock_mode"] is None or (isinstance(x["lock_mode"], str) and x["lock_mode"])
        assert all(isinstance(x[k], int) for k in ("statement", "line", "column"))
x = d["files"][0]["findings"][0]
assert (x["rule"], x["risk"], x["category"], x["statement"], x["line"], x["column"]) == \
    ("drop-table", "critical", "data-loss", 1, 3, 1), x
s = d["summary"]
assert list(s) == ["files", "statements", "findings", "by_risk", "highest_risk", "fail_on",
                   "parse_errors", "files_with_parse_errors", "suppressed", "down_findings", "lock_timeout_folded",
                   "other_engine_files"], list(s)
assert list(s["by_risk"]) == ["low", "medium", "high", "critical"]
assert (s["files"], s["statements"]) == (2, 2), s
assert s["findings"] == sum(len(f["findings"]) for f in d["files"]) == sum(s["by_risk"].values())
assert (s["by_risk"]["critical"], s["by_risk"]["high"], s["by_risk"]["medium"]) == (1, 0, 0), s
assert "create-index-blocking" in [x["rule"] for x in d["files"][1]["findings"]]
assert (s["highest_risk"], s["fail_on"], s["parse_errors"]) == ("critical", "high", 0), s
'
}
check "json format: exact keys and values" t_json

t_json_escaping() {
    local name=$'we "ird\\ name\t.sql'
    cp drop.sql "$name"
    mg lint --format json "$name"
    expect_rc 1 && py '
assert d["files"][0]["path"] == "we \"ird\\ name\t.sql", d["files"][0]["path"]
' && ! grep -qP '\t' "$T/out"
}
check "json format: paths with quotes, backslashes and tabs are escaped" t_json_escaping

t_sarif() {
    mg lint --format sarif drop.sql index.sql
    expect_rc 1 && py '
assert d["version"] == "2.1.0"
run = d["runs"][0]
assert run["tool"]["driver"]["name"] == "migration-guard"
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert "drop-table" in ids and "create-index-blocking" in ids
res = {r["ruleId"]: r for r in run["results"]}
assert res["drop-table"]["level"] == "error", res
assert res["create-index-blocking"]["level"] == "note", res
loc = res["drop-table"]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "drop.sql", loc
assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (3, 1), loc
assert ids[res["drop-table"]["ruleIndex"]] == "drop-table"
'
}
check "sarif format: 2.1.0, driver, rules, results with levels and regions" t_sarif

t_github() {
    mg lint --format github drop.sql index.sql
    expect_rc 1 && grep -qE '^::error file=drop\.sql,line=3,col=1,title=drop-table::.+' "$T/out" &&
        grep -qE '^::notice file=index\.sql,line=1,col=[0-9]+,title=create-index-blocking::.+' "$T/out"
}
check "github format: ::error / ::notice annotations" t_github

t_github_escaping() {
    # A quoted identifier may hold a newline and a percent sign; neither may break the command.
    printf 'DROP TABLE "50%%\noff";\n' >weird.sql
    mg lint --format github weird.sql
    expect_rc 1 && has "$T/out" "50%25%0Aoff" &&
        [[ $(grep -cvE '^::(error|warning|notice) ' "$T/out") -eq 1 ]]  # only the summary line
}
check "github format: %, newline escaped in messages" t_github_escaping

t_github_parse_error() {
    mg lint --format github bad.sql
    expect_rc 2 && grep -qE '^::error file=bad\.sql,line=2,col=25,title=parse error::' "$T/out"
}
check "github format: parse error annotation" t_github_parse_error

# --- inputs ----------------------------------------------------------------------------------
t_folder() {
    mg lint --format json tree
    expect_rc 1 && py '
paths = [f["path"] for f in d["files"]]
assert paths == ["tree/b.sql", "tree/sub/a.sql", "tree/sub/deeper/c.sql"], paths
'
}
check "folder: nested *.sql only, sorted by path" t_folder

t_stdin() {
    mg_stdin drop.sql lint --format json -
    expect_rc 1 && py '
assert d["files"][0]["path"] == "<stdin>", d
assert d["files"][0]["findings"][0]["rule"] == "drop-table"
'
}
check "stdin via -" t_stdin

t_stdin_text() { mg_stdin drop.sql lint -; expect_rc 1 && has "$T/out" "<stdin>:3:1: drop-table"; }
check "stdin via - in text format" t_stdin_text

t_jobs_order() {
    # Many small files of different sizes, so that threads finish out of order.
    mkdir -p many
    for i in $(seq 1 120); do
        { for j in $(seq 1 $(((i * 7) % 23 + 1))); do echo "ALTER TABLE t$i ADD COLUMN c$j text;"; done
          [[ $((i % 3)) -eq 0 ]] && echo "DROP TABLE d$i;"
          [[ $((i % 17)) -eq 0 ]] && echo "ALTER TABLE x ADD COLUMN;"; } >"many/m$(printf %03d "$i").sql"
    done
    mg lint --format json --jobs 1 many
    local rc1=$RC
    cp "$T/out" one.json
    mg lint --format json --jobs 4 many
    [[ $RC -eq $rc1 ]] && cmp -s one.json "$T/out" &&
        mg lint --jobs 3 many && cp "$T/out" three.txt && mg lint --jobs 1 many && cmp -s three.txt "$T/out"
}
check "--jobs: reports byte-identical and in input order whatever the thread count" t_jobs_order

t_jobs_unreadable() {
    mkdir -p locked && printf 'DROP TABLE a;\n' >locked/a.sql && printf 'DROP TABLE b;\n' >locked/b.sql
    mg lint --jobs 2 locked/a.sql missing.sql locked/b.sql
    expect_rc 2 && has "$T/err" "missing.sql" && has "$T/out" "locked/a.sql" && has "$T/out" "locked/b.sql"
}
check "--jobs: a missing input is reported, the others linted" t_jobs_unreadable

t_jobs_bad() {
    local v
    for v in 0 -1 x 2000 ""; do mg lint --jobs "$v" drop.sql; expect_rc 2 && has "$T/err" "--jobs" || return 1; done
}
check "--jobs: bad values are usage errors, exit 2" t_jobs_bad

# --- what the engine must not see ------------------------------------------------------------
t_hidden() {
    mg lint --format json --fail-on low hidden.sql
    expect_rc 0 && py '
assert d["summary"]["statements"] == 2, d["summary"]
assert d["summary"]["findings"] == 0, d["files"]
'
}
check "DROP TABLE in a string, comment or \$\$ body: no finding" t_hidden

rules_of() { python3 -c 'import json,sys; print(" ".join(x["rule"] for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"]))' "$T/out"; }
t_rls_schemas() {
    mg lint --format json --rls-schemas public norls.sql
    local named
    named=$(rules_of)
    mg lint --format json --rls-schemas audit,billing norls.sql
    [[ $named == *table-without-rls* ]] && py '
assert all(x["rule"] != "table-without-rls" for x in d["files"][0]["findings"]), d
'
}
check "--rls-schemas replaces the protected schemas" t_rls_schemas

# table-without-rls by default only where the migration set uses RLS: silent for a project that
# never does, medium for a new table beside others that do (in another file of the set).
mkdir -p rls_set
printf 'CREATE TABLE public.docs (id bigint PRIMARY KEY);\nALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON public.docs USING (true);\n' >rls_set/001_docs.sql
printf 'CREATE TABLE public.notes (id bigint PRIMARY KEY);\nCREATE TABLE app.events (id bigint PRIMARY KEY);\n' >rls_set/002_notes.sql
t_rls_auto() {
    mg lint --format json norls.sql
    [[ $(rules_of) != *table-without-rls* ]] || return 1
    mg lint --format json rls_set
    py '
found = [(f["path"], x["rule"], x["risk"], x["line"]) for f in d["files"] for x in f["findings"] if x["rule"] == "table-without-rls"]
assert found == [("rls_set/002_notes.sql", "table-without-rls", "medium", 1)], found
'
}
check "table-without-rls: silent unless the migration set uses RLS in the schema, then medium" t_rls_auto

# --- large input -----------------------------------------------------------------------------
t_large() {
    python3 - big.sql <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(50000):
        k = i % 5
        if k == 0: f.write(f"CREATE TABLE t{i} (id bigint generated always as identity primary key, note text);\n")
        elif k == 1: f.write(f"ALTER TABLE t{i-1} ADD COLUMN c{i} text;\n")
        elif k == 2: f.write(f"CREATE INDEX i{i} ON t{i-2} (c{i-1});\n")
        elif k == 3: f.write(f"-- step {i}; nothing to see\nINSERT INTO log VALUES ('a;b', {i});\n")
        else: f.write(f"DROP TABLE old_{i};\n")
PYEOF
    local start end
    start=$(date +%s%N)
    mg lint --format json big.sql
    end=$(date +%s%N)
    echo "  50000 statements in $(((end - start) / 1000000)) ms" >&2
    expect_rc 1 && py '
assert d["summary"]["statements"] == 50000, d["summary"]
assert d["summary"]["parse_errors"] == 0
assert d["summary"]["by_risk"]["critical"] >= 10000, d["summary"]
'
}
check "50,000-statement file lints" t_large

# --- rollback: the down SQL a migration file's text tells, newest statement first -------------
t_rollback() {
    printf 'CREATE TABLE orders (id int);\nALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users RENAME COLUMN name TO full_name;\n' >up.sql
    mg rollback up.sql
    expect_rc 0 && has "$T/out" "ALTER TABLE users RENAME COLUMN full_name TO name;" &&
        [[ $(grep -n 'RENAME COLUMN full_name' "$T/out" | cut -d: -f1) -lt $(grep -n 'DROP TABLE orders' "$T/out" | cut -d: -f1) ]] &&
        has "$T/out" "3 statements: 3 undone by SQL"
}
check "rollback: every statement undone by SQL, newest first, exit 0" t_rollback
t_rollback_loss() {
    printf 'ALTER TABLE users DROP COLUMN legacy;\nDROP TABLE sessions;\nALTER TABLE users ALTER COLUMN tier SET DEFAULT 1;\n' >loss.sql
    mg rollback loss.sql
    expect_rc 1 && has "$T/out" "-- needs the recycle bin or a backup: DROP TABLE destroys the rows" &&
        has "$T/out" "cannot be undone from the text alone: the previous default of tier is not known" &&
        has "$T/out" "migration_guard.kept"
}
check "rollback: statements that need the recycle bin or a backup are listed, exit 1" t_rollback_loss
t_rollback_bad() {
    printf 'CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN;\n' >bad_rb.sql
    mg rollback bad_rb.sql
    expect_rc 2 && has "$T/err" "bad_rb.sql:2:" && has "$T/err" "hint:"
    mg rollback one.sql two.sql
    expect_rc 2
}
check "rollback: a file that does not parse is refused with its position; one FILE only" t_rollback_bad
t_rollback_hostile() {
    # A newline inside quoted names and literals: every line of the guide is a comment or a statement.
    printf 'ALTER TABLE users DROP COLUMN "x\nALTER ROLE app SUPERUSER;\n--";\nCREATE TABLE "t\nDELETE FROM invoices;" (id int);\nALTER TABLE users RENAME COLUMN a TO "b\nDROP TABLE x;";\n' >hostile.sql
    mg rollback hostile.sql
    expect_rc 1 && ! grep -Ev '^(--.*|ALTER TABLE .*;|DROP TABLE .*;|)$' "$T/out" &&
        has "$T/out" 'U&"t\000ADELETE FROM invoices;"' && ! grep -q "^ALTER ROLE\|^DELETE" "$T/out"
}
check "rollback: names with control characters stay inside one-line statements and escaped comments" t_rollback_hostile
t_text_escapes() {
    # A name cannot start a line of its own in a CI log (a "::error" workflow command, a forged finding).
    printf 'DROP TABLE "x\n::error file=app.py::forged";\n' >hostile_name.sql
    mg lint --format text hostile_name.sql
    expect_rc 1 && ! grep -q '^::error' "$T/out" && has "$T/out" 'x\x0a::error file=app.py::forged'
}
check "text reports escape control characters in names" t_text_escapes

# Reports that fit: a pull request's comment or step summary holds 65,536 characters; GitHub
# shows a handful of annotations per file; SARIF links each rule to its page.
t_report_limits() {
    mkdir -p big
    for i in $(seq 1 60); do
        { for j in $(seq 1 40); do echo "ALTER TABLE t$j DROP COLUMN c$i; DROP TABLE old_${i}_$j; UPDATE u$j SET x = 1;"; done; } >big/$(printf '%04d' "$i")_big.sql
    done
    mg lint --format markdown --no-config big
    local size
    size=$(python3 -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read()))' "$T/out")
    [[ $RC -eq 1 && $size -le 65536 ]] || { echo "  markdown: $size characters, exit $RC" >&2; return 1; }
    has "$T/out" "more findings not shown" && has "$T/out" "critical" || return 1
    mg lint --format github --no-config big/0001_big.sql
    [[ $(grep -c '^::\(error\|warning\|notice\) file=' "$T/out") -le 11 ]] && has "$T/out" "more findings in this file are not annotated" || return 1
    mg lint --format sarif --no-config big/0001_big.sql
    python3 - "$T/out" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]
assert all(r["helpUri"].endswith("/docs/rules/" + r["id"] + ".md") for r in rules if r["id"] != "dry-run-error"), rules[0]
PY
    MIGRATION_GUARD_RULE_DOCS=https://wiki.example/mg mg lint --format sarif --no-config big/0001_big.sql
    grep -q '"helpUri":"https://wiki.example/mg/drop-table.md"' "$T/out"
}
check "reports fit: markdown within 65,536 characters (highest risks first, the rest counted), 10 annotations per file, SARIF helpUri" t_report_limits

# --changed-since: in a git repository, only what the change adds or edits is reported; the other
# migrations are the schema (a type change on a column they created is known to be safe); an
# edited, already-applied migration is edited-migration. GitHub's pull-request jobs do it by default.
t_changed_since() {
    rm -rf repo && mkdir -p repo/db && (
        cd repo && git init -q -b main && git config user.email t@example.com && git config user.name t &&
        printf 'CREATE TABLE users (id bigint PRIMARY KEY, email varchar(40), legacy text);\n' >db/0001_users.sql &&
        printf 'ALTER TABLE users DROP COLUMN legacy;\n' >db/0002_drop.sql &&
        git add -A && git commit -qm base && git checkout -q -b feature &&
        printf 'ALTER TABLE users ALTER COLUMN email TYPE text;\n' >db/0003_text.sql &&
        printf 'ALTER TABLE users DROP COLUMN legacy; -- edited\n' >db/0002_drop.sql
    ) || return 1
    (cd repo && "$MG" lint --no-config --format json --changed-since main db) >"$T/out" 2>"$T/err"
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
got = {f["path"].split("/")[-1]: sorted((x["rule"], x["risk"]) for x in f["findings"]) for f in d["files"]}
assert set(got) == {"0002_drop.sql", "0003_text.sql"}, got
assert ("edited-migration", "high") in got["0002_drop.sql"], got
# varchar -> text on a table the earlier migrations made: known safe, so nothing to report.
assert not [r for r in got["0003_text.sql"] if r[0] == "change-column-type"], got
PY
    (cd repo && "$MG" lint --no-config --format json --changed-since nosuchref db) >"$T/out" 2>"$T/err"
    [[ $? -eq 2 ]] && has "$T/err" "'nosuchref' is not a commit git knows" || return 1
    (cd repo && git checkout -q main && git branch -q origin/main main 2>/dev/null; git checkout -q feature &&
        GITHUB_BASE_REF=main "$MG" lint --no-config --format github db) >"$T/out" 2>"$T/err"
    ! grep -q '0001_users' "$T/out" && has "$T/out" "0002_drop.sql" && has "$T/out" "in 2 files"
}
check "--changed-since: only added and edited files reported, the rest read as schema; edited-migration; github format in a pull request" t_changed_since

# --schema: a pg_dump --schema-only file says what exists: safe type changes are silent, unsafe ones
# still caught; a schema that does not parse is an error with its position.
t_schema_file() {
    cat >schema.sql <<'SQL'
\restrict k
SET search_path = '';
CREATE TABLE public.users (id bigint NOT NULL, email character varying(40), note text, price numeric(10,2));
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
\unrestrict k
SQL
    printf 'ALTER TABLE users ALTER COLUMN email TYPE text;\nALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);\nALTER TABLE users ALTER COLUMN note TYPE integer USING note::integer;\n' >types.sql
    mg lint --no-config --format json --schema schema.sql types.sql
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
got = [x["risk"] for f in d["files"] for x in f["findings"] if x["rule"] == "change-column-type"]
# The safe ones (text, numeric(12,2)) are silent; varchar(20) and the USING cast are not.
assert [x["line"] for f in d["files"] for x in f["findings"] if x["rule"] == "change-column-type"] == [3, 4], d
assert all(r in ("high", "critical") for r in got) and len(got) == 2, got
PY
    mg lint --no-config --format json types.sql
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[x["risk"] for f in d["files"] for x in f["findings"] if x["rule"]=="change-column-type"]; assert "low" not in r, r' "$T/out" || return 1
    printf 'CREATE TABLE x (\n  id int,\n  oops oops oops\n);\n' >bad_schema.sql
    mg lint --no-config --schema bad_schema.sql types.sql
    expect_rc 2 && has "$T/err" "bad_schema.sql:3:" && has "$T/err" "the schema does not parse"
}
check "--schema FILE (pg_dump -s): safe type changes silent, unsafe still high or critical; a bad schema file is an error with its position" t_schema_file

# Statements inside PL/pgSQL: a DO block's static SQL is linted in its place (it runs now); a
# function's when it is called, said so; dynamic EXECUTE strings are not SQL text here.
t_plpgsql() {
    cat >plpgsql.sql <<'SQL'
CREATE TABLE fresh (id bigint);
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'x') THEN
    ALTER TABLE users DROP COLUMN legacy;
  END IF;
  UPDATE fresh SET id = 1;
  EXECUTE 'TRUNCATE users';
END $$;
CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM orders;
END $f$;
SQL
    mg lint --no-config --format json plpgsql.sql
    python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((x["rule"], x["line"], x["column"], x["message"].startswith("In function purge, when it is called")) for f in d["files"] for x in f["findings"] if x["rule"] != "require-lock-timeout")
assert got == [("dml-without-where", 12, 3, True), ("drop-column", 5, 5, False)], got
PY
}
check "PL/pgSQL: a DO block's static statements linted in place, a function's as it will run; EXECUTE strings not" t_plpgsql

# Per-engine layouts (ory/popx): in a folder with files named for PostgreSQL, a search lints those
# and the ones for every engine, not V_name.mysql.up.sql (counted in the summary), and not
# V_name.up.sql when V_name.postgres.up.sql replaces it.
# A file named on the command line is linted whatever its name.
t_engine_files() {
    rm -rf engines && mkdir engines
    printf 'DROP TABLE generic_one;\n' >engines/1_a.up.sql
    printf 'DROP TABLE generic_one_autocommit;\n' >engines/1_a.autocommit.up.sql
    printf 'DROP TABLE pg_one;\n' >engines/1_a.postgres.up.sql
    printf 'ALTER TABLE t MODIFY COLUMN c INT;\n' >engines/1_a.mysql.up.sql
    printf 'DROP TABLE lite;\n' >engines/2_b.sqlite3.up.sql
    printf 'DROP TABLE roach;\n' >engines/2_b.cockroach.up.sql
    printf 'DROP TABLE every_engine;\n' >engines/3_c.up.sql
    printf 'CREATE TABLE back (id int);\n' >engines/1_a.down.sql
    printf 'DROP TABLE lite_only;\n' >engines/4_d.sqlite3.up.sql
    mg lint --no-config --format json engines
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted(f["path"].split("/")[-1] for f in d["files"])
assert got == ["1_a.down.sql", "1_a.postgres.up.sql", "3_c.up.sql"], got
assert d["summary"]["other_engine_files"] == 6, d["summary"]
PY
    mg lint --no-config engines
    has "$T/out" "6 files for other engines left out" || return 1
    # Outside a per-engine layout (no file named for PostgreSQL), golang-migrate and Flyway read
    # "mysql" as part of a name and run the file: it is linted, never hidden.
    rm -rf plain_engines && mkdir plain_engines
    printf 'DROP TABLE lone;\n' >plain_engines/4_d.mysql.up.sql
    printf 'DROP TABLE flyway_lone;\n' >plain_engines/V5__drop.mysql.sql
    mg lint --no-config --format json plain_engines
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["files"]) == 2 and d["summary"]["other_engine_files"] == 0, d' "$T/out" || return 1
    mg lint --no-config engines/1_a.mysql.up.sql
    expect_rc 2 && has "$T/out" "syntax error"
}
check "folders of per-engine layouts: files for other engines and the generic ones a V.postgres.up.sql replaces left out, counted; elsewhere V5__x.mysql.sql is linted" t_engine_files

# require-lock-timeout is advice for the project: shown at the first migration of a run that needs
# it, the others counted in the summary; --assume-lock-timeout (or assume_lock_timeout) says the
# role or tool sets one.
t_lock_timeout_run() {
    rm -rf lt && mkdir lt
    for i in 1 2 3; do printf 'ALTER TABLE users ADD COLUMN c%s text;\n' "$i" >lt/000$i.sql; done
    printf 'SET lock_timeout = %s;\nALTER TABLE users ADD COLUMN d text;\n' "'5s'" >lt/0004.sql
    mg lint --no-config --format json lt
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
got = [(f["path"].split("/")[-1], x["rule"]) for f in d["files"] for x in f["findings"]]
assert got == [("0001.sql", "require-lock-timeout")], got
assert "shown in the first migration of a run" in d["files"][0]["findings"][0]["hint"], d
assert d["summary"]["lock_timeout_folded"] == 2 and d["summary"]["findings"] == 1, d["summary"]
PY
    mg lint --no-config lt
    has "$T/out" "require-lock-timeout for 2 more migrations (shown once, in lt/0001.sql)" || return 1
    mg lint --no-config --format json --assume-lock-timeout lt
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["findings"] == 0 and d["summary"]["lock_timeout_folded"] == 0, d["summary"]' "$T/out" || return 1
    printf 'assume_lock_timeout = true\n' >lt/migration-guard.toml
    mg lint --format json lt
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["findings"] == 0, d["summary"]' "$T/out" || return 1
    printf 'assume_lock_timeout = "yes"\n' >lt/migration-guard.toml
    mg lint lt
    expect_rc 2 && has "$T/err" "migration-guard.toml:1:"
}
check "require-lock-timeout once a run (the rest counted in the summary); --assume-lock-timeout and assume_lock_timeout turn it off" t_lock_timeout_run

# Templated migrations (supabase/auth's Go templates, Flyway placeholders): each placeholder is read
# as a name at the same offsets, so the statements parse and positions hold; literals are data.
t_placeholders() {
    cat >tmpl.sql <<'SQL'
CREATE INDEX IF NOT EXISTS users_email_idx ON "{{ index .Options "Namespace" }}".users (email);
ALTER TABLE ${flyway:defaultSchema}.accounts DROP COLUMN legacy;
ALTER TABLE {{ .Prefix }}_orders ADD COLUMN tags text[] DEFAULT '{{a,b},{c,d}}';
{{ if .Audit }}
DROP TABLE {{ .Schema }}.audit;
{{ end }}
SQL
    mg lint --no-config --format json tmpl.sql
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
assert not f.get("errors"), f.get("errors")
got = sorted((x["rule"], x["line"], x["column"]) for x in f["findings"] if x["rule"] != "require-lock-timeout")
assert ("create-index-blocking", 1, 47) in got and ("drop-column", 2, 1) in got and ("drop-table", 5, 1) in got, got
objects = {x["rule"]: x["message"] for x in f["findings"]}
assert "namespace.users" in objects["create-index-blocking"], objects
assert "defaultschema.accounts" in objects["drop-column"] and "schema.audit" in objects["drop-table"], objects
assert d["summary"]["statements"] == 4, d["summary"]
PY
    mg lint --no-config tmpl.sql
    has "$T/out" 'note: template placeholder "{{ index .Options "Namespace" }}" read as the name namespace (and 5 more like it)' || return 1
    # Attack: a placeholder that writes SQL text is not read as a name; the statement does not parse
    # and says so (exit 2), it never passes as harmless.
    printf 'ALTER TABLE {{ "users; DROP TABLE accounts" }} ADD COLUMN c text;\n' >tmpl_attack.sql
    mg lint --no-config tmpl_attack.sql
    expect_rc 2 && has "$T/out" "tmpl_attack.sql:1:13: error: syntax error"
}
check "templated migrations: {{ ... }} and \${...} placeholders read as names in place; literals and positions kept" t_placeholders

# PL/pgSQL: RETURNING ... INTO v is a PL/pgSQL clause; the statement after it is linted on its own.
t_plpgsql_into() {
    cat >into.sql <<'SQL'
DO $$
DECLARE new_id bigint;
BEGIN
  INSERT INTO executions (status) VALUES ('new') RETURNING id INTO new_id;
  UPDATE runs SET execution_id = new_id;
END $$;
SQL
    mg lint --no-config --format json into.sql
    python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
assert not f.get("errors"), f["errors"]
assert [(x["rule"], x["line"]) for x in f["findings"]] == [("dml-without-where", 5)], f["findings"]
PY
}
check "PL/pgSQL: INSERT ... RETURNING id INTO v does not swallow the next statement" t_plpgsql_into

# Type advice is one finding per rule, table and statement, naming every column.
t_type_advice_once() {
    printf 'CREATE TABLE events (id bigint PRIMARY KEY, a timestamp, b timestamp(3), c varchar(10), d char(2));\n' >types_once.sql
    mg lint --no-config --format json types_once.sql
    python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = {x["rule"]: x["message"] for f in d["files"] for x in f["findings"]}
assert len(d["files"][0]["findings"]) == len(got), d
assert got["prefer-timestamptz"].startswith("Columns events.a, events.b are timestamp without time zone"), got
assert got["prefer-text"].startswith("Columns events.c (varchar(10)), events.d (char(2)) are limited in length"), got
PY
}
check "type advice: one finding per rule, table and statement, naming every column" t_type_advice_once

# The safe type changes the peers list (strong_migrations, squawk), silent with a pg_dump -s
# schema; their unsafe neighbours still reported.
t_schema_peer_cases() {
    cat >peer_schema.sql <<'SQL'
CREATE TABLE public.t (a character varying(40), b character varying, c text, d numeric(10,2), e cidr,
  g xml, h bit varying(8), i character(4), j interval(2), k time(2), m character varying(10), n integer,
  p timestamp(3) without time zone);
SQL
    local safe=("a TYPE varchar(80)" "a TYPE text" "b TYPE text" "c TYPE varchar" "d TYPE numeric(12,2)"
        "d TYPE numeric" "e TYPE inet" "g TYPE text" "h TYPE bit varying(16)" "h TYPE varbit" "j TYPE interval"
        "k TYPE time(4)" "p TYPE timestamp(6)")
    local unsafe=("i TYPE varchar(4)" "m TYPE varchar(5)" "n TYPE bigint" "d TYPE numeric(12,3)" "c TYPE varchar(10)"
        "a TYPE integer USING a::integer" "p TYPE timestamp(0)")
    local st bad=""
    for st in "${safe[@]}" "${unsafe[@]}"; do
        printf 'ALTER TABLE t ALTER COLUMN %s;\n' "$st" >peer.sql
        mg lint --no-config --format json --schema peer_schema.sql peer.sql
        local n
        n=$(python3 -c 'import json,sys; print(sum(x["rule"] == "change-column-type" for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"]))' "$T/out")
        if [[ " ${safe[*]} " == *" $st "* ]]; then [[ $n == 0 ]] || bad+=" [$st reported]"
        else [[ $n == 1 ]] || bad+=" [$st silent]"; fi
    done
    [[ -z $bad ]] || { echo "  $bad" >&2; return 1; }
}
check "--schema: the peers' safe type changes are silent (13), their unsafe neighbours reported (7)" t_schema_peer_cases

# A DEFAULT that calls a function the linter cannot see may rewrite (medium, said so); a schema
# that declares it IMMUTABLE settles it; one created without a volatility is VOLATILE (high).
t_default_unknown_function() {
    printf 'ALTER TABLE users ADD COLUMN slug text DEFAULT public.make_slug(%s);\n' "'x'" >slug.sql
    mg lint --no-config --format json slug.sql
    python3 - "$T/out" <<'PY' || return 1
import json, sys
x = [x for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"] if x["rule"] == "add-column-volatile-default"]
assert len(x) == 1 and x[0]["risk"] == "medium" and "public.make_slug(), whose volatility is not known here" in x[0]["message"], x
PY
    printf 'CREATE FUNCTION public.make_slug(text) RETURNS text\n    LANGUAGE sql IMMUTABLE\n    AS $$ SELECT lower($1) $$;\nCREATE TABLE public.users (id bigint);\n' >slug_schema.sql
    mg lint --no-config --format json --schema slug_schema.sql slug.sql
    python3 -c 'import json,sys; r=[x["rule"] for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"]]; assert "add-column-volatile-default" not in r, r' "$T/out" || return 1
    sed -i 's/ IMMUTABLE//' slug_schema.sql
    mg lint --no-config --format json --schema slug_schema.sql slug.sql
    python3 -c 'import json,sys; r=[x["risk"] for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"] if x["rule"] == "add-column-volatile-default"]; assert r == ["high"], r' "$T/out"
}
check "DEFAULT calling an unseen function: medium (may rewrite); IMMUTABLE in --schema: silent; no volatility there: high" t_default_unknown_function

# What a new user's trial on real projects found: hints' SQL runs on mixed-case (Prisma) names;
# --changed-since finds the migrations' repository from anywhere; --fail-on is case-blind;
# int -> bigint is a rewrite, not a loss; 18-only syntax is said to be that; DROP INDEX ... CASCADE
# is not told to use CONCURRENTLY; markdown counts many down migrations instead of listing them.
t_trial_fixes() {
    cat >prisma_case.sql <<'SQL'
CREATE TABLE "Session" ("id" bigint PRIMARY KEY, "userId" bigint REFERENCES "User"("id"));
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id");
DROP INDEX "Account_provider_key" CASCADE;
ALTER TABLE "Account" ADD CONSTRAINT "Account_note_not_null" NOT NULL "note";
SQL
    mg lint --no-config --format json prisma_case.sql
    python3 - "$T/out" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"][0]
hints = {x["rule"]: x["hint"] for x in f["findings"]}
assert hints["fk-without-index"] == 'CREATE INDEX CONCURRENTLY ON public."Session" ("userId")', hints
assert 'ALTER TABLE public."Account" VALIDATE CONSTRAINT "Account_userId_fkey"' in hints["add-foreign-key"], hints
assert "CONCURRENTLY does not take CASCADE" in hints["drop-index"] and 'public."Account_provider_key"' in hints["drop-index"], hints
assert "PostgreSQL 17's grammar: syntax new in 18" in f["errors"][0]["message"], f["errors"]
PY
    mg lint --no-config --pg-version 17 prisma_case.sql
    ! grep -q "syntax new in" "$T/out" || return 1
    mg lint --no-config --fail-on=HIGH drop.sql
    expect_rc 1 || return 1
    printf 'CREATE TABLE public.counters (id bigint, value integer);\n' >big_schema.sql
    printf 'ALTER TABLE counters ALTER COLUMN value TYPE bigint;\n' >big.sql
    mg lint --no-config --format json --schema big_schema.sql big.sql
    python3 - "$T/out" <<'PY' || return 1
import json, sys
x = [x for f in json.load(open(sys.argv[1]))["files"] for x in f["findings"] if x["rule"] == "change-column-type"]
assert len(x) == 1 and x[0]["risk"] == "high" and x[0]["category"] == "availability", x
assert "no value is lost or refused" in x[0]["message"], x
PY
    rm -rf downs && mkdir downs
    for i in 1 2 3 4 5; do mkdir -p "downs/000${i}_m"; printf 'CREATE TABLE t%s (id bigint);\n' "$i" >"downs/000${i}_m/up.sql"; printf 'DROP TABLE t%s;\n' "$i" >"downs/000${i}_m/down.sql"; done
    mg lint --no-config --format markdown downs
    has "$T/out" "Rollback: 5 down migrations included" || return 1
    rm -rf elsewhere_repo && mkdir -p elsewhere_repo/db && (
        cd elsewhere_repo && git init -q -b main && git config user.email t@example.com && git config user.name t &&
        printf 'CREATE TABLE users (id bigint, email varchar(40));\n' >db/0001.sql && git add -A && git commit -qm base &&
        printf 'ALTER TABLE users DROP COLUMN email;\n' >db/0002.sql
    ) || return 1
    mkdir -p not_a_repo && (cd not_a_repo && "$MG" lint --no-config --format json --changed-since main ../elsewhere_repo/db) >"$T/out" 2>"$T/err"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["path"].split("/")[-1] for f in d["files"]] == ["0002.sql"], d' "$T/out"
}
check "trial fixes: quoted names in hints, --changed-since from any folder, --fail-on=HIGH, int -> bigint high, 18-only syntax named, DROP INDEX CASCADE, down migrations counted" t_trial_fixes

finish
