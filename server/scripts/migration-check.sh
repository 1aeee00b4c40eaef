#!/usr/bin/env bash
# Fails when the entities and either migration chain have drifted apart. For each database — MariaDB
# (src/migrations/) and the embedded SQLite (src/migrations/sqlite/) — a scratch database gets every migration
# of its chain, and generating from the entities must then find nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${MYSQL_HOST:-127.0.0.1}"; port="${MYSQL_PORT:-3306}"; user="${MYSQL_USER:-root}"
db="xa_migration_check_$$"
sqlite_dir=$(mktemp -d /tmp/xa-migration-check.XXXXXX)
mysql=(mariadb -h"$host" -P"$port" -u"$user")
"${mysql[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
trap '"${mysql[@]}" -e "DROP DATABASE IF EXISTS \`$db\`"; rm -rf "$sqlite_dir"' EXIT
[ -f dist/database/data-source.js ] || pnpm run build >/dev/null
failed=0
check() { # check NAME ENV… — run the chain on the scratch database ENV… names, then ask for a diff
  local name="$1"; shift
  env "$@" npx typeorm -d dist/database/data-source.js migration:run >/dev/null
  if env "$@" npx typeorm -d dist/database/data-source.js migration:generate /tmp/xa-drift --check --dryrun; then
    echo "migration check ($name): entities and migrations agree"
  else
    echo "migration check ($name) FAILED: the entities differ from the migrations; run migration:generate" >&2
    failed=1
  fi
}
check MariaDB DATABASE_URL="mariadb://$user@$host:$port/$db"
check SQLite -u DATABASE_URL SQLITE_PATH="$sqlite_dir/check.sqlite"
exit $failed
