/**
 * Two things a phone does to the app that a desk does not, in h5 (Chromium at phone size):
 *  1. A link opened before logging in (share card, QR code, subscribe message) comes back to its page after the login:
 *     a hazard page and the signing page of a campaign QR (`scene=c%3D<id>`).
 *  2. A report with a photo written without signal is kept as a draft whose photo outlives the page (IndexedDB,
 *     not a dead blob: URL); after the page was closed and opened again it is sent by itself when the network
 *     returns — once — and its photo goes with it.
 * Screenshots: test/artifacts/links-*.png, drafts-*.png.
 */
import { Api } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { jpeg } from '../support/fixtures';
import { h5Suite, tap, visible } from '../support/h5';

const suite = h5Suite();

test('a link opened before login returns to its page after login (hazard page, campaign QR)', async () => {
  const api = new Api(suite.server.baseUrl);
  const resident = await api.login('demo-resident');
  const created = await api.call('POST', '/api/hazards', {
    token: resident.token,
    headers: { 'Idempotency-Key': `links-${Date.now()}` },
    body: { category: 'fire', description: `浏览器测试：链接登录后回到原页面 ${Date.now()}` },
  });
  expect(created.status).toBe(201);

  const r = await newPhonePage(suite.browser);
  // a fresh phone: no token; the link goes straight to the hazard
  await r.page.goto(`${suite.server.baseUrl}/#/pages/hazard/index?id=${created.body.id}`);
  await r.page.waitForURL(/#\/pages\/login\/index\?redirect=/);
  expect(decodeURIComponent(r.page.url())).toContain(`/pages/hazard/index?id=${created.body.id}`);
  await saveScreenshot(r.page, 'links-1-login-with-redirect');
  await tap(r.page, '王桂英');
  await r.page.waitForURL(new RegExp(`#/pages/hazard/index\\?id=${created.body.id}`));
  await visible(r.page, created.body.code);
  await saveScreenshot(r.page, 'links-2-back-on-hazard');

  // a campaign QR opened by a parent who never used the app: the signing page after login, scene kept
  const school = await api.login('demo-school');
  const tpl = await api.call('GET', '/api/pledge-templates', { token: school.token });
  const drowning = tpl.body.find((t: { kind: string }) => t.kind === 'drowning');
  const campaign = await api.call('POST', '/api/pledge-campaigns', {
    token: school.token,
    body: {
      templateVersionId: drowning.latest.id,
      orgId: school.user.orgId,
      title: '扫码登录后签署测试',
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(),
    },
  });
  expect(campaign.status).toBe(201);
  const p = await newPhonePage(suite.browser);
  await p.page.goto(`${suite.server.baseUrl}/#/pages/pledge-sign/index?scene=${encodeURIComponent(`c=${campaign.body.id}`)}`);
  await p.page.waitForURL(/#\/pages\/login\/index\?redirect=/);
  await tap(p.page, '张德明');
  await p.page.waitForURL(/#\/pages\/pledge-sign\/index\?scene=/);
  await p.page.getByText('不私自下水游泳；', { exact: false }).first().waitFor(); // the pledge text of that campaign
  expect(p.page.url()).toContain(`scene=${encodeURIComponent(`c=${campaign.body.id}`)}`);
  await saveScreenshot(p.page, 'links-3-back-on-pledge-sign');
  await p.context.close();

  // a link the login page must not follow: another site, or a page of no app
  await r.page.goto(`${suite.server.baseUrl}/#/pages/login/index?redirect=${encodeURIComponent('https://evil.example/')}&switch=1`);
  await tap(r.page, '王桂英');
  await r.page.waitForURL(/#\/pages\/index\/index|#\/$/);
  expect(r.page.url()).toContain(suite.server.baseUrl);

  expect(r.errors.filter((e) => !/http 401/.test(e))).toEqual([]);
  await r.context.close();
});

test('a photo draft written offline survives closing the page and is sent once when the network returns', async () => {
  const description = `浏览器测试：离线草稿带照片 ${Date.now()}`;
  const r = await newPhonePage(suite.browser);
  await suite.loginAs(r.page, '王桂英');
  await tap(r.page, '隐患随手拍');
  await r.page.waitForURL(/#\/pages\/report\/index/);
  await tap(r.page, '消防安全');
  await r.page.locator('textarea').filter({ visible: true }).first().fill(description);
  const chooser = r.page.waitForEvent('filechooser');
  await tap(r.page, '拍照/相册');
  await tap(r.page, '从相册选择'); // h5 on a phone asks 拍摄 / 从相册选择 first
  await (await chooser).setFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await jpeg(320, 240) });
  await r.page.locator('.rp-photo__img').filter({ visible: true }).first().waitFor();

  // no signal: the report becomes a draft
  await r.context.setOffline(true);
  await tap(r.page, '提交上报');
  await visible(r.page, '网络不好，已存为草稿');
  await saveScreenshot(r.page, 'drafts-1-offline-saved');
  await r.page.close();

  // the page is opened again while the API is still out of reach (the app itself loads): the draft and its photo are there
  await r.context.setOffline(false);
  let hazardPosts = 0;
  let blocked = true;
  await r.context.route('**/api/**', (route) => {
    const req = route.request();
    if (req.method() === 'POST' && /\/api\/hazards$/.test(req.url())) hazardPosts++;
    if (blocked && req.method() === 'POST' && /\/api\/(hazards|media)$/.test(req.url())) return route.abort('internetdisconnected');
    return route.continue();
  });
  const page = await r.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${suite.server.baseUrl}/#/pages/report/index`);
  await visible(page, '草稿（1）');
  const draftPhoto = await page.evaluate(async () => {
    const list = JSON.parse(localStorage.getItem('xa_drafts_hazard') ?? '{}');
    const data = (Array.isArray(list) ? list : (list.data ?? []))[0]?.data;
    return data?.photos?.[0]?.kept ?? null;
  });
  expect(draftPhoto).toMatch(/^idb:/);
  await saveScreenshot(page, 'drafts-2-reopened', { fullPage: true });

  // the network comes back: the draft goes out by itself, once, with its photo
  blocked = false;
  await r.context.setOffline(true);
  await r.context.setOffline(false);
  await visible(page, '1份草稿已自动提交');
  await page.waitForFunction(() => !document.body.innerText.includes('草稿（'));
  await saveScreenshot(page, 'drafts-3-sent');
  // another online event sends nothing more
  await r.context.setOffline(true);
  await r.context.setOffline(false);
  await page.waitForTimeout(2500);

  const api = new Api(suite.server.baseUrl);
  const town = await api.login('demo-town');
  const found = await api.call('GET', '/api/hazards', { token: town.token, query: { q: description, pageSize: 10 } });
  expect(found.body.items.map((h: { description: string }) => h.description)).toEqual([description]);
  const detail = await api.call('GET', `/api/hazards/${found.body.items[0].id}`, { token: town.token });
  expect(detail.body.photos).toHaveLength(1);
  expect(hazardPosts).toBeGreaterThanOrEqual(1);
  // the kept photo is gone with the draft
  const leftInIdb = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('xiangan-drafts');
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('photos')) return resolve(0);
          const c = db.transaction('photos').objectStore('photos').count();
          c.onsuccess = () => resolve(c.result);
        };
        open.onerror = () => resolve(-1);
      }),
  );
  expect(leftInIdb).toBe(0);
  await r.context.close();
});
