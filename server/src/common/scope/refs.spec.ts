import sharp from 'sharp';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../../modules/jobs/job-queue';
import { named } from '../../testing/fields';

/**
 * Ids inside request bodies go through the same visibility rule as reading them by id (RefsService), and
 * timelines name only records the viewer may see (issue 13, findings 1 and 11).
 */
describe('ids in request bodies are scoped like reads by id', () => {
  let t: TestApp;
  let queue: JobQueue;
  beforeAll(async () => {
    t = await createTestApp();
    queue = t.app.get(JOB_QUEUE);
  });
  afterAll(async () => {
    await t.close();
  });

  let n = 0;
  const jpeg = () =>
    sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10 + (n++ % 200), g: 90, b: 40 } } })
      .jpeg()
      .toBuffer();
  const upload = async (who: string, purpose?: string): Promise<number> => {
    const req = t.http
      .post('/api/media')
      .set(await t.as(who))
      .attach('file', await jpeg(), { filename: 'p.jpg', contentType: 'image/jpeg' });
    if (purpose) req.field('purpose', purpose);
    const res = await req;
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const report = async (who: string, body: Record<string, unknown>) =>
    t.http
      .post('/api/hazards')
      .set(await t.as(who))
      .send({ category: 'fire', description: '村口电线私拉乱接，有火花', ...body });
  const count = async (sql: string, params: unknown[] = []) => Number(Object.values((await t.ds.query(sql, params))[0])[0]);
  const para = (text: string) => ({ type: 'p', text });

  /** A photo 张德明 (河口村, 石桥镇) attached to his report: what an officer of 白沙镇 must never reach. */
  let hazardPhoto: number;
  let hekouHazard: number;
  beforeAll(async () => {
    hazardPhoto = await upload('parent');
    const r = await report('parent', { orgId: t.seed.org.v_hekou.id, photoIds: [hazardPhoto], lat: 29.5631, lng: 106.5131 });
    expect(r.status).toBe(201);
    hekouHazard = r.body.id;
  });

  describe('publicity images', () => {
    it('an officer of another town cannot put a hazard photo in a new message; nothing is stored', async () => {
      const before = await count('SELECT COUNT(*) AS n FROM message');
      const res = await t.http
        .post('/api/messages')
        .set(await t.as('town2'))
        .send({
          title: '白沙镇防火',
          category: 'fire',
          audience: { orgIds: [t.seed.org.town2.id] },
          body: [para('注意用电'), { type: 'image', mediaId: hazardPhoto }],
        });
      expect(res.status).toBe(400);
      expect(named(res.body)).toEqual([expect.stringMatching(new RegExp(`^body\\.1\\.mediaId .*（编号 ${hazardPhoto}）`))]);
      expect(await count('SELECT COUNT(*) AS n FROM message')).toBe(before);
    });

    it('not even the town over the hazard may (a hazard photo is not a publicity image), nor use a colleague’s upload', async () => {
      const town = await t.as('town');
      const colleagues = await upload('village', 'message');
      for (const mediaId of [hazardPhoto, colleagues]) {
        const res = await t.http
          .post('/api/messages')
          .set(town)
          .send({ title: '石桥镇防火', category: 'fire', audience: { orgIds: [t.seed.org.town.id] }, body: [{ type: 'image', mediaId }] });
        expect(res.status).toBe(400);
        expect(named(res.body)[0]).toMatch(/^body\.0\.mediaId /);
      }
      // the officer's own publicity image is fine
      const own = await upload('town', 'message');
      const ok = await t.http
        .post('/api/messages')
        .set(town)
        .send({ title: '石桥镇防火', category: 'fire', audience: { orgIds: [t.seed.org.town.id] }, body: [{ type: 'image', mediaId: own }] });
      expect(ok.status).toBe(201);
      expect(ok.body.body[0].url).toContain(`/api/media/${own}?`);
    });

    it('nor by editing a draft; the draft is unchanged', async () => {
      const town2 = await t.as('town2');
      const draft = await t.http
        .post('/api/messages')
        .set(town2)
        .send({ title: '白沙镇防溺水', category: 'drowning', audience: { orgIds: [t.seed.org.town2.id] }, body: [para('看护好孩子')] });
      expect(draft.status).toBe(201);
      const res = await t.http
        .patch(`/api/messages/${draft.body.id}`)
        .set(town2)
        .send({ body: [para('看护好孩子'), { type: 'image', mediaId: hazardPhoto }] });
      expect(res.status).toBe(400);
      expect(named(res.body)).toEqual([expect.stringMatching(new RegExp(`^body\\.1\\.mediaId .*（编号 ${hazardPhoto}）`))]);
      const stored = await t.ds.query('SELECT body FROM message WHERE id = ?', [draft.body.id]);
      expect(JSON.stringify(stored[0].body)).not.toContain('image');
    });

    it('an image a draft already holds stays allowed when someone else in scope edits it', async () => {
      const own = await upload('town', 'message');
      const draft = await t.http
        .post('/api/messages')
        .set(await t.as('town'))
        .send({ title: '安全生产月', category: 'fire', audience: { orgIds: [t.seed.org.town.id] }, body: [{ type: 'image', mediaId: own }] });
      expect(draft.status).toBe(201);
      const edit = await t.http
        .patch(`/api/messages/${draft.body.id}`)
        .set(await t.as('admin'))
        .send({ body: [para('六月是安全生产月'), { type: 'image', mediaId: own }] });
      expect(edit.status).toBe(200);
      expect(edit.body.body[1].url).toContain(`/api/media/${own}?`);
    });

    it('a message that names a hazard photo (stored before the check) never hands out its signed URL', async () => {
      const town2 = await t.as('town2');
      const draft = await t.http
        .post('/api/messages')
        .set(town2)
        .send({ title: '白沙镇宣传', category: 'fire', audience: { orgIds: [t.seed.org.town2.id] }, body: [para('注意')] });
      expect(draft.status).toBe(201);
      await t.ds.query('UPDATE message SET body = ? WHERE id = ?', [JSON.stringify([para('注意'), { type: 'image', mediaId: hazardPhoto }]), draft.body.id]);
      const leaks = (b: unknown) => JSON.stringify(b).includes(`/api/media/${hazardPhoto}`);
      for (const path of [`/api/messages/${draft.body.id}`, `/api/messages/${draft.body.id}/preview`]) {
        const res = await t.http.get(path).set(town2);
        expect(res.status).toBe(200);
        expect(leaks(res.body)).toBe(false);
      }
      // published to 白沙镇's people: their feed carries no URL of it either
      expect((await t.http.post(`/api/messages/${draft.body.id}/publish`).set(town2).send({})).status).toBe(200);
      const resident = await t.login('refs-baisha-resident', 'resident', t.seed.org.v_baisha.id);
      const feed = await t.http.get('/api/feed').set(resident);
      expect(feed.body.items.map((i: { id: number }) => i.id)).toContain(draft.body.id);
      expect(leaks(feed.body)).toBe(false);
      const opened = await t.http.get(`/api/feed/${draft.body.id}`).set(resident);
      expect(opened.status).toBe(200);
      expect(leaks(opened.body)).toBe(false);
    });
  });

  describe('hazard photos', () => {
    it('a resident cannot attach another resident’s upload to their report; nothing is stored', async () => {
      const others = await upload('resident');
      const before = await count('SELECT COUNT(*) AS n FROM hazard WHERE reporterId = ?', [t.seed.user.parent.id]);
      const res = await report('parent', { orgId: t.seed.org.v_hekou.id, photoIds: [others] });
      expect(res.status).toBe(400);
      expect(named(res.body)).toEqual([expect.stringMatching(new RegExp(`^photoIds .*（编号 ${others}）`))]);
      expect(await count('SELECT COUNT(*) AS n FROM hazard WHERE reporterId = ?', [t.seed.user.parent.id])).toBe(before);
      const media = await t.ds.query('SELECT entityId FROM media WHERE id = ?', [others]);
      expect(media[0].entityId).toBeNull();
    });

    it('an image uploaded for something else (a publicity image) is not a hazard photo', async () => {
      const msgImage = await upload('village', 'message');
      const res = await report('village', { orgId: t.seed.org.v_liulin.id, photoIds: [msgImage] });
      expect(res.status).toBe(400);
      expect(named(res.body)[0]).toMatch(new RegExp(`^photoIds .*（编号 ${msgImage}）`));
      const media = await t.ds.query('SELECT entityId FROM media WHERE id = ?', [msgImage]);
      expect(media[0].entityId).toBeNull();
    });

    it('comments and after-photos take only the actor’s own unused uploads; the timeline is unchanged', async () => {
      const events = () => count('SELECT COUNT(*) AS n FROM hazard_event WHERE hazardId = ?', [hekouHazard]);
      const before = await events();
      const others = await upload('resident');
      const c = await t.http
        .post(`/api/hazards/${hekouHazard}/comment`)
        .set(await t.as('village2'))
        .send({ note: '已去现场', photoIds: [others] });
      expect(c.status).toBe(400);
      // already attached to the report: cannot be moved to a comment
      const again = await t.http
        .post(`/api/hazards/${hekouHazard}/comment`)
        .set(await t.as('parent'))
        .send({ note: '还是这样', photoIds: [hazardPhoto] });
      expect(again.status).toBe(400);
      expect(await events()).toBe(before);
    });
  });

  describe('linked hazards', () => {
    it('a duplicate’s original must be a hazard the officer can open; the hazard is unchanged', async () => {
      const mine = await report('resident', { orgId: t.seed.org.v_liulin.id, description: '柳林村路口电线垂落' });
      const res = await t.http
        .post(`/api/hazards/${mine.body.id}/reject`)
        .set(await t.as('village'))
        .send({ reason: '重复上报', duplicateOfId: hekouHazard });
      expect(res.status).toBe(400);
      expect(named(res.body)).toEqual([expect.stringMatching(new RegExp(`^duplicateOfId .*（编号 ${hekouHazard}）`))]);
      expect((await t.ds.query('SELECT status, duplicateOfId FROM hazard WHERE id = ?', [mine.body.id]))[0]).toMatchObject({
        status: 'reported',
        duplicateOfId: null,
      });
    });

    it('a field record links only hazards the officer can open; nothing is stored', async () => {
      const village = await t.as('village');
      const before = await count('SELECT COUNT(*) AS n FROM field_record');
      const res = await t.http
        .post('/api/inspections')
        .set(village)
        .send({ kind: 'routine', sector: 'fire', metrics: { inspectors: 2 }, hazardIds: [hekouHazard] });
      expect(res.status).toBe(400);
      expect(named(res.body)).toEqual([expect.stringMatching(new RegExp(`^hazardIds .*（编号 ${hekouHazard}）`))]);
      expect(await count('SELECT COUNT(*) AS n FROM field_record')).toBe(before);
      const ok = await t.http
        .post('/api/inspections')
        .set(village)
        .send({ kind: 'routine', sector: 'fire', metrics: { inspectors: 2 } });
      expect(ok.status).toBe(201);
      const edit = await t.http
        .patch(`/api/inspections/${ok.body.id}`)
        .set(village)
        .send({ hazardIds: [hekouHazard] });
      expect(edit.status).toBe(400);
      expect(await count('SELECT COUNT(*) AS n FROM field_record_hazard WHERE recordId = ?', [ok.body.id])).toBe(0);
    });
  });

  describe('the timeline names only hazards the viewer may open (finding 11)', () => {
    it('a probable-duplicate hint naming another village’s hazard is hidden from that village’s officers', async () => {
      const spot = { category: 'gas', lat: 29.5702, lng: 106.4903 };
      const liulin = await report('resident', { ...spot, orgId: t.seed.org.v_liulin.id, description: '柳林村燃气管道裸露' });
      expect(liulin.status).toBe(201);
      expect(await queue.idle(10_000)).toBe(true);
      const hekou = await report('parent', { ...spot, lat: spot.lat + 0.0002, orgId: t.seed.org.v_hekou.id, description: '河口村这边燃气管道裸露' });
      expect(hekou.status).toBe(201);
      expect(await queue.idle(10_000)).toBe(true);
      const hint = (d: { timeline: { action: string; note: string | null; data: unknown }[] }) => d.timeline.find((e) => e.action === 'duplicate');
      // the town over both villages sees the hint naming 柳林村's report
      const town = await t.http.get(`/api/hazards/${hekou.body.id}`).set(await t.as('town'));
      expect(hint(town.body)?.note).toContain(liulin.body.code);
      expect(hint(town.body)?.data).toMatchObject({ ids: [liulin.body.id], codes: [liulin.body.code] });
      // 河口村's officer may not open 柳林村's report: neither its code nor its id appears
      const village2 = await t.http.get(`/api/hazards/${hekou.body.id}`).set(await t.as('village2'));
      expect(village2.status).toBe(200);
      expect(hint(village2.body)).toBeUndefined();
      expect(JSON.stringify(village2.body.timeline)).not.toContain(liulin.body.code);
      // the reporter sees no other hazard's code at all
      const parent = await t.http.get(`/api/hazards/${hekou.body.id}`).set(await t.as('parent'));
      expect(JSON.stringify(parent.body)).not.toContain(liulin.body.code);
    });

    it('a resident whose report was rejected as a duplicate of a hazard they cannot open sees no id of it', async () => {
      const officerOwn = await report('village2', { orgId: t.seed.org.v_hekou.id, description: '河口村码头护栏松动' });
      const mine = await report('parent', { orgId: t.seed.org.v_hekou.id, description: '码头的护栏松了' });
      const r = await t.http
        .post(`/api/hazards/${mine.body.id}/reject`)
        .set(await t.as('village2'))
        .send({ reason: '已有人上报', duplicateOfId: officerOwn.body.id });
      expect(r.status).toBe(200);
      expect(r.body.duplicateOfId).toBe(officerOwn.body.id);
      const seen = await t.http.get(`/api/hazards/${mine.body.id}`).set(await t.as('parent'));
      expect(seen.status).toBe(200);
      expect(seen.body.duplicateOfId).toBeNull();
      expect(JSON.stringify(seen.body)).not.toContain(officerOwn.body.code);
    });
  });
});
