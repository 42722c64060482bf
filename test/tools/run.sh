#!/usr/bin/env bash
# End-to-end with real migration tools against a throwaway PostgreSQL 15 server with the guard
# preloaded: for each tool, an additive migration is recorded with the tool's own migration id;
# a destructive one is blocked with a message that names the rule, the object and how to approve,
# the tool's bookkeeping and the data unchanged; an approver grants the blocked attempt's request
# with approve_request() and the tool's plain re-run, with no token and no change to its
# configuration, applies it once (psql also shows a token from approve_migration() in PGOPTIONS);
# for the first seven tools a CONCURRENTLY migration runs. The tools are installed by
# scripts/install-tools.sh (apt and npm, cached). Usage: test/tools/run.sh [TOOL...]   (default: every tool)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/test/cli/lib.sh"
PORT=${MG_TOOLS_PORT:-55463}
NODE_BIN=$(bash "$ROOT/scripts/install-tools.sh")
export PATH="$NODE_BIN:$PATH"
PY=/usr/bin/python3  # Debian's, which has Alembic, Django and psycopg2

T=$(mktemp -d)
PGDIR=$(mktemp -d -u /tmp/mg-tools-pg.XXXXXX)
cleanup() {
    cd /
    bash "$ROOT/scripts/pg-temp.sh" stop "$PGDIR" || true
    rm -rf "$T"
}
trap cleanup EXIT
chmod 755 "$T"
# Also on the loopback's TCP port: Liquibase's JDBC driver has no Unix sockets.
bash "$ROOT/scripts/pg-temp.sh" start "$PGDIR" "$PORT" "shared_preload_libraries = 'migration_guard'" "listen_addresses = '127.0.0.1'"
eval "$(bash "$ROOT/scripts/pg-temp.sh" env "$PGDIR")"
export PGDATABASE=postgres

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# fixture DB: a database with the extension and a table whose column `legacy` holds data; the
# role `approver` (once per server) grants requests.
fixture() {
    sql postgres "CREATE DATABASE $1"
    sql "$1" "CREATE EXTENSION migration_guard"
    if [[ -z $(sql postgres "SELECT 1 FROM pg_roles WHERE rolname = 'approver'") ]]; then
        sql postgres "CREATE ROLE approver LOGIN; GRANT migration_guard_approver TO approver"
    fi
    sql "$1" "CREATE TABLE accounts (id int PRIMARY KEY, email text, legacy text);
              INSERT INTO accounts SELECT g, 'u' || g || '@example.com', 'old ' || g FROM generate_series(1, 100) g"
}

# run CMD...: runs a tool in $T/work; its output (stdout and stderr) in $T/out, exit code in RC.
run() {
    RC=0
    (cd "$T/work" && "$@") >"$T/out" 2>&1 || RC=$?
}

# succeeded: the last run exited 0 (else its output is shown).
succeeded() {
    [[ $RC -eq 0 ]] || { echo "  exit $RC" >&2; sed 's/^/  | /' "$T/out" | head -20 >&2; return 1; }
}

# recorded DB OBJECT MIGRATION TOOL: the audit rows of OBJECT carry that migration id and tool.
# Blocked attempts included: once the granted request's run recorded its migration, the attempts
# before it carry that id too (and a migration a tool marked in progress, from the start).
recorded() {
    local got
    got=$(sql "$1" "SELECT DISTINCT coalesce(migration_id, '-') || '|' || coalesce(tool, '-') FROM migration_guard.audit_log
                    WHERE object_identity = '$2'")
    if [[ $got != "$3|$4" ]]; then
        echo "  audit rows of $2: '$got', expected '$3|$4'" >&2
        sed 's/^/  | /' "$T/out" | head -20 >&2
        return 1
    fi
}

# blocked_intact DB BOOKKEEPING_QUERY BEFORE: the tool failed, printed what and how, and neither
# its bookkeeping nor the data changed.
blocked_intact() {
    [[ $RC -ne 0 ]] || { echo "  the tool succeeded" >&2; sed 's/^/  | /' "$T/out" | head -20 >&2; return 1; }
    has "$T/out" "drop-column" && has "$T/out" "public.accounts.legacy" && has "$T/out" "approve" || return 1
    # What the tool showed, for docs/tools/: the line with the guard's message.
    if [[ -n ${MG_TOOLS_SHOW:-} ]]; then grep -m1 "migration_guard blocked" "$T/out" | sed "s/^/  [$1] /" >&2; fi
    [[ $(sql "$1" "$2") == "$3" ]] || { echo "  bookkeeping changed: $(sql "$1" "$2")" >&2; return 1; }
    [[ $(sql "$1" "SELECT count(legacy) FROM accounts") == 100 ]] || { echo "  data changed" >&2; return 1; }
}

# approve DB: a token for exactly the destructive migration's text (the token path: psql).
approve() {
    sql "$1" "SELECT migration_guard.approve_migration('ALTER TABLE accounts DROP COLUMN legacy;', 'tool test')"
}

# approve_request DB: as the role `approver`, grants the request of the blocked attempt, in one
# step: bound to the role that was blocked, for its next run, with no token. Blocked attempts are
# written by a background worker: the request is waited for, 10 s at most.
approve_request() {
    local id="" i
    for ((i = 0; i < 100; i++)); do
        id=$(psql -X -q -At -U approver -d "$1" -c "SELECT id FROM migration_guard.requests
                 WHERE status = 'pending' AND database = current_database() ORDER BY last_attempt DESC LIMIT 1" 2>"$T/approve.err") || true
        [[ -n $id ]] && break
        sleep 0.1
    done
    if [[ -z $id ]]; then
        echo "  no pending request in migration_guard.requests of $1 after 10 s" >&2
        sed 's/^/  | /' "$T/approve.err" | head -5 >&2
        return 1
    fi
    if [[ -n ${MG_TOOLS_SHOW:-} ]]; then
        psql -X -q -At -U approver -d "$1" -c "SELECT 'request ' || id || ': migration ' || coalesce(migration_id, '-') || ', ' ||
                 array_to_string(pairs, ' ') || ', ' || attempts || ' attempt(s)' FROM migration_guard.requests WHERE id = $id" | sed "s/^/  [$1] /" >&2
    fi
    psql -X -q -At -v ON_ERROR_STOP=1 -U approver -d "$1" -c "SELECT migration_guard.approve_request($id, 'tool test')" >/dev/null
}

dropped() {
    [[ $RC -eq 0 ]] || { sed 's/^/  | /' "$T/out" | head -20 >&2; return 1; }
    [[ $(sql "$1" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'legacy'") == 0 ]] &&
        [[ $(sql "$1" "SELECT uses_left FROM migration_guard.approvals ORDER BY id DESC LIMIT 1") == 0 ]]
}

index_valid() {
    [[ $RC -eq 0 ]] || { sed 's/^/  | /' "$T/out" | head -20 >&2; return 1; }
    [[ $(sql "$1" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email_idx'::regclass") == t ]]
}

# A folder for one tool's project, with the npm-installed packages at hand (knex, node-pg-migrate
# look for themselves in ./node_modules).
new_workdir() {
    rm -rf "$T/work" && mkdir -p "$T/work" && chmod 755 "$T/work"
    ln -s "$(dirname "$NODE_BIN")" "$T/work/node_modules"
}

# --- psql: no bookkeeping; the migration id from PGOPTIONS ----------------------------------
tool_psql() {
    fixture psql_db
    new_workdir
    echo 'CREATE TABLE notes (id int PRIMARY KEY, body text);' >"$T/work/0001_notes.sql"
    echo 'ALTER TABLE accounts DROP COLUMN legacy;' >"$T/work/0002_drop_legacy.sql"
    echo 'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);' >"$T/work/0003_index.sql"
    t() { PGOPTIONS="-c migration_guard.migration_id=0001_notes" run psql -X -v ON_ERROR_STOP=1 -d psql_db -1 -f 0001_notes.sql &&
          recorded psql_db public.notes 0001_notes -; }
    check "psql: additive migration recorded with the migration id from PGOPTIONS" t
    t() { run psql -X -v ON_ERROR_STOP=1 -d psql_db -1 -f 0002_drop_legacy.sql; blocked_intact psql_db "SELECT 0" 0; }
    check "psql: destructive migration blocked, message names rule, object and approve; data intact" t
    t() { approve_request psql_db && run psql -X -v ON_ERROR_STOP=1 -d psql_db -1 -f 0002_drop_legacy.sql && dropped psql_db; }
    check "psql: approve_request() of the blocked attempt; the same run goes through once, no token" t
    # The token path: approve_migration() of the migration's text, the token presented with PGOPTIONS.
    fixture psql_token_db
    t() { local token; token=$(approve psql_token_db)
          PGOPTIONS="-c migration_guard.approval=$token" run psql -X -v ON_ERROR_STOP=1 -d psql_token_db -1 -f 0002_drop_legacy.sql
          dropped psql_token_db; }
    check "psql: a token from approve_migration() in PGOPTIONS lets it through once" t
    t() { run psql -X -v ON_ERROR_STOP=1 -d psql_db -f 0003_index.sql; index_valid psql_db; }
    check "psql: CREATE INDEX CONCURRENTLY runs" t
}

# --- dbmate: schema_migrations, one transaction per migration ---------------------------------
tool_dbmate() {
    fixture dbmate_db
    new_workdir
    mkdir -p "$T/work/db/migrations"
    local url="postgres://postgres@/dbmate_db?host=$PGHOST&port=$PGPORT&sslmode=disable"
    export DBMATE_NO_DUMP_SCHEMA=true DBMATE_MIGRATIONS_DIR=db/migrations
    printf -- '-- migrate:up\nCREATE TABLE notes (id int PRIMARY KEY, body text);\n-- migrate:down\nDROP TABLE notes;\n' \
        >"$T/work/db/migrations/20261201000001_notes.sql"
    t() { DATABASE_URL=$url run dbmate up && recorded dbmate_db public.notes 20261201000001 dbmate; }
    check "dbmate: additive migration recorded with dbmate's version" t
    printf -- '-- migrate:up\nALTER TABLE accounts DROP COLUMN legacy;\n-- migrate:down\n\n' \
        >"$T/work/db/migrations/20261201000002_drop_legacy.sql"
    t() { DATABASE_URL=$url run dbmate up; blocked_intact dbmate_db "SELECT count(*) FROM schema_migrations" 1; }
    check "dbmate: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request dbmate_db && DATABASE_URL=$url run dbmate up &&
          dropped dbmate_db && recorded dbmate_db public.accounts.legacy 20261201000002 dbmate; }
    check "dbmate: approve_request(); the plain re-run applies it once" t
    printf -- '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n-- migrate:down\n\n' \
        >"$T/work/db/migrations/20261201000003_index.sql"
    t() { DATABASE_URL=$url run dbmate up; index_valid dbmate_db; }
    check "dbmate: transaction:false migration with CREATE INDEX CONCURRENTLY runs" t
    unset DBMATE_NO_DUMP_SCHEMA DBMATE_MIGRATIONS_DIR
}

# --- knex: knex_migrations, the batch in one transaction --------------------------------------
tool_knex() {
    fixture knex_db
    new_workdir
    mkdir -p "$T/work/migrations"
    cat >"$T/work/knexfile.js" <<JS
module.exports = { client: 'pg', connection: { host: '$PGHOST', port: $PGPORT, user: 'postgres', database: 'knex_db' } };
JS
    echo "exports.up = k => k.raw('CREATE TABLE notes (id int PRIMARY KEY, body text)'); exports.down = k => k.raw('DROP TABLE notes');" \
        >"$T/work/migrations/20261201000001_notes.js"
    t() { run knex migrate:latest && recorded knex_db public.notes 20261201000001_notes.js knex; }
    check "knex: additive migration recorded with knex's migration name" t
    echo "exports.up = k => k.schema.alterTable('accounts', t => t.dropColumn('legacy')); exports.down = () => {};" \
        >"$T/work/migrations/20261201000002_drop_legacy.js"
    t() { run knex migrate:latest; blocked_intact knex_db "SELECT count(*) FROM knex_migrations" 1; }
    check "knex: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request knex_db && run knex migrate:latest &&
          dropped knex_db && recorded knex_db public.accounts.legacy 20261201000002_drop_legacy.js knex; }
    check "knex: approve_request(); the plain re-run applies it once" t
    echo "exports.config = { transaction: false }; exports.up = k => k.raw('CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email)'); exports.down = () => {};" \
        >"$T/work/migrations/20261201000003_index.js"
    t() { run knex migrate:latest; index_valid knex_db; }
    check "knex: transaction: false migration with CREATE INDEX CONCURRENTLY runs" t
}

# --- node-pg-migrate: pgmigrations, one transaction per migration ----------------------------
tool_node_pg_migrate() {
    fixture npm_db
    new_workdir
    mkdir -p "$T/work/migrations"
    local url="postgres://postgres@/npm_db?host=$PGHOST&port=$PGPORT"
    echo "exports.up = pgm => { pgm.sql('CREATE TABLE notes (id int PRIMARY KEY, body text)'); };" \
        >"$T/work/migrations/1764590400001_notes.js"
    t() { DATABASE_URL=$url run node-pg-migrate up -m migrations && recorded npm_db public.notes 1764590400001_notes node-pg-migrate; }
    check "node-pg-migrate: additive migration recorded with its migration name" t
    echo "exports.up = pgm => { pgm.dropColumn('accounts', 'legacy'); };" >"$T/work/migrations/1764590400002_drop_legacy.js"
    t() { DATABASE_URL=$url run node-pg-migrate up -m migrations; blocked_intact npm_db "SELECT count(*) FROM pgmigrations" 1; }
    check "node-pg-migrate: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request npm_db && DATABASE_URL=$url run node-pg-migrate up -m migrations &&
          dropped npm_db && recorded npm_db public.accounts.legacy 1764590400002_drop_legacy node-pg-migrate; }
    check "node-pg-migrate: approve_request(); the plain re-run applies it once" t
    echo "exports.up = pgm => { pgm.noTransaction(); pgm.sql('CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email)'); };" \
        >"$T/work/migrations/1764590400003_index.js"
    t() { DATABASE_URL=$url run node-pg-migrate up -m migrations; index_valid npm_db; }
    check "node-pg-migrate: noTransaction() migration with CREATE INDEX CONCURRENTLY runs" t
}

# --- Alembic: alembic_version, the upgrade in one transaction ---------------------------------
alembic_revision() {  # alembic_revision FILE REVISION DOWN_REVISION BODY
    cat >"$T/work/alembic/versions/$1.py" <<PY
from alembic import op
revision = "$2"
down_revision = $3
branch_labels = None
depends_on = None


def upgrade():
$4


def downgrade():
    pass
PY
}

tool_alembic() {
    fixture alembic_db
    new_workdir
    mkdir -p "$T/work/alembic/versions"
    cat >"$T/work/alembic.ini" <<INI
[alembic]
script_location = alembic
sqlalchemy.url = postgresql+psycopg2://postgres@/alembic_db?host=$PGHOST&port=$PGPORT
INI
    cat >"$T/work/alembic/env.py" <<'PY'
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
PY
    alembic_revision 0001_notes 0001_notes None '    op.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")'
    t() { run $PY -m alembic upgrade head && recorded alembic_db public.notes 0001_notes alembic; }
    check "alembic: additive migration recorded with the revision" t
    alembic_revision 0002_drop_legacy 0002_drop_legacy '"0001_notes"' '    op.drop_column("accounts", "legacy")'
    t() { run $PY -m alembic upgrade head; blocked_intact alembic_db "SELECT version_num FROM alembic_version" 0001_notes; }
    check "alembic: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request alembic_db && run $PY -m alembic upgrade head &&
          dropped alembic_db && recorded alembic_db public.accounts.legacy 0002_drop_legacy alembic; }
    check "alembic: approve_request(); the plain re-run applies it once" t
    alembic_revision 0003_index 0003_index '"0002_drop_legacy"' '    with op.get_context().autocommit_block():
        op.create_index("accounts_email_idx", "accounts", ["email"], postgresql_concurrently=True)'
    t() { run $PY -m alembic upgrade head; index_valid alembic_db; }
    check "alembic: autocommit_block() with CREATE INDEX CONCURRENTLY runs" t
}

# --- Django: django_migrations, each migration atomic ------------------------------------------
django_migration() {  # django_migration NAME DEPENDENCY SQL [ATOMIC]
    cat >"$T/work/shop/migrations/$1.py" <<PY
from django.db import migrations


class Migration(migrations.Migration):
    atomic = ${4:-True}
    dependencies = [$2]
    operations = [migrations.RunSQL("$3", migrations.RunSQL.noop)]
PY
}

tool_django() {
    fixture django_db
    new_workdir
    mkdir -p "$T/work/shop/migrations"
    touch "$T/work/shop/__init__.py" "$T/work/shop/migrations/__init__.py"
    cat >"$T/work/settings.py" <<PY
SECRET_KEY = "tool-test"
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "django_db", "USER": "postgres",
                         "HOST": "$PGHOST", "PORT": "$PGPORT"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PY
    export DJANGO_SETTINGS_MODULE=settings PYTHONPATH="$T/work"
    django_migration 0001_notes "" "CREATE TABLE notes (id int PRIMARY KEY, body text)"
    t() { run $PY -m django migrate shop && recorded django_db public.notes shop.0001_notes django; }
    check "django: additive migration recorded with app.migration" t
    django_migration 0002_drop_legacy '("shop", "0001_notes")' "ALTER TABLE accounts DROP COLUMN legacy"
    t() { run $PY -m django migrate shop; blocked_intact django_db "SELECT count(*) FROM django_migrations" 1; }
    check "django: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request django_db && run $PY -m django migrate shop &&
          dropped django_db && recorded django_db public.accounts.legacy shop.0002_drop_legacy django; }
    check "django: approve_request(); the plain re-run applies it once" t
    django_migration 0003_index '("shop", "0002_drop_legacy")' "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email)" False
    t() { run $PY -m django migrate shop; index_valid django_db; }
    check "django: atomic = False migration with CREATE INDEX CONCURRENTLY runs" t
    unset DJANGO_SETTINGS_MODULE PYTHONPATH
}

# --- Sqitch: its registry (schema sqitch), written by Sqitch in a transaction of its own -------
sqitch_change() {  # sqitch_change NAME DEPLOY_SQL [TRANSACTIONAL]
    local n
    n=$(grep -c '^[a-z]' "$T/work/sqitch.plan" || true)
    echo "$1 2026-12-01T00:00:0${n}Z Tester <tester@example.com> # $1" >>"$T/work/sqitch.plan"
    if [[ ${3:-yes} == yes ]]; then
        printf 'BEGIN;\n%s\nCOMMIT;\n' "$2" >"$T/work/deploy/$1.sql"
    else
        printf '%s\n' "$2" >"$T/work/deploy/$1.sql"
    fi
    printf 'SELECT 1;\n' >"$T/work/revert/$1.sql"
    printf 'SELECT 1;\n' >"$T/work/verify/$1.sql"
}

tool_sqitch() {
    fixture sqitch_db
    new_workdir
    mkdir -p "$T/work/deploy" "$T/work/revert" "$T/work/verify"
    printf '[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = db:pg:sqitch_db\n' >"$T/work/sqitch.conf"
    printf '%%syntax-version=1.0.0\n%%project=shop\n\n' >"$T/work/sqitch.plan"
    export SQITCH_USER_CONFIG=/dev/null SQITCH_FULLNAME=Tester SQITCH_EMAIL=tester@example.com
    sqitch_change notes "CREATE TABLE notes (id int PRIMARY KEY, body text);"
    # Sqitch records the change in its registry after the script's own transaction has committed:
    # the migration id comes from PGOPTIONS, as for psql.
    t() { PGOPTIONS="-c migration_guard.migration_id=shop:notes" run sqitch deploy &&
          recorded sqitch_db public.notes shop:notes -; }
    check "sqitch: additive change recorded (migration id from PGOPTIONS)" t
    sqitch_change drop_legacy "ALTER TABLE accounts DROP COLUMN legacy;"
    t() { run sqitch deploy; blocked_intact sqitch_db "SELECT count(*) FROM sqitch.changes" 1; }
    check "sqitch: destructive change blocked, message names rule, object and approve; registry, data intact" t
    t() { approve_request sqitch_db && run sqitch deploy &&
          dropped sqitch_db && [[ $(sql sqitch_db "SELECT count(*) FROM sqitch.changes") == 2 ]]; }
    check "sqitch: approve_request(); the plain re-run applies it once" t
    sqitch_change add_index "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);" no
    t() { run sqitch deploy; index_valid sqitch_db; }
    check "sqitch: a change without BEGIN/COMMIT runs CREATE INDEX CONCURRENTLY" t
    # The approved DROP COLUMN reverted by Sqitch: its revert script re-adds the column, empty; the
    # values come back from the recycle bin with one call (docs/recycle-bin.md).
    printf 'ALTER TABLE accounts ADD COLUMN legacy text;\n' >"$T/work/revert/drop_legacy.sql"
    t() { run sqitch revert -y --to notes &&
          [[ $(sql sqitch_db "SELECT count(legacy) FROM accounts") == 0 ]] &&
          [[ $(sql sqitch_db "SELECT migration_guard.restore(id) FROM migration_guard.kept
                              WHERE object_identity = 'public.accounts.legacy'") == *"100 values"* ]] &&
          [[ $(sql sqitch_db "SELECT count(*) FROM accounts WHERE legacy = 'old ' || id") == 100 ]]; }
    check "sqitch: an approved DROP COLUMN reverted by Sqitch gets its values back with restore()" t
    unset SQITCH_USER_CONFIG SQITCH_FULLNAME SQITCH_EMAIL
}

# --- TypeORM: its `migrations` table, all pending migrations in one transaction -------------------
typeorm_migration() {  # typeorm_migration FILE CLASS BODY
    cat >"$T/work/migrations/$1.js" <<JS
module.exports = class $2 {
  async up(queryRunner) { $3 }
  async down() {}
}
JS
}

tool_typeorm() {
    fixture typeorm_db
    new_workdir
    mkdir -p "$T/work/migrations"
    cat >"$T/work/data-source.js" <<JS
const { DataSource } = require('typeorm')
module.exports = new DataSource({
  type: 'postgres', host: '$PGHOST', port: $PGPORT, username: 'postgres', database: 'typeorm_db',
  migrations: [__dirname + '/migrations/*.js'],
})
JS
    typeorm_migration 1764590400001-Notes Notes1764590400001 "await queryRunner.query('CREATE TABLE notes (id int PRIMARY KEY, body text)')"
    t() { run typeorm migration:run -d data-source.js && recorded typeorm_db public.notes Notes1764590400001 typeorm; }
    check "typeorm: additive migration recorded with the migration's name" t
    typeorm_migration 1764590400002-DropLegacy DropLegacy1764590400002 "await queryRunner.dropColumn('accounts', 'legacy')"
    t() { run typeorm migration:run -d data-source.js; blocked_intact typeorm_db "SELECT count(*) FROM migrations" 1; }
    check "typeorm: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request typeorm_db && run typeorm migration:run -d data-source.js &&
          dropped typeorm_db && recorded typeorm_db public.accounts.legacy DropLegacy1764590400002 typeorm; }
    check "typeorm: approve_request(); the plain re-run applies it once" t
}

# --- Prisma 6: _prisma_migrations; `prisma migrate deploy` with the WebAssembly schema engine ------
# Prisma's native engines come from Prisma's own servers, which this machine does not reach: the
# config file sets the early-access JavaScript engine (`engine: 'js'`) with the pg driver adapter,
# the generator's engineType = "client" spares the CLI its native query engine. That engine runs
# each statement of a migration in a transaction of its own, between the rows it writes into
# _prisma_migrations.
prisma_migration() {  # prisma_migration NAME SQL
    mkdir -p "$T/work/prisma/migrations/$1"
    printf '%s\n' "$2" >"$T/work/prisma/migrations/$1/migration.sql"
}

tool_prisma() {
    fixture prisma_db
    new_workdir
    mkdir -p "$T/work/prisma/migrations"
    cat >"$T/work/prisma/schema.prisma" <<'PRISMA'
generator client {
  provider   = "prisma-client-js"
  engineType = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
PRISMA
    printf 'provider = "postgresql"\n' >"$T/work/prisma/migrations/migration_lock.toml"
    cat >"$T/work/prisma.config.ts" <<'TS'
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'

// @prisma/adapter-pg 6 cannot read columns of type `name`, which the schema engine's catalog
// queries return (Prisma issue 27403, fixed in 7): they are read as text.
const addFields = pg.Result.prototype.addFields
pg.Result.prototype.addFields = function (fields) {
  for (const f of fields) if (f.dataTypeID === 19) f.dataTypeID = 25
  return addFields.call(this, fields)
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true }),
  schema: 'prisma/schema.prisma',
})
TS
    export DATABASE_URL="postgresql://postgres@localhost/prisma_db?host=$PGHOST&port=$PGPORT" CHECKPOINT_DISABLE=1
    # An existing database is baselined first (Prisma's P3005 otherwise): its schema as migration 0.
    prisma_migration 20261201000000_baseline '-- accounts, created before Prisma'
    prisma_migration 20261201000001_notes 'CREATE TABLE notes (id int PRIMARY KEY, body text);'
    t() { run prisma migrate resolve --applied 20261201000000_baseline && succeeded && run prisma migrate deploy && succeeded &&
          recorded prisma_db public.notes 20261201000001_notes prisma; }
    check "prisma: additive migration recorded with the migration's folder name" t
    prisma_migration 20261201000002_drop_legacy 'ALTER TABLE accounts DROP COLUMN legacy;'
    # Prisma writes the migration's row before running it: the failed row has no finished_at.
    t() { run prisma migrate deploy; blocked_intact prisma_db "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL" 2; }
    check "prisma: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    # Prisma marks the migration in progress before it runs it: the blocked attempt and its
    # request carry the id at once.
    t() { local got
          for _ in $(seq 1 40); do
              got=$(sql prisma_db "SELECT string_agg(DISTINCT migration_id, ',') FROM migration_guard.audit_log
                                   WHERE decision = 'blocked' AND object_identity = 'public.accounts.legacy'")
              [[ -n $got ]] && break; sleep 0.25
          done
          [[ $got == 20261201000002_drop_legacy ]] &&
          [[ $(sql prisma_db "SELECT migration_id FROM migration_guard.requests WHERE status = 'pending'") == 20261201000002_drop_legacy ]] ||
          { echo "  blocked rows' migration id: '$got'" >&2; return 1; }; }
    check "prisma: the blocked attempt and its request carry the migration id" t
    # The failed row stops every later deploy (P3009) until it is resolved as rolled back. Offline,
    # `resolve --rolled-back` of Prisma 6 still asks the native engine whether the database can be
    # reached: a stand-in says yes, the WebAssembly engine then writes rolled_back_at.
    t() { run prisma migrate deploy; [[ $RC -ne 0 ]] && has "$T/out" P3009 &&
          PRISMA_SCHEMA_ENGINE_BINARY=/bin/true run prisma migrate resolve --rolled-back 20261201000002_drop_legacy && succeeded &&
          [[ $(sql prisma_db "SELECT count(*) FROM _prisma_migrations WHERE rolled_back_at IS NOT NULL") == 1 ]]; }
    check "prisma: after the block, P3009 until prisma migrate resolve --rolled-back" t
    t() { approve_request prisma_db && run prisma migrate deploy &&
          dropped prisma_db && recorded prisma_db public.accounts.legacy 20261201000002_drop_legacy prisma; }
    check "prisma: approve_request(); the plain re-run applies it once" t
    unset DATABASE_URL CHECKPOINT_DISABLE
}

# --- Drizzle: drizzle.__drizzle_migrations, every pending migration in one transaction -----------
drizzle_migration() {  # drizzle_migration IDX TAG WHEN SQL
    printf '%s\n' "$4" >"$T/work/drizzle/$2.sql"
    python3 - "$T/work/drizzle/meta/_journal.json" "$1" "$2" "$3" <<'PY'
import json, os, sys
path, idx, tag, when = sys.argv[1:]
j = json.load(open(path)) if os.path.exists(path) else {"version": "7", "dialect": "postgresql", "entries": []}
j["entries"].append({"idx": int(idx), "version": "7", "when": int(when), "tag": tag, "breakpoints": True})
json.dump(j, open(path, "w"), indent=2)
PY
}

tool_drizzle() {
    fixture drizzle_db
    new_workdir
    mkdir -p "$T/work/drizzle/meta"
    local url="postgresql://postgres@localhost/drizzle_db?host=$PGHOST&port=$PGPORT"
    cat >"$T/work/drizzle.config.js" <<'JS'
module.exports = { dialect: 'postgresql', out: './drizzle', dbCredentials: { url: process.env.DATABASE_URL } }
JS
    # drizzle-kit migrate shows only its spinner when a migration fails; drizzle-orm's migrate(),
    # which it runs, throws the server's error with DETAIL and HINT.
    cat >"$T/work/migrate.js" <<'JS'
const { Pool } = require('pg')
const { drizzle } = require('drizzle-orm/node-postgres')
const { migrate } = require('drizzle-orm/node-postgres/migrator')
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
migrate(drizzle(pool), { migrationsFolder: './drizzle' })
  .catch((e) => { console.error(e); process.exitCode = 1 })
  .finally(() => pool.end())
JS
    drizzle_migration 0 0000_notes 1764590400001 'CREATE TABLE "notes" ("id" integer PRIMARY KEY NOT NULL, "body" text);'
    t() { DATABASE_URL=$url run drizzle-kit migrate && recorded drizzle_db public.notes 1764590400001 drizzle; }
    check "drizzle: additive migration recorded with the journal's when (created_at)" t
    drizzle_migration 1 0001_drop_legacy 1764590400002 'ALTER TABLE "accounts" DROP COLUMN "legacy";'
    local applied="SELECT count(*) FROM drizzle.__drizzle_migrations"
    t() { DATABASE_URL=$url run drizzle-kit migrate; [[ $RC -ne 0 ]] || { echo "  drizzle-kit succeeded" >&2; return 1; }
          [[ $(sql drizzle_db "$applied") == 1 && $(sql drizzle_db "SELECT count(legacy) FROM accounts") == 100 ]]; }
    check "drizzle: drizzle-kit migrate fails on the destructive migration; bookkeeping, data intact" t
    t() { DATABASE_URL=$url run node migrate.js; blocked_intact drizzle_db "$applied" 1; }
    check "drizzle: drizzle-orm's migrate() shows the message: rule, object and approve" t
    t() { approve_request drizzle_db && DATABASE_URL=$url run drizzle-kit migrate &&
          dropped drizzle_db && recorded drizzle_db public.accounts.legacy 1764590400002 drizzle; }
    check "drizzle: approve_request(); the plain re-run of drizzle-kit migrate applies it once" t
}

# --- Sequelize (sequelize-cli, umzug): "SequelizeMeta", written after each migration, no transaction
tool_sequelize() {
    fixture sequelize_db
    new_workdir
    mkdir -p "$T/work/migrations"
    cat >"$T/work/config.js" <<JS
module.exports = { development: { dialect: 'postgres', host: '$PGHOST', port: $PGPORT, username: 'postgres',
                                  database: 'sequelize_db', logging: false } };
JS
    cat >"$T/work/.sequelizerc" <<'JS'
const path = require('path');
module.exports = { config: path.resolve('config.js'), 'migrations-path': path.resolve('migrations') };
JS
    echo "module.exports = { up: (queryInterface) => queryInterface.sequelize.query('CREATE TABLE notes (id int PRIMARY KEY, body text)'), down: () => {} };" \
        >"$T/work/migrations/20261201000001-notes.js"
    t() { run sequelize-cli db:migrate && recorded sequelize_db public.notes 20261201000001-notes.js sequelize; }
    check "sequelize: additive migration recorded with the file name" t
    echo "module.exports = { up: (queryInterface) => queryInterface.removeColumn('accounts', 'legacy'), down: () => {} };" \
        >"$T/work/migrations/20261201000002-drop-legacy.js"
    t() { run sequelize-cli db:migrate; blocked_intact sequelize_db 'SELECT count(*) FROM "SequelizeMeta"' 1; }
    check "sequelize: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request sequelize_db && run sequelize-cli db:migrate &&
          dropped sequelize_db && recorded sequelize_db public.accounts.legacy 20261201000002-drop-legacy.js sequelize; }
    check "sequelize: approve_request(); the plain re-run applies it once" t
}

# --- Kysely: kysely_migration; Migrator with FileMigrationProvider, pending migrations in one transaction
tool_kysely() {
    fixture kysely_db
    new_workdir
    mkdir -p "$T/work/migrations"
    local url="postgresql://postgres@localhost/kysely_db?host=$PGHOST&port=$PGPORT"
    cat >"$T/work/migrate.js" <<'JS'
// Kysely's Migrator with its FileMigrationProvider, as Kysely's documentation runs it.
const fs = require('node:fs/promises')
const path = require('node:path')
const { Pool } = require('pg')
const { Kysely, Migrator, PostgresDialect, FileMigrationProvider } = require('kysely')

async function main() {
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL }) }) })
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: path.join(__dirname, 'migrations') }),
  })
  const { error, results } = await migrator.migrateToLatest()
  for (const r of results ?? []) console.log(`migration "${r.migrationName}": ${r.status}`)
  await db.destroy()
  if (error) {
    console.error('failed to migrate')
    console.error(error)
    process.exit(1)
  }
}
main()
JS
    cat >"$T/work/migrations/20261201000001_notes.js" <<'JS'
const { sql } = require('kysely')
exports.up = async (db) => { await sql`CREATE TABLE notes (id int PRIMARY KEY, body text)`.execute(db) }
JS
    t() { DATABASE_URL=$url run node migrate.js && recorded kysely_db public.notes 20261201000001_notes kysely; }
    check "kysely: additive migration recorded with the migration's name" t
    echo "exports.up = async (db) => { await db.schema.alterTable('accounts').dropColumn('legacy').execute() }" \
        >"$T/work/migrations/20261201000002_drop_legacy.js"
    t() { DATABASE_URL=$url run node migrate.js; blocked_intact kysely_db "SELECT count(*) FROM kysely_migration" 1; }
    check "kysely: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request kysely_db && DATABASE_URL=$url run node migrate.js &&
          dropped kysely_db && recorded kysely_db public.accounts.legacy 20261201000002_drop_legacy kysely; }
    check "kysely: approve_request(); the plain re-run applies it once" t
}

# --- MikroORM: mikro_orm_migrations; `mikro-orm migration:up`, pending migrations in one transaction
mikro_orm_migration() {  # mikro_orm_migration CLASS SQL
    cat >"$T/work/migrations/$1.js" <<JS
const { Migration } = require('@mikro-orm/migrations');
class $1 extends Migration {
  async up() { this.addSql('$2'); }
}
exports.$1 = $1;
JS
}

tool_mikro_orm() {
    fixture mikro_orm_db
    new_workdir
    mkdir -p "$T/work/migrations"
    # The CLI wants itself among the project's dependencies, and its config file.
    cat >"$T/work/package.json" <<'JSON'
{ "private": true,
  "dependencies": { "@mikro-orm/cli": "6", "@mikro-orm/core": "6", "@mikro-orm/migrations": "6", "@mikro-orm/postgresql": "6" },
  "mikro-orm": { "useTsNode": false, "configPaths": ["./mikro-orm.config.js"] } }
JSON
    cat >"$T/work/mikro-orm.config.js" <<JS
const { defineConfig } = require('@mikro-orm/postgresql')
const { Migrator } = require('@mikro-orm/migrations')
module.exports = defineConfig({
  host: '$PGHOST', port: $PGPORT, user: 'postgres', dbName: 'mikro_orm_db',
  entities: [], discovery: { warnWhenNoEntities: false },
  extensions: [Migrator],
  migrations: { path: './migrations', glob: '!(*.d).js' },
})
JS
    mikro_orm_migration Migration20261201000001 'create table "notes" ("id" int not null, "body" text null, constraint "notes_pkey" primary key ("id"));'
    t() { run mikro-orm migration:up && recorded mikro_orm_db public.notes Migration20261201000001 mikro-orm; }
    check "mikro-orm: additive migration recorded with the migration's name" t
    mikro_orm_migration Migration20261201000002 'alter table "accounts" drop column "legacy";'
    t() { run mikro-orm migration:up; blocked_intact mikro_orm_db "SELECT count(*) FROM mikro_orm_migrations" 1; }
    check "mikro-orm: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request mikro_orm_db && run mikro-orm migration:up &&
          dropped mikro_orm_db && recorded mikro_orm_db public.accounts.legacy Migration20261201000002 mikro-orm; }
    check "mikro-orm: approve_request(); the plain re-run applies it once" t
}

# --- Rails (ActiveRecord without an application): schema_migrations, each migration in a transaction
rails_migration() {  # rails_migration FILE CLASS BODY
    cat >"$T/work/db/migrate/$1.rb" <<RB
class $2 < ActiveRecord::Migration[6.1]
  def change
    $3
  end
end
RB
}

tool_rails() {
    fixture rails_db
    new_workdir
    mkdir -p "$T/work/db/migrate"
    local url="postgres://postgres@localhost/rails_db?host=$PGHOST&port=$PGPORT"
    # What `bin/rails db:migrate` runs, without an application.
    cat >"$T/work/migrate.rb" <<'RB'
require "active_record"

ActiveRecord::Base.establish_connection(ENV.fetch("DATABASE_URL"))
ActiveRecord::MigrationContext.new("db/migrate", ActiveRecord::SchemaMigration).migrate
RB
    rails_migration 20261201000001_create_notes CreateNotes 'create_table(:notes) { |t| t.text :body }'
    t() { DATABASE_URL=$url run ruby migrate.rb && recorded rails_db public.notes 20261201000001 rails; }
    check "rails: additive migration recorded with its version" t
    rails_migration 20261201000002_drop_legacy DropLegacy 'remove_column :accounts, :legacy, :text'
    t() { DATABASE_URL=$url run ruby migrate.rb; blocked_intact rails_db "SELECT count(*) FROM schema_migrations" 1; }
    check "rails: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request rails_db && DATABASE_URL=$url run ruby migrate.rb &&
          dropped rails_db && recorded rails_db public.accounts.legacy 20261201000002 rails; }
    check "rails: approve_request(); the plain re-run applies it once" t
}

# --- Liquibase (the npm package's bundled distribution, Debian's JRE): databasechangelog ----------
liquibase_changeset() {  # liquibase_changeset ID CHANGE_YAML
    printf '  - changeSet:\n      id: %s\n      author: tester\n      changes:\n%s\n' "$1" "$2" >>"$T/work/changelog.yaml"
}

tool_liquibase() {
    fixture liquibase_db
    new_workdir
    local lb
    lb="$(dirname "$NODE_BIN")/liquibase/dist/liquibase/liquibase"
    cat >"$T/work/liquibase.properties" <<PROPS
changeLogFile: changelog.yaml
url: jdbc:postgresql://127.0.0.1:$PGPORT/liquibase_db
username: postgres
PROPS
    echo 'databaseChangeLog:' >"$T/work/changelog.yaml"
    liquibase_changeset notes '        - sql:
            sql: CREATE TABLE notes (id int PRIMARY KEY, body text)'
    t() { run "$lb" update && recorded liquibase_db public.notes changelog.yaml::notes::tester liquibase; }
    check "liquibase: additive changeset recorded as file::id::author" t
    liquibase_changeset drop_legacy '        - dropColumn:
            tableName: accounts
            columnName: legacy'
    t() { run "$lb" update; blocked_intact liquibase_db "SELECT count(*) FROM databasechangelog" 1; }
    check "liquibase: destructive changeset blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { approve_request liquibase_db && run "$lb" update &&
          dropped liquibase_db && recorded liquibase_db public.accounts.legacy changelog.yaml::drop_legacy::tester liquibase; }
    check "liquibase: approve_request(); the plain re-run applies it once" t
}

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(psql dbmate knex node_pg_migrate alembic django sqitch
                                   typeorm prisma drizzle sequelize kysely mikro_orm rails liquibase)
for tool in "${tools[@]}"; do "tool_$tool"; done
finish
