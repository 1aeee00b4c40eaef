/**
 * A year of records for report-year.spec, made through the API with known counts: field work, registers and
 * incidents (entered by the town), pledges signed online and WeChat messages published and read (made with the
 * server's clock set to days of the year). Each kept in a list, for report-year.expected to work the figures out.
 */
import { DEMO_USERS } from '../../../database/seed/orgs.seed';
import type { TestApp } from '../../../testing/test-app';
import { drawSignaturePng, pngDataUrl } from '../../pledges/signature-art';
import { User } from '../../users/user.entity';

export const Y = '2025';
export type Rec = {
  type: string;
  kind: string;
  date: string;
  org: string;
  sector?: string;
  metrics: Record<string, number>;
  units?: { orgId?: number; name?: string }[];
};
/** E-signatures made (China day, the campaign's unit, the unit or person the letter names). */
export type Sig = { kind: string; date: string; org: string; name: string };
/** Messages published (China day, the publisher's unit, audience, reads and acknowledgements made). */
export type Msg = { id: number; date: string; org: string; audience: number; reads: number; acks: number };

export interface YearOfRecords {
  recs: Rec[];
  sigs: Sig[];
  msgs: Msg[];
  /** Runs `fn` with the server's clock at noon, China time, of `day` (see below). */
  at<T>(day: string, fn: (who: (key: string) => Promise<Record<string, string>>) => Promise<T>): Promise<T>;
  /** The answer's body; anything but `status` fails the test with the answer. */
  ok(req: any, status?: number): Promise<any>;
  enterFieldWork(): Promise<void>;
  signAndPublish(): Promise<void>;
}

export function yearOfRecords(t: TestApp): YearOfRecords {
  const recs: Rec[] = [];
  let rnd = 11;
  const next = (max: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), (rnd % max) + 1);
  const paths: Record<string, string> = { inspection: 'inspections', enforcement: 'enforcements', drill: 'drills', activity: 'activities' };
  const sigs: Sig[] = [];
  const msgs: Msg[] = [];

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
        .set(await t.as('town'))
        .send({ kind: r.kind, date: r.date, orgId: o[r.org].id, sector: r.sector, metrics: r.metrics, units: r.units }),
    );
    recs.push(r);
  };
  /** An activity record (training, publicity, letters, head-counts…) of `org`. */
  const activity = (kind: string, date: string, org: string, metrics: Record<string, number>, more: Pick<Rec, 'sector' | 'units'> = {}) =>
    add({ type: 'activity', kind, date, org, metrics, ...more });
  const d = (m: number, day = 10) => `${Y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

  /** 'enters a year of field work, registers and incidents' */
  const enterFieldWork = async () => {
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
    for (let m = 1; m <= 12; m++) await activity('meeting_monthly', d(m, 5), 'town', { attendees: 30 });
    for (const [k, n] of [
      ['training_safety', 3],
      ['training_fire', 2],
      ['training_special_equipment', 1],
      ['training_food_coordinator', 4],
      ['training_food_expert', 2],
    ] as const) {
      for (let i = 0; i < n; i++) await activity(k, d(i + 3, 15), 'town', { attendees: 40 });
    }
    for (let i = 0; i < 5; i++) await activity('school_talk', d(i + 3, 8), 's_primary', { attendees: 200 }, { sector: i < 2 ? 'food_drug' : undefined });
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
    await activity(
      'publicity_event',
      d(5, 3),
      'town',
      { brochures: 1500, banners: 30, slogans: 200, vehicleTrips: 12 },
      { sector: 'gas', units: [{ orgId: o.v_liulin.id }, { orgId: o.v_hekou.id }, { name: '石桥加油站' }] },
    );
    await activity('publicity_event', d(9, 3), 'v_hekou', { brochures: 600 }, { sector: 'rural_power', units: [{ orgId: o.v_hekou.id }] });
    await activity(
      'publicity_large',
      d(6, 16),
      'town',
      { leaflets: 10000, banners: 80, slogans: 400, ledPlays: 1300, adPushes: 5, adItems: 120, videos: 2, people: 60, vehicleTrips: 28 },
      { units: [{ orgId: o.e_chemical.id }, { orgId: o.s_middle.id }] },
    );
    await activity('publicity_large', d(11, 9), 'town', { leaflets: 2000, banners: 10, boards: 5 });
    // Letters: 大强 on paper twice (by id and by name), 华丰 on paper; villages on paper; coordinators; builders.
    await activity('letter_production', d(1, 20), 'town', { units: 2 }, { units: [{ orgId: o.e_daqiang.id }, { orgId: o.e_textile.id }] });
    await activity('letter_production', d(2, 20), 'town', { units: 1 }, { units: [{ name: '青山大强钢铁有限公司' }] });
    await activity(
      'letter_fire_food',
      d(1, 21),
      'town',
      { units: 3 },
      { units: [{ orgId: o.v_liulin.id }, { orgId: o.v_hekou.id }, { orgId: o.v_shiqiao.id }] },
    );
    await activity('letter_food_coordinator', d(1, 22), 'town', { units: 2 }, { units: [{ name: '王秀英' }, { name: '赵志强' }] });
    await activity('letter_construction', d(3, 22), 'town', { units: 2 }, { units: [{ name: '宏达建筑公司' }, { name: '青山路桥公司' }] });
    await activity('pledge_offline', d(6, 25), 's_primary', { count: 943 });
    await activity('pledge_offline_drowning', d(6, 26), 's_primary', { count: 1200 });
    await activity('pledge_offline_drowning', d(7, 1), 's_middle', { count: 860 });
    await activity('plan_filing', d(3, 2), 'town', { plans: 9 }, { units: [{ orgId: o.e_daqiang.id }] });
    await activity('plan_filing', d(5, 2), 'town', { plans: 3 }, { units: [{ orgId: o.e_chemical.id }, { orgId: o.e_textile.id }] });
    await activity('county_letter', d(4, 2), 'town', { received: 4, closed: 3 });
    await activity('county_letter', d(10, 2), 'town', { received: 4, closed: 4 });
    for (let m = 1; m <= 12; m++) {
      await activity('traffic', d(m, 28), 'town', {
        drunkDriving: next(10),
        violations: 300 + next(29),
        unlicensed: next(20),
        majorHazards: m % 6 ? 0 : 3,
        generalHazards: next(3),
        violationsCorrected: next(8),
        ...(m === 3 || m === 8 ? { persuaders: m === 3 ? 100 : 105 } : {}),
      });
    }
    await activity('food_registration', d(4, 11), 'town', { stalls: 6, licenses: 12, healthCerts: 40, stallCerts: 9 });
    await activity('food_registration', d(9, 11), 'town', { stalls: 2, licenses: 3, healthCerts: 10, stallCerts: 1 });
    await activity('info_board', d(5, 11), 'town', { units: 18 });
    // Head-counts: staff in November of the year before only, then June.
    await activity('staff', '2024-11-20', 'town', { certHolders: 12, safetyManagers: 5 });
    await activity('staff', d(6, 1), 'town', { certHolders: 15, safetyManagers: 7 });
  };

  /** 'signs pledges online and publishes WeChat messages through the year' */
  const signAndPublish = async () => {
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
        .set(await t.as('town'))
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
  };

  return { recs, sigs, msgs, at, ok, enterFieldWork, signAndPublish };
}
