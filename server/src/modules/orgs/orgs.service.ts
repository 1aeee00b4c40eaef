import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isOfficer, ORG_CHILD_TYPES, OrgUnitDto } from '@xiangan/shared';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { CreateOrgUnitDto, mapOrgUnit, UpdateOrgUnitDto } from './dto/org.dto';
import { OrgUnit } from './org-unit.entity';

@Injectable()
export class OrgsService {
  constructor(@InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>, private readonly scope: ScopeService) {}

  /**
   * The tree the caller may see: an officer's subtree; for a resident, their town (so they can pick
   * their village and the place of a hazard); everything for an admin.
   */
  async tree(user: AuthUser): Promise<OrgUnitDto[]> {
    let prefix: string | null;
    if (isOfficer(user.role)) prefix = this.scope.prefix(user);
    else prefix = await this.residentRoot(user);
    const qb = this.orgs.createQueryBuilder('o').where('o.archived = :a', { a: false }).orderBy('o.path', 'ASC').addOrderBy('o.id', 'ASC');
    if (prefix) qb.andWhere('o.path LIKE :p', { p: `${prefix}%` });
    const rows = await qb.getMany();
    return buildTree(rows.map(mapOrgUnit));
  }

  /** A resident sees the town around their unit; one with no unit yet sees every town (to choose). */
  private async residentRoot(user: AuthUser): Promise<string | null> {
    if (!user.orgPath) return null;
    const ids = this.scope.ancestorIds(user.orgPath);
    const chain = await this.orgs.findByIds(ids);
    const town = chain.find((o) => o.type === 'town');
    return town?.path ?? user.orgPath;
  }

  async get(user: AuthUser, id: number): Promise<OrgUnitDto> {
    const o = await this.orgs.findOne({ where: { id } });
    if (!o) throw new NotFoundException(`单位 ${id} 不存在`);
    if (isOfficer(user.role) && !this.scope.covers(user, o.path)) throw new ForbiddenException(`单位 ${id} 不在您的管辖范围内`);
    return mapOrgUnit(o);
  }

  async create(user: AuthUser, dto: CreateOrgUnitDto): Promise<OrgUnitDto> {
    const parent = await this.scope.requireOrg(user, dto.parentId);
    if (!ORG_CHILD_TYPES[parent.type].includes(dto.type)) {
      throw new BadRequestException([`type ${dto.type} cannot be placed under a ${parent.type}`]);
    }
    return this.orgs.manager.transaction(async (tx) => {
      const row = await tx.save(OrgUnit, tx.create(OrgUnit, { ...dto, parentId: parent.id, path: '/pending/' }));
      row.path = `${parent.path}${row.id}/`;
      await tx.update(OrgUnit, row.id, { path: row.path });
      return mapOrgUnit(row);
    });
  }

  async update(user: AuthUser, id: number, dto: UpdateOrgUnitDto): Promise<OrgUnitDto> {
    const o = await this.scope.requireOrg(user, id);
    Object.assign(o, dto);
    return mapOrgUnit(await this.orgs.save(o));
  }

  /** Archives a leaf unit; a unit with children must be emptied first. */
  async archive(user: AuthUser, id: number): Promise<void> {
    const o = await this.scope.requireOrg(user, id);
    const children = await this.orgs.count({ where: { parentId: o.id, archived: false } });
    if (children > 0) throw new ConflictException(`单位「${o.name}」下还有 ${children} 个下级单位，不能删除`);
    await this.orgs.update(o.id, { archived: true });
  }
}

export function buildTree(rows: OrgUnitDto[]): OrgUnitDto[] {
  const byId = new Map<number, OrgUnitDto>();
  for (const r of rows) byId.set(r.id, { ...r, children: [] });
  const roots: OrgUnitDto[] = [];
  for (const r of byId.values()) {
    const parent = r.parentId ? byId.get(r.parentId) : undefined;
    if (parent) parent.children!.push(r);
    else roots.push(r);
  }
  return roots;
}
