import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { todayInChina } from '../fieldwork/fieldwork.service';
import { HazardEvent } from '../hazards/hazard-event.entity';
import { Hazard } from '../hazards/hazard.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { MonthlyReportService } from '../hazards/monthly-report.service';
import { buildMonthlyBrief, OpenItem } from './report-docx';
import { buildReport, ReportForm, reportFilename } from './report-forms';
import { addDays, cnDayStart, dbTime } from './sql';
import { Period, StatsService } from './stats.service';

@Injectable()
export class ReportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly stats: StatsService,
  ) {}

  /** The report in one of the three forms, for the unit and period asked (annual by default). */
  async yearReport(
    user: AuthUser,
    orgId: number | undefined,
    p: Period,
    form: ReportForm = 'annual',
    now = new Date(),
  ): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, orgId);
    const s = await this.stats.summaryFor(org, p);
    const items = await this.openItems(org, p.to);
    const today = todayInChina(now);
    return { buffer: await buildReport(form, s, items, p.to < today ? p.to : today, user.name), filename: reportFilename(form, s) };
  }

  /**
   * The monthly 会商 brief: the figures of `/api/reports/monthly` (MonthlyReportService.forOrg — one definition),
   * written out, plus the month's field work.
   */
  async monthlyBrief(user: AuthUser, orgId: number | undefined, month?: string, now = new Date()): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, orgId);
    const m = month ?? todayInChina(now).slice(0, 7);
    const monthEnd = addDays(`${addMonth(m)}-01`, -1);
    const inMonth = await this.stats.summaryFor(org, { from: `${m}-01`, to: monthEnd });
    const hasLedger = this.ds.hasMetadata(Hazard) && this.ds.hasMetadata(HazardEvent);
    const r = hasLedger
      ? await new MonthlyReportService(
          this.ds,
          this.ds.getRepository(Hazard),
          this.ds.getRepository(HazardEvent),
          this.ds.getRepository(OrgUnit),
          this.scope,
        ).forOrg(org, m, now)
      : null;
    const buffer = await buildMonthlyBrief({
      orgName: org.name,
      orgType: org.type,
      month: m,
      reported: r?.reported ?? 0,
      closed: r?.closed ?? 0,
      inProgress: r?.inProgress ?? 0,
      escalated: r?.escalated ?? 0,
      overdue: r?.overdue ?? 0,
      byCategory: (r?.byCategory ?? []).filter((c) => c.reported).map((c) => ({ label: c.label, reported: c.reported })),
      openItems: (r?.openItems ?? []).map((o) => ({
        code: o.code,
        category: o.category,
        status: o.status,
        note: o.latestNote,
        description: o.description ?? null,
      })),
      fieldRecords: inMonth.fieldwork.records,
    });
    return { buffer, filename: `${org.name}${m}安全生产会商简报.docx` };
  }

  /** Hazards still being worked on, each with its latest note (what is being done). */
  private async openItems(org: OrgUnit, to: string, limit = 10): Promise<OpenItem[]> {
    if (!this.ds.hasMetadata(Hazard)) return [];
    const rows = await this.ds
      .getRepository(Hazard)
      .createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.category', 'h.status', 'h.description'])
      .where("h.orgPath LIKE :p AND h.status IN ('assigned','rectifying','rectified') AND h.createdAt < :to", {
        p: `${org.path}%`,
        to: dbTime(cnDayStart(addDays(to, 1))),
      })
      .orderBy('h.createdAt', 'ASC')
      .limit(limit)
      .getMany();
    if (!rows.length || !this.ds.hasMetadata(HazardEvent))
      return rows.map((h) => ({ code: h.code, category: h.category, status: h.status, note: null, description: h.description }));
    const notes = await this.ds
      .getRepository(HazardEvent)
      .createQueryBuilder('e')
      .select(['e.hazardId', 'e.note', 'e.id'])
      .where('e.hazardId IN (:...ids) AND e.note IS NOT NULL', { ids: rows.map((h) => h.id) })
      .orderBy('e.id', 'DESC')
      .getMany();
    return rows.map((h) => ({
      code: h.code,
      category: h.category,
      status: h.status,
      note: notes.find((e) => e.hazardId === h.id)?.note ?? null,
      description: h.description,
    }));
  }
}

function addMonth(m: string): string {
  const [y, mm] = m.split('-').map(Number);
  return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
}
