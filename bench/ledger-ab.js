#!/usr/bin/env node
/**
 * Paired A/B of the ledger at 1M hazards: two server builds run at once on one reused bench database (load it first
 * with `HAZARD_BENCH_DB=<name> HAZARD_BENCH_ONLY=ledger node bench/hazards.bench.js`), and every request of
 * hazards.bench.js's six ledger cases goes to A and B in turn (same query, back to back, order alternating), one
 * request at a time as that bench sends them (fetch). For each case and build: p50 / p95 / p99 ms, and each build's
 * server CPU per page (ms, /proc) — so both builds see the same machine load at the same moments.
 *
 *   node bench/ledger-ab.js <A: dist dir> <B: dist dir> <database>     (env: LEDGER_AB_ROUNDS=400 per case)
 */
const path = require('node:path');
const os = require('node:os');
const { cpuMs, pct, profMark, startServer } = require('./lib');

const MYSQL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const N = Number(process.env.LEDGER_AB_ROUNDS || 400);
const r2 = (x) => Math.round(x * 100) / 100;
/** The hazard categories, in the order of shared's list (the bulk load picks by index). */
const CATS = require('@xiangan/shared').HAZARD_CATEGORIES.map((c) => c.code);

async function main() {
  const [a, b, db] = process.argv.slice(2);
  if (!a || !b || !/^\w+$/.test(db || '')) throw new Error('usage: node bench/ledger-ab.js <A dist> <B dist> <database>');
  const url = `${MYSQL}/${db}`;
  const servers = [
    await startServer(url, {}, { main: path.join(path.resolve(a), 'main.js') }),
    await startServer(url, {}, { main: path.join(path.resolve(b), 'main.js') }),
  ];
  try {
    const login = async (openid) => {
      const r = await fetch(`${servers[0].base}/api/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ openid }),
      });
      return { Authorization: `Bearer ${(await r.json()).token}` };
    };
    const town = await login('demo-town');
    const county = await login('demo-county');
    const cases = {
      status: [town, (i) => `status=rectifying&pageSize=20&page=${1 + (i % 5)}`],
      category: [town, (i) => `category=${CATS[i % CATS.length]}&pageSize=20&page=${1 + (i % 3)}`],
      overdue: [town, () => 'overdue=true&pageSize=20'],
      unfiltered: [town, (i) => `pageSize=20&page=${1 + (i % 5)}`],
      countyUnfiltered: [county, (i) => `pageSize=20&page=${1 + (i % 5)}`],
      countyCategory: [county, (i) => `category=${CATS[i % CATS.length]}&pageSize=20`],
    };
    const get = async (s, headers, qs) => {
      const t = process.hrtime.bigint();
      const r = await fetch(`${s.base}/api/hazards?${qs}`, { headers });
      const body = await r.text();
      if (!r.ok) throw new Error(`${r.status} ${body}`);
      return { ms: Number(process.hrtime.bigint() - t) / 1e6, body };
    };
    for (const [h, f] of Object.values(cases)) for (let i = 0; i < 10; i++) for (const s of servers) await get(s, h, f(i));
    const out = { date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}`, A: a, B: b, rounds: N, cases: {} };
    const cpu0 = servers.map((s) => cpuMs(s.child.pid));
    const load0 = os.loadavg()[0];
    let pages = 0;
    await profMark('ledger', async () => {
      for (const [name, [h, f]] of Object.entries(cases)) {
        const ms = [[], []];
        const byVariant = [{}, {}];
        for (let i = 0; i < N; i++) {
          const order = i % 2 ? [1, 0] : [0, 1];
          const got = [];
          for (const k of order) {
            const r = await get(servers[k], h, f(i));
            ms[k].push(r.ms);
            (byVariant[k][f(i)] ??= []).push(r.ms);
            got[k] = r.body;
          }
          if (i < 40 && JSON.stringify(JSON.parse(got[0]).items.map((x) => x.id)) !== JSON.stringify(JSON.parse(got[1]).items.map((x) => x.id)))
            throw new Error(`A and B answer different pages for ${f(i)}`);
        }
        pages += N;
        const fig = (xs) => `${r2(pct(xs, 50))} / ${r2(pct(xs, 95))} / ${r2(pct(xs, 99))}`;
        out.cases[name] = { A: fig(ms[0]), B: fig(ms[1]) };
        if (process.env.LEDGER_AB_VARIANTS)
          out.cases[name].variants = Object.fromEntries(Object.keys(byVariant[0]).map((v) => [v, { A: fig(byVariant[0][v]), B: fig(byVariant[1][v]) }]));
        process.stderr.write(`${name}: ${JSON.stringify(out.cases[name])}\n`);
      }
    });
    out.serverCpuMsPerPage = Object.fromEntries(servers.map((s, k) => [k ? 'B' : 'A', r2((cpuMs(s.child.pid) - cpu0[k]) / pages)]));
    out.load1 = `${r2(load0)} → ${r2(os.loadavg()[0])}`;
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
