import { named } from '../../testing/fields';
import { PublicityService } from './publicity.service';
import { para, usePublicity } from './__tests__/publicity.fixture';

/** Composing a message: validation, the audience in scope, edits and withdrawal, preview, scheduled publishing, the calendar. */
describe('publicity: compose, feed, reach (API)', () => {
  const { t, f, draft, publish, feedIds } = usePublicity();

  it('validates the body blocks and names each bad field; never stores HTML', async () => {
    const res = await t.http
      .post('/api/messages')
      .set(f.town)
      .send({
        title: '',
        category: 'nope',
        audience: { orgIds: [] },
        body: [
          { type: 'script', text: '<b>x</b>' },
          { type: 'video', url: 'javascript:alert(1)' },
        ],
      });
    expect(res.status).toBe(400);
    expect(named(res.body)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title /),
        expect.stringMatching(/^category /),
        expect.stringMatching(/^audience\.orgIds /),
        expect.stringMatching(/^body\.0\.type /),
        expect.stringMatching(/^body\.1\.url /),
      ]),
    );
    const img = await t.http
      .post('/api/messages')
      .set(f.town)
      .send({ title: 't', category: 'fire', audience: { orgIds: [t.seed.org.town.id] }, body: [{ type: 'image', mediaId: 999999 }] });
    expect(img.status).toBe(400);
    expect(named(img.body)).toEqual([expect.stringMatching(/^body\.0\.mediaId .*（编号 999999）/)]);
  });

  it('refuses audience units outside the officer scope (403) and unknown ones (404)', async () => {
    const village = await t.as('village');
    const out = await t.http
      .post('/api/messages')
      .set(village)
      .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [t.seed.org.v_hekou.id] } });
    expect(out.status).toBe(403);
    const unknown = await t.http
      .post('/api/messages')
      .set(f.town)
      .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [987654] } });
    expect(unknown.status).toBe(404);
    expect(
      (
        await t.http
          .post('/api/messages')
          .set(await t.as('resident'))
          .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [t.seed.org.v_liulin.id] } })
      ).status,
    ).toBe(403);
  });

  it('a draft stored whose answer was lost: the retry with the same Idempotency-Key gets that draft, not a second', async () => {
    // the connection dies just after COMMIT (the faults spec's kind of failure): the draft is stored, the request fails,
    // and the interceptor frees its reservation, so the phone's retry runs the handler again
    const real = t.ds.transaction.bind(t.ds) as (...a: unknown[]) => Promise<unknown>;
    const spy = jest.spyOn(t.ds, 'transaction').mockImplementationOnce((async (...args: unknown[]) => {
      await real(...args);
      throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
    }) as never);
    const title = `草稿重试-${Date.now() % 100000}`;
    const post = (key: string) =>
      t.http
        .post('/api/messages')
        .set({ ...f.town, 'Idempotency-Key': key })
        .send({ title, category: 'fire', body: [para('冬季用火用电安全。')], audience: { orgIds: [t.seed.org.town.id] } });
    const drafts = async () => ((await t.ds.query('SELECT id FROM message WHERE title = ?', [title])) as { id: number }[]).map((r) => Number(r.id));
    const key = `draft-retry-${Date.now()}`;
    try {
      expect((await post(key)).status).toBeGreaterThanOrEqual(500);
    } finally {
      spy.mockRestore();
    }
    expect(await drafts()).toHaveLength(1);
    const retry = await post(key);
    expect(retry.status).toBe(201);
    expect(await drafts()).toEqual([retry.body.id]);
    // another key is another draft
    expect((await post(`${key}-2`)).status).toBe(201);
    expect(await drafts()).toHaveLength(2);
  });

  it('withdraw: gone from feeds, the record stays; only drafts can be edited', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '将被撤回' });
    const patched = await t.http.patch(`/api/messages/${m.id}`).set(f.town).send({ title: '将被撤回（改）' });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('将被撤回（改）');
    await publish(m.id);
    const edit = await t.http.patch(`/api/messages/${m.id}`).set(f.town).send({ title: 'x' });
    expect(edit.status).toBe(409);
    expect(edit.body.message).toMatch(/已发布/);
    expect(await feedIds('resident')).toContain(m.id);
    const w = await t.http.post(`/api/messages/${m.id}/withdraw`).set(f.town);
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    expect(await feedIds('resident')).not.toContain(m.id);
    expect((await t.http.post(`/api/messages/${m.id}/read`).set(await t.as('resident'))).status).toBe(404);
    expect((await t.http.get(`/api/messages/${m.id}`).set(f.town)).body.status).toBe('withdrawn');
    expect((await t.http.post(`/api/messages/${m.id}/withdraw`).set(f.town)).status).toBe(409);
    expect((await t.http.post(`/api/messages/${m.id}/publish`).set(f.town).send({})).status).toBe(409);
  });

  it('preview shows the message as a resident would, without a receipt', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '预览测试' });
    const p = await t.http.get(`/api/messages/${m.id}/preview`).set(f.town);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      title: '预览测试',
      inAudience: false,
      read: false,
      body: [
        { type: 'p', text: '暑期请看护好孩子。' },
        { type: 'p', text: '不私自下水游泳。', bold: true },
      ],
    });
  });

  it('scheduled publishing: not in feeds before, published exactly once when due, even by two callers', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '定时发布' });
    expect(
      (
        await t.http
          .post(`/api/messages/${m.id}/publish`)
          .set(f.town)
          .send({ scheduledAt: new Date(Date.now() - 1000).toISOString() })
      ).status,
    ).toBe(400);
    const at = new Date(Date.now() + 120_000);
    const s = await t.http.post(`/api/messages/${m.id}/publish`).set(f.town).send({ scheduledAt: at.toISOString() });
    expect(s.body).toMatchObject({ status: 'scheduled', scheduledAt: at.toISOString() });
    const svc = t.app.get(PublicityService);
    expect(await svc.publishDue(new Date())).toBe(0);
    expect(await feedIds('resident')).not.toContain(m.id);
    // two replicas' timers fire at the same moment: one publishes
    const won = await Promise.all([svc.publishDue(new Date(at.getTime() + 1000)), svc.publishDue(new Date(at.getTime() + 1000))]);
    expect(won.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await feedIds('resident')).toContain(m.id);
    expect((await t.http.get(`/api/messages/${m.id}`).set(f.town)).body.status).toBe('published');
  });

  it("campaign calendar: the year's presets with dates and templates", async () => {
    const c = (await t.http.get('/api/publicity/calendar?year=2026').set(f.town)).body;
    const names = c.presets.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['安全生产月', '5·12 防灾减灾日', '11·9 消防宣传日', '食品安全宣传周', '暑期防溺水']));
    expect(c.presets.find((p: any) => p.key === 'safety_month')).toMatchObject({
      from: '2026-06-01',
      to: '2026-06-30',
      ackRequired: true,
      category: 'safety_month',
    });
    expect(c.presets.find((p: any) => p.key === 'forest_fire_autumn').to).toBe('2027-04-30');
    expect(c.presets.every((p: any) => p.template.title && p.template.body.length > 0)).toBe(true);
  });
});
