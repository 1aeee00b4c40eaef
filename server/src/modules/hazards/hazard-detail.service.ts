import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { HAZARD_OPEN_STATUSES, HAZARD_REOPEN_DAYS, HazardDetailDto, HazardEventDto, maskPhone } from '@xiangan/shared';
import { In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { RefsService } from '../../common/scope/refs.service';
import { MediaService } from '../media/media.service';
import { User } from '../users/user.entity';
import { mapHazardSummary } from './dto/hazard.mapper';
import { HazardAccess } from './hazard-access';
import { HazardEvent } from './hazard-event.entity';
import { duplicateNote, HazardGeometryService } from './hazard-geometry.service';

/** The dedupe key of the reporter's 修好了 for one closing (answered once per closing). */
export function confirmKey(closedAt: Date): string {
  return `confirm:${closedAt.getTime()}`;
}

/**
 * One hazard as its viewer may see it: the reporter shown or hidden, the phone masked, the timeline with other
 * hazards named only where the viewer could open them, probable duplicates for officers, and the buttons.
 */
@Injectable()
export class HazardDetailService {
  constructor(
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly media: MediaService,
    private readonly refs: RefsService,
    private readonly access: HazardAccess,
    private readonly geometry: HazardGeometryService,
  ) {}

  async detail(user: AuthUser, id: number): Promise<HazardDetailDto> {
    const h = await this.access.loadVisible(user, id);
    const now = new Date();
    const events = await this.events.find({ where: { hazardId: id }, order: { id: 'ASC' } });
    const officer = this.access.officerInScope(user, h);
    const isMine = h.reporterId === user.id;
    const seeReporter = isMine || (officer && !h.anonymous);
    // the timeline's people and the reporter (when shown) in one read
    const actorIds = [...new Set([...events.map((e) => e.actorId), seeReporter ? h.reporterId : null].filter((x): x is number => !!x))];
    const actors = actorIds.length ? await this.users.find({ where: { id: In(actorIds) }, select: ['id', 'name'] }) : [];
    const actorName = new Map(actors.map((a) => [a.id, a.name]));
    const allPhotoIds = events.flatMap((e) => e.photoIds ?? []);
    const refs = await this.media.refs(allPhotoIds, user);
    const refById = new Map(refs.map((r) => [r.id, r]));
    const names = await this.access.unitNames([h.orgId, h.responsibleOrgId]);
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
          note: duplicateNote(keep.map(([, c]) => c)),
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
      probableDuplicates = (await this.geometry.nearbyOpen(h, user)).map((d) => ({
        id: d.id,
        code: d.code,
        status: d.status,
        description: d.description,
        reportedAt: d.createdAt.toISOString(),
      }));
    }
    const summary = mapHazardSummary(h, names, photos[0]?.thumbUrl ?? null, now);
    return {
      ...summary,
      contactPhone: officer || isMine ? h.contactPhone : maskPhone(h.contactPhone),
      lat: h.lat,
      lng: h.lng,
      photos,
      reporterName: seeReporter && !(h.anonymous && !isMine) ? (actorName.get(h.reporterId) ?? null) : null,
      anonymous: h.anonymous,
      isMine,
      rectifiedAt: h.rectifiedAt ? h.rectifiedAt.toISOString() : null,
      escalatedTo: h.escalatedTo,
      duplicateOfId: h.duplicateOfId && seeable.has(h.duplicateOfId) ? h.duplicateOfId : null,
      probableDuplicates,
      actions: this.access.actionsFor(user, h, now),
      timeline,
      askReporter:
        isMine &&
        h.status === 'closed' &&
        !!h.closedAt &&
        now.getTime() - h.closedAt.getTime() <= HAZARD_REOPEN_DAYS * 86400_000 &&
        !events.some((e) => e.action === 'confirm' && e.dedupeKey === confirmKey(h.closedAt!)),
    };
  }
}
