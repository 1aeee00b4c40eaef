import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { beijingToday, FieldRecordDto, FieldRecordPage, FieldRevisionDto, FieldType, isCalendarDay, isOfficer, validateFieldRecord } from '@xiangan/shared';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { RefsService } from '../../common/scope/refs.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { CreateFieldRecordDto, FieldRecordQueryDto, mapFieldRecord, UpdateFieldRecordDto } from './dto/field-record.dto';
import { FieldMetric, FieldRecord, FieldRecordHazard, FieldRecordRevision } from './field-record.entity';
import { FieldFacts, fieldMonthDeltas, fieldMonthUpsert } from './field-month.rollup';
import { isMysql } from '../../common/db/dialect';
import { HazardFindingsPort } from './hazard-findings.port';
import { fieldError, fieldErrors, problem } from '../../common/http/field-labels';

@Injectable()
export class FieldworkService {
  constructor(
    @InjectRepository(FieldRecord) private readonly fieldRecords: Repository<FieldRecord>,
    @InjectRepository(FieldRecordRevision) private readonly fieldRecordRevisions: Repository<FieldRecordRevision>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly findings: HazardFindingsPort,
    private readonly refs: RefsService,
  ) {}

  /** `unit`: the body's orgId as `@OrgScope` checked it; none named: the caller's own unit. */
  async create(type: FieldType, user: AuthUser, dto: CreateFieldRecordDto, clientKey?: string, unit?: OrgUnit): Promise<FieldRecordDto> {
    if (clientKey) {
      const again = await this.fieldRecords.findOne({ where: { createdById: user.id, clientKey } });
      if (again) return this.detail(user, again);
    }
    const errors = validateFieldRecord(type, dto.kind, dto.metrics, dto.sector);
    if (dto.findings?.length && type !== 'inspection' && type !== 'enforcement') errors.push(problem('findings', '只在安全检查和执法中填写'));
    if (errors.length) throw fieldErrors(errors);
    const org = await this.orgFor(user, unit);
    await this.checkUnits(user, dto.units?.map((u) => u.orgId).filter((x): x is number => !!x) ?? []);
    if (dto.units?.some((u) => !u.orgId && !u.name?.trim())) throw fieldError('units', '：每个单位须选择系统中的单位或填写名称');
    const date = dto.date ?? beijingToday();
    this.checkDate(date);
    let hazardIds = await this.checkHazards(user, dto.hazardIds ?? []);
    if (dto.findings?.length) {
      // Findings enter the ledger first (through the hazards module), then link back to this record.
      for (const f of dto.findings) if (f.orgId) await this.scope.requireOrg(user, f.orgId);
      hazardIds = [...new Set([...hazardIds, ...(await this.findings.createFromFindings(user, org, dto.findings, clientKey))])];
    }

    const saved = await this.ds.transaction(async (tx) => {
      const row = await tx.save(
        FieldRecord,
        tx.create(FieldRecord, {
          type,
          kind: dto.kind,
          date,
          orgId: org.id,
          orgPath: org.path,
          sector: dto.sector ?? null,
          campaign: dto.campaign?.trim() || null,
          title: dto.title?.trim() || null,
          metrics: cleanMetrics(dto.metrics),
          units: dto.units ?? [],
          hazardIds,
          party: dto.party?.trim() || null,
          tags: dto.tags ?? [],
          notes: dto.notes?.trim() || null,
          createdById: user.id,
          clientKey: clientKey ?? null,
        }),
      );
      await this.writeDerived(tx, row);
      await this.moveRollup(tx, null, factsOf(row));
      return row;
    });
    return this.detail(user, saved);
  }

  async list(type: FieldType, user: AuthUser, q: FieldRecordQueryDto, unit?: OrgUnit): Promise<FieldRecordPage> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.fieldRecords.createQueryBuilder('r').where('r.type = :type', { type });
    this.scope.restrict(qb, 'r.orgPath', user);
    if (unit) this.scope.restrict(qb, 'r.orgPath', unit.path, 'op');
    if (q.kind) qb.andWhere('r.kind = :kind', { kind: q.kind });
    if (q.sector) qb.andWhere('r.sector = :sector', { sector: q.sector });
    if (q.from) qb.andWhere('r.date >= :from', { from: q.from });
    if (q.to) qb.andWhere('r.date <= :to', { to: q.to });
    const [rows, total] = await qb.orderBy('r.date', 'DESC').addOrderBy('r.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    const names = await this.names(rows);
    return { items: rows.map((r) => mapFieldRecord(r, names)), total, page, pageSize };
  }

  async get(type: FieldType, user: AuthUser, id: number): Promise<FieldRecordDto> {
    return this.detail(user, await this.load(type, user, id));
  }

  async revisions(type: FieldType, user: AuthUser, id: number): Promise<FieldRevisionDto[]> {
    const r = await this.load(type, user, id);
    const revs = await this.fieldRecordRevisions.find({ where: { recordId: r.id }, order: { id: 'DESC' } });
    const users = await this.userNames(revs.map((v) => v.editedById));
    return revs.map((v) => ({
      id: v.id,
      editedById: v.editedById,
      editedByName: users.get(v.editedById) ?? null,
      editedAt: v.editedAt.toISOString(),
      previous: v.previous as FieldRevisionDto['previous'],
    }));
  }

  async update(type: FieldType, user: AuthUser, id: number, dto: UpdateFieldRecordDto, unit?: OrgUnit): Promise<FieldRecordDto> {
    const r = await this.load(type, user, id);
    const kind = dto.kind ?? r.kind;
    const metrics = dto.metrics ?? (dto.kind && dto.kind !== r.kind ? {} : (r.metrics ?? {}));
    const sector = dto.sector !== undefined ? dto.sector : r.sector;
    const errors = validateFieldRecord(type, kind, metrics, sector);
    if (errors.length) throw fieldErrors(errors);
    if (dto.date) this.checkDate(dto.date);
    const org = unit && unit.id !== r.orgId ? unit : null;
    if (dto.units) {
      await this.checkUnits(
        user,
        dto.units.map((u) => u.orgId).filter((x): x is number => !!x),
      );
      if (dto.units.some((u) => !u.orgId && !u.name?.trim())) throw fieldError('units', '：每个单位须选择系统中的单位或填写名称');
    }
    // Links the record already holds stay (an editor may not see every one); new ones are checked.
    const held = new Set(r.hazardIds ?? []);
    const hazardIds = dto.hazardIds
      ? (await this.checkHazards(
          user,
          dto.hazardIds.filter((x) => !held.has(x)),
        ),
        [...new Set(dto.hazardIds)])
      : (r.hazardIds ?? []);
    const previous = this.snapshot(r);
    await this.ds.transaction(async (tx) => {
      // What the statistics hold for this record now, read under its row lock (MySQL) so concurrent edits of one
      // record take turns: the rollup moves by (this edit) − (what the last committed edit left), never a stale read.
      const before = await this.storedFacts(tx, r.id);
      await tx.save(FieldRecordRevision, tx.create(FieldRecordRevision, { recordId: r.id, previous, editedById: user.id }));
      Object.assign(r, {
        kind,
        sector: sector ?? null,
        metrics: cleanMetrics(metrics),
        hazardIds,
        updatedById: user.id,
        revisionCount: r.revisionCount + 1,
        ...(dto.date ? { date: dto.date } : {}),
        ...(org ? { orgId: org.id, orgPath: org.path } : {}),
        ...(dto.campaign !== undefined ? { campaign: dto.campaign.trim() || null } : {}),
        ...(dto.title !== undefined ? { title: dto.title.trim() || null } : {}),
        ...(dto.units ? { units: dto.units } : {}),
        ...(dto.party !== undefined ? { party: dto.party.trim() || null } : {}),
        ...(dto.tags ? { tags: dto.tags } : {}),
        ...(dto.notes !== undefined ? { notes: dto.notes.trim() || null } : {}),
      });
      await tx.save(FieldRecord, r);
      await tx.delete(FieldMetric, { recordId: r.id });
      await tx.delete(FieldRecordHazard, { recordId: r.id });
      await this.writeDerived(tx, r);
      await this.moveRollup(tx, before, factsOf(r));
    });
    return this.detail(user, r);
  }

  /** The record's key columns and metric rows as stored (the rollup's `before` of an edit). */
  private async storedFacts(tx: EntityManager, id: number): Promise<FieldFacts | null> {
    const [rec] = await tx.query(`SELECT orgPath, date, type, kind, sector FROM field_record WHERE id = ?${isMysql(tx) ? ' FOR UPDATE' : ''}`, [id]);
    if (!rec) return null;
    const metrics: { metric: string; value: unknown }[] = await tx.query('SELECT metric, value FROM field_metric WHERE recordId = ?', [id]);
    return {
      orgPath: rec.orgPath,
      date: rec.date,
      type: rec.type,
      kind: rec.kind,
      sector: rec.sector ?? null,
      metrics: metrics.map((m) => [m.metric, Number(m.value)]),
    };
  }

  /** The statistics' monthly rollup moves by after − before: one upsert, rows in key order, last in the transaction. */
  private async moveRollup(tx: EntityManager, before: FieldFacts | null, after: FieldFacts): Promise<void> {
    const up = fieldMonthUpsert(fieldMonthDeltas(before, after), isMysql(tx));
    if (up) await tx.query(up[0], up[1]);
  }

  /** The metric rows and hazard links the statistics read, rebuilt from the record. */
  private async writeDerived(tx: EntityManager, r: FieldRecord): Promise<void> {
    const metrics = Object.entries(r.metrics ?? {}).filter(([, v]) => typeof v === 'number');
    if (metrics.length) {
      await tx.insert(
        FieldMetric,
        metrics.map(([metric, value]) => ({ recordId: r.id, orgPath: r.orgPath, date: r.date, type: r.type, kind: r.kind, sector: r.sector, metric, value })),
      );
    }
    const ids = [...new Set(r.hazardIds ?? [])];
    if (ids.length)
      await tx.insert(
        FieldRecordHazard,
        ids.map((hazardId) => ({ recordId: r.id, hazardId, orgPath: r.orgPath, date: r.date })),
      );
  }

  private snapshot(r: FieldRecord): Record<string, unknown> {
    const { id, type, kind, date, orgId, sector, campaign, title, metrics, units, hazardIds, party, tags, notes, updatedById, updatedAt } = r;
    return {
      id,
      type,
      kind,
      date,
      orgId,
      sector,
      campaign,
      title,
      metrics,
      units,
      hazardIds,
      party,
      tags,
      notes,
      updatedById,
      updatedAt: updatedAt?.toISOString?.() ?? updatedAt,
    };
  }

  private async load(type: FieldType, user: AuthUser, id: number): Promise<FieldRecord> {
    const r = await this.fieldRecords.findOne({ where: { id, type } });
    // Out of scope answers like missing: existence is not revealed.
    if (!r || !this.scope.covers(user, r.orgPath)) throw new NotFoundException(`记录 ${id} 不存在`);
    return r;
  }

  private async detail(_user: AuthUser, r: FieldRecord): Promise<FieldRecordDto> {
    return mapFieldRecord(r, await this.names([r]));
  }

  private async orgFor(user: AuthUser, unit?: OrgUnit): Promise<OrgUnit> {
    if (unit) return unit;
    if (!user.orgId) throw new ForbiddenException('您还没有所属单位');
    return this.scope.requireOrg(user, user.orgId);
  }

  private async checkUnits(user: AuthUser, ids: number[]): Promise<void> {
    if (!isOfficer(user.role)) throw new ForbiddenException();
    await this.scope.requireOrgs(user, ids);
  }

  private checkDate(date: string): void {
    if (!isCalendarDay(date)) throw fieldError('date', '不是真实的日子');
    if (date > beijingToday(1)) throw fieldError('date', '不能晚于今天');
  }

  /** Linked hazards: each one the caller could open by id (RefsService; 400 naming the field otherwise). */
  private async checkHazards(user: AuthUser, ids: number[]): Promise<number[]> {
    return this.refs.require(user, 'hazard', ids, 'hazardIds');
  }

  private async names(rows: FieldRecord[]) {
    const orgIds = new Set<number>();
    for (const r of rows) {
      orgIds.add(r.orgId);
      for (const u of r.units ?? []) if (u.orgId) orgIds.add(u.orgId);
    }
    const orgs = orgIds.size ? await this.orgs.find({ where: { id: In([...orgIds]) }, select: { id: true, name: true } }) : [];
    return { org: new Map(orgs.map((o) => [o.id, o.name])), user: await this.userNames(rows.map((r) => r.createdById)) };
  }

  private async userNames(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const users = await this.users.find({ where: { id: In(unique) }, select: { id: true, name: true } });
    return new Map(users.map((u) => [u.id, u.name ?? '']));
  }
}

/** What the rollup counts of a record: the same metric rows writeDerived stores. */
function factsOf(r: FieldRecord): FieldFacts {
  return {
    orgPath: r.orgPath,
    date: r.date,
    type: r.type,
    kind: r.kind,
    sector: r.sector ?? null,
    metrics: Object.entries(r.metrics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'),
  };
}

function cleanMetrics(m: Record<string, number> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}
