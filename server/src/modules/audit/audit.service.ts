import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AUDIT_ACTION_LABELS, AuditAction, AuditLogDto, Paginated } from '@xiangan/shared';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { AuditLogQueryDto } from './dto/audit.dto';
import { AuditLog } from './audit-log.entity';
import { fieldError } from '../../common/http/field-labels';

export interface AuditEntry {
  actor: AuthUser | null;
  action: AuditAction;
  /** Path of the unit whose data was accessed (`/1/2/`). */
  orgPath: string;
  targetType: string;
  targetId?: string | number | null;
  detail?: Record<string, unknown>;
}

/** Longest JSON a detail may take (it is a note, not a copy of the data). */
const DETAIL_MAX_CHARS = 2000;

/** The audit log: `record()` appends, `list()` reads for admins. Nothing updates or deletes an entry. */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditLog) private readonly auditLogs: Repository<AuditLog>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
  ) {}

  /**
   * Appends one entry. Pass the transaction's manager when the audited change is written in one, so the entry
   * and the change commit together; without it the entry is written at once (before a file is streamed out).
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    let detail = entry.detail ?? null;
    if (detail && JSON.stringify(detail).length > DETAIL_MAX_CHARS) detail = { truncated: true };
    const m = manager ?? this.ds.manager;
    await m.insert(AuditLog, {
      actorId: entry.actor?.id ?? null,
      actorName: entry.actor?.name?.slice(0, 50) ?? null,
      actorRole: entry.actor?.role ?? null,
      action: entry.action,
      orgPath: entry.orgPath || '/',
      targetType: entry.targetType.slice(0, 32),
      targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId).slice(0, 64),
      // a JSON column: TypeORM's deep-partial type does not know it is stored whole
      detail: detail as QueryDeepPartialEntity<AuditLog>['detail'],
    });
  }

  async list(user: AuthUser, q: AuditLogQueryDto): Promise<Paginated<AuditLogDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.auditLogs.createQueryBuilder('a');
    this.scope.restrict(qb, 'a.orgPath', user);
    if (q.orgId) {
      const org = await this.scope.requireOrg(user, q.orgId);
      this.scope.restrict(qb, 'a.orgPath', org.path, 'sub');
    }
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    if (q.actorId) qb.andWhere('a.actorId = :actorId', { actorId: q.actorId });
    const from = q.from ? new Date(q.from) : null;
    const to = q.to ? new Date(q.to) : null;
    if (from && to && from.getTime() >= to.getTime()) throw fieldError('from', '须早于结束时间', '开始时间');
    if (from) qb.andWhere('a.at >= :from', { from });
    if (to) qb.andWhere('a.at < :to', { to });
    const [rows, total] = await qb.orderBy('a.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    const orgIds = [...new Set(rows.map((r) => lastId(r.orgPath)).filter((x): x is number => !!x))];
    const orgs = orgIds.length ? await this.orgs.find({ where: { id: In(orgIds) }, select: { id: true, name: true } }) : [];
    const names = new Map(orgs.map((o) => [o.id, o.name]));
    const items = rows.map((r): AuditLogDto => {
      const orgId = lastId(r.orgPath);
      return {
        id: r.id,
        at: r.at.toISOString(),
        actorId: r.actorId,
        actorName: r.actorName,
        actorRole: r.actorRole,
        action: r.action,
        actionLabel: AUDIT_ACTION_LABELS[r.action] ?? r.action,
        orgId,
        orgName: orgId ? (names.get(orgId) ?? null) : null,
        targetType: r.targetType,
        targetId: r.targetId,
        detail: r.detail,
      };
    });
    return { items, total, page, pageSize };
  }
}

function lastId(path: string): number | null {
  const parts = path.split('/').filter(Boolean);
  const n = Number(parts[parts.length - 1]);
  return Number.isInteger(n) && n > 0 ? n : null;
}
