/**
 * The statistics' signature rollup pledge_month — signatures per (campaign, China month of signedAt) — and the
 * per-campaign count of roster entries that have signed (pledge_campaign.rosterSigned): what a signing batch
 * adds, and the SQL that rebuilds both from the signatures and rosters. No framework in here: benches that
 * bulk-load signatures load this file from server/dist.
 */
import { monthSql } from '../hazards/hazard-month.rollup';
import { beijingMonth } from '@xiangan/shared';

/** One multi-row upsert adding the batch's signatures per China month (rows in key order): `[sql, params]`, or null. */
export function signedUpsert(campaignId: number, signedAt: Date[], mysql: boolean): [string, unknown[]] | null {
  const perMonth = new Map<string, number>();
  for (const d of signedAt) {
    const m = beijingMonth(d);
    perMonth.set(m, (perMonth.get(m) ?? 0) + 1);
  }
  if (!perMonth.size) return null;
  const months = [...perMonth.keys()].sort();
  const add = mysql
    ? 'ON DUPLICATE KEY UPDATE signed = signed + VALUES(signed)'
    : 'ON CONFLICT (campaignId, month) DO UPDATE SET signed = signed + excluded.signed';
  return [
    `INSERT INTO pledge_month (campaignId, month, signed) VALUES ${months.map(() => '(?, ?, ?)').join(', ')} ${add}`,
    months.flatMap((m) => [campaignId, m, perMonth.get(m)]),
  ];
}

/**
 * The statements that recompute pledge_month and pledge_campaign.rosterSigned from the signatures and rosters.
 * For seeders, bulk loads and the migration's backfill — signing and roster imports keep them by themselves.
 */
export function rebuildPledgeMonthSql(mysql: boolean): string[] {
  const month = monthSql(mysql).month('signedAt');
  return [
    'DELETE FROM pledge_month',
    `INSERT INTO pledge_month (campaignId, month, signed) SELECT campaignId, ${month}, COUNT(*) FROM pledge_signature WHERE voidedAt IS NULL GROUP BY campaignId, ${month}`,
    'UPDATE pledge_campaign SET rosterSigned = (SELECT COUNT(*) FROM pledge_roster_entry e WHERE e.campaignId = pledge_campaign.id AND e.signatureId IS NOT NULL)',
  ];
}

/** Runs rebuildPledgeMonthSql on a DataSource, EntityManager or plain connection. */
export async function rebuildPledgeMonth(db: { query(sql: string): Promise<unknown> }, mysql: boolean): Promise<void> {
  for (const sql of rebuildPledgeMonthSql(mysql)) await db.query(sql);
}
