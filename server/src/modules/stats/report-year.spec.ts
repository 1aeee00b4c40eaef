import { readFileSync } from 'fs';
import { TEST_DB } from '../../testing/test-app';
import { useTestApp } from '../../testing/use-test-app';
import { documented, expectedFigures } from './__tests__/report-year.expected';
import { Y, yearOfRecords } from './__tests__/report-year.records';

/**
 * Every figure of docs/REPORT_FIGURES.md against a year of records made through the API with known counts.
 * The test keeps its own list of what it entered and works each figure out from that list by the rule the
 * document gives (the same unit on paper and twice online, head-counts in some months only, a quarter, a
 * village) — then asks the summary. Pledges and WeChat messages carry the server's clock: they are made with it set
 * to days of the year (`at`), e-signatures beside the paper ones. The registers, incidents and ledger are checked
 * for this year, and every key must have a non-zero value in one of the two.
 */
describe(`every report figure from a year of records (${TEST_DB})`, () => {
  const t = useTestApp();
  const year = yearOfRecords(t);
  const { at, ok } = year;
  let town: Record<string, string>;
  /** This year's summary (registers, incidents, ledger), kept for the last test. */
  let thisYear: any;

  beforeAll(async () => {
    town = await t.as('town');
  });

  it('enters a year of field work, registers and incidents', () => year.enterFieldWork());

  it('signs pledges online and publishes WeChat messages through the year', () => year.signAndPublish());

  const expected = (from: string, to: string, org = 'town') => expectedFigures(t, year, from, to, org);

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
