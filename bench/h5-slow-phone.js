#!/usr/bin/env node
/**
 * What a villager on a slow phone sees on first load of the h5 build, with real throttling instead of Lighthouse's
 * simulation: Chromium throttled through CDP with Lighthouse's own "slow 4G" devtools figures (562.5 ms a request,
 * 1,474.56 kbit/s down, 675 kbit/s up) and 4× CPU, empty cache, a returning user as bench/h5-lighthouse.js opens
 * the pages. Per load, from the page's own clock (ms since navigation):
 *   fcp      first contentful paint (Chromium's paint entry)
 *   lcp      the last largest-contentful-paint entry (before any input)
 *   appIn    when the app's scripts were put in the page (index.html's loader)
 *   appPage  when the app's own page (`#app .xa-page`) appeared: from then on it can be tapped
 * Median of RUNS loads per page (default 3); with two builds the loads alternate A/B so both meet the same machine load.
 *
 *   node bench/h5-slow-phone.js
 *   RUNS=5 PAGES=feed,ledger H5_BUILD=/tmp/old/h5,miniapp/dist/h5 node bench/h5-slow-phone.js
 */
/* global window, document, MutationObserver -- probe() and the waits run in the page */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { ROOT, startServer } = require('./lib');
const { CHROMIUM, median, h5Pages, storeSession } = require('./h5-lib');

const RUNS = Number(process.env.RUNS || 3);
const H5_BUILDS = (process.env.H5_BUILD || path.join(ROOT, 'miniapp', 'dist', 'h5')).split(',').map((d) => path.resolve(d));
const ONLY = process.env.PAGES ? process.env.PAGES.split(',') : null;
// Lighthouse 12's mobileSlow4G, devtools throttling (constants.js: throttling.mobileSlow4G × its devtools adjustments)
const NET = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
const CPU = 4;

/** In the page from its first script on: paints, LCP entries, the app's scripts going in, the app's page appearing. */
function probe() {
  const w = window;
  w.__m = { fcp: NaN, lcp: NaN, appIn: NaN, appPage: NaN };
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') w.__m.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) w.__m.lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new MutationObserver((ms) => {
    for (const m of ms)
      for (const n of m.addedNodes) {
        if (!(w.__m.appIn >= 0) && n.nodeName === 'SCRIPT' && /\/js\/app\.[0-9a-f]+\.js$/.test(n.src)) w.__m.appIn = performance.now();
        if (!(w.__m.appPage >= 0) && n.nodeType === 1 && (n.matches('#app .xa-page') || n.querySelector?.('.xa-page')) && n.closest?.('#app'))
          w.__m.appPage = performance.now();
      }
  }).observe(document, { childList: true, subtree: true });
}

async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xa-slow-'));
  const builds = [];
  for (const [i, h5] of H5_BUILDS.entries()) {
    const srv = await startServer(undefined, { SQLITE_PATH: path.join(dir, `demo-${i}.sqlite`), H5_DIR: h5, LOG_LEVEL: 'warn' });
    builds.push({ label: H5_BUILDS.length > 1 ? (i === 0 ? 'A ' : 'B ') : '', srv });
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic'] });
  const out = builds.map(() => ({}));
  try {
    for (const b of builds) b.pages = await h5Pages(b.srv.base);
    for (const [pi, { name }] of builds[0].pages.entries()) {
      if (ONLY && !ONLY.includes(name)) continue;
      const runs = builds.map(() => []);
      for (let i = 0; i < RUNS; i++)
        for (const [bi, b] of builds.entries()) {
          const { path: p, session: who } = b.pages[pi];
          const ctx = await browser.newContext({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
          // a returning user, stored before the page's first script (once: not again on its reloads)
          await ctx.addInitScript(storeSession, { session: who, once: true });
          await ctx.addInitScript(probe);
          const page = await ctx.newPage();
          const cdp = await ctx.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
          await cdp.send('Network.emulateNetworkConditions', NET);
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
          await page.goto(`${b.srv.base}${p}`, { waitUntil: 'commit' });
          await page.waitForFunction(() => window.__m && window.__m.appPage >= 0, null, { timeout: 120_000 });
          await page.waitForTimeout(1500);
          runs[bi].push(await page.evaluate(() => window.__m));
          await ctx.close();
        }
      for (const [bi, b] of builds.entries()) {
        const m = {};
        for (const k of ['fcp', 'lcp', 'appIn', 'appPage']) m[k] = Math.round(median(runs[bi].map((x) => x[k])));
        out[bi][name] = m;
        console.log(
          `${b.label}${name.padEnd(11)} FCP ${m.fcp} ms  LCP ${m.lcp} ms  app in ${m.appIn} ms  app's page ${m.appPage} ms` +
            `  (LCP runs ${runs[bi].map((x) => Math.round(x.lcp)).join(' ')}; app's page ${runs[bi].map((x) => Math.round(x.appPage)).join(' ')})`,
        );
      }
    }
  } finally {
    await browser.close();
    for (const b of builds) await b.srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return builds.length > 1 ? out : out[0];
}

module.exports = { run };
if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
