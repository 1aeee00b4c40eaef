import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FeedItemDto, FeedMessageDto, Paginated, ReceiptDto, UnreadCountDto } from '@xiangan/shared';
import { DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { PageQueryDto, pageOf } from '../../common/http/page-query.dto';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { ScopeService } from '../../common/scope/scope.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { marks, readTime } from './db-util';
import { Message, MessageReceipt, MessageReminder } from './message.entity';
import { feedItemOf, PublicityService } from './publicity.service';

/**
 * The resident side. A user is addressed through the ids on their unit path (own unit and every
 * ancestor) and through role ∈ {'*', own role}; each (unit, role) pair is one backward range on
 * idx_message_audience_feed (targetOrgId, role, feedAt, messageId), limited to the page — so the
 * cost follows the page size and the depth of the tree, not the number of messages or users.
 */
@Injectable()
export class FeedService {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly publicity: PublicityService,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageReceipt) private readonly receipts: Repository<MessageReceipt>,
    @InjectRepository(MessageReminder) private readonly reminders: Repository<MessageReminder>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
  ) {}

  private branches(user: AuthUser): { orgIds: number[]; roles: string[] } {
    return { orgIds: this.scope.ancestorIds(user.orgPath), roles: ['*', user.role] };
  }

  /** Ids of the feed page, newest first: a union of per-(unit, role) index ranges, each cut at skip + pageSize. */
  async pageIds(user: AuthUser, skip: number, take: number): Promise<number[]> {
    const { orgIds, roles } = this.branches(user);
    if (!orgIds.length) return [];
    const k = skip + take;
    const parts: string[] = [];
    const params: unknown[] = [];
    let n = 0;
    for (const o of orgIds) {
      for (const r of roles) {
        parts.push(
          `SELECT * FROM (SELECT messageId, feedAt FROM message_audience WHERE targetOrgId = ? AND role = ? AND feedAt IS NOT NULL ORDER BY feedAt DESC, messageId DESC LIMIT ${k}) b${n++}`,
        );
        params.push(o, r);
      }
    }
    const rows = await this.ds.query(
      `SELECT messageId, MAX(feedAt) AS f FROM (${parts.join(' UNION ALL ')}) u GROUP BY messageId ORDER BY f DESC, messageId DESC LIMIT ${take} OFFSET ${skip}`,
      params,
    );
    return rows.map((r: { messageId: number }) => Number(r.messageId));
  }

  private audienceWhere(user: AuthUser, alias = 'a'): { sql: string; params: unknown[] } {
    const { orgIds, roles } = this.branches(user);
    return {
      sql: `${alias}.targetOrgId IN (${marks(orgIds.length)}) AND ${alias}.role IN (${marks(roles.length)}) AND ${alias}.feedAt IS NOT NULL`,
      params: [...orgIds, ...roles],
    };
  }

  async feed(user: AuthUser, q: PageQueryDto): Promise<Paginated<FeedItemDto>> {
    const { page, pageSize, skip } = pageOf(q);
    if (!user.orgPath) return { items: [], total: 0, page, pageSize };
    const w = this.audienceWhere(user);
    const [ids, totalRows] = await Promise.all([
      this.pageIds(user, skip, pageSize),
      this.ds.query(`SELECT COUNT(DISTINCT a.messageId) AS n FROM message_audience a WHERE ${w.sql}`, w.params),
    ]);
    return { items: await this.items(user, ids), total: Number(totalRows[0].n), page, pageSize };
  }

  /** Feed cards for these message ids, in this order, with the caller's receipts and reminders. */
  private async items(user: AuthUser, ids: number[]): Promise<FeedMessageDto[]> {
    if (!ids.length) return [];
    const [msgs, receipts, reminded] = await Promise.all([
      this.messages.find({ where: { id: In(ids) } }),
      this.receipts.find({ where: { userId: user.id, messageId: In(ids) } }),
      this.ds.query(
        `SELECT messageId, MAX(createdAt) AS at FROM message_reminder WHERE messageId IN (${marks(ids.length)}) AND orgId IN (${marks(this.scope.ancestorIds(user.orgPath).length)}) GROUP BY messageId`,
        [...ids, ...this.scope.ancestorIds(user.orgPath)],
      ),
    ]);
    const orgs = new Map((await this.orgs.find({ where: { id: In([...new Set(msgs.map((m) => m.orgId))]) } })).map((o) => [o.id, o.name]));
    const byId = new Map(msgs.map((m) => [m.id, m]));
    const rec = new Map(receipts.map((r) => [r.messageId, r]));
    const rem = new Map<number, Date | null>(reminded.map((r: { messageId: number; at: unknown }) => [Number(r.messageId), readTime(r.at)]));
    return ids
      .map((id) => byId.get(id))
      .filter((m): m is Message => !!m)
      .map((m) => {
        const body = this.publicity.renderBody(m.body);
        return { ...feedItemOf(m, orgs.get(m.orgId) ?? null, rec.get(m.id) ?? null, rem.get(m.id) ?? null, body), body, inAudience: true };
      });
  }

  async unreadCount(user: AuthUser): Promise<UnreadCountDto> {
    if (!user.orgPath) return { unread: 0, pendingAck: 0 };
    const w = this.audienceWhere(user);
    const rows = await this.ds.query(
      `SELECT COUNT(DISTINCT CASE WHEN r.readAt IS NULL THEN a.messageId END) AS unread,
              COUNT(DISTINCT CASE WHEN r.ackedAt IS NULL AND m.ackRequired = 1 THEN a.messageId END) AS pending
         FROM message_audience a
         JOIN message m ON m.id = a.messageId
         LEFT JOIN message_receipt r ON r.messageId = a.messageId AND r.userId = ?
        WHERE ${w.sql}`,
      [user.id, ...w.params],
    );
    return { unread: Number(rows[0].unread ?? 0), pendingAck: Number(rows[0].pending ?? 0) };
  }

  /** True when the message is live and addressed to the user (own unit or an ancestor, and role). */
  async inAudience(user: AuthUser, messageId: number): Promise<boolean> {
    if (!user.orgPath) return false;
    const w = this.audienceWhere(user);
    const rows = await this.ds.query(`SELECT 1 AS x FROM message_audience a WHERE a.messageId = ? AND ${w.sql} LIMIT 1`, [messageId, ...w.params]);
    return rows.length > 0;
  }

  /** The opened message: for the audience (with their receipt). Anyone else: 404. */
  async open(user: AuthUser, id: number): Promise<FeedMessageDto> {
    if (!(await this.inAudience(user, id))) throw new NotFoundException(`消息 ${id} 不存在`);
    return (await this.items(user, [id]))[0];
  }

  /**
   * Marks read / acknowledged. Idempotent: the first time is kept. The row is created with an
   * insert that a concurrent twin may beat (unique (messageId, userId)); then the conditional update applies.
   */
  async mark(user: AuthUser, id: number, what: 'read' | 'ack'): Promise<ReceiptDto> {
    if (!(await this.inAudience(user, id))) throw new NotFoundException(`消息 ${id} 不存在`);
    const now = new Date();
    const existing = await this.receipts.findOne({ where: { messageId: id, userId: user.id } });
    if (!existing) {
      try {
        await this.receipts.insert({
          messageId: id, userId: user.id, userOrgId: user.orgId, userOrgPath: user.orgPath, readAt: now, ackedAt: what === 'ack' ? now : null,
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    // Acknowledging implies having read; both keep their first time.
    await this.receipts.createQueryBuilder().update().set({ readAt: now })
      .where('messageId = :id AND userId = :u AND readAt IS NULL', { id, u: user.id }).execute();
    if (what === 'ack') {
      await this.receipts.createQueryBuilder().update().set({ ackedAt: now })
        .where('messageId = :id AND userId = :u AND ackedAt IS NULL', { id, u: user.id }).execute();
    }
    const r = await this.receipts.findOneOrFail({ where: { messageId: id, userId: user.id } });
    return { messageId: id, readAt: r.readAt?.toISOString() ?? null, ackedAt: r.ackedAt?.toISOString() ?? null };
  }
}
