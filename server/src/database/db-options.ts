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

/** The migration files of one chain: compiled `dist/migrations[/sqlite]/*.js`; under jest (sources) the `.ts` files, never `.d.ts`. */
function migrationFiles(...dir: string[]): string[] {
  return [join(__dirname, '..', 'migrations', ...dir, __filename.endsWith('.ts') ? '*[0-9]-*.ts' : '*.js')];
}

/**
 * Both databases build their schema only through migrations, each from its own chain:
 * MySQL/MariaDB (DATABASE_URL=mysql://…) from `migrations/`, the embedded SQLite file (no DATABASE_URL)
 * from `migrations/sqlite/`. `pnpm --filter @xiangan/server migration:check` proves both match the entities.
 */
export function buildDataSourceOptions(cfg: DbSettings): DataSourceOptions {
  if (cfg.DATABASE_URL) {
    return {
      type: 'mysql',
      url: cfg.DATABASE_URL,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      entities: ENTITIES,
      migrations: migrationFiles(),
      migrationsTableName: 'typeorm_migrations',
      migrationsRun: false,
      synchronize: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      // A pool large enough for a burst of phones, small enough for one managed MySQL shared by replicas.
      // maxPreparedStatements: readPrepared's statements kept a connection (mysql2's default, 16,000, times the pools of
      // a few server processes would pass MariaDB's max_prepared_stmt_count, 16,382); the least recently used is closed
      extra: { connectionLimit: cfg.DB_POOL_SIZE, waitForConnections: true, connectTimeout: 5000, maxPreparedStatements: 64 },
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
    migrations: migrationFiles('sqlite'),
    migrationsTableName: 'typeorm_migrations',
    migrationsRun: false,
    synchronize: false,
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
