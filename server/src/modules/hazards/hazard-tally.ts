import { beijingMonth, beijingMonthStart } from '@xiangan/shared';
import type { HazardStatus } from '@xiangan/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { isMysql, readTime } from '../../common/db/dialect';
import type { HazardFacts } from './hazard-counts.service';
import { marks } from '../../common/db/sql';
import { subtreeJoinSql } from '../../common/scope/subtree';

/** Work that can be overdue (the ledger's 逾期): assigned or being rectified, with a deadline. */
const WORK: readonly HazardStatus[] = ['assigned', 'rectifying'];

/** `YYYY-MM` (China time) of the deadline of open work; '' for anything that cannot be overdue. */
export function dueMonthOf(status: HazardStatus, deadline: Date | string | null | undefined): string {
  if (!WORK.includes(status) || !deadline) return '';
  const d = deadline instanceof Date ? deadline : readTime(deadline);
  return d ? beijingMonth(d) : '';
}

/** The current China-time month and the UTC instant it began. */
export function chinaMonth(now: Date): { month: string; start: Date } {
  const month = beijingMonth(now);
  return { month, start: beijingMonthStart(month) };
}

/** 0 (everything) and every unit on a path: `/1/6/9/` → [0, 1, 6, 9]. */
export function tallyUnitsOf(path: string): number[] {
  return [0, ...path.split('/').filter(Boolean).map(Number)];
}

/** The tally unit of a subtree: its own id (the last on its path), 0 for everywhere. */
export function tallyUnitOf(path: string | null): number {
  if (!path) return 0;
  const ids = path.split('/').filter(Boolean);
  const id = ids.length ? Number(ids[ids.length - 1]) : 0;
  // A path that names no unit (an officer without one: `/__none__/`) matches nothing.
  return Number.isInteger(id) ? id : -1;
}

interface TallyDelta {
  unitId: number;
  status: string;
  category: string;
  level: string;
  dueMonth: string;
  n: number;
}

function rowsOf(f: HazardFacts, n: number): TallyDelta[] {
  const dueMonth = dueMonthOf(f.status, f.deadline);
  return tallyUnitsOf(f.orgPath).map((unitId) => ({ unitId, status: f.status, category: f.category, level: f.level, dueMonth, n }));
}

/**
 * Adds after − before to hazard_tally in one statement: same keys merged, zeros dropped, rows in key order
 * so two writers lock them in the same order and never deadlock.
 */
export async function applyTally(m: EntityManager, changes: { before: HazardFacts | null; after: HazardFacts }[]): Promise<void> {
  const merged = new Map<string, TallyDelta>();
  for (const { before, after } of changes) {
    for (const d of [...(before ? rowsOf(before, -1) : []), ...rowsOf(after, 1)]) {
      const k = `${String(d.unitId).padStart(10, '0')}|${d.status}|${d.category}|${d.level}|${d.dueMonth}`;
      const cur = merged.get(k);
      if (cur) cur.n += d.n;
      else merged.set(k, d);
    }
  }
  const rows = [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d)
    .filter((d) => d.n !== 0);
  if (!rows.length) return;
  const upsert = isMysql(m)
    ? 'ON DUPLICATE KEY UPDATE n = n + VALUES(n)'
    : 'ON CONFLICT (unitId, status, category, level, dueMonth) DO UPDATE SET n = n + excluded.n';
  await m.query(
    `INSERT INTO hazard_tally (unitId, status, category, level, dueMonth, n) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ${upsert}`,
    rows.flatMap((d) => [d.unitId, d.status, d.category, d.level, d.dueMonth, d.n]),
  );
}

/** The statements that derive hazard_tally from the hazards themselves (rebuilds, backfill, benches). */
export function tallyRebuildSql(mysql: boolean): string[] {
  const due = mysql
    ? `CASE WHEN status IN ('assigned','rectifying') AND deadline IS NOT NULL THEN DATE_FORMAT(DATE_ADD(deadline, INTERVAL 8 HOUR), '%Y-%m') ELSE '' END`
    : `CASE WHEN status IN ('assigned','rectifying') AND deadline IS NOT NULL THEN strftime('%Y-%m', deadline, '+8 hours') ELSE '' END`;
  // Group the hazards per unit first (tens of thousands of rows at most), then spread each group over the units of its path.
  return [
    'DELETE FROM hazard_tally',
    `INSERT INTO hazard_tally (unitId, status, category, level, dueMonth, n)
     SELECT u.id, g.status, g.category, g.level, g.dueMonth, SUM(g.n)
       FROM (SELECT orgPath, status, category, level, ${due} AS dueMonth, COUNT(*) AS n FROM hazard GROUP BY orgPath, status, category, level, ${due}) g
       JOIN (SELECT id, path FROM org_unit UNION ALL SELECT 0, '/') u ON ${subtreeJoinSql('g.orgPath', 'u.path', mysql)}
      GROUP BY u.id, g.status, g.category, g.level, g.dueMonth`,
  ];
}

export async function rebuildTally(m: EntityManager | DataSource): Promise<void> {
  const mysql = isMysql(m);
  for (const sql of tallyRebuildSql(mysql)) await m.query(sql);
}

export interface TallyRow {
  unitId: number;
  status: HazardStatus;
  dueMonth: string;
  n: number;
}

/**
 * The ledger's key filters as SQL conditions on the columns of alias `a` ('' for none) and their parameters:
 * states, category and level — the same for the tally's rows and for the hazards' own index walks.
 */
export function keyConditions(a: string, f: { statuses?: string[]; category?: string; level?: string }): { conds: string[]; params: unknown[] } {
  const col = (c: string) => (a ? `${a}.${c}` : c);
  const conds: string[] = [];
  const params: unknown[] = [];
  if (f.statuses?.length) {
    conds.push(`${col('status')} IN (${marks(f.statuses.length)})`);
    params.push(...f.statuses);
  }
  if (f.category) {
    conds.push(`${col('category')} = ?`);
    params.push(f.category);
  }
  if (f.level) {
    conds.push(`${col('level')} = ?`);
    params.push(f.level);
  }
  return { conds, params };
}

/** Tally rows of the given units under the category/level filters, summed over the other keys. */
export async function readTally(m: EntityManager | DataSource, unitIds: number[], f: { category?: string; level?: string }): Promise<TallyRow[]> {
  const key = keyConditions('', f);
  const where = [`unitId IN (${marks(unitIds.length)})`, ...key.conds];
  const params: unknown[] = [...unitIds, ...key.params];
  const rows: { unitId: number | string; status: HazardStatus; dueMonth: string; n: number | string }[] = await m.query(
    `SELECT unitId, status, dueMonth, SUM(n) AS n FROM hazard_tally WHERE ${where.join(' AND ')} GROUP BY unitId, status, dueMonth`,
    params,
  );
  return rows.map((r) => ({ unitId: Number(r.unitId), status: r.status, dueMonth: r.dueMonth, n: Number(r.n) }));
}
