import { BadRequestException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MESSAGE_STATUS_LABELS, MessageStatsDto, MessageStatus, PUBLICITY_LIMITS, ReachUnitDto, RemindUnitsResponse } from '@xiangan/shared';
import { DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { OrgUnit } from '../orgs/org-unit.entity';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { readTime } from '../../common/db/dialect';
import { iso, marks, rate } from '../../common/db/sql';
import { Message, MessageAudience, MessageReminder } from './message.entity';
import { PublicityService } from './publicity.service';
import type { SqlRow } from '../../common/db/sql-row';
import { fieldError } from '../../common/http/field-labels';
import { subtreeSql, subtreesSql } from '../../common/scope/subtree';

export const JOB_REMIND = 'publicity.remind';

interface PathCounts {
  audience: Map<string, number>;
  read: Map<string, number>;
  acked: Map<string, number>;
  delivered: Map<string, number>;
}

/** Reach of one message: counts by the users' unit paths, folded into the units of a breakdown. */
@Injectable()
export class ReachService {
  private readonly logger = new Logger('PublicityReach');

  constructor(
    private readonly ds: DataSource,
    private readonly publicity: PublicityService,
    private readonly subs: SubscriptionsService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @InjectRepository(MessageAudience) private readonly audience: Repository<MessageAudience>,
    @InjectRepository(MessageReminder) private readonly reminders: Repository<MessageReminder>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
  ) {}

  private async targets(messageId: number): Promise<OrgUnit[]> {
    const ids = [...new Set((await this.audience.find({ where: { messageId } })).map((a) => a.targetOrgId))];
    return ids.length ? this.orgs.find({ where: { id: In(ids) }, order: { id: 'ASC' } }) : [];
  }

  /** Audience, read, acked and delivered counts per user unit path under `prefixes` (index ranges, grouped). */
  private async countsByPath(msg: Message, prefixes: string[]): Promise<PathCounts> {
    const { sql: like, params: likes } = subtreesSql('orgPath', prefixes);
    const { sql: userLike } = subtreesSql('userOrgPath', prefixes);
    const roles = msg.roles ?? [];
    const roleSql = roles.length ? ` AND role IN (${marks(roles.length)})` : '';
    const fold = (rows: SqlRow[], col = 'n') => new Map<string, number>(rows.map((r) => [String(r.p), Number(r[col])]));
    const [aud, rec, del] = await Promise.all([
      this.ds.query(`SELECT orgPath AS p, COUNT(*) AS n FROM app_user WHERE (${like}) AND disabled = 0${roleSql} GROUP BY orgPath`, [...likes, ...roles]),
      this.ds.query(
        `SELECT userOrgPath AS p, COUNT(readAt) AS r, COUNT(ackedAt) AS a FROM message_receipt WHERE messageId = ? AND (${userLike}) GROUP BY userOrgPath`,
        [msg.id, ...likes],
      ),
      this.ds.query(
        `SELECT userOrgPath AS p, COUNT(*) AS n FROM message_delivery WHERE messageId = ? AND status = 'sent' AND (${userLike}) GROUP BY userOrgPath`,
        [msg.id, ...likes],
      ),
    ]);
    return { audience: fold(aud), read: fold(rec, 'r'), acked: fold(rec, 'a'), delivered: fold(del) };
  }

  async stats(user: AuthUser, id: number, orgId?: number): Promise<MessageStatsDto> {
    const msg = await this.publicity.manageable(user, id);
    const targets = await this.targets(id);
    const counts = await this.countsByPath(
      msg,
      targets.map((t) => t.path),
    );
    const sum = (m: Map<string, number>, prefix?: string, exact = false) =>
      [...m].reduce((s, [p, n]) => s + (!prefix || (exact ? p === prefix : p.startsWith(prefix)) ? n : 0), 0);

    // The rows of the breakdown: the children of `orgId` (and its own people), or the targets themselves.
    let breakdownOf: OrgUnit | null = null;
    if (orgId) {
      breakdownOf = await this.orgs.findOne({ where: { id: orgId } });
      if (!breakdownOf) throw new NotFoundException(`单位 ${orgId} 不存在`);
      if (!targets.some((t) => breakdownOf!.path.startsWith(t.path))) throw fieldError('orgId', '须在这条消息的发送范围内');
    } else if (targets.length === 1) breakdownOf = targets[0];
    const rowsUnits: { unit: OrgUnit; exact: boolean }[] = breakdownOf
      ? [
          { unit: breakdownOf, exact: true },
          ...(await this.orgs.find({ where: { parentId: breakdownOf.id, archived: false }, order: { id: 'ASC' } })).map((unit) => ({ unit, exact: false })),
        ]
      : targets.map((unit) => ({ unit, exact: false }));

    const withKids = new Set<number>(
      rowsUnits.length
        ? (
            await this.ds.query(
              `SELECT DISTINCT parentId AS id FROM org_unit WHERE parentId IN (${marks(rowsUnits.length)})`,
              rowsUnits.map((r) => r.unit.id),
            )
          ).map((r: SqlRow) => Number(r.id))
        : [],
    );
    const lastReminded = await this.lastReminded(id);
    const measure = (path: string, exact: boolean) => {
      const audience = sum(counts.audience, path, exact);
      const read = sum(counts.read, path, exact);
      const acked = sum(counts.acked, path, exact);
      return { audience, read, acked, delivered: sum(counts.delivered, path, exact) };
    };
    const lagging = (c: { audience: number; read: number; acked: number }) =>
      c.audience > 0 && (msg.ackRequired ? c.acked : c.read) / c.audience < PUBLICITY_LIMITS.laggingRate;
    const units: ReachUnitDto[] = rowsUnits
      .map(({ unit, exact }) => {
        const c = measure(unit.path, exact);
        return {
          orgId: unit.id,
          name: exact ? `${unit.name}（本级）` : unit.name,
          type: unit.type,
          ...c,
          readRate: rate(c.read, c.audience),
          ackRate: msg.ackRequired ? rate(c.acked, c.audience) : null,
          lagging: msg.status === 'published' && lagging(c),
          hasChildren: !exact && withKids.has(unit.id),
          lastRemindedAt: iso(lastReminded.get(unit.id)),
        };
      })
      .filter((u) => u.audience > 0 || !u.name.endsWith('（本级）'));

    // Units (at any depth) whose own people are addressed and none of them has acknowledged (or read).
    const silentPaths = [...counts.audience].filter(([p, n]) => n > 0 && !(msg.ackRequired ? counts.acked.get(p) : counts.read.get(p)));
    const silentIds = silentPaths.map(([p]) => Number(p.split('/').filter(Boolean).pop()));
    const silentUnits = silentIds.length ? await this.orgs.find({ where: { id: In(silentIds) }, order: { id: 'ASC' } }) : [];
    const total = measure('', false);
    const deliveries = await this.ds.query(`SELECT status, COUNT(*) AS n FROM message_delivery WHERE messageId = ? GROUP BY status`, [id]);
    const dn = (s: string[]) => deliveries.filter((d: SqlRow) => s.includes(d.status)).reduce((a: number, d: SqlRow) => a + Number(d.n), 0);
    return {
      messageId: id,
      status: msg.status,
      ackRequired: msg.ackRequired,
      audienceSize: total.audience,
      delivered: dn(['sent']),
      deliveryPending: dn(['pending', 'sending']),
      deliveryFailed: dn(['failed', 'unknown']),
      noConsent: dn(['no_consent']),
      read: total.read,
      acked: total.acked,
      readRate: rate(total.read, total.audience),
      ackRate: msg.ackRequired ? rate(total.acked, total.audience) : null,
      breakdownOf: breakdownOf ? { orgId: breakdownOf.id, name: breakdownOf.name } : null,
      units,
      notAcknowledged: silentUnits.map((u) => ({ orgId: u.id, name: u.name, type: u.type, audience: counts.audience.get(u.path) ?? 0 })),
    };
  }

  private async lastReminded(messageId: number): Promise<Map<number, Date | null>> {
    const rows = await this.ds.query(`SELECT orgId, MAX(createdAt) AS at FROM message_reminder WHERE messageId = ? GROUP BY orgId`, [messageId]);
    return new Map(rows.map((r: SqlRow) => [Number(r.orgId), readTime(r.at)]));
  }

  /**
   * 催阅: for each unit, an in-app notice to its addressed people who have not read (or acknowledged),
   * and a subscribe message to those with consent left. Done in a background job per unit.
   */
  async remind(user: AuthUser, id: number, orgIds?: number[]): Promise<RemindUnitsResponse> {
    const msg = await this.publicity.manageable(user, id);
    if (msg.status !== 'published')
      throw new BadRequestException([`只有已发布的消息可以催阅（当前：${MESSAGE_STATUS_LABELS[msg.status as MessageStatus] ?? msg.status}）`]);
    const targets = await this.targets(id);
    let units: OrgUnit[];
    if (orgIds?.length) {
      units = await this.orgs.find({ where: { id: In([...new Set(orgIds)]) } });
      const bad = [...new Set(orgIds)].filter((o) => !units.some((u) => u.id === o && targets.some((t) => u.path.startsWith(t.path))));
      if (bad.length) throw fieldError('orgIds', `须在这条消息的发送范围内（不在范围内的单位编号：${bad.join('、')}）`);
    } else {
      const s = await this.stats(user, id);
      units = await this.orgs.find({ where: { id: In(s.units.filter((u) => u.lagging).map((u) => u.orgId)) } });
    }
    const last = await this.lastReminded(id);
    const out: RemindUnitsResponse = { reminded: [], skipped: [], subscribeQueued: 0 };
    const tpl = this.subs.canSend('publicity') ? this.subs.templateId('publicity') : null;
    for (const u of units) {
      const prev = last.get(u.id);
      if (prev && Date.now() - prev.getTime() < PUBLICITY_LIMITS.remindIntervalMinutes * 60_000) {
        out.skipped.push({ orgId: u.id, name: u.name, lastRemindedAt: prev.toISOString() });
        continue;
      }
      const pending = await this.pendingUsers(msg, u.path, tpl);
      const r = await this.reminders.insert({
        messageId: id,
        orgId: u.id,
        orgPath: u.path,
        createdBy: user.id,
        users: pending.total,
        subscribeQueued: pending.withConsent,
      });
      const reminderId = Number(r.identifiers[0].id);
      // the reminder is stored: with the queue away it still goes out, queued again by the resume job within minutes
      await this.queue
        .add(JOB_REMIND, { reminderId }, { jobId: `remind-${reminderId}`, attempts: 1 })
        .catch((e: Error) => this.logger.warn(`reminder ${reminderId} not queued (${e.message}): the resume job will send it`));
      out.reminded.push({ orgId: u.id, name: u.name, users: pending.total });
      out.subscribeQueued += pending.withConsent;
    }
    return out;
  }

  /** Addressed users under `path` who have not yet done what the message asks. */
  private async pendingUsers(msg: Message, path: string, tpl: string | null): Promise<{ total: number; withConsent: number }> {
    const { sql, params } = this.pendingSql(msg, path);
    const [a] = await this.ds.query(`SELECT COUNT(*) AS n FROM ${sql}`, params);
    let withConsent = 0;
    if (tpl) {
      const [b] = await this.ds.query(
        `SELECT COUNT(*) AS n FROM ${sql} AND EXISTS (SELECT 1 FROM subscription_consent c WHERE c.userId = u.id AND c.templateId = ? AND c.remaining > 0)`,
        [...params, tpl],
      );
      withConsent = Number(b.n);
    }
    return { total: Number(a.n), withConsent };
  }

  pendingSql(msg: Message, path: string): { sql: string; params: unknown[] } {
    const roles = msg.roles ?? [];
    const col = msg.ackRequired ? 'ackedAt' : 'readAt';
    const under = subtreeSql('u.orgPath', path);
    return {
      sql: `app_user u LEFT JOIN message_receipt r ON r.messageId = ? AND r.userId = u.id
            WHERE ${under.sql} AND u.disabled = 0 ${roles.length ? `AND u.role IN (${marks(roles.length)})` : ''} AND r.${col} IS NULL`,
      params: [msg.id, ...under.params, ...roles],
    };
  }
}
