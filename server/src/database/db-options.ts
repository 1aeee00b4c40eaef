import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { AppTypeOrmLogger } from './typeorm-logger';

export interface DbSettings {
  DATABASE_URL?: string;
  SQLITE_PATH: string;
  /** Validated in AppConfig (an integer ≥ 1). */
  DB_POOL_SIZE: number;
}

/**
 * MySQL/MariaDB (DATABASE_URL=mysql://…): schema only through migrations.
 * SQLite (no DATABASE_URL): the embedded file a fresh machine needs nothing for; its schema is kept
 * in step with the entities by TypeORM (never done against MySQL).
 */
export function buildDataSourceOptions(cfg: DbSettings): DataSourceOptions {
  if (cfg.DATABASE_URL) {
    return {
      type: 'mysql',
      url: cfg.DATABASE_URL,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities: ENTITIES,
      // compiled: dist/migrations/*.js; under jest (sources): src/migrations/*.ts — never the .d.ts files
      migrations: [join(__dirname, '..', 'migrations', __filename.endsWith('.ts') ? '*[0-9]-*.ts' : '*.js')],
      migrationsTableName: 'typeorm_migrations',
      migrationsRun: false,
      synchronize: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      // A pool large enough for a burst of phones, small enough for one managed MySQL shared by replicas.
      extra: { connectionLimit: cfg.DB_POOL_SIZE, waitForConnections: true, connectTimeout: 5000 },
      logger: new AppTypeOrmLogger(),
      logging: ['error'],
    };
  }
  const file = cfg.SQLITE_PATH === ':memory:' ? ':memory:' : resolve(cfg.SQLITE_PATH);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: file,
    entities: ENTITIES,
    synchronize: true,
    // WAL lets readers run beside the writer; busy_timeout waits for the lock instead of failing.
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
    logger: new AppTypeOrmLogger(),
    logging: ['error'],
  };
}
