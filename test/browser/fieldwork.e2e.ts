/**
 * Field work and the dashboard in h5 as the town officer (张建国): record a drill with its
 * participants on the quick-entry page, find it in the recent list (and in the statistics), then
 * open 统计与总结 and see this month's and this year's figures and the charts.
 * Screenshots: test/artifacts/fieldwork-*.png.
 */
import type { Page } from 'playwright-core';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite } from '../support/h5';

const suite = h5Suite();
const { loginAs } = suite;

const visible = (page: Page, text: string | RegExp) =>
  // h5 keeps earlier pages (the home page with its counts) in the DOM, hidden: look at visible text only
  (typeof text === 'string' ? page.getByText(text, { exact: true }) : page.getByText(text)).filter({ visible: true }).first().waitFor({ state: 'visible' });

/** The API as the same demo officer, from the test process (to check what the page saved). */
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

test('the town officer records a drill and sees it in the list and on the dashboard', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '张建国');
  await visible(page, '工作台账');
  await page.getByText('工作台账', { exact: true }).first().click();
  await page.waitForURL(/#\/officer\/fieldwork\/index/);
  await visible(page, '保存记录');
  await saveScreenshot(page, 'fieldwork-entry-empty');

  // A fire drill with 86 participants.
  await page.getByText('应急演练', { exact: true }).click();
  await page.getByText('消防演练', { exact: true }).first().click();
  await visible(page, /参演观摩人数/);
  const input = page.locator('.fw-num input, input.fw-num').first();
  await input.fill('85');
  await page.locator('.fw-btn').filter({ hasText: '＋' }).first().click();
  await page.locator('.fw-notes textarea, textarea.fw-notes').first().fill('组织中心小学师生开展消防疏散演练');
  await saveScreenshot(page, 'fieldwork-entry-drill');
  await page.getByText('保存记录', { exact: true }).click();

  // It is in the recent list with its count.
  await visible(page, /参演观摩人数86人/);
  await visible(page, /消防演练/);
  await saveScreenshot(page, 'fieldwork-recent');

  // 统计与总结: the tiles, the charts and the year's figures.
  await page.goto(`${suite.server.baseUrl}/#/officer/stats/index`);
  for (const t of ['本月上报隐患', '本月销号', '正在办理', '全年整改率']) await visible(page, t);
  await visible(page, /每月隐患/);
  await visible(page, /^按行业领域/);
  await visible(page, /^按村（社区）/);
  await visible(page, '承诺书签订进度');
  await visible(page, '写总结：单位、时间、文种');
  await visible(page, /数据（写入总结）$/);
  await visible(page, '下载年度（季度）工作总结（Word）');
  // The three charts are drawn (F2 on canvas): each canvas has painted pixels.
  await page.waitForFunction(() => document.querySelectorAll('.st-chart canvas').length >= 3);
  await page.waitForTimeout(800);
  const painted = await page.evaluate(() =>
    [...document.querySelectorAll('.st-chart canvas')].map((c) => {
      const el = c as HTMLCanvasElement;
      const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    }),
  );
  expect(painted.length).toBe(3);
  for (const n of painted) expect(n).toBeGreaterThan(1000);
  // The page scrolls inside the h5 shell, so a screenshot per screenful.
  await saveScreenshot(page, 'fieldwork-stats-1');
  for (const [i, t] of [/^按行业领域/, /^按村（社区）/, /数据（写入总结）$/].entries()) {
    await page.getByText(t).first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await saveScreenshot(page, `fieldwork-stats-${i + 2}`);
  }
  // What the page saved, and the dashboard counts it.
  const saved = (await api('/drills?pageSize=5')).items.find((r: any) => r.notes === '组织中心小学师生开展消防疏散演练');
  expect(saved).toMatchObject({ kind: 'fire', metrics: { participants: 86 } });
  const dash = await api('/stats/dashboard');
  await visible(page, `${dash.thisMonth.found}`);
  expect(dash.thisYear.drills).toBeGreaterThanOrEqual(1);
  expect(errors).toEqual([]);
  await context.close();
});
