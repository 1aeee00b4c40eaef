import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  availableActions,
  canTransition,
  HAZARD_ACTION_LABELS,
  HAZARD_ACTION_ROLES,
  HAZARD_DUPLICATE_DAYS,
  HAZARD_DUPLICATE_RADIUS_M,
  HAZARD_MAP_MAX_POINTS,
  HAZARD_MAP_UNLOCATED_MAX,
  HazardMapDto,
  HAZARD_OPEN_STATUSES,
  HAZARD_REOPEN_DAYS,
  HAZARD_STATUS_LABELS,
  HAZARD_STATUSES,
  HAZARD_TRANSITIONS,
  HazardAction,
  HazardCreatedDto,
  HazardDetailDto,
  HazardEventDto,
  HazardLedgerDto,
  HazardStatus,
  isOfficer,
  isOverdue,
  maskPhone,
} from '@xiangan/shared';
import { Brackets, DataSource, EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { SequenceService } from '../../common/db/sequence.service';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { RefsService } from '../../common/scope/refs.service';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { MediaService } from '../media/media.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { ContentSecurityService } from '../wechat/content-security.service';
import { subscribeValue } from '../wechat/content-security.service';
import {
  AnswerHazardDto,
  AssignHazardDto,
  ConfirmFixedDto,
  CreateHazardDto,
  EscalateHazardDto,
  HazardListQueryDto,
  MapQueryDto,
  NoteDto,
  RectifyHazardDto,
  RejectHazardDto,
  ReopenHazardDto,
  StartHazardDto,
  VerifyHazardDto,
} from './dto/hazard.dto';
import { mapHazardSummary } from './dto/hazard.mapper';
import { ExportFacts, exportFacts } from './hazard-export';
import { HazardEvent } from './hazard-event.entity';
import { HazardRecipients } from './hazard-recipients';
import { locateUnit } from '../orgs/org-locate';
import { Hazard } from './hazard.entity';
import { HazardCountService, priorityOf } from './hazard-counts.service';
import { HAZARD_REPORTED_JOB, HazardSubmitBatcher, ReportedHazard, ReportedJobData, SubmitOutcome } from './hazard-submit-batcher';
import { chinaMonth, keyConditions, readTally, tallyUnitOf } from './hazard-tally';
import { dbTime, isMysql, readTime } from '../../common/db/dialect';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { fieldError } from '../../common/http/field-labels';

export { chinaYear, HAZARD_REPORTED_JOB } from './hazard-submit-batcher';

const CHINA_OFFSET_MS = 8 * 3600_000;
const OPEN_WORK: HazardStatus[] = ['assigned', 'rectifying'];
/** Most index entries the ledger will walk in urgency order for one page before it prefers per-unit walks. */
export const RANK_WALK_MAX = 5_000;

/** The row changed between the read and the conditional UPDATE without leaving its state: read again. */
class StaleRead extends Error {}

/** `2026-06-30` → end of that day in China; a full ISO time is taken as given. */
export function parseDeadline(s: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T23:59:59.999+08:00`) : new Date(s);
}

/** `from`/`to` filters: a date means the whole day in China time. */
function parseDayBound(s: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(`${s}T${end ? '23:59:59.999' : '00:00:00.000'}+08:00`);
  return new Date(s);
}

/** Where a probable duplicate of `h` may lie: its box of ±radius and the days before it (then `distanceM` decides). */
function duplicateWindow(h: { lat: number; lng: number; createdAt: Date }) {
  const dLat = HAZARD_DUPLICATE_RADIUS_M / 111_320;
  const dLng = HAZARD_DUPLICATE_RADIUS_M / (111_320 * Math.max(0.1, Math.cos((h.lat * Math.PI) / 180)));
  return {
    since: new Date(h.createdAt.getTime() - HAZARD_DUPLICATE_DAYS * 86400_000),
    until: h.createdAt,
    la1: h.lat - dLat,
    la2: h.lat + dLat,
    ln1: h.lng - dLng,
    ln2: h.lng + dLng,
  };
}

function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6371000;
  const toRad = (x: number) => (x * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

/** The 409 every illegal transition answers, naming the current state. */
export function illegalTransition(status: HazardStatus, action: HazardAction): ConflictException {
  return new ConflictException(`当前状态为「${HAZARD_STATUS_LABELS[status]}」，不能执行「${HAZARD_ACTION_LABELS[action]}」`);
}

interface TransitionSpec {
  action: HazardAction;
  to: HazardStatus | null;
  patch?: Partial<Hazard>;
  note?: string | null;
  photoIds?: number[];
  data?: Record<string, unknown> | null;
}

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

@Injectable()
export class HazardsService implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly scope: ScopeService,
    private readonly sequence: SequenceService,
    private readonly media: MediaService,
    private readonly cs: ContentSecurityService,
    private readonly notifications: NotificationsService,
    private readonly counts: HazardCountService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly refs: RefsService,
    readonly recipients: HazardRecipients,
  ) {
    this.batcher = new HazardSubmitBatcher(ds, sequence, media, counts, queue);
  }

  /** Writes reports in batches (group commit): see hazard-submit-batcher.ts. */
  readonly batcher: HazardSubmitBatcher;

  onModuleInit() {
    // Hazard photos (report and after-photos) are readable by whoever may see the hazard.
    this.media.registerAccessPolicy('hazard', async (user, id) => {
      const h = await this.hazards.findOne({ where: { id }, select: ['id', 'orgPath', 'responsibleOrgPath', 'reporterId'] });
      return !!h && this.canView(user, h);
    });
    // A hazard named in a body (a duplicate's original, a field record's linked hazards) or on a timeline:
    // the same rule as opening it by id.
    this.refs.register('hazard', async (user, ids) => {
      const rows = await this.hazards.find({ where: { id: In(ids) }, select: ['id', 'orgPath', 'responsibleOrgPath', 'reporterId'] });
      return new Set(rows.filter((h) => this.canView(user, h)).map((h) => h.id));
    });
    // After a report is stored: probable duplicates for the officers, and the first responders hear of it.
    // One job per written batch, carrying what it needs of each hazard (nothing is read back).
    this.queue.register<ReportedJobData>(HAZARD_REPORTED_JOB, async (data, ctx) => {
      const hazards = data.hazards ?? (data.id ? await this.reportedFacts(data.id) : []);
      if (!hazards.length) return;
      await this.recordProbableDuplicates(hazards, ctx.attempt > 1);
      await this.notifyFirstResponders(hazards);
    });
  }

  /** Dates as the driver binds them: SQLite stores UTC text, MySQL takes a Date (timezone 'Z'). */
  private t(d: Date): Date | string {
    return dbTime(this.ds, d);
  }

  // ---- visibility ------------------------------------------------------------------------------

  canView(user: AuthUser, h: Pick<Hazard, 'orgPath' | 'responsibleOrgPath' | 'reporterId'>): boolean {
    if (h.reporterId === user.id) return true;
    if (!isOfficer(user.role)) return false;
    return this.scope.covers(user, h.orgPath) || this.scope.covers(user, h.responsibleOrgPath);
  }

  /** Officers in whose scope the hazard lies (as place or as responsible unit). */
  private officerInScope(user: AuthUser, h: Hazard): boolean {
    return isOfficer(user.role) && (this.scope.covers(user, h.orgPath) || this.scope.covers(user, h.responsibleOrgPath));
  }

  /** Adds the caller's visibility to a ledger query: residents their own reports, officers their subtree. */
  private applyScope(qb: SelectQueryBuilder<Hazard>, user: AuthUser): void {
    if (!isOfficer(user.role)) {
      qb.andWhere('h.reporterId = :me', { me: user.id });
      return;
    }
    const p = this.scope.prefix(user);
    if (p === null) return;
    // A department works on what is assigned to it wherever it lies; others see the places under them.
    if (user.role === 'department_officer') {
      qb.andWhere(new Brackets((w) => w.where('h.orgPath LIKE :sp', { sp: `${p}%` }).orWhere('h.responsibleOrgPath LIKE :sp', { sp: `${p}%` })));
    } else {
      qb.andWhere('h.orgPath LIKE :sp', { sp: `${p}%` });
    }
  }

  private async loadVisible(user: AuthUser, id: number, manager?: EntityManager): Promise<Hazard> {
    const h = await (manager ?? this.ds.manager).findOne(Hazard, { where: { id } });
    if (!h || !this.canView(user, h)) throw new NotFoundException(`隐患 ${id} 不存在`);
    return h;
  }

  private async orgNames(ids: (number | null | undefined)[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids.filter((x): x is number => !!x))];
    if (!unique.length) return new Map();
    const rows = await this.orgs.find({ where: { id: In(unique) }, select: ['id', 'name'] });
    return new Map(rows.map((o) => [o.id, o.name]));
  }

  // ---- report ----------------------------------------------------------------------------------

  /**
   * A report: the checks that need only the request (validation, content security, the place) run here, then the
   * batcher writes it with whatever other reports are waiting (one counter upsert and one transaction for all:
   * hazard, its first timeline event and the count row each). A retry with the same key answers the first report.
   * Duplicate hints and notices follow in a job.
   */
  async create(user: AuthUser, dto: CreateHazardDto, clientKey?: string): Promise<HazardCreatedDto> {
    return (await this.submit(user, dto, clientKey)).created;
  }

  /** `replayed`: the key had already made this reporter's hazard; that one is answered. */
  async submit(user: AuthUser, dto: CreateHazardDto, clientKey?: string): Promise<SubmitOutcome> {
    if ((dto.lat === undefined) !== (dto.lng === undefined)) throw fieldError('lat', '和经度要一起填写（或都不填）');
    const verdict = await this.cs.assertText(user.openid, 'description', dto.description);
    const org = await this.placeOf(user, dto.orgId, dto.lat != null && dto.lng != null ? { lat: dto.lat, lng: dto.lng } : null);
    // Own uploads for a hazard (attached ones too: a retry of this report names its own photos; attach refuses others).
    await this.refs.require(user, 'media', dto.photoIds, 'photoIds', { purpose: 'hazard' });
    const level = dto.level === 'major' && !isOfficer(user.role) ? 'general' : (dto.level ?? 'general'); // a villager cannot grade a hazard
    return this.batcher.submit({ user, dto, clientKey: clientKey ?? null, level, verdict, org: { id: org.id, path: org.path }, now: new Date() });
  }

  /** The job data of a hazard stored before reports were batched (a job still queued in Redis across a deploy). */
  private async reportedFacts(id: number): Promise<ReportedHazard[]> {
    const h = await this.hazards.findOne({ where: { id }, select: ['id', 'code', 'category', 'description', 'lat', 'lng', 'orgPath', 'createdAt'] });
    return h
      ? [
          {
            id: h.id,
            code: h.code,
            category: h.category,
            description: h.description,
            lat: h.lat,
            lng: h.lng,
            orgPath: h.orgPath,
            createdAt: h.createdAt.getTime(),
          },
        ]
      : [];
  }

  /**
   * The unit a report lies in. A position inside a unit's boundary (a grid) puts it there — when the reporter chose
   * no unit, or chose one that holds that boundary (the village around the grid); otherwise the unit chosen (an
   * officer's must be in scope), else the reporter's own.
   */
  private async placeOf(user: AuthUser, orgId?: number, at?: { lat: number; lng: number } | null): Promise<OrgUnit> {
    const located = at ? await locateUnit(this.ds, at) : null;
    const chosen = await this.chosenPlace(user, orgId);
    if (located && (!chosen || located.path.startsWith(chosen.path))) return { id: located.id, path: located.path } as OrgUnit;
    if (chosen) return chosen;
    throw fieldError('orgId', '不能为空：请选择隐患所在的村（社区）', '所在单位');
  }

  private async chosenPlace(user: AuthUser, orgId?: number): Promise<OrgUnit | null> {
    if (orgId) {
      if (isOfficer(user.role)) return this.scope.requireOrg(user, orgId);
      const o = await this.orgs.findOne({ where: { id: orgId } });
      if (!o || o.archived) throw fieldError('orgId', '不存在或已撤销', '所在单位');
      if (['county', 'town', 'department'].includes(o.type)) throw fieldError('orgId', '须为村、社区、网格、学校或企业', '所在单位');
      return o;
    }
    // The caller's own unit: the guard has just read it from the database with the user.
    if (user.orgId && user.orgPath) return { id: user.orgId, path: user.orgPath } as OrgUnit;
    return null;
  }

  /** Open reports of the same category close by in the last days, in the viewer's scope. */
  private async nearbyOpen(h: Hazard, user?: AuthUser): Promise<Hazard[]> {
    if (h.lat == null || h.lng == null) return [];
    const w = duplicateWindow({ lat: h.lat, lng: h.lng, createdAt: h.createdAt });
    const qb = this.hazards
      .createQueryBuilder('h')
      .where('h.category = :c', { c: h.category })
      .andWhere('h.createdAt >= :since AND h.createdAt <= :until', { since: this.t(w.since), until: this.t(w.until) })
      .andWhere('h.id <> :id', { id: h.id })
      .andWhere('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('h.lat BETWEEN :la1 AND :la2 AND h.lng BETWEEN :ln1 AND :ln2', { la1: w.la1, la2: w.la2, ln1: w.ln1, ln2: w.ln2 })
      .orderBy('h.createdAt', 'DESC')
      .limit(20);
    if (user) this.applyScope(qb, user);
    const rows = await qb.getMany();
    return rows.filter((r) => distanceM({ lat: h.lat!, lng: h.lng! }, { lat: r.lat!, lng: r.lng! }) <= HAZARD_DUPLICATE_RADIUS_M);
  }

  /**
   * Open reports of the same category close by in the last days, for several new hazards in one statement
   * (a UNION ALL of one short idx_hazard_dup range each); newest first per hazard, no scope (the job's view).
   */
  private async nearbyOpenMany(hs: ReportedHazard[]): Promise<Map<number, { id: number; code: string }[]>> {
    const located = hs.filter((h): h is ReportedHazard & { lat: number; lng: number } => h.lat != null && h.lng != null);
    const out = new Map<number, { id: number; code: string }[]>();
    if (!located.length) return out;
    const open = HAZARD_OPEN_STATUSES.map(() => '?').join(', ');
    const params: unknown[] = [];
    const parts = located.map((h, i) => {
      const w = duplicateWindow({ lat: h.lat, lng: h.lng, createdAt: new Date(h.createdAt) });
      params.push(h.id, h.category, this.t(w.since), this.t(w.until), h.id, ...HAZARD_OPEN_STATUSES, w.la1, w.la2, w.ln1, w.ln2);
      return `SELECT * FROM (SELECT ? AS forId, id, code, lat, lng, createdAt FROM hazard WHERE category = ? AND createdAt >= ? AND createdAt <= ?
        AND id <> ? AND status IN (${open}) AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY createdAt DESC LIMIT 20) d${i}`;
    });
    const rows: { forId: number; id: number; code: string; lat: number; lng: number; createdAt: unknown }[] = await this.ds.query(
      parts.join(' UNION ALL '),
      params,
    );
    const byId = new Map(located.map((h) => [h.id, h]));
    rows.sort((a, b) => readTime(b.createdAt)!.getTime() - readTime(a.createdAt)!.getTime() || Number(b.id) - Number(a.id));
    for (const r of rows) {
      const h = byId.get(Number(r.forId))!;
      if (distanceM(h, { lat: Number(r.lat), lng: Number(r.lng) }) > HAZARD_DUPLICATE_RADIUS_M) continue;
      out.set(h.id, [...(out.get(h.id) ?? []), { id: Number(r.id), code: r.code }]);
    }
    return out;
  }

  /** A `duplicate` event on each new hazard that has open reports close by (one INSERT for the batch). */
  private async recordProbableDuplicates(hs: ReportedHazard[], retry: boolean): Promise<void> {
    let todo = hs;
    if (retry) {
      // A retried job may have stored these already (the notices are deduplicated by key, these events are not).
      const done: { hazardId: number }[] = await this.ds.query(
        `SELECT hazardId FROM hazard_event WHERE action = 'duplicate' AND hazardId IN (${hs.map(() => '?').join(', ')})`,
        hs.map((h) => h.id),
      );
      const seen = new Set(done.map((d) => Number(d.hazardId)));
      todo = hs.filter((h) => !seen.has(h.id));
    }
    const near = await this.nearbyOpenMany(todo);
    if (!near.size) return;
    const params = [...near].flatMap(([hazardId, n]) => [
      hazardId,
      'duplicate',
      `附近${HAZARD_DUPLICATE_RADIUS_M}米内${HAZARD_DUPLICATE_DAYS}天内有同类隐患：${n.map((x) => x.code).join('、')}`.slice(0, 500),
      JSON.stringify({ ids: n.map((x) => x.id), codes: n.map((x) => x.code) }),
    ]);
    await this.ds.query(`INSERT INTO hazard_event (hazardId, action, note, data) VALUES ${[...near].map(() => '(?, ?, ?, ?)').join(', ')}`, params);
  }

  /**
   * Grid and village officers over each place hear of a new report at once (the review queue): one read of the
   * officers of every unit above the batch's places, and all notices in one INSERT (once per officer and hazard).
   */
  private async notifyFirstResponders(hs: ReportedHazard[]): Promise<void> {
    // A unit's path and those above it: '/1/2/7/' → '/1/', '/1/2/', '/1/2/7/' (users carry their unit's path, indexed).
    const above = (path: string) => this.scope.ancestorIds(path).map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`);
    const paths = [...new Set(hs.flatMap((h) => above(h.orgPath)))];
    if (!paths.length) return;
    const officers: { id: number; orgPath: string }[] = await this.ds.query(
      `SELECT id, orgPath FROM app_user WHERE orgPath IN (${paths.map(() => '?').join(', ')}) AND role IN ('grid_officer', 'village_officer') AND disabled = 0 ORDER BY id`,
      paths,
    );
    const notices: { userId: number; kind: string; title: string; body: string; link: string; dedupeKey: string }[] = [];
    for (const h of hs) {
      const over = new Set(above(h.orgPath));
      let ids = officers
        .filter((o) => over.has(o.orgPath))
        .slice(0, 20)
        .map((o) => Number(o.id));
      // No grid or village officer over the place: the nearest unit above with any officer hears of it.
      if (!ids.length) ids = (await this.recipients.nearest(h.orgPath))?.userIds ?? [];
      for (const userId of ids) {
        notices.push({
          userId,
          kind: 'hazard_reported',
          title: `新隐患 ${h.code}`,
          body: h.description.slice(0, 80),
          link: `/officer/hazard/index?id=${h.id}`,
          dedupeKey: `hazard:${h.id}:reported`,
        });
      }
    }
    if (notices.length) await this.notifications.notifyEach(notices);
  }

  // ---- ledger ----------------------------------------------------------------------------------

  private filtered(user: AuthUser, q: HazardListQueryDto): SelectQueryBuilder<Hazard> {
    const qb = this.hazards.createQueryBuilder('h');
    this.applyScope(qb, user);
    if (q.mine) qb.andWhere('h.reporterId = :mine', { mine: user.id });
    if (q.category) qb.andWhere('h.category = :category', { category: q.category });
    if (q.level) qb.andWhere('h.level = :level', { level: q.level });
    if (q.from) qb.andWhere('h.createdAt >= :from', { from: this.t(parseDayBound(q.from, false)) });
    if (q.to) qb.andWhere('h.createdAt <= :to', { to: this.t(parseDayBound(q.to, true)) });
    if (q.q) {
      // '!' as the LIKE escape: the same on MySQL (where backslash is special in literals) and SQLite
      const s = q.q.replace(/[!%_]/g, (c) => `!${c}`);
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('h.code = :qExact', { qExact: q.q })
            .orWhere("h.description LIKE :qLike ESCAPE '!'", { qLike: `%${s}%` })
            .orWhere("h.address LIKE :qLike ESCAPE '!'"),
        ),
      );
    }
    return qb;
  }

  private applyStatusFilters(qb: SelectQueryBuilder<Hazard>, q: HazardListQueryDto, now: Date): void {
    if (q.status) qb.andWhere('h.status IN (:...statuses)', { statuses: q.status.split(',') });
    if (q.overdue === true) qb.andWhere('h.status IN (:...work) AND h.deadline < :now', { work: OPEN_WORK, now: this.t(now) });
    if (q.overdue === false)
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('h.status NOT IN (:...work)', { work: OPEN_WORK })
            .orWhere('h.deadline IS NULL')
            .orWhere('h.deadline >= :now', { now: this.t(now) }),
        ),
      );
  }

  /**
   * The ledger. Counts per state answer the same filters except state; the page is sorted by urgency
   * (open major hazards, then overdue, then newest). Ids are picked from the index first and rows
   * fetched after ("deferred join"), so a deep town subtree sorts index entries, not whole rows.
   */
  async list(user: AuthUser, q: HazardListQueryDto): Promise<HazardLedgerDto> {
    const { page, pageSize, skip } = pageOf(q);
    const now = new Date();
    if (!isOfficer(user.role)) q.mine = true;
    if (q.orgId) {
      const org = isOfficer(user.role) ? await this.scope.requireOrg(user, q.orgId) : await this.orgs.findOne({ where: { id: q.orgId } });
      if (!org) throw new NotFoundException(`单位 ${q.orgId} 不存在`);
      q.orgId = undefined;
      (q as HazardListQueryDto & { _orgPath?: string })._orgPath = org.path;
    }
    const orgPath = (q as HazardListQueryDto & { _orgPath?: string })._orgPath;
    const base = () => {
      const qb = this.filtered(user, q);
      if (orgPath) qb.andWhere('h.orgPath LIKE :op', { op: `${orgPath}%` });
      return qb;
    };

    // Officers over a subtree (not departments, whose scope is two paths; not text search): counts and overdue
    // from hazard_tally, the page from one index walk in urgency order (a subtree holding much of everything)
    // or merged from per-unit walks (a small one). Everything else: the plain queries below.
    const fast = isOfficer(user.role) && user.role !== 'department_officer' && !q.mine && !q.q;
    const subtree = orgPath ?? this.scope.prefix(user);
    const keyFilter = { category: q.category, level: q.level };
    const statuses = q.status ? q.status.split(',') : undefined;
    const tallied = fast && !q.from && !q.to;

    const counts: HazardLedgerDto['counts'] = {};
    for (const s of HAZARD_STATUSES) counts[s] = 0;
    if (tallied) {
      const unit = tallyUnitOf(subtree);
      const { month, start } = chinaMonth(now);
      let overdue = 0;
      for (const r of await readTally(this.ds, [unit], keyFilter)) {
        counts[r.status] = (counts[r.status] ?? 0) + r.n;
        if (r.dueMonth && r.dueMonth < month) overdue += r.n;
      }
      // Work due earlier this month whose deadline has passed: a short range of idx_hazard_deadline.
      const live = await base()
        .useIndex('idx_hazard_deadline')
        .select('COUNT(*)', 'n')
        .andWhere('h.status IN (:...work) AND h.deadline >= :monthStart AND h.deadline < :now', {
          work: OPEN_WORK,
          monthStart: this.t(start),
          now: this.t(now),
        })
        .getRawOne<{ n: string }>();
      counts.overdue = overdue + Number(live?.n ?? 0);
    } else {
      const countRows = await base()
        .select('h.status', 'status')
        .addSelect('COUNT(*)', 'n')
        .groupBy('h.status')
        .getRawMany<{ status: HazardStatus; n: string }>();
      for (const r of countRows) counts[r.status] = Number(r.n);
      const od = await base()
        .useIndex('idx_hazard_work')
        .select('COUNT(*)', 'n')
        .andWhere('h.status IN (:...work) AND h.deadline < :now', { work: OPEN_WORK, now: this.t(now) })
        .getRawOne<{ n: string }>();
      counts.overdue = Number(od?.n ?? 0);
    }
    const stateTotal = (statuses ?? HAZARD_STATUSES).reduce((a, st) => a + (counts[st as HazardStatus] ?? 0), 0);

    const listQb = base();
    this.applyStatusFilters(listQb, q, now);
    const total =
      tallied && q.overdue === undefined
        ? stateTotal
        : !q.status && q.overdue === undefined
          ? stateTotal
          : q.overdue === true && !q.status
            ? (counts.overdue ?? 0)
            : Number((await listQb.clone().select('COUNT(*)', 'n').getRawOne<{ n: string }>())?.n ?? 0);

    let idRows: { id: number | string }[];
    let pageIds: number[] | null = null;
    if (fast) {
      // Walking the urgency index reads about (skip + pageSize) × everything ÷ this subtree's matches entries.
      const matches = q.overdue === true ? (counts.overdue ?? 0) : stateTotal;
      const walk = tallied && matches > 0 ? ((skip + pageSize) * (await this.everything())) / matches : Infinity;
      if (walk <= this.ledgerWalkMax) pageIds = await this.ledgerPage(listQb, { walk: subtree }, q, skip, pageSize, now);
      else {
        // Per-unit walks read about units × (skip + pageSize) entries: take whichever plan reads less.
        const units = await this.counts.units(subtree, { ...keyFilter, statuses });
        pageIds =
          this.ledgerWalkMax > 0 && walk <= units.length * (skip + pageSize)
            ? await this.ledgerPage(listQb, { walk: subtree }, q, skip, pageSize, now)
            : await this.ledgerPage(listQb, { units: units.map((u) => u.orgId) }, q, skip, pageSize, now);
      }
    }
    if (pageIds) {
      idRows = pageIds.map((id) => ({ id }));
    } else {
      if (q.overdue === true) listQb.useIndex('idx_hazard_work');
      idRows = await listQb
        .select('h.id', 'id')
        .addSelect(
          `CASE WHEN h.level = 'major' AND h.status IN (:...openAll) THEN 0 WHEN h.status IN (:...work) AND h.deadline < :now THEN 1 ELSE 2 END`,
          'urgency',
        )
        .setParameters({ openAll: HAZARD_OPEN_STATUSES, work: OPEN_WORK, now: this.t(now) })
        .orderBy('urgency', 'ASC')
        .addOrderBy('h.createdAt', 'DESC')
        .addOrderBy('h.id', 'DESC')
        .offset(skip)
        .limit(pageSize)
        .getRawMany<{ id: number | string }>();
    }
    const ids = idRows.map((r) => Number(r.id));
    const { rows, names } = await this.summaryRows(ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const ordered = ids.map((id) => byId.get(id)!).filter(Boolean);
    const photos = await this.media.byEntities('hazard', ids);
    const items = ordered.map((h) => {
      const first = (photos.get(h.id) ?? []).find((m) => this.media.visibleBySecurity(user, m));
      return mapHazardSummary(h, names, first ? this.media.refOf(first, user).thumbUrl : null, now);
    });
    return { items, total, page, pageSize, counts };
  }

  /**
   * The ledger page's rows: only the columns a summary shows, with both unit names joined, in one plain query.
   * (Loading whole Hazard entities and then the names was two TypeORM finds — its query building and entity
   * hydration were a tenth of a ledger page's server CPU, bench/RESULTS.md.) Each value is converted by the
   * driver exactly as TypeORM converts it when it hydrates the entity (dates from either dialect).
   */
  private async summaryRows(ids: number[]): Promise<{ rows: HazardSummaryRow[]; names: Map<number, string> }> {
    const names = new Map<number, string>();
    if (!ids.length) return { rows: [], names };
    const meta = this.ds.getMetadata(Hazard);
    const cols = SUMMARY_COLUMNS.map((p) => meta.findColumnWithPropertyName(p)!);
    const raw: Record<string, unknown>[] = await this.ds.query(
      `SELECT ${cols.map((c) => `h.${c.databaseName} AS ${c.propertyName}`).join(', ')}, o.name AS orgName, r.name AS responsibleOrgName
         FROM hazard h LEFT JOIN org_unit o ON o.id = h.orgId LEFT JOIN org_unit r ON r.id = h.responsibleOrgId
        WHERE h.id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    const driver = this.ds.driver;
    const rows = raw.map((r) => {
      const row = {} as Record<string, unknown>;
      for (const c of cols) row[c.propertyName] = driver.prepareHydratedValue(r[c.propertyName], c);
      const h = row as unknown as HazardSummaryRow;
      if (r.orgName != null) names.set(h.orgId, String(r.orgName));
      if (h.responsibleOrgId && r.responsibleOrgName != null) names.set(h.responsibleOrgId, String(r.responsibleOrgName));
      return h;
    });
    return { rows, names };
  }

  /** Most index entries one ledger page may walk in urgency order before per-unit walks are preferred (tests move it). */
  ledgerWalkMax = RANK_WALK_MAX;

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
   * One page of the ledger in urgency order (priority DESC, createdAt DESC, id DESC) for an officer's subtree:
   * either one walk down idx_hazard_rank filtered by the subtree's path in the index (`walk`: cheap when the
   * subtree holds a good share of all hazards, e.g. a county), or per unit from idx_hazard_unit_page — each unit
   * walks its own entries in order and stops after skip + pageSize matches — merged (`units`: a town or a village).
   * Work past its deadline whose stored priority has not caught up yet (the minute job) is found by
   * idx_hazard_stale and ranked as overdue, so the order is exact. Null when the merge would read too much
   * (very deep pages of a big subtree): the caller falls back to the plain query.
   */
  private async ledgerPage(
    listQb: SelectQueryBuilder<Hazard>,
    plan: { walk: string | null } | { units: number[] },
    q: HazardListQueryDto,
    skip: number,
    pageSize: number,
    now: Date,
  ): Promise<number[] | null> {
    if ('units' in plan && !plan.units.length) return [];
    const stale = await listQb
      .clone()
      .useIndex('idx_hazard_stale')
      .select('h.id', 'id')
      .addSelect('h.createdAt', 'createdAt')
      .andWhere('h.status IN (:...staleWork) AND h.priority = 0 AND h.deadline < :staleNow', { staleWork: OPEN_WORK, staleNow: this.t(now) })
      .limit(1000)
      .getRawMany<{ id: number | string; createdAt: Date | string }>();
    if (stale.length >= 1000) return null;
    const limit = skip + pageSize + stale.length;
    if ('units' in plan && plan.units.length * limit > 50_000) return null;

    const { conds, params } = keyConditions('h', { statuses: q.status ? q.status.split(',') : undefined, category: q.category, level: q.level });
    if (q.from) {
      conds.push('h.createdAt >= ?');
      params.push(this.t(parseDayBound(q.from, false)));
    }
    if (q.to) {
      conds.push('h.createdAt <= ?');
      params.push(this.t(parseDayBound(q.to, true)));
    }
    if (q.overdue === false) {
      conds.push(`(h.status NOT IN ('assigned', 'rectifying') OR h.deadline IS NULL OR h.deadline >= ?)`);
      params.push(this.t(now));
    }
    if (q.overdue === true) {
      conds.push(`h.status IN ('assigned', 'rectifying') AND h.deadline < ?`);
      params.push(this.t(now));
    }
    const mysql = isMysql(this.ds);
    const order = `ORDER BY h.priority DESC, h.createdAt DESC, h.id DESC LIMIT ${limit}`;
    let rows: { id: number | string; priority: number | string; createdAt: Date | string }[];
    if ('walk' in plan) {
      const where = [...(plan.walk ? ['h.orgPath LIKE ?'] : []), ...conds];
      const hint = mysql ? ' FORCE INDEX (idx_hazard_rank)' : '';
      rows = await this.ds.query(`SELECT h.id, h.priority, h.createdAt FROM hazard h${hint}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ${order}`, [
        ...(plan.walk ? [`${plan.walk}%`] : []),
        ...params,
      ]);
    } else {
      const hint = mysql ? ' FORCE INDEX (idx_hazard_unit_page)' : '';
      const extra = conds.length ? ` AND ${conds.join(' AND ')}` : '';
      const parts: string[] = [];
      const all: unknown[] = [];
      plan.units.forEach((u, i) => {
        parts.push(
          `SELECT id, priority, createdAt FROM (SELECT h.id, h.priority, h.createdAt FROM hazard h${hint} WHERE h.orgId = ${Number(u)}${extra} ${order}) u${i}`,
        );
        all.push(...params);
      });
      rows = await this.ds.query(parts.join(' UNION ALL '), all);
    }
    const ms = (v: Date | string) => (v instanceof Date ? v.getTime() : Date.parse(`${String(v).replace(' ', 'T')}Z`));
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
    let orgPath: string | undefined;
    if (q.orgId) orgPath = (await this.scope.requireOrg(user, q.orgId)).path;
    let sent = 0;
    const allOrgs = await this.orgs.find({ select: ['id', 'name'] });
    const names = new Map(allOrgs.map((o) => [o.id, o.name]));
    while (sent < max) {
      const qb = this.filtered(user, { ...q, orgId: undefined } as HazardListQueryDto);
      if (orgPath) qb.andWhere('h.orgPath LIKE :op', { op: `${orgPath}%` });
      this.applyStatusFilters(qb, q, now);
      const ids = (
        await qb
          .select('h.id', 'id')
          .addSelect(
            `CASE WHEN h.level = 'major' AND h.status IN (:...openAll) THEN 0 WHEN h.status IN (:...work) AND h.deadline < :now THEN 1 ELSE 2 END`,
            'urgency',
          )
          .addSelect('h.createdAt', 'createdAt')
          .setParameters({ openAll: HAZARD_OPEN_STATUSES, work: OPEN_WORK, now: this.t(now) })
          .orderBy('urgency', 'ASC')
          .addOrderBy('h.createdAt', 'DESC')
          .addOrderBy('h.id', 'DESC')
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

  // ---- detail ----------------------------------------------------------------------------------

  async detail(user: AuthUser, id: number): Promise<HazardDetailDto> {
    const h = await this.loadVisible(user, id);
    const now = new Date();
    const events = await this.events.find({ where: { hazardId: id }, order: { id: 'ASC' } });
    const officer = this.officerInScope(user, h);
    const isMine = h.reporterId === user.id;
    const seeReporter = isMine || (officer && !h.anonymous);
    const actorIds = [...new Set(events.map((e) => e.actorId).filter((x): x is number => !!x))];
    const actors = actorIds.length ? await this.users.find({ where: { id: In(actorIds) }, select: ['id', 'name'] }) : [];
    const actorName = new Map(actors.map((a) => [a.id, a.name]));
    const allPhotoIds = events.flatMap((e) => e.photoIds ?? []);
    const refs = await this.media.refs(allPhotoIds, user);
    const refById = new Map(refs.map((r) => [r.id, r]));
    const names = await this.orgNames([h.orgId, h.responsibleOrgId]);
    const reportEvent = events.find((e) => e.action === 'report');
    const photos = (reportEvent?.photoIds ?? []).map((pid) => refById.get(pid)).filter((r): r is NonNullable<typeof r> => !!r);

    // Other hazards named on the timeline (probable duplicates, the original of a rejected duplicate) are
    // resolved per viewer: only those the viewer could open by id are named; a duplicate hint naming none is dropped.
    const dupIds = (e: HazardEvent) => (e.action === 'duplicate' ? ((e.data as { ids?: number[] } | null)?.ids ?? []) : []);
    const named = [...events.flatMap(dupIds), ...events.map((e) => Number((e.data as { duplicateOfId?: number } | null)?.duplicateOfId)), h.duplicateOfId ?? 0];
    const seeable = await this.refs.allowed(
      user,
      'hazard',
      named.filter((x) => x > 0 && x !== h.id),
    );
    const viewable = (e: HazardEvent): HazardEvent | null => {
      if (e.action === 'duplicate') {
        if (!officer) return null;
        const d = (e.data ?? {}) as { ids?: number[]; codes?: string[] };
        const keep = (d.ids ?? []).map((x, i) => [x, d.codes?.[i] ?? ''] as const).filter(([x]) => seeable.has(x));
        if (!keep.length) return null;
        return {
          ...e,
          note: `附近${HAZARD_DUPLICATE_RADIUS_M}米内${HAZARD_DUPLICATE_DAYS}天内有同类隐患：${keep.map(([, c]) => c).join('、')}`,
          data: { ids: keep.map(([x]) => x), codes: keep.map(([, c]) => c) },
        } as HazardEvent;
      }
      const dup = (e.data as { duplicateOfId?: number } | null)?.duplicateOfId;
      if (dup && !seeable.has(dup)) {
        const { duplicateOfId: _i, duplicateOfCode: _c, ...rest } = e.data as Record<string, unknown>;
        return { ...e, data: rest } as HazardEvent;
      }
      return e;
    };
    const timeline: HazardEventDto[] = events
      .map(viewable)
      .filter((e): e is HazardEvent => !!e)
      .map((e) => {
        const byReporter = e.actorId === h.reporterId;
        return {
          id: e.id,
          action: e.action as HazardEventDto['action'],
          fromStatus: e.fromStatus,
          toStatus: e.toStatus,
          actorName: e.actorId == null ? null : byReporter && !seeReporter ? (h.anonymous ? '匿名群众' : '群众') : (actorName.get(e.actorId) ?? null),
          actorRole: e.actorRole,
          note: e.note,
          photos: (e.photoIds ?? []).map((pid) => refById.get(pid)).filter((r): r is NonNullable<typeof r> => !!r),
          data: officer ? e.data : null,
          createdAt: e.createdAt.toISOString(),
        };
      });

    let probableDuplicates: HazardDetailDto['probableDuplicates'] = [];
    if (officer && HAZARD_OPEN_STATUSES.includes(h.status)) {
      probableDuplicates = (await this.nearbyOpen(h, user)).map((d) => ({
        id: d.id,
        code: d.code,
        status: d.status,
        description: d.description,
        reportedAt: d.createdAt.toISOString(),
      }));
    }
    const reporter = seeReporter ? await this.users.findOne({ where: { id: h.reporterId }, select: ['id', 'name'] }) : null;
    const summary = mapHazardSummary(h, names, photos[0]?.thumbUrl ?? null, now);
    return {
      ...summary,
      contactPhone: officer || isMine ? h.contactPhone : maskPhone(h.contactPhone),
      lat: h.lat,
      lng: h.lng,
      photos,
      reporterName: seeReporter && !(h.anonymous && !isMine) ? (reporter?.name ?? null) : null,
      anonymous: h.anonymous,
      isMine,
      rectifiedAt: h.rectifiedAt ? h.rectifiedAt.toISOString() : null,
      escalatedTo: h.escalatedTo,
      duplicateOfId: h.duplicateOfId && seeable.has(h.duplicateOfId) ? h.duplicateOfId : null,
      probableDuplicates,
      actions: this.actionsFor(user, h, now),
      timeline,
      askReporter:
        isMine &&
        h.status === 'closed' &&
        !!h.closedAt &&
        now.getTime() - h.closedAt.getTime() <= HAZARD_REOPEN_DAYS * 86400_000 &&
        !events.some((e) => e.action === 'confirm' && e.dedupeKey === `confirm:${h.closedAt!.getTime()}`),
    };
  }

  /** The buttons: the state machine's actions for this role, narrowed by who the caller is to this hazard. */
  private actionsFor(user: AuthUser, h: Hazard, now: Date): HazardAction[] {
    return availableActions(h.status, user.role).filter((a) => {
      try {
        this.assertMayAct(user, h, a, now);
        return true;
      } catch {
        return false;
      }
    });
  }

  // ---- actions ---------------------------------------------------------------------------------

  /** Role and relationship checks (the state is checked separately, answering 409). */
  private assertMayAct(user: AuthUser, h: Hazard, action: HazardAction, now = new Date()): void {
    const label = HAZARD_ACTION_LABELS[action];
    if (!HAZARD_ACTION_ROLES[action].includes(user.role)) throw new ForbiddenException(`当前身份无权执行「${label}」`);
    const officer = this.officerInScope(user, h);
    if (!isOfficer(user.role)) {
      if (h.reporterId !== user.id) throw new NotFoundException(`隐患 ${h.id} 不存在`);
      if (action === 'reopen') {
        if (h.status !== 'closed') throw illegalTransition(h.status, action);
        if (!h.closedAt || now.getTime() - h.closedAt.getTime() > HAZARD_REOPEN_DAYS * 86400_000) {
          throw new ForbiddenException(`销号已超过${HAZARD_REOPEN_DAYS}天，请重新上报`);
        }
      }
      return;
    }
    if (!officer) throw new NotFoundException(`隐患 ${h.id} 不存在`);
    // A department acts only on what was handed to it.
    if (user.role === 'department_officer' && action !== 'comment' && !this.scope.covers(user, h.responsibleOrgPath)) {
      throw new ForbiddenException(`该隐患未交办给您的单位，不能执行「${label}」`);
    }
  }

  /**
   * Every state change goes through here: state machine → role and scope → a conditional UPDATE
   * (`WHERE status = :from`) so of two concurrent requests exactly one wins → event on the timeline.
   */
  private async transition(user: AuthUser, id: number, spec: TransitionSpec, validate?: (h: Hazard) => Promise<void> | void): Promise<HazardDetailDto> {
    // A concurrent write that left the state as it was (e.g. two re-assignments) makes the conditional UPDATE miss:
    // read again and retry, so counts and rollups always move from the row as it really was.
    for (let attempt = 1; ; attempt++) {
      try {
        const { h, from, to } = await this.transitionOnce(user, id, spec, validate);
        await this.afterTransition(user, { ...h, ...(spec.patch ?? {}), status: to } as Hazard, spec.action, from, spec.note ?? null);
        return this.detail(user, id);
      } catch (err) {
        if (!(err instanceof StaleRead) || attempt >= 3) throw err instanceof StaleRead ? new ConflictException('隐患刚被他人修改，请刷新后重试') : err;
      }
    }
  }

  private async transitionOnce(
    user: AuthUser,
    id: number,
    spec: TransitionSpec,
    validate?: (h: Hazard) => Promise<void> | void,
  ): Promise<{ h: Hazard; from: HazardStatus; to: HazardStatus }> {
    const h = await this.loadVisible(user, id);
    const { action } = spec;
    if (!HAZARD_ACTION_ROLES[action].includes(user.role)) throw new ForbiddenException(`当前身份无权执行「${HAZARD_ACTION_LABELS[action]}」`);
    if (action !== 'comment' && !canTransition(action, h.status)) {
      // A resident who is not the reporter must not learn the state either.
      if (!isOfficer(user.role) && h.reporterId !== user.id) throw new NotFoundException(`隐患 ${id} 不存在`);
      throw illegalTransition(h.status, action);
    }
    this.assertMayAct(user, h, action);
    if (spec.to && action !== 'comment' && !HAZARD_TRANSITIONS[action as Exclude<HazardAction, 'comment'>].to.includes(spec.to)) {
      throw new Error(`state machine has no ${action}: ${h.status} → ${spec.to}`);
    }
    if (validate) await validate(h);
    await this.refs.require(user, 'media', spec.photoIds, 'photoIds', { purpose: 'hazard', unattached: true });
    const from = h.status;
    const to = spec.to ?? from;
    await this.ds.transaction(async (m) => {
      if (spec.to) {
        const patch = spec.patch ?? {};
        const level = patch.level ?? h.level;
        const deadline = 'deadline' in patch ? patch.deadline : h.deadline;
        // Every column the counts and rollups derive from is in the condition: the rows they move are the ones read.
        // (SQLite compares times as instants: a row written by hand may lack the milliseconds the driver writes.)
        const sameTime = (col: string, param: string) => (isMysql(m) ? `${col} = :${param}` : `julianday(${col}) = julianday(:${param})`);
        const r = await m
          .createQueryBuilder()
          .update(Hazard)
          .set({ ...patch, status: to, priority: priorityOf(to, level, deadline) })
          .where('id = :id AND status = :from AND level = :fromLevel', { id, from, fromLevel: h.level })
          .andWhere(h.deadline ? sameTime('deadline', 'fromDeadline') : 'deadline IS NULL', { fromDeadline: h.deadline ? this.t(h.deadline) : null })
          .andWhere(h.closedAt ? sameTime('closedAt', 'fromClosedAt') : 'closedAt IS NULL', { fromClosedAt: h.closedAt ? this.t(h.closedAt) : null })
          .andWhere(h.escalatedTo != null ? 'escalatedTo = :fromEscalatedTo' : 'escalatedTo IS NULL', { fromEscalatedTo: h.escalatedTo })
          .execute();
        if (!r.affected) {
          const cur = await m.findOne(Hazard, { where: { id }, select: ['id', 'status', 'level'] });
          if (cur && cur.status === from && cur.level === h.level) throw new StaleRead();
          throw illegalTransition(cur?.status ?? from, action);
        }
        const after = { ...h, ...patch, status: to, level } as Hazard;
        await this.counts.change(m, h, after);
      }
      const photoIds = await this.media.attach(spec.photoIds, user.id, 'hazard', id, m);
      await m.insert(HazardEvent, {
        hazardId: id,
        action,
        fromStatus: from,
        toStatus: to,
        actorId: user.id,
        actorRole: user.role,
        note: spec.note ?? null,
        photoIds: photoIds.length ? photoIds : null,
        data: (spec.data ?? null) as never,
      });
    });
    return { h, from, to };
  }

  /** The reporter follows the hazard (in-app + WeChat when subscribed); a new responsible officer hears of it. */
  private async afterTransition(actor: AuthUser, h: Hazard, action: HazardAction, from: HazardStatus, note: string | null): Promise<void> {
    if (h.reporterId !== actor.id && (from !== h.status || action === 'comment')) {
      const title =
        from !== h.status
          ? h.status === 'closed'
            ? '您上报的隐患已销号，修好了吗？'
            : `您上报的隐患${HAZARD_STATUS_LABELS[h.status]}`
          : '您上报的隐患有新留言';
      await this.notifications.notify(h.reporterId, {
        kind: 'hazard_update',
        title,
        body: `${h.code} ${note ?? ''}`.trim(),
        link: `/pages/hazard/index?id=${h.id}`,
      });
      await this.notifications.pushWechat({
        userId: h.reporterId,
        template: 'hazard_update',
        page: `pages/hazard/index?id=${h.id}`,
        data: {
          character_string1: subscribeValue.code(h.code),
          phrase2: subscribeValue.phrase(HAZARD_STATUS_LABELS[h.status]),
          thing3: subscribeValue.thing(note ?? HAZARD_ACTION_LABELS[action]),
        },
      });
    }
    if (action === 'escalate') {
      // 上报县级: the county hears of every escalation (what waits on it is the ledger's 已上报县级 list).
      const county = await this.recipients.county(h.orgPath);
      await this.notifications.notifyEach(
        county.map((userId) => ({
          userId,
          kind: 'hazard_escalated',
          title: `上报县级 ${h.code}`,
          body: `${h.escalatedTo ?? ''}：${note ?? h.description.slice(0, 60)}`.slice(0, 200),
          link: `/officer/hazard/index?id=${h.id}`,
          dedupeKey: `hazard:${h.id}:escalated:${Date.now()}`,
        })),
      );
    }
    if (action === 'assign') {
      for (const uid of await this.responsibleUserIds(h)) {
        if (uid === actor.id) continue;
        await this.notifications.notify(uid, {
          kind: 'hazard_assigned',
          title: `交办隐患 ${h.code}`,
          body: `整改期限 ${h.deadline ? new Date(h.deadline.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10) : '未定'}：${h.description.slice(0, 60)}`,
          link: `/officer/hazard/index?id=${h.id}`,
        });
      }
    }
  }

  /** Who answers for a hazard: the named officer, else the responsible unit's officers, else the nearest unit above with one. */
  async responsibleUserIds(h: Pick<Hazard, 'responsibleUserId' | 'responsibleOrgPath' | 'orgPath'>): Promise<number[]> {
    return this.recipients.responsible(h);
  }

  async assign(user: AuthUser, id: number, dto: AssignHazardDto) {
    const deadline = parseDeadline(dto.deadline);
    if (Number.isNaN(deadline.getTime())) throw fieldError('deadline', '须为日期', '整改期限');
    if (deadline.getTime() < Date.now() - 60_000) throw fieldError('deadline', '不能早于现在', '整改期限');
    // The county may assign anywhere in the county; everyone else inside their own subtree.
    const org = await this.scope.requireOrg(user, dto.responsibleOrgId);
    if (dto.responsibleUserId) {
      const u = await this.users.findOne({ where: { id: dto.responsibleUserId } });
      if (!u || u.disabled || !isOfficer(u.role) || !u.orgPath?.startsWith(org.path)) {
        throw fieldError('responsibleUserId', '须为责任单位的在职干部');
      }
    }
    return this.transition(user, id, {
      action: 'assign',
      to: 'assigned',
      note: dto.note ?? null,
      patch: {
        responsibleOrgId: org.id,
        responsibleOrgPath: org.path,
        responsibleUserId: dto.responsibleUserId ?? null,
        deadline,
        ...(dto.level ? { level: dto.level } : {}),
      },
      data: {
        responsibleOrgId: org.id,
        responsibleOrgName: org.name,
        deadline: deadline.toISOString(),
        level: dto.level ?? null,
        responsibleUserId: dto.responsibleUserId ?? null,
      },
    });
  }

  start(user: AuthUser, id: number, dto: StartHazardDto) {
    return this.transition(user, id, { action: 'start', to: 'rectifying', note: dto.note ?? null, photoIds: dto.photoIds });
  }

  rectify(user: AuthUser, id: number, dto: RectifyHazardDto) {
    return this.transition(user, id, { action: 'rectify', to: 'rectified', note: dto.note, photoIds: dto.photoIds, patch: { rectifiedAt: new Date() } });
  }

  verify(user: AuthUser, id: number, dto: VerifyHazardDto) {
    if (!dto.passed && !dto.note) throw fieldError('note', '不能为空：验收不通过时请写明还有什么问题');
    return this.transition(user, id, {
      action: 'verify',
      to: dto.passed ? 'closed' : 'rectifying',
      note: dto.note ?? null,
      photoIds: dto.photoIds,
      patch: dto.passed ? { closedAt: new Date() } : { rectifiedAt: null },
      data: { passed: dto.passed },
    });
  }

  async reject(user: AuthUser, id: number, dto: RejectHazardDto) {
    let original: Hazard | null = null;
    if (dto.duplicateOfId) {
      if (dto.duplicateOfId === id) throw fieldError('duplicateOfId', '须为另一条隐患');
      await this.refs.require(user, 'hazard', [dto.duplicateOfId], 'duplicateOfId');
      original = await this.hazards.findOneOrFail({ where: { id: dto.duplicateOfId } });
    }
    return this.transition(user, id, {
      action: 'reject',
      to: 'rejected',
      note: dto.reason,
      patch: { duplicateOfId: original?.id ?? null },
      data: original ? { duplicateOfId: original.id, duplicateOfCode: original.code } : null,
    });
  }

  escalate(user: AuthUser, id: number, dto: EscalateHazardDto) {
    return this.transition(user, id, {
      action: 'escalate',
      to: 'escalated',
      note: dto.note,
      patch: { escalatedTo: dto.department },
      data: { department: dto.department },
    });
  }

  answer(user: AuthUser, id: number, dto: AnswerHazardDto) {
    return this.transition(user, id, { action: 'answer', to: 'closed', note: dto.note, patch: { closedAt: new Date() } });
  }

  reopen(user: AuthUser, id: number, dto: ReopenHazardDto, data: Record<string, unknown> | null = null) {
    return this.transition(user, id, {
      action: 'reopen',
      to: 'reported',
      note: dto.note,
      photoIds: dto.photoIds,
      patch: { closedAt: null, rectifiedAt: null, deadline: null, duplicateOfId: null },
      data,
    });
  }

  /**
   * The reporter's answer to 修好了吗？ after 销号: "修好了" is recorded on the timeline (once per closing);
   * "没修好" reopens the hazard with the reason, through the same transition as 重新打开.
   */
  async confirm(user: AuthUser, id: number, dto: ConfirmFixedDto): Promise<HazardDetailDto> {
    const h = await this.loadVisible(user, id);
    if (h.reporterId !== user.id) throw new ForbiddenException('只有上报人可以回答「修好了吗」');
    if (!dto.fixed) {
      if (!dto.note?.trim()) throw fieldError('note', '不能为空：未整改到位时请写明还有什么问题');
      return this.reopen(user, id, { note: dto.note, photoIds: dto.photoIds }, { questionnaire: true });
    }
    if (h.status !== 'closed' || !h.closedAt) throw new ConflictException(`当前状态为「${HAZARD_STATUS_LABELS[h.status]}」，还不能确认修好`);
    const dedupeKey = `confirm:${h.closedAt.getTime()}`;
    if (!(await this.events.exist({ where: { hazardId: id, dedupeKey } })))
      try {
        await this.events.insert({
          hazardId: id,
          action: 'confirm',
          fromStatus: 'closed',
          toStatus: 'closed',
          actorId: user.id,
          actorRole: user.role,
          note: dto.note?.trim() || '上报人确认：修好了',
          photoIds: null,
          data: { fixed: true },
          dedupeKey,
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // answered already (a retry): the first answer stands
      }
    return this.detail(user, id);
  }

  comment(user: AuthUser, id: number, dto: NoteDto) {
    return this.transition(user, id, { action: 'comment', to: null, note: dto.note, photoIds: dto.photoIds });
  }

  // ---- map -------------------------------------------------------------------------------------

  async map(user: AuthUser, q: MapQueryDto): Promise<HazardMapDto> {
    const [minLng, minLat, maxLng, maxLat] = q.bbox.split(',').map(Number);
    if (minLng > maxLng || minLat > maxLat || minLat < -90 || maxLat > 90 || minLng < -180 || maxLng > 180) {
      throw fieldError('bbox', '不对：最小经纬度须不大于最大经纬度');
    }
    const now = new Date();
    const qb = this.hazards
      .createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.lat', 'h.lng', 'h.status', 'h.level', 'h.category', 'h.deadline'])
      .where('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('h.lat BETWEEN :minLat AND :maxLat AND h.lng BETWEEN :minLng AND :maxLng', { minLat, maxLat, minLng, maxLng });
    this.applyScope(qb, user);
    if (q.category) qb.andWhere('h.category = :c', { c: q.category });
    const rows = await qb
      .orderBy('h.createdAt', 'DESC')
      .take(HAZARD_MAP_MAX_POINTS + 1)
      .getMany();
    // Open hazards with no position cannot be drawn: say how many and list them, so the map's figure adds up.
    const nq = this.hazards
      .createQueryBuilder('h')
      .where('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('(h.lat IS NULL OR h.lng IS NULL)');
    this.applyScope(nq, user);
    if (q.category) nq.andWhere('h.category = :c', { c: q.category });
    const [unlocatedRows, unlocatedTotal] = await nq.orderBy('h.createdAt', 'DESC').addOrderBy('h.id', 'DESC').take(HAZARD_MAP_UNLOCATED_MAX).getManyAndCount();
    const unames = await this.orgNames(unlocatedRows.map((h) => h.orgId));
    return {
      unlocated: {
        total: unlocatedTotal,
        items: unlocatedRows.map((h) => ({
          id: h.id,
          code: h.code,
          description: h.description.slice(0, 80),
          orgName: unames.get(h.orgId) ?? null,
          status: h.status,
        })),
      },
      truncated: rows.length > HAZARD_MAP_MAX_POINTS,
      points: rows.slice(0, HAZARD_MAP_MAX_POINTS).map((h) => ({
        id: h.id,
        code: h.code,
        lat: h.lat!,
        lng: h.lng!,
        status: h.status,
        level: h.level,
        category: h.category,
        overdue: isOverdue(h.status, h.deadline, now),
      })),
    };
  }
}
