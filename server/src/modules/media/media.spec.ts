import { bytes } from '../../testing/download';
import sharp from 'sharp';
import { createTestApp, TestApp } from '../../testing/test-app';
import { named } from '../../testing/fields';

/** A small JPEG carrying GPS and camera EXIF, as a phone would send it. */
async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#7a9' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestPhone', Model: 'X1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '29/1 34/1 12/1', GPSLongitudeRef: 'E', GPSLongitude: '106/1 29/1 50/1' },
    })
    .toBuffer();
}

describe('media upload and access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = async (who: string, buf: Buffer, name = 'photo.jpg', purpose?: string) => {
    const req = t.http
      .post('/api/media')
      .set(await t.as(who))
      .attach('file', buf, { filename: name, contentType: 'image/jpeg' });
    if (purpose) req.field('purpose', purpose);
    return req;
  };

  it('strips EXIF/GPS, re-encodes and makes a thumbnail', async () => {
    const original = await jpegWithGps();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const res = await upload('resident', original);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), url: expect.stringContaining(`/api/media/${res.body.id}?`), width: 640, height: 480 });
    const stored = await t.http.get(res.body.url).buffer(true).parse(bytes);
    expect(stored.status).toBe(200);
    expect(stored.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(stored.body as Buffer).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect((stored.body as Buffer).includes(Buffer.from('TestPhone'))).toBe(false);
    const thumb = await t.http.get(res.body.thumbUrl).buffer(true).parse(bytes);
    const tm = await sharp(thumb.body as Buffer).metadata();
    expect(Math.max(tm.width!, tm.height!)).toBe(360);
    const row = await t.ds.query('SELECT sha256, size, secStatus FROM media WHERE id = ?', [res.body.id]);
    expect(row[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row[0].secStatus).toBe('pass');
  });

  it('answers 413 for a 20 MB upload', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0xff);
    big[0] = 0xff;
    big[1] = 0xd8;
    big[2] = 0xff;
    const res = await upload('resident', big);
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/10 MB/);
  });

  it('answers 415 for a PDF renamed .jpg, and for text', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const res = await upload('resident', pdf, 'scan.jpg');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    expect((await upload('resident', Buffer.from('hello'), 'a.png')).status).toBe(415);
  });

  it('refuses decompression bombs by pixel count before decoding', async () => {
    const bomb = await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#fff' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const res = await upload('resident', bomb, 'big.png');
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/像素/);
  });

  it('accepts PNG (stored as JPEG) and WebP (stored as WebP)', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const r1 = await upload('resident', png, 'x.png');
    expect(r1.status).toBe(201);
    const webp = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#0f0' } })
      .webp()
      .toBuffer();
    const r2 = await upload('resident', webp, 'x.webp');
    expect(r2.status).toBe(201);
    const rows = await t.ds.query('SELECT id, mime FROM media WHERE id IN (?, ?) ORDER BY id', [r1.body.id, r2.body.id]);
    expect(rows.map((r: { mime: string }) => r.mime)).toEqual(['image/jpeg', 'image/webp']);
  });

  it('needs a file, and lets only officers upload publicity images', async () => {
    const none = await t.http
      .post('/api/media')
      .set(await t.as('resident'))
      .field('purpose', 'hazard');
    expect(none.status).toBe(400);
    const jpg = await jpegWithGps();
    expect((await upload('resident', jpg, 'a.jpg', 'message')).status).toBe(403);
    expect((await upload('town', jpg, 'a.jpg', 'message')).status).toBe(201);
    expect((await upload('resident', jpg, 'a.jpg', 'poster')).status).toBe(400);
    expect((await t.http.post('/api/media').attach('file', jpg, 'a.jpg')).status).toBe(401);
  });

  it('serves hazard photos only to the uploader and officers who may see the hazard', async () => {
    const up = await upload('resident', await jpegWithGps());
    const id = up.body.id;
    // before attachment: only the owner
    expect((await t.http.get(`/api/media/${id}`).set(await t.as('resident'))).status).toBe(200);
    expect((await t.http.get(`/api/media/${id}`).set(await t.as('village'))).status).toBe(404);
    const hz = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'fire', description: '仓库门口堆放柴草，电线私拉乱接', photoIds: [id] });
    expect(hz.status).toBe(201);
    expect((await t.http.get(`/api/media/${id}`).set(await t.as('village'))).status).toBe(200); // 柳林村 officer
    expect((await t.http.get(`/api/media/${id}/thumb`).set(await t.as('town'))).status).toBe(200);
    expect((await t.http.get(`/api/media/${id}`).set(await t.as('village2'))).status).toBe(404); // 河口村
    expect((await t.http.get(`/api/media/${id}`).set(await t.as('parent'))).status).toBe(404); // another resident
    expect((await t.http.get(`/api/media/${id}`)).status).toBe(404); // no token, no signature
    // the signed URL handed out on the detail works without a header; a forged one does not
    const detail = await t.http.get(`/api/hazards/${hz.body.id}`).set(await t.as('village'));
    const url: string = detail.body.photos[0].url;
    expect((await t.http.get(url)).status).toBe(200);
    expect((await t.http.get(url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(404);
    expect((await t.http.get(url.replace(`/media/${id}?`, `/media/${id + 1}?`))).status).toBe(404);
  });

  it('refuses to attach media that belongs to someone else or is already used', async () => {
    const mine = await upload('parent', await jpegWithGps());
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'fire', description: '测试', photoIds: [mine.body.id] });
    expect(res.status).toBe(400);
    expect(named(res.body).join(' ')).toMatch(/photoIds/);
    const ok = await t.http
      .post('/api/hazards')
      .set(await t.as('parent'))
      .send({ category: 'fire', description: '测试', photoIds: [mine.body.id] });
    expect(ok.status).toBe(201);
    const again = await t.http
      .post('/api/hazards')
      .set(await t.as('parent'))
      .send({ category: 'fire', description: '测试2', photoIds: [mine.body.id] });
    expect(again.status).toBe(400);
  });

  it('lets any signed-in user read publicity images', async () => {
    const up = await upload('town', await jpegWithGps(), 'poster.jpg', 'message');
    expect((await t.http.get(`/api/media/${up.body.id}`).set(await t.as('parent'))).status).toBe(200);
    expect((await t.http.get(`/api/media/${up.body.id}`)).status).toBe(404);
  });
});
