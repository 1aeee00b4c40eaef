import { Injectable, NotFoundException } from '@nestjs/common';
import { readPrepared } from '../../common/db/prepared';
import { InjectRepository } from '@nestjs/typeorm';
import { FeedItemDto, FeedMessageDto, MessageBlock, Paginated, ReceiptDto, UnreadCountDto } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { PageQueryDto, pageOf } from '../../common/http/page-query.dto';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { ScopeService } from '../../common/scope/scope.service';
import { readTime } from '../../common/db/dialect';
import { marks } from '../../common/db/sql';
import { Message, MessageReceipt } from './message.entity';
import { feedItemOf, MessageView } from './message-view';

/** A raw row of the feed statement (types differ between MySQL and SQLite: read through readTime / Number). */
interface CardRow {
  id: number | string;
  title: string;
  body: string | MessageBlock[];
  category: Message['category'];
  ackRequired: number | string | boolean;
  publishedAt: unknown;
  createdAt: unknown;
  orgId: number;
  orgName: string | null;
  readAt: unknown;
  ackedAt: unknown;
  remindedAt: unknown;
  total?: number | string;
}

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
    private readonly view: MessageView,
    @InjectRepository(MessageReceipt) private readonly receipts: Repository<MessageReceipt>,
  ) {}

  private branches(user: AuthUser): { orgIds: number[]; roles: string[] } {
    return { orgIds: this.scope.ancestorIds(user.orgPath), roles: ['*', user.role] };
  }

  /**
   * The feed page as `SELECT messageId, f …`, newest first: a union of per-(unit, role) backward ranges on
   * idx_message_audience_feed, each cut at skip + take, merged and de-duplicated.
   */
  private pageSql(user: AuthUser, skip: number, take: number): { sql: string; params: unknown[] } {
    const { orgIds, roles } = this.branches(user);
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
    return {
      sql: `SELECT messageId, MAX(feedAt) AS f FROM (${parts.join(' UNION ALL ')}) u GROUP BY messageId ORDER BY f DESC, messageId DESC LIMIT ${take} OFFSET ${skip}`,
      params,
    };
  }

  /** Ids of the feed page, newest first. */
  async pageIds(user: AuthUser, skip: number, take: number): Promise<number[]> {
    if (!user.orgPath) return [];
    const pg = this.pageSql(user, skip, take);
    return (await readPrepared<{ messageId: number }>(this.ds, pg.sql, pg.params)).map((r) => Number(r.messageId));
  }

  private audienceWhere(user: AuthUser, alias = 'a'): { sql: string; params: unknown[] } {
    const { orgIds, roles } = this.branches(user);
    return {
      sql: `${alias}.targetOrgId IN (${marks(orgIds.length)}) AND ${alias}.role IN (${marks(roles.length)}) AND ${alias}.feedAt IS NOT NULL`,
      params: [...orgIds, ...roles],
    };
  }

  /** Messages addressed to the user: an index-only count over the same (unit, role) ranges as the page. */
  private totalSql(user: AuthUser): { sql: string; params: unknown[] } {
    const w = this.audienceWhere(user);
    return { sql: `SELECT COUNT(DISTINCT a.messageId) FROM message_audience a WHERE ${w.sql}`, params: w.params };
  }

  /**
   * One statement for a whole feed page: the page's ids, the messages, the publisher's unit name, the caller's
   * receipt, the last reminder to one of the caller's units, and (optionally) the total.
   */
  async feed(user: AuthUser, q: PageQueryDto): Promise<Paginated<FeedItemDto>> {
    const { page, pageSize, skip } = pageOf(q);
    if (!user.orgPath) return { items: [], total: 0, page, pageSize };
    const pg = this.pageSql(user, skip, pageSize);
    const total = this.totalSql(user);
    const rows = await this.cardRows(user, pg, total);
    let n = rows.length ? Number(rows[0].total) : 0;
    // past the last page the statement has no row to carry the total
    if (!rows.length && skip > 0) n = Number(Object.values((await this.ds.query(total.sql, total.params))[0])[0]);
    return { items: await this.cards(rows), total: n, page, pageSize };
  }

  private async cardRows(user: AuthUser, pg: { sql: string; params: unknown[] }, total?: { sql: string; params: unknown[] }): Promise<CardRow[]> {
    const anc = this.scope.ancestorIds(user.orgPath);
    return readPrepared<CardRow>(
      this.ds,
      `SELECT m.id, m.title, m.body, m.category, m.ackRequired, m.publishedAt, m.createdAt, m.orgId, o.name AS orgName,
              r.readAt, r.ackedAt,
              (SELECT MAX(x.createdAt) FROM message_reminder x WHERE x.messageId = m.id AND x.orgId IN (${marks(anc.length)})) AS remindedAt
              ${total ? `, (${total.sql}) AS total` : ''}
         FROM (${pg.sql}) p
         JOIN message m ON m.id = p.messageId
         LEFT JOIN org_unit o ON o.id = m.orgId
         LEFT JOIN message_receipt r ON r.messageId = p.messageId AND r.userId = ?
        ORDER BY p.f DESC, p.messageId DESC`,
      [...anc, ...(total?.params ?? []), ...pg.params, user.id],
    );
  }

  /** Feed cards; image blocks rendered by MessageView.renderBodies (one media read, only when there are images). */
  private async cards(rows: CardRow[]): Promise<FeedMessageDto[]> {
    const msgs = rows.map(
      (r) =>
        ({
          id: Number(r.id),
          title: r.title,
          body: typeof r.body === 'string' ? JSON.parse(r.body) : r.body,
          category: r.category,
          ackRequired: !!Number(r.ackRequired),
          publishedAt: readTime(r.publishedAt),
          createdAt: readTime(r.createdAt)!,
        }) as Message,
    );
    const bodies = await this.view.renderBodies(msgs.map((m) => m.body));
    return rows.map((r, i) => {
      const receipt = { readAt: readTime(r.readAt), ackedAt: readTime(r.ackedAt) };
      return { ...feedItemOf(msgs[i], r.orgName ?? null, receipt, readTime(r.remindedAt), bodies[i]), body: bodies[i], inAudience: true };
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
    const rows = await this.cardRows(user, { sql: 'SELECT id AS messageId, publishedAt AS f FROM message WHERE id = ?', params: [id] });
    if (!rows.length) throw new NotFoundException(`消息 ${id} 不存在`);
    return (await this.cards(rows))[0];
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
          messageId: id,
          userId: user.id,
          userOrgId: user.orgId,
          userOrgPath: user.orgPath,
          readAt: now,
          ackedAt: what === 'ack' ? now : null,
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    // Acknowledging implies having read; both keep their first time.
    await this.receipts
      .createQueryBuilder()
      .update()
      .set({ readAt: now })
      .where('messageId = :id AND userId = :u AND readAt IS NULL', { id, u: user.id })
      .execute();
    if (what === 'ack') {
      await this.receipts
        .createQueryBuilder()
        .update()
        .set({ ackedAt: now })
        .where('messageId = :id AND userId = :u AND ackedAt IS NULL', { id, u: user.id })
        .execute();
    }
    const r = await this.receipts.findOneOrFail({ where: { messageId: id, userId: user.id } });
    return { messageId: id, readAt: r.readAt?.toISOString() ?? null, ackedAt: r.ackedAt?.toISOString() ?? null };
  }
}
