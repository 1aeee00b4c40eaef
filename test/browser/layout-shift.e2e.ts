/**
 * Nothing on the measured first-load pages moves once drawn: cumulative layout shift (CLS) ≤ 0.05 on login, resident
 * home, report, feed, pledge signing, the officer home and the officer ledger, at 390 and 360 px and in 长辈模式.
 *
 * Each page is opened cold (a fresh context with the session already in storage, as a phone reopening the app) and
 * every API answer is held back 700 ms, so the first frame is drawn before any data arrives — what a weak network
 * does. CLS is read from Chromium's own `layout-shift` entries (buffered, without recent input), grouped into
 * session windows as the metric defines them (gaps < 1 s, windows ≤ 5 s; the largest window counts). This is a
 * layout property, not a timing: a page that reserves room for what comes later has no shift however slow the data.
 */
import type { Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { PHONE } from '../support/chromium';
import { h5Suite, seedSession } from '../support/h5';
import { startServer } from '../support/server';

// CLS_H5_DIR runs the suite against another h5 build (e.g. the one before the fix, to see it fail)
const suite = h5Suite(process.env.CLS_H5_DIR ? () => startServer({ env: { H5_DIR: process.env.CLS_H5_DIR }, requireH5: false }) : undefined);
const API_DELAY_MS = 700;
const CLS_FLOOR = 0.05;

let tokens: Record<'resident' | 'parent' | 'town', { token: string; user: { id: number } }>;
let campaignId: number;

beforeAll(async () => {
  const api = new Api(suite.server.baseUrl);
  const [resident, parent, town, school] = await Promise.all([api.login(DEMO.resident), api.login(DEMO.parent), api.login(DEMO.town), api.login(DEMO.school)]);
  tokens = {
    resident: { token: resident.token, user: resident.user },
    parent: { token: parent.token, user: parent.user },
    town: { token: town.token, user: town.user },
  };
  const tpl = await api.call('GET', '/api/pledge-templates', { token: school.token });
  const drowning = tpl.body.find((t: any) => t.kind === 'drowning');
  const created = await api.call('POST', '/api/pledge-campaigns', {
    token: school.token,
    body: {
      templateVersionId: drowning.latest.id,
      orgId: school.user.orgId,
      title: '版面稳定测试承诺书',
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(),
    },
  });
  expect(created.status).toBe(201);
  campaignId = created.body.id;
});

interface Target {
  name: string;
  who: 'resident' | 'parent' | 'town' | null;
  route: () => string;
  /** visible text that says the page is drawn (its data is waited for as network quiet) */
  ready: string | RegExp;
}
const PAGES: Target[] = [
  { name: 'login', who: null, route: () => '/pages/login/index', ready: '王桂英' },
  { name: 'home', who: 'resident', route: () => '/pages/index/index', ready: '隐患随手拍' },
  { name: 'report', who: 'resident', route: () => '/pages/report/index', ready: /说一说情况/ },
  { name: 'feed', who: 'resident', route: () => '/pages/feed/index', ready: '安全宣传' },
  { name: 'pledge-sign', who: 'parent', route: () => `/pages/pledge-sign/index?c=${campaignId}`, ready: /从头读到尾|全文完/ },
  { name: 'officer-home', who: 'town', route: () => '/pages/index/index', ready: '隐患台账' },
  { name: 'ledger', who: 'town', route: () => '/officer/ledger/index', ready: '查询' },
];

interface Shift {
  t: number;
  value: number;
  sources: string[];
}

/** Layout-shift entries of the current document (without recent input), with what moved. */
function shifts(page: Page): Promise<Shift[]> {
  return page.evaluate(
    () =>
      new Promise<Shift[]>((resolve) => {
        const out: Shift[] = [];
        const po = new PerformanceObserver((list) => {
          for (const e of list.getEntries() as any[]) {
            if (e.hadRecentInput) continue;
            out.push({
              t: Math.round(e.startTime),
              value: e.value,
              sources: (e.sources ?? []).map((s: any) => {
                const n = s.node as Element | null;
                const what =
                  n && n.nodeType === 1
                    ? `${n.tagName.toLowerCase()}.${String(n.className).trim().split(/\s+/).slice(0, 2).join('.')}`
                    : String(n?.nodeName ?? '?');
                return `${what} y ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`;
              }),
            });
          }
        });
        po.observe({ type: 'layout-shift', buffered: true });
        // buffered entries are delivered in the observer's first callback
        setTimeout(() => {
          po.disconnect();
          resolve(out);
        }, 300);
      }),
  );
}

/** CLS as defined: the largest session window (entries < 1 s apart, window ≤ 5 s). */
function cls(entries: Shift[]): number {
  let best = 0;
  let cur = 0;
  let start = -Infinity;
  let last = -Infinity;
  for (const e of [...entries].sort((a, b) => a.t - b.t)) {
    if (e.t - last >= 1000 || e.t - start >= 5000) {
      cur = 0;
      start = e.t;
    }
    cur += e.value;
    last = e.t;
    best = Math.max(best, cur);
  }
  return best;
}

for (const mode of [
  { width: 390, elder: false },
  { width: 360, elder: false },
  { width: 360, elder: true },
]) {
  const label = `${mode.width}px${mode.elder ? ' 长辈模式' : ''}`;
  test(`first load moves nothing once drawn (CLS ≤ ${CLS_FLOOR}) at ${label}: ${PAGES.map((p) => p.name).join(', ')}`, async () => {
    const problems: string[] = [];
    // each page in its own context, three at a time: a page's time is nearly all waiting (held answers, the quiet
    // periods), and CLS is a layout property of that page alone
    const queue = [...PAGES];
    const one = async (t: Target) => {
      const context = await suite.browser.newContext({ ...PHONE, viewport: { width: mode.width, height: 760 } });
      const who = t.who ? tokens[t.who] : null;
      await seedSession(context, who, { elder: mode.elder });
      await context.route('**/api/**', async (route) => {
        await new Promise((r) => setTimeout(r, API_DELAY_MS));
        await route.continue().catch(() => undefined);
      });
      const page = await context.newPage();
      await page.goto(`${suite.server.baseUrl}/#${t.route()}`);
      await page.getByText(t.ready, { exact: true }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 30000 });
      await page.waitForLoadState('networkidle');
      // answers that start others (counts, badges, images) land within a few delays
      await page.waitForTimeout(3 * API_DELAY_MS);
      await page.waitForLoadState('networkidle');
      if (mode.elder && t.who) {
        const on = await page.locator('.xa-page.xa-elder').filter({ visible: true }).count();
        if (!on) problems.push(`${label} ${t.name}: 长辈模式 is not on`);
      }
      const list = await shifts(page);
      const value = cls(list);
      if (value > CLS_FLOOR) {
        const detail = list.map((s) => `${s.t}ms ${s.value.toFixed(3)} [${s.sources.join('; ')}]`).join(' | ');
        problems.push(`${label} ${t.name}: CLS ${value.toFixed(3)} > ${CLS_FLOOR} — ${detail}`);
      }
      await context.close();
    };
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let t = queue.shift(); t; t = queue.shift()) await one(t);
      }),
    );
    problems.sort();
    expect(problems).toEqual([]);
  });
}
