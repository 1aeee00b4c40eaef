/**
 * 风险点台账 and 事故和事件 in h5 as the town officer (张建国): register a pond (山塘) with its warning signs, record a
 * patrol there whose problem goes into the 隐患台账, record a forest fire, see each listed — and see the statistics
 * page's figures that count them move (山塘, 风险点巡查, 森林火灾).
 * Screenshots: test/artifacts/registers-*.png.
 */
import type { Page } from 'playwright-core';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();
const { loginAs } = suite;

/** The API as the same demo officer, from the test process (to check what the pages saved). */
async function api(path: string): Promise<any> {
  const login = await fetch(`${suite.server.baseUrl}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ openid: 'demo-town' }),
  });
  const { token } = await login.json();
  const r = await fetch(`${suite.server.baseUrl}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  return r.json();
}

/** The value the statistics page shows beside a figure's label ("3处"), or null when the figure is not shown (zero). */
async function figureOnPage(page: Page, label: string): Promise<string | null> {
  const row = page
    .locator('.st-fig')
    .filter({ visible: true })
    .filter({ has: page.getByText(label, { exact: true }) });
  if ((await row.count()) === 0) return null;
  return ((await row.first().locator('.st-fig-value').textContent()) ?? '').trim();
}

test('the town officer registers a pond, patrols it with a finding, records a forest fire, and the statistics count them', async () => {
  const stamp = String(Date.now()).slice(-6);
  const pond = `浏览器测试山塘${stamp}`;
  const finding = `塘边护栏缺失一段${stamp}`;
  const fire = `后山林地起火${stamp}`;
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '张建国');

  // The statistics page before: the figures the journey will move, from New Year to today (自定 — the default is
  // last year in January).
  const toThisYear = async () => {
    await page.goto(`${suite.server.baseUrl}/#/officer/stats/index`);
    await visible(page, /数据（写入总结）$/);
    await tap(page, '自定');
    await visible(page, /-01-01至\d{4}-\d{2}-\d{2}数据（写入总结）$/);
  };
  await toThisYear();
  await page
    .locator('.st-fig')
    .filter({ visible: true })
    .filter({ has: page.getByText('风险点巡查', { exact: true }) })
    .first()
    .waitFor();
  const before = { ponds: await figureOnPage(page, '山塘'), patrols: await figureOnPage(page, '风险点巡查'), forest: await figureOnPage(page, '森林火灾') };
  const n = (v: string | null) => (v ? Number(/\d+/.exec(v)![0]) : 0);

  // 工作台账 → 风险点台账: register a pond with two warning signs.
  await page.goto(`${suite.server.baseUrl}/#/officer/fieldwork/index`);
  await visible(page, '风险点台账 ›');
  await tap(page, '风险点台账 ›');
  await page.waitForURL(/#\/officer\/sites\/index/);
  await tap(page, '山塘');
  await visible(page, '登记山塘');
  await tap(page, '登记山塘');
  await page.locator('input[placeholder="如：青龙水库"]').filter({ visible: true }).fill(pond);
  await page.locator('input[placeholder="如：柳林村3组"]').filter({ visible: true }).fill('柳林村5组');
  const plus = page.locator('.fw-btn').filter({ hasText: '＋' }).filter({ visible: true }).first();
  await plus.click();
  await plus.click();
  await saveScreenshot(page, 'registers-site-form');
  await tap(page, '保存风险点');
  await visible(page, pond);
  const item = page
    .locator('.fw-item')
    .filter({ visible: true })
    .filter({ has: page.getByText(pond, { exact: true }) });
  await item.getByText('警示标志2块 · 巡查0次').waitFor();

  // A patrol there with a problem: it goes into the ledger as a hazard at the site.
  await item.getByText('记一次巡查', { exact: true }).click();
  await item.locator('textarea').fill(finding);
  await item.getByText('溺水隐患', { exact: true }).waitFor(); // the category follows the site's kind
  await saveScreenshot(page, 'registers-patrol');
  await item.getByText('保存巡查', { exact: true }).click();
  await item.getByText(/巡查1次，最近 \d{4}-\d{2}-\d{2}/).waitFor();
  await saveScreenshot(page, 'registers-sites-list');
  const hazards = await api(`/hazards?q=${encodeURIComponent(finding)}`);
  const h = (hazards.items ?? hazards).find((x: any) => x.description === finding);
  expect(h).toMatchObject({ category: 'drowning', status: 'reported' });
  expect(h.address).toContain(pond);

  // The finding is in the 隐患台账 the officer works from.
  await page.goto(`${suite.server.baseUrl}/#/officer/ledger/index`);
  await visible(page, '隐患台账');
  await shown(page, new RegExp(finding)).waitFor();
  await saveScreenshot(page, 'registers-ledger');

  // 事故和事件: a forest fire.
  await page.goto(`${suite.server.baseUrl}/#/officer/incidents/index`);
  await visible(page, '登记安全生产事故');
  await tap(page, '森林火灾');
  await visible(page, '登记森林火灾');
  await page.locator('input[placeholder="如：村民厨房起火"]').filter({ visible: true }).fill(fire);
  await page.locator('textarea').filter({ visible: true }).first().fill('村民上坟烧纸引燃杂草，扑救及时，过火面积约0.2亩');
  await tap(page, '登记');
  await shown(page, new RegExp(`森林火灾 · ${fire}`)).waitFor();
  await saveScreenshot(page, 'registers-incidents');

  // The statistics page after: one more pond, one more patrol, one more forest fire.
  await toThisYear();
  await page
    .locator('.st-fig')
    .filter({ visible: true })
    .filter({ has: page.getByText('森林火灾', { exact: true }) })
    .first()
    .waitFor();
  expect(await figureOnPage(page, '山塘')).toBe(`${n(before.ponds) + 1}处`);
  expect(await figureOnPage(page, '风险点巡查')).toBe(`${n(before.patrols) + 1}次`);
  expect(await figureOnPage(page, '森林火灾')).toBe(`${n(before.forest) + 1}起`);
  await page.getByText('森林火灾', { exact: true }).filter({ visible: true }).first().scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'registers-stats');

  expect(errors).toEqual([]);
  await context.close();
});
