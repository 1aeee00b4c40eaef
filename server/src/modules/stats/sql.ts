import type { DataSource } from 'typeorm';
import { isMysql } from '../../common/db/dialect';
import { monthSql } from '../hazards/hazard-month.rollup';

/** The few SQL spellings that differ between MySQL/MariaDB and SQLite. */
export class Sql {
  readonly mysql: boolean;
  constructor(ds: DataSource) {
    this.mysql = isMysql(ds);
  }

  /** Whole seconds from `a` to `b` (both datetime columns), truncated toward zero — the hazard rollup's rule. */
  seconds(a: string, b: string): string {
    return monthSql(this.mysql).seconds(a, b);
  }

  /** `YYYY-MM` of a UTC datetime column, in China time. */
  monthCn(col: string): string {
    return monthSql(this.mysql).month(col);
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

/** The month after `YYYY-MM` (`delta` months on). */
export function addMonths(month: string, delta: number): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + delta);
  return d.toISOString().slice(0, 7);
}

/**
 * A period of days cut into the whole months inside it (`first`..`last`, `YYYY-MM`, null when none) and the
 * day ranges left at either edge (inclusive, at most two; the whole period when it holds no whole month).
 */
export function splitByMonths(from: string, to: string): { months: { first: string; last: string } | null; edges: { from: string; to: string }[] } {
  const first = from.endsWith('-01') ? from.slice(0, 7) : addMonths(from.slice(0, 7), 1);
  const last = addDays(to, 1).endsWith('-01') ? to.slice(0, 7) : addMonths(to.slice(0, 7), -1);
  if (first > last) return { months: null, edges: [{ from, to }] };
  const edges: { from: string; to: string }[] = [];
  if (`${first}-01` > from) edges.push({ from, to: addDays(`${first}-01`, -1) });
  const after = `${addMonths(last, 1)}-01`;
  if (after <= to) edges.push({ from: after, to });
  return { months: { first, last }, edges };
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
