/**
 * A running app on a fresh database for integration tests, its schema built by the real migrations (as in
 * production): SQLite in memory by default (the SQLite chain), MariaDB with TEST_DB=mysql (a new database per
 * test file, the MySQL chain).
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { rmSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../app.factory';
import { AppConfig, loadConfig } from '../config/app-config';
import { seedDemo } from '../database/seed';
import { SeedContext } from '../database/seed/context';
import { DEMO_USERS } from '../database/seed/orgs.seed';
import { SEED_PUBLICITY_TEMPLATE } from '../database/seed/publicity.seed';

export const TEST_DB: 'mysql' | 'sqlite' = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
export const MYSQL_BASE = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export type DemoKey = (typeof DEMO_USERS)[number][0];

export interface TestApp {
  app: NestExpressApplication;
  ds: DataSource;
  cfg: AppConfig;
  http: ReturnType<typeof supertest>;
  /** Units and demo users by key (see database/seed/orgs.seed.ts), plus what feature seeders added. */
  seed: SeedContext;
  /** `{ Authorization: 'Bearer …' }` for a demo user (`town`, `village`, `grid`, `resident`, …). */
  as(key: DemoKey | string): Promise<Record<string, string>>;
  /** Log in (dev login) as any openid with a role and unit; returns auth headers. */
  login(openid: string, role?: string, orgId?: number): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Creates a new empty MariaDB database and returns its URL. */
export async function createMysqlDatabase(prefix = 'xa_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const conn = await createConnection(MYSQL_BASE);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  return {
    url: `${MYSQL_BASE}/${name}`,
    drop: async () => {
      const c = await createConnection(MYSQL_BASE);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** `base` (default): units and demo users only. `full`: the whole demo town with a year of activity. `none`: empty. */
  seed?: 'base' | 'full' | 'none';
  /** Fixed clock for the seed. */
  now?: Date;
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  let dropDb: (() => Promise<void>) | null = null;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    H5_DIR: '',
    SEED_DEMO: 'false',
    RATE_LIMIT_PER_MINUTE: '100000',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    STORAGE_DIR: `/tmp/xa-test-uploads-${process.pid}-${Date.now()}`,
    ...opts.env,
  };
  if (TEST_DB === 'mysql' && !env.DATABASE_URL) {
    const db = await createMysqlDatabase();
    env.DATABASE_URL = db.url;
    dropDb = db.drop;
  } else if (!env.DATABASE_URL) {
    env.SQLITE_PATH = env.SQLITE_PATH ?? ':memory:';
  }
  const cfg = loadConfig(env);
  const app = await createApp(cfg, { seed: false });
  // the upload folder this harness made up goes with the app (a folder the caller named is the caller's)
  if (!opts.env?.STORAGE_DIR) {
    // (Nest's application proxy ignores plain assignments, and its methods look themselves up on each call:
    // the class's own close, taken from the prototype, then a property defined on the instance)
    const close = (Object.getPrototypeOf(app) as { close(): Promise<void> }).close;
    Object.defineProperty(app, 'close', {
      configurable: true,
      writable: true,
      value: async () => {
        await close.call(app);
        rmSync(cfg.STORAGE_DIR, { recursive: true, force: true });
      },
    });
  }
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DataSource);
  const seedMode = opts.seed ?? 'base';
  const seed =
    seedMode === 'none'
      ? ({
          ds,
          org: {},
          user: {},
          now: new Date(),
          publicityTemplate: SEED_PUBLICITY_TEMPLATE,
          rand: Math.random,
          pick: (x: any[]) => x[0],
          int: (a: number) => a,
        } as SeedContext)
      : await seedDemo(ds, opts.now ?? new Date(), seedMode === 'full' ? 'full' : 'base');
  const http = supertest(app.getHttpServer());
  const tokens = new Map<string, Record<string, string>>();

  const login = async (openid: string, role?: string, orgId?: number) => {
    const res = await http.post('/api/auth/dev').send({ openid, ...(role ? { role } : {}), ...(orgId ? { orgId } : {}) });
    if (res.status !== 200) throw new Error(`dev login ${openid} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { Authorization: `Bearer ${res.body.token}` };
  };

  return {
    app,
    ds,
    cfg,
    http,
    seed,
    login,
    async as(key: string) {
      if (!tokens.has(key)) {
        const demo = DEMO_USERS.find((d) => d[0] === key);
        tokens.set(key, await login(demo ? demo[1] : key));
      }
      return tokens.get(key)!;
    },
    async close() {
      await app.close();
      if (dropDb) await dropDb();
    },
  };
}
