import { Inject, Injectable, Logger, NotFoundException, OnModuleInit, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { NotificationDto, NotificationListDto } from '@xiangan/shared';
import { IsNull, Repository } from 'typeorm';
import { pageOf, PageQueryDto } from '../../common/http/page-query.dto';
import { isMysql } from '../../common/db/dialect';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { Notification } from './notification.entity';

const PUSH_JOB = 'notifications.wechat-push';
type PushInput = Parameters<SubscribePush['send']>[0];

export interface NotifyInput {
  kind: string;
  title: string;
  body?: string | null;
  link?: string | null;
  /** Same (user, dedupeKey) twice → stored once; `notify` answers false the second time. */
  dedupeKey?: string | null;
}

/**
 * WeChat subscribe-message hook. The publicity feature owns consents (`POST /api/subscriptions`) and
 * provides this token; until it does, notices are in-app only. `send` answers false when the user
 * has no consent left for the template.
 */
export const SUBSCRIBE_PUSH = Symbol('SUBSCRIBE_PUSH');
export interface SubscribePush {
  send(input: {
    userId: number;
    template: 'hazard_deadline' | 'hazard_update' | 'pledge';
    page: string;
    data: Record<string, { value: string }>;
  }): Promise<boolean>;
}

export function mapNotification(n: Notification): NotificationDto {
  return { id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, read: !!n.readAt, createdAt: n.createdAt.toISOString() };
}

@Injectable()
export class NotificationsService implements OnModuleInit {
  private readonly logger = new Logger('Notifications');
  constructor(
    @InjectRepository(Notification) private readonly repo: Repository<Notification>,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Optional() @Inject(SUBSCRIBE_PUSH) private readonly push?: SubscribePush,
  ) {}

  onModuleInit() {
    // One attempt only: a WeChat send that may have gone out must not be repeated (it would spend a second consent).
    this.queue.register<PushInput>(PUSH_JOB, async (input) => {
      await this.sendWechat(input);
    });
  }

  /** Stores an in-app notice; false when the same dedupeKey was already used for this user. */
  async notify(userId: number, input: NotifyInput): Promise<boolean> {
    // The unique index is what guarantees once; the look-up first just spares the database a failed insert.
    if (input.dedupeKey && (await this.repo.exist({ where: { userId, dedupeKey: input.dedupeKey } }))) return false;
    try {
      await this.repo.insert({
        userId,
        kind: input.kind,
        title: input.title.slice(0, 100),
        body: input.body?.slice(0, 500) ?? null,
        link: input.link ?? null,
        dedupeKey: input.dedupeKey ?? null,
        readAt: null,
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** The same notice for several users, in one statement (each user once per dedupeKey, as with `notify`). */
  async notifyMany(userIds: number[], input: NotifyInput): Promise<void> {
    await this.notifyEach(userIds.map((userId) => ({ userId, ...input })));
  }

  /**
   * Several notices (any users, any texts) in one multi-row INSERT per 500. A (userId, dedupeKey) already stored —
   * or twice in the list — is skipped by the unique index instead of failing the statement: `ON DUPLICATE KEY
   * UPDATE id = id` on MySQL (unlike INSERT IGNORE it still refuses bad data), `ON CONFLICT DO NOTHING` on SQLite.
   */
  async notifyEach(notices: (NotifyInput & { userId: number })[]): Promise<void> {
    const upsert = isMysql(this.repo.manager) ? 'ON DUPLICATE KEY UPDATE id = id' : 'ON CONFLICT DO NOTHING';
    for (let i = 0; i < notices.length; i += 500) {
      const chunk = notices.slice(i, i + 500);
      const params = chunk.flatMap((n) => [n.userId, n.kind, n.title.slice(0, 100), n.body?.slice(0, 500) ?? null, n.link ?? null, n.dedupeKey ?? null]);
      await this.repo.manager.query(
        `INSERT INTO notification (userId, kind, title, body, link, dedupeKey) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ${upsert}`,
        params,
      );
    }
  }

  /**
   * Queues a WeChat subscribe message (never sent inside the request). `jobId` makes a push happen once
   * across replicas (e.g. the reminder's dedupeKey). No-op when no consent feature is wired in.
   */
  async pushWechat(input: PushInput, jobId?: string): Promise<void> {
    if (!this.push) return;
    await this.queue.add(PUSH_JOB, input, { jobId, attempts: 1 });
  }

  private async sendWechat(input: PushInput): Promise<boolean> {
    if (!this.push) return false;
    try {
      return await this.push.send(input);
    } catch (err) {
      this.logger.warn(`subscribe push failed for user ${input.userId}: ${(err as Error).message}`);
      return false;
    }
  }

  async list(userId: number, q: PageQueryDto): Promise<NotificationListDto> {
    const { page, pageSize, skip } = pageOf(q);
    const [rows, total] = await this.repo.findAndCount({ where: { userId }, order: { id: 'DESC' }, skip, take: pageSize });
    const unread = await this.repo.count({ where: { userId, readAt: IsNull() } });
    return { items: rows.map(mapNotification), total, page, pageSize, unread };
  }

  async markRead(userId: number, id: number): Promise<NotificationDto> {
    const n = await this.repo.findOne({ where: { id, userId } });
    if (!n) throw new NotFoundException(`通知 ${id} 不存在`);
    if (!n.readAt) {
      n.readAt = new Date();
      await this.repo.update({ id, userId }, { readAt: n.readAt });
    }
    return mapNotification(n);
  }

  async markAllRead(userId: number): Promise<{ updated: number }> {
    const r = await this.repo.update({ userId, readAt: IsNull() }, { readAt: new Date() });
    return { updated: r.affected ?? 0 };
  }
}
