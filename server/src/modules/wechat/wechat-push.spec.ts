import sharp from 'sharp';
import { FakeWechat } from '../../testing/fake-wechat';
import { loadConfig } from '../../config/app-config';
import { createTestApp, TestApp } from '../../testing/test-app';
import { aesKeyOf, decryptPush, PushDecryptError, pushSignature } from './wechat-push.crypto';
import { mediaCheckVerdict } from './wechat-push.service';
import { named } from '../../testing/fields';

/**
 * The worked examples of the mini-program message-push document (数据格式 JSON, Token "AAAAA",
 * EncodingAESKey 43 × "A", appid wxba5fad812f8e6fb9): WeChat's own numbers, not ours.
 */
const DOC = {
  token: 'AAAAA',
  aesKey: 'A'.repeat(43),
  appid: 'wxba5fad812f8e6fb9',
  encrypt:
    '+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=',
};

describe('message-push crypto against the document examples', () => {
  it('URL verification and plain-mode signatures', () => {
    expect(pushSignature(DOC.token, '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(pushSignature(DOC.token, '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
  });

  it('safe mode: msg_signature and decryption, appid checked', () => {
    expect(pushSignature(DOC.token, '1714112445', '415670741', DOC.encrypt)).toBe('046e02f8204d34f8ba5fa3b1db94908f3df2e9b3');
    const msg = decryptPush(DOC.encrypt, DOC.aesKey, DOC.appid);
    expect(Buffer.byteLength(msg)).toBe(167);
    expect(JSON.parse(msg)).toEqual({
      ToUserName: 'gh_97417a04a28d',
      FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      CreateTime: 1714112445,
      MsgType: 'event',
      Event: 'debug_demo',
      debug_str: 'hello world',
    });
    expect(() => decryptPush(DOC.encrypt, DOC.aesKey, 'wx0000000000000000')).toThrow(expect.objectContaining({ kind: 'appid' }));
    expect(() => decryptPush(DOC.encrypt, 'B'.repeat(43), DOC.appid)).toThrow(PushDecryptError);
    expect(() => decryptPush('bm90IGEgY2lwaGVydGV4dA==', DOC.aesKey, DOC.appid)).toThrow(expect.objectContaining({ kind: 'cipher' }));
    expect(aesKeyOf(DOC.aesKey)).toEqual(Buffer.alloc(32));
  });

  it('reads the verdict of a 2.0 push, and of the 1.0 shape some accounts still get', () => {
    expect(mediaCheckVerdict({ result: { suggest: 'risky', label: '20002' } })).toBe('risky');
    expect(mediaCheckVerdict({ isrisky: 1, status_code: 0 })).toBe('risky');
    expect(mediaCheckVerdict({ isrisky: '0', status_code: '0' })).toBe('pass');
    expect(mediaCheckVerdict({ isrisky: 0, status_code: -1008 })).toBeNull();
    expect(mediaCheckVerdict({ result: { suggest: 'maybe' } })).toBeNull();
  });
});

const jpeg = (bg: string) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: bg } })
    .jpeg()
    .toBuffer();

/** Shared steps of the journeys below. */
function helpers(t: () => TestApp, wx: () => FakeWechat) {
  const upload = async (who: string, bg: string) => {
    const res = await t()
      .http.post('/api/media')
      .set(await t().as(who))
      .attach('file', await jpeg(bg), { filename: 'p.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const row = async (id: number) =>
    (await t().ds.query('SELECT secStatus, secTraceId FROM media WHERE id = ?', [id]))[0] as { secStatus: string; secTraceId: string };
  const trace = async (id: number) => {
    const r = await row(id);
    expect(wx().mediaChecks.map((c) => c.trace_id)).toContain(r.secTraceId);
    return r.secTraceId;
  };
  /** The resident reports with one photo; 柳林村's officer answers with a photo of their own. */
  const hazardWithPhotos = async () => {
    const p1 = await upload('resident', '#a33');
    const hz = await t()
      .http.post('/api/hazards')
      .set(await t().as('resident'))
      .send({ category: 'fire', description: '柴草堆在灶台旁边', photoIds: [p1] });
    expect(hz.status).toBe(201);
    const p2 = await upload('village', '#3a3');
    const c = await t()
      .http.post(`/api/hazards/${hz.body.id}/comment`)
      .set(await t().as('village'))
      .send({ note: '已到现场查看', photoIds: [p2] });
    expect(c.status).toBe(200);
    return { hazardId: hz.body.id as number, p1, p2 };
  };
  /** Photo ids the viewer gets in the hazard detail (report and timeline). */
  const photosSeen = async (who: string, hazardId: number) => {
    const d = await t()
      .http.get(`/api/hazards/${hazardId}`)
      .set(await t().as(who));
    expect(d.status).toBe(200);
    const all = [...d.body.photos, ...d.body.timeline.flatMap((e: { photos: unknown[] }) => e.photos)] as { id: number; url: string }[];
    return new Map(all.map((p) => [p.id, p.url]));
  };
  const bytes = async (who: string | null, id: number) => {
    const req = t().http.get(`/api/media/${id}`);
    if (who) req.set(await t().as(who));
    return (await req).status;
  };
  return { upload, row, trace, hazardWithPhotos, photosSeen, bytes };
}

/**
 * A test app with content security on whose WeChat is the fake (`mode`: its message push in plain or safe mode,
 * null for none), started before the describe's tests and stopped after; the fields are set in beforeAll.
 */
function pushApp(mode: 'plain' | 'safe' | null, opts: { seed?: 'none'; env?: Record<string, string> } = {}): { wx: FakeWechat; t: TestApp; url: string } {
  const app = {} as { wx: FakeWechat; t: TestApp; url: string };
  beforeAll(async () => {
    app.wx = await new FakeWechat().start();
    const env = { ...app.wx.env(), WECHAT_CONTENT_SECURITY: 'true', ...(mode ? app.wx.pushEnv(mode) : {}), ...opts.env };
    app.t = await createTestApp(opts.seed ? { seed: opts.seed, env } : { env });
    app.url = `${await app.t.app.getUrl()}/api/wechat/push`;
  });
  afterAll(async () => {
    await app.t?.close();
    await app.wx?.stop();
  });
  return app;
}

describe('message push, plain mode (token only)', () => {
  const app = pushApp('plain');
  const h = helpers(
    () => app.t,
    () => app.wx,
  );

  it('URL verification echoes echostr with the right signature, 401 with a wrong one', async () => {
    const ok = await app.wx.verifyPushUrl(app.url);
    expect(ok).toMatchObject({ status: 200, text: ok.echostr });
    expect((await app.wx.verifyPushUrl(app.url, { token: 'SomeOtherToken' })).status).toBe(401);
    expect((await app.wx.verifyPushUrl(app.url, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await app.t.http.get('/api/wechat/push').query({ timestamp: '1', nonce: '1', echostr: 'x' })).body.message).toEqual(['signature is required']);
  });

  it("an officer's photo stays hidden from the resident until WeChat pushes pass", async () => {
    const { hazardId, p1, p2 } = await h.hazardWithPhotos();
    expect((await h.row(p1)).secStatus).toBe('pending');
    expect((await h.row(p2)).secStatus).toBe('pending');
    // pending: the resident sees their own photo, not the officer's; officers see both
    expect([...(await h.photosSeen('resident', hazardId)).keys()].sort()).toEqual([p1]);
    expect([...(await h.photosSeen('village', hazardId)).keys()].sort()).toEqual([p1, p2].sort());
    expect(await h.bytes('resident', p2)).toBe(404);

    const res = await app.wx.push(app.url, app.wx.mediaCheckEvent(await h.trace(p2), 'pass'));
    expect(res).toEqual({ status: 200, text: 'success' });
    expect((await h.row(p2)).secStatus).toBe('pass');
    const seen = await h.photosSeen('resident', hazardId);
    expect([...seen.keys()].sort()).toEqual([p1, p2].sort());
    expect((await app.t.http.get(seen.get(p2)!)).status).toBe(200); // the signed URL the phone's <Image> uses
    expect(await h.bytes('resident', p2)).toBe(200);
    // a second delivery of the same verdict (WeChat retries) changes nothing and is acknowledged
    expect((await app.wx.push(app.url, app.wx.mediaCheckEvent(await h.trace(p2), 'risky'))).text).toBe('success');
    expect((await h.row(p2)).secStatus).toBe('pass');
  });

  it('refuses a bad signature and a stale timestamp; the row is unchanged', async () => {
    const { p1 } = await h.hazardWithPhotos();
    const ev = app.wx.mediaCheckEvent(await h.trace(p1), 'pass');
    const forged = app.wx.signPush(ev);
    forged.query.signature = 'f'.repeat(40);
    const r1 = await app.wx.deliverPush(app.url, forged);
    expect(r1.status).toBe(401);
    expect(JSON.parse(r1.text).message).toMatch(/signature/);
    const r2 = await app.wx.push(app.url, ev, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(r2.status).toBe(401);
    expect(JSON.parse(r2.text).message).toMatch(/timestamp/);
    const r3 = await app.wx.push(app.url, ev, { safe: true }); // safe mode without a configured key
    expect(r3.status).toBe(403);
    expect((await h.row(p1)).secStatus).toBe('pending');
  });

  it('acknowledges other events, unknown trace ids and a non-JSON Content-Type, changing nothing', async () => {
    const before = await app.t.ds.query("SELECT COUNT(*) AS n FROM media WHERE secStatus = 'pending'");
    expect(await app.wx.push(app.url, { ToUserName: 'gh_fake0000001', MsgType: 'event', Event: 'debug_demo', debug_str: 'hello world' })).toEqual({
      status: 200,
      text: 'success',
    });
    expect(await app.wx.push(app.url, app.wx.mediaCheckEvent('no-such-trace', 'risky'))).toEqual({ status: 200, text: 'success' });
    const { p1 } = await h.hazardWithPhotos();
    const asText = await app.wx.deliverPush(app.url, app.wx.signPush(app.wx.mediaCheckEvent(await h.trace(p1), 'review')), 'text/plain');
    expect(asText).toEqual({ status: 200, text: 'success' });
    expect((await h.row(p1)).secStatus).toBe('review');
    const after = await app.t.ds.query("SELECT COUNT(*) AS n FROM media WHERE secStatus = 'pending'");
    expect(Number(after[0].n)).toBe(Number(before[0].n) + 1); // the officer's photo of the last hazard only
  });
});

describe('message push, safe mode (token + EncodingAESKey)', () => {
  const app = pushApp('safe');
  const h = helpers(
    () => app.t,
    () => app.wx,
  );

  it('risky: never shown to residents (uploader included), officers still see it', async () => {
    const { hazardId, p1 } = await h.hazardWithPhotos();
    const ownUrl = (await h.photosSeen('resident', hazardId)).get(p1)!;
    expect((await app.t.http.get(ownUrl)).status).toBe(200);

    const res = await app.wx.push(app.url, app.wx.mediaCheckEvent(await h.trace(p1), 'risky'), { safe: true });
    expect(res).toEqual({ status: 200, text: 'success' });
    expect((await h.row(p1)).secStatus).toBe('risky');

    expect((await h.photosSeen('resident', hazardId)).has(p1)).toBe(false);
    expect((await app.t.http.get(ownUrl)).status).toBe(404); // the URL handed out before the verdict stops working
    expect(await h.bytes('resident', p1)).toBe(404);
    const officerUrl = (await h.photosSeen('village', hazardId)).get(p1)!;
    expect(officerUrl).toContain('o=1');
    expect((await app.t.http.get(officerUrl)).status).toBe(200); // no header: as the mini-program's <Image> loads it
    expect((await app.t.http.get(officerUrl.replace('o=1', 'o=0'))).status).toBe(404);
    expect(await h.bytes('town', p1)).toBe(200);
    // officers see the verdict as a mark on the photo; residents' answers never carry one
    const officerView = await app.t.http.get(`/api/hazards/${hazardId}`).set(await app.t.as('village'));
    expect(officerView.body.photos.find((p: { id: number }) => p.id === p1)).toMatchObject({ check: 'risky' });
    const residentView = await app.t.http.get(`/api/hazards/${hazardId}`).set(await app.t.as('resident'));
    expect(JSON.stringify(residentView.body)).not.toContain('"check"');
    // the ledger's thumbnail for the officer loads too (the list signs it for the viewer)
    const ledger = await app.t.http.get('/api/hazards?pageSize=100').set(await app.t.as('village'));
    const thumb = ledger.body.items.find((i: { id: number }) => i.id === hazardId)?.thumbUrl as string;
    expect(thumb).toContain('o=1');
    expect((await app.t.http.get(thumb)).status).toBe(200);
  });

  it('review: recorded, the officer photo stays hidden from the resident', async () => {
    const { hazardId, p2 } = await h.hazardWithPhotos();
    expect((await app.wx.push(app.url, app.wx.mediaCheckEvent(await h.trace(p2), 'review'), { safe: true })).status).toBe(200);
    expect((await h.row(p2)).secStatus).toBe('review');
    expect((await h.photosSeen('resident', hazardId)).has(p2)).toBe(false);
    expect((await h.photosSeen('village', hazardId)).has(p2)).toBe(true);

    // 人工复核: an officer of the place decides; others cannot, and a bad verdict is named
    const review = async (who: string, id: number, body: unknown) =>
      app.t.http
        .post(`/api/media/${id}/review`)
        .set(await app.t.as(who))
        .send(body as object);
    expect((await review('resident', p2, { verdict: 'pass' })).status).toBe(403);
    expect((await review('village2', p2, { verdict: 'pass' })).status).toBe(404); // 河口村's officer: not their place
    const bad = await review('village', p2, { verdict: 'ok' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(named(bad.body))).toContain('verdict');
    const ok = await review('village', p2, { verdict: 'pass' });
    expect(ok.status).toBe(200);
    expect(ok.body.check).toBeUndefined();
    expect(await h.row(p2)).toMatchObject({ secStatus: 'pass' });
    const [who] = await app.t.ds.query('SELECT secReviewedBy, secReviewedAt FROM media WHERE id = ?', [p2]);
    expect(Number(who.secReviewedBy)).toBeGreaterThan(0);
    expect(who.secReviewedAt).toBeTruthy();
    expect((await h.photosSeen('resident', hazardId)).has(p2)).toBe(true);
    // the officer's decision is final: a late WeChat verdict does not undo it
    await app.wx.push(app.url, app.wx.mediaCheckEvent(await h.trace(p2), 'risky'), { safe: true });
    expect((await h.row(p2)).secStatus).toBe('pass');
    // and a photo WeChat passed can still be hidden by hand
    expect((await review('town', p2, { verdict: 'risky' })).status).toBe(200);
    expect((await h.photosSeen('resident', hazardId)).has(p2)).toBe(false);
  });

  it('refuses plain mode, a bad msg_signature, a stale timestamp, a wrong appid and garbage; the row is unchanged', async () => {
    const { p1 } = await h.hazardWithPhotos();
    const ev = app.wx.mediaCheckEvent(await h.trace(p1), 'pass');
    const expectRefused = async (r: { status: number; text: string }, status: number, reason: RegExp) => {
      expect(r.status).toBe(status);
      expect(JSON.stringify(JSON.parse(r.text).message)).toMatch(reason);
      expect((await h.row(p1)).secStatus).toBe('pending');
    };
    await expectRefused(await app.wx.push(app.url, ev), 403, /plain-mode/);
    const forged = app.wx.signPush(ev, { safe: true });
    forged.query.msg_signature = '0'.repeat(40);
    await expectRefused(await app.wx.deliverPush(app.url, forged), 401, /msg_signature/);
    // the ciphertext swapped for another after signing: the signature no longer covers it
    const swapped = app.wx.signPush(ev, { safe: true });
    swapped.body.Encrypt = app.wx.encryptPush(JSON.stringify(ev));
    await expectRefused(await app.wx.deliverPush(app.url, swapped), 401, /msg_signature/);
    await expectRefused(await app.wx.push(app.url, ev, { safe: true, timestamp: Math.floor(Date.now() / 1000) - 3600 }), 401, /timestamp/);
    await expectRefused(await app.wx.push(app.url, ev, { safe: true, appid: 'wx0000000000000000' }), 403, /appid/);
    await expectRefused(await app.wx.push(app.url, ev, { safe: true, encrypt: Buffer.from('x'.repeat(48)).toString('base64') }), 400, /Encrypt/);
    await expectRefused(await app.wx.push(app.url, ev, { safe: true, encrypt: '%%%not base64%%%' }), 400, /Encrypt/);
    // and the real thing still works afterwards
    expect((await app.wx.push(app.url, ev, { safe: true })).status).toBe(200);
    expect((await h.row(p1)).secStatus).toBe('pass');
  });
});

describe('message push without WECHAT_PUSH_TOKEN', () => {
  const app = pushApp(null, { seed: 'none' });

  it('answers 404 to verification and pushes', async () => {
    expect((await app.wx.verifyPushUrl(app.url)).status).toBe(404);
    expect((await app.wx.push(app.url, app.wx.mediaCheckEvent('media-1', 'pass'))).status).toBe(404);
  });
});

describe('message push under the per-address rate limits', () => {
  const app = pushApp('plain', { seed: 'none', env: { RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_WRITES_PER_MINUTE: '3' } });

  it('a burst of verdicts from one WeChat address is never answered 429 (other routes still are)', async () => {
    for (let i = 0; i < 12; i++) expect(await app.wx.push(app.url, app.wx.mediaCheckEvent(`burst-${i}`, 'pass'))).toEqual({ status: 200, text: 'success' });
    const health = [];
    for (let i = 0; i < 8; i++) health.push((await app.t.http.get('/api/auth/dev/accounts')).status);
    expect(health).toContain(429);
  });
});

describe('message-push configuration', () => {
  const prod = { NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-0123456789abcdef', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' };

  it('production starts without the push settings; bad values and half a setup are refused', () => {
    expect(loadConfig(prod).WECHAT_PUSH_TOKEN).toBeUndefined();
    expect(() => loadConfig({ WECHAT_PUSH_TOKEN: 'has space' })).toThrow(/WECHAT_PUSH_TOKEN/);
    expect(() => loadConfig({ WECHAT_PUSH_TOKEN: 'Token1', WECHAT_PUSH_AES_KEY: 'short', WECHAT_APPID: 'wx1' })).toThrow(/WECHAT_PUSH_AES_KEY must be/);
    expect(() => loadConfig({ WECHAT_PUSH_AES_KEY: 'A'.repeat(43), WECHAT_APPID: 'wx1' })).toThrow(/set WECHAT_PUSH_TOKEN too/);
    expect(() => loadConfig({ WECHAT_PUSH_TOKEN: 'Token1', WECHAT_PUSH_AES_KEY: 'A'.repeat(43) })).toThrow(/needs WECHAT_APPID/);
    expect(loadConfig({ ...prod, WECHAT_PUSH_TOKEN: 'Token1', WECHAT_PUSH_AES_KEY: 'A'.repeat(43) }).WECHAT_PUSH_AES_KEY).toHaveLength(43);
  });
});
