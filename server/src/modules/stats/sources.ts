import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MESSAGE_CATEGORY_LABELS, MessageCategory, PLEDGE_KIND_LABELS, PLEDGE_KINDS, PledgeKind, PledgeStats, PublicityStats } from '@xiangan/shared';
import { DataSource } from 'typeorm';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { PledgeCampaign, PledgeRosterEntry, PledgeSignature } from '../pledges/pledge.entities';
import { Message, MessageDelivery, MessageReceipt } from '../publicity/message.entity';
import { addDays, childOfPath, cnDayStart, dbTime, num, rate, splitByMonths, Sql } from './sql';
import type { Period } from './stats.service';
import type { SqlRow } from '../../common/db/sql-row';

function range(p: Period) {
  return { from: dbTime(cnDayStart(p.from)), to: dbTime(cnDayStart(addDays(p.to, 1))) };
}

/** Pledge figures read from the pledges feature's tables (through its entity classes). */
@Injectable()
export class PledgeStatsSource {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async stats(org: OrgUnit, p: Period, _sql: Sql): Promise<{ stats: PledgeStats; byChild: Map<string, number> }> {
    const byChild = new Map<string, number>();
    const available = this.ds.hasMetadata(PledgeCampaign) && this.ds.hasMetadata(PledgeSignature) && this.ds.hasMetadata(PledgeRosterEntry);
    const byKind = new Map(
      PLEDGE_KINDS.map((k) => [
        k,
        { kind: k as string, label: PLEDGE_KIND_LABELS[k], campaigns: 0, signed: 0, roster: 0, rate: null as number | null, units: 0 },
      ]),
    );
    if (!available) return { stats: { available, signed: 0, byKind: [] }, byChild };
    const r = range(p);
    const prefix = `${org.path}%`;
    // Signatures made in the period, in campaigns of the subtree, per (kind, campaign unit) — the child unit is worked
    // out from the path here. Whole China months from the rollup pledge_month (kept by every signing batch), the days
    // at either edge from the signatures (idx_pledge_signature_campaign_signed).
    const { months, edges } = splitByMonths(p.from, p.to);
    const fromRollup: Promise<SqlRow[]> = months
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, SUM(pm.signed) AS n FROM pledge_month pm JOIN pledge_campaign c ON c.id = pm.campaignId
            WHERE pm.month >= ? AND pm.month <= ? AND c.orgPath LIKE ? GROUP BY c.kind, c.orgPath`,
          [months.first, months.last, prefix],
        )
      : Promise.resolve([]);
    const fromSignatures: Promise<SqlRow[]> = edges.length
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, COUNT(*) AS n FROM pledge_signature s JOIN pledge_campaign c ON c.id = s.campaignId
            WHERE c.orgPath LIKE ? AND (${edges.map(() => '(s.signedAt >= ? AND s.signedAt < ?)').join(' OR ')}) GROUP BY c.kind, c.orgPath`,
          [prefix, ...edges.flatMap((e) => [dbTime(cnDayStart(e.from)), dbTime(cnDayStart(addDays(e.to, 1)))])],
        )
      : Promise.resolve([]);
    // voided signatures on those edge days (void links are few: read from pledge_void) come off again
    const voidedOnEdges: Promise<SqlRow[]> = edges.length
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, 0 - COUNT(*) AS n FROM pledge_void v JOIN pledge_signature s ON s.id = v.signatureId JOIN pledge_campaign c ON c.id = v.campaignId
            WHERE c.orgPath LIKE ? AND (${edges.map(() => '(s.signedAt >= ? AND s.signedAt < ?)').join(' OR ')}) GROUP BY c.kind, c.orgPath`,
          [prefix, ...edges.flatMap((e) => [dbTime(cnDayStart(e.from)), dbTime(cnDayStart(addDays(e.to, 1)))])],
        )
      : Promise.resolve([]);
    // Campaigns running in the period (created before its end, deadline after its start): roster, and the roster
    // entries that have signed (pledge_campaign.rosterSigned, kept by signing and roster import; a pledge signed
    // before the roster came and not on it is not counted).
    const campaigns = this.ds
      .getRepository(PledgeCampaign)
      .createQueryBuilder('c')
      .select('c.kind', 'kind')
      .addSelect('COUNT(*)', 'campaigns')
      .addSelect('SUM(c.rosterCount)', 'roster')
      .addSelect('SUM(c.rosterSigned)', 'rosterSigned')
      .where('c.orgPath LIKE :p AND c.createdAt < :to AND c.deadline >= :from', { p: prefix, ...r })
      .groupBy('c.kind')
      .getRawMany();
    const [rollupRows, edgeRows, voidRows, camp] = await Promise.all([fromRollup, fromSignatures, voidedOnEdges, campaigns]);
    const signed = [...rollupRows, ...edgeRows, ...voidRows];
    let total = 0;
    for (const s of signed) {
      const k = byKind.get(s.kind);
      const n = num(s.n);
      total += n;
      if (k) k.signed += n;
      const key = childOfPath(s.orgPath, org.path);
      byChild.set(key, (byChild.get(key) ?? 0) + n);
    }
    for (const c of camp) {
      const k = byKind.get(c.kind);
      if (!k) continue;
      k.campaigns = num(c.campaigns);
      k.roster = num(c.roster);
      k.rate = k.roster ? rate(num(c.rosterSigned), k.roster) : null;
    }
    for (const k of byKind.values())
      if (['production_responsibility', 'fire_food_responsibility', 'food_drug_coordinator'].includes(k.kind)) k.units = k.signed;
    return { stats: { available, signed: total, byKind: [...byKind.values()].filter((k) => k.campaigns || k.signed) }, byChild };
  }
}

/** Publicity figures read from the publicity feature's tables. */
@Injectable()
export class PublicityStatsSource {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async stats(org: OrgUnit, p: Period, _sql: Sql): Promise<PublicityStats> {
    const available = this.ds.hasMetadata(Message);
    const out: PublicityStats = { available, messages: 0, deliveries: 0, pushes: 0, reads: 0, acks: 0, readRate: null, ackRate: null, byCategory: [] };
    if (!available) return out;
    const r = { p: `${org.path}%`, ...range(p) };
    const where = "m.orgPath LIKE :p AND m.publishedAt >= :from AND m.publishedAt < :to AND m.status IN ('published','withdrawn')";
    const msgs: SqlRow[] = await this.ds
      .getRepository(Message)
      .createQueryBuilder('m')
      .select('m.category', 'category')
      .addSelect('COUNT(*)', 'n')
      .addSelect('SUM(COALESCE(m.audienceSize, 0))', 'aud')
      .addSelect('SUM(CASE WHEN m.ackRequired THEN COALESCE(m.audienceSize, 0) ELSE 0 END)', 'ackAud')
      .where(where, r)
      .groupBy('m.category')
      .getRawMany();
    const receipts: SqlRow[] = this.ds.hasMetadata(MessageReceipt)
      ? await this.ds
          .getRepository(MessageReceipt)
          .createQueryBuilder('x')
          .innerJoin(Message, 'm', 'm.id = x.messageId')
          .select('m.category', 'category')
          .addSelect('SUM(CASE WHEN x.readAt IS NOT NULL THEN 1 ELSE 0 END)', 'reads')
          .addSelect('SUM(CASE WHEN x.ackedAt IS NOT NULL THEN 1 ELSE 0 END)', 'acks')
          .where(where, r)
          .groupBy('m.category')
          .getRawMany()
      : [];
    const pushes: SqlRow | null | undefined = this.ds.hasMetadata(MessageDelivery)
      ? await this.ds
          .getRepository(MessageDelivery)
          .createQueryBuilder('d')
          .innerJoin(Message, 'm', 'm.id = d.messageId')
          .select('COUNT(*)', 'n')
          .where(where, r)
          .andWhere("d.status = 'sent'")
          .getRawOne()
      : null;
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

export type { PledgeKind };
