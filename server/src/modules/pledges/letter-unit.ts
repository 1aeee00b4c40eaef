import type { DataSource } from 'typeorm';
import { OrgUnit } from '../orgs/org-unit.entity';
import { subtreeSql, within } from '../../common/scope/subtree';
import { marks } from '../../common/db/sql';

/** The unit types a 责任书 of each kind is signed for (a coordinator's letter is a person's: none). */
export const LETTER_UNIT_TYPES: Record<string, string[]> = {
  production_responsibility: ['enterprise'],
  fire_food_responsibility: ['village', 'community'],
};

/** A unit name as written, spaces taken out (the name-matching rule for rows that carry no unit id). */
export const unitNameKey = (name: string): string => name.replace(/\s+/g, '');

/**
 * The unit a signed 责任书 is for: the unit of the campaign's subtree, of the letter's types, whose name the signer
 * wrote (spaces ignored); else the signer's own unit when it is one of those types inside the subtree (an enterprise's
 * principal writing a short name). Null when neither — the statistics then go by the name.
 */
export async function letterUnitOf(
  ds: DataSource,
  kind: string,
  campaignPath: string,
  unitName: string | undefined,
  signer: { orgId: number | null; orgPath: string | null },
): Promise<number | null> {
  const types = LETTER_UNIT_TYPES[kind];
  if (!types) return null;
  const key = unitName ? unitNameKey(unitName) : '';
  if (key) {
    // every signature asks this: plain SQL (a query builder cost more CPU than the indexed read itself)
    const under = subtreeSql('path', campaignPath);
    const rows: { id: number; name: string }[] = await ds.query(`SELECT id, name FROM org_unit WHERE ${under.sql} AND type IN (${marks(types.length)})`, [
      ...under.params,
      ...types,
    ]);
    const hit = rows.filter((r) => unitNameKey(r.name) === key);
    if (hit.length === 1) return Number(hit[0].id);
  }
  if (signer.orgId && within(signer.orgPath, campaignPath)) {
    const own = await ds.getRepository(OrgUnit).findOne({ where: { id: signer.orgId }, select: ['id', 'type'] });
    if (own && types.includes(own.type)) return own.id;
  }
  return null;
}
