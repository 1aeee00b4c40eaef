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

/**
 * Recomputes the ledger's tally, the statistics' rollup hazard_month and hazard.priority from the hazards
 * themselves: for seeders, bulk loads and tests that write hazards directly. Normal writes never need it.
 */
export async function rebuildHazardCounts(m: EntityManager | DataSource, now = new Date()): Promise<void> {
  const t = dbTime(now);
  await m.query(`UPDATE hazard SET priority = ${PRIORITY_SQL}`, [t]);
  for (const sql of rebuildMonthSql(isMysql(m))) await m.query(sql);
  await rebuildTally(m);
}

/**
 * Keeps the ledger's tally and the statistics' monthly rollup in the same transaction as each hazard write
 * (change / changeMany), and refreshes the stored priority of work whose deadline has passed.
 */
@Injectable()
export class HazardCountService implements OnModuleInit {
  private readonly logger = new Logger('HazardCounts');
  constructor(
    private readonly ds: DataSource,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onModuleInit() {
    this.queue.register(
      HAZARD_PRIORITY_JOB,
      async () => {
        const n = await this.refreshPriority();
        if (n) this.logger.log(`${n} hazards became overdue`);
      },
      { concurrency: 1 },
    );
    await this.queue.every(HAZARD_PRIORITY_JOB, 60_000);
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
    const months: ReturnType<typeof monthDeltas> = [];
    for (const { before, after } of changes) months.push(...monthDeltas(before, after));
    const upsert = monthUpsert(mergeMonthDeltas(months), isMysql(m));
    if (upsert) await m.query(upsert[0], upsert[1]);
    await applyTally(m, changes);
  }

  /** Work whose deadline passed moves up to priority 1 (idx_hazard_stale: reads only those rows). */
  async refreshPriority(now = new Date()): Promise<number> {
    const r = await this.ds
      .createQueryBuilder()
      .update('hazard')
      .set({ priority: 1 })
      .where(`status IN (${q(OPEN_WORK)}) AND priority = 0 AND deadline < :now`, { now: dbTime(now) })
      .execute();
    return r.affected ?? 0;
  }
}
