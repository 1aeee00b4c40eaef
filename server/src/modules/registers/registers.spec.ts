import { bytes, docxText } from '../../testing/download';
import { Hazard } from '../hazards/hazard.entity';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { named } from '../../testing/fields';

/**
 * The registers through the API: risk sites (kind, place, person masked in lists, warning signs, reservoir size),
 * patrols whose findings become ledger hazards, incidents; scope on every route and every id in a body; and the
 * summary's figures (sites on the register in a period, patrols, incidents) against what was entered.
 */
describe(`registers: risk sites, patrols, incidents (${TEST_DB})`, () => {
  let t: TestApp;
  let town: Record<string, string>;
  let village: Record<string, string>;
  let village2: Record<string, string>;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const year = today.slice(0, 4);

  beforeAll(async () => {
    t = await createTestApp();
    town = await t.as('town');
    village = await t.as('village');
    village2 = await t.as('village2');
  });
  afterAll(async () => t?.close());

  const ok = async (req: any, status = 201) => {
    const res = await req;
    if (res.status !== status) throw new Error(`${res.req?.method} ${res.req?.path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const fig = (s: any, key: string) => s.figures.find((f: any) => f.key === key)?.value;
  const ids: Record<string, number> = {};

  it('keeps a register of risk sites per unit, the person masked in lists', async () => {
    const o = t.seed.org;
    for (let i = 0; i < 12; i++)
      await ok(
        t.http
          .post('/api/risk-sites')
          .set(town)
          .send({ kind: 'fireworks_shop', name: `烟花爆竹零售点${i + 1}号`, orgId: o.v_shiqiao.id, warningSigns: 1 }),
      );
    ids.gas = (
      await ok(
        t.http
          .post('/api/risk-sites')
          .set(town)
          .send({ kind: 'gas_station', name: '石桥加油站', enterpriseOrgId: o.e_gas_station.id, address: '石桥镇场镇', lat: 29.57, lng: 106.5 }),
      )
    ).id;
    ids.res1 = (
      await ok(
        t.http.post('/api/risk-sites').set(town).send({ kind: 'reservoir', name: '青龙水库', sizeClass: 'small1', orgId: o.v_liulin.id, warningSigns: 6 }),
      )
    ).id;
    await ok(t.http.post('/api/risk-sites').set(town).send({ kind: 'reservoir', name: '白鹤水库', sizeClass: 'small2', orgId: o.v_hekou.id, warningSigns: 4 }));
    await ok(t.http.post('/api/risk-sites').set(town).send({ kind: 'reservoir', name: '无名小水库', orgId: o.v_hekou.id }));
    ids.pond = (
      await ok(
        t.http
          .post('/api/risk-sites')
          .set(village)
          .send({ kind: 'pond', name: '柳林村大山塘', responsibleName: '李春梅', responsiblePhone: '13908231002', warningSigns: 2 }),
      )
    ).id;
    for (let i = 0; i < 9; i++)
      await ok(
        t.http
          .post('/api/risk-sites')
          .set(town)
          .send({ kind: 'geological', name: `滑坡隐患点${i + 1}`, orgId: o.v_hekou.id }),
      );
    const list = await ok(t.http.get('/api/risk-sites').query({ kind: 'pond' }).set(village), 200);
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ name: '柳林村大山塘', kindLabel: '山塘', orgName: '柳林村', warningSigns: 2 });
    expect(list.items[0].responsibleName).not.toBe('李春梅');
    expect(list.items[0].responsiblePhone).not.toContain('8231002');
    const detail = await ok(t.http.get(`/api/risk-sites/${ids.pond}`).set(village), 200);
    expect(detail).toMatchObject({ responsibleName: '李春梅', responsiblePhone: '13908231002' });
    const res = await ok(t.http.get(`/api/risk-sites/${ids.res1}`).set(town), 200);
    expect(res).toMatchObject({ sizeClass: 'small1', sizeLabel: '小（1）型' });
  });

  it('refuses bad input naming the field, and keeps what was stored', async () => {
    const bad = await t.http.post('/api/risk-sites').set(town).send({ kind: 'volcano', name: 'x' });
    expect(bad.status).toBe(400);
    expect(named(bad.body).join(' ')).toMatch(/kind/);
    expect(named(bad.body).join(' ')).toMatch(/name/);
    const size = await t.http.post('/api/risk-sites').set(town).send({ kind: 'pond', name: '某山塘', sizeClass: 'small2' });
    expect(size.status).toBe(400);
    expect(named(size.body)[0]).toMatch(/^sizeClass/);
    const phone = await t.http.put(`/api/risk-sites/${ids.pond}`).set(village).send({ kind: 'pond', name: '柳林村大山塘', responsiblePhone: '12345' });
    expect(phone.status).toBe(400);
    expect(named(phone.body)[0]).toMatch(/^responsiblePhone/);
    expect((await ok(t.http.get(`/api/risk-sites/${ids.pond}`).set(village), 200)).responsiblePhone).toBe('13908231002');
    const future = await t.http.post('/api/incidents').set(town).send({ kind: 'fire', date: '2999-01-01', title: '未来的火' });
    expect(named(future.body)).toEqual(['date 日期不能晚于今天']);
    expect((await t.http.get('/api/risk-sites').query({ pageSize: 101 }).set(town)).status).toBe(400);
  });

  it('scope: another village neither sees nor changes the site; ids in bodies are checked', async () => {
    expect((await t.http.get(`/api/risk-sites/${ids.pond}`).set(village2)).status).toBe(404);
    expect((await t.http.put(`/api/risk-sites/${ids.pond}`).set(village2).send({ kind: 'pond', name: '改名' })).status).toBe(404);
    expect((await t.http.post(`/api/risk-sites/${ids.pond}/patrols`).set(village2).send({})).status).toBe(404);
    const mine = await ok(t.http.get('/api/risk-sites').query({ pageSize: 100 }).set(village2), 200);
    expect(mine.items.every((s: any) => s.orgName === '河口村')).toBe(true);
    expect((await t.http.get('/api/risk-sites').query({ orgId: t.seed.org.v_liulin.id }).set(village2)).status).toBe(403);
    expect((await t.http.post('/api/risk-sites').set(village2).send({ kind: 'pond', name: '别村山塘', orgId: t.seed.org.v_liulin.id })).status).toBe(403);
    const other = await t.http.post('/api/incidents').set(village2).send({ kind: 'drowning', date: today, title: '测试', siteId: ids.pond });
    expect(other.status).toBe(400);
    expect(named(other.body)[0]).toMatch(/^siteId/);
    expect((await t.http.get('/api/risk-sites').set(await t.as('resident'))).status).toBe(403);
    expect(
      (
        await t.http
          .post('/api/incidents')
          .set(await t.as('county'))
          .send({ kind: 'fire', date: today, title: '县里录入' })
      ).status,
    ).toBe(403);
  });

  it('patrols at a site: findings become ledger hazards at the site, the signs count is updated', async () => {
    const p = await ok(
      t.http
        .post(`/api/risk-sites/${ids.pond}/patrols`)
        .set({ ...village, 'Idempotency-Key': 'patrol-pond-0001' })
        .send({
          date: today,
          inspectors: 2,
          warningSigns: 3,
          notes: '增设一块警示牌',
          findings: [{ category: 'drowning', description: '山塘东侧护栏缺失一段' }],
        }),
    );
    const again = await ok(
      t.http
        .post(`/api/risk-sites/${ids.pond}/patrols`)
        .set({ ...village, 'Idempotency-Key': 'patrol-pond-0001' })
        .send({ date: today, findings: [{ category: 'drowning', description: '山塘东侧护栏缺失一段' }] }),
    );
    expect(again.id).toBe(p.id);
    expect(p.hazardIds).toHaveLength(1);
    const h = await t.ds.getRepository(Hazard).findOneByOrFail({ id: p.hazardIds[0] });
    expect(h).toMatchObject({ category: 'drowning', orgId: t.seed.org.v_liulin.id });
    expect(await ok(t.http.get(`/api/risk-sites/${ids.pond}`).set(village), 200)).toMatchObject({ warningSigns: 3, patrols: 1, lastPatrolDate: today });
    const list = await ok(t.http.get('/api/site-patrols').query({ siteId: ids.pond }).set(town), 200);
    expect(list.items[0]).toMatchObject({ siteName: '柳林村大山塘', inspectors: 2 });
  });

  it('incidents: entered, edited with PUT, deleted; the summary says how many of each kind', async () => {
    const fire = await ok(
      t.http.post('/api/incidents').set(town).send({ kind: 'fire', date: today, title: '村民厨房起火', orgId: t.seed.org.v_longtan.id, loss: 3000 }),
    );
    const edited = await ok(
      t.http
        .put(`/api/incidents/${fire.id}`)
        .set(town)
        .send({ kind: 'fire', date: today, title: '村民厨房柴火堆起火', orgId: t.seed.org.v_longtan.id, loss: 3500, injuries: 1 }),
      200,
    );
    expect(edited).toMatchObject({ title: '村民厨房柴火堆起火', loss: 3500, injuries: 1, kindLabel: '火灾', orgName: '龙潭村' });
    const gone = await ok(t.http.post('/api/incidents').set(town).send({ kind: 'production_accident', date: today, title: '误录' }));
    await ok(t.http.delete(`/api/incidents/${gone.id}`).set(town), 204);
    const s = await ok(
      t.http
        .get('/api/stats/summary')
        .query({ from: `${year}-01-01`, to: today })
        .set(town),
      200,
    );
    expect(fig(s, 'incidents.fire')).toBe(1);
    expect(fig(s, 'incidents.production')).toBe(0);
    expect(fig(s, 'incidents.forestFire')).toBe(0);
  });

  it('the summary counts the sites on the register in the period; one taken off stays in earlier periods', async () => {
    const s = await ok(t.http.get('/api/stats/summary').query({ from: today, to: today }).set(town), 200);
    expect(fig(s, 'sites.fireworks_shop')).toBe(12);
    expect(fig(s, 'sites.gas_station')).toBe(1);
    expect(fig(s, 'sites.geological')).toBe(9);
    expect(fig(s, 'sites.reservoirs')).toBe(3);
    expect(fig(s, 'sites.reservoirsSmall2Up')).toBe(2);
    expect(fig(s, 'sites.waterWarningSigns')).toBe(6 + 4 + 3);
    expect(fig(s, 'patrols.records')).toBe(1);
    expect(fig(s, 'patrols.waters')).toBe(1);
    // Taken off today: gone from tomorrow's register, still on today's.
    await ok(t.http.delete(`/api/risk-sites/${ids.gas}`).set(town), 200);
    expect(fig(await ok(t.http.get('/api/stats/summary').query({ from: today, to: today }).set(town), 200), 'sites.gas_station')).toBe(1);
    await t.ds.query('UPDATE risk_site SET archivedAt = ? WHERE id = ?', [
      new Date(Date.now() - 40 * 86400_000).toISOString().replace('T', ' ').replace('Z', ''),
      ids.gas,
    ]);
    expect(fig(await ok(t.http.get('/api/stats/summary').query({ from: today, to: today }).set(town), 200), 'sites.gas_station')).toBe(0);
    expect((await ok(t.http.get('/api/risk-sites').query({ kind: 'gas_station' }).set(town), 200)).total).toBe(0);
    expect((await ok(t.http.get('/api/risk-sites').query({ kind: 'gas_station', archived: true }).set(town), 200)).total).toBe(1);
    // A village's summary holds its own sites only.
    const v = await ok(t.http.get('/api/stats/summary').query({ from: today, to: today }).set(village), 200);
    expect(fig(v, 'sites.reservoirs')).toBe(1);
    expect(fig(v, 'sites.fireworks_shop')).toBe(0);
  });

  it('the year report says it from the registers: sites checked, waters signed, no accident, no forest fire', async () => {
    const res = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: `${year}-01-01`, to: today })
      .set(town)
      .buffer(true)
      .parse(bytes);
    const text = await docxText(res.body);
    expect(text).toContain('辖区内的12个烟花爆竹经营点');
    expect(text).toContain('汛期重点排查9个地质灾害点，以及2个小2型以上的水库');
    expect(text).toContain('设立警示标志13块，开展巡查1次');
    expect(text).toMatch(/确保了全镇(全年|本期)无安全生产事故发生，辖区内无一起森林火灾发生/);
    // An accident on the register: the report no longer claims none.
    await ok(t.http.post('/api/incidents').set(town).send({ kind: 'production_accident', date: today, title: '机械伤害', injuries: 1 }));
    const again = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: `${year}-01-01`, to: today })
      .set(town)
      .buffer(true)
      .parse(bytes);
    const text2 = await docxText(again.body);
    expect(text2).not.toContain('无安全生产事故');
    expect(text2).toMatch(/(全年|本期)发生安全生产事故1起/);
  });
});
