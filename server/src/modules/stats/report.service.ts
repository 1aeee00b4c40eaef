import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { todayInChina } from '../fieldwork/fieldwork.service';
import { HazardEvent } from '../hazards/hazard-event.entity';
import { Hazard } from '../hazards/hazard.entity';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { buildMonthlyBrief, buildYearReport, OpenItem } from './report-docx';
import { addDays, cnDayStart, dbTime, num } from './sql';
import { Period, StatsService } from './stats.service';

@Injectable()
export class ReportService {
  constructor(@InjectDataSource() private readonly ds: DataSource, private readonly scope: ScopeService, private readonly stats: StatsService) {}

  async yearReport(user: AuthUser, orgId: number | undefined, p: Period): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, orgId);
    const s = await this.stats.summaryFor(org, p);
    const items = await this.openItems(org, p.to);
    const year = p.from.slice(0, 4);
    return { buffer: await buildYearReport(s, items), filename: `${org.name}${year}年度安全生产和消防工作总结.docx` };
  }

  async monthlyBrief(user: AuthUser, orgId: number | undefined, month?: string): Promise<{ buffer: Buffer; filename: string }> {
    const org = await this.scope.targetOrg(user, orgId);
    const m = month ?? todayInChina().slice(0, 7);
    const monthEnd = addDays(`${addMonth(m)}-01`, -1);
    const [inMonth, toDate] = await Promise.all([
      this.stats.summaryFor(org, { from: `${m}-01`, to: monthEnd }),
      this.stats.hazards(org, { from: `${m.slice(0, 4)}-01-01`, to: monthEnd }),
    ]);
    let closedInMonth = 0;
    if (this.ds.hasMetadata(Hazard)) {
      const row = await this.ds.getRepository(Hazard).createQueryBuilder('h').select('COUNT(*)', 'n')
        .where("h.orgPath LIKE :p AND h.status = 'closed' AND h.closedAt >= :from AND h.closedAt < :to", {
          p: `${org.path}%`, from: dbTime(cnDayStart(`${m}-01`)), to: dbTime(cnDayStart(addDays(monthEnd, 1))),
        }).getRawOne();
      closedInMonth = num(row?.n);
    }
    const buffer = await buildMonthlyBrief({
      orgName: org.name,
      month: m,
      reported: inMonth.hazards.found,
      closedInMonth,
      closedToDate: toDate.stats.closed,
      inProgress: toDate.stats.inProgress,
      escalated: toDate.stats.escalated,
      overdue: toDate.stats.overdue,
      byCategory: inMonth.hazards.byCategory.map((c) => ({ label: c.label, reported: c.found })),
      openItems: await this.openItems(org, monthEnd),
      fieldRecords: inMonth.fieldwork.records,
    });
    return { buffer, filename: `${org.name}${m}安全生产会商简报.docx` };
  }

  /** Hazards still being worked on, each with its latest note (what is being done). */
  private async openItems(org: OrgUnit, to: string, limit = 10): Promise<OpenItem[]> {
    if (!this.ds.hasMetadata(Hazard)) return [];
    const rows = await this.ds.getRepository(Hazard).createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.category', 'h.status'])
      .where("h.orgPath LIKE :p AND h.status IN ('assigned','rectifying','rectified') AND h.createdAt < :to", { p: `${org.path}%`, to: dbTime(cnDayStart(addDays(to, 1))) })
      .orderBy('h.createdAt', 'ASC')
      .limit(limit)
      .getMany();
    if (!rows.length || !this.ds.hasMetadata(HazardEvent)) return rows.map((h) => ({ code: h.code, category: h.category, status: h.status, note: null }));
    const notes = await this.ds.getRepository(HazardEvent).createQueryBuilder('e')
      .select(['e.hazardId', 'e.note', 'e.id'])
      .where('e.hazardId IN (:...ids) AND e.note IS NOT NULL', { ids: rows.map((h) => h.id) })
      .orderBy('e.id', 'DESC')
      .getMany();
    return rows.map((h) => ({ code: h.code, category: h.category, status: h.status, note: notes.find((e) => e.hazardId === h.id)?.note ?? null }));
  }
}

function addMonth(m: string): string {
  const [y, mm] = m.split('-').map(Number);
  return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
}

