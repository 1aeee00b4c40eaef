import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { HAZARD_OPEN_STATUSES, HandoverResult, isOfficer, maskPhone, Paginated, PersonDto, ROLE_LABELS } from '@xiangan/shared';
import { DataSource, IsNull, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { Hazard } from '../hazards/hazard.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { PledgeCampaign } from '../pledges/pledge.entities';
import { User } from '../users/user.entity';
import { assertCanGrant, assertCanManage } from './authority';
import { HandoverDto, PeopleQueryDto, UpdatePersonDto } from './dto/admin.dto';
import { PeopleAudit } from './people-audit';
import { fieldError, fieldErrors } from '../../common/http/field-labels';
import { unitNames } from '../../common/db/unit-names';

/** People in the caller's subtree: find, change role / unit, disable, hand an officer's open work to another. */
@Injectable()
export class PeopleService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly audit: PeopleAudit,
  ) {}

  async list(actor: AuthUser, q: PeopleQueryDto): Promise<Paginated<PersonDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.users.createQueryBuilder('u');
    this.scope.restrict(qb, 'u.orgPath', actor);
    if (!q.includeDisabled) qb.andWhere('u.disabled = :d', { d: false });
    if (q.orgId) {
      const org = await this.scope.requireOrg(actor, q.orgId);
      this.scope.restrict(qb, 'u.orgPath', org.path, 'op');
    }
    if (q.role) qb.andWhere('u.role = :role', { role: q.role });
    if (q.officersOnly) qb.andWhere('u.role <> :res', { res: 'resident' });
    if (q.q) {
      const text = q.q.trim().replace(/[%_\\]/g, '');
      if (/^\d{3,11}$/.test(text)) qb.andWhere('(u.phone LIKE :ph OR u.name LIKE :nm)', { ph: `%${text}%`, nm: `%${text}%` });
      else qb.andWhere('u.name LIKE :nm', { nm: `%${text}%` });
    }
    const [rows, total] = await qb.orderBy('u.id', 'ASC').skip(skip).take(pageSize).getManyAndCount();
    return { items: await this.toDtos(rows), total, page, pageSize };
  }

  async update(actor: AuthUser, id: number, dto: UpdatePersonDto): Promise<PersonDto> {
    if (dto.role === undefined && dto.orgId === undefined && dto.disabled === undefined)
      throw fieldErrors([{ field: 'role', message: '角色、单位、停用至少填写一项' }]);
    return this.ds.transaction(async (m) => {
      const row = await m.findOne(User, { where: { id } });
      if (!row) throw new NotFoundException(`用户 ${id} 不存在`);
      assertCanManage(actor, row, this.scope);
      if (row.id === actor.id && (dto.disabled || (dto.role && dto.role !== row.role))) throw new ForbiddenException('不能停用自己或修改自己的角色');
      const before = { role: row.role, orgId: row.orgId, orgPath: row.orgPath, disabled: row.disabled };
      const role = dto.role ?? row.role;
      let org: OrgUnit | null = null;
      const orgId = dto.orgId ?? row.orgId;
      if (orgId) {
        org = await m.findOne(OrgUnit, { where: { id: orgId } });
        if (!org || (org.archived && dto.orgId)) throw new NotFoundException(`单位 ${orgId} 不存在`);
      }
      if (dto.role !== undefined || dto.orgId !== undefined) {
        if (role === 'resident') {
          if (org && !this.scope.covers(actor, org.path)) throw new ForbiddenException(`单位「${org.name}」不在您的管辖范围内`);
        } else assertCanGrant(actor, role, org, this.scope);
      }
      row.role = role;
      row.orgId = org?.id ?? null;
      row.orgPath = org?.path ?? null;
      if (dto.disabled !== undefined) row.disabled = dto.disabled;
      await m.save(row);
      await this.audit.changed(m, actor, row, before);
      return (await this.toDtos([row], m))[0];
    });
  }

  /**
   * An officer leaves: their open hazards (responsible person) and open campaigns (run by them) go to another
   * officer in scope, in one transaction; by default the leaver's account is disabled in the same step.
   */
  async handover(actor: AuthUser, id: number, dto: HandoverDto): Promise<HandoverResult> {
    if (dto.toUserId === id) throw fieldError('toUserId', '不能是离任者本人');
    return this.ds.transaction(async (m) => {
      const from = await m.findOne(User, { where: { id } });
      if (!from) throw new NotFoundException(`用户 ${id} 不存在`);
      assertCanManage(actor, from, this.scope);
      const to = await m.findOne(User, { where: { id: dto.toUserId } });
      if (!to || !this.scope.covers(actor, to.orgPath)) throw new NotFoundException(`接手干部（编号 ${dto.toUserId}）不存在`);
      if (to.disabled || !isOfficer(to.role))
        throw fieldErrors([{ field: 'toUserId', message: `接手的干部：${to.name ?? '该用户'}不是在职干部，不能接手工作` }]);
      const hazards = await m
        .createQueryBuilder()
        .update(Hazard)
        .set({ responsibleUserId: to.id })
        .where('responsibleUserId = :id AND status IN (:...open)', { id: from.id, open: HAZARD_OPEN_STATUSES })
        .execute();
      const campaigns = await m
        .createQueryBuilder()
        .update(PledgeCampaign)
        .set({ createdById: to.id })
        .where({ createdById: from.id, closedAt: IsNull() })
        .execute();
      const before = { role: from.role, orgId: from.orgId, orgPath: from.orgPath, disabled: from.disabled };
      const disable = dto.disable ?? true;
      if (disable && from.id === actor.id) throw new ConflictException('不能停用自己的账号');
      if (disable) from.disabled = true;
      await m.save(from);
      await this.audit.changed(m, actor, from, before, { handoverTo: to.id, hazards: hazards.affected ?? 0, campaigns: campaigns.affected ?? 0 });
      return { hazards: hazards.affected ?? 0, campaigns: campaigns.affected ?? 0, disabled: from.disabled };
    });
  }

  private async toDtos(rows: User[], m = this.ds.manager): Promise<PersonDto[]> {
    const ids = rows.map((r) => r.id);
    const orgNames = await unitNames(
      m,
      rows.map((r) => r.orgId),
    );
    const count = async (q: Promise<{ k: number; n: string | number }[]>) => new Map((await q).map((x) => [Number(x.k), Number(x.n)]));
    const hz = ids.length
      ? await count(
          m
            .createQueryBuilder(Hazard, 'h')
            .select('h.responsibleUserId', 'k')
            .addSelect('COUNT(*)', 'n')
            .where('h.responsibleUserId IN (:...ids) AND h.status IN (:...open)', { ids, open: HAZARD_OPEN_STATUSES })
            .groupBy('h.responsibleUserId')
            .getRawMany(),
        )
      : new Map<number, number>();
    const cp = ids.length
      ? await count(
          m
            .createQueryBuilder(PledgeCampaign, 'c')
            .select('c.createdById', 'k')
            .addSelect('COUNT(*)', 'n')
            .where('c.createdById IN (:...ids) AND c.closedAt IS NULL', { ids })
            .groupBy('c.createdById')
            .getRawMany(),
        )
      : new Map<number, number>();
    return rows.map((u) => ({
      id: u.id,
      name: u.name,
      phone: maskPhone(u.phone),
      role: u.role,
      roleLabel: ROLE_LABELS[u.role],
      orgId: u.orgId,
      orgName: u.orgId ? (orgNames.get(u.orgId) ?? null) : null,
      disabled: u.disabled,
      openHazards: hz.get(u.id) ?? 0,
      openCampaigns: cp.get(u.id) ?? 0,
      createdAt: u.createdAt.toISOString(),
    }));
  }
}
