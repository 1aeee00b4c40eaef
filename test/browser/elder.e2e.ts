/**
 * Older villagers on cheap phones: every resident page and every officer / administration page at 390, 360 and 320 px, normally and
 * in 长辈模式 (large-text mode), checked with axe-core (0 critical / serious violations), computed font sizes,
 * tap-target sizes and horizontal fit. Also: 长辈模式 turns itself on when the browser's font is large, the report
 * textarea focuses wherever its drawn box is tapped, and the home page shows what waits for the user.
 * Screenshots of every page at 360 px in 长辈模式: test/artifacts/elder-360-*.png.
 *
 * Floors (CSS px): text ≥ 16 on resident pages and ≥ 14 anywhere, tap targets ≥ 44; in 长辈模式 text ≥ 18 and
 * tap targets ≥ 48.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR, PHONE, saveScreenshot } from '../support/chromium';
import { h5Suite, pickDemoAccount } from '../support/h5';
import { startServer } from '../support/server';

// ELDER_H5_DIR runs the suite against another h5 build (e.g. the one before this change, to see it fail)
const suite = h5Suite(process.env.ELDER_H5_DIR ? () => startServer({ env: { H5_DIR: process.env.ELDER_H5_DIR }, requireH5: false }) : undefined);
let campaignId: number;
/** ids the officer pages that show one record need (the town officer's own) */
const ids = { hazard: 0, campaign: 0, message: 0 };

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
  const town = await api.login(DEMO.town);
  const first = async (path: string, pick: (x: any) => boolean = () => true) => {
    const r = await api.call('GET', path, { token: town.token });
    const x = (r.body.items ?? []).find(pick) ?? r.body.items?.[0];
    if (!x) throw new Error(`no record at ${path} for the town officer`);
    return x.id as number;
  };
  ids.hazard = await first('/api/hazards?page=1&pageSize=5');
  ids.campaign = await first('/api/pledge-campaigns?pageSize=20', (c) => c.status === 'open');
  ids.message = await first('/api/messages?pageSize=20', (m) => m.status !== 'draft');
});

interface Floors {
  text: number;
  tap: number;
}
const NORMAL_RESIDENT: Floors = { text: 16, tap: 44 };
const NORMAL_OFFICER: Floors = { text: 14, tap: 44 };
const ELDER: Floors = { text: 18, tap: 48 };

interface Target {
  name: string;
  /** hash route */
  route: () => string;
  /** visible text that says the page is drawn */
  ready: string | RegExp;
}
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
const OFFICER_PAGES: Target[] = [
  { name: 'ledger', route: () => '/officer/ledger/index', ready: '隐患台账' },
  { name: 'hazard', route: () => `/officer/hazard/index?id=${ids.hazard}`, ready: '隐患处理' },
  { name: 'map', route: () => '/officer/map/index', ready: '隐患分布图' },
  { name: 'monthly', route: () => '/officer/monthly/index', ready: '月会商' },
  { name: 'campaigns', route: () => '/officer/campaigns/index', ready: '承诺书活动' },
  { name: 'campaign', route: () => `/officer/campaign/index?id=${ids.campaign}`, ready: '签署进度' },
  { name: 'publish', route: () => '/officer/publish/index', ready: '发布宣传' },
  { name: 'messages', route: () => '/officer/messages/index', ready: '我发布的宣传' },
  { name: 'reach', route: () => `/officer/reach/index?id=${ids.message}`, ready: '到达情况' },
  { name: 'fieldwork', route: () => '/officer/fieldwork/index', ready: '工作台账' },
  { name: 'sites', route: () => '/officer/sites/index', ready: '风险点台账' },
  { name: 'incidents', route: () => '/officer/incidents/index', ready: '事故和事件' },
  { name: 'stats', route: () => '/officer/stats/index', ready: '统计与总结' },
  // administration (town officers within their town)
  { name: 'admin', route: () => '/admin/index/index', ready: '管理' },
  { name: 'admin-units', route: () => '/admin/units/index', ready: '单位' },
  { name: 'admin-invitations', route: () => '/admin/invitations/index', ready: '邀请干部' },
  { name: 'admin-people', route: () => '/admin/people/index', ready: '人员' },
  { name: 'admin-templates', route: () => '/admin/templates/index', ready: '承诺书模板' },
];

/** API requests each page has in flight, and when the last one ended (see settled()). */
const traffic = new WeakMap<Page, { inFlight: number; quietSince: number }>();

async function openContext(browser: Browser, width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, viewport: { width, height: 760 } });
  const page = await context.newPage();
  const t = { inFlight: 0, quietSince: Date.now() };
  traffic.set(page, t);
  const isApi = (url: string) => url.includes('/api/');
  page.on('request', (r) => isApi(r.url()) && t.inFlight++);
  const done = (r: { url(): string }) => {
    if (!isApi(r.url())) return;
    t.inFlight = Math.max(0, t.inFlight - 1);
    t.quietSince = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return { context, page };
}

/** Waits until the page's API calls have all answered and none started for `quietMs` (lists and counts drawn). */
async function settled(page: Page, quietMs = 250, timeoutMs = 5000): Promise<void> {
  const t = traffic.get(page);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && (!t || t.inFlight > 0 || Date.now() - t.quietSince < quietMs)) await page.waitForTimeout(50);
  // one frame for React to draw what arrived
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function open(page: Page, t: Target): Promise<void> {
  await page.goto(`${suite.server.baseUrl}/#${t.route()}`);
  await page.getByText(t.ready, { exact: true }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 20000 });
  // data arrives after the frame; let lists and counts settle
  await settled(page);
}

/** Turns 长辈模式 on with the switch on 我的 and checks the switch says so. */
async function switchElderOn(page: Page): Promise<void> {
  await open(page, { name: 'me', route: () => '/pages/me/index', ready: '长辈模式' });
  const sw = page.locator('#elder-switch').filter({ visible: true }).first();
  if ((await sw.getAttribute('aria-checked')) !== 'true') await sw.click();
  await expect(sw.getAttribute('aria-checked')).resolves.toBe('true');
}

interface Measured {
  smallText: string[];
  smallTargets: string[];
  overflow: number;
}

/** Computed sizes of what is visible on the current page. */
function measure(page: Page, floors: Floors): Promise<Measured> {
  return page.evaluate(({ text, tap }) => {
    const vis = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && (el as HTMLElement).checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true }) !== false;
    };
    const smallText: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!s || !el || !vis(el)) continue;
      // Taro's toast / loading layers are not page text
      if (el.closest('.taro__toast, .taro__modal, .taro-toast, .weui-toast')) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      const key = `${px.toFixed(1)}px <${el.tagName.toLowerCase()} class="${el.className}">`;
      if (px + 0.01 < text && !smallText.some((x) => x.startsWith(key))) smallText.push(`${key} "${s.slice(0, 16)}"`);
    }
    const smallTargets: string[] = [];
    const seen = new Set<string>();
    const sel = '[role=button],[role=link],[role=switch],[role=checkbox],[role=radio],button,taro-button-core,input,textarea,taro-picker-core';
    for (const el of Array.from(document.querySelectorAll(sel))) {
      if (!vis(el)) continue;
      // an inner control inside a target that is measured itself
      if (el.parentElement?.closest(sel)) continue;
      const r = el.getBoundingClientRect();
      // one line per kind of control (a list repeats the same chip on every row)
      const kind = `${r.width.toFixed(0)}×${r.height.toFixed(0)} ${el.tagName} ${el.className}`;
      if (seen.has(kind)) continue;
      seen.add(kind);
      if (r.height + 0.5 < tap || r.width + 0.5 < tap)
        smallTargets.push(
          `${r.width.toFixed(0)}×${r.height.toFixed(0)} "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 16)}" <${el.tagName.toLowerCase()} class="${el.className}">`,
        );
    }
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    return { smallText, smallTargets, overflow };
  }, floors);
}

async function axe(page: Page): Promise<string[]> {
  // legacy mode runs axe.run() in the page itself: the h5 build has no frames, and the default (partial runs finished in
  // a blank page the builder opens each time) cost about twice as long per page for the same result
  const r = await new AxeBuilder({ page: page as any }).setLegacyMode(true).analyze();
  return r.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

async function check(page: Page, t: Target, floors: Floors, label: string, problems: string[], shot?: string): Promise<void> {
  await open(page, t);
  const m = await measure(page, floors);
  const a = await axe(page);
  if (shot) await saveScreenshot(page, shot);
  for (const s of m.smallText) problems.push(`${label} ${t.name}: text under ${floors.text}px ${s}`);
  for (const s of m.smallTargets) problems.push(`${label} ${t.name}: target under ${floors.tap}px ${s}`);
  if (m.overflow > 1) problems.push(`${label} ${t.name}: ${m.overflow}px wider than the screen`);
  for (const s of a) problems.push(`${label} ${t.name}: axe ${s}`);
}

/** The home page at narrow widths: tiles two per row, header chips on one line each. */
async function checkHomeLayout(page: Page, label: string, problems: string[]): Promise<void> {
  await open(page, RESIDENT_PAGES[0]);
  const layout = await page.evaluate(() => {
    const tiles = Array.from(document.querySelectorAll('.xa-tile--hero')).filter((e) => e.getBoundingClientRect().width > 0);
    const tops = tiles.map((e) => Math.round(e.getBoundingClientRect().top));
    const chips = Array.from(document.querySelectorAll('.home__link')).filter((e) => e.getBoundingClientRect().width > 0);
    const lineHeight = (e: Element) => parseFloat(getComputedStyle(e).fontSize) * 1.6;
    const wrapped = chips.filter((e) => {
      const r = document.createRange();
      r.selectNodeContents(e);
      return r.getBoundingClientRect().height > lineHeight(e) + 20 && e.getClientRects().length >= 1 && (e.textContent ?? '').length > 1
        ? Array.from(r.getClientRects())
            .filter((x) => x.width > 0)
            .map((x) => Math.round(x.top))
            .filter((v, i, a) => a.indexOf(v) === i).length > 1
        : false;
    });
    return { tops, wrapped: wrapped.map((e) => e.textContent) };
  });
  if (layout.tops.length !== 4 || layout.tops[0] !== layout.tops[1] || layout.tops[2] !== layout.tops[3])
    problems.push(`${label} home: the four tiles are not two per row (tops ${layout.tops.join(',')})`);
  for (const w of layout.wrapped) problems.push(`${label} home: chip "${w}" wraps inside`);
}

/**
 * Checks `targets` as `account` (null: signed out) in `lanes` browser tabs at once, each with its own context and
 * sign-in: axe is most of the time and runs on one core per tab, so two tabs halve the sweep on a 2-core machine.
 */
async function sweep(
  width: number,
  elderMode: boolean,
  account: string | null,
  targets: Target[],
  floors: Floors,
  label: string,
  problems: string[],
  lanes = 2,
): Promise<void> {
  const shotAt = (name: string) => (width === 360 && elderMode ? `elder-360-${name}` : undefined);
  const parts = Array.from({ length: Math.min(lanes, targets.length) }, (_, i) => targets.filter((_, j) => j % lanes === i));
  await Promise.all(
    parts.map(async (part) => {
      const { context, page } = await openContext(suite.browser, width);
      try {
        if (account) {
          await pickDemoAccount(page, suite.server.baseUrl, account, { waitHome: true });
          if (elderMode) await switchElderOn(page);
        }
        for (const t of part) {
          // one page that does not draw is a problem of its own, not the end of the sweep
          await check(page, t, floors, label, problems, shotAt(t.name)).catch((e) => problems.push(`${label} ${t.name}: ${String(e).split('\n')[0]}`));
        }
        if (account && part.some((t) => t.name === 'home')) await checkHomeLayout(page, label, problems);
      } finally {
        await context.close();
      }
    }),
  );
}

function report(problems: string[], file: string): void {
  if (!problems.length) return;
  problems.sort();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, file), problems.join('\n') + '\n');
}

for (const width of [390, 360, 320]) {
  for (const elderMode of [false, true]) {
    const label = `${width}px${elderMode ? ' 长辈模式' : ''}`;
    test(`resident pages at ${label}: axe, text and tap-target sizes, fit`, async () => {
      const problems: string[] = [];
      const floors = elderMode ? ELDER : NORMAL_RESIDENT;
      await sweep(width, elderMode, '王桂英', RESIDENT_PAGES, floors, label, problems);
      // the login page, before anyone is signed in, beside the parent on the signing page
      await Promise.all([
        sweep(width, elderMode, null, [{ name: 'login', route: () => '/pages/login/index', ready: '王桂英' }], NORMAL_RESIDENT, label, problems),
        sweep(width, elderMode, '张德明', PARENT_PAGES, floors, label, problems),
      ]);
      report(problems, `elder-problems-${width}${elderMode ? '-elder' : ''}.txt`);
      expect(problems).toEqual([]);
    }, 300_000);
    test(`every officer and administration page at ${label}: axe, text and tap-target sizes, fit`, async () => {
      const problems: string[] = [];
      const floors = elderMode ? ELDER : NORMAL_OFFICER;
      const home: Target = { name: 'officer-home', route: () => '/pages/index/index', ready: '隐患台账' };
      await sweep(width, elderMode, '张建国', [home, ...OFFICER_PAGES], floors, label, problems);
      report(problems, `elder-problems-officer-${width}${elderMode ? '-elder' : ''}.txt`);
      expect(problems).toEqual([]);
    }, 600_000);
  }
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
  await open(page, { name: 'me', route: () => '/pages/me/index', ready: '长辈模式' });
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
  await open(page, RESIDENT_PAGES[1]);
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
