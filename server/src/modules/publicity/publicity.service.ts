import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  FeedMessageDto,
  isOfficer,
  MESSAGE_STATUS_LABELS,
  MessageBlock,
  MessageDto,
  MessageListItemDto,
  MessageStatus,
  Paginated,
  PUBLICITY_LIMITS,
  Role,
} from '@xiangan/shared';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { RefsService } from '../../common/scope/refs.service';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { MediaService } from '../media/media.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { ContentSecurityService } from '../wechat/content-security.service';
import { marks, rate } from '../../common/db/sql';
import { CreateMessageDto, MessageListQueryDto, PublishMessageDto, UpdateMessageDto } from './dto/publicity.dto';
import { Message, MessageAudience } from './message.entity';
import { feedItemOf, MessageView } from './message-view';
import { fieldError, fieldErrors, FieldProblem, problem } from '../../common/http/field-labels';
import { subtreesSql } from '../../common/scope/subtree';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';

export const JOB_FANOUT = 'publicity.fanout';
export const JOB_PUBLISH_DUE = 'publicity.publish-due';
export const JOB_PUBLISH_ONE = 'publicity.publish';

const STATE = (s: MessageStatus) => `${MESSAGE_STATUS_LABELS[s]}（${s}）`;

/** Compose, schedule, publish and withdraw (the officer side). */
@Injectable()
export class PublicityService implements OnModuleInit {
  private readonly logger = new Logger('Publicity');

  constructor(
    private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly media: MediaService,
    private readonly cs: ContentSecurityService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageAudience) private readonly audience: Repository<MessageAudience>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly refs: RefsService,
    private readonly view: MessageView,
  ) {}

  onModuleInit() {
    this.queue.register<{ id: number }>(JOB_PUBLISH_ONE, async ({ id }) => void (await this.publishIfDue(id)), { concurrency: 2 });
    this.queue.register(JOB_PUBLISH_DUE, async () => void (await this.publishDue()), { concurrency: 1 });
    // The backstop for scheduled messages (a delayed job lost with an in-process queue, clocks, restarts).
    void this.queue.every(JOB_PUBLISH_DUE, 30_000).catch((e) => this.logger.warn(`schedule ${JOB_PUBLISH_DUE}: ${e.message}`));
  }

  // ---- compose ---------------------------------------------------------------------------------

  /**
   * Checks blocks and turns them into what is stored (image URLs are never taken from the client). An image must be
   * a publicity image (`purpose: message`) the officer uploaded — or one the draft being edited already holds (`keep`):
   * a hazard photo or anyone else's upload answers like a missing image (RefsService).
   */
  private async cleanBody(user: AuthUser, body: MessageBlock[], keep: number[] = []): Promise<MessageBlock[]> {
    const errors: FieldProblem[] = [];
    const out: MessageBlock[] = [];
    let total = 0;
    body.forEach((b, i) => {
      const text = b.text?.trim() ?? '';
      total += text.length;
      if ((b.type === 'p' || b.type === 'h') && !text) errors.push(problem(`body.${i}.text`, '不能为空'));
      if (b.type === 'image' && !b.mediaId) errors.push(problem(`body.${i}.mediaId`, '不能为空：请选择图片'));
      if (b.type === 'video' && !b.url) errors.push(problem(`body.${i}.url`, '不能为空：请填写视频的 https 链接', '视频链接'));
      if (b.type !== 'p' && b.bold) errors.push(problem(`body.${i}.bold`, '只能用于正文段落'));
      if (b.type !== 'image' && b.mediaId) errors.push(problem(`body.${i}.mediaId`, '只能放在图片段'));
      if (b.type === 'image' && b.url) errors.push(problem(`body.${i}.url`, '不用填写：图片段的链接由系统生成'));
      const clean: MessageBlock = { type: b.type };
      if (text) clean.text = text;
      if (b.type === 'p' && b.bold) clean.bold = true;
      if (b.type === 'image') clean.mediaId = b.mediaId;
      if (b.type === 'video') clean.url = b.url;
      out.push(clean);
    });
    if (total > 20000) errors.push(problem('body', '总共最多 20000 个字'));
    const ids = out.filter((b) => b.type === 'image').map((b) => b.mediaId!);
    if (ids.length) {
      const ok = await this.refs.allowed(user, 'media', ids, { purpose: 'message', keep });
      out.forEach((b, i) => b.type === 'image' && !ok.has(b.mediaId!) && errors.push(this.refs.refusal('media', `body.${i}.mediaId`, b.mediaId!)));
    }
    if (errors.length) throw fieldErrors(errors);
    return out;
  }

  /**
   * Target units, checked against the officer's scope; a unit inside another target is dropped
   * (its people are already addressed), so subtrees never overlap and counts add up.
   */
  private async cleanAudience(user: AuthUser, orgIds: number[], roles: Role[] | undefined): Promise<{ units: OrgUnit[]; roles: Role[] }> {
    const units = await this.scope.requireOrgs(user, orgIds);
    const kept = units.filter((u) => !units.some((o) => o.id !== u.id && u.path.startsWith(o.path)));
    return { units: kept.sort((a, b) => a.id - b.id), roles: [...new Set(roles ?? [])].sort() };
  }

  private async checkText(user: AuthUser, title: string | undefined, body: MessageBlock[] | undefined) {
    await this.cs.assertText(user.openid, 'title', title, 3);
    if (body)
      await this.cs.assertText(
        user.openid,
        'body',
        body
          .map((b) => b.text ?? '')
          .filter(Boolean)
          .join('\n'),
        3,
      );
  }

  private async writeAudience(m: EntityManager, messageId: number, units: OrgUnit[], roles: Role[]) {
    await m.delete(MessageAudience, { messageId });
    const rows = units.flatMap((u) =>
      (roles.length ? roles : ['*']).map((role) => ({ messageId, targetOrgId: u.id, targetOrgPath: u.path, role, feedAt: null })),
    );
    for (let i = 0; i < rows.length; i += 200) await m.insert(MessageAudience, rows.slice(i, i + 200));
  }

  /**
   * A new draft. `clientKey` (the request's Idempotency-Key) is stored with it: a retry whose first try was stored but
   * answered with a lost connection gets that draft back, not a second one (the interceptor only replays answers it
   * managed to store).
   */
  async create(user: AuthUser, dto: CreateMessageDto, clientKey?: string): Promise<MessageDto> {
    if (!user.orgId || !user.orgPath) throw new BadRequestException(['您还没有所属单位，不能发布宣传']);
    const again = () => (clientKey ? this.messages.findOne({ where: { publisherId: user.id, clientKey }, select: { id: true } }) : null);
    const stored = await again();
    if (stored) return this.get(user, stored.id) as Promise<MessageDto>;
    const body = await this.cleanBody(user, dto.body);
    const aud = await this.cleanAudience(user, dto.audience.orgIds, dto.audience.roles);
    await this.checkText(user, dto.title, body);
    const id = await this.ds
      .transaction(async (m) => {
        const r = await m.insert(Message, {
          title: dto.title.trim(),
          body,
          category: dto.category,
          status: 'draft',
          scheduledAt: null,
          ackRequired: !!dto.ackRequired,
          publisherId: user.id,
          orgId: user.orgId!,
          orgPath: user.orgPath!,
          roles: aud.roles,
          audienceSize: null,
          publishedAt: null,
          withdrawnAt: null,
          clientKey: clientKey ?? null,
        });
        const id = Number(r.identifiers[0].id);
        await this.writeAudience(m, id, aud.units, aud.roles);
        return id;
      })
      .catch(async (err) => {
        // the same key stored meanwhile (by a try the interceptor had already given up on): that draft is the answer
        const first = isUniqueViolation(err) ? await again() : null;
        if (first) return first.id;
        throw err;
      });
    return this.get(user, id) as Promise<MessageDto>;
  }

  /** A message the officer may manage (its publisher's unit in scope), else 404. */
  async manageable(user: AuthUser, id: number): Promise<Message> {
    const msg = await this.messages.findOne({ where: { id } });
    if (!msg || !isOfficer(user.role) || !this.scope.covers(user, msg.orgPath)) throw new NotFoundException(`消息 ${id} 不存在`);
    return msg;
  }

  async update(user: AuthUser, id: number, dto: UpdateMessageDto): Promise<MessageDto> {
    const msg = await this.manageable(user, id);
    if (msg.status !== 'draft') throw new ConflictException(`消息当前状态为${STATE(msg.status)}，只有草稿可以修改`);
    const held = (msg.body ?? []).filter((b) => b.type === 'image' && b.mediaId).map((b) => b.mediaId!);
    const body = dto.body ? await this.cleanBody(user, dto.body, held) : undefined;
    const aud = dto.audience ? await this.cleanAudience(user, dto.audience.orgIds, dto.audience.roles) : undefined;
    await this.checkText(user, dto.title, body);
    await this.ds.transaction(async (m) => {
      const patch: Partial<Message> = {};
      if (dto.title !== undefined) patch.title = dto.title.trim();
      if (body) patch.body = body;
      if (dto.category) patch.category = dto.category;
      if (dto.ackRequired !== undefined) patch.ackRequired = dto.ackRequired;
      if (aud) patch.roles = aud.roles;
      // conditional: a publish racing this edit wins, and the edit is refused
      const r = await m.update(Message, { id, status: 'draft' }, { ...patch, updatedAt: new Date() });
      if (!r.affected) throw new ConflictException('消息已不是草稿，不能修改');
      if (aud) await this.writeAudience(m, id, aud.units, aud.roles);
    });
    return this.get(user, id) as Promise<MessageDto>;
  }

  // ---- publish ---------------------------------------------------------------------------------

  /** Users addressed by a message now: one indexed range per target subtree on app_user.orgPath. */
  async countAudience(paths: string[], roles: string[], m: EntityManager = this.ds.manager): Promise<number> {
    if (!paths.length) return 0;
    const { sql: where, params: likes } = subtreesSql('orgPath', paths);
    const roleSql = roles.length ? ` AND role IN (${marks(roles.length)})` : '';
    const rows = await m.query(`SELECT COUNT(*) AS n FROM app_user WHERE (${where}) AND disabled = 0${roleSql}`, [...likes, ...roles]);
    return Number(rows[0].n);
  }

  async publish(user: AuthUser, id: number, dto: PublishMessageDto): Promise<MessageDto> {
    const msg = await this.manageable(user, id);
    if (msg.status !== 'draft') throw new ConflictException(`消息当前状态为${STATE(msg.status)}，只有草稿可以发布`);
    if (dto.scheduledAt) {
      const at = new Date(dto.scheduledAt);
      const now = Date.now();
      if (at.getTime() <= now + 30_000) throw fieldError('scheduledAt', '须至少晚于现在 1 分钟（立即发布请不填）');
      if (at.getTime() > now + PUBLICITY_LIMITS.scheduleDaysMax * 86400_000) throw fieldError('scheduledAt', `须在 ${PUBLICITY_LIMITS.scheduleDaysMax} 天以内`);
      const r = await this.messages.update({ id, status: 'draft' }, { status: 'scheduled', scheduledAt: at });
      if (!r.affected) throw new ConflictException('消息已不是草稿');
      // scheduled either way: without its timer job the half-minute due sweep publishes it
      await this.queue
        .add(JOB_PUBLISH_ONE, { id }, { jobId: `publish-${id}-${at.getTime()}`, delayMs: at.getTime() - now, attempts: 5, backoffMs: 2000 })
        .catch((e: Error) => this.logger.warn(`message ${id}: timer job not queued (${e.message}); the due sweep publishes it`));
      return this.get(user, id) as Promise<MessageDto>;
    }
    const ok = await this.goLive(id, ['draft']);
    if (!ok) throw new ConflictException('消息已不是草稿');
    return this.get(user, id) as Promise<MessageDto>;
  }

  /**
   * Makes a message live: one conditional UPDATE decides which caller (request, timer, second
   * server) publishes it, so it happens exactly once. Then the fan-out job is queued.
   */
  async goLive(id: number, from: MessageStatus[], dueBefore?: Date): Promise<boolean> {
    const now = new Date();
    const won = await this.ds.transaction(async (m) => {
      const qb = m
        .createQueryBuilder()
        .update(Message)
        .set({ status: 'published', publishedAt: now, updatedAt: now })
        .where('id = :id AND status IN (:...from)', { id, from });
      if (dueBefore) qb.andWhere('scheduledAt <= :due', { due: dueBefore });
      const r = await qb.execute();
      if (!r.affected) return false;
      const targets = await m.find(MessageAudience, { where: { messageId: id } });
      const msg = await m.findOneByOrFail(Message, { id });
      const size = await this.countAudience([...new Set(targets.map((t) => t.targetOrgPath))], msg.roles, m);
      await m.update(Message, { id }, { audienceSize: size });
      await m.update(MessageAudience, { messageId: id }, { feedAt: now });
      return true;
    });
    // published either way: a fan-out job not queued is queued again by the resume sweep (fannedOutAt still NULL)
    if (won)
      await this.queue
        .add(JOB_FANOUT, { messageId: id }, { jobId: `fanout-${id}`, attempts: 10, backoffMs: 5000 })
        .catch((e: Error) => this.logger.warn(`message ${id}: fan-out not queued (${e.message}); the resume sweep queues it`));
    return won;
  }

  async publishIfDue(id: number): Promise<boolean> {
    return this.goLive(id, ['scheduled'], new Date());
  }

  /** Every scheduled message whose time has come (run by the every-30-s job on one replica at a time). */
  async publishDue(now = new Date()): Promise<number> {
    const due = await this.messages
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where("m.status = 'scheduled' AND m.scheduledAt <= :now", { now })
      .orderBy('m.scheduledAt', 'ASC')
      .limit(500)
      .getRawMany<{ id: number }>();
    let n = 0;
    for (const { id } of due) if (await this.goLive(Number(id), ['scheduled'], now)) n++;
    return n;
  }

  async withdraw(user: AuthUser, id: number): Promise<MessageDto> {
    const msg = await this.manageable(user, id);
    if (msg.status !== 'published' && msg.status !== 'scheduled') throw new ConflictException(`消息当前状态为${STATE(msg.status)}，不能撤回`);
    await this.ds.transaction(async (m) => {
      const r = await m.update(Message, { id, status: In(['published', 'scheduled']) }, { status: 'withdrawn', withdrawnAt: new Date() });
      if (!r.affected) throw new ConflictException('消息状态已变化，请刷新');
      await m.update(MessageAudience, { messageId: id }, { feedAt: null });
    });
    return this.get(user, id) as Promise<MessageDto>;
  }

  // ---- read (officer) --------------------------------------------------------------------------

  async get(user: AuthUser, id: number): Promise<MessageDto> {
    const msg = await this.manageable(user, id);
    return (await this.view.toDto([msg]))[0];
  }

  async list(user: AuthUser, q: MessageListQueryDto): Promise<Paginated<MessageListItemDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.messages.createQueryBuilder('m');
    this.scope.restrict(qb, 'm.orgPath', user);
    if (q.status) qb.andWhere('m.status = :status', { status: q.status });
    if (q.category) qb.andWhere('m.category = :category', { category: q.category });
    const [rows, total] = await qb.orderBy('m.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    const dtos = await this.view.toDto(rows);
    const counts = new Map<number, { read: number; acked: number }>();
    if (rows.length) {
      const ids = rows.map((r) => r.id);
      const rs = await this.ds.query(
        `SELECT messageId, COUNT(readAt) AS r, COUNT(ackedAt) AS a FROM message_receipt WHERE messageId IN (${marks(ids.length)}) GROUP BY messageId`,
        ids,
      );
      for (const x of rs) counts.set(Number(x.messageId), { read: Number(x.r), acked: Number(x.a) });
    }
    const items = dtos.map(({ body: _b, ...d }, i) => {
      const c = counts.get(d.id) ?? { read: 0, acked: 0 };
      const size = rows[i].audienceSize;
      return {
        ...d,
        audienceSize: size,
        readCount: c.read,
        ackCount: c.acked,
        readRate: rate(c.read, size ?? 0),
        ackRate: rows[i].ackRequired ? rate(c.acked, size ?? 0) : null,
      };
    });
    return { items, total, page, pageSize };
  }

  /** The message as a resident would see it (no receipt; buttons shown disabled). */
  async preview(user: AuthUser, id: number): Promise<FeedMessageDto> {
    const msg = await this.manageable(user, id);
    const org = await this.orgs.findOne({ where: { id: msg.orgId } });
    const [body] = await this.view.renderBodies([msg.body]);
    return {
      ...feedItemOf(msg, org?.name ?? null, null, null, body),
      publishedAt: (msg.publishedAt ?? new Date()).toISOString(),
      body,
      inAudience: false,
    };
  }
}
