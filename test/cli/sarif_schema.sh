#!/usr/bin/env bash
# The SARIF output checked against the SARIF 2.1.0 JSON schema (OASIS, as published in the
# @microsoft/jest-sarif package) with ajv, on reports that use every part we write: results of
# every level, suppressions, parse-error notifications, results without a region (verify-like),
# unusual paths. npm installs both into the tools cache on the first run.
# Usage: test/cli/sarif_schema.sh [path/to/migration-guard]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
use_binary "${1:-build/migration-guard}"
CACHE=${MG_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-guard-tools}/sarif
packages=(@microsoft/jest-sarif@1.0.0-beta.0 ajv@6.12.6)
stamp="$CACHE/.installed-$(printf '%s ' "${packages[@]}" | md5sum | cut -c1-12)"
if [[ ! -f $stamp ]]; then
    mkdir -p "$CACHE"
    npm install --prefix "$CACHE" --no-audit --no-fund --silent "${packages[@]}" >&2
    touch "$stamp"
fi
SCHEMA=$CACHE/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

# valid FILE : the SARIF log in FILE passes the schema.
valid() {
    NODE_PATH=$CACHE/node_modules node - "$SCHEMA" "$1" <<'JS'
const Ajv = require("ajv");
const fs = require("fs");
const ajv = new Ajv({ schemaId: "id", allErrors: true, validateSchema: false, logger: false });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
const log = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
if (!validate(log)) {
  console.error(JSON.stringify(validate.errors.slice(0, 5), null, 1));
  process.exit(1);
}
JS
}

printf -- '-- migration-guard-ignore drop-column: moved to profiles\nALTER TABLE users DROP COLUMN email;\nDROP TABLE orders;\nCREATE INDEX i ON t (a);\nCREATE TABLE x (id int);\nALTER TABLE x ADD COLUMN;\n-- migration-guard-ignore truncate\nSELECT 1;\n' >"we ird#1.sql"
printf -- '-- +goose Up\nCREATE TABLE a (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE a;\n' >goose.sql
printf 'DROP TABLE a;\0DROP TABLE b;\n' >nul.sql

t_schema_lint() { mg lint --format sarif --no-config "we ird#1.sql" goose.sql nul.sql; expect_rc 2 && cp "$T/out" lint.sarif && valid lint.sarif; }
check "SARIF of lint (findings, suppressions, parse errors, down sections, odd paths) passes the 2.1.0 schema" t_schema_lint

t_schema_empty() { mg lint --format sarif --no-config goose.sql --down-migrations skip; expect_rc 0 && cp "$T/out" empty.sarif && valid empty.sarif; }
check "SARIF with no result passes the schema" t_schema_empty

t_schema_catches() {
    # The check itself holds: a log with a wrong level fails it.
    python3 -c 'import json,sys; d=json.load(open("lint.sarif")); d["runs"][0]["results"][0]["level"]="fatal"; json.dump(d, open("broken.sarif","w"))'
    ! valid broken.sarif 2>/dev/null
}
check "the schema check fails a log with an invalid level" t_schema_catches

finish
