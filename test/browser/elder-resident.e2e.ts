/**
 * Older villagers on cheap phones, resident side: every resident page, the login page and the parent's signing page at
 * 390, 360 and 320 px, normally and in 长辈模式 (large-text mode) — axe, computed text and tap-target sizes, fit (the
 * sweep and its floors: support/elder.ts; the officer and administration pages: elder-officer / elder-admin). Also:
 * 长辈模式 turns itself on when the browser's font is large, the report textarea focuses wherever its drawn box is
 * tapped, and the home page shows what waits for the user.
 */
import { Api, DEMO } from '../support/api';
import { ELDER, elderSuite, NORMAL_RESIDENT, open, openContext, report, sweep, Target } from '../support/elder';
import { pickDemoAccount } from '../support/h5';

const suite = elderSuite();
let campaignId: number;

beforeAll(async () => {
  // an open pledge campaign for the parent's school so the signing page has something to show
  const api = new Api(suite.server.baseUrl);
  const school = await api.login(DEMO.school);
  const tpl = await api.call('GET', '/api/pledge-templates', { token: school.token });
  const drowning = tpl.body.find((t: any) => t.kind === 'drowning');
  const created = await api.call('POST', '/api/pledge-campaigns', {
    token: school.token,
    body: {
      templateVersionId: drowning.latest.id,
      orgId: school.user.orgId,
      title: '长辈模式测试承诺书',
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(),
    },
  });
  expect(created.status).toBe(201);
  campaignId = created.body.id;
});

const RESIDENT_PAGES: Target[] = [
  { name: 'home', route: () => '/pages/index/index', ready: '隐患随手拍' },
  { name: 'report', route: () => '/pages/report/index', ready: /说一说情况/ },
  { name: 'my-reports', route: () => '/pages/my-reports/index', ready: '我的上报' },
  { name: 'pledges', route: () => '/pages/pledges/index', ready: '签承诺书' },
  { name: 'feed', route: () => '/pages/feed/index', ready: '安全宣传' },
  { name: 'notices', route: () => '/pages/notices/index', ready: '消息提醒' },
  { name: 'me', route: () => '/pages/me/index', ready: '个人信息' },
  { name: 'pick-village', route: () => '/pages/pick-village/index', ready: '选择所在村（社区）' },
];
const PARENT_PAGES: Target[] = [{ name: 'pledge-sign', route: () => `/pages/pledge-sign/index?c=${campaignId}`, ready: /从头读到尾|全文完/ }];

for (const elderMode of [false, true]) {
  test(`resident pages at 390, 360 and 320 px${elderMode ? ' in 长辈模式' : ''}: axe, text and tap-target sizes, fit`, async () => {
    const problems: string[] = [];
    const floors = elderMode ? ELDER : NORMAL_RESIDENT;
    await sweep(suite, elderMode, '王桂英', RESIDENT_PAGES, floors, problems);
    // the login page, before anyone is signed in, beside the parent on the signing page
    await Promise.all([
      sweep(suite, elderMode, null, [{ name: 'login', route: () => '/pages/login/index', ready: '王桂英' }], NORMAL_RESIDENT, problems),
      sweep(suite, elderMode, '张德明', PARENT_PAGES, floors, problems),
    ]);
    report(problems, `elder-problems-resident${elderMode ? '-elder' : ''}.txt`);
    expect(problems).toEqual([]);
  }, 600_000);
}

test('长辈模式 turns itself on when the browser font is large, and the user can turn it off again', async () => {
  const { context, page } = await openContext(suite.browser, 360);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Page.setFontSizes' as any, { fontSizes: { standard: 24, fixed: 20 } });
  await pickDemoAccount(page, suite.server.baseUrl, '王桂英', { waitHome: true });
  await page.locator('.xa-page.xa-elder').filter({ visible: true }).first().waitFor({ timeout: 10000 });
  // body text in it is at least 18 px
  const px = await page
    .locator('.xa-tile__desc')
    .filter({ visible: true })
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(px).toBeGreaterThanOrEqual(18);
  await open(page, suite.server.baseUrl, { name: 'me', route: () => '/pages/me/index', ready: '长辈模式' });
  const sw = page.locator('#elder-switch').filter({ visible: true }).first();
  expect(await sw.getAttribute('role')).toBe('switch');
  expect(await sw.getAttribute('aria-checked')).toBe('true');
  await sw.click();
  expect(await sw.getAttribute('aria-checked')).toBe('false');
  // the choice is remembered for this user across a reload, over the browser's setting
  await page.reload();
  await page.getByText('长辈模式', { exact: true }).filter({ visible: true }).first().waitFor();
  expect(await page.locator('.xa-page.xa-elder').filter({ visible: true }).count()).toBe(0);
  await context.close();
});

test('the report textarea focuses wherever its drawn box is tapped; typed text is at least 16 px', async () => {
  const { context, page } = await openContext(suite.browser, 360);
  await pickDemoAccount(page, suite.server.baseUrl, '王桂英', { waitHome: true });
  await open(page, suite.server.baseUrl, RESIDENT_PAGES[1]);
  const box = page.locator('.xa-textarea').filter({ visible: true }).first();
  await box.scrollIntoViewIfNeeded();
  const b = (await box.boundingBox())!;
  expect(b.height).toBeGreaterThan(80);
  // tap near the bottom of the drawn box
  await page.mouse.click(b.x + b.width / 2, b.y + b.height - 4);
  const focused = await page.evaluate(() => document.activeElement?.tagName.toLowerCase());
  expect(focused).toBe('textarea');
  const px = await page.evaluate(() => parseFloat(getComputedStyle(document.activeElement!).fontSize));
  expect(px).toBeGreaterThanOrEqual(16);
  await context.close();
});

test('home shows what waits: officers see to-accept / overdue / escalated counts; 退出 asks first', async () => {
  const { context, page } = await openContext(suite.browser, 390);
  await pickDemoAccount(page, suite.server.baseUrl, '张建国', { waitHome: true });
  const api = new Api(suite.server.baseUrl);
  const town = await api.login(DEMO.town);
  const ledger = await api.call('GET', '/api/hazards?page=1&pageSize=1', { token: town.token });
  const todo = page.locator('#home-todo').filter({ visible: true }).first();
  await todo.waitFor();
  const c = ledger.body.counts;
  const want = [new RegExp(`^${c.reported ?? 0}\\s*待受理$`), new RegExp(`^${c.overdue ?? 0}\\s*已逾期$`), new RegExp(`^${c.escalated ?? 0}\\s*上报县级$`)];
  // the box is drawn at once with '–' and filled when the counts arrive
  for (const w of want) await todo.getByRole('link', { name: w }).first().waitFor({ timeout: 10000 });
  for (const w of want) await expect(todo.getByRole('link', { name: w }).count()).resolves.toBe(1);

  await page.getByRole('button', { name: '退出' }).filter({ visible: true }).first().click();
  await page.getByText('确定要退出吗？').filter({ visible: true }).first().waitFor();
  await page.getByText('取消', { exact: true }).filter({ visible: true }).first().click();
  // still signed in
  await page.waitForTimeout(300);
  expect(page.url()).not.toContain('login');
  await context.close();
});
