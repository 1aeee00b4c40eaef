import { AppConfig, ConfigError, DEV_JWT_SECRET, loadConfig, loadDbConfig, parseTrustProxy, weakJwtSecretReason } from './app-config';
import { buildDataSourceOptions } from '../database/db-options';

const PROD = { NODE_ENV: 'production', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' };
const STRONG = 'k7Qz-9vTn2Lw_Xa4Rb8Ye1Hc6Jd3Mf5Pg0Us'; // 36 characters, 35 distinct

describe('JWT_SECRET in production (issue 13 finding 7)', () => {
  it.each([
    ['16 repeated letters', 'a'.repeat(16)],
    ['32 repeated letters', 'a'.repeat(32)],
    ['the dev default with ! appended', `${DEV_JWT_SECRET}!`],
    ['the dev default with a long tail', `${DEV_JWT_SECRET}-2026-production-xyz`],
    ['two letters alternating', 'ab'.repeat(20)],
    ['few distinct characters', 'abc123'.repeat(6)],
    ['one character half of it', 'x'.repeat(20) + 'a1b2c3d4e5f6g7h8'],
    ['a running sequence', 'abcdefghijklmnopqrstuvwxyz0123456789'],
    ['a placeholder', 'please-change-me-before-going-live-0192'],
    ['31 random characters', STRONG.slice(0, 31)],
  ])('refuses %s, naming JWT_SECRET', (_name, secret) => {
    expect(weakJwtSecretReason(secret)).not.toBeNull();
    expect(() => loadConfig({ ...PROD, JWT_SECRET: secret })).toThrow(ConfigError);
    expect(() => loadConfig({ ...PROD, JWT_SECRET: secret })).toThrow(/JWT_SECRET/);
  });

  it('accepts random secrets as `openssl rand` makes them', () => {
    const { randomBytes } = require('node:crypto');
    for (let i = 0; i < 2000; i++) {
      for (const s of [
        randomBytes(32).toString('base64'),
        randomBytes(16).toString('hex'),
        randomBytes(32).toString('hex'),
        randomBytes(24).toString('base64url'),
      ]) {
        expect([s, weakJwtSecretReason(s)]).toEqual([s, null]);
      }
    }
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG }).JWT_SECRET).toBe(STRONG);
  });

  it('leaves development alone (the default secret works on a laptop)', () => {
    expect(loadConfig({}).JWT_SECRET).toBe(DEV_JWT_SECRET);
  });

  it('JWT_EXPIRES_IN must be a lifetime (every token carries exp)', () => {
    expect(() => loadConfig({ JWT_EXPIRES_IN: 'never' })).toThrow(/JWT_EXPIRES_IN/);
    expect(() => loadConfig({ JWT_EXPIRES_IN: '0' })).toThrow(/JWT_EXPIRES_IN/);
    expect(loadConfig({ JWT_EXPIRES_IN: '12h' }).JWT_EXPIRES_IN).toBe('12h');
  });
});

describe('demo seed (finding 8)', () => {
  it('a production start never seeds unless SEED_DEMO=true, also on SQLite', () => {
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG }).seedDemo).toBe(false);
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG, SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({}).seedDemo).toBe(true); // development on SQLite: the demo town, as before
    expect(loadConfig({ DATABASE_URL: 'mysql://x@h/db' }).seedDemo).toBe(false);
  });
});

describe('TRUST_PROXY (finding 10)', () => {
  it('defaults to trusting no proxy', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });
  it('takes a hop count or addresses / CIDRs / Express presets', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
  });
  it.each(['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '1.2.3.4/8/9', '99', 'loopback,,nope'])('refuses %s, naming TRUST_PROXY', (v) => {
    expect(parseTrustProxy(v).problem).toMatch(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(/TRUST_PROXY/);
  });
});

describe('API docs (finding 9)', () => {
  it('off in production unless API_DOCS=true; on elsewhere', () => {
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG }).apiDocsEnabled).toBe(false);
    expect(loadConfig({ ...PROD, JWT_SECRET: STRONG, API_DOCS: 'true' }).apiDocsEnabled).toBe(true);
    expect(loadConfig({}).apiDocsEnabled).toBe(true);
    expect(loadConfig({ API_DOCS: 'false' }).apiDocsEnabled).toBe(false);
  });
});

describe('settings read only through the validated config (issue 19 item 6)', () => {
  it.each([
    ['DB_POOL_SIZE', 'abc'],
    ['DB_POOL_SIZE', '0'],
    ['JOBS_LOCK_MS', 'soon'],
    ['JOBS_STALLED_INTERVAL_MS', '-1'],
    ['PUBLICITY_SEND_BACKOFF_MS', '2s'],
    ['JOBS_PREFIX', 'a b'],
  ])('refuses %s=%s at start, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^ - ${name}:`, 'm'));
  });

  it('the database tools refuse DB_POOL_SIZE=abc too, and ignore what only a serving process needs', () => {
    expect(() => loadDbConfig({ DB_POOL_SIZE: 'abc' })).toThrow(/DB_POOL_SIZE/);
    // a production JWT check does not stop a migration run
    expect(loadDbConfig({ NODE_ENV: 'production', DATABASE_URL: 'mysql://u@h/db', DB_POOL_SIZE: '7' }).DB_POOL_SIZE).toBe(7);
  });

  it('the pools are the size configured', () => {
    const cfg = loadConfig({ DATABASE_URL: 'mysql://u@h/db', DB_POOL_SIZE: '7' });
    expect((buildDataSourceOptions(cfg) as { extra?: { connectionLimit?: number } }).extra?.connectionLimit).toBe(7);
    expect(loadConfig({}).DB_POOL_SIZE).toBe(20);
  });

  it('no server source reads process.env outside the config (tests and the test harness excepted)', () => {
    const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
    const { join, relative } = require('node:path') as typeof import('node:path');
    const root = join(__dirname, '..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'testing') walk(p);
        } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !p.endsWith(join('config', 'app-config.ts')) && !p.endsWith('admin-cli.ts')) {
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/process\.env\b/.test(line)) offenders.push(`${relative(root, p)}:${i + 1}`);
            });
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});

it('README "Configuration" lists every setting the config reads', () => {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const readme = readFileSync(require('node:path').join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  expect(Object.keys(new AppConfig()).filter((k) => !table.includes(`\`${k}\``))).toEqual([]);
});
