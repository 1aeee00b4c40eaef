/**
 * 宣传推送 end to end in h5: the town officer composes a notice (title, a paragraph, a bold paragraph, a photo,
 * category 防溺水, audience 柳林村 residents, 需要确认), previews and publishes it; 王桂英 (柳林村) sees it unread
 * in her feed, opens it (read) and taps 已阅并知晓; the officer's reach page shows read 1 / acknowledged 1 and
 * the units lagging behind; 张德明 of 河口村 never sees it. Screenshots: test/artifacts/publicity-*.png.
 */
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { newPhonePage, PHONE, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();
let api: Api;

beforeAll(() => {
  api = new Api(suite.server.baseUrl);
});

const loginAs = (page: Page, name: string) => suite.loginAs(page, name, { waitHome: true });

/**
 * The whole page in one picture: h5 pages scroll inside their own container, so a "full page" screenshot only
 * shows the viewport. Make the window as tall as the content (the fixed footer stays at the bottom), then restore.
 */
async function shootWhole(page: Page, name: string) {
  const h = await page.evaluate(() => {
    let max = document.documentElement.scrollHeight;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('*'))) {
      if (el.offsetParent !== null && el.scrollHeight > el.clientHeight + 4 && /(auto|scroll)/.test(getComputedStyle(el).overflowY)) {
        max = Math.max(max, el.scrollHeight + el.getBoundingClientRect().top);
        el.scrollTop = 0;
      }
    }
    return max;
  });
  await page.setViewportSize({ width: PHONE.viewport.width, height: Math.min(6000, Math.max(PHONE.viewport.height, Math.ceil(h))) });
  await saveScreenshot(page, name, { fullPage: true });
  await page.setViewportSize(PHONE.viewport);
}

/** Polls `check` for up to 10 s; its last answer. */
async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

/** A 1200×800 JPEG "poster" (a photo an officer would pick from the album). */
async function poster(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
    <rect width="1200" height="800" fill="#1a6fd1"/><rect x="60" y="60" width="1080" height="680" rx="40" fill="#fff"/>
    <circle cx="600" cy="330" r="170" fill="#e53935"/><rect x="430" y="560" width="340" height="60" rx="30" fill="#1a6fd1"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

test('officer publishes to 柳林村 residents; a resident reads and acknowledges; reach shows it; 河口村 does not see it', async () => {
  const title = `暑期防溺水提醒 ${Date.now() % 100000}`;
  const para = '暑假到了，请家长看护好孩子，不要让孩子私自到河边、堰塘玩耍。';
  const bold = '发现有人落水，立即大声呼救并拨打110，不要手拉手下水施救！';

  // ---- the town officer composes ------------------------------------------------------------------
  const o = await newPhonePage(suite.browser);
  await loginAs(o.page, '张建国');
  await tap(o.page, '发布宣传');
  await o.page.waitForURL(/#\/officer\/publish\/index/);
  await visible(o.page, '☐ 柳林村');
  await o.page.locator('#title-input input').fill(title);
  const blocks = o.page.locator('.pubc-block').filter({ visible: true });
  await blocks.nth(0).locator('textarea').fill(para);
  await tap(o.page, '+ 段落');
  await blocks.nth(1).locator('textarea').fill(bold);
  await blocks.nth(1).getByText('加粗', { exact: true }).click();
  await blocks.nth(1).getByText('取消加粗', { exact: true }).waitFor();

  // a photo through the image block: POST /api/media (multipart `file`, purpose message)
  const chooser = o.page.waitForEvent('filechooser');
  const uploaded = o.page.waitForResponse((r) => r.url().endsWith('/api/media') && r.request().method() === 'POST');
  await tap(o.page, '+ 图片');
  await tap(o.page, '从相册选择'); // h5 on a phone asks 拍摄 / 从相册选择 first
  await (await chooser).setFiles({ name: 'poster.jpg', mimeType: 'image/jpeg', buffer: await poster() });
  const up = await uploaded;
  expect(up.status()).toBe(201);
  const media = await up.json();
  expect(media).toMatchObject({ id: expect.any(Number), url: expect.stringMatching(/^\/api\/media\/\d+\?exp=\d+&sig=/) });
  const img = blocks.nth(2).locator('img');
  await img.waitFor({ state: 'visible' });
  await o.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());

  await tap(o.page, '防溺水');
  await visible(o.page, '✓ 防溺水');
  await o.page.locator('.pubc-ack').filter({ visible: true }).click();
  await visible(o.page, '✓ 需要确认');
  await tap(o.page, '☐ 柳林村');
  await visible(o.page, '☑ 柳林村');
  await visible(o.page, '柳林村 ✕');
  await tap(o.page, '村民/家长');
  await visible(o.page, '✓ 村民/家长');
  await shootWhole(o.page, 'publicity-1-compose');

  await tap(o.page, '预览');
  await visible(o.page, '返回修改');
  await visible(o.page, title);
  await visible(o.page, bold);
  await o.page.locator('.pub-body__img').filter({ visible: true }).first().waitFor();
  await shootWhole(o.page, 'publicity-2-preview');
  await tap(o.page, '返回修改');

  await tap(o.page, '立即发布');
  await o.page.waitForURL(/#\/officer\/reach\/index\?id=\d+/);
  const id = Number(/id=(\d+)/.exec(o.page.url())![1]);
  await visible(o.page, '应收人数');

  // what went out, as stored
  const town = await api.login(DEMO.town);
  const msg = (await api.call('GET', `/api/messages/${id}`, { token: town.token })).body;
  expect(msg).toMatchObject({
    title,
    status: 'published',
    category: 'drowning',
    ackRequired: true,
    audience: { units: [{ name: '柳林村' }], roles: ['resident'] },
  });
  expect(msg.body.map((b: any) => [b.type, b.text ?? null, !!b.bold])).toEqual([
    ['p', para, false],
    ['p', bold, true],
    ['image', null, false],
  ]);
  expect(msg.body[2].mediaId).toBe(media.id);

  // ---- 王桂英 of 柳林村: unread in the feed, opens it, acknowledges --------------------------------
  const r = await newPhonePage(suite.browser);
  await loginAs(r.page, '王桂英');
  await tap(r.page, '安全宣传');
  await r.page.waitForURL(/#\/pages\/feed\/index/);
  await visible(r.page, title);
  const card = r.page.locator('.pub-card').filter({ visible: true }).filter({ hasText: title });
  await expect(card.locator('.pub-dot').count()).resolves.toBe(1);
  await expect(card.getByText('未读', { exact: true }).count()).resolves.toBe(1);
  await saveScreenshot(r.page, 'publicity-3-resident-feed-unread');
  await shown(r.page, title).click();
  await r.page.waitForURL(new RegExp(`#/pages/message/index\\?id=${id}`));
  await visible(r.page, bold);
  await r.page.locator('.pub-body__img').filter({ visible: true }).first().waitFor();
  await visible(r.page, '已阅并知晓');
  await visible(r.page, '石桥镇请您看完后点下面的按钮确认');
  // the button must look enabled (h5 greys a button out for a mere `disabled="false"` attribute)
  expect(
    await r.page
      .locator('#ack-button')
      .filter({ visible: true })
      .evaluate((e) => [e.hasAttribute('disabled'), getComputedStyle(e).color]),
  ).toEqual([false, 'rgb(255, 255, 255)']);
  // opening marked it read
  const resident = await api.login(DEMO.resident);
  expect(await until(async () => (await api.call('GET', `/api/feed/${id}`, { token: resident.token })).body.read === true)).toBe(true);
  await shootWhole(r.page, 'publicity-4-resident-message');
  await tap(r.page, '已阅并知晓');
  await visible(r.page, /^✓ 您已阅并知晓/);
  await shootWhole(r.page, 'publicity-5-resident-acknowledged');
  await tap(r.page, '‹ 返回');
  await visible(r.page, title);
  await expect(r.page.locator('.pub-card').filter({ visible: true }).filter({ hasText: title }).locator('.pub-dot').count()).resolves.toBe(0);
  await visible(r.page, '已知晓');

  // ---- the officer's reach: read 1, acknowledged 1, lagging units --------------------------------
  await o.page.goto(`${suite.server.baseUrl}/#/officer/reach/index?id=${id}`);
  await o.page.reload();
  await visible(o.page, '应收人数');
  await expect(o.page.locator('#reach-read').filter({ visible: true }).textContent()).resolves.toBe('1');
  await expect(o.page.locator('#reach-acked').filter({ visible: true }).textContent()).resolves.toBe('1');
  const stats = (await api.call('GET', `/api/messages/${id}/stats`, { token: town.token })).body;
  expect(stats).toMatchObject({ read: 1, acked: 1, breakdownOf: { name: '柳林村' } });
  const lagging = stats.units.filter((u: any) => u.lagging);
  expect(lagging.length).toBeGreaterThan(0);
  for (const u of lagging) await visible(o.page, u.name);
  await visible(o.page, `催阅落后单位（${lagging.length}）`);
  expect(
    await o.page
      .locator('#remind-button')
      .filter({ visible: true })
      .evaluate((e) => e.hasAttribute('disabled')),
  ).toBe(false);
  await shootWhole(o.page, 'publicity-6-officer-reach');

  // ---- 张德明 of 河口村 does not see it ---------------------------------------------------------
  const p = await newPhonePage(suite.browser);
  await loginAs(p.page, '张德明');
  await tap(p.page, '安全宣传');
  await p.page.waitForURL(/#\/pages\/feed\/index/);
  await p.page.locator('.pub-card, .xa-empty').filter({ visible: true }).first().waitFor();
  await expect(p.page.getByText(title).count()).resolves.toBe(0);
  const parent = await api.login(DEMO.parent);
  expect((await api.call('GET', `/api/feed/${id}`, { token: parent.token })).status).toBe(404);
  expect((await api.call('GET', '/api/feed', { token: parent.token, query: { pageSize: 100 } })).body.items.map((i: any) => i.id)).not.toContain(id);
  await saveScreenshot(p.page, 'publicity-7-hekou-feed');

  expect(o.errors).toEqual([]);
  expect(r.errors).toEqual([]);
  expect(p.errors).toEqual([]);
  await o.context.close();
  await r.context.close();
  await p.context.close();
});
