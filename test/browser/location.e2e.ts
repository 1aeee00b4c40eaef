/**
 * Location everywhere, in h5: Chromium grants geolocation (the browser gives WGS-84); the report form shows the point
 * converted to GCJ-02 and picks the village (and grid) from the grid boundaries of the demo town; the report lands
 * with 柳林村第一网格, whose grid officer finds it on the map and on the detail page with 导航去这里.
 * Screenshots land in test/artifacts/location-*.png (390 px; a 360 px pass of the same pages at the end).
 */
import { formatLatLng, wgs84ToGcj02 } from '@xiangan/shared';
import { Api, DEMO } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();
const { loginAs } = suite;
// GPS (WGS-84) of a spot in 柳林村第一网格 (demo boundary: a square around 29.586, 106.484 in GCJ-02)
const GPS = { latitude: 29.588845, longitude: 106.480291 };
const GCJ = wgs84ToGcj02(GPS.latitude, GPS.longitude);

test('a report filed with the phone position lands with the grid officer, on the map and the detail page', async () => {
  const description = `浏览器测试：水渠边电线垂到地面 ${Date.now()}`;
  const r = await newPhonePage(suite.browser);
  await r.context.grantPermissions(['geolocation']);
  await r.context.setGeolocation(GPS);
  await loginAs(r.page, '王桂英');
  await visible(r.page, '隐患随手拍');
  await tap(r.page, '隐患随手拍');
  await r.page.waitForURL(/#\/pages\/report\/index/);
  await tap(r.page, '农村用电');
  await r.page.locator('textarea').filter({ visible: true }).first().fill(description);
  await tap(r.page, '获取我的位置');
  await visible(r.page, `已定位：${formatLatLng(GCJ)}`);
  await visible(r.page, '按位置自动选了：柳林村（柳林村第一网格）');
  await r.page.locator('[data-testid="point-preview"]').filter({ visible: true }).first().waitFor();
  await r.page.locator('input[placeholder="例如：柳林村3组河边"]').fill('柳林村一组水渠边');
  await saveScreenshot(r.page, 'location-1-report-form', { fullPage: true });
  await shown(r.page, '在哪个村（社区）').scrollIntoViewIfNeeded();
  await saveScreenshot(r.page, 'location-1b-village-picker');
  await tap(r.page, '提交上报');
  await visible(r.page, '上报成功');
  const codeText = await r.page
    .getByText(/编号 YH-\d{4}-\d{6}/)
    .filter({ visible: true })
    .first()
    .textContent();
  const code = /YH-\d{4}-\d{6}/.exec(codeText ?? '')![0];
  await tap(r.page, '查看进度');
  await r.page.waitForURL(/#\/pages\/hazard\/index\?id=\d+/);
  const id = Number(/id=(\d+)/.exec(r.page.url())![1]);

  // the grid officer (王小军, 柳林村第一网格) has it: notice, map, detail with the point and navigation
  const o = await newPhonePage(suite.browser);
  await loginAs(o.page, '王小军');
  await visible(o.page, '隐患地图');
  await tap(o.page, '隐患地图');
  await o.page.waitForURL(/#\/officer\/map\/index/);
  const dots = o.page.locator('.mp-dot').filter({ visible: true });
  await dots.first().waitFor();
  let found = false;
  for (let i = 0; i < (await dots.count()) && !found; i++) {
    await dots.nth(i).click();
    found = await shown(o.page, code).isVisible();
  }
  expect(found).toBe(true);
  await saveScreenshot(o.page, 'location-2-map', { fullPage: true });
  await shown(o.page, code).click();
  await o.page.waitForURL(new RegExp(`#/officer/hazard/index\\?id=${id}`));
  await visible(o.page, description);
  await visible(o.page, '隐患位置');
  await visible(o.page, formatLatLng(GCJ));
  await visible(o.page, '柳林村一组水渠边');
  await visible(o.page, '导航去这里');
  await saveScreenshot(o.page, 'location-3-officer-detail', { fullPage: true });
  // 导航去这里 opens the Amap marker of the GCJ-02 point (h5); no outside network in tests, so the page is answered here
  await o.context.route('https://uri.amap.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>amap</p>' }));
  const [popup] = await Promise.all([o.context.waitForEvent('page'), tap(o.page, '导航去这里')]);
  expect(popup.url()).toContain(`position=${GCJ.lng.toFixed(6)},${GCJ.lat.toFixed(6)}`);
  await popup.close();

  // the hazard lies in the grid, stored in GCJ-02, and the grid officer was told (the API says so too)
  const api = new Api(suite.server.baseUrl);
  const grid = await api.login(DEMO.grid);
  const d = await api.call('GET', `/api/hazards/${id}`, { token: grid.token });
  expect(d.body).toMatchObject({ orgName: '柳林村第一网格' });
  expect(d.body.lat).toBeCloseTo(GCJ.lat, 6);
  expect(d.body.lng).toBeCloseTo(GCJ.lng, 6);
  const n = await api.call('GET', '/api/notifications', { token: grid.token, query: { pageSize: 100 } });
  expect(n.body.items.some((x: { kind: string; link: string }) => x.kind === 'hazard_reported' && x.link.endsWith(`id=${id}`))).toBe(true);

  // an open hazard without a position: the village officer's map counts it and lists it (the figure adds up)
  const resident = await api.login(DEMO.resident);
  const bare = await api.call('POST', '/api/hazards', { token: resident.token, body: { category: 'fire', description: '没有定位的隐患：老街柴堆' } });
  expect(bare.status).toBe(201);
  const v = await newPhonePage(suite.browser);
  await loginAs(v.page, '李春梅');
  await visible(v.page, '隐患地图');
  await tap(v.page, '隐患地图');
  await v.page.waitForURL(/#\/officer\/map\/index/);
  const village = await api.login(DEMO.village);
  const m = await api.call('GET', '/api/hazards/map', { token: village.token, query: { bbox: '73,18,135,54' } });
  expect(m.body.unlocated.total).toBeGreaterThanOrEqual(1);
  await visible(v.page, `另有 ${m.body.unlocated.total} 处没有定位，图上画不出`);
  await visible(v.page, `未销号隐患 ${m.body.points.length + m.body.unlocated.total} 处，图上 ${m.body.points.length} 处`);
  await tap(v.page, '查看');
  await visible(v.page, `${bare.body.code} 柳林村`);
  await saveScreenshot(v.page, 'location-6-map-unlocated', { fullPage: true });
  await v.page.setViewportSize({ width: 360, height: 740 });
  await saveScreenshot(v.page, 'location-7-map-unlocated-360', { fullPage: true });
  expect(v.errors).toEqual([]);
  await v.context.close();

  // the same pages at 360 px
  for (const p of [r.page, o.page]) await p.setViewportSize({ width: 360, height: 740 });
  await saveScreenshot(o.page, 'location-4-officer-detail-360', { fullPage: true });
  await r.page.goto(`${suite.server.baseUrl}/#/pages/report/index`);
  await tap(r.page, '获取我的位置');
  await visible(r.page, `已定位：${formatLatLng(GCJ)}`);
  await saveScreenshot(r.page, 'location-5-report-form-360', { fullPage: true });

  expect(r.errors).toEqual([]);
  expect(o.errors).toEqual([]);
  await r.context.close();
  await o.context.close();
});
