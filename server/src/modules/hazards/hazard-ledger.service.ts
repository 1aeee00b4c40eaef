import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { HAZARD_STATUSES, HazardLedgerDto, HazardStatus, isOfficer } from '@xiangan/shared';
import { DataSource, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime, isMysql, readTime } from '../../common/db/dialect';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import type { Media } from '../media/media.entity';
import { MediaService } from '../media/media.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { HazardListQueryDto } from './dto/hazard.dto';
import { mapHazardSummary } from './dto/hazard.mapper';
import { HazardAccess } from './hazard-access';
import { HazardCountService } from './hazard-counts.service';
import { HazardEvent } from './hazard-event.entity';
import { ExportFacts, exportFacts } from './hazard-export';
import { LedgerFilter, ledgerFilter, OPEN_WORK, orderByUrgency, rawLedgerConditions, whereLedger, whereState } from './hazard-ledger-filter';
import { chinaMonth, keyConditions, tallyUnitOf } from './hazard-tally';
import { Hazard } from './hazard.entity';
import { marks } from '../../common/db/sql';
import { subtreeSql } from '../../common/scope/subtree';

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
type StaleRow = { id: number | string; createdAt: Date | string };
type RawWhere = { conds: string[]; params: unknown[] };
/** A statement choosing one ledger page: its rows' `id`, `priority`, `createdAt`, the page's rows only. */
type PageSql = { sql: string; params: unknown[] };
const WORK_SQL = OPEN_WORK.map((x) => `'${x}'`).join(', ');

/** The ledger (台账): its filters, counts per state, the page in urgency order and how it is read, and the export's rows. */
@Injectable()
export class HazardLedgerService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly media: MediaService,
    private readonly counts: HazardCountService,
    private readonly access: HazardAccess,
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
    // connection): the counts, the stale-work check of the fast page, and — when a filter makes the subtree's
    // matches few, so per-unit walks are likely — the units holding matches. The page waits for them; the rows
    // and the photos of the page go out together after it.
    // every filter, state ones too (built only when a plain query needs it: the fast plan reads without it)
    const listQb = () => {
      const qb = this.base(user, f);
      whereState(this.ds, qb, f, now);
      return qb;
    };
    const keyed = !!(f.statuses || f.category || f.level || f.overdue === true);
    // the fast plan's reads are plain SQL (building and cloning a QueryBuilder for each was a tenth of its CPU)
    const raw = fast ? this.rawWhere(user, f, now) : null;
    const staleP = raw ? this.staleWork(raw.all, now) : null;
    // (only below the county: a county's filtered matches are many, so its page walks the index and the units read
    // would be a wasted 5–7 ms of database time at 1M hazards — measured, the county+category p50 doubled with it)
    const belowCounty = !!subtree && subtree.split('/').filter(Boolean).length > 1;
    const unitsP = fast && tallied && keyed && belowCounty ? this.counts.units(subtree, { ...keyFilter, statuses: f.statuses }) : null;
    const everythingP = fast && tallied ? this.everything() : null;
    // a speculative read the plan ends up not needing must not become an unhandled rejection
    for (const p of [staleP, unitsP, everythingP]) p?.catch(() => undefined);

    const counts: HazardLedgerDto['counts'] = {};
    for (const s of HAZARD_STATUSES) counts[s] = 0;
    if (tallied) {
      const unit = tallyUnitOf(subtree);
      const { month, start } = chinaMonth(now);
      let overdue = 0;
      const [tally, live] = await Promise.all([this.tallyCounts(unit, keyFilter, month), this.liveOverdue(raw!.base, start, now)]);
      for (const r of tally) {
        counts[r.status] = (counts[r.status] ?? 0) + Number(r.n);
        overdue += Number(r.overdue);
      }
      counts.overdue = overdue + live;
    } else {
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
      if (walk <= this.ledgerWalkMax) pageIds = await this.ledgerPage(stale, { walk: subtree }, f, skip, pageSize, now);
      else {
        // Per-unit walks read about units × (skip + pageSize) entries: take whichever plan reads less.
        const units = await (unitsP ?? this.counts.units(subtree, { ...keyFilter, statuses: f.statuses }));
        pageIds =
          this.ledgerWalkMax > 0 && walk <= units.length * (skip + pageSize)
            ? await this.ledgerPage(stale, { walk: subtree }, f, skip, pageSize, now)
            : await this.ledgerPage(stale, { units: units.map((u) => u.orgId) }, f, skip, pageSize, now);
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
      ? await this.ds.query(`${select} FROM hazard h ${joins} WHERE h.id IN (${marks(page.length)})`, [...visible.params, ...page])
      : await this.ds.query(`${select} FROM (${page.sql}) pg JOIN hazard h ON h.id = pg.id ${joins} ORDER BY pg.priority DESC, pg.createdAt DESC, pg.id DESC`, [
          ...page.params,
          ...visible.params,
        ]);
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

  /** How many hazards there are in all (tally unit 0): the ledger's planning estimate, re-read every 10 s. */
  private everythingCache = { n: 0, at: 0 };
  private async everything(): Promise<number> {
    if (Date.now() - this.everythingCache.at > 10_000) {
      const r = await this.ds.query('SELECT COALESCE(SUM(n), 0) AS n FROM hazard_tally WHERE unitId = 0');
      this.everythingCache = { n: Number(r[0]?.n ?? 0), at: Date.now() };
    }
    return this.everythingCache.n;
  }

  /**
   * The fast plan's conditions as plain SQL over alias `h`, as base() and whereState() put them: `base` the caller's
   * subtree and every filter but the state ones (what the counts answer), `all` with the state filters too.
   */
  private rawWhere(user: AuthUser, f: LedgerFilter, now: Date): { base: RawWhere; all: RawWhere } {
    const place: RawWhere = { conds: [], params: [] };
    for (const w of [this.scope.sql('h.orgPath', user), f.orgPath ? subtreeSql('h.orgPath', f.orgPath) : null]) {
      if (!w) continue;
      place.conds.push(w.sql);
      place.params.push(...w.params);
    }
    const join = (x: RawWhere): RawWhere => ({ conds: [...place.conds, ...x.conds], params: [...place.params, ...x.params] });
    return {
      base: join(rawLedgerConditions(this.ds, { ...f, statuses: undefined, overdue: undefined }, now)),
      all: join(rawLedgerConditions(this.ds, f, now)),
    };
  }

  /**
   * The subtree's counts per state from its tally rows, and how many of them fell due before this month (overdue
   * unless closed since: the tally moves them out). Grouped by state alone — the primary key's order, no temporary
   * table — and summed in the database: at 1M hazards a county's 2,800 tally rows take 0.9 ms this way against 2.3 ms
   * grouped by state and month with ~80 rows summed here (MariaDB, bench/RESULTS.md 2026-12-04 ledger).
   */
  private tallyCounts(
    unit: number,
    f: { category?: string; level?: string },
    month: string,
  ): Promise<{ status: HazardStatus; n: number | string; overdue: number | string }[]> {
    const key = keyConditions('', f);
    return this.ds.query(
      `SELECT status, SUM(n) AS n, SUM(CASE WHEN dueMonth <> '' AND dueMonth < ? THEN n ELSE 0 END) AS overdue
         FROM hazard_tally WHERE ${['unitId = ?', ...key.conds].join(' AND ')} GROUP BY status`,
      [month, unit, ...key.params],
    );
  }

  /** Work due earlier this month whose deadline has passed: a short range of idx_hazard_deadline. */
  private async liveOverdue(w: RawWhere, monthStart: Date, now: Date): Promise<number> {
    const hint = isMysql(this.ds) ? ' USE INDEX (idx_hazard_deadline)' : '';
    const r: { n: number | string }[] = await this.ds.query(
      `SELECT COUNT(*) AS n FROM hazard h${hint} WHERE ${[...w.conds, `h.status IN (${WORK_SQL}) AND h.deadline >= ? AND h.deadline < ?`].join(' AND ')}`,
      [...w.params, dbTime(monthStart), dbTime(now)],
    );
    return Number(r[0]?.n ?? 0);
  }

  /**
   * Open work of the page's filters past its deadline whose stored priority has not caught up yet (the minute
   * job): idx_hazard_stale. Null when there are 1000 or more (the page then takes the plain query).
   */
  private async staleWork(w: RawWhere, now: Date): Promise<StaleRow[] | null> {
    const hint = isMysql(this.ds) ? ' USE INDEX (idx_hazard_stale)' : '';
    const stale: StaleRow[] = await this.ds.query(
      `SELECT h.id AS id, h.createdAt AS createdAt FROM hazard h${hint} WHERE ${[
        ...w.conds,
        `h.status IN (${WORK_SQL}) AND h.priority = 0 AND h.deadline < ?`,
      ].join(' AND ')} LIMIT 1000`,
      [...w.params, dbTime(now)],
    );
    return stale.length >= 1000 ? null : stale;
  }

  /**
   * One page of the ledger in urgency order (priority DESC, createdAt DESC, id DESC) for an officer's subtree:
   * either one walk down idx_hazard_rank filtered by the subtree's path in the index (`walk`: cheap when the
   * subtree holds a good share of all hazards, e.g. a county), or per unit from idx_hazard_unit_page — each unit
   * walks its own entries in order and stops after skip + pageSize matches — merged (`units`: a town or a village).
   * Work past its deadline whose stored priority has not caught up yet (the minute job) is found by
   * idx_hazard_stale and ranked as overdue, so the order is exact. Null when the merge would read too much
   * (very deep pages of a big subtree): the caller falls back to the plain query. With no such stale work (the
   * usual case: the minute job keeps up) the database orders and cuts the page itself, and what comes back is that
   * statement, for the rows' read to wrap: the page costs one round trip instead of two.
   */
  private async ledgerPage(
    stale: StaleRow[] | null,
    plan: { walk: string | null } | { units: number[] },
    f: LedgerFilter,
    skip: number,
    pageSize: number,
    now: Date,
  ): Promise<number[] | PageSql | null> {
    if ('units' in plan && !plan.units.length) return [];
    if (!stale) return null;
    const limit = skip + pageSize + stale.length;
    if ('units' in plan && plan.units.length * limit > 50_000) return null;

    const { conds, params } = rawLedgerConditions(this.ds, f, now);
    const mysql = isMysql(this.ds);
    const order = `ORDER BY h.priority DESC, h.createdAt DESC, h.id DESC LIMIT ${limit}`;
    let sql: string;
    let all: unknown[];
    if ('walk' in plan) {
      const walk = plan.walk ? subtreeSql('h.orgPath', plan.walk) : null;
      const where = [...(walk ? [walk.sql] : []), ...conds];
      const hint = mysql ? ' FORCE INDEX (idx_hazard_rank)' : '';
      const cut = stale.length ? `LIMIT ${limit}` : `LIMIT ${pageSize} OFFSET ${skip}`;
      sql = `SELECT h.id, h.priority, h.createdAt FROM hazard h${hint}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY h.priority DESC, h.createdAt DESC, h.id DESC ${cut}`;
      all = [...(walk ? walk.params : []), ...params];
      if (!stale.length) return { sql, params: all };
    } else {
      const hint = mysql ? ' FORCE INDEX (idx_hazard_unit_page)' : '';
      const extra = conds.length ? ` AND ${conds.join(' AND ')}` : '';
      const parts: string[] = [];
      all = [];
      plan.units.forEach((u, i) => {
        parts.push(
          `SELECT id, priority, createdAt FROM (SELECT h.id, h.priority, h.createdAt FROM hazard h${hint} WHERE h.orgId = ${Number(u)}${extra} ${order}) u${i}`,
        );
        all.push(...params);
      });
      sql = parts.join(' UNION ALL ');
      if (!stale.length) return { sql: `${sql} ORDER BY priority DESC, createdAt DESC, id DESC LIMIT ${pageSize} OFFSET ${skip}`, params: all };
    }
    const rows: { id: number | string; priority: number | string; createdAt: Date | string }[] = await this.ds.query(sql, all);
    const ms = (v: unknown) => readTime(v)?.getTime() ?? NaN;
    const merged = new Map<number, { id: number; p: number; at: number }>();
    for (const r of rows) merged.set(Number(r.id), { id: Number(r.id), p: Number(r.priority), at: ms(r.createdAt) });
    for (const r of stale) {
      const cur = merged.get(Number(r.id));
      if (cur) cur.p = Math.max(cur.p, 1);
      else merged.set(Number(r.id), { id: Number(r.id), p: 1, at: ms(r.createdAt) });
    }
    return [...merged.values()]
      .sort((a, b) => b.p - a.p || b.at - a.at || b.id - a.id)
      .slice(skip, skip + pageSize)
      .map((r) => r.id);
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
