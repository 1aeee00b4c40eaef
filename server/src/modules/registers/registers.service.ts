import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  beijingToday,
  INCIDENT_KIND_LABELS,
  IncidentDto,
  IncidentKind,
  IncidentPage,
  isCalendarDay,
  maskName,
  maskPhone,
  RESERVOIR_SIZE_LABELS,
  ReservoirSize,
  RISK_SITE_KIND_LABELS,
  RiskSiteDto,
  RiskSiteKind,
  RiskSitePage,
  SitePatrolDto,
  SitePatrolPage,
} from '@xiangan/shared';
import { DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { Hazard } from '../hazards/hazard.entity';
import { HazardIntakeService } from '../hazards/hazard-intake.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { IncidentDtoIn, IncidentQueryDto, RiskSiteDtoIn, RiskSiteQueryDto, SitePatrolDtoIn, SitePatrolQueryDto } from './dto/registers.dto';
import { Incident, RiskSite, SitePatrol } from './registers.entities';
import type { SqlRow } from '../../common/db/sql-row';
import type { CreateHazardDto } from '../hazards/dto/hazard.dto';
import { FieldProblem, fieldError, fieldErrors, problem } from '../../common/http/field-labels';

/** Risk-site register, patrols at the sites, incidents — every row under a unit, every request checked against scope. */
@Injectable()
export class RegistersService {
  constructor(
    @InjectRepository(Hazard) private readonly hazardsRepo: Repository<Hazard>,
    @InjectRepository(Incident) private readonly incidents: Repository<Incident>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(RiskSite) private readonly riskSites: Repository<RiskSite>,
    @InjectRepository(SitePatrol) private readonly sitePatrols: Repository<SitePatrol>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly hazards: HazardIntakeService,
  ) {}

  // ---- sites ------------------------------------------------------------------------------------------

  /** `unit`: the body's orgId as `@OrgScope` checked it; none named: the caller's own unit. */
  async createSite(user: AuthUser, dto: RiskSiteDtoIn, unit?: OrgUnit): Promise<RiskSiteDto> {
    const org = await this.scope.targetOrg(user, unit);
    await this.checkSite(user, dto);
    const row = await this.riskSites.save(this.riskSites.create({ ...this.siteFields(dto), orgId: org.id, orgPath: org.path, createdById: user.id }));
    return this.siteDetail(user, row.id);
  }

  /** PUT: the site's fields as given (a field left out is cleared, like a form sent whole). */
  async updateSite(user: AuthUser, id: number, dto: RiskSiteDtoIn, unit?: OrgUnit): Promise<RiskSiteDto> {
    const site = await this.loadSite(user, id);
    await this.checkSite(user, dto);
    const org = unit && unit.id !== site.orgId ? unit : null;
    Object.assign(site, this.siteFields(dto), org ? { orgId: org.id, orgPath: org.path } : {});
    await this.riskSites.save(site);
    if (org) await this.sitePatrols.update({ siteId: site.id }, { orgPath: org.path });
    return this.siteDetail(user, id);
  }

  /** Off the register from now on (still counted for the periods it was on it). */
  async archiveSite(user: AuthUser, id: number): Promise<RiskSiteDto> {
    const site = await this.loadSite(user, id);
    if (!site.archivedAt) await this.riskSites.update({ id }, { archivedAt: new Date() });
    return this.siteDetail(user, id);
  }

  async listSites(user: AuthUser, q: RiskSiteQueryDto, unit?: OrgUnit): Promise<RiskSitePage> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.riskSites.createQueryBuilder('s');
    this.scope.restrict(qb, 's.orgPath', user);
    if (unit) this.scope.restrict(qb, 's.orgPath', unit.path, 'op');
    if (q.kind) qb.andWhere('s.kind = :kind', { kind: q.kind });
    if (!q.archived) qb.andWhere('s.archivedAt IS NULL');
    const [rows, total] = await qb.orderBy('s.kind', 'ASC').addOrderBy('s.id', 'ASC').skip(skip).take(pageSize).getManyAndCount();
    const ctx = await this.siteContext(rows);
    // Lists mask the person responsible and the phone (personal data); the detail shows them to officers in scope.
    return { items: rows.map((r) => this.mapSite(r, ctx, true)), total, page, pageSize };
  }

  async getSite(user: AuthUser, id: number): Promise<RiskSiteDto> {
    return this.siteDetail(user, id);
  }

  private async siteDetail(user: AuthUser, id: number): Promise<RiskSiteDto> {
    const site = await this.loadSite(user, id);
    return this.mapSite(site, await this.siteContext([site]), false);
  }

  private siteFields(dto: RiskSiteDtoIn): Partial<RiskSite> {
    return {
      kind: dto.kind,
      name: dto.name,
      address: dto.address || null,
      lat: dto.lat ?? null,
      lng: dto.lng ?? null,
      sizeClass: dto.kind === 'reservoir' ? (dto.sizeClass ?? null) : null,
      responsibleName: dto.responsibleName || null,
      responsiblePhone: dto.responsiblePhone || null,
      warningSigns: dto.warningSigns ?? 0,
      enterpriseOrgId: dto.enterpriseOrgId ?? null,
      notes: dto.notes || null,
    };
  }

  private async checkSite(user: AuthUser, dto: RiskSiteDtoIn): Promise<void> {
    const errors: FieldProblem[] = [];
    if (dto.sizeClass && dto.kind !== 'reservoir') errors.push(problem('sizeClass', '只有水库填写'));
    if ((dto.lat === undefined) !== (dto.lng === undefined)) errors.push(problem('lat', '和经度要一起填写（或都不填）'));
    if (errors.length) throw fieldErrors(errors);
    if (dto.enterpriseOrgId) await this.scope.requireOrg(user, dto.enterpriseOrgId);
  }

  private async loadSite(user: AuthUser, id: number): Promise<RiskSite> {
    const s = await this.riskSites.findOne({ where: { id } });
    if (!s || !this.scope.covers(user, s.orgPath)) throw new NotFoundException(`风险点 ${id} 不存在`);
    return s;
  }

  private async siteContext(rows: RiskSite[]) {
    const ids = rows.map((r) => r.id);
    const orgIds = [...new Set(rows.map((r) => r.orgId))];
    const [orgs, patrols] = await Promise.all([
      orgIds.length ? this.orgs.find({ where: { id: In(orgIds) }, select: { id: true, name: true } }) : [],
      ids.length
        ? this.sitePatrols
            .createQueryBuilder('p')
            .select('p.siteId', 'siteId')
            .addSelect('COUNT(*)', 'n')
            .addSelect('MAX(p.date)', 'last')
            .where('p.siteId IN (:...ids)', { ids })
            .groupBy('p.siteId')
            .getRawMany()
        : [],
    ]);
    return {
      org: new Map(orgs.map((o) => [o.id, o.name])),
      patrols: new Map(patrols.map((p: SqlRow) => [Number(p.siteId), { n: Number(p.n), last: p.last as string }])),
    };
  }

  private mapSite(r: RiskSite, ctx: Awaited<ReturnType<RegistersService['siteContext']>>, masked: boolean): RiskSiteDto {
    const p = ctx.patrols.get(r.id);
    return {
      id: r.id,
      orgId: r.orgId,
      orgName: ctx.org.get(r.orgId) ?? null,
      kind: r.kind as RiskSiteKind,
      kindLabel: RISK_SITE_KIND_LABELS[r.kind as RiskSiteKind]?.label ?? r.kind,
      name: r.name,
      address: r.address,
      lat: r.lat,
      lng: r.lng,
      sizeClass: (r.sizeClass as ReservoirSize) ?? null,
      sizeLabel: r.sizeClass ? (RESERVOIR_SIZE_LABELS[r.sizeClass as ReservoirSize] ?? r.sizeClass) : null,
      responsibleName: masked ? maskName(r.responsibleName) : r.responsibleName,
      responsiblePhone: masked ? maskPhone(r.responsiblePhone) : r.responsiblePhone,
      warningSigns: r.warningSigns,
      enterpriseOrgId: r.enterpriseOrgId,
      notes: r.notes,
      archived: !!r.archivedAt,
      lastPatrolDate: p?.last ?? null,
      patrols: p?.n ?? 0,
      createdAt: r.createdAt.toISOString(),
    };
  }

  // ---- patrols ----------------------------------------------------------------------------------------

  async createPatrol(user: AuthUser, siteId: number, dto: SitePatrolDtoIn, clientKey?: string): Promise<SitePatrolDto> {
    const site = await this.loadSite(user, siteId);
    if (clientKey) {
      const again = await this.sitePatrols.findOne({ where: { createdById: user.id, clientKey } });
      if (again) return this.mapPatrols([again]).then((x) => x[0]);
    }
    if (site.archivedAt) throw fieldError('siteId', '已撤销，不能再登记巡查');
    const date = dto.date ?? beijingToday();
    checkDate(date);
    let hazardIds = await this.checkHazards(user, dto.hazardIds ?? []);
    // Problems found become ledger hazards at the site, through the ledger's own service.
    for (const [i, f] of (dto.findings ?? []).entries()) {
      const h = await this.hazards.create(
        user,
        {
          category: f.category,
          description: f.description,
          orgId: site.orgId,
          address: `${site.name}${site.address ? `（${site.address}）` : ''}`.slice(0, 200),
          ...(site.lat !== null && site.lng !== null ? { lat: site.lat, lng: site.lng } : {}),
        } as CreateHazardDto,
        clientKey ? `${clientKey.slice(0, 56)}:p${i}` : undefined,
      );
      hazardIds = [...new Set([...hazardIds, h.id])];
    }
    const row = await this.ds.transaction(async (tx) => {
      const saved = await tx.save(
        SitePatrol,
        tx.create(SitePatrol, {
          siteId: site.id,
          orgPath: site.orgPath,
          kind: site.kind,
          date,
          inspectors: dto.inspectors ?? 1,
          warningSigns: dto.warningSigns ?? null,
          hazardIds,
          notes: dto.notes || null,
          createdById: user.id,
          clientKey: clientKey ?? null,
        }),
      );
      if (dto.warningSigns !== undefined) await tx.update(RiskSite, { id: site.id }, { warningSigns: dto.warningSigns });
      return saved;
    });
    return (await this.mapPatrols([row]))[0];
  }

  async listPatrols(user: AuthUser, q: SitePatrolQueryDto, unit?: OrgUnit): Promise<SitePatrolPage> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.sitePatrols.createQueryBuilder('p');
    this.scope.restrict(qb, 'p.orgPath', user);
    if (unit) this.scope.restrict(qb, 'p.orgPath', unit.path, 'op');
    if (q.siteId) qb.andWhere('p.siteId = :sid', { sid: (await this.loadSite(user, q.siteId)).id });
    if (q.from) qb.andWhere('p.date >= :from', { from: q.from });
    if (q.to) qb.andWhere('p.date <= :to', { to: q.to });
    const [rows, total] = await qb.orderBy('p.date', 'DESC').addOrderBy('p.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    return { items: await this.mapPatrols(rows), total, page, pageSize };
  }

  private async mapPatrols(rows: SitePatrol[]): Promise<SitePatrolDto[]> {
    const siteIds = [...new Set(rows.map((r) => r.siteId))];
    const userIds = [...new Set(rows.map((r) => r.createdById))];
    const [sites, users] = await Promise.all([
      siteIds.length ? this.riskSites.find({ where: { id: In(siteIds) }, select: { id: true, name: true } }) : [],
      userIds.length ? this.users.find({ where: { id: In(userIds) }, select: { id: true, name: true } }) : [],
    ]);
    return rows.map((r) => ({
      id: r.id,
      siteId: r.siteId,
      siteName: sites.find((s) => s.id === r.siteId)?.name ?? '',
      kind: r.kind as RiskSiteKind,
      date: r.date,
      inspectors: r.inspectors,
      warningSigns: r.warningSigns,
      hazardIds: r.hazardIds ?? [],
      notes: r.notes,
      createdByName: users.find((u) => u.id === r.createdById)?.name ?? null,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  private async checkHazards(user: AuthUser, ids: number[]): Promise<number[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const rows = await this.hazardsRepo.find({ where: { id: In(unique) }, select: { id: true, orgPath: true } });
    for (const id of unique) {
      const h = rows.find((x) => x.id === id);
      if (!h || !this.scope.covers(user, h.orgPath)) throw fieldError('hazardIds', `中的隐患 ${id} 不存在或不在您的权限范围内`);
    }
    return unique;
  }

  // ---- incidents --------------------------------------------------------------------------------------

  async createIncident(user: AuthUser, dto: IncidentDtoIn, unit?: OrgUnit): Promise<IncidentDto> {
    const org = await this.scope.targetOrg(user, unit);
    checkDate(dto.date);
    if (dto.siteId) await this.loadSiteForBody(user, dto.siteId);
    const row = await this.incidents.save(this.incidents.create({ ...incidentFields(dto), orgId: org.id, orgPath: org.path, createdById: user.id }));
    return this.incidentDetail(user, row.id);
  }

  async updateIncident(user: AuthUser, id: number, dto: IncidentDtoIn, unit?: OrgUnit): Promise<IncidentDto> {
    const row = await this.loadIncident(user, id);
    checkDate(dto.date);
    if (dto.siteId) await this.loadSiteForBody(user, dto.siteId);
    const org = unit && unit.id !== row.orgId ? unit : null;
    Object.assign(row, incidentFields(dto), org ? { orgId: org.id, orgPath: org.path } : {});
    await this.incidents.save(row);
    return this.incidentDetail(user, id);
  }

  async deleteIncident(user: AuthUser, id: number): Promise<void> {
    const row = await this.loadIncident(user, id);
    await this.incidents.delete({ id: row.id });
  }

  async listIncidents(user: AuthUser, q: IncidentQueryDto, unit?: OrgUnit): Promise<IncidentPage> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.incidents.createQueryBuilder('i');
    this.scope.restrict(qb, 'i.orgPath', user);
    if (unit) this.scope.restrict(qb, 'i.orgPath', unit.path, 'op');
    if (q.kind) qb.andWhere('i.kind = :kind', { kind: q.kind });
    if (q.from) qb.andWhere('i.date >= :from', { from: q.from });
    if (q.to) qb.andWhere('i.date <= :to', { to: q.to });
    const [rows, total] = await qb.orderBy('i.date', 'DESC').addOrderBy('i.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    return { items: await this.mapIncidents(rows), total, page, pageSize };
  }

  async getIncident(user: AuthUser, id: number): Promise<IncidentDto> {
    return this.incidentDetail(user, id);
  }

  private async incidentDetail(user: AuthUser, id: number): Promise<IncidentDto> {
    return (await this.mapIncidents([await this.loadIncident(user, id)]))[0];
  }

  private async loadIncident(user: AuthUser, id: number): Promise<Incident> {
    const r = await this.incidents.findOne({ where: { id } });
    if (!r || !this.scope.covers(user, r.orgPath)) throw new NotFoundException(`事件 ${id} 不存在`);
    return r;
  }

  /** A site named in a request body: outside the caller's scope it is a 400 naming the field, as if it did not exist. */
  private async loadSiteForBody(user: AuthUser, id: number): Promise<RiskSite> {
    const s = await this.riskSites.findOne({ where: { id } });
    if (!s || !this.scope.covers(user, s.orgPath)) throw fieldError('siteId', `${id} 不存在`);
    return s;
  }

  private async mapIncidents(rows: Incident[]): Promise<IncidentDto[]> {
    const orgIds = [...new Set(rows.map((r) => r.orgId))];
    const orgs = orgIds.length ? await this.orgs.find({ where: { id: In(orgIds) }, select: { id: true, name: true } }) : [];
    return rows.map((r) => ({
      id: r.id,
      orgId: r.orgId,
      orgName: orgs.find((o) => o.id === r.orgId)?.name ?? null,
      kind: r.kind as IncidentKind,
      kindLabel: INCIDENT_KIND_LABELS[r.kind as IncidentKind] ?? r.kind,
      date: r.date,
      title: r.title,
      deaths: r.deaths,
      injuries: r.injuries,
      loss: Number(r.loss),
      siteId: r.siteId,
      description: r.description,
      createdAt: r.createdAt.toISOString(),
    }));
  }
}

function incidentFields(dto: IncidentDtoIn): Partial<Incident> {
  return {
    kind: dto.kind,
    date: dto.date,
    title: dto.title,
    deaths: dto.deaths ?? 0,
    injuries: dto.injuries ?? 0,
    loss: dto.loss ?? 0,
    siteId: dto.siteId ?? null,
    description: dto.description || null,
  };
}

function checkDate(date: string): void {
  if (!isCalendarDay(date)) throw fieldError('date', '不是真实的日子');
  if (date > beijingToday(1)) throw fieldError('date', '不能晚于今天');
  if (date < '2000-01-01') throw fieldError('date', '不能早于 2000 年 1 月 1 日');
}
