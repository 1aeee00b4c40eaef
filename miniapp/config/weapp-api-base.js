/**
 * A weapp for release must know its API: without TARO_APP_API_BASE it would call http://127.0.0.1:3000 on the
 * user's phone. config/index.ts refuses to build one — unless it is a dev build (`taro build --type weapp --watch`,
 * i.e. `pnpm dev:weapp`, which runs with NODE_ENV=development, or XIANGAN_WEAPP_DEV=1), where the local default is
 * fine. A release origin must be https (WeChat only calls https 合法域名).
 *
 * Returns null when the build may go on, else the reason (plain JS so test/api/weapp-build-guard.spec.ts can load it).
 */
function checkWeappApiBase(env = process.env) {
  if (env.TARO_ENV !== 'weapp') return null;
  if (env.XIANGAN_WEAPP_DEV === '1' || env.NODE_ENV === 'development') return null;
  const base = String(env.TARO_APP_API_BASE ?? '').trim();
  if (!base) {
    return (
      'TARO_APP_API_BASE is not set: a release weapp needs the https address of the API, e.g. ' +
      'TARO_APP_API_BASE=https://xiangan.example.gov.cn/api pnpm build:weapp (for a local dev build: pnpm dev:weapp, or XIANGAN_WEAPP_DEV=1).'
    );
  }
  if (!/^https:\/\/[^/\s?#]+/i.test(base)) {
    return `TARO_APP_API_BASE=${base} is not https: WeChat only calls https servers listed as request 合法域名 (for a local dev build use XIANGAN_WEAPP_DEV=1).`;
  }
  return null;
}

module.exports = { checkWeappApiBase };
