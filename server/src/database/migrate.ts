import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { isMysql } from '../common/db/dialect';
import { adoptSynchronizedSqlite } from './sqlite-schema';

/**
 * The SQL naming a MySQL named lock of this database: named locks are server-wide, so with one name every database on
 * the server (a county's next to another's on one TencentDB instance, the test command's scratch databases) waited for
 * each other's migrations and seeds. MySQL allows 64 characters; two databases whose names share their first 51
 * still share the lock, which only makes them wait as before.
 */
export function namedLock(what: 'migrations' | 'seed'): string {
  return `LEFT(CONCAT('xiangan_${what}:', DATABASE()), 64)`;
}

/**
 * Runs pending migrations. MySQL: under a named lock, so several replicas starting at once migrate exactly once.
 * SQLite (one process owns the file): its own chain, after taking over a file built before SQLite had migrations.
 */
export async function migrateWithLock(ds: DataSource): Promise<number> {
  if (!isMysql(ds)) {
    await adoptSynchronizedSqlite(ds);
    const done = await ds.runMigrations({ transaction: 'each' });
    if (done.length) new Logger('Migrations').log(`applied ${done.map((m) => m.name).join(', ')}`);
    return done.length;
  }
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const [{ got }] = await qr.query(`SELECT GET_LOCK(${namedLock('migrations')}, 120) AS got`);
    if (Number(got) !== 1) throw new Error('could not take the migration lock within 120 s');
    // Tables take the database's default charset: make it utf8mb4 so Chinese text and emoji fit.
    await qr.query('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci').catch(() => undefined);
    const done = await ds.runMigrations({ transaction: 'each' });
    if (done.length) new Logger('Migrations').log(`applied ${done.map((m) => m.name).join(', ')}`);
    return done.length;
  } finally {
    await qr.query(`SELECT RELEASE_LOCK(${namedLock('migrations')})`).catch(() => undefined);
    await qr.release();
  }
}
