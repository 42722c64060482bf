#!/usr/bin/env bash
# Installs the migration tools the end-to-end tool tests run (test/tools/run.sh): Debian's
# Alembic, Django, Sqitch, psycopg2, ActiveRecord with ruby-pg, and a Java runtime with apt; knex,
# node-pg-migrate, dbmate, node-postgres, TypeORM, Prisma 6 (its WebAssembly schema engine and the
# pg driver adapter: nothing is downloaded from Prisma's own servers), Drizzle, Sequelize, Kysely,
# MikroORM and Liquibase (the npm package bundles Liquibase and its JDBC drivers) with npm into a
# cache folder. Pinned versions; a second run finds everything and installs nothing, so it works
# offline. Prints the npm folder's bin directory.
set -euo pipefail
CACHE=${MG_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration-guard-tools}
apt_packages=(python3-alembic python3-django python3-psycopg2 sqitch libdbd-pg-perl nodejs npm
              ruby-activerecord ruby-pg default-jre-headless)
npm_packages=(knex@3.3.0 pg@8.23.1 node-pg-migrate@8.0.4 dbmate@2.36.0
              typeorm@1.1.4
              prisma@6.19.3 @prisma/adapter-pg@6.19.3
              drizzle-kit@0.31.11 drizzle-orm@0.45.4
              sequelize@6.37.8 sequelize-cli@6.6.5
              kysely@0.28.20
              @mikro-orm/core@6.6.16 @mikro-orm/postgresql@6.6.16 @mikro-orm/migrations@6.6.16 @mikro-orm/cli@6.6.16
              liquibase@4.28.1)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm from another source (nodejs of the machine) is as good as Debian's.
if command -v npm >/dev/null && command -v node >/dev/null; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -vx -e nodejs -e npm || true)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="$CACHE/node/.installed-$(printf '%s ' "${npm_packages[@]}" | md5sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "installing with npm into $CACHE/node: ${npm_packages[*]}" >&2
  mkdir -p "$CACHE/node"
  # @prisma/engines' install script tries to fetch native engines from Prisma's own servers; where
  # they cannot be reached it gives up quietly, and the tests need none (test/tools/run.sh).
  npm install --prefix "$CACHE/node" --no-audit --no-fund --silent "${npm_packages[@]}" >&2
  touch "$stamp"
fi
echo "$CACHE/node/node_modules/.bin"
