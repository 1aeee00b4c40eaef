#!/usr/bin/env node
/**
 * What Lighthouse's simulated (Lantern) LCP is made of, for one h5 page: one Lighthouse run as bench/h5-lighthouse.js
 * does it (mobile preset, empty cache, returning user), then Lantern's own LCP computation on that run's trace, and a
 * listing of what it saw: the trace's LCP candidates (Chromium's `largestContentfulPaint::Candidate`: size, node,
 * time), the observed FCP/LCP, every network request with its start/end relative to navigation and whether Lantern's
 * LCP graph holds it, and the CPU tasks in the graph (with their time ×4 as simulated), and the simulated FCP/LCP.
 *
 *   PAGE=feed node bench/h5-lcp-graph.js          (login, home, report, feed, pledgeSign, ledger)
 *   PAGE=feed H5_BUILD=/tmp/old/h5 node bench/h5-lcp-graph.js
 *
 * A diagnostic, not a bench: it prints no floor verdict.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { ROOT, startServer } = require('./lib');
const { CHROMIUM, LIGHTHOUSE_FLAGS, h5Pages, returningUser } = require('./h5-lib');

const H5 = path.resolve(process.env.H5_BUILD || path.join(ROOT, 'miniapp', 'dist', 'h5'));
const PAGE = process.env.PAGE || 'feed';

async function run() {
  const lighthouse = (await import('lighthouse')).default;
  const lhRoot = path.dirname(require.resolve('lighthouse/package.json'));
  const { LanternLargestContentfulPaint } = await import(path.join(lhRoot, 'core/computed/metrics/lantern-largest-contentful-paint.js'));
  const { LanternFirstContentfulPaint } = await import(path.join(lhRoot, 'core/computed/metrics/lantern-first-contentful-paint.js'));
  const { loadArtifacts } = await import(path.join(lhRoot, 'core/lib/asset-saver.js'));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xa-lcpg-'));
  const srv = await startServer(undefined, { SQLITE_PATH: path.join(dir, 'demo.sqlite'), H5_DIR: H5, LOG_LEVEL: 'warn' });
  const port = 9300 + Math.floor(Math.random() * 500);
  const ctx = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: [...LIGHTHOUSE_FLAGS, `--remote-debugging-port=${port}`],
  });
  try {
    const page = (await h5Pages(srv.base)).find((x) => x.name === PAGE);
    if (!page) throw new Error(`PAGE=${PAGE}: one of login, home, report, feed, pledgeSign, ledger`);
    const p = page.path;
    await returningUser(ctx, srv.base, page.session);
    const art = path.join(dir, 'artifacts');
    const r = await lighthouse(`${srv.base}${p}`, {
      port,
      output: 'json',
      logLevel: 'error',
      disableStorageReset: true,
      onlyCategories: ['performance'],
      formFactor: 'mobile',
      gatherMode: art,
      auditMode: art,
    });
    const a = r.lhr.audits;
    console.log(
      `${PAGE}: Lighthouse LCP ${a['largest-contentful-paint'].numericValue.toFixed(0)} ms, FCP ${a['first-contentful-paint'].numericValue.toFixed(0)} ms`,
    );
    const artifacts = loadArtifacts(art);
    const trace = artifacts.Trace || artifacts.traces?.defaultPass;
    const devtoolsLog = artifacts.DevtoolsLog || artifacts.devtoolsLogs?.defaultPass;
    const data = { trace, devtoolsLog, gatherContext: artifacts.GatherContext, settings: r.lhr.configSettings, URL: artifacts.URL, simulator: null };
    const context = { computedCache: new Map(), settings: r.lhr.configSettings };
    const fcp = await LanternFirstContentfulPaint.request(data, context);
    const lcp = await LanternLargestContentfulPaint.request(data, context);

    // the trace: navigation start, candidates
    const nav = trace.traceEvents.find((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame && e.args?.data?.documentLoaderURL);
    const t0 = nav ? nav.ts : 0;
    const ms = (ts) => ((ts - t0) / 1000).toFixed(0);
    for (const e of trace.traceEvents) {
      if (e.name === 'largestContentfulPaint::Candidate')
        console.log(
          `  LCP candidate @${ms(e.ts)} ms size ${e.args.data.size} node ${e.args.data.nodeId} type ${e.args.data.type || ''} idx ${e.args.data.candidateIndex}`,
        );
      if (e.name === 'firstContentfulPaint') console.log(`  FCP @${ms(e.ts)} ms`);
    }
    const inGraph = (g) => {
      const s = new Set();
      g.traverse((n) => s.add(n.id));
      return s;
    };
    const pes = inGraph(lcp.pessimisticGraph);
    const opt = inGraph(lcp.optimisticGraph);
    // every node of the pessimistic graph with its simulated times (O/P: in the optimistic / pessimistic graph)
    const lt = (ts) => ((ts - t0) / 1000).toFixed(0); // graph node times are trace microseconds
    const timings = lcp.pessimisticEstimate.nodeTimings;
    console.log(
      `  simulated: FCP ${fcp.timing.toFixed(0)} (opt ${fcp.optimisticEstimate.timeInMs.toFixed(0)} / pes ${fcp.pessimisticEstimate.timeInMs.toFixed(0)}), LCP ${lcp.timing.toFixed(0)} (opt ${lcp.optimisticEstimate.timeInMs.toFixed(0)} / pes ${lcp.pessimisticEstimate.timeInMs.toFixed(0)})`,
    );
    console.log('  pessimistic LCP graph (observed start–end ms → simulated start–end ms):');
    const rows = [];
    for (const [n, t] of timings) {
      const what =
        n.type === 'network'
          ? `NET ${n.request.resourceType || ''} ${n.request.priority} ${n.request.url.replace(srv.base, '')}`
          : `CPU ${((n.endTime - n.startTime) / 1000).toFixed(1)} ms${n.didPerformLayout() ? ' layout' : ''} ${n.getEvaluateScriptURLs ? [...n.getEvaluateScriptURLs()].map((u) => 'eval ' + u.replace(srv.base, '')).join(' ') : ''}`;
      rows.push([
        t.startTime,
        `    ${lt(n.startTime)}–${lt(n.endTime)} → ${t.startTime.toFixed(0)}–${t.endTime.toFixed(0)}  ${opt.has(n.id) ? 'O' : '-'}${pes.has(n.id) ? 'P' : '-'} ${what}`,
      ]);
    }
    rows.sort((x, y) => x[0] - y[0]).forEach((x) => console.log(x[1]));
    if (process.env.LH_KEEP) fs.cpSync(art, process.env.LH_KEEP, { recursive: true });
  } finally {
    await ctx.close();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
