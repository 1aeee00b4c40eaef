import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { HazardCreatedDto, isOfficer, Role } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { SequenceService } from '../../common/db/sequence.service';
import { RefsService } from '../../common/scope/refs.service';
import { ScopeService } from '../../common/scope/scope.service';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { MediaService } from '../media/media.service';
import { NotificationsService } from '../notifications/notifications.service';
import { UnitLocator } from '../orgs/org-locate';
import { OrgUnit } from '../orgs/org-unit.entity';
import { ContentSecurityService } from '../wechat/content-security.service';
import { CreateHazardDto } from './dto/hazard.dto';
import { HazardCountService } from './hazard-counts.service';
import { duplicateNote, HazardGeometryService } from './hazard-geometry.service';
import { HazardRecipients, nearestIn, pathsUp } from './hazard-recipients';
import { HAZARD_REPORTED_JOB, HazardSubmitBatcher, ReportedHazard, ReportedJobData, SubmitOutcome } from './hazard-submit-batcher';
import { Hazard } from './hazard.entity';
import { fieldError } from '../../common/http/field-labels';
import { marks } from '../../common/db/sql';

/** Who reviews a new report first: the grid and village officers over its place. */
const FIRST_RESPONDERS: Role[] = ['grid_officer', 'village_officer'];

/**
 * Reports coming in (隐患随手拍): the checks of one report, the place it lies in, the batched write, and what
 * follows in a job — probable duplicates for the officers and a notice to the first responders.
 */
@Injectable()
export class HazardIntakeService implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    private readonly scope: ScopeService,
    sequence: SequenceService,
    media: MediaService,
    private readonly cs: ContentSecurityService,
    private readonly notifications: NotificationsService,
    counts: HazardCountService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly refs: RefsService,
    private readonly recipients: HazardRecipients,
    private readonly geometry: HazardGeometryService,
    private readonly locator: UnitLocator,
  ) {
    this.batcher = new HazardSubmitBatcher(ds, sequence, media, counts, queue);
  }

  /** Writes reports in batches (group commit): see hazard-submit-batcher.ts. */
  readonly batcher: HazardSubmitBatcher;

  onModuleInit() {
    // After a report is stored: probable duplicates for the officers, and the first responders hear of it.
    // One job per written batch, carrying what it needs of each hazard (nothing is read back).
    this.queue.register<ReportedJobData>(HAZARD_REPORTED_JOB, async (data, ctx) => {
      const hazards = data.hazards ?? (data.id ? await this.reportedFacts(data.id) : []);
      if (!hazards.length) return;
      await this.recordProbableDuplicates(hazards, ctx.attempt > 1);
      await this.notifyFirstResponders(hazards);
    });
  }

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
  private async placeOf(user: AuthUser, orgId?: number, at?: { lat: number; lng: number } | null): Promise<Pick<OrgUnit, 'id' | 'path'>> {
    const located = at ? await this.locator.locate(at) : null;
    const chosen = await this.chosenPlace(user, orgId);
    if (located && (!chosen || located.path.startsWith(chosen.path))) return { id: located.id, path: located.path };
    if (chosen) return chosen;
    throw fieldError('orgId', '不能为空：请选择隐患所在的村（社区）', '所在单位');
  }

  private async chosenPlace(user: AuthUser, orgId?: number): Promise<Pick<OrgUnit, 'id' | 'path'> | null> {
    if (orgId) {
      if (isOfficer(user.role)) return this.scope.requireOrg(user, orgId);
      // only what is checked and kept (the whole unit would bring its boundary polygon along, on every report)
      const [o]: { id: number | string; path: string; type: string; archived: number | boolean }[] = await this.ds.query(
        'SELECT id, path, type, archived FROM org_unit WHERE id = ?',
        [orgId],
      );
      if (!o || Number(o.archived)) throw fieldError('orgId', '不存在或已撤销', '所在单位');
      if (['county', 'town', 'department'].includes(o.type)) throw fieldError('orgId', '须为村、社区、网格、学校或企业', '所在单位');
      return { id: Number(o.id), path: o.path };
    }
    // The caller's own unit: the guard has just read it from the database with the user.
    if (user.orgId && user.orgPath) return { id: user.orgId, path: user.orgPath };
    return null;
  }

  /** A `duplicate` event on each new hazard that has open reports close by (one INSERT for the batch). */
  private async recordProbableDuplicates(hs: ReportedHazard[], retry: boolean): Promise<void> {
    let todo = hs;
    if (retry) {
      // A retried job may have stored these already (the notices are deduplicated by key, these events are not).
      const done: { hazardId: number }[] = await this.ds.query(
        `SELECT hazardId FROM hazard_event WHERE action = 'duplicate' AND hazardId IN (${marks(hs.length)})`,
        hs.map((h) => h.id),
      );
      const seen = new Set(done.map((d) => Number(d.hazardId)));
      todo = hs.filter((h) => !seen.has(h.id));
    }
    const near = await this.geometry.nearbyOpenMany(todo);
    if (!near.size) return;
    const params = [...near].flatMap(([hazardId, n]) => [
      hazardId,
      'duplicate',
      duplicateNote(n.map((x) => x.code)).slice(0, 500),
      JSON.stringify({ ids: n.map((x) => x.id), codes: n.map((x) => x.code) }),
    ]);
    await this.ds.query(`INSERT INTO hazard_event (hazardId, action, note, data) VALUES ${[...near].map(() => '(?, ?, ?, ?)').join(', ')}`, params);
  }

  /**
   * Grid and village officers over each place hear of a new report at once (the review queue); where there is none,
   * the officers of the nearest unit above that has any (HazardRecipients.nearest's rule), so every report reaches a
   * person. One read of the officers on duty of every unit above the batch's places answers both, and all notices
   * go in one INSERT (once per officer and hazard).
   */
  private async notifyFirstResponders(hs: ReportedHazard[]): Promise<void> {
    const officers = await this.recipients.onDuty([...new Set(hs.flatMap((h) => pathsUp(h.orgPath)))]);
    const notices: { userId: number; kind: string; title: string; body: string; link: string; dedupeKey: string }[] = [];
    for (const h of hs) {
      const chain = pathsUp(h.orgPath); // the place first, then each unit above it
      const over = new Set(chain);
      let ids = officers
        .filter((o) => FIRST_RESPONDERS.includes(o.role) && over.has(o.orgPath))
        .slice(0, 20)
        .map((o) => o.id);
      // No grid or village officer over the place: the nearest unit above with any officer hears of it.
      if (!ids.length) ids = nearestIn(officers, chain)?.userIds ?? [];
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
}
