#!/usr/bin/env bash
# A throwaway MariaDB for the test command's MariaDB runs: its own datadir on tmpfs (/dev/shm), a free port, loopback
# only, and no durability (innodb_flush_log_at_trx_commit=0, no doublewrite): what a test database never needs. It is
# the same mariadbd as the shared one, so the schema still comes from the real migrations through TypeORM; only the
# fsync per DDL statement and per commit (most of the MariaDB server suite's wait) is gone.
#   url=$(scripts/private-mariadb.sh start DIR)   # prints mysql://root@127.0.0.1:PORT, or fails (then use the shared one)
#   scripts/private-mariadb.sh stop DIR
set -uo pipefail
cmd="$1" dir="$2"
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
case "$cmd" in
start)
  rm -rf "$dir" && mkdir -p "$dir/data" || exit 1
  user=()
  if [ "$(id -u)" = 0 ]; then chown -R mysql:mysql "$dir" && user=(--user=mysql); fi
  mariadb-install-db "${user[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal --skip-test-db \
    >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "$mariadbd" --no-defaults "${user[@]}" --datadir="$dir/data" --port="$port" --socket="$dir/mysqld.sock" \
    --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --skip-name-resolve --log-error="$dir/error.log" \
    --innodb-buffer-pool-size=256M --innodb-log-file-size=64M --innodb-flush-log-at-trx-commit=0 \
    --innodb-doublewrite=0 --innodb-flush-method=fsync --max-connections=500 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    mariadb -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1 && { echo "mysql://root@127.0.0.1:$port"; exit 0; }
    sleep 0.2
  done
  tail -20 "$dir/error.log" >&2
  exit 1
  ;;
stop)
  if [ -f "$dir/mysqld.pid" ]; then
    pid=$(cat "$dir/mysqld.pid")
    # what the test databases cost the daemon (user + system CPU seconds), for bench/RESULTS.md
    [ -r "/proc/$pid/stat" ] && awk -v t="$(getconf CLK_TCK)" '{ printf "private MariaDB: %d CPU s\n", ($14 + $15) / t }' "/proc/$pid/stat" >&2
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -rf "$dir"
  ;;
esac
