import { ConflictException, Injectable, NotFoundException, ForbiddenException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OFFICER_ROLES, Paginated, UserDto } from '@xiangan/shared';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { AuditService } from '../audit/audit.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { CreateUserDto, mapUser, UpdateUserDto, UserListQueryDto } from './dto/user.dto';
import { User } from './user.entity';
import { unitNames } from '../../common/db/unit-names';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly audit: AuditService,
  ) {}

  /** Users in the caller's subtree; phones masked for everyone but admins. */
  async list(user: AuthUser, q: UserListQueryDto): Promise<Paginated<UserDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.users.createQueryBuilder('u').where('u.disabled = :d', { d: false });
    this.scope.restrict(qb, 'u.orgPath', user);
    if (q.orgId) {
      const org = await this.scope.requireOrg(user, q.orgId);
      this.scope.restrict(qb, 'u.orgPath', org.path, 'op');
    }
    if (q.role) qb.andWhere('u.role = :role', { role: q.role });
    if (q.officersOnly) qb.andWhere('u.role IN (:...officers)', { officers: OFFICER_ROLES });
    if (q.q) qb.andWhere('u.name LIKE :q', { q: `%${q.q.replace(/[%_]/g, '')}%` });
    const [rows, total] = await qb.orderBy('u.id', 'ASC').skip(skip).take(pageSize).getManyAndCount();
    const names = await this.orgNames(rows.map((r) => r.orgId));
    return { items: rows.map((r) => mapUser(r, names.get(r.orgId ?? 0) ?? null, user.role === 'admin')), total, page, pageSize };
  }

  async create(user: AuthUser, dto: CreateUserDto): Promise<UserDto> {
    const org = await this.scope.requireOrg(user, dto.orgId);
    if (dto.openid && (await this.users.exist({ where: { openid: dto.openid } }))) throw new ConflictException('该微信账号已存在');
    const row = await this.users.manager.transaction(async (m) => {
      const saved = await m.save(this.users.create({ ...dto, openid: dto.openid ?? null, orgId: org.id, orgPath: org.path }));
      await this.audit.record(
        { actor: user, action: 'user.create', orgPath: org.path, targetType: 'user', targetId: saved.id, detail: { role: saved.role, orgId: org.id } },
        m,
      );
      return saved;
    });
    return mapUser(row, org.name, true);
  }

  async update(user: AuthUser, id: number, dto: UpdateUserDto): Promise<UserDto> {
    const row = await this.users.findOne({ where: { id } });
    if (!row) throw new NotFoundException(`用户 ${id} 不存在`);
    if (!this.scope.covers(user, row.orgPath ?? undefined)) throw new ForbiddenException(`用户 ${id} 不在您的管辖范围内`);
    const before = { role: row.role, orgId: row.orgId, orgPath: row.orgPath, disabled: row.disabled };
    let orgName: string | null = null;
    if (dto.orgId) {
      const org = await this.scope.requireOrg(user, dto.orgId);
      row.orgId = org.id;
      row.orgPath = org.path;
      orgName = org.name;
    }
    const { orgId: _o, ...rest } = dto;
    // only the fields sent (a DTO may carry absent ones as undefined)
    Object.assign(row, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    await this.users.manager.transaction(async (m) => {
      await m.save(row);
      // role, unit and access changes go to the audit log with the change, in the same transaction
      const at = { actor: user, targetType: 'user', targetId: row.id } as const;
      if (row.role !== before.role)
        await this.audit.record({ ...at, action: 'user.role_change', orgPath: row.orgPath ?? '/', detail: { from: before.role, to: row.role } }, m);
      if (row.orgId !== before.orgId)
        await this.audit.record({ ...at, action: 'user.org_change', orgPath: row.orgPath ?? '/', detail: { from: before.orgId, to: row.orgId } }, m);
      if (row.disabled !== before.disabled)
        await this.audit.record({ ...at, action: row.disabled ? 'user.disable' : 'user.enable', orgPath: row.orgPath ?? '/' }, m);
    });
    if (!orgName && row.orgId) orgName = (await this.orgs.findOne({ where: { id: row.orgId } }))?.name ?? null;
    return mapUser(row, orgName, true);
  }

  orgNames(ids: (number | null)[]): Promise<Map<number, string>> {
    return unitNames(this.orgs.manager, ids);
  }
}
