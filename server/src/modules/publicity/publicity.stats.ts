import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MESSAGE_CATEGORY_LABELS, MessageCategory, PublicityStats } from '@xiangan/shared';
import { Repository } from 'typeorm';
import type { SqlRow } from '../../common/db/sql-row';
import { num, rate } from '../../common/db/sql';
import { Period, periodRange, StatsSource } from '../../common/stats/period';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { Message, MessageDelivery, MessageReceipt } from './message.entity';
import { subtreeWhere } from '../../common/scope/subtree';

/** 宣传推送's statistics source: read from its own tables (message, message_receipt, message_delivery). */
@Injectable()
export class PublicityStatsSource implements StatsSource<PublicityStats> {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageDelivery) private readonly messageDeliveries: Repository<MessageDelivery>,
    @InjectRepository(MessageReceipt) private readonly messageReceipts: Repository<MessageReceipt>,
  ) {}

  async stats(org: OrgUnit, p: Period): Promise<PublicityStats> {
    const out: PublicityStats = { messages: 0, deliveries: 0, pushes: 0, reads: 0, acks: 0, readRate: null, ackRate: null, byCategory: [] };
    const [under, sp] = subtreeWhere('m.orgPath', org.path, 'p');
    const r = { ...sp, ...periodRange(p) };
    const where = `${under} AND m.publishedAt >= :from AND m.publishedAt < :to AND m.status IN ('published','withdrawn')`;
    const msgs: SqlRow[] = await this.messages
      .createQueryBuilder('m')
      .select('m.category', 'category')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(COALESCE(m.audienceSize, 0))', 'aud')
      .addSelect('SUM(CASE WHEN m.ackRequired THEN COALESCE(m.audienceSize, 0) ELSE 0 END)', 'ackAud')
      .where(where, r)
      .groupBy('m.category')
      .getRawMany();
    const receipts: SqlRow[] = await this.messageReceipts
      .createQueryBuilder('x')
      .innerJoin(Message, 'm', 'm.id = x.messageId')
      .select('m.category', 'category')
      .addSelect('SUM(CASE WHEN x.readAt IS NOT NULL THEN 1 ELSE 0 END)', 'reads')
      .addSelect('SUM(CASE WHEN x.ackedAt IS NOT NULL THEN 1 ELSE 0 END)', 'acks')
      .where(where, r)
      .groupBy('m.category')
      .getRawMany();
    const pushes: SqlRow | undefined = await this.messageDeliveries
      .createQueryBuilder('d')
      .innerJoin(Message, 'm', 'm.id = d.messageId')
      .select('COUNT(*)', 'n')
      .where(where, r)
      .andWhere("d.status = 'sent'")
      .getRawOne();
    let ackAudience = 0;
    for (const m of msgs) {
      const rc = receipts.find((x) => x.category === m.category);
      out.messages += num(m.n);
      out.deliveries += num(m.aud);
      ackAudience += num(m.ackAud);
      out.reads += num(rc?.reads);
      out.acks += num(rc?.acks);
      out.byCategory.push({
        category: m.category,
        label: MESSAGE_CATEGORY_LABELS[m.category as MessageCategory] ?? m.category,
        messages: num(m.n),
        deliveries: num(m.aud),
        reads: num(rc?.reads),
      });
    }
    out.pushes = num(pushes?.n);
    out.readRate = rate(out.reads, out.deliveries);
    out.ackRate = rate(out.acks, ackAudience);
    out.byCategory.sort((a, b) => b.deliveries - a.deliveries);
    return out;
  }
}
