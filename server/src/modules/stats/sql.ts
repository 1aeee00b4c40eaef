import type { DataSource } from 'typeorm';
import { isMysql } from '../../common/db/dialect';

/** The few SQL spellings that differ between MySQL/MariaDB and SQLite. */
export class Sql {
  readonly mysql: boolean;
  constructor(ds: DataSource) {
    this.mysql = isMysql(ds);
  }

  /** Seconds from `a` to `b` (both datetime columns). */
  seconds(a: string, b: string): string {
    return this.mysql ? `TIMESTAMPDIFF(SECOND, ${a}, ${b})` : `((julianday(${b}) - julianday(${a})) * 86400.0)`;
  }

  /** `YYYY-MM` of a UTC datetime column, in China time. */
  monthCn(col: string): string {
    return this.mysql ? `DATE_FORMAT(DATE_ADD(${col}, INTERVAL 8 HOUR), '%Y-%m')` : `strftime('%Y-%m', ${col}, '+8 hours')`;
  }
}

/** A datetime literal both databases compare correctly against a DATETIME(3) column (UTC). */
export function dbTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** Local (China) day `YYYY-MM-DD` → the UTC instant it starts. */
export function cnDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const rate = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);

/** The id of the child of `parentPath` that `path` lies under ('' for the unit itself): `/1/6/` + `/1/6/9/31/` → `9`. */
export function childOfPath(path: string, parentPath: string): string {
  if (!path.startsWith(parentPath)) return '';
  const rest = path.slice(parentPath.length);
  const i = rest.indexOf('/');
  return i > 0 ? rest.slice(0, i) : '';
}
