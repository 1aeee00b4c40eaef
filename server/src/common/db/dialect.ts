import { DataSource, EntityManager } from 'typeorm';

/** MySQL or MariaDB (the production database), as opposed to the embedded SQLite file. */
export function isMysql(dsOrManager: DataSource | EntityManager): boolean {
  const ds = dsOrManager instanceof DataSource ? dsOrManager : dsOrManager.connection;
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb';
}

/**
 * A Date as a query parameter: UTC text `YYYY-MM-DD HH:mm:ss.SSS` — what TypeORM stores in SQLite, and what MySQL
 * and MariaDB compare correctly against a DATETIME(3) column (the connection's timezone is Z). The one way to
 * pass a time into SQL on both databases.
 */
export function dbTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A datetime read by a raw query: a Date on MySQL, UTC text on SQLite. */
export function readTime(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}
