/**
 * Grid boundaries and grid membership, in h5: the admin imports a GeoJSON boundary (a FeatureCollection holding one
 * polygon) for 柳林村第二网格 on the units page — a bad file first (two polygons, then an unclosed ring: Chinese errors,
 * nothing saved), then a good one (preview, save), clear, import again; the resident 王桂英 picks 柳林村 and then the
 * grid; a report placed inside the new boundary (chosen village 柳林村) lands with that grid.
 * Screenshots: test/artifacts/boundaries-*.png at 390 and 360 px, and the units page at 1280 px.
 */
import type { Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();
// a square ≈ 2 km north of 柳林村's demo grids (no seeded boundary holds it), positions [lng, lat] GCJ-02
const W = 106.49,
  E = 106.496,
  S = 29.62,
  N = 29.626;
const RING = [
  [W, S],
  [E, S],
  [E, N],
  [W, N],
  [W, S],
];
const INSIDE = { lat: 29.623, lng: 106.493 };
const feature = (ring: number[][]) => ({ type: 'Feature', properties: { name: '柳林村第二网格' }, geometry: { type: 'Polygon', coordinates: [ring] } });
const file = (obj: unknown) => ({ name: 'grid.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(obj)) });

const find = (nodes: any[], name: string): any => nodes.map((n) => (n.name === name ? n : find(n.children ?? [], name))).find(Boolean);

async function chooseFile(page: Page, obj: unknown) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tap(page, '选择边界文件')]);
  await chooser.setFiles(file(obj));
}

test('an admin imports a grid boundary, a resident joins the grid, a report inside it lands with the grid', async () => {
  const api = new Api(suite.server.baseUrl);
  const admin = await api.login(DEMO.admin);
  const tree = (await api.call('GET', '/api/orgs', { token: admin.token })).body;
  const liulin = find(tree, '柳林村');
  const grid2 = find(tree, '柳林村第二网格');
  const before = (await api.call('GET', `/api/orgs/${grid2.id}/boundary`, { token: admin.token })).body.boundary;

  // --- the admin on the units page (390 px)
  const a = await newPhonePage(suite.browser);
  await a.page.goto(`${suite.server.baseUrl}/`);
  await a.page.getByText('演示环境：点一下选择身份进入').waitFor();
  await a.page.locator('.login__name', { hasText: '系统管理员' }).first().click();
  await a.page.waitForURL(/pages\/index\/index|#\/$/);
  await a.page.goto(`${suite.server.baseUrl}/#/admin/units/index`);
  await visible(a.page, '单位树');
  await tap(a.page, '石桥镇');
  await tap(a.page, '柳林村');
  await a.page.locator('.adm__tree-node', { hasText: '柳林村第二网格' }).locator('.adm__link', { hasText: /^边界/ }).first().click();
  await visible(a.page, '「柳林村第二网格」的边界');
  await visible(a.page, '现在的边界');

  // two polygons in one file: refused with a Chinese reason, nothing saved
  await chooseFile(a.page, { type: 'FeatureCollection', features: [feature(RING), feature(RING)] });
  await visible(a.page, /文件里有 2 个多边形/);
  await saveScreenshot(a.page, 'boundaries-1-two-polygons');
  // an unclosed ring
  await chooseFile(a.page, { type: 'FeatureCollection', features: [feature(RING.slice(0, 4).concat([[W, S + 0.001]]))] });
  await visible(a.page, /边界的第 1 圈没有闭合/);
  expect(await shown(a.page, '保存边界').isVisible()).toBe(false);
  expect((await api.call('GET', `/api/orgs/${grid2.id}/boundary`, { token: admin.token })).body.boundary).toEqual(before);

  // a good file: preview (5 points, the box), save
  await chooseFile(a.page, {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [W, S] } }, feature(RING)],
  });
  await visible(a.page, '文件里的边界（还没有保存）');
  await visible(a.page, `经度 ${W.toFixed(5)}～${E.toFixed(5)}，纬度 ${S.toFixed(5)}～${N.toFixed(5)}`);
  // the outline is drawn (the image decodes)
  const img = a.page.locator('.adm__geo-img img').filter({ visible: true }).last();
  await a.page.waitForFunction((el) => !!el && (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle());
  await saveScreenshot(a.page, 'boundaries-2-preview-390', { fullPage: true });
  await a.page.setViewportSize({ width: 360, height: 740 });
  await saveScreenshot(a.page, 'boundaries-2-preview-360', { fullPage: true });
  await a.page.setViewportSize({ width: 390, height: 844 });
  await tap(a.page, '保存边界');
  await visible(a.page, '边界已保存');
  const saved = (await api.call('GET', `/api/orgs/${grid2.id}/boundary`, { token: admin.token })).body.boundary;
  expect(saved).toEqual({ type: 'Polygon', coordinates: [RING] });

  // clear (confirmed), then import again
  await tap(a.page, '清除边界');
  await tap(a.page, '确定');
  await visible(a.page, '还没有边界');
  expect((await api.call('GET', `/api/orgs/${grid2.id}/boundary`, { token: admin.token })).body.boundary).toBeNull();
  await chooseFile(a.page, feature(RING));
  await tap(a.page, '保存边界');
  await visible(a.page, '现在的边界');
  expect((await api.call('GET', `/api/orgs/${grid2.id}/boundary`, { token: admin.token })).body.boundary).toEqual({ type: 'Polygon', coordinates: [RING] });
  await saveScreenshot(a.page, 'boundaries-3-saved-390', { fullPage: true });
  await a.page.setViewportSize({ width: 1280, height: 800 });
  await saveScreenshot(a.page, 'boundaries-3-saved-1280');
  expect(a.errors.filter((e) => !/http 4\d\d/.test(e))).toEqual([]);
  await a.context.close();

  // --- the resident picks 柳林村, then 柳林村第二网格
  const r = await newPhonePage(suite.browser);
  await suite.loginAs(r.page, '王桂英', { waitHome: true });
  await r.page.goto(`${suite.server.baseUrl}/#/pages/pick-village/index`);
  // the village's own row on the picker (tapping the first visible "柳林村" could hit the home page's header while the
  // router still shows it, before the picker's list has arrived)
  await r.page.locator('.pick__item', { hasText: '柳林村' }).filter({ visible: true }).first().click();
  await visible(r.page, '选择所在网格');
  await visible(r.page, '不选网格，只选柳林村');
  await saveScreenshot(r.page, 'boundaries-4-pick-grid-390');
  await r.page.setViewportSize({ width: 360, height: 740 });
  await saveScreenshot(r.page, 'boundaries-4-pick-grid-360');
  await tap(r.page, '柳林村第二网格');
  await visible(r.page, '已选择柳林村第二网格');
  await r.context.close();
  const resident = await api.login(DEMO.resident);
  expect((await api.call('GET', '/api/me', { token: resident.token })).body.orgId).toBe(grid2.id);

  // a report inside the imported boundary, the village chosen: it lands with the grid
  const h = await api.call('POST', '/api/hazards', {
    token: resident.token,
    body: { category: 'fire', description: '浏览器测试：网格边界内的柴堆靠近灶台', orgId: liulin.id, ...INSIDE },
  });
  expect(h.status).toBe(201);
  const placeOf = async (res: { body: any }) => {
    const d = (await api.call('GET', `/api/hazards/${res.body.id ?? res.body.hazard?.id}`, { token: admin.token })).body;
    return d.orgId ?? d.hazard?.orgId;
  };
  expect(await placeOf(h)).toBe(grid2.id);
  // and one outside every boundary stays with the village
  const out = await api.call('POST', '/api/hazards', {
    token: resident.token,
    body: { category: 'fire', description: '浏览器测试：边界外的柴堆靠近灶台', orgId: liulin.id, lat: 29.64, lng: 106.52 },
  });
  expect(out.status).toBe(201);
  expect(await placeOf(out)).toBe(liulin.id);
});
