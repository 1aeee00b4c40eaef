#!/usr/bin/env bash
# Fails when the entities and the MySQL migrations have drifted apart: a scratch database gets every
# migration, and generating from the entities must then find nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${MYSQL_HOST:-127.0.0.1}"; port="${MYSQL_PORT:-3306}"; user="${MYSQL_USER:-root}"
db="xa_migration_check_$$"
mysql=(mariadb -h"$host" -P"$port" -u"$user")
"${mysql[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
trap '"${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"' EXIT
[ -f dist/database/data-source.js ] || pnpm run build >/dev/null
export DATABASE_URL="mariadb://$user@$host:$port/$db"
npx typeorm -d dist/database/data-source.js migration:run >/dev/null
if npx typeorm -d dist/database/data-source.js migration:generate /tmp/xa-drift --check --dryrun; then
  echo "migration check: entities and migrations agree"
else
  echo "migration check FAILED: the entities differ from the migrations; run migration:generate" >&2
  exit 1
fi
