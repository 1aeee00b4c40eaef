import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { beijingMonthRange, HAZARD_CATEGORY_LABELS, HAZARD_OPEN_STATUSES, HazardCategory, HazardStatus, MonthlyReportDto } from '@xiangan/shared';
import { Brackets, DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { HazardEvent } from './hazard-event.entity';
import { Hazard } from './hazard.entity';
import { dbTime } from '../../common/db/dialect';
import { fieldError } from '../../common/http/field-labels';
import { subtreeWhere } from '../../common/scope/subtree';

/** Open and not handed to the county: what the town itself is still working on (正在办理). */
const IN_PROGRESS: HazardStatus[] = HAZARD_OPEN_STATUSES.filter((s) => s !== 'escalated');

/** The most 正在办理 items one monthly answer lists (oldest first); the figure counts them all. */
export const MONTHLY_OPEN_ITEMS_MAX = 100;

/**
 * 月会商: the figures the monthly safety meeting reads out. Definitions (also in docs/DECISIONS.md):
 * reported = reported in the month; closed (妥善处置) = closed in the month; inProgress (正在办理) =
 * still open (not escalated) among those reported by the month's end; escalated (上报县级) = hazards
 * escalated during the month; overdue = deadlines falling in the month (and already passed) that were
 * not rectified by then; rejected = rejected during the month.
 */
@Injectable()
export class MonthlyReportService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
  ) {}

  async monthly(user: AuthUser, orgId: number | undefined, month: string, now = new Date()): Promise<MonthlyReportDto> {
    const org = await this.scope.targetOrg(user, orgId);
    return this.forOrg(org, month, now);
  }

  /** The one definition of 月会商, for `/api/reports/monthly` and the Word brief (stats/report.service.ts) alike. */
  async forOrg(org: OrgUnit, month: string, now = new Date()): Promise<MonthlyReportDto> {
    const { start, end } = beijingMonthRange(month);
    if (start.getTime() > now.getTime()) throw fieldError('month', '不能是以后的月份');

    // Every hazard that can figure in the month: reported by its end and touched in or after it, or still open.
    const rows = await this.hazards
      .createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.category', 'h.status', 'h.description', 'h.orgPath', 'h.createdAt', 'h.closedAt', 'h.rectifiedAt', 'h.deadline'])
      .where(...subtreeWhere('h.orgPath', org.path, 'p'))
      .andWhere('h.createdAt < :end', { end: dbTime(end) })
      .andWhere(
        new Brackets((w) =>
          w
            .where('h.createdAt >= :start', { start: dbTime(start) })
            .orWhere('h.closedAt >= :start')
            .orWhere('h.deadline >= :start')
            .orWhere('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES }),
        ),
      )
      .getMany();

    const monthEvents = await this.events
      .createQueryBuilder('e')
      .innerJoin(Hazard, 'h', 'h.id = e.hazardId')
      .select('e.hazardId', 'hazardId')
      .addSelect('e.action', 'action')
      .where(...subtreeWhere('h.orgPath', org.path, 'p'))
      .andWhere('e.action IN (:...acts)', { acts: ['escalate', 'reject'] })
      .andWhere('e.createdAt >= :start AND e.createdAt < :end', { start: dbTime(start), end: dbTime(end) })
      .getRawMany<{ hazardId: number; action: string }>();
    const escalatedIds = new Set(monthEvents.filter((e) => e.action === 'escalate').map((e) => Number(e.hazardId)));
    const rejectedIds = new Set(monthEvents.filter((e) => e.action === 'reject').map((e) => Number(e.hazardId)));

    const inMonth = (d: Date | null) => !!d && d >= start && d < end;
    const cutoff = end < now ? end : now;
    const isReported = (h: Hazard) => inMonth(h.createdAt);
    const isClosed = (h: Hazard) => h.status === 'closed' && inMonth(h.closedAt);
    const isInProgress = (h: Hazard) => IN_PROGRESS.includes(h.status);
    const isOverdue = (h: Hazard) =>
      !!h.deadline &&
      inMonth(h.deadline) &&
      h.deadline < cutoff &&
      h.status !== 'rejected' &&
      (!h.rectifiedAt || h.rectifiedAt > h.deadline) &&
      (!h.closedAt || h.closedAt > h.deadline);

    const children = await this.orgs.find({ where: { parentId: org.id, archived: false }, order: { id: 'ASC' } });
    const byCat = new Map<HazardCategory, { reported: number; closed: number; inProgress: number }>();
    const byUnit = new Map<number, { reported: number; closed: number; inProgress: number }>(
      children.map((c) => [c.id, { reported: 0, closed: 0, inProgress: 0 }]),
    );
    const tally = (b: { reported: number; closed: number; inProgress: number }, h: Hazard) => {
      if (isReported(h)) b.reported++;
      if (isClosed(h)) b.closed++;
      if (isInProgress(h)) b.inProgress++;
    };
    for (const h of rows) {
      if (!isReported(h) && !isClosed(h) && !isInProgress(h)) continue;
      const c = byCat.get(h.category) ?? { reported: 0, closed: 0, inProgress: 0 };
      tally(c, h);
      byCat.set(h.category, c);
      const child = children.find((u) => h.orgPath.startsWith(u.path));
      if (child) tally(byUnit.get(child.id)!, h);
    }

    // 正在办理 lists exactly the hazards the figure counts (escalated ones are 上报县级, not the town's own work).
    const open = rows
      .filter(isInProgress)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, MONTHLY_OPEN_ITEMS_MAX);
    const notes = open.length
      ? await this.events.find({ where: { hazardId: In(open.map((h) => h.id)) }, select: ['hazardId', 'note', 'id'], order: { id: 'DESC' } })
      : [];
    const latest = new Map<number, string>();
    for (const e of notes) if (e.note && !latest.has(e.hazardId)) latest.set(e.hazardId, e.note);

    return {
      orgId: org.id,
      orgName: org.name,
      month,
      reported: rows.filter(isReported).length,
      closed: rows.filter(isClosed).length,
      inProgress: rows.filter(isInProgress).length,
      escalated: escalatedIds.size,
      overdue: rows.filter(isOverdue).length,
      rejected: rejectedIds.size,
      byCategory: [...byCat.entries()]
        .map(([category, v]) => ({ category, label: HAZARD_CATEGORY_LABELS[category], ...v }))
        .sort((a, b) => b.reported - a.reported || b.inProgress - a.inProgress),
      byUnit: children.map((c) => ({ orgId: c.id, orgName: c.name, ...byUnit.get(c.id)! })).filter((u) => u.reported || u.closed || u.inProgress),
      openItems: open.map((h) => ({
        code: h.code,
        category: HAZARD_CATEGORY_LABELS[h.category],
        status: h.status,
        latestNote: latest.get(h.id) ?? null,
        description: h.description ?? null,
        deadline: h.deadline ? h.deadline.toISOString() : null,
      })),
    };
  }
}
