import { Injectable, NotFoundException } from '@nestjs/common';
import { readPrepared } from '../../common/db/prepared';
import { InjectRepository } from '@nestjs/typeorm';
import { HAZARD_STATUSES, HazardLedgerDto, HazardStatus, isOfficer } from '@xiangan/shared';
import { DataSource, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime } from '../../common/db/dialect';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import type { Media } from '../media/media.entity';
import { MediaService } from '../media/media.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { HazardListQueryDto } from './dto/hazard.dto';
import { mapHazardSummary } from './dto/hazard.mapper';
import { HazardAccess } from './hazard-access';
import { HazardEvent } from './hazard-event.entity';
import { ExportFacts, exportFacts } from './hazard-export';
import { HazardLedgerFastPlan, PageSql } from './hazard-ledger-fast';
import { LedgerFilter, ledgerFilter, OPEN_WORK, orderByUrgency, whereLedger, whereState } from './hazard-ledger-filter';
import { Hazard } from './hazard.entity';
import { marks } from '../../common/db/sql';

/** Most index entries the ledger will walk in urgency order for one page before it prefers per-unit walks. */
export const RANK_WALK_MAX = 5_000;

/** What a ledger row (mapHazardSummary) reads of a hazard. */
const SUMMARY_COLUMNS = [
  'id',
  'code',
  'category',
  'level',
  'status',
  'description',
  'address',
  'orgId',
  'responsibleOrgId',
  'deadline',
  'contactPhone',
  'createdAt',
  'closedAt',
] as const;
type HazardSummaryRow = Pick<Hazard, (typeof SUMMARY_COLUMNS)[number]>;

/**
 * The ledger (台账): its filters, counts per state, the page in urgency order, the choice between the fast plan
 * (HazardLedgerFastPlan: an officer's subtree, from the tally and the urgency indexes) and the plain queries, the
 * page's rows, and the export's rows.
 */
@Injectable()
export class HazardLedgerService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly media: MediaService,
    private readonly access: HazardAccess,
    private readonly fastPlan: HazardLedgerFastPlan,
  ) {}

  /** Most index entries one ledger page may walk in urgency order before per-unit walks are preferred (tests move it). */
  ledgerWalkMax = RANK_WALK_MAX;

  /** The request's filters, its unit resolved (an officer's must be in scope); a resident sees only their own reports. */
  private async filterOf(user: AuthUser, q: HazardListQueryDto): Promise<LedgerFilter> {
    const officer = isOfficer(user.role);
    let orgPath: string | null = null;
    if (q.orgId) {
      const org = officer ? await this.scope.requireOrg(user, q.orgId) : await this.orgs.findOne({ where: { id: q.orgId } });
      if (!org) throw new NotFoundException(`单位 ${q.orgId} 不存在`);
      orgPath = org.path;
    }
    return ledgerFilter(q, !officer || !!q.mine, orgPath);
  }

  /** The caller's hazards under every filter but the state ones. */
  private base(user: AuthUser, f: LedgerFilter): SelectQueryBuilder<Hazard> {
    const qb = this.hazards.createQueryBuilder('h');
    this.access.applyScope(qb, user);
    return whereLedger(this.ds, qb, user.id, f);
  }

  /**
   * The ledger. Counts per state answer the same filters except state; the page is sorted by urgency
   * (open major hazards, then overdue, then newest). Ids are picked from the index first and rows
   * fetched after ("deferred join"), so a deep town subtree sorts index entries, not whole rows.
   */
  async list(user: AuthUser, q: HazardListQueryDto): Promise<HazardLedgerDto> {
    const { page, pageSize, skip } = pageOf(q);
    const now = new Date();
    const f = await this.filterOf(user, q);
    const t = (d: Date) => dbTime(d);

    // Officers over a subtree (not departments, whose scope is two paths; not text search): counts and overdue
    // from hazard_tally, the page from one index walk in urgency order (a subtree holding much of everything)
    // or merged from per-unit walks (a small one). Everything else: the plain queries below.
    const fast = isOfficer(user.role) && user.role !== 'department_officer' && !f.mine && !f.text;
    const subtree = f.orgPath ?? this.scope.prefix(user);
    const keyFilter = { category: f.category, level: f.level };
    const tallied = fast && !f.from && !f.to;

    // The reads that do not depend on each other go out together (each is one round trip on its own pool
    // connection): the counts — carrying, when a filter makes the subtree's matches few so per-unit walks are
    // likely, the units holding matches — and the stale-work check of the fast page. The page waits for them, and
    // its rows come with it in one statement.
    // every filter, state ones too (built only when a plain query needs it: the fast plan reads without it)
    const listQb = () => {
      const qb = this.base(user, f);
      whereState(this.ds, qb, f, now);
      return qb;
    };
    const keyed = !!(f.statuses || f.category || f.level || f.overdue === true);
    // the fast plan's reads are plain SQL (building and cloning a QueryBuilder for each was a tenth of its CPU)
    const raw = fast ? this.fastPlan.where(user, f, now) : null;
    // Stale work is open work past its deadline: a page of other states only (待审核, 已销号 …) or of work not
    // overdue has none, and is not asked (half the ledger pages an officer opens are one state's).
    const mayBeStale = (!f.statuses || f.statuses.some((s) => (OPEN_WORK as string[]).includes(s))) && f.overdue !== false;
    const staleP = raw ? (mayBeStale ? this.fastPlan.staleWork(raw.all, now) : Promise.resolve([])) : null;
    // (only below the county: a county's filtered matches are many, so its page walks the index and the units read
    // would be a wasted 5–7 ms of database time at 1M hazards — measured, the county+category p50 doubled with it)
    const belowCounty = !!subtree && subtree.split('/').filter(Boolean).length > 1;
    const unitsFor = fast && tallied && keyed && belowCounty ? { ...keyFilter, statuses: f.statuses } : null;
    const everythingP = fast && tallied ? this.fastPlan.everything() : null;
    // a speculative read the plan ends up not needing must not become an unhandled rejection
    for (const p of [staleP, everythingP]) p?.catch(() => undefined);

    let counts: HazardLedgerDto['counts'];
    let unitsRead: number[] | null = null;
    if (tallied) ({ counts, units: unitsRead } = await this.fastPlan.counts(subtree, keyFilter, raw!.base, now, unitsFor));
    else {
      counts = {};
      for (const s of HAZARD_STATUSES) counts[s] = 0;
      const [countRows, od] = await Promise.all([
        this.base(user, f).select('h.status', 'status').addSelect('COUNT(*)', 'n').groupBy('h.status').getRawMany<{ status: HazardStatus; n: string }>(),
        this.base(user, f)
          .useIndex('idx_hazard_work')
          .select('COUNT(*)', 'n')
          .andWhere('h.status IN (:...work) AND h.deadline < :now', { work: OPEN_WORK, now: t(now) })
          .getRawOne<{ n: string }>(),
      ]);
      for (const r of countRows) counts[r.status] = Number(r.n);
      counts.overdue = Number(od?.n ?? 0);
    }
    const stateTotal = (f.statuses ?? HAZARD_STATUSES).reduce((a, st) => a + (counts[st as HazardStatus] ?? 0), 0);

    const total =
      tallied && f.overdue === undefined
        ? stateTotal
        : !f.statuses && f.overdue === undefined
          ? stateTotal
          : f.overdue === true && !f.statuses
            ? (counts.overdue ?? 0)
            : Number((await listQb().select('COUNT(*)', 'n').getRawOne<{ n: string }>())?.n ?? 0);

    let pageIds: number[] | PageSql | null = null;
    if (fast) {
      const stale = (await staleP)!;
      // Walking the urgency index reads about (skip + pageSize) × everything ÷ this subtree's matches entries.
      const matches = f.overdue === true ? (counts.overdue ?? 0) : stateTotal;
      const walk = tallied && matches > 0 ? ((skip + pageSize) * (await everythingP!)) / matches : Infinity;
      if (walk <= this.ledgerWalkMax) pageIds = await this.fastPlan.page(stale, { walk: subtree }, f, skip, pageSize, now);
      else {
        // Per-unit walks read about units × (skip + pageSize) entries: take whichever plan reads less.
        const units = unitsRead ?? (await this.fastPlan.units(subtree, { ...keyFilter, statuses: f.statuses }));
        pageIds =
          this.ledgerWalkMax > 0 && walk <= units.length * (skip + pageSize)
            ? await this.fastPlan.page(stale, { walk: subtree }, f, skip, pageSize, now)
            : await this.fastPlan.page(stale, { units }, f, skip, pageSize, now);
      }
    }
    if (!pageIds) {
      const qb = listQb();
      if (f.overdue === true) qb.useIndex('idx_hazard_work');
      const idRows = await orderByUrgency(this.ds, qb.select('h.id', 'id'), now).offset(skip).limit(pageSize).getRawMany<{ id: number | string }>();
      pageIds = idRows.map((r) => Number(r.id));
    }
    const { rows, names, photos } = await this.summaryRows(pageIds, user);
    let ordered = rows;
    if (Array.isArray(pageIds)) {
      const byId = new Map(rows.map((r) => [r.id, r]));
      ordered = pageIds.map((id) => byId.get(id)!).filter(Boolean);
    }
    const items = ordered.map((h) => {
      const first = photos.get(h.id);
      return mapHazardSummary(h, names, first ? this.media.refOf(first, user).thumbUrl : null, now);
    });
    return { items, total, page, pageSize, counts };
  }

  /**
   * The ledger page's rows: only the columns a summary shows, with both unit names and the first photo the caller
   * may see (its id and verdict: what the thumbnail's signed URL needs) joined, in one plain query. (Loading whole
   * Hazard entities, then the names, then the photos was three TypeORM finds — their query building and entity
   * hydration were a tenth of a ledger page's server CPU, and each a round trip, bench/RESULTS.md.) Each value is
   * converted by the driver exactly as TypeORM converts it when it hydrates the entity (dates from either dialect).
   */
  private async summaryRows(
    page: number[] | PageSql,
    user: AuthUser,
  ): Promise<{ rows: HazardSummaryRow[]; names: Map<number, string>; photos: Map<number, { id: number; secStatus: Media['secStatus'] }> }> {
    const names = new Map<number, string>();
    const photos = new Map<number, { id: number; secStatus: Media['secStatus'] }>();
    if (Array.isArray(page) && !page.length) return { rows: [], names, photos };
    const meta = this.ds.getMetadata(Hazard);
    const cols = SUMMARY_COLUMNS.map((p) => meta.findColumnWithPropertyName(p)!);
    const visible = this.media.visibleBySecuritySql(user, 'm');
    const select = `SELECT ${cols.map((c) => `h.${c.databaseName} AS ${c.propertyName}`).join(', ')}, o.name AS orgName, r.name AS responsibleOrgName,
              p.id AS photoId, p.secStatus AS photoSec`;
    const joins = `LEFT JOIN org_unit o ON o.id = h.orgId LEFT JOIN org_unit r ON r.id = h.responsibleOrgId
         LEFT JOIN media p ON p.id = (SELECT MIN(m.id) FROM media m WHERE m.entityKind = 'hazard' AND m.entityId = h.id AND ${visible.sql})`;
    // the page's ids chosen and its rows read in one statement (one round trip and one statement fewer per page),
    // in the page's order; or the rows of ids chosen before
    const raw: Record<string, unknown>[] = Array.isArray(page)
      ? await readPrepared(this.ds, `${select} FROM hazard h ${joins} WHERE h.id IN (${marks(page.length)})`, [...visible.params, ...page])
      : await readPrepared(
          this.ds,
          `${select} FROM (${page.sql}) pg JOIN hazard h ON h.id = pg.id ${joins} ORDER BY pg.priority DESC, pg.createdAt DESC, pg.id DESC`,
          [...page.params, ...visible.params],
        );
    const driver = this.ds.driver;
    const rows = raw.map((r) => {
      const row = {} as Record<string, unknown>;
      for (const c of cols) row[c.propertyName] = driver.prepareHydratedValue(r[c.propertyName], c);
      const h = row as unknown as HazardSummaryRow;
      if (r.orgName != null) names.set(h.orgId, String(r.orgName));
      if (h.responsibleOrgId && r.responsibleOrgName != null) names.set(h.responsibleOrgId, String(r.responsibleOrgName));
      if (r.photoId != null) photos.set(h.id, { id: Number(r.photoId), secStatus: r.photoSec as Media['secStatus'] });
      return h;
    });
    return { rows, names, photos };
  }

  /**
   * The export's rows in the ledger's order (open major hazards, then overdue, then newest), with what the timeline
   * adds (整改措施, 验收, 上报县级, 县级答复). Paged by offset over the same order (at most HAZARD_EXPORT_MAX_ROWS rows).
   */
  async *exportRows(user: AuthUser, q: HazardListQueryDto, max: number): AsyncGenerator<{ h: Hazard; names: Map<number, string>; facts: ExportFacts }> {
    const now = new Date();
    const f = await this.filterOf(user, q);
    let sent = 0;
    const allOrgs = await this.orgs.find({ select: ['id', 'name'] });
    const names = new Map(allOrgs.map((o) => [o.id, o.name]));
    while (sent < max) {
      const qb = this.base(user, f);
      whereState(this.ds, qb, f, now);
      const ids = (
        await orderByUrgency(this.ds, qb.select('h.id', 'id').addSelect('h.createdAt', 'createdAt'), now)
          .offset(sent)
          .limit(Math.min(1000, max - sent))
          .getRawMany<{ id: number | string }>()
      ).map((r) => Number(r.id));
      if (!ids.length) return;
      const rows = await this.hazards.find({ where: { id: In(ids) } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const events = await this.events.find({
        where: { hazardId: In(ids), action: In(['rectify', 'verify', 'escalate', 'answer', 'remind']) },
        select: ['id', 'hazardId', 'action', 'note', 'data', 'createdAt', 'dedupeKey'],
        order: { id: 'ASC' },
      });
      const byHazard = new Map<number, HazardEvent[]>();
      for (const e of events) byHazard.set(e.hazardId, [...(byHazard.get(e.hazardId) ?? []), e]);
      for (const id of ids) {
        const h = byId.get(id);
        if (h) yield { h, names, facts: exportFacts(byHazard.get(id) ?? []) };
      }
      sent += ids.length;
      if (ids.length < 1000) return;
    }
  }
}
