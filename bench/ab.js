#!/usr/bin/env node
/**
 * Paired A/B of two server builds on a loaded machine: both run at once on one scratch MariaDB database (the demo
 * seed), and every route's requests alternate between them, so both builds see the same load at the same moments.
 * For each route: server CPU per request (ms, /proc) of each build and B ÷ A. CPU per request is what this
 * compares — the latencies of two processes sharing two busy cores say little.
 *
 * The requests ask for gzip as phones and the other benches do (bench/lib.js benchClient), so answers are compressed.
 * Run both orders (A B, then B A): on this 2-core machine the process started second measured 3–24 % more CPU per
 * request than the first with the same build on both sides (2026-12-05), so one order alone says little. The
 * change's own factor is √(B÷A of the first order ÷ B÷A of the swapped one).
 *
 *   node bench/ab.js <A: dist dir> <B: dist dir>      e.g. a build of main in /tmp/base/server/dist, and server/dist
 *   (env: AB_REQUESTS=600 per route, AB_CONCURRENCY=8, AB_ROUTES=<substring> to run only the routes whose name has
 *   it, AB_NODE_OPTIONS_A / AB_NODE_OPTIONS_B: NODE_OPTIONS of that build's process — the same build twice with
 *   different V8 flags compares the flags; MYSQL_URL)
 */
const path = require('node:path');
const os = require('node:os');
const http = require('node:http');
const { benchClient, cpuMs, profMark, startServer } = require('./lib');
const { signature } = require('./mixed-ops');

const SERVER_DIR = path.join(__dirname, '..', 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));
const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const N = Number(process.env.AB_REQUESTS || 600);
const CONC = Number(process.env.AB_CONCURRENCY || 8);
const r2 = (x) => Math.round(x * 100) / 100;

async function main() {
  const [a, b] = process.argv.slice(2).map((d) => path.resolve(d));
  if (!a || !b) throw new Error('usage: node bench/ab.js <A dist> <B dist>');
  const db = `xa_bench_ab_${process.pid}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const servers = [];
  try {
    // A migrates and seeds; B starts on the ready database
    const nodeOptions = (x) => (process.env[`AB_NODE_OPTIONS_${x}`] ? { NODE_OPTIONS: process.env[`AB_NODE_OPTIONS_${x}`] } : {});
    servers.push(await startServer(`${MYSQL_URL}/${db}`, nodeOptions('A'), { main: path.join(a, 'main.js') }));
    servers.push(await startServer(`${MYSQL_URL}/${db}`, nodeOptions('B'), { main: path.join(b, 'main.js') }));
    const json = { 'content-type': 'application/json' };
    const setup = benchClient();
    const post = async (urlPath, body, headers = {}) =>
      (await setup.send('POST', servers[0].base, urlPath, { ...json, ...headers }, JSON.stringify(body))).body;
    const login = async (openid) => ({ authorization: `Bearer ${(await post('/api/auth/dev', { openid })).token}` });
    const town = await login('demo-town');
    const resident = await login('demo-resident');
    const villageOfficer = await login('demo-village'); // 柳林村, the resident's village
    const me = (await setup.send('GET', servers[0].base, '/api/me', resident)).body;
    // a campaign for the resident's own village, and one hazard whose detail is read
    const tpl = (await setup.send('GET', servers[0].base, '/api/pledge-templates', town)).body.find((x) => x.kind === 'drowning').latest;
    const deadline = new Date(Date.now() + 30 * 864e5).toISOString();
    const camp = await post('/api/pledge-campaigns', { templateVersionId: tpl.id, orgId: me.orgId, deadline }, villageOfficer);
    if (!camp.id) throw new Error(`no campaign: ${JSON.stringify(camp)}`);
    const hazard = await post(
      '/api/hazards',
      { category: 'fire', description: '对照详情', orgId: me.orgId },
      { ...resident, 'Idempotency-Key': `ab-detail-${process.pid}` },
    );
    // the mixed load's stroke images
    const sigs = [await signature(1), await signature(2)];
    setup.close();
    // each build its own keep-alive connections; `request(method, path, headers, body)` answers { status, body }
    const clients = servers.map((s) => {
      const c = benchClient({ agent: new http.Agent({ keepAlive: true, maxSockets: CONC }) });
      return { request: (method, urlPath, headers, body) => c.send(method, s.base, urlPath, headers, body), close: c.close };
    });
    const routes = {
      'GET /api/me': (c) => c.request('GET', '/api/me', resident),
      'GET /api/hazards (town ledger page)': (c, i) => c.request('GET', `/api/hazards?pageSize=20${i % 2 ? '&status=reported' : ''}`, town),
      'GET /api/feed': (c) => c.request('GET', '/api/feed?page=1&pageSize=20', resident),
      'POST /api/hazards (submit)': (c, i) =>
        c.request(
          'POST',
          '/api/hazards',
          { ...resident, ...json, 'Idempotency-Key': `ab-${process.pid}-${i}` },
          JSON.stringify({ category: 'fire', description: `对照提交 ${i}`, lat: 29.58 + (i % 50) * 0.001, lng: 106.48 }),
        ),
      'GET /api/hazards/:id (detail)': (c) => c.request('GET', `/api/hazards/${hazard.id}`, town),
      'POST /api/pledge-campaigns/:id/signatures (sign)': (c, i) =>
        c.request(
          'POST',
          `/api/pledge-campaigns/${camp.id}/signatures`,
          { ...resident, ...json, 'Idempotency-Key': `ab-sign-${process.pid}-${i}` },
          JSON.stringify({
            fields: { studentName: `学生${i}`, className: '三年级一班', guardianName: '家长', relation: '母亲', phone: `136${String(i).padStart(8, '0')}` },
            signatures: [
              { role: 'guardian', image: sigs[0] },
              { role: 'student', image: sigs[1] },
            ],
          }),
        ),
    };
    if (process.env.AB_ROUTES) for (const k of Object.keys(routes)) if (!k.includes(process.env.AB_ROUTES)) delete routes[k];
    const out = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}`,
      date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      A: path.relative(process.cwd(), a) || a,
      B: path.relative(process.cwd(), b) || b,
      ...(process.env.AB_NODE_OPTIONS_A ? { nodeOptionsA: process.env.AB_NODE_OPTIONS_A } : {}),
      ...(process.env.AB_NODE_OPTIONS_B ? { nodeOptionsB: process.env.AB_NODE_OPTIONS_B } : {}),
      requestsPerRoute: N,
      routes: {},
    };
    for (const [name, fn] of Object.entries(routes)) {
      for (let i = 0; i < 40; i++) await fn(clients[i % 2], 1e6 + i).catch((e) => (e.code === 'ECONNRESET' ? null : Promise.reject(e))); // warm up both
      const before = servers.map((s) => cpuMs(s.child.pid));
      const load = os.loadavg()[0];
      let next = 0;
      const bad = {};
      await profMark(name, () =>
        Promise.all(
          Array.from({ length: CONC }, async () => {
            for (;;) {
              const i = next++;
              if (i >= N) return;
              // a keep-alive socket the server closed while idle answers ECONNRESET: once more on a fresh one
              const r = await fn(clients[i % 2], i).catch((e) => (e.code === 'ECONNRESET' ? fn(clients[i % 2], i) : Promise.reject(e)));
              if (r.status >= 300) bad[r.status] = (bad[r.status] ?? 0) + 1;
            }
          }),
        ),
      );
      const [ca, cb] = servers.map((s, j) => (cpuMs(s.child.pid) - before[j]) / (N / 2));
      out.routes[name] = { A: r2(ca), B: r2(cb), BvsA: r2(cb / ca), load1: r2(load), ...(Object.keys(bad).length ? { errors: bad } : {}) };
      process.stderr.write(`${name}: ${JSON.stringify(out.routes[name])}\n`);
    }
    clients.forEach((c) => c.close());
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
