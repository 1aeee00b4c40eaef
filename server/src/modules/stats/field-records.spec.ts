import { named } from '../../testing/fields';
import { rebuildHazardCounts } from '../hazards/hazard-counts.service';
import { Hazard } from '../hazards/hazard.entity';
import { useStats, YEAR } from './__tests__/stats.fixture';

/** Field records through the API: metrics checked per kind, edits kept with the statistics following, retries, findings into the ledger, the officer home's dashboard. */
describe('field work and statistics', () => {
  const { t, f, post, fig } = useStats();

  it('validates metrics per kind, naming the field', async () => {
    const bad = await t.http
      .post('/api/inspections')
      .set(f.town)
      .send({ kind: 'routine', sector: 'fire', metrics: { inspectors: 2, leaflets: 5 } });
    expect(bad.status).toBe(400);
    expect(named(bad.body)).toEqual(expect.arrayContaining([expect.stringContaining('metrics.leaflets')]));
    const missing = await t.http.post('/api/drills').set(f.town).send({ kind: 'fire', metrics: {} });
    expect(named(missing.body)).toEqual(['metrics.participants 请填写参演观摩人数（人）']);
    const frac = await t.http
      .post('/api/activities')
      .set(f.town)
      .send({ kind: 'publicity_event', metrics: { banners: 1.5 } });
    expect(named(frac.body)).toEqual(['metrics.banners 悬挂横幅须为整数']);
    const kind = await t.http.post('/api/activities').set(f.town).send({ kind: 'nope' });
    expect(kind.status).toBe(400);
    expect(named(kind.body)[0]).toMatch(/^kind 类型不是可选的值（可选：/);
    const noSector = await t.http.post('/api/enforcements').set(f.town).send({ kind: 'simple', metrics: {} });
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
          .set(f.village)
          .send({ kind: 'routine', sector: 'fire', orgId: t.seed.org.v_hekou.id, metrics: { inspectors: 1 } })
      ).status,
    ).toBe(403);
  });

  it('keeps the history of edits and the statistics follow the edit', async () => {
    const rec = await post('drills', { date: `${YEAR}-07-01`, kind: 'flood', metrics: { participants: 50 } });
    const ed = await t.http
      .patch(`/api/drills/${rec.id}`)
      .set(f.town)
      .send({ metrics: { participants: 80 }, notes: '补录人数' });
    expect(ed.status).toBe(200);
    expect(ed.body).toMatchObject({ revisions: 1, metrics: { participants: 80 }, notes: '补录人数' });
    const revs = await t.http.get(`/api/drills/${rec.id}/revisions`).set(f.town);
    expect(revs.body).toHaveLength(1);
    expect(revs.body[0].previous.metrics).toEqual({ participants: 50 });
    expect(revs.body[0].editedByName).toBe('张建国');
    const s = (
      await t.http
        .get('/api/stats/summary')
        .query({ from: `${YEAR}-07-01`, to: `${YEAR}-07-01` })
        .set(f.town)
    ).body;
    expect(fig(s, 'drills.participants')).toBe(80);
    const bad = await t.http
      .patch(`/api/drills/${rec.id}`)
      .set(f.town)
      .send({ metrics: { participants: -1 } });
    expect(named(bad.body)).toEqual(['metrics.participants 参演观摩人数不能小于 0']);
  });

  it('an Idempotency-Key retry makes no second record', async () => {
    const body = { date: `${YEAR}-08-08`, kind: 'plan_filing', units: [{ orgId: t.seed.org.e_chemical.id }], metrics: { plans: 1 } };
    const a = await t.http
      .post('/api/activities')
      .set({ ...f.town, 'Idempotency-Key': 'fw-retry-0001' })
      .send(body);
    const b = await t.http
      .post('/api/activities')
      .set({ ...f.town, 'Idempotency-Key': 'fw-retry-0001' })
      .send(body);
    expect(b.body.id).toBe(a.body.id);
    const s = (
      await t.http
        .get('/api/stats/summary')
        .query({ from: `${YEAR}-08-08`, to: `${YEAR}-08-08` })
        .set(f.town)
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
    const s = (await t.http.get('/api/stats/summary').set(f.town)).body;
    expect(s.hazards.fromFieldWork).toBeGreaterThanOrEqual(1);
  });

  it('the dashboard answers for the officer home', async () => {
    const res = await t.http.get('/api/stats/dashboard').set(f.town);
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
    const after = (await t.http.get('/api/stats/dashboard').set(f.town)).body;
    const last = after.trend[after.trend.length - 1];
    expect(after.thisMonth.closed).toBe(res.body.thisMonth.closed + 1);
    expect(after.thisMonth.found).toBe(res.body.thisMonth.found);
    expect(after.thisMonth.closed).toBe(last.closed);
    expect(after.thisMonth.found).toBe(last.found);
  });
});
