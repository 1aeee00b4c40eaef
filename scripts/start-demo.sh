#!/usr/bin/env bash
# One command: install, build, and start 乡安 with the embedded database and the demo town.
#   ./scripts/start-demo.sh      → http://localhost:3000 (h5 mini-program + API + /api/docs)
# PORT, SQLITE_PATH and every variable of README "Configuration" are honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-tools.sh
ensure_pnpm
# Chinese font for the signed-pledge PDF export (the rest works without it)
ensure_apt fonts-noto-cjk /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || log "no CJK font: the pledge PDF export will answer 503 until fonts-noto-cjk is installed"
# Each step runs only when its inputs changed since the last successful run (a hash of them in
# node_modules/.xiangan-stamps); its output goes to a log (no progress bars), shown only when it fails.
stamps=node_modules/.xiangan-stamps
inputs_hash() { # inputs_hash PATH… — one hash over the files (not node_modules/dist) under PATH…
  find "$@" -type f -not -path '*/node_modules/*' -not -path '*/dist/*' -print0 2>/dev/null | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1
}
step() { # step NAME OUTPUT "INPUT…" CMD… — run CMD unless OUTPUT exists and INPUT… hash as at the last success
  local name="$1" output="$2" inputs="$3"; shift 3
  local h; h=$(inputs_hash $inputs)
  if [ -e "$output" ] && [ "$(cat "$stamps/$name" 2>/dev/null)" = "$h" ]; then log "$name: unchanged, skipped"; return; fi
  log "$name"
  mkdir -p "$stamps" 2>/dev/null || true
  local logf; logf=$(mktemp)
  if ! "$@" >"$logf" 2>&1; then tail -40 "$logf" >&2; log "$name failed (whole output: $logf)"; exit 1; fi
  rm -f "$logf"
  mkdir -p "$stamps" && inputs_hash $inputs >"$stamps/$name"
}
lock="pnpm-lock.yaml package.json shared/package.json server/package.json miniapp/package.json"
step "installing dependencies" node_modules/.modules.yaml "$lock" pnpm install --frozen-lockfile --reporter=silent
step "building shared" shared/dist "$lock shared/src shared/tsconfig.json" pnpm --filter @xiangan/shared build
step "building the server" server/dist/main.js "$lock shared/src server/src server/tsconfig.json server/tsconfig.build.json" pnpm --filter @xiangan/server build:prod
step "building the h5 mini-program" miniapp/dist/h5/index.html "$lock shared/src miniapp/src miniapp/config miniapp/scripts miniapp/tsconfig.json miniapp/babel.config.js" pnpm --filter @xiangan/miniapp build:h5
export PORT="${PORT:-3000}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"   # quiet start; LOG_LEVEL=info shows every request
cd server
log "starting on http://localhost:$PORT  (first start seeds the demo town 青山县石桥镇; Ctrl-C stops)"
exec node dist/main.js
