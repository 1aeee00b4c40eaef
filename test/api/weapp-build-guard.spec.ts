/**
 * `build:weapp` refuses to make a release weapp that does not know its API (it would call http://127.0.0.1:3000
 * on the user's phone) or that calls it over plain http (WeChat only calls https 合法域名); dev builds may.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/server';

const { checkWeappApiBase } = require(join(REPO_ROOT, 'miniapp', 'config', 'weapp-api-base.js')) as {
  checkWeappApiBase: (env: Record<string, string | undefined>) => string | null;
};

test('a release weapp needs an https TARO_APP_API_BASE; dev builds and h5 do not', () => {
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production' })).toMatch(/TARO_APP_API_BASE is not set/);
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production', TARO_APP_API_BASE: '  ' })).toMatch(/not set/);
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production', TARO_APP_API_BASE: 'http://api.example.cn/api' })).toMatch(/not https/);
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production', TARO_APP_API_BASE: 'https://' })).toMatch(/not https/);
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production', TARO_APP_API_BASE: 'https://api.xiangan.test/api' })).toBeNull();
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'development' })).toBeNull(); // taro build --watch
  expect(checkWeappApiBase({ TARO_ENV: 'weapp', NODE_ENV: 'production', XIANGAN_WEAPP_DEV: '1' })).toBeNull();
  expect(checkWeappApiBase({ TARO_ENV: 'h5', NODE_ENV: 'production' })).toBeNull();
});

test('pnpm build:weapp without TARO_APP_API_BASE stops at once with the reason', () => {
  const env = { ...process.env };
  delete env.TARO_APP_API_BASE;
  delete env.XIANGAN_WEAPP_DEV;
  delete env.NODE_ENV;
  const r = spawnSync('pnpm', ['--filter', '@xiangan/miniapp', 'build:weapp'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 180_000 });
  expect(r.status).not.toBe(0);
  expect(`${r.stdout}${r.stderr}`).toMatch(/weapp build refused: TARO_APP_API_BASE is not set/);
}, 200_000);
