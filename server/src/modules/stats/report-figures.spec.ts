import { bytes, docxText } from '../../testing/download';
import { drawSignaturePng, pngDataUrl } from '../pledges/signature-art';
import { StatsService } from './stats.service';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';

/**
 * The figures the reports got wrong in realistic use, each against records made through the API with known
 * counts: 责任书 per distinct unit (paper and e-signature of the same unit once), 应急预案备案 per enterprise and
 * per plan, head-counts as snapshots (latest in or before the period, never summed, never vanishing), the period's
 * end and 平均每月, and one 月会商 definition for `/api/reports/monthly` and the Word brief.
 */
describe(`report figures that were wrong (${TEST_DB})`, () => {
  let t: TestApp;
  let town: Record<string, string>;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

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
  const post = (path: string, body: object, who = town) => ok(t.http.post(`/api/${path}`).set(who).send(body));
  const summary = (q: Record<string, unknown>, who = town) => ok(t.http.get('/api/stats/summary').query(q).set(who), 200);
  const fig = (s: any, key: string) => s.figures.find((f: any) => f.key === key)?.value;
  const getDocx = async (path: string, q: Record<string, unknown>) => {
    const res = await t.http.get(path).query(q).set(town).buffer(true).parse(bytes);
    expect(res.status).toBe(200);
    return { text: await docxText(res.body), res };
  };

  it('责任书: a unit that signs on paper and online, or twice, counts once', async () => {
    const o = t.seed.org;
    // Paper: 大强 (by id) and 华丰, then 大强 again by name on another letter; 柳林村 and 河口村 for fire/food.
    await post('activities', { date: today, kind: 'letter_production', units: [{ orgId: o.e_daqiang.id }, { orgId: o.e_textile.id }], metrics: { units: 2 } });
    await post('activities', { date: today, kind: 'letter_production', units: [{ name: '青山大强钢铁有限公司' }], metrics: { units: 1 } });
    await post('activities', { date: today, kind: 'letter_fire_food', units: [{ orgId: o.v_liulin.id }, { orgId: o.v_hekou.id }], metrics: { units: 2 } });
    // Online: 大强 e-signs the production letter, 柳林村 the fire/food letter, 鑫源 only online.
    const sig = [{ role: 'principal', image: pngDataUrl(await drawSignaturePng(3)) }];
    const templates = await ok(t.http.get('/api/pledge-templates').set(town), 200);
    const version = (kind: string) => templates.find((x: any) => x.kind === kind).latest.id;
    const deadline = new Date(Date.now() + 20 * 86400_000).toISOString();
    const prod = (await post('pledge-campaigns', { templateVersionId: version('production_responsibility'), orgId: o.town.id, deadline })).id;
    const fire = (await post('pledge-campaigns', { templateVersionId: version('fire_food_responsibility'), orgId: o.town.id, deadline })).id;
    await post(
      `pledge-campaigns/${prod}/signatures`,
      { fields: { unitName: '青山大强钢铁有限公司', principalName: '孙大强', phone: '13908231011' }, signatures: sig },
      await t.as('enterprise'),
    );
    await post(
      `pledge-campaigns/${prod}/signatures`,
      { fields: { unitName: '鑫源化工贸易有限公司', principalName: '赵某', phone: '13908231099' }, signatures: sig },
      await t.as('resident'),
    );
    await post(
      `pledge-campaigns/${fire}/signatures`,
      { fields: { unitName: '柳林村', principalName: '李春梅', phone: '13908231002' }, signatures: sig },
      await t.as('village'),
    );
    const s = await summary({ from: today, to: today });
    expect(fig(s, 'letters.production')).toBe(3); // 大强, 华丰, 鑫源
    expect(fig(s, 'letters.fireFood')).toBe(2); // 柳林村, 河口村
    const { text } = await getDocx('/api/stats/summary.docx', { from: today, to: today });
    expect(text).toContain('与全镇3家生产经营单位签订了《安全生产责任书》');
  });

  it('应急预案备案 counts enterprises and plans, not records', async () => {
    const o = t.seed.org;
    await post('activities', { date: '2025-03-02', kind: 'plan_filing', units: [{ orgId: o.e_daqiang.id }], metrics: { plans: 9 } });
    await post('activities', {
      date: '2025-05-02',
      kind: 'plan_filing',
      units: [{ orgId: o.e_chemical.id }, { orgId: o.e_textile.id }],
      metrics: { plans: 3 },
    });
    await post('activities', { date: '2025-09-02', kind: 'plan_filing', units: [{ orgId: o.e_daqiang.id }], metrics: { plans: 1 } });
    const s = await summary({ from: '2025-01-01', to: '2025-12-31' });
    expect(fig(s, 'plans.filed')).toBe(3);
    expect(fig(s, 'plans.count')).toBe(13);
  });

  it('head-counts are the latest value in or before the period, per unit — never summed, never gone', async () => {
    const o = t.seed.org;
    // Staff entered once, in November of the year before: still 15 and 7 all through 2025.
    await post('activities', { date: '2024-11-20', kind: 'staff', metrics: { certHolders: 15, safetyManagers: 7 } });
    // Twelve monthly traffic tallies; 两站两员 105 entered in March and April only, 柳林村 adds its own 20 in June.
    let violations = 0;
    for (let m = 1; m <= 12; m++) {
      const v = 300 + m;
      violations += v;
      await post('activities', {
        date: `2025-${String(m).padStart(2, '0')}-28`,
        kind: 'traffic',
        metrics: { violations: v, drunkDriving: 7, ...(m === 3 || m === 4 ? { persuaders: 105 } : {}) },
      });
    }
    await post('activities', { date: '2025-06-15', kind: 'traffic', orgId: o.v_liulin.id, metrics: { persuaders: 20 } });
    const year = await summary({ from: '2025-01-01', to: '2025-12-31' });
    expect(fig(year, 'traffic.persuaders')).toBe(125);
    expect(fig(year, 'staff.certHolders')).toBe(15);
    expect(fig(year, 'staff.safetyManagers')).toBe(7);
    expect(fig(year, 'traffic.violations')).toBe(violations);
    // A quarter with no head-count record of its own keeps the latest before it.
    const q3 = await summary({ from: '2025-07-01', to: '2025-09-30' });
    expect(fig(q3, 'traffic.persuaders')).toBe(125);
    expect(fig(q3, 'staff.certHolders')).toBe(15);
    expect(fig(q3, 'traffic.drunkDriving')).toBe(21);
    // Before 柳林村 entered its own: the town's 105 only.
    const q1 = await summary({ from: '2025-01-01', to: '2025-03-31' });
    expect(fig(q1, 'traffic.persuaders')).toBe(105);
    // The village sees its own only.
    const v = await summary({ from: '2025-01-01', to: '2025-12-31' }, await t.as('village'));
    expect(fig(v, 'traffic.persuaders')).toBe(20);
    // The report's 平均每月: 12 tallies over the 12 months of the year asked with `from` alone (the period ends with its year).
    const { text } = await getDocx('/api/stats/summary.docx', { from: '2025-01-01' });
    expect(text).toContain(`平均每月${Math.round(violations / 12)}起`);
    expect(text).toContain('两站两员125人');
    expect((await summary({ from: '2025-01-01' })).to).toBe('2025-12-31');
  });

  it('the default period: this year to today; in January, last year whole', () => {
    const stats = t.app.get(StatsService);
    expect(stats.period(undefined, undefined, new Date('2027-01-15T04:00:00Z'))).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(stats.period(undefined, undefined, new Date('2027-05-15T04:00:00Z'))).toEqual({ from: '2027-01-01', to: '2027-05-15' });
    expect(stats.period('2026-04-01', undefined, new Date('2027-05-15T04:00:00Z'))).toEqual({ from: '2026-04-01', to: '2026-12-31' });
  });

  it('月会商: the Word brief says what /api/reports/monthly says, and 正在办理 lists exactly what it counts', async () => {
    const month = today.slice(0, 7);
    const report = async (description: string, category = 'fire') =>
      ok(
        t.http
          .post('/api/hazards')
          .set(await t.as('resident'))
          .send({ category, description, lat: 29.583, lng: 106.487 }),
      );
    const act = async (who: string, id: number, action: string, body: object) =>
      ok(
        t.http
          .post(`/api/hazards/${id}/${action}`)
          .set(await t.as(who))
          .send(body),
        200,
      );
    const up = [];
    for (let i = 0; i < 5; i++) up.push(await report(`山体堡坎开裂第${i + 1}处`, 'geological'));
    for (const h of up) await act('village', h.id, 'escalate', { department: '青山县自然资源局', note: '需专业评估' });
    const work = await report('公路急弯处缺少防护栏', 'road_traffic');
    await act('town', work.id, 'assign', {
      responsibleOrgId: t.seed.org.v_liulin.id,
      deadline: new Date(Date.now() + 5 * 86400_000).toISOString(),
      note: '正在安装公路防护设施',
    });
    const r = await ok(t.http.get('/api/reports/monthly').query({ month }).set(town), 200);
    expect(r.escalated).toBe(5);
    expect(r.openItems).toHaveLength(r.inProgress);
    expect(r.openItems.some((o: any) => o.status === 'escalated')).toBe(false);
    const { text } = await getDocx('/api/stats/monthly-brief.docx', { month });
    expect(text).toContain(`共上报安全隐患${r.reported}件`);
    expect(text).toContain(`本月妥善处置（销号）${r.closed}件`);
    expect(text).toContain(`正在办理${r.inProgress}件`);
    expect(text).toContain(`上报县级行业部门${r.escalated}件`);
    expect(text).toContain('公路急弯处缺少防护栏，正在安装公路防护设施');
    expect(text).not.toMatch(/YH-\d{4}-\d+/);
  });

  it('three forms, each right for the unit and the period; zero sections left out; no ledger codes in prose', async () => {
    const q3 = await getDocx('/api/stats/summary.docx', { from: '2025-07-01', to: '2025-09-30' });
    expect(decodeURIComponent(String(q3.res.headers['content-disposition']))).toContain('石桥镇2025年第三季度安全生产和消防工作总结.docx');
    expect(q3.text).toContain('石桥镇2025年第三季度安全生产和消防工作总结');
    expect(q3.text).toContain('石桥镇党委、政府始终把');
    expect(q3.text).toContain('现就本季度的工作汇报如下');
    expect(q3.text).toContain('（一）以点带面，建强思想');
    expect(q3.text).not.toMatch(/(?<![0-9.])0(次|件|人|项|家)/); // nothing said of what did not happen, save 无…事故
    expect(q3.text).toMatch(/石桥镇2025年9月30日/);
    const village = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: '2025-01-01', to: '2025-12-31', form: 'annual' })
      .set(await t.as('village'))
      .buffer(true)
      .parse(bytes);
    const vt = await docxText(village.body);
    expect(vt).toContain('柳林村2025年度安全生产和消防工作总结');
    expect(vt).toContain('柳林村两委始终把');
    expect(vt).toContain('全村安全生产和消防形势');
    expect(vt).not.toContain('全镇');
    const county = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: '2025-01-01', to: '2025-12-31', orgId: t.seed.org.county.id })
      .set(await t.as('county'))
      .buffer(true)
      .parse(bytes);
    const ct = await docxText(county.body);
    expect(ct).toContain('全县安全生产和消防形势');
    expect(ct).toContain('县委、县政府始终把');
    const duty = await getDocx('/api/stats/summary.docx', { from: '2025-01-01', to: '2025-12-31', form: 'duty' });
    expect(duty.text).toContain('述职述廉报告（安全生产部分）');
    expect(duty.text).toContain('我紧紧围绕全镇工作大局');
    expect(duty.text).toContain('两站两员125人');
    // The officer downloading it is the one reporting: signed with the account's name, not a blank to fill.
    expect(duty.text).toContain('述职人：张建国');
    const camp = await getDocx('/api/stats/summary.docx', { from: '2023-01-01', to: '2025-12-31', form: 'campaign' });
    expect(camp.text).toContain('石桥镇安全生产专项整治三年行动工作总结（2023—2025年）');
    expect(camp.text).toContain('（一）道路交通安全整治');
    expect(camp.text).toContain('查获酒驾');
    const month = await getDocx('/api/stats/monthly-brief.docx', { month: today.slice(0, 7) });
    expect(month.text).not.toMatch(/YH-\d{4}-\d+/);
    // A second hazard with the same words and progress: 正在办理 names it once, not twice in a row.
    const twin = await ok(
      t.http
        .post('/api/hazards')
        .set(await t.as('resident'))
        .send({ category: 'road_traffic', description: '公路急弯处缺少防护栏', lat: 29.583, lng: 106.487 }),
    );
    await ok(
      t.http
        .post(`/api/hazards/${twin.id}/assign`)
        .set(town)
        .send({ responsibleOrgId: t.seed.org.v_liulin.id, deadline: new Date(Date.now() + 5 * 86400_000).toISOString(), note: '正在安装公路防护设施' }),
      200,
    );
    const year = await getDocx('/api/stats/summary.docx', { from: `${today.slice(0, 4)}-01-01`, to: today });
    expect(year.text).not.toMatch(/YH-\d{4}-\d+/);
    expect(year.text).toContain('公路急弯处缺少防护栏，正在安装公路防护设施');
    expect(year.text.split('公路急弯处缺少防护栏，正在安装公路防护设施').length - 1).toBe(1);
    expect((await t.http.get('/api/stats/summary.docx').query({ form: 'speech' }).set(town)).status).toBe(400);
  });
});
