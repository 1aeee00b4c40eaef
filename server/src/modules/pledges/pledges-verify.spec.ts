import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { PledgeSignature } from './pledge.entities';
import { drawSignaturePng, pngDataUrl } from './signature-art';

/** verify re-reads every signature image from storage: altered or missing PNGs are reported by id and seq. */
describe(`pledge verify: images and stored fields (${TEST_DB})`, () => {
  let t: TestApp;
  let storage: ObjectStorage;
  let id: number;
  let rows: PledgeSignature[];

  beforeAll(async () => {
    t = await createTestApp();
    storage = t.app.get(OBJECT_STORAGE);
    const town = await t.as('town');
    const versionId = (await t.http.get('/api/pledge-templates').set(town)).body.find((x: any) => x.kind === 'drowning').latest.id;
    const c = await t.http
      .post('/api/pledge-campaigns')
      .set(await t.as('school'))
      .send({ templateVersionId: versionId, orgId: t.seed.org.s_primary.id, deadline: new Date(Date.now() + 5 * 86400_000).toISOString() });
    expect(c.status).toBe(201);
    id = c.body.id;
    const images = [
      { role: 'guardian', image: pngDataUrl(await drawSignaturePng(1)) },
      { role: 'student', image: pngDataUrl(await drawSignaturePng(2)) },
    ];
    for (let i = 0; i < 3; i++) {
      const fields = { studentName: `校验${i}`, className: '一年级一班', guardianName: '张德明', relation: '父亲', phone: `1390000010${i}` };
      const r = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as('parent'))
        .send({ fields, signatures: images });
      expect(r.status).toBe(201);
    }
    rows = await t.ds.getRepository(PledgeSignature).find({ where: { campaignId: id }, order: { seq: 'ASC' } });
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
  afterAll(() => t.close());

  const verify = async (query: Record<string, string> = {}) => {
    const res = await t.http
      .get(`/api/pledge-campaigns/${id}/verify`)
      .query(query)
      .set(await t.as('school'));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('an intact campaign verifies with every image re-hashed by default', async () => {
    expect(await verify()).toMatchObject({ ok: true, count: 3, firstBroken: null, problemCount: 0, images: { checked: 6, problems: [], unlisted: 0 } });
    expect(await verify({ images: 'false' })).toMatchObject({ ok: true, images: null, problemCount: 0 });
  });

  it('an image altered in storage and one deleted are both reported by signature id and seq; the chain itself still holds', async () => {
    const altered = rows[1].images.find((i) => i.role === 'guardian')!;
    const deleted = rows[2].images.find((i) => i.role === 'student')!;
    const original = await storage.get(altered.key);
    const deletedBytes = await storage.get(deleted.key);
    // a different, perfectly valid PNG put in place of the signed one
    await storage.put(altered.key, await drawSignaturePng(7), 'image/png');
    await storage.delete(deleted.key);

    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toBeNull();
    expect(v.problemCount).toBe(2);
    expect(v.images).toMatchObject({ checked: 6, unlisted: 0 });
    expect(v.images.problems).toEqual([
      { seq: 2, id: rows[1].id, role: 'guardian', kind: 'altered', reason: expect.stringMatching(/第 2 份签名.*监护人签名图片已被改动/) },
      { seq: 3, id: rows[2].id, role: 'student', kind: 'missing', reason: expect.stringMatching(/第 3 份签名.*学生签名图片缺失/) },
    ]);
    // the cheap mode does not read images, and says so (images: null) rather than claiming they are fine
    expect(await verify({ images: 'false' })).toMatchObject({ ok: true, images: null });

    await storage.put(altered.key, original, 'image/png');
    await storage.put(deleted.key, deletedBytes, 'image/png');
    expect(await verify()).toMatchObject({ ok: true, problemCount: 0 });
  });

  it('a stored field edited in the database breaks the chain at that signature, and images are still checked past the break', async () => {
    const victim = rows[0];
    await t.ds.query('UPDATE pledge_signature SET fields = ? WHERE id = ?', [JSON.stringify({ ...victim.fields, guardianName: '李四' }), victim.id]);
    const later = rows[2].images[0];
    const bytes = await storage.get(later.key);
    await storage.put(later.key, Buffer.concat([bytes, Buffer.from([0])]), 'image/png');

    const v = await verify();
    expect(v).toMatchObject({ ok: false, problemCount: 2, firstBroken: { seq: 1, id: victim.id } });
    expect(v.firstBroken.reason).toMatch(/内容已被改动/);
    expect(v.images.problems).toEqual([expect.objectContaining({ seq: 3, id: rows[2].id, kind: 'altered' })]);

    await t.ds.query('UPDATE pledge_signature SET fields = ? WHERE id = ?', [JSON.stringify(victim.fields), victim.id]);
    await storage.put(later.key, bytes, 'image/png');
    expect(await verify()).toMatchObject({ ok: true, problemCount: 0 });
  });
});
