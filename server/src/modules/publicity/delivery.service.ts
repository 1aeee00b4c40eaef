import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MESSAGE_CATEGORY_LABELS } from '@xiangan/shared';
import { DataSource, IsNull, Repository } from 'typeorm';
import { subscribeValue } from '../wechat/content-security.service';
import { WechatClient, WechatError, WX_ERR } from '../wechat/wechat.client';
import { JOB_QUEUE, JobContext, JobQueue } from '../jobs/job-queue';
import { AppConfig } from '../../config/app-config';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { isRetryableWechatError, SubscriptionsService } from '../subscriptions/subscriptions.service';
import { dbTime } from '../../common/db/dialect';
import { marks } from '../../common/db/sql';
import { isMysql } from '../../common/db/dialect';
import { Message, MessageAudience, MessageDelivery, MessageReminder } from './message.entity';
import { JOB_FANOUT } from './publicity.service';
import { JOB_REMIND, ReachService } from './reach.service';
import { subtreesSql } from '../../common/scope/subtree';

export const JOB_SEND = 'publicity.send';
export const JOB_RESUME = 'publicity.resume';
export const SEND_ATTEMPTS = 5;
/** Users per page when the fan-out and 催阅 walk an audience (the fan-out spec checks that its kill leaves ≥ 2 behind). */
export const DELIVERY_BATCH = 500;

/** Subscribe-message data of the 宣传推送 template (fields documented in docs/DEVELOPING.md). */
export function publicityTemplateData(title: string, orgName: string, at: Date, hint: string) {
  return { thing1: subscribeValue.thing(title), thing2: subscribeValue.thing(orgName), time3: subscribeValue.time(at), thing4: subscribeValue.thing(hint) };
}

/**
 * The background side of publishing: fan-out (one job per message, resumable, enqueuing one send job
 * per consenting user with jobId `msg-<messageId>-user-<userId>`) and the sends themselves.
 * Exactly once per user: `message_delivery` has (messageId, userId) unique, and a send first claims
 * its row (pending → sending) with a conditional UPDATE, spending the consent in the same transaction.
 */
@Injectable()
export class DeliveryService implements OnModuleInit {
  private readonly logger = new Logger('PublicityDelivery');
  /** A pending send older than this (its job lost with a Redis outage, say) is enqueued again. */
  private readonly resumeAfterMs: number;

  constructor(
    @InjectRepository(MessageAudience) private readonly messageAudiences: Repository<MessageAudience>,
    @InjectRepository(MessageReminder) private readonly messageReminders: Repository<MessageReminder>,
    private readonly ds: DataSource,
    private readonly wechat: WechatClient,
    private readonly subs: SubscriptionsService,
    private readonly notifications: NotificationsService,
    private readonly reach: ReachService,
    private readonly cfg: AppConfig,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageDelivery) private readonly deliveries: Repository<MessageDelivery>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
  ) {
    this.resumeAfterMs = cfg.PUBLICITY_RESUME_AFTER_SECONDS * 1000;
  }

  onModuleInit() {
    this.queue.register<{ messageId: number }>(JOB_FANOUT, (d) => this.fanout(d.messageId), { concurrency: 1 });
    this.queue.register<{ messageId: number; userId: number }>(JOB_SEND, (d, ctx) => this.send(d.messageId, d.userId, ctx), { concurrency: 8 });
    this.queue.register<{ reminderId: number }>(JOB_REMIND, (d) => this.remind(d.reminderId), { concurrency: 1 });
    this.queue.register(JOB_RESUME, () => this.resumePending().then(() => undefined), { concurrency: 1 });
    void this.queue.every(JOB_RESUME, 60_000).catch((e) => this.logger.warn(`cannot schedule ${JOB_RESUME}: ${e.message}`));
  }

  /**
   * Safety net for sends whose job never ran (enqueued while Redis was down, or lost with it): pending
   * rows of messages published in the last week, older than PUBLICITY_RESUME_AFTER_SECONDS, get a new job. The claim
   * in send() still makes a second job for the same user a no-op, so this can only fill gaps. A message whose fan-out
   * never reached its end gets that job again (it skips what is done). Reminders (催阅) of the
   * last week not taken by their job by then get one too, claimed the same way in remind(). Returns the jobs queued.
   */
  async resumePending(now = new Date()): Promise<number> {
    const since = new Date(now.getTime() - 7 * 24 * 3600_000);
    const before = new Date(now.getTime() - this.resumeAfterMs);
    const msgs: { id: number; fannedOutAt: unknown }[] = await this.ds.query(
      `SELECT id, fannedOutAt FROM message WHERE status = 'published' AND publishedAt >= ? AND publishedAt <= ?`,
      [dbTime(since), dbTime(before)],
    );
    const windowTag = Math.floor(now.getTime() / this.resumeAfterMs);
    let n = 0;
    // a fan-out that never reached its end (its job lost): again from the start, which changes nothing already done
    const unfanned = this.subs.canSend('publicity') ? msgs.filter((m) => m.fannedOutAt === null) : [];
    for (const { id } of unfanned)
      await this.queue.add(JOB_FANOUT, { messageId: Number(id) }, { jobId: `fanout-${id}-r${windowTag}`, attempts: 10, backoffMs: 5000 });
    if (unfanned.length) this.logger.warn(`re-enqueued the fan-out of ${unfanned.length} messages`);
    for (const { id } of msgs) {
      const rows: { userId: number }[] = await this.ds.query(
        `SELECT userId FROM message_delivery WHERE messageId = ? AND status = 'pending' AND (claimedAt IS NULL OR claimedAt <= ?) LIMIT 5000`,
        [Number(id), dbTime(before)],
      );
      if (!rows.length) continue;
      n += rows.length;
      await this.queue.addBulk(
        JOB_SEND,
        rows.map((r) => ({
          data: { messageId: Number(id), userId: Number(r.userId) },
          opts: { jobId: `msg-${id}-user-${r.userId}-r${windowTag}`, attempts: SEND_ATTEMPTS, backoffMs: this.cfg.PUBLICITY_SEND_BACKOFF_MS },
        })),
      );
    }
    if (n) this.logger.warn(`re-enqueued ${n} pending subscribe sends`);
    // 催阅 whose job never ran (not queued: Redis away, or the reminder's insert answered with a lost connection)
    const reminders: { id: number }[] = await this.ds.query(
      `SELECT id FROM message_reminder WHERE startedAt IS NULL AND createdAt >= ? AND createdAt <= ? ORDER BY id LIMIT 1000`,
      [dbTime(since), dbTime(before)],
    );
    for (const { id } of reminders) await this.queue.add(JOB_REMIND, { reminderId: Number(id) }, { jobId: `remind-${id}-r${windowTag}`, attempts: 1 });
    if (reminders.length) this.logger.warn(`re-enqueued ${reminders.length} reminders whose job never ran`);
    return unfanned.length + n + reminders.length;
  }

  /**
   * Walks the consenting users of the audience in id order, in batches: inserts their delivery rows
   * (a duplicate is ignored) and enqueues their send jobs (a duplicate jobId is ignored). A crash
   * half-way re-runs the job from the start and changes nothing already done.
   */
  async fanout(messageId: number): Promise<void> {
    const tpl = this.subs.canSend('publicity') ? this.subs.templateId('publicity')! : null;
    if (!tpl) return; // in-app only: the feed is the delivery
    const msg = await this.messages.findOne({ where: { id: messageId } });
    if (!msg || msg.status !== 'published') return;
    const paths = [...new Set((await this.messageAudiences.find({ where: { messageId } })).map((a) => a.targetOrgPath))];
    if (!paths.length) return this.fannedOut(messageId);
    const roles = msg.roles ?? [];
    const ignore = isMysql(this.ds) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const under = subtreesSql('u.orgPath', paths);
    let after = 0;
    for (;;) {
      const rows: { id: number; orgPath: string }[] = await this.ds.query(
        `SELECT u.id, u.orgPath FROM subscription_consent c JOIN app_user u ON u.id = c.userId
          WHERE c.templateId = ? AND c.remaining > 0 AND c.userId > ? AND u.disabled = 0 AND u.openid IS NOT NULL AND u.openid NOT LIKE 'dev:%'
            AND ${under.sql} ${roles.length ? `AND u.role IN (${marks(roles.length)})` : ''}
          ORDER BY c.userId LIMIT ${DELIVERY_BATCH}`,
        [tpl, after, ...under.params, ...roles],
      );
      if (!rows.length) break;
      after = Number(rows[rows.length - 1].id);
      const values = rows.map(() => `(?, ?, ?, 'pending', 0)`).join(', ');
      await this.ds.query(
        `${ignore} INTO message_delivery (messageId, userId, userOrgPath, status, attempts) VALUES ${values}`,
        rows.flatMap((r) => [messageId, Number(r.id), r.orgPath]),
      );
      await this.queue.addBulk(
        JOB_SEND,
        rows.map((r) => ({
          data: { messageId, userId: Number(r.id) },
          opts: { jobId: `msg-${messageId}-user-${r.id}`, attempts: SEND_ATTEMPTS, backoffMs: this.cfg.PUBLICITY_SEND_BACKOFF_MS },
        })),
      );
      if (rows.length < DELIVERY_BATCH) break;
    }
    await this.fannedOut(messageId);
  }

  /** The fan-out reached its end: the resume sweep leaves the message alone (not `updatedAt`: nobody edited it). */
  private async fannedOut(messageId: number): Promise<void> {
    await this.ds.query('UPDATE message SET fannedOutAt = ? WHERE id = ?', [dbTime(new Date()), messageId]);
  }

  /** One user's subscribe message. See the class comment for why it can never go out twice. */
  async send(messageId: number, userId: number, ctx: JobContext = { attempt: 1, jobId: '' }): Promise<void> {
    const tpl = this.subs.templateId('publicity');
    const msg = await this.messages.findOne({ where: { id: messageId } });
    if (!tpl || !msg) return;
    if (msg.status !== 'published') {
      await this.deliveries.update({ messageId, userId, status: 'pending' }, { status: 'failed', error: 'message withdrawn before sending' });
      return;
    }
    // Everything the send needs is read before the claim: after it, only the WeChat call and the result remain.
    const user = await this.users.findOne({ where: { id: userId } });
    if (!user?.openid || user.openid.startsWith('dev:') || user.disabled) {
      await this.deliveries.update({ messageId, userId, status: 'pending' }, { status: 'failed', error: 'no WeChat openid' });
      return;
    }
    const org = await this.orgs.findOne({ where: { id: msg.orgId } });
    const now = new Date();
    const claimed = await this.ds.transaction(async (m) => {
      const r = await m
        .createQueryBuilder()
        .update(MessageDelivery)
        .set({ status: 'sending', attempts: () => 'attempts + 1', claimedAt: now })
        .where("messageId = :messageId AND userId = :userId AND status = 'pending'", { messageId, userId })
        .execute();
      if (!r.affected) return 'taken' as const;
      if (!(await this.subs.spend(userId, tpl, m))) {
        await m.update(MessageDelivery, { messageId, userId }, { status: 'no_consent', error: 'no consent left' });
        return 'no_consent' as const;
      }
      return 'claimed' as const;
    });
    if (claimed !== 'claimed') return;

    const hint = msg.ackRequired ? '请打开阅读并点“已阅并知晓”' : `${MESSAGE_CATEGORY_LABELS[msg.category] ?? ''}安全提醒，请点击查看`;
    try {
      const { msgid } = await this.wechat.sendSubscribeMessage({
        openid: user.openid,
        templateId: tpl,
        page: `pages/message/index?id=${messageId}`,
        data: publicityTemplateData(msg.title, org?.name ?? '乡安', msg.publishedAt ?? now, hint),
      });
      await this.deliveries.update({ messageId, userId, status: 'sending' }, { status: 'sent', sentAt: new Date(), error: null, wxMsgId: msgid });
    } catch (err) {
      const e = err as Error;
      if (err instanceof WechatError && err.errcode === WX_ERR.NO_SUBSCRIBE_CONSENT) {
        await this.ds.transaction(async (m) => {
          await this.subs.zero(userId, tpl, m);
          await m.update(MessageDelivery, { messageId, userId }, { status: 'no_consent', error: `43101 ${err.errmsg}`.slice(0, 255) });
        });
        return;
      }
      if (!isRetryableWechatError(err)) {
        // The request may have reached WeChat: sending again could deliver twice, so stop here.
        await this.deliveries.update({ messageId, userId }, { status: 'unknown', error: `outcome unknown: ${e.message}`.slice(0, 255) });
        return;
      }
      const last = ctx.attempt >= SEND_ATTEMPTS;
      await this.ds.transaction(async (m) => {
        await this.subs.refund(userId, tpl, m);
        await m.update(MessageDelivery, { messageId, userId }, { status: last ? 'failed' : 'pending', error: e.message.slice(0, 255) });
      });
      if (!last) throw err; // the queue retries with backoff
    }
  }

  /** 催阅 for one unit: an in-app notice to each pending user, and a subscribe message where consent is left. */
  async remind(reminderId: number): Promise<void> {
    // taken once: a second job for the same reminder (queued again by resumePending while the first waited) does nothing
    const claim = await this.messageReminders.update({ id: reminderId, startedAt: IsNull() }, { startedAt: new Date() });
    if (!claim.affected) return;
    const rem = await this.messageReminders.findOne({ where: { id: reminderId } });
    if (!rem) return;
    const msg = await this.messages.findOne({ where: { id: rem.messageId } });
    if (!msg || msg.status !== 'published') return;
    const org = await this.orgs.findOne({ where: { id: msg.orgId } });
    const { sql, params } = this.reach.pendingSql(msg, rem.orgPath);
    const ask = msg.ackRequired ? '阅读并点“已阅并知晓”' : '阅读';
    let after = 0;
    for (;;) {
      const rows: { id: number }[] = await this.ds.query(`SELECT u.id FROM ${sql} AND u.id > ? ORDER BY u.id LIMIT ${DELIVERY_BATCH}`, [...params, after]);
      if (!rows.length) break;
      after = Number(rows[rows.length - 1].id);
      for (const r of rows) {
        const userId = Number(r.id);
        await this.notifications.notify(userId, {
          kind: 'publicity_remind',
          title: `请${ask}：${msg.title}`.slice(0, 100),
          body: `${org?.name ?? ''}提醒您尽快${ask}。`,
          link: `/pages/message/index?id=${msg.id}`,
          dedupeKey: `publicity-remind-${reminderId}`,
        });
        // at most once per reminder and user: no retry of a subscribe send (it might have gone out)
        await this.subs.trySend(
          userId,
          'publicity',
          publicityTemplateData(msg.title, org?.name ?? '乡安', msg.publishedAt ?? new Date(), `请尽快${ask}`),
          `pages/message/index?id=${msg.id}`,
        );
      }
      if (rows.length < DELIVERY_BATCH) break;
    }
  }
}
