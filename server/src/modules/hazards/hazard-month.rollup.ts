import { beijingMonth } from '@xiangan/shared';
/**
 * The hazard_month rollup's arithmetic, with no framework in it: what one hazard contributes, how deltas
 * are merged into one upsert, and the SQL that rebuilds the table from the hazards (used by
 * rebuildHazardCounts, and by benches that bulk-load hazards — they load this file from server/dist).
 */
import type { HazardCategory, HazardStatus } from '@xiangan/shared';
import type { HazardFacts } from './hazard-counts.service';
import { marks } from '../../common/db/sql';

/** Statuses counted as 正在办理 (in progress) by the statistics. */
export const IN_PROGRESS_STATUSES: HazardStatus[] = ['reported', 'assigned', 'rectifying', 'rectified'];

/** The counters of a hazard_month row, in column order. */
export const MONTH_COUNTERS = [
  'found',
  'rectified',
  'closed',
  'major',
  'inProgress',
  'rejected',
  'escalated',
  'closedTimed',
  'closeSeconds',
  'closedIn',
] as const;
export type MonthCounter = (typeof MONTH_COUNTERS)[number];
export type MonthCounters = Record<MonthCounter, number>;

export interface MonthDelta extends MonthCounters {
  orgId: number;
  orgPath: string;
  month: string;
  category: HazardCategory;
}

/** What the rollup needs to know of one hazard (the hook's facts but the deadline). */
export type MonthFacts = Omit<HazardFacts, 'deadline'>;

const zero = (): MonthCounters => ({
  found: 0,
  rectified: 0,
  closed: 0,
  major: 0,
  inProgress: 0,
  rejected: 0,
  escalated: 0,
  closedTimed: 0,
  closeSeconds: 0,
  closedIn: 0,
});

/** The per-hazard figures the summary sums (the same rules as its SQL, one hazard at a time). */
export function monthCounters(f: Pick<MonthFacts, 'status' | 'level' | 'createdAt' | 'escalatedTo' | 'closedAt'>): MonthCounters {
  const c = zero();
  const live = f.status !== 'rejected';
  c.found = live ? 1 : 0;
  c.rectified = f.status === 'rectified' || f.status === 'closed' ? 1 : 0;
  c.closed = f.status === 'closed' ? 1 : 0;
  c.major = live && f.level === 'major' ? 1 : 0;
  c.inProgress = IN_PROGRESS_STATUSES.includes(f.status) ? 1 : 0;
  c.rejected = live ? 0 : 1;
  c.escalated = live && f.escalatedTo != null ? 1 : 0;
  if (f.status === 'closed' && f.closedAt) {
    c.closedTimed = 1;
    // Whole seconds, truncated toward zero: exactly what TIMESTAMPDIFF(SECOND, …) gives for the stored values.
    c.closeSeconds = Math.trunc((f.closedAt.getTime() - f.createdAt.getTime()) / 1000);
  }
  return c;
}

/** The rows one hazard adds to: its report month, and (closed) the month of its closedAt. */
export function contribution(f: MonthFacts, sign: 1 | -1): MonthDelta[] {
  const key = { orgId: f.orgId, orgPath: f.orgPath, category: f.category };
  const own = monthCounters(f);
  const rows: MonthDelta[] = [{ ...key, month: beijingMonth(f.createdAt), ...own }];
  if (f.status === 'closed' && f.closedAt) rows.push({ ...key, month: beijingMonth(f.closedAt), ...zero(), closedIn: 1 });
  if (sign < 0) for (const r of rows) for (const k of MONTH_COUNTERS) r[k] = -r[k];
  return rows;
}

/** contribution(after) − contribution(before), merged per (orgId, month, category), zero rows dropped, in key order. */
export function monthDeltas(before: MonthFacts | null, after: MonthFacts): MonthDelta[] {
  return mergeMonthDeltas([...(before ? contribution(before, -1) : []), ...contribution(after, 1)]);
}

/** Deltas of any number of hazards merged per (orgId, month, category), zero rows dropped, in key order. */
export function mergeMonthDeltas(deltas: MonthDelta[]): MonthDelta[] {
  const merged = new Map<string, MonthDelta>();
  for (const d0 of deltas) {
    const d = { ...d0 };
    const k = `${String(d.orgId).padStart(10, '0')}|${d.month}|${d.category}`;
    const cur = merged.get(k);
    if (!cur) merged.set(k, d);
    else for (const c of MONTH_COUNTERS) cur[c] += d[c];
  }
  return [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d)
    .filter((d) => MONTH_COUNTERS.some((c) => d[c] !== 0));
}

/** One multi-row upsert adding the deltas: `[sql, params]`, or null when there is nothing to add. */
export function monthUpsert(deltas: MonthDelta[], mysql: boolean): [string, unknown[]] | null {
  if (!deltas.length) return null;
  const cols = ['orgId', 'month', 'category', 'orgPath', ...MONTH_COUNTERS];
  const row = `(${marks(cols.length)})`;
  const params = deltas.flatMap((d) => [d.orgId, d.month, d.category, d.orgPath, ...MONTH_COUNTERS.map((c) => d[c])]);
  const add = mysql
    ? `ON DUPLICATE KEY UPDATE ${MONTH_COUNTERS.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`
    : `ON CONFLICT (orgId, month, category) DO UPDATE SET ${MONTH_COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  return [`INSERT INTO hazard_month (${cols.join(', ')}) VALUES ${deltas.map(() => row).join(', ')} ${add}`, params];
}

/** SQL spellings of the two dialects the rollup's rebuild needs. */
export function monthSql(mysql: boolean) {
  return {
    /** `YYYY-MM` of a UTC datetime column in China time. */
    month: (col: string) => (mysql ? `DATE_FORMAT(DATE_ADD(${col}, INTERVAL 8 HOUR), '%Y-%m')` : `strftime('%Y-%m', ${col}, '+8 hours')`),
    /** Whole seconds from a to b, truncated toward zero (SQLite: milliseconds rounded from julianday, then integer division). */
    seconds: (a: string, b: string) =>
      mysql ? `TIMESTAMPDIFF(SECOND, ${a}, ${b})` : `(CAST(ROUND((julianday(${b}) - julianday(${a})) * 86400000.0) AS INTEGER) / 1000)`,
  };
}

/**
 * The report-month counters as SQL aggregates over hazard rows (the same rules as monthCounters), in
 * MONTH_COUNTERS order without closedIn: the rebuild and the statistics' live reads of partial months share them.
 */
export function counterSums(mysql: boolean): string[] {
  const s = monthSql(mysql);
  const q = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(',');
  const sum = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`;
  const timed = "status = 'closed' AND closedAt IS NOT NULL";
  return [
    sum("status <> 'rejected'"),
    sum("status IN ('rectified','closed')"),
    sum("status = 'closed'"),
    sum("status <> 'rejected' AND level = 'major'"),
    sum(`status IN (${q(IN_PROGRESS_STATUSES)})`),
    sum("status = 'rejected'"),
    sum("status <> 'rejected' AND escalatedTo IS NOT NULL"),
    sum(timed),
    `SUM(CASE WHEN ${timed} THEN ${s.seconds('createdAt', 'closedAt')} ELSE 0 END)`,
  ];
}

/**
 * The statements that recompute hazard_month from the hazard table. Run in order; for seeders, bulk loads
 * and the migration's backfill — normal writes never need it.
 */
export function rebuildMonthSql(mysql: boolean): string[] {
  const s = monthSql(mysql);
  const cols = ['orgId', 'month', 'category', 'orgPath', ...MONTH_COUNTERS].join(', ');
  return [
    'DELETE FROM hazard_month',
    // Per report month…
    `INSERT INTO hazard_month (${cols})
     SELECT orgId, ${s.month('createdAt')}, category, MIN(orgPath), ${counterSums(mysql).join(', ')}, 0
       FROM hazard GROUP BY orgId, ${s.month('createdAt')}, category`,
    // …then the closings by the month of closedAt, into the same rows or new ones.
    `INSERT INTO hazard_month (${cols})
     SELECT orgId, ${s.month('closedAt')}, category, MIN(orgPath), 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
       FROM hazard WHERE status = 'closed' AND closedAt IS NOT NULL GROUP BY orgId, ${s.month('closedAt')}, category
     ${mysql ? 'ON DUPLICATE KEY UPDATE closedIn = VALUES(closedIn)' : 'ON CONFLICT (orgId, month, category) DO UPDATE SET closedIn = excluded.closedIn'}`,
  ];
}
