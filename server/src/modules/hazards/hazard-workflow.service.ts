import { ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  beijingDate,
  HAZARD_ACTION_LABELS,
  HAZARD_STATUS_LABELS,
  HAZARD_TRANSITIONS,
  HazardAction,
  HazardDetailDto,
  HazardStatus,
  isOfficer,
  parseBeijing,
} from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime, isMysql } from '../../common/db/dialect';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { RefsService } from '../../common/scope/refs.service';
import { ScopeService } from '../../common/scope/scope.service';
import { MediaService } from '../media/media.service';
import { NotificationsService } from '../notifications/notifications.service';
import { User } from '../users/user.entity';
import { subscribeValue } from '../wechat/content-security.service';
import {
  AnswerHazardDto,
  AssignHazardDto,
  ConfirmFixedDto,
  EscalateHazardDto,
  NoteDto,
  RectifyHazardDto,
  RejectHazardDto,
  ReopenHazardDto,
  StartHazardDto,
  VerifyHazardDto,
} from './dto/hazard.dto';
import { HazardAccess, illegalTransition } from './hazard-access';
import { HazardCountService, priorityOf } from './hazard-counts.service';
import { confirmKey, HazardDetailService } from './hazard-detail.service';
import { HazardEvent } from './hazard-event.entity';
import { HazardRecipients } from './hazard-recipients';
import { Hazard } from './hazard.entity';
import { fieldError } from '../../common/http/field-labels';

/** The row changed between the read and the conditional UPDATE without leaving its state: read again. */
class StaleRead extends Error {}

interface TransitionSpec {
  action: HazardAction;
  to: HazardStatus | null;
  patch?: Partial<Hazard>;
  note?: string | null;
  photoIds?: number[];
  data?: Record<string, unknown> | null;
}

/**
 * The closed loop: each action of the state machine (交办, 开始整改, 整改完成, 验收, 退回, 上报县级, 县级答复, 重新打开,
 * 留言) and the reporter's 修好了吗？ answer, every state change through one conditional UPDATE, and who hears of it.
 */
@Injectable()
export class HazardWorkflowService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly scope: ScopeService,
    private readonly media: MediaService,
    private readonly notifications: NotificationsService,
    private readonly counts: HazardCountService,
    private readonly refs: RefsService,
    private readonly recipients: HazardRecipients,
    private readonly access: HazardAccess,
    private readonly details: HazardDetailService,
  ) {}

  /**
   * Every state change goes through here: state machine → role and scope → a conditional UPDATE
   * (`WHERE status = :from`) so of two concurrent requests exactly one wins → event on the timeline.
   */
  private async transition(user: AuthUser, id: number, spec: TransitionSpec): Promise<HazardDetailDto> {
    // A concurrent write that left the state as it was (e.g. two re-assignments) makes the conditional UPDATE miss:
    // read again and retry, so counts and rollups always move from the row as it really was.
    for (let attempt = 1; ; attempt++) {
      try {
        const { h, from, to } = await this.transitionOnce(user, id, spec);
        await this.afterTransition(user, { ...h, ...(spec.patch ?? {}), status: to } as Hazard, spec.action, from, spec.note ?? null);
        return this.details.detail(user, id);
      } catch (err) {
        if (!(err instanceof StaleRead) || attempt >= 3) throw err instanceof StaleRead ? new ConflictException('隐患刚被他人修改，请刷新后重试') : err;
      }
    }
  }

  private async transitionOnce(user: AuthUser, id: number, spec: TransitionSpec): Promise<{ h: Hazard; from: HazardStatus; to: HazardStatus }> {
    const h = await this.access.loadVisible(user, id);
    const { action } = spec;
    this.access.assertMayAct(user, h, action);
    if (spec.to && action !== 'comment' && !HAZARD_TRANSITIONS[action as Exclude<HazardAction, 'comment'>].to.includes(spec.to)) {
      throw new Error(`state machine has no ${action}: ${h.status} → ${spec.to}`);
    }
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
          .andWhere(h.deadline ? sameTime('deadline', 'fromDeadline') : 'deadline IS NULL', { fromDeadline: h.deadline ? dbTime(h.deadline) : null })
          .andWhere(h.closedAt ? sameTime('closedAt', 'fromClosedAt') : 'closedAt IS NULL', { fromClosedAt: h.closedAt ? dbTime(h.closedAt) : null })
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
          body: `整改期限 ${h.deadline ? beijingDate(h.deadline) : '未定'}：${h.description.slice(0, 60)}`,
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
    const deadline = parseBeijing(dto.deadline, 'end');
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
    const h = await this.access.loadVisible(user, id);
    if (h.reporterId !== user.id) throw new ForbiddenException('只有上报人可以回答「修好了吗」');
    if (!dto.fixed) {
      if (!dto.note?.trim()) throw fieldError('note', '不能为空：未整改到位时请写明还有什么问题');
      return this.reopen(user, id, { note: dto.note, photoIds: dto.photoIds }, { questionnaire: true });
    }
    if (h.status !== 'closed' || !h.closedAt) throw new ConflictException(`当前状态为「${HAZARD_STATUS_LABELS[h.status]}」，还不能确认修好`);
    const dedupeKey = confirmKey(h.closedAt);
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
    return this.details.detail(user, id);
  }

  comment(user: AuthUser, id: number, dto: NoteDto) {
    return this.transition(user, id, { action: 'comment', to: null, note: dto.note, photoIds: dto.photoIds });
  }
}
