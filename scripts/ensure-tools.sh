#!/usr/bin/env bash
# Installs what a fresh Debian machine with Node 20 lacks. Sourced by start-demo.sh and test-all.sh.
#   ensure_pnpm            pnpm 9 via corepack (the registry here has no signatures: keys off), else npm
#   ensure_apt PKG BIN     apt-get install PKG when BIN is missing (needs root)
#   ensure_mariadb         MariaDB on 127.0.0.1:3306 (root, empty password), started if down
#   ensure_redis           Redis on 127.0.0.1:6379, started if down
set -euo pipefail

log() { printf '\033[1;34m[xiangan]\033[0m %s\n' "$*" >&2; }

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && pnpm --version 2>/dev/null | grep -q '^9\.'; then return; fi
  log "installing pnpm 9"
  if command -v corepack >/dev/null 2>&1; then
    COREPACK_INTEGRITY_KEYS=0 corepack prepare pnpm@9.15.9 --activate >/dev/null 2>&1 || true
    COREPACK_INTEGRITY_KEYS=0 corepack enable pnpm >/dev/null 2>&1 || true
  fi
  if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^9\.'; then
    npm install -g pnpm@9.15.9 >/dev/null 2>&1
  fi
  export COREPACK_INTEGRITY_KEYS=0
  pnpm --version >/dev/null
}

apt_updated=0
ensure_apt() {
  local pkg="$1" bin="$2"
  if command -v "$bin" >/dev/null 2>&1 || [ -e "$bin" ]; then return; fi
  if [ "$(id -u)" != 0 ]; then log "missing $bin: install the Debian package '$pkg' (needs root)"; return 1; fi
  if [ $apt_updated = 0 ]; then log "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  log "installing $pkg"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
}

mysql_up() { mariadb -h127.0.0.1 -P3306 -uroot -e 'SELECT 1' >/dev/null 2>&1; }

ensure_mariadb() {
  mysql_up && return
  ensure_apt mariadb-server /usr/sbin/mariadbd
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do mysql_up && break; sleep 1; done
  if ! mysql_up; then
    # root may be socket-only on a fresh install: allow the empty password over TCP as well
    mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket" 2>/dev/null || true
  fi
  mysql_up || { log "MariaDB did not come up on 127.0.0.1:3306"; return 1; }
  mariadb -h127.0.0.1 -uroot -e 'CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
}

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

ensure_redis() {
  redis_up && return
  ensure_apt redis-server /usr/bin/redis-server
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  redis_up || { log "Redis did not come up on 127.0.0.1:6379"; return 1; }
}
