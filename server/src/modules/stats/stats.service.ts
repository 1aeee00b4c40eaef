import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { beijingToday, ChildStats, DashboardDto, FieldSectorStats, FieldStats, HAZARD_CATEGORY_LABELS, HazardCategory, StatsSummaryDto } from '@xiangan/shared';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import type { Period } from '../../common/stats/period';
import { FieldworkStatsSource } from '../fieldwork/fieldwork.stats';
import { HazardStatsSource } from '../hazards/hazards.stats';
import { OrgUnit } from '../orgs/org-unit.entity';
import { PledgeStatsSource } from '../pledges/pledges.stats';
import { PublicityStatsSource } from '../publicity/publicity.stats';
import { RegisterStatsSource } from '../registers/registers.stats';
import { distinctUnits } from './distinct-units';
import { buildFigures } from './report-figures';
import { fieldError } from '../../common/http/field-labels';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The reporting layer: the summary, the dashboard and the reports' figures, composed from each feature's own
 * statistics source (`<feature>.stats.ts`) — no SQL against a feature's tables here.
 */
@Injectable()
export class StatsService {
  constructor(
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly hazardSource: HazardStatsSource,
    private readonly fieldworkSource: FieldworkStatsSource,
    private readonly pledgeSource: PledgeStatsSource,
    private readonly publicitySource: PublicityStatsSource,
    private readonly registerSource: RegisterStatsSource,
  ) {}

  /**
   * The period asked for. Without dates: this year up to today — in January, last year whole (the year-end report
   * is written then). `from` alone: to the end of its year, or today if that is sooner.
   */
  period(from?: string, to?: string, now = new Date()): Period {
    const today = beijingToday(0, now);
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

  /** `unit`: the unit `@OrgScope` checked (or an id to check here); none: the caller's own. */
  async summary(user: AuthUser, unit: OrgUnit | number | undefined, p: Period): Promise<StatsSummaryDto> {
    const org = await this.scope.targetOrg(user, unit);
    return this.summaryFor(org, p);
  }

  async summaryFor(org: OrgUnit, p: Period): Promise<StatsSummaryDto> {
    const sources = { fieldwork: this.fieldworkSource, pledges: this.pledgeSource, registers: this.registerSource, orgs: this.orgs };
    const [hz, fw, fromFieldWork, pledges, publicity, children, distinct, registers] = await Promise.all([
      this.hazardSource.stats(org, p),
      this.fieldworkSource.stats(org, p),
      this.fieldworkSource.linkedHazards(org, p),
      this.pledgeSource.stats(org, p),
      this.publicitySource.stats(org, p),
      this.orgs.find({ where: { parentId: org.id, archived: false }, order: { id: 'ASC' } }),
      distinctUnits(sources, org, p),
      this.registerSource.stats(org, p),
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
      hazards: { ...hz.stats, fromFieldWork },
      pledges: pledges.stats,
      publicity: publicity,
      fieldwork,
      figures: [],
      children: childStats,
    };
    summary.figures = buildFigures(summary);
    return summary;
  }

  // ---- dashboard ------------------------------------------------------------------------------------

  async dashboard(user: AuthUser, unit?: OrgUnit | number, now = new Date()): Promise<DashboardDto> {
    const org = await this.scope.targetOrg(user, unit);
    const today = beijingToday(0, now);
    const year = Number(today.slice(0, 4));
    const month = today.slice(0, 7);
    const yearP = { from: `${year}-01-01`, to: today };
    const monthP = { from: `${month}-01`, to: today };
    const [ys, ms] = await Promise.all([this.summaryFor(org, yearP), this.summaryFor(org, monthP)]);
    const trend: DashboardDto['trend'] = [];
    for (let m = 1; m <= Number(month.slice(5)); m++) trend.push({ month: `${year}-${String(m).padStart(2, '0')}`, found: 0, closed: 0 });
    // Reports by month before this one, closings (closedAt's month) up to this one; this month's reports: the month summary's.
    const byMonth = await this.hazardSource.trend(org, `${year}-01`, month);
    for (const t of trend) {
      const r = byMonth.get(t.month);
      if (r && t.month < month) t.found = r.found;
      if (r) t.closed = r.closed;
    }
    trend[trend.length - 1].found = ms.hazards.found;
    const drills = ys.fieldwork.byKind.filter((k) => k.type === 'drill').reduce((a, k) => a + k.records, 0);
    return {
      org: { id: org.id, name: org.name, type: org.type },
      month,
      year,
      thisMonth: {
        // 销号 this month: hazards closed in the month (whenever found) — the same figure as the trend's last bar.
        found: ms.hazards.found,
        closed: trend[trend.length - 1]?.closed ?? 0,
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
