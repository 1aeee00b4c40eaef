import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Boundary,
  boundaryBox,
  BOUNDARY_ORG_TYPES,
  isOfficer,
  LocateDto,
  ORG_CHILD_TYPES,
  ORG_TYPE_LABELS,
  OrgUnitDto,
  validateBoundary,
} from '@xiangan/shared';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { CreateOrgUnitDto, HazardSettingsDto, mapOrgUnit, SetBoundaryDto, UpdateOrgUnitDto } from './dto/org.dto';
import { UnitLocator } from './org-locate';
import { OrgUnit } from './org-unit.entity';
import { fieldError, fieldErrors } from '../../common/http/field-labels';

@Injectable()
export class OrgsService {
  constructor(
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly locator: UnitLocator,
  ) {}

  /**
   * The tree the caller may see: an officer's subtree; for a resident, their town (so they can pick
   * their village and the place of a hazard); everything for an admin.
   */
  async tree(user: AuthUser): Promise<OrgUnitDto[]> {
    let prefix: string | null;
    if (isOfficer(user.role)) prefix = this.scope.prefix(user);
    else prefix = await this.residentRoot(user);
    const qb = this.orgs.createQueryBuilder('o').where('o.archived = :a', { a: false }).orderBy('o.path', 'ASC').addOrderBy('o.id', 'ASC');
    if (prefix) this.scope.restrict(qb, 'o.path', prefix, 'p');
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
      throw fieldError(
        'type',
        `：${ORG_TYPE_LABELS[dto.type as keyof typeof ORG_TYPE_LABELS] ?? dto.type}不能放在${ORG_TYPE_LABELS[parent.type]}下面`,
        '单位类型',
      );
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

  /**
   * Sets a village's, community's or grid's boundary: validated GeoJSON stored on the unit with its box. Reports whose
   * position falls inside go to this unit (the deepest one when boundaries nest). `clearBoundary` removes it.
   */
  async setBoundary(user: AuthUser, id: number, dto: SetBoundaryDto): Promise<OrgUnitDto & { boundary: Boundary | null }> {
    const o = await this.scope.requireOrg(user, id);
    if (!(BOUNDARY_ORG_TYPES as readonly string[]).includes(o.type)) {
      throw fieldError('boundary', `只能给村、社区或网格设置（这个单位是${ORG_TYPE_LABELS[o.type]}）`);
    }
    if (dto.boundary === undefined || dto.boundary === null) throw fieldError('boundary', '不能为空（要清除边界请用删除）');
    const v = validateBoundary(dto.boundary);
    if ('errors' in v) throw fieldErrors(v.errors.map((message) => ({ field: 'boundary', message })));
    const box = boundaryBox(v.boundary);
    await this.orgs.update(o.id, { boundary: v.boundary, ...box });
    return { ...mapOrgUnit({ ...o, ...box }), boundary: v.boundary };
  }

  async clearBoundary(user: AuthUser, id: number): Promise<void> {
    const o = await this.scope.requireOrg(user, id);
    await this.orgs.update(o.id, { boundary: null, minLat: null, maxLat: null, minLng: null, maxLng: null });
  }

  async getBoundary(user: AuthUser, id: number): Promise<{ id: number; boundary: Boundary | null }> {
    await this.get(user, id);
    const row = await this.orgs.createQueryBuilder('o').addSelect('o.boundary').where('o.id = :id', { id }).getOne();
    return { id, boundary: row?.boundary ?? null };
  }

  /** A town's hazard settings: after how many overdue days reminders climb to the unit above. */
  async setHazardSettings(user: AuthUser, id: number, dto: HazardSettingsDto): Promise<OrgUnitDto> {
    const o = await this.scope.requireOrg(user, id);
    if (o.type !== 'town') throw fieldError('overdueClimbDays', `只能按镇设置（这个单位是${ORG_TYPE_LABELS[o.type]}）`);
    await this.orgs.update(o.id, { overdueClimbDays: dto.overdueClimbDays });
    return mapOrgUnit({ ...o, overdueClimbDays: dto.overdueClimbDays });
  }

  /** Which unit (and village) a position lies in, by the boundaries set (the report form picks the village from it). */
  async locate(lat: number, lng: number): Promise<LocateDto> {
    const u = await this.locator.locate({ lat, lng });
    if (!u) return { unit: null, village: null };
    let village: LocateDto['village'] = null;
    if (u.type === 'village' || u.type === 'community') village = { id: u.id, name: u.name };
    else {
      const chain = await this.orgs.findByIds(this.scope.ancestorIds(u.path));
      const v = chain.filter((c) => c.type === 'village' || c.type === 'community').sort((a, b) => b.path.length - a.path.length)[0];
      if (v) village = { id: v.id, name: v.name };
    }
    return { unit: { id: u.id, name: u.name, type: u.type }, village };
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
