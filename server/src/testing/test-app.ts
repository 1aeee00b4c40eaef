/**
 * A running app on a fresh database for integration tests, its schema built by the real migrations (as in
 * production): SQLite in memory by default (the SQLite chain), MariaDB with TEST_DB=mysql (a new database per
 * test file, the MySQL chain).
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { rmSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../app.factory';
import { AppConfig, loadConfig } from '../config/app-config';
import { buildDataSourceOptions } from '../database/db-options';
import { migrateWithLock } from '../database/migrate';
import { seedDemo } from '../database/seed';
import { SeedContext } from '../database/seed/context';
import { DEMO_USERS } from '../database/seed/orgs.seed';
import { SEED_PUBLICITY_TEMPLATE } from '../database/seed/publicity.seed';

export const TEST_DB: 'mysql' | 'sqlite' = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
export const MYSQL_BASE = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export type DemoKey = (typeof DEMO_USERS)[number][0];

/**
 * A `*.nodb.spec.ts` file runs on SQLite only (server/jest.config.js leaves it out of the MariaDB run), so it must not
 * open a database: this makes that name fail at once instead of skipping the file's MariaDB half unnoticed.
 */
function refuseInNoDbSpec(what: string): void {
  const spec = typeof expect === 'undefined' ? undefined : expect.getState().testPath;
  if (spec && /\.nodb\./.test(spec)) throw new Error(`${what} in ${spec}: a *.nodb.spec.ts file opens no database (rename it *.spec.ts)`);
}

export interface TestApp {
  app: NestFastifyApplication;
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

/**
 * Creates a new MariaDB database and returns its URL. `migrated` (what createTestApp asks for): the schema the
 * migrations build, copied from this jest run's template database — the migrations ran once, through TypeORM, into
 * that template (see migratedTemplate); a database made this way has every migration recorded, so the app's own
 * migrateWithLock finds nothing to do. Without a run name (jest.global-setup.js) or with TEST_DB_TEMPLATE=0 the
 * database stays empty and the app migrates it itself.
 */
export async function createMysqlDatabase(prefix = 'xa_t', opts: { migrated?: boolean } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  refuseInNoDbSpec('createMysqlDatabase');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const conn = await createConnection({ uri: MYSQL_BASE, multipleStatements: true });
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const template = opts.migrated ? await migratedTemplate() : null;
    if (template) await conn.query(template.copyInto(name));
  } finally {
    await conn.end();
  }
  return {
    url: `${MYSQL_BASE}/${name}`,
    drop: async () => {
      const c = await createConnection(MYSQL_BASE);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** The template database's name for this jest run (jest.global-setup.js names the run; its teardown drops it). */
export function templateDatabaseName(run = process.env.XA_SERVER_RUN): string | null {
  return run && process.env.TEST_DB_TEMPLATE !== '0' ? `xa_tpl_${run.replace(/[^a-z0-9]/gi, '_')}` : null;
}

let templateOnce: Promise<{ copyInto(db: string): string } | null> | null = null;

/**
 * The migrated schema of this run, built once: the first worker to ask creates the template database under a
 * MariaDB named lock and runs the real migrations into it (migrateWithLock, as an app's start does); every worker
 * then reads the template's tables (SHOW CREATE TABLE, foreign keys included) and the rows the migrations wrote once,
 * and makes each new database as one batch of CREATE TABLE … plus INSERT … SELECT for the tables with rows.
 * A migration's DDL costs a fsync per statement; ~350 statements per database was most of the MariaDB suite's wait.
 */
function migratedTemplate(): Promise<{ copyInto(db: string): string } | null> {
  const tpl = templateDatabaseName();
  if (!tpl) return Promise.resolve(null);
  templateOnce ??= (async () => {
    const conn = await createConnection({ uri: MYSQL_BASE, multipleStatements: true });
    try {
      const [[{ got }]] = (await conn.query('SELECT GET_LOCK(?, 300) AS got', [tpl])) as any;
      if (Number(got) !== 1) throw new Error(`could not take the lock for template database ${tpl}`);
      try {
        const [ready] = (await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
          tpl,
          'xa_template_ready',
        ])) as any;
        if (!ready.length) {
          await conn.query(`DROP DATABASE IF EXISTS \`${tpl}\`; CREATE DATABASE \`${tpl}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
          const ds = new DataSource(buildDataSourceOptions({ DATABASE_URL: `${MYSQL_BASE}/${tpl}`, SQLITE_PATH: ':memory:', DB_POOL_SIZE: 2 }));
          await ds.initialize();
          try {
            await migrateWithLock(ds);
          } finally {
            await ds.destroy();
          }
          await conn.query(`CREATE TABLE \`${tpl}\`.xa_template_ready (id INT PRIMARY KEY)`);
        }
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [tpl]);
      }
      const [objects] = (await conn.query(
        'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
        [tpl],
      )) as any;
      const [triggers] = (await conn.query('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [tpl])) as any;
      const [routines] = (await conn.query('SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?', [tpl])) as any;
      const other = objects.filter((o: any) => o.type !== 'BASE TABLE');
      // a copy knows tables only: a view, trigger or routine added by a migration must be copied here too
      if (other.length || triggers.length || routines.length) {
        throw new Error(`template ${tpl} has objects the copy does not make (views, triggers or routines): add them to migratedTemplate`);
      }
      const tables = objects.map((o: any) => String(o.name)).filter((t: string) => t !== 'xa_template_ready');
      const creates: string[] = [];
      const fills: string[] = [];
      for (const t of tables) {
        const [[row]] = (await conn.query(`SHOW CREATE TABLE \`${tpl}\`.\`${t}\``)) as any;
        creates.push(String(row['Create Table']).replace(/^CREATE TABLE /, 'CREATE TABLE __DB__.'));
        const [[{ n }]] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${tpl}\`.\`${t}\``)) as any;
        if (Number(n) > 0) fills.push(`INSERT INTO __DB__.\`${t}\` SELECT * FROM \`${tpl}\`.\`${t}\``);
      }
      const batch = ['USE __DB__', 'SET @xa_fk = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0', ...creates, ...fills, 'SET FOREIGN_KEY_CHECKS = @xa_fk'].join(
        ';\n',
      );
      return { copyInto: (db: string) => batch.split('__DB__').join(`\`${db}\``) };
    } finally {
      await conn.end();
    }
  })();
  return templateOnce;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** `base` (default): units and demo users only. `full`: the whole demo town with a year of activity. `none`: empty. */
  seed?: 'base' | 'full' | 'none';
  /** Fixed clock for the seed. */
  now?: Date;
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  refuseInNoDbSpec('createTestApp');
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
    const db = await createMysqlDatabase('xa_t', { migrated: true });
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
