#!/usr/bin/env bash
# A linter teams keep switched on: inline suppressions, migration-guard.toml, migration-tool
# layouts (up and down), nothing lost (statements that do not parse, psql scripts, file
# suffixes, folders of code migrations), signal over noise, markdown and step summaries,
# hygiene rules. Usage: test/cli/usability.sh [path/to/migration-guard]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
use_binary "${1:-build/migration-guard}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

# rules: "rule@line[direction,suppressed]" of every finding, space-separated.
rules() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
out = []
for f in d["files"]:
    for x in f["findings"]:
        tag = x["rule"] + "@" + str(x["line"])
        if x["direction"] != "up": tag += "/" + x["direction"]
        if x["suppressed"]: tag += "/suppressed"
        out.append(tag)
print(" ".join(out))' "$T/out"
}
# same WANT : the last JSON run's findings are exactly WANT.
same() {
    local got
    got=$(rules)
    if [[ $got != "$1" ]]; then
        echo "  expected: $1" >&2
        echo "  got:      $got" >&2
        return 1
    fi
}

# --- inline suppressions -----------------------------------------------------------------------
cat >sup.sql <<'SQL'
-- migration-guard-ignore drop-column: email moved to profiles in v2.3
ALTER TABLE users DROP COLUMN email;
ALTER TABLE users DROP COLUMN phone;
SQL
t_sup_statement() {
    mg lint --format json --no-config sup.sql
    expect_rc 1 && same "drop-column@2/suppressed require-lock-timeout@2 drop-column@3" && py '
x = d["files"][0]["findings"][0]
assert x["suppressed"] == {"reason": "email moved to profiles in v2.3", "scope": "statement", "line": 1}, x
s = d["summary"]
assert (s["findings"], s["suppressed"], s["by_risk"]["critical"]) == (2, 1, 1), s
'
}
check "suppression: the next statement only, reason kept in JSON, not counted" t_sup_statement

cat >sup_all.sql <<'SQL'
-- migration-guard-ignore drop-column, require-lock-timeout: contract step of the email move (ticket 88)
ALTER TABLE users DROP COLUMN email;
SQL
t_sup_exit() { mg lint --no-config sup_all.sql; expect_rc 0 && has "$T/out" "0 findings in 1 file, 2 suppressed"; }
check "suppression of every finding: exit 0, the summary says how many were suppressed" t_sup_exit

cat >sup_file.sql <<'SQL'
-- migration-guard-ignore-file require-lock-timeout: run by our deploy with lock_timeout set
ALTER TABLE a ADD COLUMN x text;
COMMIT;
ALTER TABLE b ADD COLUMN y text;
SQL
t_sup_file() { mg lint --format json --no-config sup_file.sql; same "require-lock-timeout@2/suppressed require-lock-timeout@4/suppressed"; }
check "suppression of the whole file: every statement" t_sup_file

cat >sup_bad.sql <<'SQL'
-- migration-guard-ignore drop-table
DROP TABLE old_orders;
-- migration-guard-ignore drop-tabel: typo in the rule id
DROP TABLE old_items;
-- migration-guard-ignore truncate: nothing to truncate here
CREATE TABLE t (id bigint PRIMARY KEY);
SELECT 'not -- migration-guard-ignore drop-table: inside a string';
DROP TABLE older;
SQL
t_sup_invalid() {
    mg lint --format json --no-config sup_bad.sql
    expect_rc 1 && same "invalid-suppression@1 drop-table@2 require-lock-timeout@2 invalid-suppression@3 drop-table@4 unused-suppression@5 drop-table@8" && py '
msgs = [x["message"] for x in d["files"][0]["findings"] if x["rule"].endswith("-suppression")]
assert "gives no reason" in msgs[0] and "unknown rule" in msgs[1] and "suppresses nothing" in msgs[2], msgs
'
}
check "suppression without a reason or of an unknown rule: a finding, suppresses nothing; unused: reported; not in strings" t_sup_invalid

t_sup_sarif() {
    mg lint --format sarif --no-config sup.sql
    py '
results = d["runs"][0]["results"]
sup = [r for r in results if r.get("suppressions")]
assert len(sup) == 1 and sup[0]["ruleId"] == "drop-column", results
assert sup[0]["suppressions"] == [{"kind": "inSource", "justification": "email moved to profiles in v2.3"}], sup
'
}
check "suppression in SARIF: result kept with suppressions[kind=inSource, justification]" t_sup_sarif

t_sup_text() { mg lint --no-config sup.sql; expect_rc 1 && ! grep -q "sup.sql:2:1: drop-column" "$T/out" && has "$T/out" "sup.sql:3:1: drop-column"; }
check "suppression in text: the suppressed finding is not printed" t_sup_text

# --- configuration file ------------------------------------------------------------------------
mkdir -p proj/db/migrations proj/db/seeds
cat >proj/migration-guard.toml <<'TOML'
fail_on = "critical"
exclude = ["seeds/**"]
rls_schemas = []

[rules]
require-lock-timeout = "off"
drop-index = "high"
TOML
printf 'DROP INDEX users_email_idx;\n' >proj/db/migrations/001_drop_index.sql
printf 'DROP TABLE users;\n' >proj/db/seeds/reset.sql
t_config_found() {
    mg lint --format json proj/db
    expect_rc 0 && same "drop-index@1" && py '
x = d["files"][0]["findings"][0]
assert x["risk"] == "high" and d["summary"]["fail_on"] == "critical", (x, d["summary"])
assert [f["path"] for f in d["files"]] == ["proj/db/migrations/001_drop_index.sql"]
'
}
check "config found upward from the path: fail_on, rule off, risk override, exclude" t_config_found

t_config_cli_wins() { mg lint --fail-on high proj/db; expect_rc 1; }
check "config: the command line overrides fail_on" t_config_cli_wins

t_config_none() { mg lint --format json --no-config proj/db/migrations; same "drop-index@1 require-lock-timeout@1"; }
check "--no-config: defaults" t_config_none

printf 'fail_on = "high"\n\n[rules]\ndrop-tabel = "off"\n' >typo.toml
t_config_unknown_rule() { mg lint --config typo.toml sup.sql; expect_rc 2 && has "$T/err" "typo.toml:4:1: unknown rule 'drop-tabel'"; }
check "config: unknown rule is an error with file:line:column, exit 2" t_config_unknown_rule

printf 'fail_on = "high"\nfail_onn = "low"\n' >key.toml
t_config_unknown_key() { mg lint --config key.toml sup.sql; expect_rc 2 && has "$T/err" "key.toml:2:1: unknown key 'fail_onn'"; }
check "config: unknown key is an error with file:line" t_config_unknown_key

printf 'fail_on = "severe"\n' >val.toml
printf 'layout = "liquibase"\n' >val2.toml
printf 'postgres_version = 9\n' >val3.toml
printf 'rls_schemas = "public"\n' >val4.toml
printf 'fail_on = "high\n' >syntax.toml
t_config_bad_values() {
    mg lint --config val.toml sup.sql && expect_rc 2 && has "$T/err" "val.toml:1:11: fail_on: unknown risk 'severe'" || return 1
    mg lint --config val2.toml sup.sql && expect_rc 2 && has "$T/err" "val2.toml:1:10: unknown layout 'liquibase'" || return 1
    mg lint --config val3.toml sup.sql && expect_rc 2 && has "$T/err" "val3.toml:1:20: postgres_version must be" || return 1
    mg lint --config val4.toml sup.sql && expect_rc 2 && has "$T/err" "val4.toml:1:15: rls_schemas must be an array" || return 1
    mg lint --config syntax.toml sup.sql; expect_rc 2 && has "$T/err" "syntax.toml:1:"
}
check "config: bad values and TOML syntax errors say file:line:column, exit 2" t_config_bad_values

t_config_missing() { mg lint --config nowhere.toml sup.sql; expect_rc 2 && has "$T/err" "nowhere.toml"; }
check "config: --config of a missing file is an error" t_config_missing

printf 'ALTER TABLE events ADD COLUMN source text DEFAULT '"'"'web'"'"';\n' >add_default.sql
printf 'postgres_version = 10\n' >pg10.toml
t_config_pg_version() {
    mg lint --format json --no-config add_default.sql && same "require-lock-timeout@1" || return 1
    mg lint --format json --config pg10.toml add_default.sql; same "add-column-volatile-default@1 require-lock-timeout@1"
}
check "config: postgres_version 10 judges ADD COLUMN ... DEFAULT as the rewrite it was then" t_config_pg_version

# --- layouts -----------------------------------------------------------------------------------
cat >goose.sql <<'SQL'
-- +goose Up
CREATE TABLE accounts (id bigint PRIMARY KEY);
-- +goose Down
DROP TABLE accounts;
SQL
t_goose() {
    mg lint --format json --no-config goose.sql
    expect_rc 0 && same "drop-table@4/down require-lock-timeout@4/down" && py '
assert d["files"][0]["layout"] == "goose"
assert d["summary"]["findings"] == 0 and d["summary"]["down_findings"] == 2, d["summary"]
'
}
check "goose: the Down section is its own migration (its DROP is seen), reported, not counted" t_goose

t_down_fail() { mg lint --no-config --down-migrations fail goose.sql; expect_rc 1; }
check "--down-migrations fail: down findings count" t_down_fail
t_down_skip() { mg lint --format json --no-config --down-migrations skip goose.sql; same ""; }
check "--down-migrations skip: down sections not linted" t_down_skip

printf -- '-- migrate:up\nCREATE TABLE a (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE a;\n' >dbmate.sql
printf -- '-- +migrate Up\nALTER TABLE a ADD COLUMN b text;\n-- +migrate Down\nALTER TABLE a DROP COLUMN b;\n' >sqlmigrate.sql
printf -- '-- Up Migration\nCREATE TABLE a (id bigint PRIMARY KEY);\n-- Down Migration\nDROP TABLE a;\n' >npm.sql
mkdir -p golang diesel/2026-11-25-000000_create_a sqitch/deploy sqitch/revert sqitch/verify flyway
printf 'CREATE TABLE a (id bigint PRIMARY KEY);\n' >golang/000001_create_a.up.sql
printf 'DROP TABLE a;\n' >golang/000001_create_a.down.sql
printf 'CREATE TABLE a (id bigint PRIMARY KEY);\n' >diesel/2026-11-25-000000_create_a/up.sql
printf 'DROP TABLE a;\n' >diesel/2026-11-25-000000_create_a/down.sql
printf 'CREATE TABLE a (id bigint PRIMARY KEY);\n' >sqitch/deploy/a.sql
printf 'DROP TABLE a;\n' >sqitch/revert/a.sql
printf 'SELECT id FROM a WHERE false;\n' >sqitch/verify/a.sql
printf 'CREATE TABLE a (id bigint PRIMARY KEY);\n' >flyway/V1__create_a.sql
printf 'DROP TABLE a;\n' >flyway/U1__create_a.sql
t_layouts_auto() {
    local f want
    for f in dbmate.sql:dbmate:"drop-table@5/down require-lock-timeout@5/down" \
        sqlmigrate.sql:sql-migrate:"require-lock-timeout@2 drop-column@4/down require-lock-timeout@4/down" \
        npm.sql:node-pg-migrate:"drop-table@4/down require-lock-timeout@4/down"; do
        IFS=: read -r file layout want <<<"$f"
        mg lint --format json --no-config "$file"
        expect_rc 0 && same "$want" || return 1
        py 'assert d["files"][0]["layout"] == sys.argv[2], d["files"][0]["layout"]' "$layout" || return 1
    done
    for dir in golang:golang-migrate diesel:diesel sqitch:sqitch flyway:flyway; do
        IFS=: read -r folder layout <<<"$dir"
        mg lint --format json --no-config "$folder"
        expect_rc 0 || return 1
        py '
for f in d["files"]:
    assert f["layout"] == sys.argv[2], (f["path"], f["layout"])
    for x in f["findings"]:
        assert x["rule"] != "drop-table" or x["direction"] == "down", (f["path"], x)
assert any(x["rule"] == "drop-table" for f in d["files"] for x in f["findings"]), d
' "$layout" || return 1
    done
}
check "layouts told apart automatically: dbmate, sql-migrate, node-pg-migrate markers; golang-migrate, diesel, sqitch, flyway files" t_layouts_auto

t_layout_explicit() {
    mg lint --format json --no-config --layout plain goose.sql
    expect_rc 0 && same "" || return 1   # one text: accounts is new, its drop is no finding
    mg lint --no-config --layout flyway golang; expect_rc 1  # not flyway names: all up
}
check "--layout plain / another tool: no sections, every file up" t_layout_explicit

t_layout_bad() { mg lint --layout liquibase goose.sql; expect_rc 2 && has "$T/err" "unknown layout"; }
check "--layout with an unknown name: usage error" t_layout_bad

t_stdin_name() {
    RC=0
    "$MG" lint --format json --no-config --stdin-filename db/000002_drop.down.sql - <golang/000001_create_a.down.sql >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 0 && same "drop-table@1/down require-lock-timeout@1/down" && py 'assert d["files"][0]["path"] == "db/000002_drop.down.sql"'
}
check "--stdin-filename names stdin in reports and for the layout" t_stdin_name

# --- nothing lost ------------------------------------------------------------------------------
cat >bad_middle.sql <<'SQL'
CREATE TABLE a (id bigint PRIMARY KEY);
ALTER TABLE a ADD COLUMN;
ALTER TABLE users DROP COLUMN email;
SELEC 1;
DROP TABLE a;
TRUNCATE orders;
SQL
t_parse_recovery() {
    mg lint --format json --no-config bad_middle.sql
    expect_rc 2 && same "drop-column@3 require-lock-timeout@3 truncate@6" && py '
f = d["files"][0]
assert [(e["line"], e["column"], e["statement"]) for e in f["errors"]] == [(2, 25, 2), (4, 1, 4)], f["errors"]
x = {x["rule"]: x["statement"] for x in f["findings"]}
assert x["drop-column"] == 3 and x["truncate"] == 6, x
assert d["summary"]["statements"] == 6 and d["summary"]["parse_errors"] == 2, d["summary"]
'
}
check "statements that do not parse: each reported at its line and column, the others linted and numbered as in the file" t_parse_recovery

printf 'DROP TABLE users;\nSELECT $$never closed;\nDROP TABLE orders;\n' >unterminated.sql
t_unterminated() {
    mg lint --format json --no-config unterminated.sql
    expect_rc 2 && same "drop-table@1 require-lock-timeout@1" && py '
assert [(e["line"], e["statement"]) for e in d["files"][0]["errors"]] == [(2, 2)], d["files"][0]["errors"]
'
}
check "a literal that never ends: the statements before it are linted, the error is where it starts" t_unterminated

cat >script.sql <<'SQL'
\set ON_ERROR_STOP on
\connect app
CREATE TABLE t (id bigint PRIMARY KEY, v text);
COPY t (id, v) FROM stdin;
1	it's
2	DROP TABLE x;
\.
\echo it's done
ALTER TABLE users DROP COLUMN email;
SQL
t_psql() {
    mg lint --format json --no-config script.sql
    expect_rc 1 && same "drop-column@9 require-lock-timeout@9" && py '
f = d["files"][0]
assert [(n["line"], n["message"].split(" skipped")[0]) for n in f["notes"]] == [
    (1, "psql meta-command \\set"), (2, "psql meta-command \\connect"), (5, "COPY data (2 lines)"),
    (8, "psql meta-command \\echo")], f["notes"]
assert "errors" not in f and d["summary"]["statements"] == 3
'
}
check "psql script: meta-commands and COPY data skipped with a note, statements after them linted" t_psql

t_no_psql() { mg lint --format json --no-config --no-psql script.sql; expect_rc 2; }
check "--no-psql: a meta-command is a parse error" t_no_psql

mkdir -p synapse/delta
printf 'ALTER TABLE rooms DROP COLUMN creator;\n' >synapse/delta/01_rooms.sql.postgres
printf 'ALTER TABLE rooms DROP COLUMN creator;\n' >synapse/delta/01_rooms.sql.sqlite
t_suffixes() {
    mg lint --format json --no-config synapse
    expect_rc 1 && py 'assert [f["path"] for f in d["files"]] == ["synapse/delta/01_rooms.sql.postgres"], d["files"]'
}
check "folder search: *.sql.postgres taken, other engines' suffixes not" t_suffixes

mkdir -p proj2 alembic/versions
printf 'include = ["*.pgsql"]\n' >proj2/migration-guard.toml
printf 'DROP TABLE a;\n' >proj2/001.pgsql
printf 'DROP TABLE b;\n' >proj2/002.sql
t_includes() { mg lint --format json proj2; expect_rc 1 && py 'assert [f["path"] for f in d["files"]] == ["proj2/001.pgsql"], d["files"]'; }
check "config include globs replace the default suffixes" t_includes

printf 'def upgrade():\n    op.drop_table("users")\n' >alembic/versions/1a2b_drop_users.py
t_languages() {
    mg lint --no-config alembic
    expect_rc 2 && has "$T/err" "1 in Python" && has "$T/err" "alembic upgrade --sql" || return 1
    mg lint --no-config --other-languages-ok alembic; expect_rc 0
}
check "a folder of Python migrations: says how to lint them, exit 2 (unless --other-languages-ok)" t_languages

# --- signal, not noise -------------------------------------------------------------------------
cat >locks.sql <<'SQL'
ALTER TABLE a ADD COLUMN x text;
ALTER TABLE b ADD COLUMN y text;
ALTER TABLE c ADD COLUMN z text;
BEGIN;
ALTER TABLE d ADD COLUMN w text;
ALTER TABLE e ADD COLUMN v text;
COMMIT;
SQL
t_lock_once() { mg lint --format json --no-config locks.sql; same "require-lock-timeout@1 require-lock-timeout@5"; }
check "require-lock-timeout once per transaction, at its first statement that needs it" t_lock_once

# --- reports -----------------------------------------------------------------------------------
mkdir -p pr
printf 'CREATE TABLE user_preferences (id bigint PRIMARY KEY);\n' >pr/20261125_140530_add_user_preferences.sql
t_markdown_additive() {
    mg lint --format markdown --no-config pr
    expect_rc 0 && has "$T/out" "### Database changes: YES · Migration: 20261125_140530_add_user_preferences · Destructive: NO · Rollback: no down migration" &&
        has "$T/out" "No finding."
}
check "markdown: the PR line for an additive migration" t_markdown_additive

t_markdown_destructive() {
    mg lint --format markdown --no-config sup.sql goose.sql
    expect_rc 1 && has "$T/out" "Destructive: YES" && has "$T/out" "Rollback: down migration included" &&
        has "$T/out" "| 🔴 | drop-column | critical | public.users.phone |" &&
        has "$T/out" "<details><summary>Suppressed: 1</summary>" && has "$T/out" "email moved to profiles in v2.3" &&
        has "$T/out" "<details><summary>Down migrations: 1 finding (not counted)</summary>" &&
        has "$T/out" "require-lock-timeout for 1 more migration (shown once, in sup.sql)"
}
check "markdown: findings table, suppressed and down-migration findings listed apart" t_markdown_destructive

t_step_summary() {
    : >summary.md
    RC=0
    GITHUB_STEP_SUMMARY=$T/summary.md "$MG" lint --format github --no-config sup.sql >"$T/out" 2>"$T/err" || RC=$?
    expect_rc 1 && has "$T/out" "::error file=sup.sql,line=3,col=1,title=drop-column::" &&
        has summary.md "### Database changes: YES" && has summary.md "drop-column"
}
check "github: annotations, and the markdown report appended to \$GITHUB_STEP_SUMMARY" t_step_summary

# --- hygiene -----------------------------------------------------------------------------------
mkdir -p hyg/base hyg/new
printf 'CREATE TABLE a (id bigint PRIMARY KEY);\n' >hyg/base/20261101000000_create_a.sql
printf 'CREATE TABLE b (id bigint PRIMARY KEY);\n' >hyg/base/20261120000000_create_b.sql
printf 'ALTER TABLE a ADD COLUMN c text;\n' >hyg/new/20261110000000_add_c.sql
printf 'ALTER TABLE b ADD COLUMN d text;\n' >hyg/new/20261120000000_add_d.sql
printf 'ALTER TABLE a DROP COLUMN c;\n' >hyg/new/20261130000000_tidy_a.sql
printf 'ALTER TABLE a DROP COLUMN c;\n' >hyg/new/20261130000001_drop_c.sql
printf 'ALTER TABLE b ADD COLUMN e text;\n' >hyg/new/add_e.sql
t_hygiene() {
    mg lint --format json --no-config --strict --base hyg/base hyg/new
    py '
got = {(f["path"].split("/")[-1], x["rule"]) for f in d["files"] for x in f["findings"]
       if x["rule"] in ("migration-file-name", "migration-version-order", "destructive-migration-name")}
want = {("20261110000000_add_c.sql", "migration-version-order"),
        ("20261120000000_add_d.sql", "migration-version-order"),
        ("20261130000000_tidy_a.sql", "destructive-migration-name"),
        ("add_e.sql", "migration-file-name")}
assert got == want, sorted(got)
'
}
check "--strict: file names, duplicate and out-of-order versions against --base, destructive names" t_hygiene

t_hygiene_off() { mg lint --format json --no-config hyg/new; py 'assert not any(x["rule"].startswith("migration-") for f in d["files"] for x in f["findings"])'; }
check "hygiene rules are opt-in" t_hygiene_off

printf '[hygiene]\nfile_names = true\n' >hyg/migration-guard.toml
t_hygiene_config() { mg lint --format json hyg/new; py 'assert [x["rule"] for f in d["files"] for x in f["findings"] if x["rule"].startswith("migration-")] == ["migration-file-name"]'; }
check "[hygiene] in the config turns one on" t_hygiene_config

finish
