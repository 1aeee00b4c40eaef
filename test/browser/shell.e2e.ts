/**
 * The mini-program shell in h5: role-picker login, the resident and officer homes, 我的, switching roles.
 * Screenshots land in test/artifacts/shell-*.png.
 */
import type { Page } from 'playwright-core';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown } from '../support/h5';

const suite = h5Suite();
const { loginAs } = suite;

const visible = (page: Page, text: string) => page.getByText(text, { exact: true }).first().waitFor({ state: 'visible' });

test('login page offers the demo accounts grouped by residents and officers', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await page.goto(`${suite.server.baseUrl}/`);
  await visible(page, '村民 / 家长');
  await visible(page, '工作人员');
  await visible(page, '王桂英');
  await visible(page, '张建国');
  await saveScreenshot(page, 'shell-login');
  expect(errors).toEqual([]);
  await context.close();
});

test('resident logs in and sees the four big tiles', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '王桂英');
  for (const t of ['隐患随手拍', '我的上报', '签承诺书', '安全宣传']) await visible(page, t);
  await visible(page, '王桂英');
  await visible(page, '村民/家长');
  await visible(page, '柳林村');
  // officer entries are not offered to a resident
  expect(await page.getByText('隐患台账').count()).toBe(0);
  await saveScreenshot(page, 'shell-resident-home');

  // the token survives a reload (stored), and 我的 shows the profile and the privacy summary
  await page.reload();
  await visible(page, '隐患随手拍');
  await page.getByText('我的', { exact: true }).click();
  await visible(page, '个人信息');
  await visible(page, '隐私保护指引');
  await visible(page, '位置信息');
  await saveScreenshot(page, 'shell-resident-me');
  expect(errors).toEqual([]);
  await context.close();
});

test('town officer logs in, sees the officer tiles and opens the ledger in the subpackage', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '张建国');
  for (const t of ['隐患台账', '承诺书活动', '发布宣传', '工作台账', '统计与总结', '隐患地图']) await visible(page, t);
  await visible(page, '群众服务');
  await visible(page, '隐患随手拍');
  await visible(page, '镇安监办');
  await visible(page, '石桥镇');
  await saveScreenshot(page, 'shell-officer-home');

  await page.getByText('隐患台账', { exact: true }).click();
  await page.waitForURL(/#\/officer\/ledger\/index/);
  // the subpackage page has drawn its filters and a row (a screenshot right after the URL change could be blank)
  await visible(page, '查询');
  await page.locator('.lg-item').filter({ visible: true }).first().waitFor();
  await saveScreenshot(page, 'shell-officer-ledger');
  expect(errors).toEqual([]);
  await context.close();
});

test('切换身份 goes back to the picker and another role takes over', async () => {
  const { context, page } = await newPhonePage(suite.browser);
  await loginAs(page, '张建国');
  await visible(page, '隐患台账');
  await page.getByText('切换身份', { exact: true }).click();
  await visible(page, '王桂英');
  await page.getByText('王桂英', { exact: true }).click();
  await visible(page, '签承诺书');
  await page.waitForFunction(() => !document.body.innerText.includes('隐患台账'));

  await page.getByText('退出', { exact: true }).click();
  // 退出 asks first; the dialog's confirm button is the last 退出 on the page
  await visible(page, '确定要退出吗？');
  await page.getByText('退出', { exact: true }).last().click();
  await visible(page, '演示环境：点一下选择身份进入');
  await context.close();
});

test('a resident without a village is asked once to pick one', async () => {
  // a new resident with no unit (dev accounts named demo-* show up in the picker)
  const r = await fetch(`${suite.server.baseUrl}/api/auth/dev`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ openid: 'demo-newcomer', name: '新村民' }),
  });
  expect(r.status).toBe(200);

  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '新村民');
  await page.waitForURL(/#\/pages\/pick-village\/index/);
  await visible(page, '柳林村');
  await saveScreenshot(page, 'shell-pick-village');

  // the first PUT answer is lost (the mini-program sends PUT: wx.request has no PATCH) (503): request.ts retries with the same Idempotency-Key
  const keys: string[] = [];
  await page.route('**/api/me', async (route) => {
    const req = route.request();
    if (req.method() !== 'PUT') return route.continue();
    keys.push(req.headers()['idempotency-key'] ?? '');
    if (keys.length === 1)
      return route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'busy' }),
      });
    return route.continue();
  });
  await page.getByText('柳林村', { exact: true }).click();
  // 柳林村 has grids: a second step offers them, or the village alone
  await page.getByText('不选网格，只选柳林村', { exact: true }).click();
  await page.waitForURL(/#\/pages\/index\/index|#\/$|\/$/);
  await visible(page, '隐患随手拍');
  await visible(page, '柳林村');
  expect(keys).toHaveLength(2);
  expect(keys[0]).toMatch(/\S{8,}/);
  expect(keys[1]).toBe(keys[0]);
  expect(errors.filter((e) => !e.startsWith('http 503'))).toEqual([]);
  await context.close();
});

test('an officer sees a new report in 消息提醒 with an unread badge, and opens the hazard from it', async () => {
  // a resident of 柳林村 reports a hazard through the API: the village's officers get an in-app notice
  const dev = async (openid: string) => {
    const r = await fetch(`${suite.server.baseUrl}/api/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid }),
    });
    return ((await r.json()) as { token: string }).token;
  };
  const resident = await dev('demo-resident');
  const res = await fetch(`${suite.server.baseUrl}/api/hazards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${resident}` },
    body: JSON.stringify({ category: 'drowning', description: '村东头水塘没有护栏，孩子放学常在边上玩' }),
  });
  expect(res.status).toBe(201);
  const code = ((await res.json()) as { code: string }).code;
  // the notice is written by a background job: wait until the officer has it
  const officer = await dev('demo-village');
  for (let i = 0; i < 50; i++) {
    const n = (await (await fetch(`${suite.server.baseUrl}/api/notifications`, { headers: { authorization: `Bearer ${officer}` } })).json()) as {
      items: { title: string }[];
    };
    if (n.items.some((x) => x.title.includes(code))) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '李春梅');
  await page.locator('.home__badge').first().waitFor({ state: 'visible' });
  await page.locator('.home__link', { hasText: '消息' }).click();
  await shown(page, '全部标为已读').waitFor({ state: 'visible' });
  await page.getByText(`新隐患 ${code}`).first().waitFor({ state: 'visible' });
  await saveScreenshot(page, 'shell-officer-notices');
  await page.locator('.nt-item', { hasText: code }).filter({ visible: true }).click();
  await page.waitForURL(/officer\/hazard\/index\?id=/);
  await shown(page, '村东头水塘没有护栏，孩子放学常在边上玩').waitFor({ state: 'visible' });
  expect(errors).toEqual([]);
  await context.close();
});
