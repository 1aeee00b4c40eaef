import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HAZARD_OPEN_STATUSES, HazardCategory, HazardLevel, HazardStatus } from '@xiangan/shared';
import { DataSource, EntityManager } from 'typeorm';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { dbTime, isMysql } from '../../common/db/dialect';
import { mergeMonthDeltas, monthDeltas, monthUpsert, rebuildMonthSql } from './hazard-month.rollup';
import { applyTally, rebuildTally } from './hazard-tally';

export const HAZARD_PRIORITY_JOB = 'hazards.priority';
const OPEN_WORK: HazardStatus[] = ['assigned', 'rectifying'];
const q = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(',');

/** The ledger's urgency rank (stored in hazard.priority): 2 major and open, 1 overdue work, 0 the rest. */
export function priorityOf(status: HazardStatus, level: HazardLevel, deadline: Date | null | undefined, now = new Date()): number {
  if (level === 'major' && HAZARD_OPEN_STATUSES.includes(status)) return 2;
  if (OPEN_WORK.includes(status) && deadline && deadline.getTime() < now.getTime()) return 1;
  return 0;
}

/** The same rank in SQL (rebuild, backfill). `?` = now. */
export const PRIORITY_SQL = `CASE WHEN level = 'major' AND status IN (${q(HAZARD_OPEN_STATUSES)}) THEN 2 WHEN status IN (${q(OPEN_WORK)}) AND deadline < ? THEN 1 ELSE 0 END`;

export interface CountDelta {
  orgId: number;
  orgPath: string;
  status: HazardStatus;
  category: HazardCategory;
  level: HazardLevel;
  n: number;
}

/** What the counts (and the statistics' rollups) know of one hazard, before or after a write. */
export interface HazardFacts {
  orgId: number;
  orgPath: string;
  category: HazardCategory;
  status: HazardStatus;
  level: HazardLevel;
  createdAt: Date;
  deadline: Date | null;
  escalatedTo: string | null;
  closedAt: Date | null;
}

export interface CountFilter {
  statuses?: string[];
  category?: string;
  level?: string;
}

/**
 * Recomputes hazard_count, the statistics' rollup hazard_month and hazard.priority from the hazards
 * themselves: for seeders, bulk loads and tests that write hazards directly. Normal writes never need it.
 */
export async function rebuildHazardCounts(m: EntityManager | DataSource, now = new Date()): Promise<void> {
  const t = dbTime(m, now);
  await m.query(`UPDATE hazard SET priority = ${PRIORITY_SQL}`, [t]);
  await m.query('DELETE FROM hazard_count');
  await m.query(
    'INSERT INTO hazard_count (orgId, status, category, level, orgPath, n) SELECT orgId, status, category, level, MIN(orgPath), COUNT(*) FROM hazard GROUP BY orgId, status, category, level',
  );
  for (const sql of rebuildMonthSql(isMysql(m))) await m.query(sql);
  await rebuildTally(m);
}

/**
 * Keeps per-unit counts of hazards by (status, category, level) in the same transaction as each write,
 * and reads them for a subtree as one short index range (orgPath prefix). Also refreshes the stored
 * priority of work whose deadline has passed.
 */
@Injectable()
export class HazardCountService implements OnModuleInit {
  private readonly logger = new Logger('HazardCounts');
  constructor(
    private readonly ds: DataSource,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onModuleInit() {
    this.queue.register(HAZARD_PRIORITY_JOB, async () => {
      const n = await this.refreshPriority();
      if (n) this.logger.log(`${n} hazards became overdue`);
    }, { concurrency: 1 });
    await this.queue.every(HAZARD_PRIORITY_JOB, 60_000);
  }

  private t(d: Date): Date | string {
    return dbTime(this.ds, d);
  }

  /**
   * The one hook every hazard write calls inside its transaction: `before` null for a new hazard, else the row
   * as it was read (the write's conditional UPDATE guarantees it still was), `after` the row as written.
   * Moves the counts, and the statistics' month rollup by contribution(after) − contribution(before).
   */
  async change(m: EntityManager, before: HazardFacts | null, after: HazardFacts): Promise<void> {
    await this.changeMany(m, [{ before, after }]);
  }

  /**
   * change() for many hazards written in one transaction (a batch of reports): every table's deltas merged into
   * one statement, rows in key order and the tables always in the same order — so two batches lock the rows
   * they share in the same order and cannot deadlock, whatever hazards they hold.
   */
  async changeMany(m: EntityManager, changes: { before: HazardFacts | null; after: HazardFacts }[]): Promise<void> {
    if (!changes.length) return;
    const deltas: CountDelta[] = [];
    const months: ReturnType<typeof monthDeltas> = [];
    for (const { before, after } of changes) {
      if (before) deltas.push({ orgId: before.orgId, orgPath: before.orgPath, status: before.status, category: before.category, level: before.level, n: -1 });
      deltas.push({ orgId: after.orgId, orgPath: after.orgPath, status: after.status, category: after.category, level: after.level, n: 1 });
      months.push(...monthDeltas(before, after));
    }
    await this.apply(m, deltas);
    const upsert = monthUpsert(mergeMonthDeltas(months), isMysql(m));
    if (upsert) await m.query(upsert[0], upsert[1]);
    await applyTally(m, changes);
  }

  /** Adds the deltas (same keys merged, zeros dropped) in one statement, rows in key order so two writers never deadlock. */
  async apply(m: EntityManager, deltas: CountDelta[]): Promise<void> {
    const merged = new Map<string, CountDelta>();
    for (const d of deltas) {
      const k = `${String(d.orgId).padStart(10, '0')}|${d.status}|${d.category}|${d.level}`;
      const cur = merged.get(k);
      if (cur) cur.n += d.n;
      else merged.set(k, { ...d });
    }
    const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d).filter((d) => d.n !== 0);
    if (!rows.length) return;
    const values = rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ');
    const params = rows.flatMap((d) => [d.orgId, d.status, d.category, d.level, d.orgPath, d.n]);
    const upsert = isMysql(m) ? 'ON DUPLICATE KEY UPDATE n = n + VALUES(n)' : 'ON CONFLICT (orgId, status, category, level) DO UPDATE SET n = n + excluded.n';
    await m.query(`INSERT INTO hazard_count (orgId, status, category, level, orgPath, n) VALUES ${values} ${upsert}`, params);
  }

  private where(prefix: string | null, f: CountFilter): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (prefix !== null) {
      parts.push('orgPath LIKE ?');
      params.push(`${prefix}%`);
    }
    if (f.statuses?.length) {
      parts.push(`status IN (${f.statuses.map(() => '?').join(', ')})`);
      params.push(...f.statuses);
    }
    if (f.category) {
      parts.push('category = ?');
      params.push(f.category);
    }
    if (f.level) {
      parts.push('level = ?');
      params.push(f.level);
    }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  /** Hazards per state in the subtree (`prefix` null = everywhere) under the category/level filters. */
  async byStatus(prefix: string | null, f: CountFilter): Promise<Map<HazardStatus, number>> {
    const w = this.where(prefix, f);
    const rows: { status: HazardStatus; n: string | number }[] = await this.ds.query(`SELECT status, SUM(n) AS n FROM hazard_count ${w.sql} GROUP BY status`, w.params);
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Units of the subtree that hold matching hazards, with how many. */
  async units(prefix: string | null, f: CountFilter): Promise<{ orgId: number; n: number }[]> {
    const w = this.where(prefix, f);
    const rows: { orgId: number; n: string | number }[] = await this.ds.query(
      `SELECT orgId, SUM(n) AS n FROM hazard_count ${w.sql} GROUP BY orgId HAVING SUM(n) > 0`,
      w.params,
    );
    return rows.map((r) => ({ orgId: Number(r.orgId), n: Number(r.n) }));
  }

  /** Work whose deadline passed moves up to priority 1 (idx_hazard_stale: reads only those rows). */
  async refreshPriority(now = new Date()): Promise<number> {
    const r = await this.ds
      .createQueryBuilder()
      .update('hazard')
      .set({ priority: 1 })
      .where(`status IN (${q(OPEN_WORK)}) AND priority = 0 AND deadline < :now`, { now: this.t(now) })
      .execute();
    return r.affected ?? 0;
  }
}
