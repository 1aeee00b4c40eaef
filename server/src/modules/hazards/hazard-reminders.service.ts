import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { beijingDate, HAZARD_OVERDUE_CLIMB_DAYS, HAZARD_REMIND_BEFORE_HOURS } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { NotificationsService } from '../notifications/notifications.service';
import { subscribeValue } from '../wechat/content-security.service';
import { HazardEvent } from './hazard-event.entity';
import { Hazard } from './hazard.entity';
import { HazardRecipients } from './hazard-recipients';
import { dbTime } from '../../common/db/dialect';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';

export const HAZARD_REMIND_JOB = 'hazards.remind';
const EVERY_MS = 10 * 60_000;
const BATCH = 500;

/**
 * Reminders that always reach someone and climb (in-app, plus a WeChat subscribe message where the user has a
 * consent): see `run`. Recipients come from the one resolver (HazardRecipients): a unit without an officer passes
 * them to the nearest unit above that has one. The notification's unique (user, dedupeKey) makes each land once
 * per hazard and day however many replicas run the schedule; a new deadline (re-assignment) starts afresh.
 */
@Injectable()
export class HazardRemindersService implements OnModuleInit {
  private readonly logger = new Logger('HazardReminders');
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(HazardEvent) private readonly events: Repository<HazardEvent>,
    private readonly recipients: HazardRecipients,
    private readonly notifications: NotificationsService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async onModuleInit() {
    this.queue.register(
      HAZARD_REMIND_JOB,
      async () => {
        const r = await this.run();
        if (r.sent) this.logger.log(`sent ${r.sent} hazard reminders`);
      },
      { concurrency: 1 },
    );
    await this.queue.every(HAZARD_REMIND_JOB, EVERY_MS);
  }

  /**
   * One pass (the schedule runs it every 10 min; tests pass the clock). Before the deadline: the responsible officer,
   * once per deadline. After it: every day, the responsible officer and the officer who assigned it; from the town's
   * climb day on (HAZARD_OVERDUE_CLIMB_DAYS unless the town set its own) also the unit above, and the county is told
   * the first time it climbs. Each day's reminder is one timeline event; a (hazard, day) key makes replicas and reruns
   * harmless.
   */
  async run(now = new Date()): Promise<{ sent: number; dueSoon: number; overdue: number; climbed: number }> {
    const soon = new Date(now.getTime() + HAZARD_REMIND_BEFORE_HOURS * 3600_000);
    // (status, deadline) index: both scans are ranges.
    const dueSoon = await this.hazards
      .createQueryBuilder('h')
      .where('h.status IN (:...work)', { work: ['assigned', 'rectifying'] })
      .andWhere('h.deadline >= :now AND h.deadline < :soon', { now: dbTime(now), soon: dbTime(soon) })
      .orderBy('h.deadline', 'ASC')
      .take(BATCH)
      .getMany();
    let sent = 0;
    for (const h of dueSoon) sent += await this.remindDueSoon(h);
    const climbDays = await this.climbDaysByTown();
    let overdue = 0;
    let climbed = 0;
    // Every overdue hazard, every day: keyset pages by id.
    for (let lastId = 0; ;) {
      const page = await this.hazards
        .createQueryBuilder('h')
        .where('h.status IN (:...work)', { work: ['assigned', 'rectifying'] })
        .andWhere('h.deadline < :now', { now: dbTime(now) })
        .andWhere('h.id > :lastId', { lastId })
        .orderBy('h.id', 'ASC')
        .take(BATCH)
        .getMany();
      if (!page.length) break;
      for (const h of page) {
        const r = await this.remindOverdue(h, now, climbDays);
        sent += r.sent;
        if (r.climbed) climbed++;
      }
      overdue += page.length;
      lastId = page[page.length - 1].id;
    }
    return { sent, dueSoon: dueSoon.length, overdue, climbed };
  }

  /** Town path → its climb day (only towns that set one). */
  private async climbDaysByTown(): Promise<Map<string, number>> {
    const rows: { path: string; d: number }[] = await this.ds.query(
      "SELECT path, overdueClimbDays AS d FROM org_unit WHERE type = 'town' AND overdueClimbDays IS NOT NULL",
    );
    return new Map(rows.map((r) => [r.path, Number(r.d)]));
  }

  private climbDayOf(h: Hazard, byTown: Map<string, number>): number {
    for (const [path, d] of byTown) if (h.orgPath.startsWith(path)) return d;
    return HAZARD_OVERDUE_CLIMB_DAYS;
  }

  /** Adds a system event once per key (a rerun or a second replica finds it stored). */
  private async event(h: Hazard, dedupeKey: string, note: string, data: Record<string, unknown>): Promise<void> {
    // The unique index is what guarantees once; the look-up first spares the database a failed insert.
    if (await this.events.exist({ where: { hazardId: h.id, dedupeKey } })) return;
    try {
      await this.events.insert({
        hazardId: h.id,
        action: 'remind',
        fromStatus: h.status,
        toStatus: h.status,
        actorId: null,
        actorRole: null,
        note,
        photoIds: null,
        data: data as never,
        dedupeKey,
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  private async remindDueSoon(h: Hazard): Promise<number> {
    const recipients = await this.recipients.responsible(h);
    const deadline = h.deadline!;
    const key = `hazard:${h.id}:due_soon:${deadline.getTime()}`;
    const sent = await this.send(h, recipients, {
      kind: 'hazard_due_soon',
      title: `隐患 ${h.code} 明天到期`,
      body: `整改期限 ${beijingDate(deadline)}：${h.description.slice(0, 60)}`,
      key,
      phrase: '即将到期',
    });
    if (recipients.length)
      await this.event(h, `due_soon:${deadline.getTime()}`, '整改期限将到，已提醒责任人', { kind: 'due_soon', recipients: recipients.length });
    return sent;
  }

  private async remindOverdue(h: Hazard, now: Date, byTown: Map<string, number>): Promise<{ sent: number; climbed: boolean }> {
    const deadline = h.deadline!;
    const today = beijingDate(now);
    // Days past the deadline, counted in China calendar days (the day after the deadline is day 1).
    const days = Math.max(1, Math.round((Date.parse(today) - Date.parse(beijingDate(deadline))) / 86400_000));
    const climbAt = this.climbDayOf(h, byTown);
    const responsible = await this.recipients.responsible(h);
    const assigner: { actorId: number | null }[] = await this.ds.query(
      "SELECT actorId FROM hazard_event WHERE hazardId = ? AND action = 'assign' ORDER BY id DESC LIMIT 1",
      [h.id],
    );
    const assignerId = assigner[0]?.actorId != null ? Number(assigner[0].actorId) : null;
    const to = new Set(responsible);
    if (assignerId) to.add(assignerId);
    let above: { path: string; userIds: number[] } | null = null;
    if (days >= climbAt) {
      above = await this.recipients.nearest(h.responsibleOrgPath ?? h.orgPath, { above: true });
      for (const u of above?.userIds ?? []) to.add(u);
    }
    const aboveName = above ? await this.recipients.unitName(above.path) : null;
    const sent = await this.send(h, [...to], {
      kind: 'hazard_overdue',
      title: `隐患 ${h.code} 已逾期${days}天`,
      body: `整改期限 ${beijingDate(deadline)}：${h.description.slice(0, 60)}`,
      key: `hazard:${h.id}:overdue:${deadline.getTime()}:${today}`,
      phrase: '已逾期',
    });
    if (to.size) {
      await this.event(h, `overdue:${today}`, above ? `已逾期${days}天，已催办责任人，并报${aboveName ?? '上级单位'}督办` : `已逾期${days}天，已催办责任人`, {
        kind: 'overdue',
        day: today,
        overdueDays: days,
        recipients: to.size,
        assignerId,
        climbedTo: aboveName,
      });
    }
    let climbed = false;
    if (above) {
      // The first day it climbs, the county is told (上报县级 of an overdue hazard) and the timeline says so.
      const county = await this.recipients.county(h.orgPath);
      const key = `hazard:${h.id}:climb:${deadline.getTime()}`;
      await this.notifications.notifyEach(
        county.map((userId) => ({
          userId,
          kind: 'hazard_climbed',
          title: `逾期上报 ${h.code}`,
          body: `逾期${days}天未整改，已报${aboveName ?? '上级单位'}：${h.description.slice(0, 60)}`,
          link: `/officer/hazard/index?id=${h.id}`,
          dedupeKey: key,
        })),
      );
      await this.event(h, `climb:${deadline.getTime()}`, `逾期超过${climbAt}天，已报${aboveName ?? '上级单位'}督办，并告知县级`, {
        kind: 'climb',
        overdueDays: days,
        climbDays: climbAt,
        climbedTo: aboveName,
        county: county.length,
      });
      climbed = true;
    }
    return { sent, climbed };
  }

  private async send(h: Hazard, userIds: number[], m: { kind: string; title: string; body: string; key: string; phrase: string }): Promise<number> {
    let sent = 0;
    for (const uid of userIds) {
      const fresh = await this.notifications.notify(uid, {
        kind: m.kind,
        title: m.title,
        body: m.body,
        link: `/officer/hazard/index?id=${h.id}`,
        dedupeKey: m.key,
      });
      if (!fresh) continue;
      sent++;
      await this.notifications.pushWechat(
        {
          userId: uid,
          template: 'hazard_deadline',
          page: `officer/hazard/index?id=${h.id}`,
          data: {
            character_string1: subscribeValue.code(h.code),
            thing2: subscribeValue.thing(h.description),
            time3: subscribeValue.time(h.deadline!),
            phrase4: subscribeValue.phrase(m.phrase),
          },
        },
        `${m.key}:${uid}`,
      );
    }
    return sent;
  }
}
