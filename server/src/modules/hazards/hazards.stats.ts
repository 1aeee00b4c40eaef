import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { HAZARD_CATEGORY_LABELS, HazardCategory, HazardStats, HazardStatus } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import { isMysql } from '../../common/db/dialect';
import type { SqlRow } from '../../common/db/sql-row';
import { dbTime } from '../../common/db/dialect';
import { num, rate } from '../../common/db/sql';
import { childOfPath, dayRanges, Period, periodRange, splitByMonths, StatsSource } from '../../common/stats/period';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { HazardEvent } from './hazard-event.entity';
import { counterSums, MONTH_COUNTERS } from './hazard-month.rollup';
import { Hazard } from './hazard.entity';
import { subtreeSql, subtreeWhere } from '../../common/scope/subtree';

/** The ledger's figures; how many of its hazards field work found is field work's to say (composed by stats). */
export type LedgerStats = Omit<HazardStats, 'fromFieldWork'>;

export interface LedgerAgg {
  stats: LedgerStats;
  /** found / rectified per child unit of the asked unit (its id; '' for the unit itself). */
  byChild: Map<string, { found: number; rectified: number }>;
}

/** A hazard still being worked on, with its latest note (what is being done). */
export interface LedgerOpenItem {
  code: string;
  category: HazardCategory;
  status: HazardStatus;
  note: string | null;
  description: string | null;
}

/**
 * The hazard ledger's statistics source: the report's and the dashboard's hazard figures, read from the ledger's
 * own tables (hazard, hazard_month, hazard_event). 月会商 has its own definition in MonthlyReportService.
 */
@Injectable()
export class HazardStatsSource implements StatsSource<LedgerAgg> {
  constructor(
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly hazardEvents: Repository<HazardEvent>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /**
   * The ledger's figures for hazards reported in the period, under the unit. Whole China months come from the
   * rollup hazard_month (kept with every hazard write); the days left at either edge from the hazards
   * themselves (a short createdAt range); overdue — it depends on the clock — live from open work. Every
   * figure is the same as one pass over the period's hazards would give.
   */
  async stats(org: OrgUnit, p: Period, now = new Date()): Promise<LedgerAgg> {
    const s: LedgerStats = {
      found: 0,
      rectified: 0,
      closed: 0,
      rectificationRate: null,
      major: 0,
      overdue: 0,
      escalated: 0,
      rejected: 0,
      inProgress: 0,
      avgDaysToClose: null,
      byCategory: [],
    };
    const byChild = new Map<string, { found: number; rectified: number }>();
    const under = subtreeSql('orgPath', org.path);
    const { months, edges } = splitByMonths(p.from, p.to);
    const counters = MONTH_COUNTERS.filter((c) => c !== 'closedIn');
    const fromRollup: Promise<SqlRow[]> = months
      ? this.ds.query(
          `SELECT orgPath, category, ${counters.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM hazard_month
            WHERE month >= ? AND month <= ? AND ${under.sql} GROUP BY orgPath, category`,
          [months.first, months.last, ...under.params],
        )
      : Promise.resolve([]);
    const edgeDays = dayRanges('createdAt', edges);
    const fromHazards: Promise<SqlRow[]> = edges.length
      ? this.ds.query(
          `SELECT orgPath, category, ${counterSums(isMysql(this.ds))
            .map((e, i) => `${e} AS ${counters[i]}`)
            .join(', ')} FROM hazard
            WHERE ${under.sql} AND (${edgeDays.sql}) GROUP BY orgPath, category`,
          [...under.params, ...edgeDays.args],
        )
      : Promise.resolve([]);
    // Overdue: open work (status leads idx_hazard_work, so only that slice of the subtree is read) past its deadline.
    const r = periodRange(p);
    const overdue: Promise<SqlRow[]> = this.ds.query(
      `SELECT COUNT(*) AS n FROM hazard WHERE status IN ('assigned', 'rectifying') AND ${under.sql} AND deadline < ? AND createdAt >= ? AND createdAt < ?`,
      [...under.params, dbTime(now), r.from, r.to],
    );
    const [rollupRows, edgeRows, overdueRows] = await Promise.all([fromRollup, fromHazards, overdue]);
    // Both sources per (orgPath, category), folded in that order (the order categories of equal count are listed in).
    const rows = new Map<string, { orgPath: string; category: string } & Record<string, number>>();
    for (const row of [...rollupRows, ...edgeRows]) {
      const k = `${row.orgPath}\u0000${row.category}`;
      let acc = rows.get(k);
      if (!acc) rows.set(k, (acc = { orgPath: row.orgPath, category: row.category, ...Object.fromEntries(counters.map((c) => [c, 0])) } as never));
      for (const c of counters) acc[c] += num(row[c]);
    }
    s.overdue = num(overdueRows[0]?.n);
    let closeSeconds = 0;
    let closedTimed = 0;
    const cats = new Map<string, HazardStats['byCategory'][number]>();
    for (const k of [...rows.keys()].sort()) {
      const v = rows.get(k)!;
      if (v.found + v.rejected === 0) continue; // a rollup row left with closings only, or emptied by transitions
      s.found += v.found;
      s.rectified += v.rectified;
      s.closed += v.closed;
      s.major += v.major;
      s.escalated += v.escalated;
      s.rejected += v.rejected;
      s.inProgress += v.inProgress;
      closeSeconds += v.closeSeconds;
      closedTimed += v.closedTimed;
      let c = cats.get(v.category);
      if (!c)
        cats.set(
          v.category,
          (c = {
            category: v.category as HazardCategory,
            label: HAZARD_CATEGORY_LABELS[v.category as HazardCategory] ?? v.category,
            found: 0,
            rectified: 0,
            closed: 0,
            major: 0,
            inProgress: 0,
          }),
        );
      c.found += v.found;
      c.rectified += v.rectified;
      c.closed += v.closed;
      c.major += v.major;
      c.inProgress += v.inProgress;
      const ck = childOfPath(v.orgPath, org.path);
      const b = byChild.get(ck) ?? { found: 0, rectified: 0 };
      b.found += v.found;
      b.rectified += v.rectified;
      byChild.set(ck, b);
    }
    s.rectificationRate = rate(s.rectified, s.found);
    s.avgDaysToClose = closedTimed ? Math.round((closeSeconds / closedTimed / 86400) * 10) / 10 : null;
    s.byCategory = [...cats.values()].filter((c) => c.found > 0).sort((a, b) => b.found - a.found);
    return { stats: s, byChild };
  }

  /**
   * Per month `from`..`to` (`YYYY-MM`), from the rollup: hazards reported in it, and closed in it (closedAt's month,
   * whenever reported — the server stamps closedAt with its clock, so nothing closes after today).
   */
  async trend(org: OrgUnit, from: string, to: string): Promise<Map<string, { found: number; closed: number }>> {
    const under = subtreeSql('orgPath', org.path);
    const rows: SqlRow[] = await this.ds.query(
      `SELECT month AS m, SUM(found) AS found, SUM(closedIn) AS closedIn FROM hazard_month WHERE month >= ? AND month <= ? AND ${under.sql} GROUP BY month`,
      [from, to, ...under.params],
    );
    return new Map(rows.map((r) => [String(r.m), { found: num(r.found), closed: num(r.closedIn) }]));
  }

  /** Hazards reported by the end of day `to` and still being worked on, oldest first, each with its latest note. */
  async openItems(org: OrgUnit, to: string, limit = 10): Promise<LedgerOpenItem[]> {
    const rows = await this.hazards
      .createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.category', 'h.status', 'h.description'])
      .where(...subtreeWhere('h.orgPath', org.path, 'p'))
      .andWhere("h.status IN ('assigned','rectifying','rectified') AND h.createdAt < :to", { to: periodRange({ from: to, to }).to })
      .orderBy('h.createdAt', 'ASC')
      .limit(limit)
      .getMany();
    const notes = rows.length
      ? await this.hazardEvents
          .createQueryBuilder('e')
          .select(['e.hazardId', 'e.note', 'e.id'])
          .where('e.hazardId IN (:...ids) AND e.note IS NOT NULL', { ids: rows.map((h) => h.id) })
          .orderBy('e.id', 'DESC')
          .getMany()
      : [];
    return rows.map((h) => ({
      code: h.code,
      category: h.category,
      status: h.status,
      note: notes.find((e) => e.hazardId === h.id)?.note ?? null,
      description: h.description,
    }));
  }
}
