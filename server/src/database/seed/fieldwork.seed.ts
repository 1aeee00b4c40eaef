import type { FieldType, FieldUnitRef } from '@xiangan/shared';
import { FieldMetric, FieldRecord, FieldRecordHazard } from '../../modules/fieldwork/field-record.entity';
import { Hazard } from '../../modules/hazards/hazard.entity';
import type { SeedContext } from './context';
import { rebuildFieldMonth } from '../../modules/fieldwork/field-month.rollup';
import { beijingToday } from '@xiangan/shared';
import { subtreeWhere } from '../../common/scope/subtree';

/**
 * A year of the demo town's field work at the scale of the reference report (石桥镇): about 60
 * enforcement actions with 12 on-the-spot penalties (烟花爆竹 6, 危化 1, 工贸 5), 106 fire
 * inspections with 287 issues, 16 school talks, 8 drills including the 20 April joint drill with
 * 300 people, 15,000 leaflets, 110 banners, 600 slogans, trainings, 7 safety managers, 15
 * certificate holders. Dates run from 1 January to the seed's "now".
 */
export async function seedFieldwork(ctx: SeedContext): Promise<void> {
  const { ds, org: o, user: u } = ctx;
  const today = beijingToday(0, ctx.now);
  const cn = new Date(`${today}T00:00:00Z`);
  const year = cn.getUTCFullYear();
  const dayOfYear = Math.floor((Date.UTC(year, cn.getUTCMonth(), cn.getUTCDate()) - Date.UTC(year, 0, 1)) / 86400_000);
  /** A day of this year at fraction f (0–1) of the time elapsed so far. */
  const at = (f: number) => new Date(Date.UTC(year, 0, 1) + Math.floor(Math.min(0.999, Math.max(0, f)) * dayOfYear) * 86400_000).toISOString().slice(0, 10);
  const fixed = (mmdd: string) => {
    const d = `${year}-${mmdd}`;
    return d <= today ? d : at(ctx.rand());
  };
  const recs: { r: Partial<FieldRecord>; hazardIds?: number[] }[] = [];
  const add = (type: FieldType, kind: string, date: string, metrics: Record<string, number>, extra: Partial<FieldRecord> = {}) => {
    const unit = extra.orgId ? Object.values(o).find((x) => x.id === extra.orgId)! : o.town;
    recs.push({
      r: {
        type,
        kind,
        date,
        metrics,
        orgId: unit.id,
        orgPath: unit.path,
        sector: null,
        campaign: null,
        title: null,
        units: [],
        hazardIds: [],
        party: null,
        tags: [],
        notes: null,
        createdById: extra.orgId && unit.path.startsWith(o.v_liulin.path) ? u.village.id : u.town.id,
        revisionCount: 0,
        ...extra,
      },
    });
  };
  const split = (total: number, parts: number): number[] => {
    const out = Array(parts).fill(Math.floor(total / parts));
    for (let i = 0; i < total % parts; i++) out[i]++;
    return out;
  };
  const enterprises = [
    'e_daqiang',
    'e_gas_station',
    'e_lpg',
    'e_fireworks',
    'e_building',
    'e_food',
    'e_machinery',
    'e_textile',
    'e_chemical',
    'e_market',
    'e_logistics',
    'e_restaurant',
  ];
  const ref = (k: string): FieldUnitRef => ({ orgId: o[k].id });
  const campaigns = [
    '重大事故隐患专项整治行动',
    '万人红袖章户户大排查行动',
    '打非治违专项行动',
    '春季安全生产大检查',
    '暑期安全生产大检查',
    '中秋国庆“两节”安全生产大检查',
  ];
  const campaignAt = (f: number) =>
    f < 0.25 ? campaigns[3] : f < 0.6 ? campaigns[ctx.int(0, 2)] : f < 0.72 ? campaigns[4] : f < 0.8 ? campaigns[5] : campaigns[ctx.int(0, 2)];

  // Fire inspections: 106 with 287 issues handed over for rectification.
  const fireIssues = split(287, 106);
  for (let i = 0; i < 106; i++) {
    const f = (i + ctx.rand()) / 106;
    const target = ctx.pick(['e_restaurant', 'e_market', 'e_textile', 'e_daqiang', 's_primary', 's_middle', 'd_clinic', 'e_logistics']);
    const units = ctx.int(1, 3);
    add(
      'inspection',
      i % 4 === 0 ? 'joint' : 'routine',
      at(f),
      { inspectors: ctx.int(2, 5), vehicles: ctx.int(1, 2), units, issues: fireIssues[i], issuesRectified: fireIssues[i] },
      {
        sector: 'fire',
        campaign: i % 3 === 0 ? campaignAt(f) : null,
        units: [ref(target)],
        notes: '检查消防通道、灭火器配置和电气线路',
      },
    );
  }
  // Other sectors, at the three-year summary's scale (检查单位 N 次, 一般隐患 M 处).
  const sectors: [string, number, number, string[]][] = [
    ['industry_trade', 30, 12, ['e_daqiang', 'e_building', 'e_machinery', 'e_textile']],
    ['fireworks', 20, 3, ['e_fireworks']],
    ['hazardous_chemicals', 12, 4, ['e_chemical', 'e_gas_station', 'e_lpg']],
    ['food_drug', 14, 4, ['e_food', 'e_restaurant', 'e_market']],
    ['construction', 3, 1, ['e_building']],
    ['gas', 8, 5, ['e_lpg', 'e_restaurant']],
    ['special_equipment', 6, 2, ['e_daqiang', 'e_logistics']],
    ['confined_space', 4, 1, ['e_food', 'e_daqiang']],
    ['rural_power', 6, 3, []],
  ];
  for (const [sector, n, issues, targets] of sectors) {
    const iss = split(issues, n);
    for (let i = 0; i < n; i++) {
      const f = (i + ctx.rand()) / n;
      const inVillage = !targets.length;
      add(
        'inspection',
        i % 3 === 0 ? 'special' : 'routine',
        at(f),
        {
          inspectors: ctx.int(2, 6),
          vehicles: ctx.int(1, 2),
          units: ctx.int(1, 4),
          issues: iss[i],
          issuesRectified: iss[i],
          ...(sector === 'food_drug' ? { stalls: ctx.int(2, 6) } : {}),
        },
        {
          sector,
          campaign: i % 3 === 0 ? campaignAt(f) : null,
          units: inVillage ? [{ name: '村民自建房' }] : [ref(ctx.pick(targets))],
          ...(inVillage ? { orgId: o[ctx.pick(['v_liulin', 'v_hekou', 'v_taoyuan', 'v_longtan'])].id } : {}),
        },
      );
    }
  }
  // Campus: school buses (检查校车 25 车次) and the villages' own drowning patrols.
  for (let i = 0; i < 5; i++)
    add(
      'inspection',
      'routine',
      at((i + 0.5) / 5),
      { inspectors: 3, vehicles: 1, units: 2, schoolBuses: 5 },
      { sector: 'campus', units: [ref('s_primary'), ref('s_middle')] },
    );
  for (let i = 0; i < 10; i++)
    add(
      'inspection',
      'routine',
      at(0.4 + i * 0.03),
      { inspectors: 2, units: 1, issues: i % 3 === 0 ? 1 : 0 },
      { sector: 'drowning', orgId: o[ctx.pick(['v_liulin', 'v_hekou', 'v_wangjiaba'])].id, units: [{ name: '河道及山坪塘' }] },
    );

  // Enforcement: 12 simple-procedure penalties (6/1/5) and checks, 60 in all; 40 hazards found, 40 rectified.
  const enfHazards = split(40, 60);
  const simple = [...Array(6).fill('fireworks'), 'hazardous_chemicals', ...Array(5).fill('industry_trade')];
  for (let i = 0; i < 60; i++) {
    const f = (i + ctx.rand()) / 60;
    const isSimple = i % 5 === 0 && simple.length > 0;
    const sector = isSimple ? simple.shift()! : ctx.pick(['industry_trade', 'hazardous_chemicals', 'fireworks', 'non_coal_mine', 'fire']);
    const target = sector === 'fireworks' ? 'e_fireworks' : sector === 'hazardous_chemicals' ? 'e_chemical' : sector === 'fire' ? 'e_restaurant' : 'e_daqiang';
    add(
      'enforcement',
      isSimple ? 'simple' : 'check',
      at(f),
      { hazards: enfHazards[i], rectified: enfHazards[i], ...(isSimple ? { amount: ctx.pick([200, 500, 1000, 2000]) } : {}) },
      {
        sector,
        party: o[target].name,
        units: [ref(target)],
        campaign: i % 4 === 0 ? '打非治违专项行动' : null,
      },
    );
  }
  for (let i = 0; i < 7; i++) add('activity', 'county_letter', at((i + 0.5) / 7), { received: 1, closed: 1 }, { title: `县安委办交办函第${i + 1}号` });

  // Drills: 8, with the 20 April joint drill (300 people).
  add(
    'drill',
    'joint',
    fixed('04-20'),
    { participants: 300 },
    {
      title: '镇机关单位和部分村（居）联合演练',
      tags: ['防洪度汛演练', '森林防灭火演练', '地质灾害演练'],
      units: [ref('v_liulin'), ref('v_hekou'), ref('d_emergency')],
    },
  );
  const drills: [string, string, number, string][] = [
    ['fire', '03-15', 160, 's_middle'],
    ['fire', '05-12', 80, 'd_clinic'],
    ['fire', '06-16', 120, 'e_daqiang'],
    ['flood', '05-28', 60, 'v_hekou'],
    ['forest_fire', '02-26', 45, 'v_longtan'],
    ['drowning', '06-25', 220, 's_primary'],
    ['hazardous_chemicals', '09-18', 35, 'e_chemical'],
  ];
  for (const [kind, day, n, unit] of drills) add('drill', kind, fixed(day), { participants: n }, { orgId: o[unit].id, units: [ref(unit)] });

  // Trainings and meetings.
  const monthsSoFar = Number(today.slice(5, 7));
  for (let m = 1; m <= monthsSoFar; m++) {
    const d = `${year}-${String(m).padStart(2, '0')}-0${ctx.int(3, 8)}`;
    if (d <= today) add('activity', 'meeting_monthly', d, { attendees: ctx.int(25, 40) }, { title: `${m}月安全生产和消防工作例会暨隐患会商会` });
  }
  const trainings: [string, number][] = [
    ['training_safety', 4],
    ['training_fire', 3],
    ['training_special_equipment', 2],
    ['training_food_coordinator', 2],
    ['training_food_expert', 1],
  ];
  for (const [kind, n] of trainings) for (let i = 0; i < n; i++) add('activity', kind, at((i + 0.5) / n), { attendees: ctx.int(30, 90) });

  // Offline publicity: 15,000 leaflets, 110 banners, 600 slogans, 40 vehicle trips; 16 school talks.
  const events: [string, string][] = [
    ['05-12', '512防灾减灾日宣传'],
    ['06-16', '安全生产月咨询日'],
    ['06-05', '安全生产月“七进”宣传'],
    ['11-09', '119消防宣传日'],
    ['01-20', '春节烟花爆竹安全宣传'],
    ['07-10', '暑期防溺水宣传'],
    ['09-20', '燃气安全宣传'],
    ['03-25', '森林防火宣传'],
  ];
  const leaflets = split(15000, events.length),
    banners = split(110, events.length),
    slogans = split(600, events.length),
    trips = split(40, events.length),
    brochures = split(1500, events.length),
    led = split(1300, events.length);
  events.forEach(([day, title], i) =>
    add(
      'activity',
      'publicity_event',
      fixed(day),
      {
        leaflets: leaflets[i],
        banners: banners[i],
        slogans: slogans[i],
        vehicleTrips: trips[i],
        brochures: brochures[i],
        ledPlays: led[i],
        people: ctx.int(10, 30),
      },
      { title },
    ),
  );
  for (let i = 0; i < 16; i++)
    add(
      'activity',
      'school_talk',
      at((i + 0.5) / 16),
      { attendees: ctx.int(120, 400) },
      { orgId: o[i % 2 ? 's_primary' : 's_middle'].id, title: ctx.pick(['防溺水安全知识讲座', '消防安全进校园', '交通安全第一课', '防灾避险知识讲座']) },
    );

  // Filings, letters, staff, traffic, food.
  ['e_daqiang', 'e_gas_station', 'e_lpg', 'e_fireworks', 'e_building', 'e_food', 'e_chemical', 'e_textile', 'e_logistics'].forEach((k, i) =>
    add('activity', 'plan_filing', at((i + 0.5) / 9), { plans: 1 }, { units: [ref(k)], title: `${o[k].name}生产安全事故应急预案备案` }),
  );
  add('activity', 'letter_production', fixed('02-20'), { units: enterprises.length }, { units: enterprises.map(ref), title: '全镇生产经营单位安全生产责任书' });
  add(
    'activity',
    'letter_fire_food',
    fixed('02-22'),
    { units: 8 },
    { units: ['v_shiqiao', 'v_liulin', 'v_hekou', 'v_wangjiaba', 'v_taoyuan', 'v_longtan', 'v_zhangjiawan', 'c_xinfeng'].map(ref) },
  );
  add(
    'activity',
    'letter_construction',
    fixed('03-05'),
    { units: 3 },
    { units: [ref('e_building'), { name: '石桥镇场镇改造项目部' }, { name: '河口村便民桥施工队' }] },
  );
  add('activity', 'staff', fixed('01-05'), { certHolders: 12, safetyManagers: 5 });
  add('activity', 'staff', fixed('07-01'), { certHolders: 15, safetyManagers: 7 }, { notes: '新增3人取得执法证，新派驻2名企业安全管理员' });
  const drunk = split(87, monthsSoFar),
    unlicensed = split(200, monthsSoFar);
  for (let m = 1; m <= monthsSoFar; m++) {
    const d = `${year}-${String(m).padStart(2, '0')}-25`;
    add(
      'activity',
      'traffic',
      d <= today ? d : today,
      {
        drunkDriving: drunk[m - 1],
        violations: ctx.int(300, 330),
        unlicensed: unlicensed[m - 1],
        ...(m <= 6 ? { majorHazards: 1 } : {}),
        ...(m === 1 ? { persuaders: 105 } : {}),
      },
      { title: `${m}月道路交通整治` },
    );
  }
  add('activity', 'food_registration', fixed('03-10'), { stalls: 12, licenses: 8, healthCerts: 25, stallCerts: 10, banquets: 36 });
  add('activity', 'info_board', fixed('04-08'), { units: 10 });
  add('activity', 'publicity_event', fixed('06-10'), { adPushes: 4, adItems: 120, videos: 2 }, { title: '安全生产月公益广告推送' });

  // Link inspections to ledger hazards of the same sector and month.
  const hz = await ds
    .getRepository(Hazard)
    .createQueryBuilder('h')
    .select(['h.id', 'h.category', 'h.createdAt'])
    .where(...subtreeWhere('h.orgPath', o.town.path, 'p'))
    .getMany();
  const used = new Set<number>();
  for (const rec of recs) {
    if (rec.r.type !== 'inspection') continue;
    const h = hz.find((x) => !used.has(x.id) && x.category === rec.r.sector && x.createdAt.toISOString().slice(0, 7) === rec.r.date!.slice(0, 7));
    if (h) {
      used.add(h.id);
      rec.r.hazardIds = [h.id];
    }
  }

  recs.sort((a, b) => (a.r.date! < b.r.date! ? -1 : 1));
  const repo = ds.getRepository(FieldRecord);
  for (let i = 0; i < recs.length; i += 100) {
    const chunk = recs.slice(i, i + 100).map((x) => repo.create(x.r));
    const saved = await repo.save(chunk);
    const metrics = saved.flatMap((r) =>
      Object.entries(r.metrics ?? {}).map(([metric, value]) => ({
        recordId: r.id,
        orgPath: r.orgPath,
        date: r.date,
        type: r.type,
        kind: r.kind,
        sector: r.sector,
        metric,
        value,
      })),
    );
    for (let j = 0; j < metrics.length; j += 200) await ds.getRepository(FieldMetric).insert(metrics.slice(j, j + 200));
    const links = saved.flatMap((r) => (r.hazardIds ?? []).map((hazardId) => ({ recordId: r.id, hazardId, orgPath: r.orgPath, date: r.date })));
    if (links.length) await ds.getRepository(FieldRecordHazard).insert(links);
  }
  // Records went in directly: the statistics' monthly rollup follows by a rebuild.
  await rebuildFieldMonth(ds);
}
