import { DataSource, EntityManager } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/** MySQL or MariaDB (the production database), as opposed to the embedded SQLite file. */
export function isMysql(dsOrManager: DataSource | EntityManager): boolean {
  const ds = dsOrManager instanceof DataSource ? dsOrManager : dsOrManager.connection;
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb';
}

/** A Date as a raw-query parameter: MySQL takes the Date (connection timezone Z), SQLite the UTC text TypeORM stores. */
export function dbTime(dsOrManager: DataSource | EntityManager, d: Date): Date | string {
  return isMysql(dsOrManager) ? d : DateUtils.mixedDateToUtcDatetimeString(d);
}

/** A datetime read by a raw query: a Date on MySQL, UTC text on SQLite. */
export function readTime(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}
