/**
 * MySQL named locks are server-wide: the migration and seed locks carry the database's name, so a server migrating
 * or seeding one database does not hold up servers of the other databases on the same MariaDB (test workers, two
 * counties on one instance), and two servers of one database still take turns. TEST_DB=mysql only.
 * Fails on the old names (`xiangan_migrations` for the whole server): B's migration waited for A's lock.
 */
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './db-options';
import { migrateWithLock, namedLock } from './migrate';
import { createMysqlDatabase, TEST_DB } from '../testing/test-app';

const onMysql = TEST_DB === 'mysql' ? describe : describe.skip;

/** Resolves to 'done' when `p` settles within `ms`, else 'waiting'. */
const within = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => 'done' as const), new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms).unref())]);

onMysql('migration and seed locks, per database', () => {
  it("one database's migration lock holds up neither another database nor the old global name; its own database waits", async () => {
    const a = await createMysqlDatabase('xa_t_lka', { migrated: true });
    const b = await createMysqlDatabase('xa_t_lkb', { migrated: true });
    const holder = await createConnection(a.url);
    const ds = new DataSource(buildDataSourceOptions({ DATABASE_URL: b.url, SQLITE_PATH: ':memory:', DB_POOL_SIZE: 2 }));
    try {
      await ds.initialize();
      // every name a server of database A takes, before this change and after
      const [[held]] = (await holder.query(`SELECT GET_LOCK('xiangan_migrations', 0) AS old, GET_LOCK(${namedLock('migrations')}, 0) AS mine`)) as any;
      expect([Number(held.old), Number(held.mine)]).toEqual([1, 1]);
      expect(await within(migrateWithLock(ds), 20_000)).toBe('done');

      // B's own lock, held elsewhere: B's migration waits for it, and goes on once it is released
      await holder.query(`USE \`${new URL(b.url).pathname.slice(1)}\``);
      const [[own]] = (await holder.query(`SELECT GET_LOCK(${namedLock('migrations')}, 0) AS got`)) as any;
      expect(Number(own.got)).toBe(1);
      const second = migrateWithLock(ds);
      expect(await within(second, 1_500)).toBe('waiting');
      await holder.query(`SELECT RELEASE_LOCK(${namedLock('migrations')})`);
      expect(await within(second, 20_000)).toBe('done');
    } finally {
      await holder.end();
      if (ds.isInitialized) await ds.destroy();
      await a.drop();
      await b.drop();
    }
  });
});
