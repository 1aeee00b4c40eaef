#!/usr/bin/env node
/**
 * First load of the h5 build as a villager's phone sees it: Lighthouse 12.2.3 (mobile preset — slow 4G simulated,
 * 4× CPU) in Debian's Chromium, median of 5 runs per page, over login, resident home, report, feed, pledge signing
 * and the officer ledger. Each run starts with an empty HTTP cache; a signed-in page gets its token and cached profile
 * put in storage first (the way the app keeps them after a login), so the run measures a returning user opening the
 * page itself and not the login page.
 *
 *   node bench/h5-lighthouse.js              (needs server/dist and miniapp/dist/h5 built; serves them on SQLite)
 *   RUNS=3 node bench/h5-lighthouse.js
 *   H5_BUILD=/tmp/old/h5 node bench/h5-lighthouse.js   (another h5 build than miniapp/dist/h5)
 *   H5_BUILD=/tmp/old/h5,miniapp/dist/h5 node bench/h5-lighthouse.js   (A/B: each run of A followed by the same run of B,
 *                                                                      so both builds meet the same machine load)
 *   PAGES=home,feed LH_DUMP=/tmp/lh node bench/h5-lighthouse.js   (some pages; each run's full report kept as JSON)
 *
 * Floors (issue "older villagers"): resident pages ≤ 200 KB transferred on first load, LCP ≤ 2.5 s, CLS ≤ 0.05,
 * accessibility ≥ 95. Prints one line per page and the floors each misses, and returns the figures to run-all.js.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { ROOT, startServer } = require('./lib');
const { CHROMIUM, LIGHTHOUSE_FLAGS, median, h5Pages, returningUser } = require('./h5-lib');

const RUNS = Number(process.env.RUNS || 5);
// one build, or two (`H5_BUILD=old,new`: A/B, runs alternating page by page)
const H5_BUILDS = (process.env.H5_BUILD || path.join(ROOT, 'miniapp', 'dist', 'h5')).split(',').map((d) => path.resolve(d));
const ONLY = process.env.PAGES ? process.env.PAGES.split(',') : null;
const DUMP = process.env.LH_DUMP || '';
/** Median of each figure over the runs, and the floors the medians miss. */
function summarise(p, runs) {
  const m = {};
  for (const k of Object.keys(runs[0])) m[k] = Number(median(runs.map((x) => x[k])).toFixed(k === 'cls' ? 3 : 2));
  const miss = [];
  if (p.resident && m.kb > 200) miss.push(`first load ${m.kb} KB > 200`);
  if (m.lcpS > 2.5) miss.push(`LCP ${m.lcpS} s > 2.5`);
  if (m.cls > 0.05) miss.push(`CLS ${m.cls} > 0.05`);
  if (m.a11y < 95) miss.push(`accessibility ${m.a11y} < 95`);
  return { m, miss };
}

async function run() {
  const lighthouse = (await import('lighthouse')).default;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xa-lh-'));
  // one server (own demo database) per build; with two builds their runs alternate, so both see the same machine load
  const builds = [];
  for (const [i, h5] of H5_BUILDS.entries()) {
    const srv = await startServer(undefined, { SQLITE_PATH: path.join(dir, `demo-${i}.sqlite`), H5_DIR: h5, LOG_LEVEL: 'warn' });
    builds.push({ label: H5_BUILDS.length > 1 ? `[${i === 0 ? 'A' : 'B'} ${path.basename(path.dirname(h5)) || h5}] ` : '', srv });
  }
  const port = 9300 + Math.floor(Math.random() * 500);
  // a persistent context is Chromium's default one, which Lighthouse's tab shares: storage and cache are the same
  const ctx = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: [...LIGHTHOUSE_FLAGS, `--remote-debugging-port=${port}`],
  });
  const results = builds.map(() => ({}));
  try {
    for (const b of builds) b.pages = await h5Pages(b.srv.base);
    if (DUMP) fs.mkdirSync(DUMP, { recursive: true });
    for (const [pi, p0] of builds[0].pages.entries()) {
      if (ONLY && !ONLY.includes(p0.name)) continue;
      const runs = builds.map(() => []);
      for (let i = 0; i < RUNS; i++) {
        for (const [bi, b] of builds.entries()) {
          const p = b.pages[pi];
          // a returning user (token and profile as the app keeps them), the HTTP cache empty
          await returningUser(ctx, b.srv.base, p.session);
          const r = await lighthouse(`${b.srv.base}${p.path}`, {
            port,
            output: 'json',
            logLevel: 'error',
            disableStorageReset: true,
            onlyCategories: ['performance', 'accessibility'],
            formFactor: 'mobile',
          });
          if (DUMP) fs.writeFileSync(path.join(DUMP, `${bi ? 'B-' : builds.length > 1 ? 'A-' : ''}${p.name}-${i + 1}.json`), JSON.stringify(r.lhr));
          const a = r.lhr.audits;
          runs[bi].push({
            kb: a['total-byte-weight'].numericValue / 1024,
            lcpS: a['largest-contentful-paint'].numericValue / 1000,
            cls: a['cumulative-layout-shift'].numericValue,
            a11y: Math.round((r.lhr.categories.accessibility.score ?? 0) * 100),
            perf: Math.round((r.lhr.categories.performance.score ?? 0) * 100),
          });
        }
      }
      for (const [bi, b] of builds.entries()) {
        const { m, miss } = summarise(p0, runs[bi]);
        console.log(
          `${b.label}${p0.name.padEnd(11)} ${String(m.kb).padStart(7)} KB  LCP ${m.lcpS} s  CLS ${m.cls}  a11y ${m.a11y}  perf ${m.perf}` +
            `  (LCP runs ${runs[bi].map((x) => x.lcpS.toFixed(2)).join(' ')})` +
            (miss.length ? `   MISSES: ${miss.join('; ')}` : '   floors met'),
        );
        results[bi][p0.name] = m;
      }
    }
  } finally {
    await ctx.close();
    for (const b of builds) await b.srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return builds.length > 1 ? results : results[0];
}

module.exports = { run };
if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
