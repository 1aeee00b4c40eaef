#!/usr/bin/env bash
# Generate a MySQL migration from the entities: a scratch database gets every existing migration,
# then TypeORM writes the difference to src/migrations/<timestamp>-<Name>.ts.
# Usage: pnpm --filter @xiangan/server migration:generate AddHazards
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: migration:generate <Name>}"
host="${MYSQL_HOST:-127.0.0.1}"; port="${MYSQL_PORT:-3306}"; user="${MYSQL_USER:-root}"
db="xa_migration_gen_$$"
exec 9>/tmp/xiangan-migration.lock; flock 9
mysql=(mariadb -h"$host" -P"$port" -u"$user")
"${mysql[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
trap '"${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
pnpm run build >/dev/null
export DATABASE_URL="mariadb://$user@$host:$port/$db"
npx typeorm -d dist/database/data-source.js migration:run >/dev/null
npx typeorm -d dist/database/data-source.js migration:generate "src/migrations/$name" --pretty=false
npx prettier --version >/dev/null 2>&1 || true
