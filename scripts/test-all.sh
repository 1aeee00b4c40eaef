#!/usr/bin/env bash
# One command: install everything and run every test — shared unit tests, server integration tests on
# SQLite AND on MariaDB (real migrations), the migration drift check, the mini-program builds and size
# check, and the cross-package API and browser tests in test/. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/ensure-tools.sh
set +e

ensure_pnpm || exit 1
ensure_apt chromium /usr/bin/chromium || exit 1
ensure_apt poppler-utils pdftoppm || exit 1
ensure_apt fonts-noto-cjk /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || exit 1
ensure_mariadb || exit 1
ensure_redis || exit 1

out="$root/test/artifacts/results"
rm -rf "$out"; mkdir -p "$out"
# a non-jest check's result is a file (checks run in three lanes at once, so no shell counter): checks/NAME.ok or .fail
mkdir -p "$out/checks"
verdict() { # verdict NAME RC
  if [ "$2" = 0 ]; then touch "$out/checks/$1.ok"; log "✔ $1"
  else touch "$out/checks/$1.fail"; log "✘ $1 (see test/artifacts/results/$1.log)"; tail -20 "$out/$1.log" >&2; fi
}
check() { # check NAME CMD… — a non-jest check counted as one test
  local name="$1"; shift
  "$@" >"$out/$name.log" 2>&1
  verdict "$name" $?
}

both() { # both NAME1 'CMD1' NAME2 'CMD2' — two checks at once (CMD is a shell line), each counted as one test
  local n1="$1" c1="$2" n2="$3" c2="$4" n
  (bash -c "$c1" >"$out/$n1.log" 2>&1; echo $? >"$out/$n1.rc") &
  (bash -c "$c2" >"$out/$n2.log" 2>&1; echo $? >"$out/$n2.rc") &
  wait
  for n in "$n1" "$n2"; do
    verdict "$n" "$(cat "$out/$n.rc" 2>/dev/null || echo 1)"
    rm -f "$out/$n.rc"
  done
}

start=$SECONDS
log "installing dependencies"
pnpm install --frozen-lockfile --reporter=silent || exit 1
log "building"
pnpm --filter @xiangan/shared build >"$out/build-shared.log" 2>&1 || { cat "$out/build-shared.log"; exit 1; }
pnpm --filter @xiangan/server build >"$out/build-server.log" 2>&1 || { cat "$out/build-server.log"; exit 1; }
failures() { # failures FILE.json — each failed test's name and the head of its message (CI shows only this)
  [ -f "$1" ] || { echo "  (no jest results: the runner crashed)"; return; }
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const plain = (t) => t.replace(/\u001b\[[0-9;]*m/g, "");
    for (const s of r.testResults) {
      const failed = (s.assertionResults || []).filter((a) => a.status === "failed");
      if (!failed.length && s.status === "failed") console.log(`  ✘ ${s.name}: ${plain(s.message || "").split("\n").slice(0, 12).join("\n    ")}`);
      for (const a of failed) {
        const msg = plain(a.failureMessages.join("\n")).split("\n").filter((l) => !/^\s+at /.test(l)).slice(0, 40);
        console.log(`  ✘ ${a.fullName}\n    ${msg.join("\n    ")}`);
      }
    }' "$1"
}

slowest() { # slowest FILE.json — the three test files that took longest (where the test command's time goes)
  [ -f "$1" ] && node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const t = r.testResults.map((s) => [s.name.split("/").slice(-2).join("/"), Math.round((s.endTime - s.startTime) / 1000)]);
    t.sort((a, b) => b[1] - a[1]);
    process.stdout.write("; slowest " + t.slice(0, 3).map(([n, s]) => `${n} ${s} s`).join(", "));' "$1"
}

jest_run() { # jest_run NAME DIR ENV… [JEST COMMAND…]
  local name="$1" dir="$2"; shift 2
  log "tests: $name"
  # ENV… then, optionally, the jest command line (default: npx jest --ci — no --forceExit: a test that leaves a
  # connection or timer behind must show, not be cut off; the server suites end by themselves, see docs/DECISIONS.md)
  local envs=() cmd=()
  while [ $# -gt 0 ] && [[ "$1" == *=* ]]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && cmd=("$@") || cmd=(npx jest --ci)
  local t0=$SECONDS
  # a watchdog: a run that does not end (an open handle) is stopped after 40 min, its results file kept
  # and, where /usr/bin/time is installed, the CPU seconds (user + system) of the run and every process it waited for
  # (its workers, the servers and Chromiums they started): on a shared machine wall time is noisy, CPU time much less
  local cpu=()
  [ -x /usr/bin/time ] && cpu=(/usr/bin/time -q -f '%U %S' -o "$out/$name.cpu")
  (cd "$dir" && timeout --kill-after=10 2400 "${cpu[@]}" env "${envs[@]}" "${cmd[@]}" --json --outputFile="$out/$name.json" >"$out/$name.log" 2>&1)
  local rc=$?
  if [ $rc = 124 ] || [ $rc = 137 ]; then log "✘ $name did not end by itself within 40 min (an open handle?): stopped"; fi
  # jest force-stops a worker that does not exit 500 ms after its last file: name it (something left open, or a busy machine)
  grep -q 'failed to exit gracefully\|did not exit one second' "$out/$name.log" && log "⚠ $name: a jest worker did not exit by itself (see its log)"
  local used=""
  [ -s "$out/$name.cpu" ] && used=$(awk '{ printf " (CPU %d s)", $1 + $2 }' "$out/$name.cpu")
  log "$name: $((SECONDS - t0)) s$used$(slowest "$out/$name.json")"
  [ $rc = 0 ] || { log "✘ $name failed (see test/artifacts/results/$name.log)"; failures "$out/$name.json" >&2; }
  return 0
}

# The MariaDB runs (server specs with TEST_DB=mysql, the API specs' scratch databases) use a private mariadbd on tmpfs
# without durability (scripts/private-mariadb.sh): on the shared server each scratch database's migrations waited on a
# fsync per DDL statement. The shared 127.0.0.1:3306 stays what a developer's `TEST_DB=mysql npx jest` uses.
privdb="${TMPDIR:-/tmp}/xa-test-mariadb-$$"
[ -d /dev/shm ] && [ -w /dev/shm ] && privdb="/dev/shm/xa-test-mariadb-$$"
if mysql_url=$(bash scripts/private-mariadb.sh start "$privdb" 2>"$out/private-mariadb.log"); then
  log "a private MariaDB for the test databases at $mysql_url ($privdb)"
else
  mysql_url=mysql://root@127.0.0.1:3306
  log "⚠ no private MariaDB (see test/artifacts/results/private-mariadb.log): the tests use the shared one"
fi
trap 'bash scripts/private-mariadb.sh stop "$privdb" 2>&1 | while read -r l; do log "$l"; done' EXIT

checks() { # the checks (need no mini-program build)
  both typecheck "pnpm -r --if-present run typecheck" \
       migrations-match-entities "pnpm --filter @xiangan/server migration:check"
  check openapi-document-committed node server/dist/openapi-cli.js --check
  # the rest of `pnpm check` (the typecheck ran above): ESLint with no warnings, and Prettier's formatting
  both lint "pnpm run lint" \
       format "pnpm run format:check"
}

# Three lanes from here (measured on a 2-core machine: each of the first two keeps about one core busy, and the MariaDB
# specs and the browser specs spend much of their time waiting — see bench/RESULTS.md "The test command's time"):
#   lane 1: shared, the server specs on SQLite ∥ MariaDB, then (once the mini-program builds are there) the API and
#           weapp specs;
#   lane 2: the two mini-program builds side by side, the size check, then the browser specs two files at a time;
#   lane 3: the checks (typecheck ∥ migrations, openapi, lint ∥ format) at nice 10, in the CPU the others leave idle.
# API, weapp and browser specs each drive their own server process (free port, private temp dir; the fault and replica
# specs start private MariaDB/Redis, others scratch databases on the private one above; a browser spec its own Chromium).
(
  jest_run shared shared CI=true
  # each server run has two jest workers (server/jest.config.js); the MariaDB run spends much of its time waiting
  jest_run server-sqlite server CI=true &
  jest_run server-mariadb server CI=true TEST_DB=mysql TEST_MYSQL_URL="$mysql_url" &
  # the API/weapp specs start when the first server run ends, not the second: the two end 30–70 s apart, and much
  # of the API specs' time is spent waiting on the servers and databases they start (bench/RESULTS.md 2026-12-05)
  wait -n
  while [ ! -f "$out/.builds-done" ]; do sleep 1; done
  jest_run e2e test CI=true TEST_MYSQL_URL="$mysql_url" npx jest --ci --selectProjects api weapp --maxWorkers=2
  wait
) &
lane1=$!
(
  # the two mini-program builds side by side (they write dist/h5 and dist/weapp)
  # the weapp suite routes this origin to the test server; a release build refuses to run without an https API base
  both build-h5 "pnpm --filter @xiangan/miniapp build:h5" \
       build-weapp "env TARO_APP_API_BASE=https://api.xiangan.test/api pnpm --filter @xiangan/miniapp build:weapp"
  touch "$out/.builds-done"
  check weapp-main-package-under-2MB pnpm --filter @xiangan/miniapp size:weapp
  jest_run e2e-browser test CI=true npx jest --ci --selectProjects browser --maxWorkers=2
) &
lane2=$!
(
  # lane 3: the checks, from the start at a lower priority: they take the CPU the two lanes leave idle while their
  # specs wait (a third of it, measured), instead of running after the last spec (73 s at the end, 2026-12-05)
  renice -n 10 -p "$BASHPID" >/dev/null
  checks
) &
lane3=$!
wait $lane1 $lane2 $lane3
rm -rf "$out/.builds-done"

log "all tests and checks: $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
extra_pass=$(find "$out/checks" -name "*.ok" | wc -l); extra_fail=$(find "$out/checks" -name "*.fail" | wc -l)
node - "$out" "$extra_pass" "$extra_fail" <<'JS'
const fs = require('fs'); const path = require('path');
const [dir, xp, xf] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let passed = xp, failed = xf, skipped = 0;
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  // a suite that failed to load has no test results: count it as a failure
  const broken = r.testResults.filter((s) => s.status === 'failed' && (!s.assertionResults || s.assertionResults.length === 0)).length;
  console.error(`  ${f.replace('.json', '').padEnd(16)} ${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${r.numPendingTests} skipped`);
  passed += r.numPassedTests; failed += r.numFailedTests + broken; skipped += r.numPendingTests;
}
const names = ['shared', 'server-sqlite', 'server-mariadb', 'e2e', 'e2e-browser'];
for (const n of names) if (!fs.existsSync(path.join(dir, n + '.json'))) { console.error(`  ${n}: no results (runner crashed)`); failed += 1; }
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed ? 1 : 0);
JS
