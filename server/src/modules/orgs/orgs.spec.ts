import { createTestApp, TestApp } from '../../testing/test-app';
import { named } from '../../testing/fields';

function flatten(tree: any[]): any[] {
  return tree.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}

describe('units, accounts and scope', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('health answers with the database kind', async () => {
    const res = await t.http.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', db: process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite', queue: 'in-process' });
  });

  it('refuses calls without a token, or with a forged one', async () => {
    expect((await t.http.get('/api/orgs')).status).toBe(401);
    const forged = await t.http.get('/api/orgs').set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.bad');
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('gives an officer the subtree of their unit and nothing else', async () => {
    const res = await t.http.get('/api/orgs').set(await t.as('village'));
    expect(res.status).toBe(200);
    const ids = flatten(res.body).map((o) => o.id);
    expect(ids).toContain(t.seed.org.v_liulin.id);
    expect(ids).toContain(t.seed.org.g_liulin_1.id);
    expect(ids).not.toContain(t.seed.org.v_hekou.id);
    expect(ids).not.toContain(t.seed.org.town.id);
  });

  it("answers 403 when a village officer asks for another village's unit", async () => {
    const res = await t.http.get(`/api/orgs/${t.seed.org.v_hekou.id}`).set(await t.as('village'));
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/管辖范围/);
    expect((await t.http.get('/api/orgs/999999').set(await t.as('village'))).status).toBe(404);
  });

  it('lets a resident see their own town to pick a village, but not the neighbouring town', async () => {
    const res = await t.http.get('/api/orgs').set(await t.as('resident'));
    const ids = flatten(res.body).map((o) => o.id);
    expect(ids).toContain(t.seed.org.v_hekou.id);
    expect(ids).not.toContain(t.seed.org.v_baisha.id);
  });

  it('keeps admin endpoints from residents and officers', async () => {
    const body = { parentId: t.seed.org.town.id, type: 'village', name: '新建村' };
    for (const who of ['resident', 'village', 'town', 'county']) {
      const res = await t.http
        .post('/api/orgs')
        .set(await t.as(who))
        .send(body);
      expect(res.status).toBe(403);
    }
    expect((await t.http.get('/api/users').set(await t.as('resident'))).status).toBe(403);
    expect(
      (
        await t.http
          .post('/api/users')
          .set(await t.as('town'))
          .send({ name: 'x', role: 'resident', orgId: t.seed.org.town.id })
      ).status,
    ).toBe(403);
  });

  it('lets an admin add a unit with the right path, and refuses a wrong kind of child', async () => {
    const admin = await t.as('admin');
    const res = await t.http.post('/api/orgs').set(admin).send({ parentId: t.seed.org.town.id, type: 'village', name: '新建村', population: 1200 });
    expect(res.status).toBe(201);
    expect(res.body.path).toBe(`${t.seed.org.town.path}${res.body.id}/`);
    const bad = await t.http.post('/api/orgs').set(admin).send({ parentId: t.seed.org.g_liulin_1.id, type: 'village', name: '网格下的村' });
    expect(bad.status).toBe(400);
    expect(named(bad.body).join()).toMatch(/type 单位类型：村不能放在网格下面/);
    const del = await t.http.delete(`/api/orgs/${t.seed.org.v_liulin.id}`).set(admin);
    expect(del.status).toBe(409);
  });

  it('names every bad field and refuses unknown ones, storing nothing', async () => {
    const admin = await t.as('admin');
    const before = (await t.http.get('/api/orgs').set(admin)).body;
    const res = await t.http.post('/api/orgs').set(admin).send({ parentId: 'x', type: 'planet', name: '', lat: 200, hacker: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    const msg: string[] = named(res.body);
    for (const field of ['parentId', 'type', 'name', 'lat', 'hacker']) expect(msg.some((m) => m.startsWith(field))).toBe(true);
    expect((await t.http.get('/api/orgs').set(admin)).body).toEqual(before);
    const badId = await t.http.get('/api/orgs/abc').set(admin);
    expect(badId.status).toBe(400);
    expect(named(badId.body)).toEqual(['id 编号须为正整数']);
  });

  it('lists users in scope with masked phones, and caps the page size at 100', async () => {
    const res = await t.http
      .get('/api/users')
      .query({ pageSize: 100 })
      .set(await t.as('village'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 100 });
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const u of res.body.items) {
      expect(u.phone === null || /^\d{3}\*{4}\d{4}$/.test(u.phone)).toBe(true);
    }
    const liulin = t.seed.org.v_liulin.path;
    const rows = await t.ds.query('SELECT orgPath FROM app_user WHERE id IN (' + res.body.items.map((u: any) => Number(u.id)).join(',') + ')');
    for (const r of rows) expect(String(r.orgPath).startsWith(liulin)).toBe(true);
    const tooBig = await t.http
      .get('/api/users')
      .query({ pageSize: 101 })
      .set(await t.as('village'));
    expect(tooBig.status).toBe(400);
    expect(named(tooBig.body).join()).toMatch(/pageSize 每页条数不能大于 100/);
  });

  it('lets a resident choose their village, but not an officer', async () => {
    const me = await t.login('new-villager');
    const res = await t.http.patch('/api/me').set(me).send({ orgId: t.seed.org.v_taoyuan.id, name: '新村民', phone: '13900000000' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orgId: t.seed.org.v_taoyuan.id, orgName: '桃园村', phone: '13900000000' });
    const officer = await t.http
      .patch('/api/me')
      .set(await t.as('grid'))
      .send({ orgId: t.seed.org.v_taoyuan.id });
    expect(officer.status).toBe(403);
    const badPhone = await t.http.patch('/api/me').set(me).send({ phone: '123' });
    expect(badPhone.status).toBe(400);
    expect(named(badPhone.body)[0]).toMatch(/^phone /);
  });

  it('admin can disable an account; its token stops working at once', async () => {
    const victim = await t.login('to-disable');
    const me = await t.http.get('/api/me').set(victim);
    const res = await t.http
      .patch(`/api/users/${me.body.id}`)
      .set(await t.as('admin'))
      .send({ disabled: true });
    expect(res.status).toBe(200);
    expect((await t.http.get('/api/me').set(victim)).status).toBe(401);
  });
});

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_WRITES_PER_MINUTE: '2' } });
  });
  afterAll(() => t.close());

  it('answers 429 in the error shape once a client passes its limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.http.get('/api/health')).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[6]).toBe(429);
    const res = await t.http.get('/api/health');
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});
