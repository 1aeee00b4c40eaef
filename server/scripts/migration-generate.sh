#!/usr/bin/env bash
# Generate the migrations for a change to the entities, one per database: scratch databases get every existing
# migration of their chain, then TypeORM writes the difference to src/migrations/<timestamp>-<Name>.ts (MySQL)
# and src/migrations/sqlite/<timestamp>-<Name>.ts (the embedded SQLite).
# Usage: pnpm --filter @xiangan/server migration:generate AddHazards
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: migration:generate <Name>}"
host="${MYSQL_HOST:-127.0.0.1}"; port="${MYSQL_PORT:-3306}"; user="${MYSQL_USER:-root}"
db="xa_migration_gen_$$"
sqlite_dir=$(mktemp -d /tmp/xa-migration-gen.XXXXXX)
exec 9>/tmp/xiangan-migration.lock; flock 9
mysql=(mariadb -h"$host" -P"$port" -u"$user")
"${mysql[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
trap '"${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"; rm -rf "$sqlite_dir"' EXIT
pnpm run build >/dev/null
generate() { # generate DIR ENV… — bring the scratch database up to date, then write what the entities add
  local dir="$1"; shift
  env "$@" npx typeorm -d dist/database/data-source.js migration:run >/dev/null
  env "$@" npx typeorm -d dist/database/data-source.js migration:generate "$dir/$name" --pretty=false
}
generate src/migrations DATABASE_URL="mariadb://$user@$host:$port/$db"
generate src/migrations/sqlite -u DATABASE_URL SQLITE_PATH="$sqlite_dir/gen.sqlite"
