import { Injectable } from '@nestjs/common';
import type { OrgUnit } from '../orgs/org-unit.entity';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import type { Period } from '../../common/stats/period';
import { FieldworkStatsSource } from '../fieldwork/fieldwork.stats';
import { HazardStatsSource } from '../hazards/hazards.stats';
import { MonthlyReportService } from '../hazards/monthly-report.service';
import type { ReportForm } from './report-form-names';
import { StatsService } from './stats.service';
import { addDays, addMonths, beijingMonth, beijingToday } from '@xiangan/shared';

/** The Word documents: the year-end report in its three forms and the monthly 会商 brief. */
@Injectable()
export class ReportService {
  constructor(
    private readonly scope: ScopeService,
    private readonly stats: StatsService,
    private readonly hazards: HazardStatsSource,
    private readonly monthly: MonthlyReportService,
    private readonly fieldwork: FieldworkStatsSource,
  ) {}

  /** The report in one of the three forms, for the unit and period asked (annual by default). */
  async yearReport(
    user: AuthUser,
    unit: OrgUnit | number | undefined,
    p: Period,
    form: ReportForm = 'annual',
    now = new Date(),
  ): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, unit);
    const s = await this.stats.summaryFor(org, p);
    const items = await this.hazards.openItems(org, p.to);
    const today = beijingToday(0, now);
    // the Word writer (docx) is loaded on the first report, not at start (docs/DECISIONS.md)
    const { buildReport, reportFilename } = await import('./report-forms');
    return { buffer: await buildReport(form, s, items, p.to < today ? p.to : today, user.name), filename: reportFilename(form, s) };
  }

  /**
   * The monthly 会商 brief: the figures of `/api/reports/monthly` (MonthlyReportService.forOrg — one definition),
   * written out, plus the month's field work.
   */
  async monthlyBrief(user: AuthUser, unit: OrgUnit | number | undefined, month?: string, now = new Date()): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, unit);
    const m = month ?? beijingMonth(now);
    const monthEnd = addDays(`${addMonths(m, 1)}-01`, -1);
    const r = await this.monthly.forOrg(org, m, now);
    const fieldwork = await this.fieldwork.stats(org, { from: `${m}-01`, to: monthEnd });
    const { buildMonthlyBrief } = await import('./report-docx');
    const buffer = await buildMonthlyBrief({
      orgName: org.name,
      orgType: org.type,
      month: m,
      reported: r.reported,
      closed: r.closed,
      inProgress: r.inProgress,
      escalated: r.escalated,
      overdue: r.overdue,
      byCategory: r.byCategory.filter((c) => c.reported).map((c) => ({ label: c.label, reported: c.reported })),
      openItems: r.openItems.map((o) => ({
        code: o.code,
        category: o.category,
        status: o.status,
        note: o.latestNote,
        description: o.description ?? null,
      })),
      fieldRecords: fieldwork.records,
    });
    return { buffer, filename: `${org.name}${m}安全生产会商简报.docx` };
  }
}
