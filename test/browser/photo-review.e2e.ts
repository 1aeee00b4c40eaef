/**
 * Content security in h5 with WeChat's verdicts delivered by the (fake) message push: a resident reports with
 * two photos, WeChat answers `review` for one and `risky` for the other; the village officer sees both marked
 * (审核中 / 违规图片), passes the first by hand (人工复核) from the action sheet, and the mark goes.
 * Screenshots: test/artifacts/photo-review-*.png.
 */
import { join } from 'node:path';
import { Api } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { jpeg } from '../support/fixtures';
import { h5Suite, shown, visible } from '../support/h5';
import { SERVER_DIST } from '../support/proc';
import { startServer } from '../support/server';

let wechat: any;

// the fake WeChat first: the server is started pointing at it, with content security and message push on
const suite = h5Suite(async () => {
  const { FakeWechat } = require(join(SERVER_DIST, 'testing', 'fake-wechat.js'));
  wechat = await new FakeWechat().start();
  return startServer({ env: { ...wechat.env(), WECHAT_CONTENT_SECURITY: 'true', ...wechat.pushEnv('plain') } });
});

afterAll(async () => {
  await wechat?.stop();
});

test('officer sees unpassed photos marked and passes one by hand', async () => {
  const api = new Api(suite.server.baseUrl);
  const resident = await api.login('demo-resident');
  const photoIds: number[] = [];
  for (const w of [64, 80]) {
    const form = new FormData();
    form.append('file', new Blob([await jpeg(w, 48)], { type: 'image/jpeg' }), 'p.jpg');
    const up = await api.call('POST', '/api/media', { token: resident.token, raw: form });
    expect(up.status).toBe(201);
    photoIds.push(up.body.id);
  }
  const hz = await api.call('POST', '/api/hazards', {
    token: resident.token,
    headers: { 'Idempotency-Key': `photo-review-${Date.now()}` },
    body: { category: 'fire', description: '浏览器测试：柴草堆紧挨电线杆', photoIds },
  });
  expect(hz.status).toBe(201);
  // WeChat's verdicts arrive by message push (trace ids in upload order)
  const [first, second] = wechat.mediaChecks.slice(-2).map((c: { trace_id: string }) => c.trace_id);
  const url = `${suite.server.baseUrl}/api/wechat/push`;
  expect((await wechat.push(url, wechat.mediaCheckEvent(first, 'review'))).status).toBe(200);
  expect((await wechat.push(url, wechat.mediaCheckEvent(second, 'risky'))).status).toBe(200);

  const o = await newPhonePage(suite.browser);
  await suite.loginAs(o.page, '李春梅');
  await visible(o.page, '隐患台账');
  await o.page.goto(`${suite.server.baseUrl}/#/officer/hazard/index?id=${hz.body.id}`);
  await visible(o.page, '违规图片');
  await saveScreenshot(o.page, 'photo-review-1-marked');
  // the report's own photos sit in the head card: tap the one under review, choose 审核通过
  await shown(o.page, '审核中').click();
  await visible(o.page, '审核通过，村民可以看到');
  await saveScreenshot(o.page, 'photo-review-2-sheet');
  await shown(o.page, '审核通过，村民可以看到').click();
  await expectNoVisible(o.page, '审核中');
  await visible(o.page, '违规图片');
  await saveScreenshot(o.page, 'photo-review-3-passed');

  const officer = await api.login('demo-village');
  const d = await api.call('GET', `/api/hazards/${hz.body.id}`, { token: officer.token });
  const checks = Object.fromEntries(d.body.photos.map((p: { id: number; check?: string }) => [p.id, p.check ?? 'pass']));
  expect(checks).toEqual({ [photoIds[0]]: 'pass', [photoIds[1]]: 'risky' });
  // and the resident no longer has the risky one
  const mine = await api.call('GET', `/api/hazards/${hz.body.id}`, { token: resident.token });
  expect(mine.body.photos.map((p: { id: number }) => p.id)).toEqual([photoIds[0]]);
});

async function expectNoVisible(page: import('playwright-core').Page, text: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await page.getByText(text, { exact: true }).filter({ visible: true }).count()) === 0) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`"${text}" is still shown`);
}
