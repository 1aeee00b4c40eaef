import { dbTime } from '../db/dialect';
import type { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { addDays, addMonths, beijingDayStart } from '@xiangan/shared';

/**
 * The reporting layer's shared ground. Each feature exports a statistics source (`<feature>.stats.ts`: an
 * injectable class whose `stats(org, period)` reads that feature's own tables and nothing else) and
 * `modules/stats` composes them; these are the period helpers the sources share (days and months in China time
 * from `@xiangan/shared`'s time module, SQL pieces from `common/db/sql.ts`).
 */

/** Days `YYYY-MM-DD`, both ends inclusive, China time. */
export interface Period {
  from: string;
  to: string;
}

/** What every feature's statistics source answers: its figures for a unit's subtree over a period. */
export interface StatsSource<T> {
  stats(org: OrgUnit, p: Period): Promise<T>;
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

/** The id of the child of `parentPath` that `path` lies under ('' for the unit itself): `/1/6/` + `/1/6/9/31/` → `9`. */
export function childOfPath(path: string, parentPath: string): string {
  if (!path.startsWith(parentPath)) return '';
  const rest = path.slice(parentPath.length);
  const i = rest.indexOf('/');
  return i > 0 ? rest.slice(0, i) : '';
}

/** The period as a half-open UTC range of datetime literals: [its first day's start, the day after its end). */
export function periodRange(p: Period): { from: string; to: string } {
  return { from: dbTime(beijingDayStart(p.from)), to: dbTime(beijingDayStart(addDays(p.to, 1))) };
}

/** `(col >= ? AND col < ?) OR …` over day ranges, and its arguments: the edge days of a period split by months. */
export function dayRanges(col: string, days: { from: string; to: string }[]): { sql: string; args: string[] } {
  return {
    sql: days.map(() => `(${col} >= ? AND ${col} < ?)`).join(' OR '),
    args: days.flatMap((e) => [dbTime(beijingDayStart(e.from)), dbTime(beijingDayStart(addDays(e.to, 1)))]),
  };
}
