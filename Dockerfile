# 乡安 server + h5 in one image, for WeChat Cloud Hosting (微信云托管) or any container platform.
# The server runs pending MySQL migrations itself on start (under a lock, so replicas migrate once).
#   docker build -t xiangan .
#   docker run -p 80:80 -e NODE_ENV=production -e DATABASE_URL=mysql://… -e JWT_SECRET=… -e WECHAT_APPID=… -e WECHAT_SECRET=… xiangan

FROM node:20-bookworm-slim AS build
ENV COREPACK_INTEGRITY_KEYS=0 CI=true
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/* \
 && corepack enable && corepack prepare pnpm@9.15.9 --activate
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc tsconfig.base.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY miniapp/package.json miniapp/
COPY test/package.json test/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile
COPY shared shared
COPY server server
COPY miniapp miniapp
RUN pnpm --filter @xiangan/shared build \
 && pnpm --filter @xiangan/server build:prod \
 && pnpm --filter @xiangan/miniapp build:h5 \
 && pnpm --filter @xiangan/server deploy --prod /out/server \
 && test ! -e /out/server/dist/testing \
 && mkdir -p /out/h5 && cp -r miniapp/dist/h5/. /out/h5/

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=80 H5_DIR=/app/h5 STORAGE_DIR=/app/data/uploads SQLITE_PATH=/app/data/xiangan.sqlite
WORKDIR /app/server
COPY --from=build /out/server /app/server
COPY --from=build /out/h5 /app/h5
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 80
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||80)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]
