import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { PLEDGE_KIND_LABELS, PLEDGE_KINDS, PledgeStats } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { SqlRow } from '../../common/db/sql-row';
import { marks, num, rate } from '../../common/db/sql';
import { childOfPath, dayRanges, Period, periodRange, splitByMonths, StatsSource } from '../../common/stats/period';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { PledgeCampaign } from './pledge.entities';
import { subtreeSql, subtreeWhere } from '../../common/scope/subtree';

export interface PledgeAgg {
  stats: PledgeStats;
  /** Signatures per child unit of the asked unit (its id; '' for the unit itself). */
  byChild: Map<string, number>;
}

/** A letter signed online (责任书), as the distinct-unit counts read it: the unit's id when known, and its fields. */
export interface LetterSignature {
  kind: string;
  groupName: string | null;
  fields: Record<string, string> | string | null;
  id: number;
  unitOrgId: number | null;
}

/** The pledges feature's statistics source: read from its own tables (pledge_campaign, pledge_month, pledge_signature, pledge_void). */
@Injectable()
export class PledgeStatsSource implements StatsSource<PledgeAgg> {
  constructor(
    @InjectRepository(PledgeCampaign) private readonly pledgeCampaigns: Repository<PledgeCampaign>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async stats(org: OrgUnit, p: Period): Promise<PledgeAgg> {
    const byChild = new Map<string, number>();
    const byKind = new Map(
      PLEDGE_KINDS.map((k) => [
        k,
        { kind: k as string, label: PLEDGE_KIND_LABELS[k], campaigns: 0, signed: 0, roster: 0, rate: null as number | null, units: 0 },
      ]),
    );
    const r = periodRange(p);
    const under = subtreeSql('c.orgPath', org.path);
    // Signatures made in the period, in campaigns of the subtree, per (kind, campaign unit) — the child unit is worked
    // out from the path here. Whole China months from the rollup pledge_month (kept by every signing batch), the days
    // at either edge from the signatures (idx_pledge_signature_campaign_signed).
    const { months, edges } = splitByMonths(p.from, p.to);
    const fromRollup: Promise<SqlRow[]> = months
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, SUM(pm.signed) AS n FROM pledge_month pm JOIN pledge_campaign c ON c.id = pm.campaignId
            WHERE pm.month >= ? AND pm.month <= ? AND ${under.sql} GROUP BY c.kind, c.orgPath`,
          [months.first, months.last, ...under.params],
        )
      : Promise.resolve([]);
    const edgeDays = dayRanges('s.signedAt', edges);
    const fromSignatures: Promise<SqlRow[]> = edges.length
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, COUNT(*) AS n FROM pledge_signature s JOIN pledge_campaign c ON c.id = s.campaignId
            WHERE ${under.sql} AND (${edgeDays.sql}) GROUP BY c.kind, c.orgPath`,
          [...under.params, ...edgeDays.args],
        )
      : Promise.resolve([]);
    // voided signatures on those edge days (void links are few: read from pledge_void) come off again
    const voidedOnEdges: Promise<SqlRow[]> = edges.length
      ? this.ds.query(
          `SELECT c.kind AS kind, c.orgPath AS orgPath, 0 - COUNT(*) AS n FROM pledge_void v JOIN pledge_signature s ON s.id = v.signatureId JOIN pledge_campaign c ON c.id = v.campaignId
            WHERE ${under.sql} AND (${edgeDays.sql}) GROUP BY c.kind, c.orgPath`,
          [...under.params, ...edgeDays.args],
        )
      : Promise.resolve([]);
    // Campaigns running in the period (created before its end, deadline after its start): roster, and the roster
    // entries that have signed (pledge_campaign.rosterSigned, kept by signing and roster import; a pledge signed
    // before the roster came and not on it is not counted).
    const campaigns = this.pledgeCampaigns
      .createQueryBuilder('c')
      .select('c.kind', 'kind')
      .addSelect('COUNT(*)', 'campaigns')
      .addSelect('SUM(c.rosterCount)', 'roster')
      .addSelect('SUM(c.rosterSigned)', 'rosterSigned')
      .where(...subtreeWhere('c.orgPath', org.path, 'p'))
      .andWhere('c.createdAt < :to AND c.deadline >= :from', r)
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
    return { stats: { signed: total, byKind: [...byKind.values()].filter((k) => k.campaigns || k.signed) }, byChild };
  }

  /** Letters signed online in the period, not voided, in campaigns of the subtree whose kind is one of `kinds`. */
  letterSignatures(org: OrgUnit, p: Period, kinds: string[]): Promise<LetterSignature[]> {
    const r = periodRange(p);
    const under = subtreeSql('c.orgPath', org.path);
    return this.ds.query(
      `SELECT c.kind AS kind, s.groupName AS groupName, s.fields AS fields, s.id AS id, s.unitOrgId AS unitOrgId FROM pledge_signature s JOIN pledge_campaign c ON c.id = s.campaignId
        WHERE c.kind IN (${marks(kinds.length)}) AND ${under.sql} AND s.signedAt >= ? AND s.signedAt < ? AND s.voidedAt IS NULL`,
      [...kinds, ...under.params, r.from, r.to],
    );
  }
}
