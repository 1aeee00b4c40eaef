/**
 * Issue 17 (LCP): on a first load the page's own chunk and the data its largest paint waits for are fetched while
 * the app's scripts download — not one after the other (HTML → app.js → run → page chunk → its data).
 *
 * Each page is opened cold as a returning user (session in storage, as a phone reopening the app) on a slow network
 * (CDP: 150 ms latency, 1.6 Mbit/s — Lighthouse's slow 4G), so the order of the requests is the network's and not a
 * race. Checked from the browser's own resource timing:
 * - the route's page chunk starts before app.js has finished arriving (index.html preloads it);
 * - on pages whose largest paint is their list or text (feed, pledge signing, ledger), that GET
 *   also starts before app.js has arrived, is sent once (the app takes the early answer, see takePrefetched in
 *   services/request.ts, instead of asking again), and nothing is left untaken;
 * - the page then draws (its data on screen), and no API GET is sent twice.
 */
import type { Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { PHONE } from '../support/chromium';
import { h5Suite, seedSession } from '../support/h5';
import { startServer } from '../support/server';

// FIRST_LOAD_H5_DIR runs the suite against another h5 build (e.g. the one before the change, to see it fail)
const suite = h5Suite(process.env.FIRST_LOAD_H5_DIR ? () => startServer({ env: { H5_DIR: process.env.FIRST_LOAD_H5_DIR }, requireH5: false }) : undefined);

type Who = 'resident' | 'town';
let sessions: Record<Who, { token: string; user: { id: number } }>;
let campaignId: number;

beforeAll(async () => {
  const api = new Api(suite.server.baseUrl);
  const [resident, town] = await Promise.all([api.login(DEMO.resident), api.login(DEMO.town)]);
  sessions = { resident: { token: resident.token, user: resident.user }, town: { token: town.token, user: town.user } };
  const list = await api.call('GET', '/api/pledge-campaigns?pageSize=20', { token: resident.token });
  const open = list.body.items.find((c: { status: string }) => c.status === 'open') ?? list.body.items[0];
  campaignId = open.id;
});

interface Target {
  name: string;
  who: Who | null;
  route: () => string;
  /** the GET the largest paint waits for (null: the page draws it without data) */
  data: (() => string) | null;
  /** text that is on screen once the page has drawn its data */
  ready: string | RegExp;
}
const PAGES: Target[] = [
  { name: 'login', who: null, route: () => '/pages/login/index', data: () => '/api/auth/dev/accounts', ready: '王桂英' },
  { name: 'home', who: 'resident', route: () => '/pages/index/index', data: null, ready: '隐患随手拍' },
  { name: 'feed', who: 'resident', route: () => '/pages/feed/index', data: () => '/api/feed?page=1&pageSize=20', ready: '安全宣传' },
  {
    name: 'pledge-sign',
    who: 'resident',
    route: () => `/pages/pledge-sign/index?c=${campaignId}`,
    data: () => `/api/pledge-campaigns/${campaignId}`,
    ready: /从头读到尾|全文完/,
  },
  { name: 'ledger', who: 'town', route: () => '/officer/ledger/index', data: () => '/api/hazards?page=1&pageSize=20', ready: '查询' },
];

interface Timing {
  path: string;
  start: number;
  end: number;
}
const timings = (page: Page): Promise<Timing[]> =>
  page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((e) => ({
      path: e.name.replace(location.origin, ''),
      start: Math.round(e.startTime),
      end: Math.round(e.responseEnd),
    })),
  );

test(`on a slow network the page chunk and its data load beside app.js: ${PAGES.map((p) => p.name).join(', ')}`, async () => {
  const problems: string[] = [];
  for (const t of PAGES) {
    const context = await suite.browser.newContext(PHONE);
    const who = t.who ? sessions[t.who] : null;
    await seedSession(context, who);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6e6 / 8) | 0,
      uploadThroughput: (750e3 / 8) | 0,
    });
    const sent: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/') && r.method() === 'GET') sent.push(u.pathname + u.search);
    });
    await page.goto(`${suite.server.baseUrl}/#${t.route()}`);
    await page.getByText(t.ready, { exact: true }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    const list = await timings(page);
    const app = list.find((e) => /^\/js\/app\.[0-9a-f]+\.js$/.test(e.path));
    const initial = new Set(await page.evaluate(() => [...document.querySelectorAll('script[src]')].map((s) => s.getAttribute('src'))));
    // the page's own chunk: a script that index.html does not list
    const chunk = list.find((e) => /^\/js\/.+\.js$/.test(e.path) && !initial.has(e.path));
    if (!app || !chunk) problems.push(`${t.name}: app.js or the page chunk not seen (${list.map((e) => e.path).join(', ')})`);
    else if (chunk.start >= app.end) problems.push(`${t.name}: page chunk ${chunk.path} asked at ${chunk.start} ms, after app.js arrived at ${app.end} ms`);
    // a weak network pays for every request: no GET twice on a first load (home asked for /api/me three times)
    const counts = new Map<string, number>();
    for (const s of sent) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [url, n] of counts) if (n > 1) problems.push(`${t.name}: ${url} sent ${n} times on the first load`);
    if (t.data && app) {
      const url = t.data();
      const times = sent.filter((s) => s === url).length;
      if (times !== 1) problems.push(`${t.name}: ${url} sent ${times} times (want once)`);
      const d = list.find((e) => e.path === url);
      if (!d) problems.push(`${t.name}: ${url} not in resource timing`);
      else if (d.start >= app.end) problems.push(`${t.name}: ${url} asked at ${d.start} ms, after app.js arrived at ${app.end} ms`);
      const left = await page.evaluate(() => Object.keys((window as unknown as { __xaPrefetch?: object }).__xaPrefetch ?? {}));
      if (left.length) problems.push(`${t.name}: fetched early but never taken: ${left.join(', ')}`);
    }
    await context.close();
  }
  expect(problems).toEqual([]);
});
