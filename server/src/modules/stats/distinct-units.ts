import { DistinctUnitStats, FieldUnitRef, LETTER_KINDS, PUBLICITY_KINDS } from '@xiangan/shared';
import { In, Repository } from 'typeorm';
import { num } from '../../common/db/sql';
import type { Period } from '../../common/stats/period';
import type { FieldworkStatsSource } from '../fieldwork/fieldwork.stats';
import { OrgUnit } from '../orgs/org-unit.entity';
import type { PledgeStatsSource } from '../pledges/pledges.stats';
import type { RegisterStatsSource } from '../registers/registers.stats';
import { subtreeWhere } from '../../common/scope/subtree';

/** A unit's identity across paper and e-signatures: its name with spaces taken out (org ids resolve to their names). */
export function unitKey(name: string): string {
  return name.replace(/\s+/g, '');
}

const json = <T>(v: T | string | null): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/**
 * 责任书 and 应急预案备案 counted per unit, not per record: field records of the letter kinds name the units
 * (`units`: an org or a free name); pledge signatures of the matching campaign kinds carry the unit's id
 * (`unitOrgId`) and name. Units meet by id — a name stands for the one unit of the subtree so named — so the same unit
 * on paper and online, or twice, counts once, renamed or not. A record that names no unit adds its `units` count as
 * it stands (nothing to tell them apart by). Voided signatures do not count.
 */
export async function distinctUnits(
  src: { fieldwork: FieldworkStatsSource; pledges: PledgeStatsSource; registers: RegisterStatsSource; orgs: Repository<OrgUnit> },
  org: OrgUnit,
  p: Period,
): Promise<DistinctUnitStats> {
  const kinds = [...Object.keys(LETTER_KINDS), 'plan_filing', ...PUBLICITY_KINDS];
  const rows = await src.fieldwork.unitRecords(org, p, kinds);
  const orgIds = new Set<number>();
  for (const r of rows) for (const u of json<FieldUnitRef[]>(r.units) ?? []) if (u.orgId) orgIds.add(u.orgId);
  const names = new Map<number, string>();
  const types = new Map<number, string>();
  if (orgIds.size) {
    for (const o of await src.orgs.findBy({ id: In([...orgIds]) })) {
      names.set(o.id, o.name);
      types.set(o.id, o.type);
    }
  }
  // Gas stations: enterprises the risk-site register lists as a 加油站, or named so.
  const gasIds = orgIds.size ? await src.registers.gasStationOrgIds() : new Set<number>();
  const reach = {
    enterprise: new Set<string>(),
    gas: new Set<string>(),
    school: new Set<string>(),
    village: new Set<string>(),
    powerGasVillage: new Set<string>(),
  };
  const refKey = (u: FieldUnitRef) => unitKey(u.orgId ? (names.get(u.orgId) ?? `#${u.orgId}`) : (u.name ?? ''));
  // Letters meet by unit id: a unit picked from the tree is its id; a name written on paper, or an e-signature stored
  // before signatures carried their unit, is the id of the one unit of the subtree so named, else the name itself.
  const treeByName = new Map<string, number | null>();
  for (const u of await src.orgs
    .createQueryBuilder('o')
    .select(['o.id', 'o.name'])
    .where(...subtreeWhere('o.path', org.path, 'p'))
    .andWhere('o.type IN (:...types)', { types: ['enterprise', 'village', 'community', 'school'] })
    .getMany()) {
    const k = unitKey(u.name);
    treeByName.set(k, treeByName.has(k) ? null : Number(u.id)); // two units of one name: the name decides nothing
  }
  const idKey = (orgId: number | null | undefined, name: string | null | undefined): string => {
    if (orgId) return `#${orgId}`;
    const k = unitKey(name ?? '');
    const id = k ? treeByName.get(k) : undefined;
    return id ? `#${id}` : k;
  };

  const sets = new Map<string, Set<string>>(kinds.map((k) => [k, new Set<string>()]));
  const anonymous = new Map<string, number>(kinds.map((k) => [k, 0]));
  let plans = 0;
  for (const r of rows) {
    if (PUBLICITY_KINDS.includes(r.kind)) {
      for (const u of json<FieldUnitRef[]>(r.units) ?? []) {
        const key = refKey(u);
        if (!key) continue;
        const type = u.orgId ? types.get(u.orgId) : undefined;
        const gas = (u.orgId && gasIds.has(u.orgId)) || key.includes('加油站');
        if (gas) reach.gas.add(key);
        else if (type === 'enterprise') reach.enterprise.add(key);
        else if (type === 'school' || (!type && /学校|小学|中学|幼儿园/.test(key))) reach.school.add(key);
        else if (type === 'village' || type === 'community' || (!type && /村$|社区$/.test(key))) {
          reach.village.add(key);
          if (r.sector === 'gas' || r.sector === 'rural_power') reach.powerGasVillage.add(key);
        }
      }
      continue;
    }
    const units = (json<FieldUnitRef[]>(r.units) ?? []).map((u) => (r.kind === 'letter_food_coordinator' ? refKey(u) : idKey(u.orgId, u.name))).filter(Boolean);
    const m = json<Record<string, number>>(r.metrics) ?? {};
    if (r.kind === 'plan_filing') {
      if (units.length) units.forEach((u) => sets.get(r.kind)!.add(u));
      else anonymous.set(r.kind, anonymous.get(r.kind)! + 1);
      plans += m.plans !== undefined && m.plans !== null ? num(m.plans) : Math.max(1, units.length);
      continue;
    }
    if (units.length) units.forEach((u) => sets.get(r.kind)!.add(u));
    else anonymous.set(r.kind, anonymous.get(r.kind)! + num(m.units));
  }

  // E-signatures of the matching pledge campaigns, signed in the period, in campaigns of the subtree.
  const pledgeKinds = Object.entries(LETTER_KINDS).filter(([, pk]) => pk);
  if (pledgeKinds.length) {
    const sigs = await src.pledges.letterSignatures(
      org,
      p,
      pledgeKinds.map(([, pk]) => pk),
    );
    for (const s of sigs) {
      const letter = pledgeKinds.find(([, pk]) => pk === s.kind)![0];
      const f = json<Record<string, string>>(s.fields) ?? {};
      // A coordinator's letter is the person's (协管员姓名); the others are the unit's (单位 / 村名).
      const name = s.kind === 'food_drug_coordinator' ? (f.signerName ?? null) : (f.unitName ?? s.groupName ?? null);
      const key = s.kind === 'food_drug_coordinator' ? unitKey(name ?? '') : idKey(s.unitOrgId ? Number(s.unitOrgId) : null, name);
      if (key) sets.get(letter)!.add(key);
      else anonymous.set(letter, anonymous.get(letter)! + 1);
    }
  }
  const count = (k: string) => sets.get(k)!.size + anonymous.get(k)!;
  return {
    lettersProduction: count('letter_production'),
    lettersFireFood: count('letter_fire_food'),
    lettersFoodCoordinator: count('letter_food_coordinator'),
    lettersConstruction: count('letter_construction'),
    planEnterprises: count('plan_filing'),
    plans,
    reachEnterprises: reach.enterprise.size,
    reachGasStations: reach.gas.size,
    reachSchools: reach.school.size,
    reachVillages: reach.village.size,
    powerGasVillages: reach.powerGasVillage.size,
  };
}
