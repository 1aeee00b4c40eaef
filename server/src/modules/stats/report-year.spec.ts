import { readFileSync } from 'fs';
import { join } from 'path';
import { isSnapshotMetric, PUBLICITY_KINDS } from '@xiangan/shared';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { DEMO_USERS } from '../../database/seed/orgs.seed';
import { drawSignaturePng, pngDataUrl } from '../pledges/signature-art';
import { unitKey } from './distinct-units';
import { User } from '../users/user.entity';

/**
 * Every figure of docs/REPORT_FIGURES.md against a year of records made through the API with known counts.
 * The test keeps its own list of what it entered and works each figure out from that list by the rule the
 * document gives (the same unit on paper and twice online, head-counts in some months only, a quarter, a
 * village) — then asks the summary. Pledges and WeChat messages carry the server's clock: they are made with it set
 * to days of the year (`at`), e-signatures beside the paper ones. The registers, incidents and ledger are checked
 * for this year, and every key must have a non-zero value in one of the two.
 */
describe(`every report figure from a year of records (${TEST_DB})`, () => {
  let t: TestApp;
  let town: Record<string, string>;
  const Y = '2025';
  type Rec = {
    type: string;
    kind: string;
    date: string;
    org: string;
    sector?: string;
    metrics: Record<string, number>;
    units?: { orgId?: number; name?: string }[];
  };
  const recs: Rec[] = [];
  let rnd = 11;
  const next = (max: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), (rnd % max) + 1);
  const paths: Record<string, string> = { inspection: 'inspections', enforcement: 'enforcements', drill: 'drills', activity: 'activities' };
  /** E-signatures made (China day, the campaign's unit, the unit or person the letter names). */
  type Sig = { kind: string; date: string; org: string; name: string };
  const sigs: Sig[] = [];
  /** Messages published (China day, the publisher's unit, audience, reads and acknowledgements made). */
  type Msg = { id: number; date: string; org: string; audience: number; reads: number; acks: number };
  const msgs: Msg[] = [];
  /** This year's summary (registers, incidents, ledger), kept for the last test. */
  let thisYear: any;

  /**
   * Runs `fn` with the server's clock (Date only; timers stay real and keep running) at noon, China time,
   * of `day`: pledges and messages carry the server's clock, so this is how a year of them is made through the
   * API. Logins inside are fresh (a cached token would be stamped with the false clock).
   */
  const at = async <T>(day: string, fn: (who: (key: string) => Promise<Record<string, string>>) => Promise<T>): Promise<T> => {
    jest.useFakeTimers({
      now: new Date(`${day}T04:00:00Z`),
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      return await fn(async (key) => t.login(DEMO_USERS.find((d) => d[0] === key)?.[1] ?? key));
    } finally {
      jest.useRealTimers();
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    town = await t.as('town');
  });
  afterAll(async () => t?.close());

  const ok = async (req: any, status = 201) => {
    const res = await req;
    if (res.status !== status) throw new Error(`${res.req?.method} ${res.req?.path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const add = async (r: Rec) => {
    const o = t.seed.org;
    await ok(
      t.http
        .post(`/api/${paths[r.type]}`)
        .set(town)
        .send({ kind: r.kind, date: r.date, orgId: o[r.org].id, sector: r.sector, metrics: r.metrics, units: r.units }),
    );
    recs.push(r);
  };
  const d = (m: number, day = 10) => `${Y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

  it('enters a year of field work, registers and incidents', async () => {
    const o = t.seed.org;
    const sectors = ['fire', 'food_drug', 'industry_trade', 'campus', 'fireworks'];
    for (let i = 0; i < 30; i++) {
      const sector = sectors[i % sectors.length];
      const metrics: Record<string, number> = { inspectors: next(6), vehicles: next(3), units: next(5), issues: next(4), issuesRectified: 1 };
      if (sector === 'campus') metrics.schoolBuses = next(5);
      if (sector === 'food_drug') metrics.stalls = next(8);
      await add({
        type: 'inspection',
        kind: i % 3 ? 'routine' : 'special',
        date: d((i % 12) + 1, (i % 27) + 1),
        org: i % 4 === 0 ? 'v_liulin' : 'town',
        sector,
        metrics,
      });
    }
    for (let i = 0; i < 6; i++)
      await add({
        type: 'enforcement',
        kind: 'simple',
        date: d(i + 2),
        org: 'town',
        sector: i < 3 ? 'fireworks' : 'industry_trade',
        metrics: { amount: 200 * (i + 1), hazards: 2, rectified: 2 },
      });
    for (let i = 0; i < 2; i++)
      await add({
        type: 'enforcement',
        kind: 'general',
        date: d(i + 8),
        org: 'town',
        sector: 'hazardous_chemicals',
        metrics: { amount: 5000, hazards: 3, rectified: 1 },
      });
    for (let i = 0; i < 5; i++)
      await add({ type: 'enforcement', kind: 'check', date: d(i + 3, 20), org: 'town', sector: 'fire', metrics: { hazards: 1, rectified: 1 } });
    await add({ type: 'drill', kind: 'joint', date: d(4, 20), org: 'town', metrics: { participants: 300 } });
    await add({ type: 'drill', kind: 'fire', date: d(6, 12), org: 's_middle', metrics: { participants: 120 } });
    await add({ type: 'drill', kind: 'drowning', date: d(7, 2), org: 'v_liulin', metrics: { participants: 45 } });
    for (let m = 1; m <= 12; m++) await add({ type: 'activity', kind: 'meeting_monthly', date: d(m, 5), org: 'town', metrics: { attendees: 30 } });
    for (const [k, n] of [
      ['training_safety', 3],
      ['training_fire', 2],
      ['training_special_equipment', 1],
      ['training_food_coordinator', 4],
      ['training_food_expert', 2],
    ] as const) {
      for (let i = 0; i < n; i++) await add({ type: 'activity', kind: k, date: d(i + 3, 15), org: 'town', metrics: { attendees: 40 } });
    }
    for (let i = 0; i < 5; i++)
      await add({
        type: 'activity',
        kind: 'school_talk',
        date: d(i + 3, 8),
        org: 's_primary',
        sector: i < 2 ? 'food_drug' : undefined,
        metrics: { attendees: 200 },
      });
    // Publicity: topics (food boards, power/gas leaflets) and reach to units of each type; the same units again.
    const reachUnits = [
      { orgId: o.e_daqiang.id },
      { orgId: o.e_textile.id },
      { orgId: o.e_gas_station.id },
      { orgId: o.s_primary.id },
      { orgId: o.v_liulin.id },
    ];
    await add({
      type: 'activity',
      kind: 'publicity_event',
      date: d(3, 3),
      org: 'town',
      sector: 'food_drug',
      metrics: { boards: 12, leaflets: 5000, brochures: 800, bags: 300, people: 20, reach: 1200 },
      units: reachUnits,
    });
    await add({
      type: 'activity',
      kind: 'publicity_event',
      date: d(5, 3),
      org: 'town',
      sector: 'gas',
      metrics: { brochures: 1500, banners: 30, slogans: 200, vehicleTrips: 12 },
      units: [{ orgId: o.v_liulin.id }, { orgId: o.v_hekou.id }, { name: '石桥加油站' }],
    });
    await add({
      type: 'activity',
      kind: 'publicity_event',
      date: d(9, 3),
      org: 'v_hekou',
      sector: 'rural_power',
      metrics: { brochures: 600 },
      units: [{ orgId: o.v_hekou.id }],
    });
    await add({
      type: 'activity',
      kind: 'publicity_large',
      date: d(6, 16),
      org: 'town',
      metrics: { leaflets: 10000, banners: 80, slogans: 400, ledPlays: 1300, adPushes: 5, adItems: 120, videos: 2, people: 60, vehicleTrips: 28 },
      units: [{ orgId: o.e_chemical.id }, { orgId: o.s_middle.id }],
    });
    await add({ type: 'activity', kind: 'publicity_large', date: d(11, 9), org: 'town', metrics: { leaflets: 2000, banners: 10, boards: 5 } });
    // Letters: 大强 on paper twice (by id and by name), 华丰 on paper; villages on paper; coordinators; builders.
    await add({
      type: 'activity',
      kind: 'letter_production',
      date: d(1, 20),
      org: 'town',
      metrics: { units: 2 },
      units: [{ orgId: o.e_daqiang.id }, { orgId: o.e_textile.id }],
    });
    await add({ type: 'activity', kind: 'letter_production', date: d(2, 20), org: 'town', metrics: { units: 1 }, units: [{ name: '青山大强钢铁有限公司' }] });
    await add({
      type: 'activity',
      kind: 'letter_fire_food',
      date: d(1, 21),
      org: 'town',
      metrics: { units: 3 },
      units: [{ orgId: o.v_liulin.id }, { orgId: o.v_hekou.id }, { orgId: o.v_shiqiao.id }],
    });
    await add({
      type: 'activity',
      kind: 'letter_food_coordinator',
      date: d(1, 22),
      org: 'town',
      metrics: { units: 2 },
      units: [{ name: '王秀英' }, { name: '赵志强' }],
    });
    await add({
      type: 'activity',
      kind: 'letter_construction',
      date: d(3, 22),
      org: 'town',
      metrics: { units: 2 },
      units: [{ name: '宏达建筑公司' }, { name: '青山路桥公司' }],
    });
    await add({ type: 'activity', kind: 'pledge_offline', date: d(6, 25), org: 's_primary', metrics: { count: 943 } });
    await add({ type: 'activity', kind: 'pledge_offline_drowning', date: d(6, 26), org: 's_primary', metrics: { count: 1200 } });
    await add({ type: 'activity', kind: 'pledge_offline_drowning', date: d(7, 1), org: 's_middle', metrics: { count: 860 } });
    await add({ type: 'activity', kind: 'plan_filing', date: d(3, 2), org: 'town', metrics: { plans: 9 }, units: [{ orgId: o.e_daqiang.id }] });
    await add({
      type: 'activity',
      kind: 'plan_filing',
      date: d(5, 2),
      org: 'town',
      metrics: { plans: 3 },
      units: [{ orgId: o.e_chemical.id }, { orgId: o.e_textile.id }],
    });
    await add({ type: 'activity', kind: 'county_letter', date: d(4, 2), org: 'town', metrics: { received: 4, closed: 3 } });
    await add({ type: 'activity', kind: 'county_letter', date: d(10, 2), org: 'town', metrics: { received: 4, closed: 4 } });
    for (let m = 1; m <= 12; m++) {
      await add({
        type: 'activity',
        kind: 'traffic',
        date: d(m, 28),
        org: 'town',
        metrics: {
          drunkDriving: next(10),
          violations: 300 + next(29),
          unlicensed: next(20),
          majorHazards: m % 6 ? 0 : 3,
          generalHazards: next(3),
          violationsCorrected: next(8),
          ...(m === 3 || m === 8 ? { persuaders: m === 3 ? 100 : 105 } : {}),
        },
      });
    }
    await add({
      type: 'activity',
      kind: 'food_registration',
      date: d(4, 11),
      org: 'town',
      metrics: { stalls: 6, licenses: 12, healthCerts: 40, stallCerts: 9 },
    });
    await add({
      type: 'activity',
      kind: 'food_registration',
      date: d(9, 11),
      org: 'town',
      metrics: { stalls: 2, licenses: 3, healthCerts: 10, stallCerts: 1 },
    });
    await add({ type: 'activity', kind: 'info_board', date: d(5, 11), org: 'town', metrics: { units: 18 } });
    // Head-counts: staff in November of the year before only, then June.
    await add({ type: 'activity', kind: 'staff', date: '2024-11-20', org: 'town', metrics: { certHolders: 12, safetyManagers: 5 } });
    await add({ type: 'activity', kind: 'staff', date: d(6, 1), org: 'town', metrics: { certHolders: 15, safetyManagers: 7 } });
  });

  it('signs pledges online and publishes WeChat messages through the year', async () => {
    const o = t.seed.org;
    const art = [pngDataUrl(await drawSignaturePng(3)), pngDataUrl(await drawSignaturePng(4))];
    const campaign = async (who: Record<string, string>, org: string, kind: string) => {
      const v = (await ok(t.http.get('/api/pledge-templates').set(who), 200)).find((x: any) => x.kind === kind).latest;
      const c = await ok(
        t.http
          .post('/api/pledge-campaigns')
          .set(who)
          .send({ templateVersionId: v.id, orgId: o[org].id, deadline: `${Y}-12-31T10:00:00Z` }),
      );
      return { id: c.id as number, org, kind, signers: v.signers.map((s: any) => s.role) as string[] };
    };
    let phone = 0;
    const sign = async (day: string, c: { id: number; org: string; kind: string; signers: string[] }, fields: Record<string, string>, name: string) =>
      at(day, async (who) => {
        await ok(
          t.http
            .post(`/api/pledge-campaigns/${c.id}/signatures`)
            .set(await who('resident'))
            .send({
              fields: { ...fields, phone: `1390000${String(++phone).padStart(4, '0')}` },
              signatures: c.signers.map((role, i) => ({ role, image: art[i % 2] })),
            }),
        );
        sigs.push({ kind: c.kind, date: day, org: c.org, name });
      });
    const unit = (name: string) => ({ unitName: name, principalName: '负责人' });
    // 《安全生产责任书》: 大强 online in January (on paper in January and February too), 鑫源 online only, a shop not in the tree.
    const prod = await at(d(1, 10), async (who) => campaign(await who('town'), 'town', 'production_responsibility'));
    await sign(d(1, 12), prod, unit('青山大强钢铁有限公司'), '青山大强钢铁有限公司');
    await sign(d(1, 13), prod, unit(o.e_chemical.name), o.e_chemical.name);
    await sign(d(4, 3), prod, unit('石桥新开农家乐'), '石桥新开农家乐');
    // Villages: 柳林村 online and on paper; 龙潭村 online only; 河口村 twice online (two phones) and on paper.
    const ff = await at(d(1, 24), async (who) => campaign(await who('town'), 'town', 'fire_food_responsibility'));
    await sign(d(1, 25), ff, unit('柳林村'), '柳林村');
    await sign(d(1, 25), ff, unit('龙潭村'), '龙潭村');
    await sign(d(2, 10), ff, unit('河口村'), '河口村');
    await sign(d(7, 10), ff, unit('河 口村'), '河口村');
    // Coordinators: 王秀英 online and on paper, 李春兰 online only.
    const fc = await at(d(1, 24), async (who) => campaign(await who('town'), 'town', 'food_drug_coordinator'));
    await sign(d(1, 26), fc, { signerName: '王秀英', unitName: '柳林村' }, '王秀英');
    await sign(d(1, 26), fc, { signerName: '李春兰', unitName: '河口村' }, '李春兰');
    // 防溺水 in 柳林村 (the village's own campaign): June three, July one; paper in June and July. 节日安全: January two, September 30 one.
    const dr = await at(d(5, 20), async (who) => campaign(await who('village'), 'v_liulin', 'drowning'));
    const child = (n: string) => ({ studentName: n, className: '三年级一班', guardianName: `${n}家长`, relation: '父亲' });
    for (const n of ['柳甲', '柳乙', '柳丙']) await sign(d(6, 5), dr, child(n), n);
    await sign(d(7, 15), dr, child('柳丁'), '柳丁');
    const hol = await at(d(1, 5), async (who) => campaign(await who('town'), 'town', 'holiday_safety'));
    await sign(d(1, 8), hol, child('节甲'), '节甲');
    await sign(d(1, 8), hol, child('节乙'), '节乙');
    await sign(d(9, 30), hol, child('节丙'), '节丙');

    // WeChat: the town in March (no ack asked) and October, 柳林村 in March (ack asked); a draft never published.
    const publish = async (day: string, key: string, org: string, category: string, ackRequired: boolean) =>
      at(day, async (who) => {
        const h = await who(key);
        const m = await ok(
          t.http
            .post('/api/messages')
            .set(h)
            .send({
              title: `${o[org].name}${category}提醒`,
              category,
              ackRequired,
              body: [{ type: 'p', text: '请注意安全。' }],
              audience: { orgIds: [o[org].id] },
            }),
        );
        await ok(t.http.post(`/api/messages/${m.id}/publish`).set(h).send({}), 200);
        const st = await ok(t.http.get(`/api/messages/${m.id}/stats`).set(h), 200);
        const msg: Msg = { id: m.id, date: day, org, audience: st.audienceSize, reads: 0, acks: 0 };
        msgs.push(msg);
        return msg;
      });
    const m1 = await publish(d(3, 12), 'town', 'town', 'safety_month', false);
    const m2 = await publish(d(3, 20), 'village', 'v_liulin', 'drowning', true);
    const m3 = await publish(d(10, 8), 'town', 'town', 'fire', false);
    await ok(
      t.http
        .post('/api/messages')
        .set(town)
        .send({ title: '草稿', category: 'fire', ackRequired: false, body: [{ type: 'p', text: '未发布' }], audience: { orgIds: [o.town.id] } }),
    );
    const villagers = (await t.ds.getRepository(User).find({ where: { orgId: o.v_liulin.id, role: 'resident' }, order: { id: 'ASC' } }))
      .filter((u) => (u.openid ?? '').startsWith('dev:villager-'))
      .map((u) => (u.openid ?? '').slice(4));
    expect(villagers.length).toBeGreaterThanOrEqual(5);
    const receipt = async (key: string, m: Msg, what: 'read' | 'ack') => {
      await ok(t.http.post(`/api/messages/${m.id}/${what}`).set(await t.as(key)), 200);
    };
    // m1: 4 read (one twice: once). m2: 3 acknowledge (an ack is a read), 1 only reads. m3: 2 read.
    for (const u of villagers.slice(0, 4)) await receipt(u, m1, 'read');
    await receipt(villagers[0], m1, 'read');
    m1.reads = 4;
    for (const u of villagers.slice(0, 3)) await receipt(u, m2, 'ack');
    await receipt(villagers[3], m2, 'read');
    m2.reads = 4;
    m2.acks = 3;
    for (const u of villagers.slice(2, 4)) await receipt(u, m3, 'read');
    m3.reads = 2;
    expect(msgs.every((m) => m.audience > 0)).toBe(true);
  });

  // ---- the figures worked out from what was entered, by docs/REPORT_FIGURES.md's rules ------------------------

  const inP = (r: Rec, from: string, to: string, org?: string) =>
    r.date >= from && r.date <= to && (!org || r.org === org || t.seed.org[r.org].path.startsWith(t.seed.org[org].path));
  const expected = (from: string, to: string, org = 'town'): Record<string, number> => {
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
  };

  /** Every key the document lists (its closing block), which is also every key the summary answers. */
  const documented = (): string[] => {
    const md = readFileSync(join(__dirname, '../../../../docs/REPORT_FIGURES.md'), 'utf8');
    const block = md.split('<!-- figure keys -->')[1]?.split('<!-- end figure keys -->')[0] ?? '';
    return block.split(/\s+/).filter((k) => /^[a-zA-Z0-9_.]+$/.test(k));
  };

  const check = async (from: string, to: string, who = town, org = 'town') => {
    const s = await ok(t.http.get('/api/stats/summary').query({ from, to }).set(who), 200);
    const want = expected(from, to, org);
    const got: Record<string, number> = {};
    for (const k of Object.keys(want)) got[k] = s.figures.find((f: any) => f.key === k)?.value;
    expect({ period: `${from}..${to} ${org}`, ...got }).toEqual({ period: `${from}..${to} ${org}`, ...want });
    return s;
  };

  it('the year, a quarter, a month and a village: every field-work figure as the records say', async () => {
    const s = await check(`${Y}-01-01`, `${Y}-12-31`);
    // The sparse and overlapping cases, spelled out.
    const fig = (k: string) => s.figures.find((f: any) => f.key === k)?.value;
    // 大强 (paper twice, online once), 华丰 (paper), 鑫源 and a shop outside the tree (online).
    expect(fig('letters.production')).toBe(4);
    // 柳林、河口 (paper and online; 河口 twice online), 石桥 (paper), 龙潭 (online).
    expect(fig('letters.fireFood')).toBe(4);
    expect(fig('letters.foodCoordinator')).toBe(3);
    expect(fig('pledges.drowning')).toBe(1200 + 860 + 4);
    expect(fig('pledges.holiday')).toBe(943 + 3);
    expect(fig('wechat.messages')).toBe(3);
    expect(fig('wechat.reads')).toBe(10);
    expect(fig('wechat.acks')).toBe(3);
    expect(fig('traffic.persuaders')).toBe(105);
    expect(fig('staff.certHolders')).toBe(15);
    expect(fig('plans.filed')).toBe(3);
    expect(fig('publicity.reachGasStations')).toBe(1);
    await check(`${Y}-01-01`, `${Y}-03-31`); // Q1: staff from the year before, persuaders from March
    const q3 = await check(`${Y}-07-01`, `${Y}-09-30`); // Q3: no head-count record inside it
    const q = (k: string) => q3.figures.find((f: any) => f.key === k)?.value;
    expect([q('pledges.drowning'), q('pledges.holiday'), q('letters.fireFood'), q('wechat.messages')]).toEqual([860 + 1, 1, 1, 0]);
    await check(`${Y}-05-01`, `${Y}-05-31`);
    await check(`${Y}-02-15`, `${Y}-08-14`); // edges inside months
    const v = await check(`${Y}-01-01`, `${Y}-12-31`, await t.as('village'), 'v_liulin');
    const vf = (k: string) => v.figures.find((f: any) => f.key === k)?.value;
    // The village's own campaign and message; the town's letters and paper pledges are not the village's.
    expect([vf('pledges.drowning'), vf('letters.fireFood'), vf('wechat.messages'), vf('wechat.acks')]).toEqual([4, 0, 1, 3]);
  });

  it('registers, incidents, ledger, pledges, WeChat and population: this year against the rows', async () => {
    const o = t.seed.org;
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const from = `${today.slice(0, 4)}-01-01`;
    const site = async (kind: string, n: number, extra: object = {}) => {
      for (let i = 0; i < n; i++)
        await ok(
          t.http
            .post('/api/risk-sites')
            .set(town)
            .send({ kind, name: `${kind}${i + 1}号点`, orgId: o.v_hekou.id, ...extra }),
        );
    };
    await site('fireworks_shop', 12, { warningSigns: 1 });
    await site('lpg_shop', 1);
    await site('gas_station', 2);
    await site('geological', 9, { warningSigns: 2 });
    await site('flash_flood', 5);
    await site('reservoir', 2, { sizeClass: 'small2', warningSigns: 4 });
    await site('reservoir', 1);
    await site('pond', 3, { warningSigns: 2 });
    await site('river', 1, { warningSigns: 5 });
    await site('dangerous_water', 1);
    await site('crowded_place', 4);
    const pond = (await ok(t.http.get('/api/risk-sites').query({ kind: 'pond' }).set(town), 200)).items[0];
    await ok(t.http.post(`/api/risk-sites/${pond.id}/patrols`).set(town).send({ date: today }));
    const geo = (await ok(t.http.get('/api/risk-sites').query({ kind: 'geological' }).set(town), 200)).items[0];
    await ok(t.http.post(`/api/risk-sites/${geo.id}/patrols`).set(town).send({ date: today }));
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'fire', date: today, title: '柴火堆起火', orgId: o.v_longtan.id }));
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'drowning', date: today, title: '溺水', orgId: o.v_hekou.id, deaths: 1 }));
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'production_accident', date: today, title: '机械伤害', orgId: o.e_daqiang.id }));
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'forest_fire', date: today, title: '山火', orgId: o.v_longtan.id }));
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'forest_fire', date: today, title: '山火复燃', orgId: o.v_longtan.id, deaths: 2 }));
    // Ledger: reported through the API; one escalated, one rejected.
    const report = async (description: string) =>
      ok(
        t.http
          .post('/api/hazards')
          .set(await t.as('resident'))
          .send({ category: 'fire', description, lat: 29.583, lng: 106.487 }),
      );
    const a = await report('电线私拉乱接一处');
    const b = await report('山体堡坎开裂一处');
    const c = await report('重复上报的电线');
    await ok(
      t.http
        .post(`/api/hazards/${b.id}/escalate`)
        .set(await t.as('village'))
        .send({ department: '青山县自然资源局', note: '需评估' }),
      200,
    );
    await ok(
      t.http
        .post(`/api/hazards/${c.id}/reject`)
        .set(await t.as('village'))
        .send({ reason: '重复上报' }),
      200,
    );
    // a: major, due tomorrow, still assigned (overdue once tomorrow has passed). e: rectified and passed (closed).
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86400_000).toISOString().slice(0, 10);
    await ok(t.http.post(`/api/hazards/${a.id}/assign`).set(town).send({ responsibleOrgId: o.v_liulin.id, deadline: tomorrow, level: 'major' }), 200);
    const e = await report('消防通道堵塞');
    await ok(t.http.post(`/api/hazards/${e.id}/assign`).set(town).send({ responsibleOrgId: o.v_liulin.id, deadline: tomorrow }), 200);
    await ok(
      t.http
        .post(`/api/hazards/${e.id}/rectify`)
        .set(await t.as('village'))
        .send({ note: '已清理' }),
      200,
    );
    await ok(t.http.post(`/api/hazards/${e.id}/verify`).set(town).send({ passed: true }), 200);
    // An inspection whose two findings went into the ledger (检查中发现并录入台账).
    await ok(
      t.http
        .post('/api/inspections')
        .set(town)
        .send({
          kind: 'routine',
          date: today,
          orgId: o.town.id,
          sector: 'fire',
          metrics: { inspectors: 2, units: 1 },
          findings: [
            { category: 'fire', description: '灭火器过期', orgId: o.e_textile.id },
            { category: 'fire', description: '安全出口上锁', orgId: o.e_textile.id },
          ],
        }),
    );
    // Asked three days on (the server's clock), so a's deadline has passed.
    const s = await at(new Date(Date.now() + 8 * 3600_000 + 3 * 86400_000).toISOString().slice(0, 10), async (who) =>
      ok(
        t.http
          .get('/api/stats/summary')
          .query({ from, to: today })
          .set(await who('town')),
        200,
      ),
    );
    const fig = (k: string) => s.figures.find((f: any) => f.key === k)?.value;
    const sites: Record<string, number> = {
      fireworks_shop: 12,
      lpg_shop: 1,
      gas_station: 2,
      geological: 9,
      flash_flood: 5,
      pond: 3,
      river: 1,
      dangerous_water: 1,
      crowded_place: 4,
    };
    for (const [k, n] of Object.entries(sites)) expect([k, fig(`sites.${k}`)]).toEqual([k, n]);
    expect(fig('sites.reservoirs')).toBe(3);
    expect(fig('sites.reservoirsSmall2Up')).toBe(2);
    expect(fig('sites.warningSigns')).toBe(12 + 18 + 8 + 6 + 5);
    expect(fig('sites.waterWarningSigns')).toBe(8 + 6 + 5);
    expect(fig('patrols.records')).toBe(2);
    expect(fig('patrols.waters')).toBe(1);
    expect(fig('incidents.production')).toBe(1);
    expect(fig('incidents.forestFire')).toBe(2);
    expect(fig('incidents.fire')).toBe(1);
    expect(fig('incidents.drowning')).toBe(1);
    expect(fig('incidents.deaths')).toBe(3);
    const n = async (sql: string) => Number((await t.ds.query(sql, [`${o.town.path}%`]))[0].n);
    expect(fig('hazards.found')).toBe(await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status <> 'rejected'"));
    expect(fig('hazards.escalated')).toBe(await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status = 'escalated'"));
    expect(fig('hazards.inProgress')).toBe(
      await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('reported','assigned','rectifying','rectified')"),
    );
    expect(fig('hazards.closed')).toBe(await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status = 'closed'"));
    expect(fig('hazards.rectified')).toBe(await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('rectified','closed')"));
    expect(fig('hazards.major')).toBe(await n("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND level = 'major' AND status <> 'rejected'"));
    // a, b, e and the two findings (c was rejected).
    expect(fig('hazards.found')).toBe(5);
    expect([fig('hazards.major'), fig('hazards.closed'), fig('hazards.rectified'), fig('hazards.escalated')]).toEqual([1, 1, 1, 1]);
    expect(fig('hazards.inProgress')).toBe(3);
    expect(fig('hazards.overdue')).toBe(1);
    expect(fig('hazards.fromFieldWork')).toBe(2);
    expect(fig('population')).toBe(o.town.population ?? 53800);
    thisYear = s;
  });

  it('docs/REPORT_FIGURES.md lists every figure the summary answers, and only those', async () => {
    const s = await ok(
      t.http
        .get('/api/stats/summary')
        .query({ from: `${Y}-01-01`, to: `${Y}-12-31` })
        .set(town),
      200,
    );
    const keys = s.figures.map((f: any) => f.key).sort();
    expect(documented().sort()).toEqual(keys);
    // Each documented key is checked above: the field-work ones by `expected`, the others by name in the test before.
    const checkedHere = new Set([...Object.keys(expected(`${Y}-01-01`, `${Y}-12-31`))]);
    const byName = readFileSync(__filename, 'utf8');
    for (const k of keys)
      expect([k, checkedHere.has(k) || byName.includes(`'${k}'`) || (k.startsWith('sites.') && byName.includes(`${k.slice(6)}: `))]).toEqual([k, true]);
    // …and with a value that could have been wrong: not zero in the year of records or in this year's registers and ledger.
    const val = (x: any, k: string) => x?.figures.find((f: any) => f.key === k)?.value ?? 0;
    expect(keys.filter((k: string) => !val(s, k) && !val(thisYear, k))).toEqual([]);
  });
});
