import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MigrationExecutor } from 'typeorm/migration/MigrationExecutor';
import type { Migration } from 'typeorm/migration/Migration';

type Query = { query(sql: string, params?: unknown[]): Promise<unknown> };
type Row = Record<string, unknown>;

export const MIGRATIONS_TABLE = 'typeorm_migrations';

/**
 * The structure of a SQLite database, in a form two databases can be compared by: every table with its columns
 * (type, NOT NULL, default, primary-key position), its indexes (unique, columns, partial) and foreign keys.
 * Read through PRAGMAs, not the stored CREATE text, so a table TypeORM rebuilt under another name compares equal.
 */
export async function sqliteSchema(q: Query): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => (await q.query(sql)) as Row[];
  const tables = await rows(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '${MIGRATIONS_TABLE}' ORDER BY name`);
  const schema: Record<string, unknown> = {};
  for (const { name } of tables) {
    const t = String(name).replace(/"/g, '""');
    const columns = (await rows(`PRAGMA table_info("${t}")`)).map((c) => [c.name, String(c.type).toLowerCase(), c.notnull, c.dflt_value, c.pk]);
    const indexes: unknown[] = [];
    for (const ix of await rows(`PRAGMA index_list("${t}")`)) {
      const cols = (await rows(`PRAGMA index_info("${String(ix.name).replace(/"/g, '""')}")`)).map((c) => c.name);
      // automatic indexes (sqlite_autoindex_…) are named by position: compare them by what they cover
      const auto = String(ix.name).startsWith('sqlite_autoindex_');
      indexes.push([auto ? `(auto ${ix.origin})` : ix.name, ix.unique, ix.partial, cols]);
    }
    indexes.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const fks = (await rows(`PRAGMA foreign_key_list("${t}")`)).map((f) => [f.table, f.from, f.to, f.on_update, f.on_delete]);
    schema[String(name)] = { columns, indexes, fks };
  }
  return schema;
}

/** Marks a migration as run without running it (a database that already has what it builds). */
class Adopter extends MigrationExecutor {
  async markRun(migration: Migration): Promise<void> {
    await this.withQueryRunner(async (q) => {
      await this.createMigrationsTableIfNotExist(q);
      await this.insertExecutedMigration(q, migration);
    });
  }
}

/**
 * An embedded database made before SQLite had migrations (TypeORM's `synchronize` built it) has tables but no
 * migrations table. When its structure is exactly what the first SQLite migration builds, that migration is
 * marked as run and the file carries on. Otherwise (made by an older build) it is copied aside, emptied, and built
 * afresh by the migrations; the server then seeds the demo town into it as into any empty database.
 */
export async function adoptSynchronizedSqlite(ds: DataSource): Promise<'new' | 'migrated' | 'adopted' | 'rebuilt'> {
  const has = async (where: string) => ((await ds.query(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND ${where}`)) as Row[])[0].n !== 0;
  if (await has(`name = '${MIGRATIONS_TABLE}'`)) return 'migrated';
  if (!(await has(`name NOT LIKE 'sqlite_%'`))) return 'new';
  const [first] = await new MigrationExecutor(ds).getAllMigrations();
  if (!first?.instance) throw new Error('no SQLite migrations found (dist/migrations/sqlite): rebuild the server');
  const scratch = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
  await scratch.initialize();
  let baseline: Record<string, unknown>;
  try {
    const qr = scratch.createQueryRunner();
    await first.instance.up(qr);
    await qr.release();
    baseline = await sqliteSchema(scratch);
  } finally {
    await scratch.destroy();
  }
  const log = new Logger('Migrations');
  if (JSON.stringify(await sqliteSchema(ds)) === JSON.stringify(baseline)) {
    await new Adopter(ds).markRun(first);
    log.log(`the embedded database was built before migrations; it matches ${first.name}, marked as run`);
    return 'adopted';
  }
  const file = String(ds.options.database);
  const aside = `${file}.before-migrations-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await ds.query(`VACUUM INTO '${aside.replace(/'/g, "''")}'`);
  await ds.query('PRAGMA foreign_keys = OFF');
  for (const { type, name } of (await ds.query(`SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'`)) as Row[]) {
    await ds.query(`DROP ${type === 'view' ? 'VIEW' : 'TABLE'} "${String(name).replace(/"/g, '""')}"`);
  }
  await ds.query('PRAGMA foreign_keys = ON');
  log.warn(`the embedded database was built by an older version without migrations; copied to ${aside} and rebuilt`);
  return 'rebuilt';
}
