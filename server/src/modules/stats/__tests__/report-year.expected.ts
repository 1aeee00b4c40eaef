/** The report's figures worked out from a year of records (report-year.records) by docs/REPORT_FIGURES.md's rules. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { isSnapshotMetric, PUBLICITY_KINDS } from '@xiangan/shared';
import type { TestApp } from '../../../testing/test-app';
import { unitKey } from '../distinct-units';
import type { Msg, Rec, YearOfRecords } from './report-year.records';

export function expectedFigures(
  t: TestApp,
  { recs, sigs, msgs }: Pick<YearOfRecords, 'recs' | 'sigs' | 'msgs'>,
  from: string,
  to: string,
  org = 'town',
): Record<string, number> {
  const inP = (r: Rec, from: string, to: string, org?: string) =>
    r.date >= from && r.date <= to && (!org || r.org === org || t.seed.org[r.org].path.startsWith(t.seed.org[org].path));
  const o = t.seed.org;
  const rs = recs.filter((r) => inP(r, from, to, org));
  const count = (type: string, kinds?: string[], sector?: string[]) =>
    rs.filter((r) => r.type === type && (!kinds || kinds.includes(r.kind)) && (!sector || sector.includes(r.sector ?? ''))).length;
  const sum = (type: string, metric: string, kinds?: string[], sector?: string[]) =>
    rs
      .filter((r) => r.type === type && (!kinds || kinds.includes(r.kind)) && (!sector || sector.includes(r.sector ?? '')))
      .reduce((a, r) => a + (r.metrics[metric] ?? 0), 0);
  // Head-count: per unit the latest value in or before the end.
  const snap = (kind: string, metric: string) => {
    const latest = new Map<string, Rec>();
    for (const r of recs
      .filter((x) => x.kind === kind && x.metrics[metric] !== undefined && x.date <= to && inP(x, '0000-00-00', to, org))
      .sort((a, b) => a.date.localeCompare(b.date)))
      latest.set(r.org, r);
    return [...latest.values()].reduce((a, r) => a + r.metrics[metric], 0);
  };
  const names = new Map(Object.values(o).map((u: any) => [u.id, u.name]));
  const under = (x: { date: string; org: string }) => inP({ ...x, type: '', kind: '', metrics: {} }, from, to, org);
  const signed = (pledgeKind: string) => sigs.filter((x) => x.kind === pledgeKind && under(x));
  // A unit (or coordinator) counts once, however often and however it signed: paper and online, twice online.
  const letterOf: Record<string, string> = {
    letter_production: 'production_responsibility',
    letter_fire_food: 'fire_food_responsibility',
    letter_food_coordinator: 'food_drug_coordinator',
  };
  const distinct = (kind: string) =>
    new Set([
      ...rs.filter((r) => r.kind === kind).flatMap((r) => (r.units ?? []).map((u) => unitKey((u.orgId ? names.get(u.orgId) : u.name) ?? ''))),
      ...(letterOf[kind] ? signed(letterOf[kind]).map((x) => unitKey(x.name)) : []),
    ]).size;
  const sent = msgs.filter(under);
  const total = (f: (m: Msg) => number) => sent.reduce((a, m) => a + f(m), 0);
  const pubUnits = (pred: (name: string, type: string | undefined) => boolean, sectors?: string[]) =>
    new Set(
      rs
        .filter((r) => PUBLICITY_KINDS.includes(r.kind) && (!sectors || sectors.includes(r.sector ?? '')))
        .flatMap((r) =>
          (r.units ?? []).map((u) => {
            const unit = u.orgId ? (Object.values(o).find((x: any) => x.id === u.orgId) as any) : null;
            const name = unit?.name ?? u.name;
            return pred(name, unit?.type) ? name : null;
          }),
        )
        .filter(Boolean),
    ).size;
  const isGas = (n: string) => n.includes('加油站');
  const pub = (m: string) => sum('activity', m, PUBLICITY_KINDS);
  const e: Record<string, number> = {
    'letters.production': distinct('letter_production'),
    'letters.fireFood': distinct('letter_fire_food'),
    'letters.foodCoordinator': distinct('letter_food_coordinator'),
    'letters.construction': distinct('letter_construction'),
    'staff.safetyManagers': snap('staff', 'safetyManagers'),
    'staff.certHolders': snap('staff', 'certHolders'),
    'meetings.monthly': count('activity', ['meeting_monthly']),
    'inspections.records': count('inspection'),
    'inspections.inspectors': sum('inspection', 'inspectors'),
    'inspections.vehicles': sum('inspection', 'vehicles'),
    'inspections.units': sum('inspection', 'units'),
    'fire.inspections': count('inspection', undefined, ['fire']),
    'fire.issues': sum('inspection', 'issues', undefined, ['fire']),
    'campus.schoolBuses': sum('inspection', 'schoolBuses'),
    'food.inspectors': sum('inspection', 'inspectors', undefined, ['food_drug']),
    'food.stalls': sum('inspection', 'stalls'),
    'food.registered': sum('activity', 'stalls', ['food_registration']),
    'food.licenses': sum('activity', 'licenses', ['food_registration']),
    'food.healthCerts': sum('activity', 'healthCerts', ['food_registration']),
    'food.stallCerts': sum('activity', 'stallCerts', ['food_registration']),
    infoBoards: sum('activity', 'units', ['info_board']),
    'enforcement.records': count('enforcement'),
    'enforcement.simple': count('enforcement', ['simple']),
    'enforcement.general': count('enforcement', ['general']),
    'enforcement.amount': sum('enforcement', 'amount'),
    'enforcement.hazards': sum('enforcement', 'hazards'),
    'enforcement.rectified': sum('enforcement', 'rectified'),
    'countyLetters.closed': sum('activity', 'closed', ['county_letter']),
    'traffic.persuaders': snap('traffic', 'persuaders'),
    'publicity.events': count('activity', PUBLICITY_KINDS),
    'publicity.largeEvents': count('activity', ['publicity_large']),
    'publicity.boardsFood': sum('activity', 'boards', PUBLICITY_KINDS, ['food_drug']),
    'publicity.brochuresPowerGas': sum('activity', 'brochures', PUBLICITY_KINDS, ['gas', 'rural_power']),
    'publicity.powerGasVillages': pubUnits((n, ty) => ty === 'village', ['gas', 'rural_power']),
    'publicity.reachEnterprises': pubUnits((n, ty) => ty === 'enterprise' && !isGas(n)),
    'publicity.reachGasStations': pubUnits((n) => isGas(n)),
    'publicity.reachSchools': pubUnits((n, ty) => ty === 'school'),
    'publicity.reachVillages': pubUnits((n, ty) => ty === 'village'),
    schoolTalks: count('activity', ['school_talk']),
    'schoolTalks.food': count('activity', ['school_talk'], ['food_drug']),
    'pledges.holiday': sum('activity', 'count', ['pledge_offline']) + signed('holiday_safety').length,
    'pledges.drowning': sum('activity', 'count', ['pledge_offline_drowning']) + signed('drowning').length,
    'wechat.messages': sent.length,
    'wechat.deliveries': total((m) => m.audience),
    'wechat.reads': total((m) => m.reads),
    'wechat.acks': total((m) => m.acks),
    'drills.records': count('drill'),
    'drills.participants': sum('drill', 'participants'),
    'plans.filed': distinct('plan_filing'),
    'plans.count': sum('activity', 'plans', ['plan_filing']),
  };
  for (const m of ['drunkDriving', 'violations', 'unlicensed', 'majorHazards', 'generalHazards', 'violationsCorrected'])
    if (!isSnapshotMetric('activity', 'traffic', m)) e[`traffic.${m}`] = sum('activity', m, ['traffic']);
  for (const m of [
    'leaflets',
    'brochures',
    'bags',
    'banners',
    'slogans',
    'boards',
    'ledPlays',
    'adPushes',
    'adItems',
    'videos',
    'people',
    'vehicleTrips',
    'reach',
  ])
    e[`publicity.${m}`] = pub(m);
  for (const [k, kind] of [
    ['safety', 'training_safety'],
    ['fire', 'training_fire'],
    ['specialEquipment', 'training_special_equipment'],
    ['foodCoordinator', 'training_food_coordinator'],
    ['foodExpert', 'training_food_expert'],
  ])
    e[`training.${k}`] = count('activity', [kind]);
  return e;
}

/** Every key the document lists (its closing block), which is also every key the summary answers. */
export function documented(): string[] {
  const md = readFileSync(join(__dirname, '../../../../../docs/REPORT_FIGURES.md'), 'utf8');
  const block = md.split('<!-- figure keys -->')[1]?.split('<!-- end figure keys -->')[0] ?? '';
  return block.split(/\s+/).filter((k) => /^[a-zA-Z0-9_.]+$/.test(k));
}
