/**
 * The MariaDB test databases are copies of one migrated template (test-app.ts, migratedTemplate): a copy must be the
 * schema the migrations build — every table, column, index and key, and the migrations recorded as run —
 * or the MariaDB suite would test something production never has. Compared here with a database the migrations
 * build themselves (TEST_DB=mysql only: SQLite databases are not copied).
 */
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/db-options';
import { migrateWithLock } from '../database/migrate';
import { createMysqlDatabase, MYSQL_BASE, TEST_DB } from './test-app';

const onMysql = TEST_DB === 'mysql' ? describe : describe.skip;

/** Every table's CREATE statement (AUTO_INCREMENT counters left out) and every row of typeorm_migrations. */
async function schemaOf(url: string): Promise<{ tables: Record<string, string>; migrations: string[] }> {
  const db = new URL(url).pathname.slice(1);
  const conn = await createConnection(MYSQL_BASE);
  try {
    const [rows] = (await conn.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [
      db,
    ])) as any;
    const tables: Record<string, string> = {};
    for (const { t } of rows) {
      const [[create]] = (await conn.query(`SHOW CREATE TABLE \`${db}\`.\`${t}\``)) as any;
      tables[t] = String(create['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
    }
    const [done] = (await conn.query(`SELECT name FROM \`${db}\`.typeorm_migrations ORDER BY timestamp, name`)) as any;
    return { tables, migrations: done.map((r: any) => String(r.name)) };
  } finally {
    await conn.end();
  }
}

onMysql('MariaDB test databases copied from the migrated template', () => {
  it('a copy has exactly the schema and the migration records of a database the migrations built', async () => {
    const migrated = await createMysqlDatabase('xa_t_mig');
    const copied = await createMysqlDatabase('xa_t_copy', { migrated: true });
    try {
      const ds = new DataSource(buildDataSourceOptions({ DATABASE_URL: migrated.url, SQLITE_PATH: ':memory:', DB_POOL_SIZE: 2 }));
      await ds.initialize();
      let applied = 0;
      try {
        applied = await migrateWithLock(ds);
      } finally {
        await ds.destroy();
      }
      expect(applied).toBeGreaterThan(10);
      const want = await schemaOf(migrated.url);
      const got = await schemaOf(copied.url);
      expect(Object.keys(want.tables).length).toBeGreaterThan(20);
      expect(Object.keys(got.tables).sort()).toEqual(Object.keys(want.tables).sort());
      for (const t of Object.keys(want.tables)) expect([t, got.tables[t]]).toEqual([t, want.tables[t]]);
      expect(got.migrations).toEqual(want.migrations);
    } finally {
      await migrated.drop();
      await copied.drop();
    }
  });
});
