import { Like } from 'typeorm';
import { bytes, docxText } from '../../testing/download';
import { FieldRecord } from '../fieldwork/field-record.entity';
import { rebuildHazardCounts } from '../hazards/hazard-counts.service';
import { Hazard } from '../hazards/hazard.entity';
import { useStats, YEAR } from './__tests__/stats.fixture';

/**
 * A year of field work recorded through the API with known counts (and hazards put straight into
 * the ledger table), then every summary figure checked against those counts, scope included.
 */
describe('field work and statistics', () => {
  const { t, f, post, fig } = useStats();
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
    await post('inspections', { date: `${YEAR}-05-05`, kind: 'routine', sector: 'drowning', metrics: { inspectors: 3 } }, f.village);
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

  it('the town summary agrees exactly with the records', async () => {
    const res = await t.http
      .get('/api/stats/summary')
      .query({ orgId: t.seed.org.town.id, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(f.town);
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
      .set(f.village);
    expect(res.status).toBe(200);
    expect(res.body.org.id).toBe(t.seed.org.v_liulin.id);
    expect(fig(res.body, 'inspections.records')).toBe(exp.liulin.inspections);
    expect(fig(res.body, 'inspections.inspectors')).toBe(exp.liulin.inspectors);
    expect(res.body.hazards.found).toBe(13);
    expect(fig(res.body, 'enforcement.simple')).toBe(0);
    const hekou = await t.http
      .get('/api/stats/summary')
      .query({ orgId: t.seed.org.v_hekou.id, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(f.town);
    expect(fig(hekou.body, 'inspections.inspectors')).toBe(exp.hekou.inspectors);
    expect(hekou.body.hazards.escalated).toBe(6);
    expect((await t.http.get('/api/stats/summary').query({ orgId: t.seed.org.town.id }).set(f.village)).status).toBe(403);
    expect((await t.http.get('/api/stats/summary.docx').query({ orgId: t.seed.org.v_hekou.id }).set(f.village)).status).toBe(403);
    expect((await t.http.get('/api/stats/summary').set(await t.as('resident'))).status).toBe(403);
    // The village's list never shows the neighbour's records; a neighbour's record answers 404.
    const list = await t.http.get('/api/inspections').query({ pageSize: 100 }).set(f.village);
    expect(list.body.total).toBe(exp.liulin.records);
    const other = await t.http.get('/api/inspections').query({ orgId: t.seed.org.v_hekou.id }).set(f.town);
    expect((await t.http.get(`/api/inspections/${other.body.items[0].id}`).set(f.village)).status).toBe(404);
  });

  it('writes the year-end report with the figures and no XX left', async () => {
    const res = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
      .set(f.town)
      .buffer(true)
      .parse(bytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/wordprocessingml/);
    const text = await docxText(res.body);
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
      .set(f.town)
      .buffer(true)
      .parse(bytes);
    const bx = await docxText(brief.body);
    // The brief reads the one 月会商 definition (/api/reports/monthly): reported in March (the rejected one too), closed in March.
    const mr = (
      await t.http
        .get('/api/reports/monthly')
        .query({ month: `${YEAR}-03` })
        .set(f.town)
    ).body;
    expect(mr).toMatchObject({ reported: 21, closed: 12, inProgress: 3 });
    expect(bx).toContain('共上报安全隐患21件');
    expect(bx).toContain('本月妥善处置（销号）12件');
    expect(bx).toContain('正在办理3件');
  });
});
