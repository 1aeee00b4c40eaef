import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChildStats,
  DashboardDto,
  FIELD_KINDS,
  FieldKindStats,
  FieldSectorStats,
  FieldStats,
  FieldType,
  HAZARD_CATEGORY_LABELS,
  HazardCategory,
  HazardStats,
  kindLabel,
  isSnapshotMetric,
  SNAPSHOT_KINDS,
  SNAPSHOT_METRICS,
  StatsSummaryDto,
} from '@xiangan/shared';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { FieldRecord, FieldRecordHazard } from '../fieldwork/field-record.entity';
import { todayInChina } from '../fieldwork/fieldwork.service';
import { Hazard } from '../hazards/hazard.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { buildFigures } from './report-figures';
import { distinctUnits } from './distinct-units';
import { registerStats } from './register-stats';
import { PledgeStatsSource, PublicityStatsSource } from './sources';
import { counterSums, MONTH_COUNTERS } from '../hazards/hazard-month.rollup';
import { addDays, childOfPath, cnDayStart, dbTime, num, rate, splitByMonths, Sql } from './sql';
import type { SqlRow } from '../../common/db/sql-row';
import { fieldError } from '../../common/http/field-labels';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface Period {
  from: string;
  to: string;
}

interface HazardAgg {
  stats: HazardStats;
  byChild: Map<string, { found: number; rectified: number }>;
}

@Injectable()
export class StatsService {
  private readonly sql: Sql;
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly pledgeSource: PledgeStatsSource,
    private readonly publicitySource: PublicityStatsSource,
  ) {
    this.sql = new Sql(ds);
  }

  /**
   * The period asked for. Without dates: this year up to today — in January, last year whole (the year-end report
   * is written then). `from` alone: to the end of its year, or today if that is sooner.
   */
  period(from?: string, to?: string, now = new Date()): Period {
    const today = todayInChina(now);
    let f = from;
    let t = to;
    if (!f && !t && today.slice(5, 7) === '01') {
      const last = Number(today.slice(0, 4)) - 1;
      f = `${last}-01-01`;
      t = `${last}-12-31`;
    }
    f = f ?? `${today.slice(0, 4)}-01-01`;
    if (!t) {
      const yearEnd = `${f.slice(0, 4)}-12-31`;
      t = yearEnd < today ? yearEnd : today;
    }
    for (const [k, v] of [
      ['from', f],
      ['to', t],
    ] as const) {
      if (!DAY.test(v) || Number.isNaN(new Date(`${v}T00:00:00Z`).getTime())) throw fieldError(k, '须为日期（如 2026-05-01）');
    }
    if (f > t) throw fieldError('from', '不能晚于结束日期');
    return { from: f, to: t };
  }

  async summary(user: AuthUser, orgId: number | undefined, p: Period): Promise<StatsSummaryDto> {
    const org = await this.scope.targetOrg(user, orgId);
    return this.summaryFor(org, p);
  }

  async summaryFor(org: OrgUnit, p: Period): Promise<StatsSummaryDto> {
    const [hz, fw, pledges, publicity, children, distinct, registers] = await Promise.all([
      this.hazards(org, p),
      this.fieldwork(org, p),
      this.pledgeSource.stats(org, p, this.sql),
      this.publicitySource.stats(org, p, this.sql),
      this.ds.getRepository(OrgUnit).find({ where: { parentId: org.id, archived: false }, order: { id: 'ASC' } }),
      distinctUnits(this.ds, org, p),
      registerStats(this.ds, org, p),
    ]);
    // Per sector: field work and the ledger side by side.
    const sectors = new Map<string, FieldSectorStats>();
    const sector = (code: string) => {
      let s = sectors.get(code);
      if (!s) {
        s = {
          sector: code,
          label: HAZARD_CATEGORY_LABELS[code as HazardCategory] ?? code,
          inspections: 0,
          enforcements: 0,
          units: 0,
          issues: 0,
          issuesRectified: 0,
          penalties: 0,
          hazards: 0,
          hazardsRectified: 0,
        };
        sectors.set(code, s);
      }
      return s;
    };
    for (const r of fw.sectorRows) {
      const s = sector(r.sector);
      if (r.type === 'inspection') s.inspections += r.records;
      if (r.type === 'enforcement') {
        s.enforcements += r.records;
        if (r.kind === 'simple') s.penalties += r.records;
      }
    }
    for (const m of fw.sectorMetricRows) {
      if (m.type !== 'inspection') continue;
      const s = sector(m.sector);
      if (m.metric === 'units') s.units += m.value;
      if (m.metric === 'issues') s.issues += m.value;
      if (m.metric === 'issuesRectified') s.issuesRectified += m.value;
    }
    for (const c of hz.stats.byCategory) {
      const s = sector(c.category);
      s.hazards = c.found;
      s.hazardsRectified = c.rectified;
    }
    const fieldwork: FieldStats = {
      records: fw.records,
      byKind: fw.byKind,
      bySector: [...sectors.values()].sort((a, b) => b.inspections + b.hazards - (a.inspections + a.hazards)),
      campaigns: fw.campaigns,
      drills: fw.drills,
    };
    const childStats: ChildStats[] = children.map((c) => {
      const key = String(c.id);
      return {
        orgId: c.id,
        orgName: c.name,
        type: c.type,
        hazardsFound: hz.byChild.get(key)?.found ?? 0,
        hazardsRectified: hz.byChild.get(key)?.rectified ?? 0,
        inspections: fw.byChild.get(key)?.inspections ?? 0,
        fieldRecords: fw.byChild.get(key)?.records ?? 0,
        signatures: pledges.byChild.get(key) ?? 0,
      };
    });
    const summary: StatsSummaryDto = {
      org: { id: org.id, name: org.name, type: org.type, population: org.population },
      distinct,
      registers,
      from: p.from,
      to: p.to,
      hazards: hz.stats,
      pledges: pledges.stats,
      publicity: publicity,
      fieldwork,
      figures: [],
      children: childStats,
    };
    summary.figures = buildFigures(summary);
    return summary;
  }

  // ---- hazards (the ledger) -------------------------------------------------------------------

  private hasHazards(): boolean {
    return this.ds.hasMetadata(Hazard);
  }

  /**
   * The ledger's figures for hazards reported in the period, under the unit. Whole China months come from the
   * rollup hazard_month (kept with every hazard write); the days left at either edge from the hazards
   * themselves (a short createdAt range); overdue — it depends on the clock — live from open work. Every
   * figure is the same as one pass over the period's hazards would give.
   */
  async hazards(org: OrgUnit, p: Period, now = new Date()): Promise<HazardAgg> {
    const empty: HazardStats = {
      available: this.hasHazards(),
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
      fromFieldWork: 0,
    };
    const byChild = new Map<string, { found: number; rectified: number }>();
    if (!empty.available) return { stats: empty, byChild };
    const prefix = `${org.path}%`;
    const { months, edges } = splitByMonths(p.from, p.to);
    const counters = MONTH_COUNTERS.filter((c) => c !== 'closedIn');
    const fromRollup = months
      ? this.ds.query(
          `SELECT orgPath, category, ${counters.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM hazard_month
            WHERE month >= ? AND month <= ? AND orgPath LIKE ? GROUP BY orgPath, category`,
          [months.first, months.last, prefix],
        )
      : Promise.resolve([]);
    const fromHazards = edges.length
      ? this.ds.query(
          `SELECT orgPath, category, ${counterSums(this.sql.mysql)
            .map((e, i) => `${e} AS ${counters[i]}`)
            .join(', ')} FROM hazard
            WHERE orgPath LIKE ? AND (${edges.map(() => '(createdAt >= ? AND createdAt < ?)').join(' OR ')}) GROUP BY orgPath, category`,
          [prefix, ...edges.flatMap((e) => [dbTime(cnDayStart(e.from)), dbTime(cnDayStart(addDays(e.to, 1)))])],
        )
      : Promise.resolve([]);
    // Overdue: open work (status leads idx_hazard_work, so only that slice of the subtree is read) past its deadline.
    const overdue = this.ds.query(
      `SELECT COUNT(*) AS n FROM hazard WHERE status IN ('assigned', 'rectifying') AND orgPath LIKE ? AND deadline < ? AND createdAt >= ? AND createdAt < ?`,
      [prefix, dbTime(now), dbTime(cnDayStart(p.from)), dbTime(cnDayStart(addDays(p.to, 1)))],
    );
    // Hazards found through field work (linked from inspections / enforcement in the period).
    const linked = this.ds
      .getRepository(FieldRecordHazard)
      .createQueryBuilder('l')
      .select('COUNT(DISTINCT l.hazardId)', 'n')
      .where('l.orgPath LIKE :p', { p: prefix })
      .andWhere('l.date >= :from AND l.date <= :to', p)
      .getRawOne();
    const [rollupRows, edgeRows, overdueRows, linkedRow] = await Promise.all([fromRollup, fromHazards, overdue, linked]);
    // Both sources per (orgPath, category), folded in that order (the order categories of equal count are listed in).
    const rows = new Map<string, { orgPath: string; category: string } & Record<string, number>>();
    for (const r of [...rollupRows, ...edgeRows]) {
      const k = `${r.orgPath}\u0000${r.category}`;
      let acc = rows.get(k);
      if (!acc) rows.set(k, (acc = { orgPath: r.orgPath, category: r.category, ...Object.fromEntries(counters.map((c) => [c, 0])) } as never));
      for (const c of counters) acc[c] += num(r[c]);
    }
    const s = empty;
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
    s.fromFieldWork = num(linkedRow?.n);
    return { stats: s, byChild };
  }

  // ---- field work ---------------------------------------------------------------------------------

  /**
   * Field work in the period, under the unit. Record counts and metric sums: whole China months from the rollup
   * field_month (kept with every record write), the days at either edge from field_record / field_metric; the
   * same figures as one pass over the period's rows. Head-counts, 专项行动 and drills are read live (short ranges).
   */
  async fieldwork(org: OrgUnit, p: Period) {
    const scope = { p: `${org.path}%`, from: p.from, to: p.to };
    const { months, edges } = splitByMonths(p.from, p.to);
    const snapMarks = SNAPSHOT_KINDS.map(() => '?').join(',');
    const edgeDays = edges.map(() => '(date >= ? AND date <= ?)').join(' OR ');
    const edgeArgs = edges.flatMap((e) => [e.from, e.to]);
    const none = Promise.resolve([] as SqlRow[]);
    // Records per (orgPath, type, kind, sector) — the child unit comes from the path.
    const recParts: Promise<SqlRow[]>[] = [
      months
        ? this.ds.query(
            `SELECT orgPath, type, kind, sector, SUM(n) AS n FROM field_month WHERE month >= ? AND month <= ? AND orgPath LIKE ? AND metric = ''
              GROUP BY orgPath, type, kind, sector`,
            [months.first, months.last, scope.p],
          )
        : none,
      edges.length
        ? this.ds.query(
            `SELECT orgPath, type, kind, sector, COUNT(*) AS n FROM field_record WHERE orgPath LIKE ? AND (${edgeDays}) GROUP BY orgPath, type, kind, sector`,
            [scope.p, ...edgeArgs],
          )
        : none,
    ];
    // Metric sums per (type, kind, sector, metric), head-count kinds aside; `n` = metric rows (a metric entered as 0 still shows).
    const metricParts: Promise<SqlRow[]>[] = [
      months
        ? this.ds.query(
            `SELECT type, kind, sector, metric, SUM(n) AS n, SUM(total) AS v FROM field_month
              WHERE month >= ? AND month <= ? AND orgPath LIKE ? AND metric <> '' AND kind NOT IN (${snapMarks})
              GROUP BY type, kind, sector, metric`,
            [months.first, months.last, scope.p, ...SNAPSHOT_KINDS],
          )
        : none,
      edges.length
        ? this.ds.query(
            `SELECT type, kind, sector, metric, COUNT(*) AS n, SUM(value) AS v FROM field_metric
              WHERE orgPath LIKE ? AND (${edgeDays}) AND kind NOT IN (${snapMarks}) GROUP BY type, kind, sector, metric`,
            [scope.p, ...edgeArgs, ...SNAPSHOT_KINDS],
          )
        : none,
    ];
    // Head-counts (两站两员, 安全管理员, 执法证): per unit, the latest value entered in or before the period's end, summed
    // over units — a snapshot, never a sum over months, and still there in a period without a record.
    const snapPairs = Object.entries(SNAPSHOT_METRICS).flatMap(([tk, ms]) => ms.map((m) => [...tk.split('.'), m] as [string, string, string]));
    const snapWhere = snapPairs.map(() => '(type = ? AND kind = ? AND metric = ?)').join(' OR ');
    const snapQuery: Promise<SqlRow[]> = this.ds.query(
      `SELECT m.id AS id, m.orgPath AS orgPath, m.type AS type, m.kind AS kind, m.metric AS metric, m.value AS v FROM field_metric m
         JOIN (SELECT orgPath, type, kind, metric, MAX(date) AS d FROM field_metric
                WHERE (${snapWhere}) AND orgPath LIKE ? AND date <= ? GROUP BY orgPath, type, kind, metric) last
           ON m.orgPath = last.orgPath AND m.type = last.type AND m.kind = last.kind AND m.metric = last.metric AND m.date = last.d
        ORDER BY m.id`,
      [...snapPairs.flat(), scope.p, p.to],
    );
    // 专项行动: idx_field_record_campaign (campaign, orgPath, date) holds every column, and only records naming one.
    const campaignQuery = this.ds
      .getRepository(FieldRecord)
      .createQueryBuilder('r')
      .select('r.campaign', 'name')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MIN(r.date)', 'first')
      .addSelect('MAX(r.date)', 'last')
      .where('r.orgPath LIKE :p AND r.date >= :from AND r.date <= :to', scope)
      .andWhere('r.campaign IS NOT NULL')
      .groupBy('r.campaign')
      .orderBy('MIN(r.date)', 'ASC')
      .limit(50)
      .getRawMany();
    const drillQuery = this.ds
      .getRepository(FieldRecord)
      .createQueryBuilder('r')
      .where("r.type = 'drill' AND r.orgPath LIKE :p AND r.date >= :from AND r.date <= :to", scope)
      .orderBy('r.date', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(100)
      .getMany();
    const [recRows, metricRows, snapRows, campaignRows, drillRows] = await Promise.all([
      Promise.all(recParts).then((parts) => mergeRows(parts.flat(), ['orgPath', 'type', 'kind', 'sector'], false)),
      Promise.all(metricParts).then((parts) => mergeRows(parts.flat(), ['type', 'kind', 'sector', 'metric'], true)),
      snapQuery,
      campaignQuery,
      drillQuery,
    ]);
    const drillOrgs = drillRows.length ? await this.ds.getRepository(OrgUnit).findByIds([...new Set(drillRows.map((d) => d.orgId))]) : [];

    const kinds = new Map<string, FieldKindStats>();
    const kindOf = (type: FieldType, kind: string) => {
      const key = `${type}.${kind}`;
      let k = kinds.get(key);
      if (!k) kinds.set(key, (k = { type, kind, label: kindLabel(type, kind), records: 0, metrics: {} }));
      return k;
    };
    const byChild = new Map<string, { records: number; inspections: number }>();
    let records = 0;
    const sectorRows: { type: string; kind: string; sector: string; records: number }[] = [];
    const sectorOf = (k: FieldKindStats, sector: string) => ((k.bySector ??= {})[sector] ??= { records: 0, metrics: {} });
    for (const r of recRows) {
      const n = num(r.n);
      records += n;
      kindOf(r.type, r.kind).records += n;
      if (r.sector) sectorOf(kindOf(r.type, r.kind), r.sector).records += n;
      if (r.sector) sectorRows.push({ type: r.type, kind: r.kind, sector: r.sector, records: n });
      const ck = childOfPath(r.orgPath, org.path);
      const c = byChild.get(ck) ?? { records: 0, inspections: 0 };
      c.records += n;
      if (r.type === 'inspection') c.inspections += n;
      byChild.set(ck, c);
    }
    const sectorMetricRows: { type: string; sector: string; metric: string; value: number }[] = [];
    for (const m of metricRows) {
      if (isSnapshotMetric(m.type, m.kind, m.metric)) continue;
      const k = kindOf(m.type, m.kind);
      k.metrics[m.metric] = round2((k.metrics[m.metric] ?? 0) + num(m.v));
      if (m.sector) {
        sectorMetricRows.push({ type: m.type, sector: m.sector, metric: m.metric, value: num(m.v) });
        const bs = sectorOf(k, m.sector);
        bs.metrics[m.metric] = round2((bs.metrics[m.metric] ?? 0) + num(m.v));
      }
    }
    // The latest row per (unit, metric) — the highest id on the latest day — summed over units.
    const latest = new Map<string, SqlRow>();
    for (const m of snapRows) latest.set(`${m.orgPath}\u0000${m.type}.${m.kind}.${m.metric}`, m);
    for (const m of latest.values()) {
      const k = kindOf(m.type, m.kind);
      k.metrics[m.metric] = round2((k.metrics[m.metric] ?? 0) + num(m.v));
    }
    // Keep the catalogue's order so the report reads the same every year.
    const order = Object.entries(FIELD_KINDS).flatMap(([t, ks]) => Object.keys(ks).map((k) => `${t}.${k}`));
    const byKind = [...kinds.values()].sort((a, b) => order.indexOf(`${a.type}.${a.kind}`) - order.indexOf(`${b.type}.${b.kind}`));
    return {
      records,
      byKind,
      sectorRows,
      sectorMetricRows,
      byChild,
      campaigns: campaignRows.map((c) => ({ name: c.name, records: num(c.n), firstDate: c.first, lastDate: c.last })),
      drills: drillRows.map((d) => ({
        id: d.id,
        date: d.date,
        kind: d.kind,
        label: kindLabel('drill', d.kind),
        title: d.title,
        participants: num(d.metrics?.participants),
        tags: d.tags ?? [],
        orgName: drillOrgs.find((o) => o.id === d.orgId)?.name ?? null,
      })),
    };
  }

  // ---- dashboard ------------------------------------------------------------------------------------

  async dashboard(user: AuthUser, orgId?: number, now = new Date()): Promise<DashboardDto> {
    const org = await this.scope.targetOrg(user, orgId);
    const today = todayInChina(now);
    const year = Number(today.slice(0, 4));
    const month = today.slice(0, 7);
    const yearP = { from: `${year}-01-01`, to: today };
    const monthP = { from: `${month}-01`, to: today };
    const [ys, ms] = await Promise.all([this.summaryFor(org, yearP), this.summaryFor(org, monthP)]);
    const trend: DashboardDto['trend'] = [];
    for (let m = 1; m <= Number(month.slice(5)); m++) trend.push({ month: `${year}-${String(m).padStart(2, '0')}`, found: 0, closed: 0 });
    if (this.hasHazards()) {
      // From the rollup: reports by month before this one, closings (closedAt's month) up to this one — the server
      // stamps closedAt with its clock, so nothing closes after today. This month's reports: the month summary's.
      const rows: { m: string; found: unknown; closedIn: unknown }[] = await this.ds.query(
        'SELECT month AS m, SUM(found) AS found, SUM(closedIn) AS closedIn FROM hazard_month WHERE month >= ? AND month <= ? AND orgPath LIKE ? GROUP BY month',
        [`${year}-01`, month, `${org.path}%`],
      );
      for (const r of rows) {
        const t = trend.find((x) => x.month === r.m);
        if (!t) continue;
        if (r.m < month) t.found = num(r.found);
        t.closed = num(r.closedIn);
      }
      trend[trend.length - 1].found = ms.hazards.found;
    }
    const drills = ys.fieldwork.byKind.filter((k) => k.type === 'drill').reduce((a, k) => a + k.records, 0);
    return {
      org: { id: org.id, name: org.name, type: org.type },
      month,
      year,
      thisMonth: {
        // 销号 this month: hazards closed in the month (whenever found) — the same figure as the trend's last bar.
        found: ms.hazards.found,
        closed: this.hasHazards() ? (trend[trend.length - 1]?.closed ?? 0) : 0,
        inProgress: ms.hazards.inProgress,
        overdue: ms.hazards.overdue,
        fieldRecords: ms.fieldwork.records,
        signatures: ms.pledges.signed,
      },
      thisYear: {
        found: ys.hazards.found,
        closed: ys.hazards.closed,
        rectificationRate: ys.hazards.rectificationRate,
        fieldRecords: ys.fieldwork.records,
        signatures: ys.pledges.signed,
        drills,
      },
      trend,
      byCategory: ys.hazards.byCategory.map((c) => ({ category: c.category, label: c.label, found: c.found, closed: c.closed })),
      byChild: ys.children
        .filter((c) => c.hazardsFound > 0 || ['village', 'community'].includes(c.type))
        .map((c) => ({ orgId: c.orgId, orgName: c.orgName, found: c.hazardsFound, closed: c.hazardsRectified })),
      pledges: ys.pledges.byKind.map((k) => ({ kind: k.kind, label: k.label, signed: k.signed, roster: k.roster, rate: k.rate })),
      figures: ys.figures,
    };
  }
}

/**
 * Rollup rows and edge rows of one grouping folded per key (sector '' = none, as the rollup stores it), groups that
 * hold no rows dropped, in key order (the order the GROUP BY over the base table listed them).
 */
function mergeRows(rows: SqlRow[], keys: string[], withValue: boolean): SqlRow[] {
  const out = new Map<string, SqlRow>();
  for (const r of rows) {
    const row: SqlRow = { ...r, sector: r.sector || null };
    const k = keys.map((c) => row[c] ?? '').join('\u0000');
    const cur = out.get(k);
    if (!cur) out.set(k, { ...row, n: num(row.n), ...(withValue ? { v: num(row.v) } : {}) });
    else {
      cur.n += num(row.n);
      if (withValue) cur.v += num(row.v);
    }
  }
  return [...out.keys()]
    .sort()
    .map((k) => out.get(k)!)
    .filter((r) => r.n > 0);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
