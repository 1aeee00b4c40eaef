import { named } from '../../testing/fields';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { useHazards } from './__tests__/hazards.fixture';

/** Reporting: the code and first event, validation, retries, concurrent submissions, duplicate hints. */
describe('hazards: report, ledger and the closed loop', () => {
  const { t, unit, report, act } = useHazards();
  it('files a report with a yearly code, the place and a first timeline event', async () => {
    const h = await report();
    expect(h.code).toMatch(new RegExp(`^YH-${new Date(Date.now() + 8 * 3600_000).getUTCFullYear()}-\\d{6}$`));
    expect(h.status).toBe('reported');
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('resident'));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ orgId: unit.liulin, isMine: true, status: 'reported', reporterName: '王桂英' });
    expect(d.body.timeline.map((e: { action: string }) => e.action)).toEqual(['report']);
    expect(d.body.actions).toEqual(['comment']);
  });

  it('validates the report naming each bad field', async () => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'volcano', description: '', contactPhone: '123', lat: 99 });
    expect(res.status).toBe(400);
    const msg = named(res.body).join('\n');
    for (const f of ['category', 'description', 'contactPhone', 'lat']) expect(msg).toContain(f);
  });

  it('a villager may put the report in another village, never in a town, an archived or an unknown unit', async () => {
    const resident = await t.as('resident');
    const send = (orgId: number) => t.http.post('/api/hazards').set(resident).send({ category: 'fire', description: '邻村路口柴堆', orgId });
    const other = await send(t.seed.org.v_shiqiao.id);
    expect(other.status).toBe(201);
    const [row] = await t.ds.query('SELECT orgId, orgPath FROM hazard WHERE id = ?', [other.body.id]);
    expect({ orgId: Number(row.orgId), orgPath: row.orgPath }).toEqual({ orgId: t.seed.org.v_shiqiao.id, orgPath: t.seed.org.v_shiqiao.path });
    const town = await send(t.seed.org.town.id);
    expect(town.status).toBe(400);
    expect(named(town.body)).toEqual([expect.stringMatching(/^orgId 所在单位须为村、社区、网格、学校或企业/)]);
    expect((await send(99_999_999)).status).toBe(400);
    const before = Number((await t.ds.query('SELECT COUNT(*) AS n FROM hazard'))[0].n);
    await t.ds.query('UPDATE org_unit SET archived = 1 WHERE id = ?', [t.seed.org.v_shiqiao.id]);
    try {
      const archived = await send(t.seed.org.v_shiqiao.id);
      expect(archived.status).toBe(400);
      expect(named(archived.body)).toEqual([expect.stringMatching(/^orgId 所在单位不存在或已撤销/)]);
    } finally {
      await t.ds.query('UPDATE org_unit SET archived = 0 WHERE id = ?', [t.seed.org.v_shiqiao.id]);
    }
    expect(Number((await t.ds.query('SELECT COUNT(*) AS n FROM hazard'))[0].n)).toBe(before);
  });

  it('a retried submission with the same Idempotency-Key creates one hazard', async () => {
    const key = 'retry-key-0001';
    const [a, b, c] = await Promise.all([report('resident', {}, key), report('resident', {}, key), report('resident', {}, key)]);
    expect(b.id).toBe(a.id);
    expect(c.code).toBe(a.code);
    const again = await report('resident', {}, key);
    expect(again.id).toBe(a.id);
    const rows = await t.ds.query('SELECT COUNT(*) AS n FROM hazard WHERE clientKey = ?', [key]);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('50 concurrent submissions all land with unique codes', async () => {
    const headers = await t.as('parent');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.http
          .post('/api/hazards')
          .set(headers)
          .set('Idempotency-Key', `conc-${i}-abcdef`)
          .send({ category: 'drowning', description: `第${i}号：河边无护栏` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = new Set(results.map((r) => r.body.code));
    expect(codes.size).toBe(50);
    const rows = await t.ds.query("SELECT COUNT(DISTINCT code) AS n FROM hazard WHERE category = 'drowning'");
    expect(Number(rows[0].n)).toBe(50);
  });

  it('links duplicates: rejects with the original, and offers nearby reports to officers', async () => {
    const first = await report('resident', { category: 'road_traffic', description: '柳林村口急弯无警示标志', lat: 29.5831, lng: 106.4871 });
    const second = await report('grid', { category: 'road_traffic', description: '村口弯道没有反光镜', lat: 29.5836, lng: 106.4875 });
    const far = await report('grid', { category: 'road_traffic', description: '远处', lat: 29.6, lng: 106.5 });
    // duplicate hints are written by the job that follows a report
    await t.app.get<JobQueue>(JOB_QUEUE).idle(10_000);
    const d = await t.http.get(`/api/hazards/${second.id}`).set(await t.as('village'));
    expect(d.body.probableDuplicates.map((x: { id: number }) => x.id)).toContain(first.id);
    expect(d.body.probableDuplicates.map((x: { id: number }) => x.id)).not.toContain(far.id);
    expect(d.body.timeline.find((e: { action: string }) => e.action === 'duplicate').data.codes).toContain(first.code);
    // the resident does not see the officers' duplicate hints
    const mine = await t.http.get(`/api/hazards/${first.id}`).set(await t.as('resident'));
    expect(mine.body.probableDuplicates).toEqual([]);
    const r = await act('village', second.id, 'reject', { reason: '与已上报隐患重复', duplicateOfId: first.id });
    expect(r.status).toBe(200);
    expect(r.body.duplicateOfId).toBe(first.id);
    expect((await act('village', far.id, 'reject', { reason: '重复', duplicateOfId: far.id })).status).toBe(400);
  });
});
