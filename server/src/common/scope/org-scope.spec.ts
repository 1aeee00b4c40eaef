import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { ScopeService } from './scope.service';

/**
 * A unit named in a request is loaded and checked once, by `@OrgScope`, and handed to the handler (`@ScopedOrg()`):
 * the service does not look it up again. Unknown and outside units answer as before (404 / 403, the same words).
 */
describe(`@OrgScope resolves the unit once (${TEST_DB})`, () => {
  let t: TestApp;
  let scope: ScopeService;
  let town: Record<string, string>;
  let village2: Record<string, string>;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestApp();
    scope = t.app.get(ScopeService);
    town = await t.as('town');
    village2 = await t.as('village2');
  });
  afterAll(async () => t?.close());
  afterEach(() => jest.restoreAllMocks());

  /** How many times a request made ScopeService load units by id. */
  const loads = async (send: () => Promise<{ status: number; body: unknown }>, status: number) => {
    const one = jest.spyOn(scope, 'requireOrg');
    const many = jest.spyOn(scope, 'requireOrgs');
    const res = await send();
    expect({ status: res.status, body: res.status === status ? null : res.body }).toEqual({ status, body: null });
    const n = one.mock.calls.length + many.mock.calls.length;
    jest.restoreAllMocks();
    return n;
  };

  it('lists filtered by ?orgId= load the unit once', async () => {
    const v = t.seed.org.v_liulin.id;
    for (const path of ['/api/risk-sites', '/api/site-patrols', '/api/incidents', '/api/inspections', '/api/drills', '/api/stats/dashboard']) {
      expect([path, await loads(() => t.http.get(path).query({ orgId: v }).set(town), 200)]).toEqual([path, 1]);
    }
    expect(
      await loads(
        () =>
          t.http
            .get('/api/stats/summary')
            .query({ orgId: v, from: `${today.slice(0, 4)}-01-01`, to: today })
            .set(town),
        200,
      ),
    ).toBe(1);
  });

  it('writes naming a unit in the body load it once', async () => {
    const v = t.seed.org.v_liulin.id;
    expect(await loads(() => t.http.post('/api/risk-sites').set(town).send({ kind: 'pond', name: '柳林山塘', orgId: v }), 201)).toBe(1);
    expect(await loads(() => t.http.post('/api/incidents').set(town).send({ kind: 'fire', date: today, title: '柴房起火', orgId: v }), 201)).toBe(1);
  });

  it('the handler works on the unit it was given: a list under a village holds only that village', async () => {
    const v = t.seed.org.v_liulin;
    await t.http.post('/api/risk-sites').set(town).send({ kind: 'pond', name: '龙潭山塘', orgId: t.seed.org.v_longtan.id }).expect(201);
    const res = await t.http.get('/api/risk-sites').query({ orgId: v.id, pageSize: 100 }).set(town).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((s: { orgId: number }) => s.orgId === v.id)).toBe(true);
  });

  it('unknown and outside units answer as before', async () => {
    const unknown = await t.http.get('/api/risk-sites').query({ orgId: 999999 }).set(town);
    expect([unknown.status, unknown.body.message]).toEqual([404, '单位 999999 不存在']);
    const v = t.seed.org.v_liulin.id;
    const outside = await t.http.get('/api/incidents').query({ orgId: v }).set(village2);
    expect([outside.status, outside.body.message]).toEqual([403, `单位 ${v} 不在您的管辖范围内`]);
  });
});
