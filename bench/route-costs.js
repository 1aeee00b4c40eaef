#!/usr/bin/env node
/**
 * What one request of each route the mixed load drives costs, route by route: SQL statements (MariaDB's global
 * `Questions` counter, so nothing else may be using that MariaDB meanwhile), server CPU and MariaDB CPU (ms, /proc)
 * and requests per second at a fixed concurrency. The mixed bench gives one figure for its whole mix; this says which
 * route it comes from, and counts round trips — the costs a cut of statements is judged by.
 *
 * One server (demo seed) on a scratch database, the mixed bench's requests (a resident's report with its place, a
 * signature with two strokes, the ledger page with and without a state filter, a hazard's detail, the feed) and
 * `GET /api/me`. Each route runs twice; the second run is reported (the first warms the JIT and the caches).
 *
 *   node bench/route-costs.js     (env: ROUTE_COSTS_N=400 requests per route, ROUTE_COSTS_CONCURRENCY=8,
 *                                  ROUTE_COSTS_ONLY=report,ledger to pick routes, MYSQL_URL, XA_SERVER_MAIN)
 */
const path = require('node:path');
const { benchClient, cpuMeter, mariadbPid, profMark, startServer } = require('./lib');

const SERVER_DIR = path.join(__dirname, '..', 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));
const sharp = require(require.resolve('sharp', { paths: [SERVER_DIR] }));
const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const N = Number(process.env.ROUTE_COSTS_N || 400);
const C = Number(process.env.ROUTE_COSTS_CONCURRENCY || 8);

const client = benchClient();
const call = (base, method, p, token, body, headers = {}) =>
  client.send(
    method,
    base,
    p,
    { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body ? JSON.stringify(body) : undefined,
  );

/** A stroke PNG like the mixed bench's (600 × 240). */
async function signature(v) {
  let d = `M 40 ${100 + (v % 40)}`;
  for (let i = 0; i < 12; i++) d += ` Q ${60 + i * 40} ${60 + ((i * 37 + v) % 90)} ${80 + i * 40} ${120 + ((i * 53 + v) % 70)}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240"><path d="${d}" fill="none" stroke="#111" stroke-width="5" stroke-linecap="round"/></svg>`;
  return `data:image/png;base64,${(await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64')}`;
}

async function main() {
  const db = `xa_bench_routes_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const srv = await startServer(`${MYSQL_URL}/${db}`);
  const base = srv.base;
  try {
    const login = async (openid, role, orgId) => (await call(base, 'POST', '/api/auth/dev', null, { openid, ...(role ? { role, orgId } : {}) })).body;
    const town = await login('demo-town');
    const hekou = await login('demo-village-hekou');
    const flat = {};
    const walk = (ns) =>
      (ns || []).forEach((n) => {
        flat[n.name] ??= n.id;
        walk(n.children);
      });
    const orgs = (await call(base, 'GET', '/api/orgs', town.token)).body;
    walk(Array.isArray(orgs) ? orgs : [orgs]);
    // the mixed bench's people: 60 residents over four villages, four officers
    const villages = ['河口村', '柳林村', '石桥村', '王家坝村'].map((n) => flat[n]);
    const residents = [];
    for (let i = 0; i < 60; i++) residents.push(await login(`routes-res-${i}`, 'resident', villages[i % villages.length]));
    const officers = [town, hekou, await login('demo-village'), await login('demo-grid')];
    const tpl = (await call(base, 'GET', '/api/pledge-templates', town.token)).body.find((x) => x.kind === 'drowning').latest;
    const camp = (
      await call(base, 'POST', '/api/pledge-campaigns', hekou.token, {
        templateVersionId: tpl.id,
        orgId: flat['河口村'],
        deadline: new Date(Date.now() + 30 * 864e5).toISOString(),
      })
    ).body;
    const sigs = [await signature(1), await signature(2)];
    const hazard = (
      await call(
        base,
        'POST',
        '/api/hazards',
        residents[0].token,
        { category: 'fire', description: '各路由开销的一条隐患', orgId: villages[0] },
        { 'Idempotency-Key': `routes-${Date.now()}` },
      )
    ).body;

    let n = 0;
    const routes = {
      report: () => {
        const r = residents[n % residents.length];
        return call(
          base,
          'POST',
          '/api/hazards',
          r.token,
          {
            category: ['fire', 'road_traffic', 'construction'][n % 3],
            description: `各路由开销 ${n}`,
            orgId: r.user.orgId,
            lat: 29.56 + (n % 100) / 10000,
            lng: 106.5,
          },
          { 'Idempotency-Key': `routes-hz-${n}-${Date.now()}` },
        );
      },
      sign: () => {
        const r = residents[n % residents.length];
        return call(
          base,
          'POST',
          `/api/pledge-campaigns/${camp.id}/signatures`,
          r.token,
          {
            fields: {
              studentName: `学生${n}`,
              className: `${(n % 6) + 1}年级一班`,
              guardianName: '家长',
              relation: '母亲',
              phone: `136${String(n).padStart(8, '0')}`,
            },
            signatures: [
              { role: 'guardian', image: sigs[0] },
              { role: 'student', image: sigs[1] },
            ],
          },
          { 'Idempotency-Key': `routes-sg-${n}-${Date.now()}` },
        );
      },
      ledger: () => call(base, 'GET', `/api/hazards?page=1&pageSize=20${n % 2 ? '&status=reported' : ''}`, officers[n % officers.length].token),
      detail: () => call(base, 'GET', `/api/hazards/${hazard.id}`, town.token),
      feed: () => call(base, 'GET', '/api/feed?page=1&pageSize=20', (n % 3 ? residents[n % residents.length] : officers[n % officers.length]).token),
      me: () => call(base, 'GET', '/api/me', residents[n % residents.length].token),
    };
    const only = process.env.ROUTE_COSTS_ONLY ? process.env.ROUTE_COSTS_ONLY.split(',') : Object.keys(routes);
    const dbPid = mariadbPid(MYSQL_URL);
    const questions = async () => Number((await admin.query("SHOW GLOBAL STATUS LIKE 'Questions'"))[0][0].Value);
    const out = { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', requestsPerRoute: N, concurrency: C, routes: {} };
    for (let round = 0; round < 2; round++) {
      for (const name of only) {
        const q0 = await questions();
        const server = cpuMeter([srv.child.pid]);
        const maria = cpuMeter(dbPid ? [dbPid] : []);
        const bad = {};
        let i = 0;
        const t0 = performance.now();
        await profMark(round ? name : 'warm-up', () =>
          Promise.all(
            Array.from({ length: C }, async () => {
              while (i < N) {
                i++;
                n++;
                const r = await routes[name]();
                if (r.status >= 300) bad[r.status] = (bad[r.status] ?? 0) + 1;
              }
            }),
          ),
        );
        const ms = performance.now() - t0;
        // (the counter counts its own SHOW too)
        const statements = (await questions()) - q0 - 1;
        if (!round) continue;
        out.routes[name] = {
          statementsPerRequest: Math.round((statements / N) * 100) / 100,
          serverCpuMs: server.perItem(N),
          mariadbCpuMs: dbPid ? maria.perItem(N) : null,
          perSecond: Math.round((N / ms) * 1000),
          ...(Object.keys(bad).length ? { errors: bad } : {}),
        };
        process.stderr.write(`${name}: ${JSON.stringify(out.routes[name])}\n`);
      }
    }
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await srv.stop();
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
