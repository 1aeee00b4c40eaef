import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { isMysql } from '../common/db/dialect';

/**
 * Runs pending MySQL migrations under a named lock, so several replicas starting at once
 * migrate exactly once. SQLite keeps its schema in step by itself.
 */
export async function migrateWithLock(ds: DataSource): Promise<number> {
  if (!isMysql(ds)) return 0;
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const [{ got }] = await qr.query("SELECT GET_LOCK('xiangan_migrations', 120) AS got");
    if (Number(got) !== 1) throw new Error('could not take the migration lock within 120 s');
    // Tables take the database's default charset: make it utf8mb4 so Chinese text and emoji fit.
    await qr.query('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci').catch(() => undefined);
    const done = await ds.runMigrations({ transaction: 'each' });
    if (done.length) new Logger('Migrations').log(`applied ${done.map((m) => m.name).join(', ')}`);
    return done.length;
  } finally {
    await qr.query("SELECT RELEASE_LOCK('xiangan_migrations')").catch(() => undefined);
    await qr.release();
  }
}
