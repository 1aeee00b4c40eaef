/**
 * The embedded SQLite database builds its schema through its own migration chain (`migrations/sqlite/`), like
 * MySQL through `migrations/`: the chain must give exactly the entities' schema, the test app must be built by
 * it, and a file made before SQLite had migrations (TypeORM's `synchronize`) must still start.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, MigrationExecutor } from 'typeorm';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/app-config';
import { createTestApp } from '../testing/test-app';
import { buildDataSourceOptions } from './db-options';
import { MIGRATIONS_TABLE, sqliteSchema } from './sqlite-schema';

const sqlite = (file: string, extra: { synchronize?: boolean } = {}) =>
  new DataSource({ ...buildDataSourceOptions({ SQLITE_PATH: file, DB_POOL_SIZE: 1 }), logger: 'advanced-console', logging: false, ...extra });

/** The schema TypeORM's `synchronize` builds from the entities (what the embedded database used to get). */
async function entitiesSchema() {
  const ds = sqlite(':memory:', { synchronize: true });
  await ds.initialize();
  try {
    return await sqliteSchema(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * A file as the last build before migrations left it: its `synchronize` schema is what the chain's first migration
 * builds (that migration was generated from it). Later migrations change the entities, so today's `synchronize`
 * is no longer that file.
 */
async function preMigrationFile(file: string): Promise<DataSource> {
  const ds = sqlite(file);
  await ds.initialize();
  const [first] = await new MigrationExecutor(ds).getAllMigrations();
  const qr = ds.createQueryRunner();
  try {
    await first.instance!.up(qr);
  } finally {
    await qr.release();
  }
  return ds;
}

/** The server as `node dist/main.js` starts it on an embedded file (no demo seed). */
async function startOn(file: string, storage: string): Promise<NestFastifyApplication> {
  const cfg = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', H5_DIR: '', SEED_DEMO: 'false', SQLITE_PATH: file, STORAGE_DIR: storage });
  return createApp(cfg, { seed: false });
}

/** The chain's migrations in the order TypeORM runs them: by the timestamp that ends each name (its file list
 * comes from a glob, in no set order). */
const chainOrder = (ds: DataSource) =>
  ds.migrations.map((m) => m.name as string).sort((a, b) => Number(/\d{13}$/.exec(a)?.[0]) - Number(/\d{13}$/.exec(b)?.[0]));
const migrationNames = async (ds: DataSource) =>
  ((await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)) as { name: string }[]).map((r) => r.name);

describe('SQLite schema through migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xa-sqlite-mig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the SQLite chain builds exactly the schema of the entities', async () => {
    const ds = sqlite(':memory:');
    await ds.initialize();
    try {
      const applied = await ds.runMigrations();
      expect(applied.length).toBeGreaterThan(0);
      const built = await sqliteSchema(ds);
      expect(Object.keys(built).length).toBeGreaterThan(30);
      expect(built).toEqual(await entitiesSchema());
      // and TypeORM itself finds nothing left to change
      expect((await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('the test app’s database is built by its chain, every migration recorded', async () => {
    const t = await createTestApp({ seed: 'none' });
    try {
      const chain = t.ds.migrations.map((m) => m.name ?? m.constructor.name);
      expect(chain.length).toBeGreaterThan(0);
      expect((await migrationNames(t.ds)).sort()).toEqual(chain.sort());
    } finally {
      await t.close();
    }
  });

  it('an embedded file built by synchronize keeps its data: its schema is recognised as the first migration', async () => {
    const file = join(dir, 'xiangan.sqlite');
    const old = await preMigrationFile(file);
    await old.query(`INSERT INTO org_unit (type, name, path) VALUES ('town', '旧镇', '/1/')`);
    await old.destroy();

    const app = await startOn(file, join(dir, 'uploads'));
    try {
      const ds = app.get(DataSource);
      expect(await migrationNames(ds)).toEqual(chainOrder(ds));
      expect(await ds.query('SELECT name FROM org_unit')).toEqual([{ name: '旧镇' }]);
      expect(await sqliteSchema(ds)).toEqual(await entitiesSchema());
    } finally {
      await app.close();
    }
    expect(readdirSync(dir).filter((f) => f.includes('before-migrations'))).toEqual([]);
  });

  it('a file from an older build (another schema) is copied aside, then rebuilt by the migrations', async () => {
    const file = join(dir, 'xiangan.sqlite');
    const old = await preMigrationFile(file);
    await old.query(`INSERT INTO org_unit (type, name, path) VALUES ('town', '旧镇', '/1/')`);
    await old.query('DROP INDEX idx_org_unit_path');
    await old.query('ALTER TABLE org_unit ADD COLUMN retired integer');
    await old.destroy();

    const app = await startOn(file, join(dir, 'uploads'));
    try {
      const ds = app.get(DataSource);
      expect(await migrationNames(ds)).toEqual(chainOrder(ds));
      expect(await ds.query('SELECT name FROM org_unit')).toEqual([]);
      expect(await sqliteSchema(ds)).toEqual(await entitiesSchema());
    } finally {
      await app.close();
    }
    const aside = readdirSync(dir).filter((f) => f.startsWith('xiangan.sqlite.before-migrations-'));
    expect(aside).toHaveLength(1);
    const copy = sqlite(join(dir, aside[0]));
    await copy.initialize();
    try {
      expect(await copy.query('SELECT name FROM org_unit')).toEqual([{ name: '旧镇' }]);
    } finally {
      await copy.destroy();
    }
    expect(existsSync(file)).toBe(true);
  });
});
