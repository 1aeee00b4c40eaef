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
log "installing dependencies"
pnpm install --frozen-lockfile --reporter=silent
log "building shared, server and the h5 mini-program"
pnpm --filter @xiangan/shared build >/dev/null
pnpm --filter @xiangan/server build:prod >/dev/null
pnpm --filter @xiangan/miniapp build:h5 >/dev/null
export PORT="${PORT:-3000}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"   # quiet start; LOG_LEVEL=info shows every request
cd server
log "starting on http://localhost:$PORT  (first start seeds the demo town 青山县石桥镇; Ctrl-C stops)"
exec node dist/main.js
