import { Hazard } from '../hazards/hazard.entity';
import { rebuildHazardCounts } from '../hazards/hazard-counts.service';
import { Like } from 'typeorm';
import { FieldRecord } from '../fieldwork/field-record.entity';
import { createTestApp, TestApp } from '../../testing/test-app';
import { named } from '../../testing/fields';

// jszip comes with exceljs (a docx is a zip); borrowed from there rather than added as a dependency.

const JSZip = require(require.resolve('jszip', { paths: [require.resolve('exceljs')] }));

/**
 * A year of field work recorded through the API with known counts (and hazards put straight into
 * the ledger table), then every summary figure checked against those counts, scope included.
 */
describe('field work and statistics', () => {
  let t: TestApp;
  let town: Record<string, string>;
  let village: Record<string, string>;
  const YEAR = '2025';
  // What we recorded, summed as we go.
  const exp = {
    town: {
      inspections: 0,
      inspectors: 0,
      vehicles: 0,
      units: 0,
      fireInspections: 0,
      fireIssues: 0,
      enforcements: 0,
      simple: { fireworks: 0, hazardous_chemicals: 0, industry_trade: 0 } as Record<string, number>,
      drills: 0,
      participants: 0,
      leaflets: 0,
      banners: 0,
      slogans: 0,
      talks: 0,
    },
    liulin: { inspections: 0, inspectors: 0, records: 0 },
    hekou: { inspections: 0, inspectors: 0 },
  };
  let rnd = 7;
  const next = (max: number) => ((rnd = (rnd * 1103515245 + 12345) % 2147483648), (rnd % max) + 1);

  beforeAll(async () => {
    t = await createTestApp();
    town = await t.as('town');
    village = await t.as('village');
  });
  afterAll(async () => t?.close());

  const post = async (path: string, body: object, who = town) => {
    const res = await t.http.post(`/api/${path}`).set(who).send(body);
    if (res.status !== 201) throw new Error(`${path} ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const day = (i: number) => `${YEAR}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;

  it('records a year of field work with known counts', async () => {
    const o = t.seed.org;
    for (let i = 0; i < 40; i++) {
      const sector = ['fire', 'industry_trade', 'fireworks', 'food_drug'][i % 4];
      const m = { inspectors: next(6), vehicles: next(3), units: next(5), issues: next(4) };
      const where = i % 5 === 0 ? o.v_liulin.id : i % 5 === 1 ? o.v_hekou.id : o.town.id;
      await post('inspections', {
        date: day(i),
        kind: i % 3 ? 'routine' : 'special',
        sector,
        campaign: i % 3 ? undefined : '重大事故隐患专项整治行动',
        orgId: where,
        metrics: m,
        units: [{ orgId: o.e_daqiang.id }, { name: '路边小卖部' }],
      });
      exp.town.inspections++;
      exp.town.inspectors += m.inspectors;
      exp.town.vehicles += m.vehicles;
      exp.town.units += m.units;
      if (sector === 'fire') {
        exp.town.fireInspections++;
        exp.town.fireIssues += m.issues;
      }
      if (where === o.v_liulin.id) {
        exp.liulin.inspections++;
        exp.liulin.inspectors += m.inspectors;
        exp.liulin.records++;
      }
      if (where === o.v_hekou.id) {
        exp.hekou.inspections++;
        exp.hekou.inspectors += m.inspectors;
      }
    }
    const simple = [...Array(6).fill('fireworks'), 'hazardous_chemicals', ...Array(5).fill('industry_trade')];
    for (const [i, sector] of simple.entries()) {
      await post('enforcements', { date: day(i), kind: 'simple', sector, party: `当事人${i}`, metrics: { amount: 200, hazards: 2, rectified: 2 } });
      exp.town.simple[sector]++;
      exp.town.enforcements++;
    }
    for (let i = 0; i < 48; i++) {
      await post('enforcements', { date: day(i + 3), kind: 'check', sector: 'fire', metrics: {} });
      exp.town.enforcements++;
    }
    await post('drills', {
      date: `${YEAR}-04-20`,
      kind: 'joint',
      title: '镇村联合应急演练',
      tags: ['防洪度汛演练', '森林防灭火演练', '地质灾害演练'],
      metrics: { participants: 300 },
    });
    await post('drills', { date: `${YEAR}-06-10`, kind: 'fire', orgId: o.s_middle.id, metrics: { participants: 120 } });
    exp.town.drills = 2;
    exp.town.participants = 420;
    for (let i = 0; i < 5; i++) {
      const m = { leaflets: 3000, banners: 22, slogans: 120 };
      await post('activities', { date: day(i + 4), kind: 'publicity_event', title: '安全生产月宣传', metrics: m });
      exp.town.leaflets += m.leaflets;
      exp.town.banners += m.banners;
      exp.town.slogans += m.slogans;
    }
    for (let i = 0; i < 16; i++) await post('activities', { date: day(i), kind: 'school_talk', orgId: o.s_primary.id, metrics: { attendees: 200 } });
    exp.town.talks = 16;
    // Head-counts: the latest record counts, not the sum.
    await post('activities', { date: `${YEAR}-02-01`, kind: 'staff', metrics: { certHolders: 12, safetyManagers: 5 } });
    await post('activities', { date: `${YEAR}-09-01`, kind: 'staff', metrics: { certHolders: 15, safetyManagers: 7 } });
    // A village officer records in the village.
    await post('inspections', { date: `${YEAR}-05-05`, kind: 'routine', sector: 'drowning', metrics: { inspectors: 3 } }, village);
    exp.town.inspections++;
    exp.town.inspectors += 3;
    exp.liulin.inspections++;
    exp.liulin.inspectors += 3;
    exp.liulin.records++;
    // every post above made exactly one record (publicity 5 + staff 2 are not in exp.town)
    expect(await t.ds.getRepository(FieldRecord).count()).toBe(exp.town.inspections + exp.town.enforcements + exp.town.drills + 5 + exp.town.talks + 2);
  });

  it('puts known hazards into the ledger', async () => {
    const repo = t.ds.getRepository(Hazard);
    const o = t.seed.org;
    const rows: Partial<Hazard>[] = [];
    const mk = (i: number, org: typeof o.town, status: string, category: string, extra: Partial<Hazard> = {}) =>
      rows.push({
        code: `YH-${YEAR}-9${String(i).padStart(5, '0')}`,
        category: category as any,
        level: 'general',
        status: status as any,
        description: '测试隐患',
        orgId: org.id,
        orgPath: org.path,
        reporterId: t.seed.user.town.id,
        createdAt: new Date(`${YEAR}-03-10T02:00:00Z`),
        closedAt: status === 'closed' ? new Date(`${YEAR}-03-14T02:00:00Z`) : null,
        ...extra,
      });
    let i = 0;
    for (let k = 0; k < 10; k++) mk(i++, o.v_liulin, 'closed', 'fire');
    for (let k = 0; k < 3; k++) mk(i++, o.v_liulin, 'rectifying', 'road_traffic');
    for (let k = 0; k < 6; k++) mk(i++, o.v_hekou, 'escalated', 'geological', { escalatedTo: '县水利局' });
    mk(i++, o.v_hekou, 'rejected', 'other');
    mk(i++, o.town, 'closed', 'fireworks', { level: 'major' });
    mk(i++, o.v_liulin, 'closed', 'fire', { createdAt: new Date(`2024-12-31T15:00:00Z`) }); // 2024-12-31 23:00 in China: last year
    await repo.save(rows.map((r) => repo.create(r)));
    // Written behind the service's back, as a seeder does: the counts and the statistics' rollup follow by a rebuild.
    await rebuildHazardCounts(t.ds);
    expect(await repo.count({ where: { code: Like(`YH-${YEAR}-9%`) } })).toBe(rows.length);
  });

  const fig = (s: any, key: string) => s.figures.find((f: any) => f.key === key)?.value;

  it('the town summary agrees exactly with the records', async () => {
    const res = await t.http
      .get('/api/stats/summary')
      .query({ orgId: t.seed.org.town.id, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(town);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(fig(s, 'inspections.records')).toBe(exp.town.inspections);
    expect(fig(s, 'inspections.inspectors')).toBe(exp.town.inspectors);
    expect(fig(s, 'inspections.vehicles')).toBe(exp.town.vehicles);
    expect(fig(s, 'inspections.units')).toBe(exp.town.units);
    expect(fig(s, 'fire.inspections')).toBe(exp.town.fireInspections);
    expect(fig(s, 'fire.issues')).toBe(exp.town.fireIssues);
    expect(fig(s, 'enforcement.records')).toBe(60);
    expect(fig(s, 'enforcement.simple')).toBe(12);
    expect(fig(s, 'enforcement.amount')).toBe(2400);
    expect(fig(s, 'enforcement.hazards')).toBe(24);
    const pen = Object.fromEntries(s.fieldwork.bySector.filter((x: any) => x.penalties).map((x: any) => [x.sector, x.penalties]));
    expect(pen).toEqual({ fireworks: 6, hazardous_chemicals: 1, industry_trade: 5 });
    expect(fig(s, 'drills.records')).toBe(2);
    expect(fig(s, 'drills.participants')).toBe(420);
    expect(fig(s, 'publicity.leaflets')).toBe(exp.town.leaflets);
    expect(fig(s, 'publicity.banners')).toBe(exp.town.banners);
    expect(fig(s, 'publicity.slogans')).toBe(exp.town.slogans);
    expect(fig(s, 'schoolTalks')).toBe(16);
    expect(fig(s, 'staff.certHolders')).toBe(15);
    expect(fig(s, 'staff.safetyManagers')).toBe(7);
    expect(s.fieldwork.campaigns.map((c: any) => c.name)).toEqual(['重大事故隐患专项整治行动']);
    expect(s.fieldwork.drills[0]).toMatchObject({ date: `${YEAR}-04-20`, participants: 300, tags: ['防洪度汛演练', '森林防灭火演练', '地质灾害演练'] });
    // ledger: 10+3+6+1 (+1 rejected, +1 last year excluded)
    expect(s.hazards).toMatchObject({ found: 20, closed: 11, rectified: 11, inProgress: 3, escalated: 6, rejected: 1, major: 1, avgDaysToClose: 4 });
    expect(s.hazards.rectificationRate).toBeCloseTo(11 / 20, 4);
    const liulin = s.children.find((c: any) => c.orgId === t.seed.org.v_liulin.id);
    expect(liulin).toMatchObject({ hazardsFound: 13, hazardsRectified: 10, inspections: exp.liulin.inspections });
    expect(s.org.population).toBe(53800);
  });

  it("a village's summary counts only its own subtree; it cannot ask for the town", async () => {
    const res = await t.http
      .get('/api/stats/summary')
      .query({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(village);
    expect(res.status).toBe(200);
    expect(res.body.org.id).toBe(t.seed.org.v_liulin.id);
    expect(fig(res.body, 'inspections.records')).toBe(exp.liulin.inspections);
    expect(fig(res.body, 'inspections.inspectors')).toBe(exp.liulin.inspectors);
    expect(res.body.hazards.found).toBe(13);
    expect(fig(res.body, 'enforcement.simple')).toBe(0);
    const hekou = await t.http
      .get('/api/stats/summary')
      .query({ orgId: t.seed.org.v_hekou.id, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(town);
    expect(fig(hekou.body, 'inspections.inspectors')).toBe(exp.hekou.inspectors);
    expect(hekou.body.hazards.escalated).toBe(6);
    expect((await t.http.get('/api/stats/summary').query({ orgId: t.seed.org.town.id }).set(village)).status).toBe(403);
    expect((await t.http.get('/api/stats/summary.docx').query({ orgId: t.seed.org.v_hekou.id }).set(village)).status).toBe(403);
    expect((await t.http.get('/api/stats/summary').set(await t.as('resident'))).status).toBe(403);
    // The village's list never shows the neighbour's records; a neighbour's record answers 404.
    const list = await t.http.get('/api/inspections').query({ pageSize: 100 }).set(village);
    expect(list.body.total).toBe(exp.liulin.records);
    const other = await t.http.get('/api/inspections').query({ orgId: t.seed.org.v_hekou.id }).set(town);
    expect((await t.http.get(`/api/inspections/${other.body.items[0].id}`).set(village)).status).toBe(404);
  });

  it('validates metrics per kind, naming the field', async () => {
    const bad = await t.http
      .post('/api/inspections')
      .set(town)
      .send({ kind: 'routine', sector: 'fire', metrics: { inspectors: 2, leaflets: 5 } });
    expect(bad.status).toBe(400);
    expect(named(bad.body)).toEqual(expect.arrayContaining([expect.stringContaining('metrics.leaflets')]));
    const missing = await t.http.post('/api/drills').set(town).send({ kind: 'fire', metrics: {} });
    expect(named(missing.body)).toEqual(['metrics.participants 请填写参演观摩人数（人）']);
    const frac = await t.http
      .post('/api/activities')
      .set(town)
      .send({ kind: 'publicity_event', metrics: { banners: 1.5 } });
    expect(named(frac.body)).toEqual(['metrics.banners 悬挂横幅须为整数']);
    const kind = await t.http.post('/api/activities').set(town).send({ kind: 'nope' });
    expect(kind.status).toBe(400);
    expect(named(kind.body)[0]).toMatch(/^kind 类型不是可选的值（可选：/);
    const noSector = await t.http.post('/api/enforcements').set(town).send({ kind: 'simple', metrics: {} });
    expect(named(noSector.body)).toEqual(['sector 简易程序当场处罚须选择行业领域']);
    expect(
      (
        await t.http
          .post('/api/inspections')
          .set(await t.as('resident'))
          .send({ kind: 'routine', sector: 'fire', metrics: { inspectors: 1 } })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .post('/api/inspections')
          .set(village)
          .send({ kind: 'routine', sector: 'fire', orgId: t.seed.org.v_hekou.id, metrics: { inspectors: 1 } })
      ).status,
    ).toBe(403);
  });

  it('keeps the history of edits and the statistics follow the edit', async () => {
    const rec = await post('drills', { date: `${YEAR}-07-01`, kind: 'flood', metrics: { participants: 50 } });
    const ed = await t.http
      .patch(`/api/drills/${rec.id}`)
      .set(town)
      .send({ metrics: { participants: 80 }, notes: '补录人数' });
    expect(ed.status).toBe(200);
    expect(ed.body).toMatchObject({ revisions: 1, metrics: { participants: 80 }, notes: '补录人数' });
    const revs = await t.http.get(`/api/drills/${rec.id}/revisions`).set(town);
    expect(revs.body).toHaveLength(1);
    expect(revs.body[0].previous.metrics).toEqual({ participants: 50 });
    expect(revs.body[0].editedByName).toBe('张建国');
    const s = (
      await t.http
        .get('/api/stats/summary')
        .query({ from: `${YEAR}-07-01`, to: `${YEAR}-07-01` })
        .set(town)
    ).body;
    expect(fig(s, 'drills.participants')).toBe(80);
    const bad = await t.http
      .patch(`/api/drills/${rec.id}`)
      .set(town)
      .send({ metrics: { participants: -1 } });
    expect(named(bad.body)).toEqual(['metrics.participants 参演观摩人数不能小于 0']);
  });

  it('an Idempotency-Key retry makes no second record', async () => {
    const body = { date: `${YEAR}-08-08`, kind: 'plan_filing', units: [{ orgId: t.seed.org.e_chemical.id }], metrics: { plans: 1 } };
    const a = await t.http
      .post('/api/activities')
      .set({ ...town, 'Idempotency-Key': 'fw-retry-0001' })
      .send(body);
    const b = await t.http
      .post('/api/activities')
      .set({ ...town, 'Idempotency-Key': 'fw-retry-0001' })
      .send(body);
    expect(b.body.id).toBe(a.body.id);
    const s = (
      await t.http
        .get('/api/stats/summary')
        .query({ from: `${YEAR}-08-08`, to: `${YEAR}-08-08` })
        .set(town)
    ).body;
    expect(fig(s, 'plans.filed')).toBe(1);
  });

  it('inspection findings become ledger hazards linked to the record', async () => {
    const rec = await post('inspections', {
      kind: 'routine',
      sector: 'gas',
      metrics: { inspectors: 2 },
      findings: [{ category: 'gas', description: '液化气钢瓶存放在厨房灶台旁' }],
    });
    expect(rec.hazardIds).toHaveLength(1);
    const h = await t.ds.getRepository(Hazard).findOneByOrFail({ id: rec.hazardIds[0] });
    expect(h.category).toBe('gas');
    const s = (await t.http.get('/api/stats/summary').set(town)).body;
    expect(s.hazards.fromFieldWork).toBeGreaterThanOrEqual(1);
  });

  it('writes the year-end report with the figures and no XX left', async () => {
    const res = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(town)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/wordprocessingml/);
    const xml = await (await JSZip.loadAsync(res.body as Buffer)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain(`石桥镇${YEAR}年度安全生产和消防工作总结`);
    expect(text).toContain(`出动检查人员${exp.town.inspectors}人次`);
    expect(text).toContain(`检查生产经营单位${exp.town.units}家次`);
    expect(text).toContain('简易程序当场处罚12件，其中烟花爆竹6件；工贸企业5件；危险化学品1件');
    expect(text).toContain(`消防检查${exp.town.fireInspections}次，交办整改问题${exp.town.fireIssues}个`);
    expect(text).toContain(`悬挂横幅${exp.town.banners}幅`);
    expect(text).toContain('讲座16次');
    expect(text).toContain('4月20日');
    expect(text).toContain('现持有执法证15人');
    expect(text).toContain('妥善处置安全隐患11件，正在办理3件');
    expect(text).toContain('上报县级行业部门6件');
    expect(text).toContain('二、存在的主要问题');
    expect(text).toContain('【请填写】');
    expect(text).not.toMatch(/X{2,}|undefined|NaN|null/);
    const brief = await t.http
      .get('/api/stats/monthly-brief.docx')
      .query({ month: `${YEAR}-03` })
      .set(town)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const bx = (await (await JSZip.loadAsync(brief.body as Buffer)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    // The brief reads the one 月会商 definition (/api/reports/monthly): reported in March (the rejected one too), closed in March.
    const mr = (
      await t.http
        .get('/api/reports/monthly')
        .query({ month: `${YEAR}-03` })
        .set(town)
    ).body;
    expect(mr).toMatchObject({ reported: 21, closed: 12, inProgress: 3 });
    expect(bx).toContain('共上报安全隐患21件');
    expect(bx).toContain('本月妥善处置（销号）12件');
    expect(bx).toContain('正在办理3件');
  });

  it('the dashboard answers for the officer home', async () => {
    const res = await t.http.get('/api/stats/dashboard').set(town);
    expect(res.status).toBe(200);
    expect(res.body.trend.length).toBeGreaterThanOrEqual(1);
    expect(res.body.org.name).toBe('石桥镇');
    // A hazard found last month and closed now counts in this month's 销号, not in its 上报;
    // the month's tile and the trend's last bar are the same figure.
    const repo = t.ds.getRepository(Hazard);
    const now = Date.now();
    await repo.save(
      repo.create({
        code: 'YH-DASH-000001',
        category: 'fire' as any,
        level: 'general',
        status: 'closed' as any,
        description: '上月发现本月销号',
        orgId: t.seed.org.v_liulin.id,
        orgPath: t.seed.org.v_liulin.path,
        reporterId: t.seed.user.town.id,
        createdAt: new Date(now - 40 * 86400_000),
        closedAt: new Date(now - 60_000),
      }),
    );
    await rebuildHazardCounts(t.ds);
    const after = (await t.http.get('/api/stats/dashboard').set(town)).body;
    const last = after.trend[after.trend.length - 1];
    expect(after.thisMonth.closed).toBe(res.body.thisMonth.closed + 1);
    expect(after.thisMonth.found).toBe(res.body.thisMonth.found);
    expect(after.thisMonth.closed).toBe(last.closed);
    expect(after.thisMonth.found).toBe(last.found);
  });
});
