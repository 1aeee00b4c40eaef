import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { HAZARD_REMIND_BEFORE_HOURS } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { NotificationsService } from '../notifications/notifications.service';
import { subscribeValue } from '../wechat/content-security.service';
import { HazardEvent } from './hazard-event.entity';
import { Hazard } from './hazard.entity';
import { HazardsService } from './hazards.service';
import { dbTime } from '../../common/db/dialect';

export const HAZARD_REMIND_JOB = 'hazards.remind';
const EVERY_MS = 10 * 60_000;
const BATCH = 500;

/**
 * Reminds whoever answers for a hazard once 24 h before its deadline and once after it passed
 * (in-app, plus a WeChat subscribe message where the user has a consent). The notification's
 * unique (user, dedupeKey) makes each reminder land once per hazard, kind and deadline, however
 * many replicas run the schedule; a new deadline (re-assignment) earns new reminders.
 */
@Injectable()
export class HazardRemindersService implements OnModuleInit {
  private readonly logger = new Logger('HazardReminders');
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    private readonly service: HazardsService,
    private readonly notifications: NotificationsService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onModuleInit() {
    this.queue.register(HAZARD_REMIND_JOB, async () => {
      const r = await this.run();
      if (r.sent) this.logger.log(`sent ${r.sent} hazard reminders`);
    }, { concurrency: 1 });
    await this.queue.every(HAZARD_REMIND_JOB, EVERY_MS);
  }

  private t(d: Date): Date | string {
    return dbTime(this.ds, d);
  }

  async run(now = new Date()): Promise<{ sent: number; dueSoon: number; overdue: number }> {
    const soon = new Date(now.getTime() + HAZARD_REMIND_BEFORE_HOURS * 3600_000);
    // (status, deadline) index: both scans are ranges.
    const dueSoon = await this.hazards
      .createQueryBuilder('h')
      .where('h.status IN (:...work)', { work: ['assigned', 'rectifying'] })
      .andWhere('h.deadline >= :now AND h.deadline < :soon', { now: this.t(now), soon: this.t(soon) })
      .orderBy('h.deadline', 'ASC')
      .take(BATCH)
      .getMany();
    const overdue = await this.hazards
      .createQueryBuilder('h')
      .where('h.status IN (:...work)', { work: ['assigned', 'rectifying'] })
      .andWhere('h.deadline < :now', { now: this.t(now) })
      .orderBy('h.deadline', 'DESC')
      .take(BATCH)
      .getMany();
    let sent = 0;
    for (const h of dueSoon) sent += await this.remind(h, 'due_soon');
    for (const h of overdue) sent += await this.remind(h, 'overdue');
    return { sent, dueSoon: dueSoon.length, overdue: overdue.length };
  }

  private async remind(h: Hazard, kind: 'due_soon' | 'overdue'): Promise<number> {
    const recipients = await this.service.responsibleUserIds(h);
    const deadline = h.deadline!;
    const day = new Date(deadline.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    let sent = 0;
    for (const uid of recipients) {
      const fresh = await this.notifications.notify(uid, {
        kind: kind === 'due_soon' ? 'hazard_due_soon' : 'hazard_overdue',
        title: kind === 'due_soon' ? `隐患 ${h.code} 明天到期` : `隐患 ${h.code} 已逾期`,
        body: `整改期限 ${day}：${h.description.slice(0, 60)}`,
        link: `/officer/hazard/index?id=${h.id}`,
        dedupeKey: `hazard:${h.id}:${kind}:${deadline.getTime()}`,
      });
      if (!fresh) continue;
      sent++;
      await this.notifications.pushWechat({
        userId: uid,
        template: 'hazard_deadline',
        page: `officer/hazard/index?id=${h.id}`,
        data: {
          character_string1: subscribeValue.code(h.code),
          thing2: subscribeValue.thing(h.description),
          time3: subscribeValue.time(deadline),
          phrase4: subscribeValue.phrase(kind === 'due_soon' ? '即将到期' : '已逾期'),
        },
      }, `hazard:${h.id}:${kind}:${deadline.getTime()}:${uid}`);
    }
    if (sent) {
      await this.events.insert({
        hazardId: h.id, action: 'remind', fromStatus: h.status, toStatus: h.status, actorId: null, actorRole: null,
        note: kind === 'due_soon' ? '整改期限将到，已提醒责任人' : '已逾期，已催办责任人', photoIds: null,
        data: { kind, recipients: recipients.length },
      });
    }
    return sent;
  }
}
