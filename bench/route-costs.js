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
const { mixedOps, mixedPeople } = require('./mixed-ops');

const SERVER_DIR = path.join(__dirname, '..', 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));
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

async function main() {
  const db = `xa_bench_routes_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  let srv = null;
  try {
    srv = await startServer(`${MYSQL_URL}/${db}`);
    const base = srv.base;
    const people = await mixedPeople(call, base, 'routes');
    let n = 0;
    // the mixed bench's requests by name, and /api/me
    const byName = Object.fromEntries(
      mixedOps(
        people,
        call,
        () => base,
        () => n,
        'routes',
      ).map(([, name, send]) => [name, send]),
    );
    const routes = {
      report: byName['report hazard'],
      sign: byName['sign pledge'],
      ledger: byName['ledger page'],
      detail: byName['hazard detail'],
      feed: byName.feed,
      me: () => call(base, 'GET', '/api/me', people.residents[n % people.residents.length].token),
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
    // a server that did not start (a wrong XA_SERVER_MAIN) leaves no database behind either
    await srv?.stop();
    await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
