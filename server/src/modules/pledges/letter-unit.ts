import type { EntityManager } from 'typeorm';
import type { SqlRow } from '../../common/db/sql-row';
import { subtreeSql, within } from '../../common/scope/subtree';
import { marks } from '../../common/db/sql';

/** The unit types a 责任书 of each kind is signed for (a coordinator's letter is a person's: none). */
export const LETTER_UNIT_TYPES: Record<string, string[]> = {
  production_responsibility: ['enterprise'],
  fire_food_responsibility: ['village', 'community'],
};

/** A unit name as written, spaces taken out (the name-matching rule for rows that carry no unit id). */
export const unitNameKey = (name: string): string => name.replace(/\s+/g, '');

/** One signature's question: which unit is this 责任书 for? */
export interface LetterAsk {
  /** The campaign's kind and unit path. */
  kind: string;
  campaignPath: string;
  /** The unit name the signer wrote. */
  unitName: string | undefined;
  signer: { orgId: number | null; orgPath: string | null };
}

/**
 * The unit each signed 责任书 is for: the unit of the campaign's subtree, of the letter's types, whose name the
 * signer wrote (spaces ignored); else the signer's own unit when it is one of those types inside the subtree (an
 * enterprise's principal writing a short name). Null when neither (or no question) — the statistics then go by the
 * name. Answers a whole chain batch at once: one read of the subtree's units per campaign kind and path (a batch
 * is one campaign: one read), one read of the signers' own units where a name found none.
 */
export async function letterUnitsOf(q: Pick<EntityManager, 'query'>, asks: (LetterAsk | null)[]): Promise<(number | null)[]> {
  const out: (number | null)[] = asks.map(() => null);
  const byName = new Map<string, { kind: string; path: string; at: number[] }>();
  asks.forEach((a, i) => {
    if (!a || !LETTER_UNIT_TYPES[a.kind] || !a.unitName || !unitNameKey(a.unitName)) return;
    const k = `${a.kind} ${a.campaignPath}`;
    const g = byName.get(k) ?? { kind: a.kind, path: a.campaignPath, at: [] };
    g.at.push(i);
    byName.set(k, g);
  });
  for (const g of byName.values()) {
    const types = LETTER_UNIT_TYPES[g.kind];
    const under = subtreeSql('path', g.path);
    const rows = await q.query<SqlRow[]>(`SELECT id, name FROM org_unit WHERE ${under.sql} AND type IN (${marks(types.length)})`, [...under.params, ...types]);
    for (const i of g.at) {
      const key = unitNameKey(asks[i]!.unitName!);
      const hit = rows.filter((r) => unitNameKey(String(r.name)) === key);
      if (hit.length === 1) out[i] = Number(hit[0].id);
    }
  }
  // no unit by that name: the signer's own unit, when it is of the letter's types inside the campaign's subtree
  const own = asks.flatMap((a, i) =>
    out[i] === null && a && LETTER_UNIT_TYPES[a.kind] && a.signer.orgId && within(a.signer.orgPath, a.campaignPath) ? [i] : [],
  );
  if (own.length) {
    const ids = [...new Set(own.map((i) => asks[i]!.signer.orgId!))];
    const rows = await q.query<SqlRow[]>(`SELECT id, type FROM org_unit WHERE id IN (${marks(ids.length)})`, ids);
    const typeOf = new Map(rows.map((r) => [Number(r.id), String(r.type)]));
    for (const i of own) {
      const a = asks[i]!;
      if (LETTER_UNIT_TYPES[a.kind].includes(typeOf.get(a.signer.orgId!) ?? '')) out[i] = a.signer.orgId;
    }
  }
  return out;
}
