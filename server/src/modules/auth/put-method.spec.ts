import { buildOpenApi } from '../../app.factory';
import { createTestApp, TestApp } from '../../testing/test-app';
import { named } from '../../testing/fields';

/**
 * `wx.request` has no PATCH (WeChat documents OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE, CONNECT), so every
 * PATCH route also answers PUT with the same handler, and the mini-program only ever sends PUT.
 */
describe('PUT does what PATCH does (the mini-program cannot send PATCH)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('every PATCH operation in the OpenAPI document has a PUT twin', () => {
    const { paths } = buildOpenApi(t.app);
    const patches = Object.keys(paths).filter((p) => paths[p].patch);
    expect(patches.length).toBeGreaterThanOrEqual(5);
    expect(patches.filter((p) => !paths[p].put)).toEqual([]);
  });

  it('the OpenAPI document gives every idempotent route one optional Idempotency-Key header, and no header as required', () => {
    const { paths } = buildOpenApi(t.app);
    const keyed: string[] = [];
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(paths))
      for (const [method, op] of Object.entries(ops as Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>)) {
        const headers = (op.parameters ?? []).filter((p) => p.in === 'header');
        if (headers.some((h) => h.required)) wrong.push(`${method} ${path}: a required header`);
        const keys = headers.filter((h) => h.name.toLowerCase() === 'idempotency-key');
        if (keys.length > 1) wrong.push(`${method} ${path}: Idempotency-Key ${keys.length} times`);
        if (keys.length) keyed.push(`${method} ${path}`);
      }
    expect(wrong).toEqual([]);
    // the phone's retried writes: reports, signatures, field work, patrols, and the officer's message steps
    expect(keyed).toEqual(
      expect.arrayContaining([
        'post /api/hazards',
        'post /api/pledge-campaigns/{id}/signatures',
        'post /api/drills',
        'post /api/risk-sites/{id}/patrols',
        'post /api/messages',
        'post /api/messages/{id}/publish',
        'post /api/messages/{id}/remind-units',
      ]),
    );
  });

  it('a new resident chooses their village with PUT /api/me', async () => {
    const me = await t.login('put-villager');
    const res = await t.http.put('/api/me').set(me).send({ orgId: t.seed.org.v_taoyuan.id, name: '新村民' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orgId: t.seed.org.v_taoyuan.id, orgName: '桃园村', name: '新村民' });
    expect((await t.http.get('/api/me').set(me)).body.orgId).toBe(t.seed.org.v_taoyuan.id);
    // same rules as PATCH: an officer cannot move themselves, bad input names the field and changes nothing
    expect(
      (
        await t.http
          .put('/api/me')
          .set(await t.as('grid'))
          .send({ orgId: t.seed.org.v_taoyuan.id })
      ).status,
    ).toBe(403);
    const bad = await t.http.put('/api/me').set(me).send({ phone: '123' });
    expect(bad.status).toBe(400);
    expect(named(bad.body)[0]).toMatch(/^phone /);
    expect((await t.http.get('/api/me').set(me)).body).toMatchObject({ orgId: t.seed.org.v_taoyuan.id, phone: null });
  });

  it('an officer edits a field-work record with PUT, keeping its history and scope', async () => {
    const town = await t.as('town');
    const created = await t.http
      .post('/api/drills')
      .set(town)
      .send({ date: '2026-07-01', kind: 'flood', metrics: { participants: 50 } });
    expect(created.status).toBe(201);
    const ed = await t.http
      .put(`/api/drills/${created.body.id}`)
      .set(town)
      .send({ metrics: { participants: 80 }, notes: '补录人数' });
    expect(ed.status).toBe(200);
    expect(ed.body).toMatchObject({ revisions: 1, metrics: { participants: 80 }, notes: '补录人数' });
    expect((await t.http.get(`/api/drills/${created.body.id}/revisions`).set(town)).body).toHaveLength(1);
    // a resident may not, and an officer of another town gets 404
    expect(
      (
        await t.http
          .put(`/api/drills/${created.body.id}`)
          .set(await t.as('resident'))
          .send({ notes: 'x' })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .put(`/api/drills/${created.body.id}`)
          .set(await t.as('town2'))
          .send({ notes: 'x' })
      ).status,
    ).toBe(404);
    expect((await t.http.get(`/api/drills/${created.body.id}`).set(town)).body.notes).toBe('补录人数');
  });

  it('an officer saves a draft message a second time with PUT', async () => {
    const town = await t.as('town');
    const body = [{ type: 'p', text: '暑期请看护好孩子。' }];
    const m = await t.http
      .post('/api/messages')
      .set(town)
      .send({ title: '防溺水提醒', category: 'drowning', body, audience: { orgIds: [t.seed.org.v_hekou.id] } });
    expect(m.status).toBe(201);
    const first = await t.http.put(`/api/messages/${m.body.id}`).set(town).send({ title: '防溺水提醒（改一）' });
    expect(first.status).toBe(200);
    const second = await t.http
      .put(`/api/messages/${m.body.id}`)
      .set(town)
      .send({ title: '防溺水提醒（改二）', body: [...body, { type: 'p', text: '不私自下水。' }] });
    expect(second.status).toBe(200);
    const saved = (await t.http.get(`/api/messages/${m.body.id}`).set(town)).body;
    expect(saved.title).toBe('防溺水提醒（改二）');
    expect(saved.body).toHaveLength(2);
  });
});
