#!/usr/bin/env bash
# End-to-end with real migration tools against a throwaway PostgreSQL 15 server with the guard
# preloaded: for each tool, an additive migration is recorded with the tool's own migration id;
# a destructive one is blocked with a message that names the rule, the object and how to approve,
# the tool's bookkeeping and the data unchanged; approve_migration() of its text lets it through
# once; a CONCURRENTLY migration runs. The tools are installed by scripts/install-tools.sh
# (apt and npm, cached). Usage: test/tools/run.sh [TOOL...]   (default: every tool)
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
bash "$ROOT/scripts/pg-temp.sh" start "$PGDIR" "$PORT" "shared_preload_libraries = 'migration_guard'"
eval "$(bash "$ROOT/scripts/pg-temp.sh" env "$PGDIR")"
export PGDATABASE=postgres

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# fixture DB: a database with the extension and a table whose column `legacy` holds data.
fixture() {
    sql postgres "CREATE DATABASE $1"
    sql "$1" "CREATE EXTENSION migration_guard"
    sql "$1" "CREATE TABLE accounts (id int PRIMARY KEY, email text, legacy text);
              INSERT INTO accounts SELECT g, 'u' || g || '@example.com', 'old ' || g FROM generate_series(1, 100) g"
}

# run CMD...: runs a tool in $T/work; its output (stdout and stderr) in $T/out, exit code in RC.
run() {
    RC=0
    (cd "$T/work" && "$@") >"$T/out" 2>&1 || RC=$?
}

# recorded DB OBJECT MIGRATION TOOL: the audit rows of OBJECT carry that migration id and tool.
recorded() {
    local got
    got=$(sql "$1" "SELECT DISTINCT coalesce(migration_id, '-') || '|' || coalesce(tool, '-') FROM migration_guard.audit_log
                    WHERE object_identity = '$2' AND decision <> 'blocked'")
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

# approve DB: a token for exactly the destructive migration's text.
approve() {
    sql "$1" "SELECT migration_guard.approve_migration('ALTER TABLE accounts DROP COLUMN legacy;', 'tool test')"
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
    t() { local token; token=$(approve psql_db)
          PGOPTIONS="-c migration_guard.approval=$token" run psql -X -v ON_ERROR_STOP=1 -d psql_db -1 -f 0002_drop_legacy.sql
          dropped psql_db; }
    check "psql: approve_migration() lets it through once" t
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
    t() { DATABASE_URL=$url run dbmate up && recorded dbmate_db public.notes 20261201000001 "schema_migrations (rails, dbmate, golang-migrate)"; }
    check "dbmate: additive migration recorded with dbmate's version" t
    printf -- '-- migrate:up\nALTER TABLE accounts DROP COLUMN legacy;\n-- migrate:down\n\n' \
        >"$T/work/db/migrations/20261201000002_drop_legacy.sql"
    t() { DATABASE_URL=$url run dbmate up; blocked_intact dbmate_db "SELECT count(*) FROM schema_migrations" 1; }
    check "dbmate: destructive migration blocked, message names rule, object and approve; bookkeeping, data intact" t
    t() { local token; token=$(approve dbmate_db)
          DATABASE_URL="$url&options=-c%20migration_guard.approval%3D$token" run dbmate up
          dropped dbmate_db && recorded dbmate_db public.accounts.legacy 20261201000002 "schema_migrations (rails, dbmate, golang-migrate)"; }
    check "dbmate: approve_migration() lets it through once (options in the URL)" t
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
    t() { local token; token=$(approve knex_db)
          PGOPTIONS="-c migration_guard.approval=$token" run knex migrate:latest
          dropped knex_db && recorded knex_db public.accounts.legacy 20261201000002_drop_legacy.js knex; }
    check "knex: approve_migration() lets it through once (PGOPTIONS)" t
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
    t() { local token; token=$(approve npm_db)
          PGOPTIONS="-c migration_guard.approval=$token" DATABASE_URL=$url run node-pg-migrate up -m migrations
          dropped npm_db && recorded npm_db public.accounts.legacy 1764590400002_drop_legacy node-pg-migrate; }
    check "node-pg-migrate: approve_migration() lets it through once (PGOPTIONS)" t
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
    t() { local token; token=$(approve alembic_db)
          PGOPTIONS="-c migration_guard.approval=$token" run $PY -m alembic upgrade head
          dropped alembic_db && recorded alembic_db public.accounts.legacy 0002_drop_legacy alembic; }
    check "alembic: approve_migration() lets it through once (PGOPTIONS)" t
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
    t() { local token; token=$(approve django_db)
          PGOPTIONS="-c migration_guard.approval=$token" run $PY -m django migrate shop
          dropped django_db && recorded django_db public.accounts.legacy shop.0002_drop_legacy django; }
    check "django: approve_migration() lets it through once (PGOPTIONS)" t
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
    t() { local token; token=$(approve sqitch_db)
          PGOPTIONS="-c migration_guard.approval=$token" run sqitch deploy
          dropped sqitch_db && [[ $(sql sqitch_db "SELECT count(*) FROM sqitch.changes") == 2 ]]; }
    check "sqitch: approve_migration() lets it through once (PGOPTIONS)" t
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

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(psql dbmate knex node_pg_migrate alembic django sqitch)
for tool in "${tools[@]}"; do "tool_$tool"; done
finish
