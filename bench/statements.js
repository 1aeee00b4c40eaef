#!/usr/bin/env node
/**
 * The SQL statements a run of requests makes, counted by shape: hazard reports (`submit`) or pledge signatures
 * (`sign`), one at a time (`seq`) or all at once (`par`, where group commit folds them into batches).
 *
 * Starts the server (demo seed) on a scratch MariaDB database, warms it with 20 requests, then turns MariaDB's
 * general_log on (log_output = TABLE) only while the measured requests run, and counts the statements of this
 * server's own connections (the log is global: other databases' traffic on the same MariaDB is left out by
 * connection id). Used for bench/RESULTS.md, "what one submit asks of MariaDB". Needs a MariaDB you may reconfigure
 * for a few seconds (general_log back to 0, log_output as it was, the log table emptied at the end).
 *
 *   node bench/statements.js submit|sign seq|par [N=32]   (env: MYSQL_URL, XA_SERVER_MAIN for another build)
 */
const path = require('node:path');
const { startServer, httpClient, sleep } = require('./lib');

const SERVER_DIR = path.join(__dirname, '..', 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));
const sharp = require(require.resolve('sharp', { paths: [SERVER_DIR] }));
const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const CATS = ['road_traffic', 'construction', 'industry_trade', 'hazardous_chemicals', 'fireworks'];

/** A 1000×400 stroke PNG like the pledges bench's. */
async function strokes() {
  let d = '';
  for (let s = 0; s < 5; s++) d += `<path d="M ${80 + s * 170} 200 q 40 -120 80 0 t 60 40" fill="none" stroke="#111" stroke-width="7"/>`;
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="400">${d}</svg>`))
    .png()
    .toBuffer();
}

async function main() {
  const [what = 'submit', mode = 'par', n = '32'] = process.argv.slice(2);
  const N = Number(n);
  const db = `xa_bench_stmts_${process.pid}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const srv = await startServer(`${MYSQL_URL}/${db}`);
  const c = httpClient(srv.base, 16);
  const json = { 'content-type': 'application/json' };
  try {
    const login = async (openid) => JSON.parse((await c.request('POST', '/api/auth/dev', json, JSON.stringify({ openid }))).body);
    let send;
    if (what === 'submit') {
      const auth = { authorization: `Bearer ${(await login('demo-resident')).token}` };
      const body = (i) =>
        JSON.stringify({ category: CATS[i % CATS.length], description: `语句记录 ${i}`, lat: 29.58 + (i % 50) * 0.001, lng: 106.48 + (i % 40) * 0.001 });
      send = (i) => c.request('POST', '/api/hazards', { ...auth, ...json, 'Idempotency-Key': `stmts-${process.pid}-${i}` }, body(i));
    } else {
      const town = await login('demo-town');
      const tauth = { authorization: `Bearer ${town.token}` };
      const tpl = JSON.parse((await c.request('GET', '/api/pledge-templates', tauth)).body).find((t) => t.kind === 'production_responsibility');
      const camp = JSON.parse(
        (
          await c.request(
            'POST',
            '/api/pledge-campaigns',
            { ...tauth, ...json },
            JSON.stringify({
              templateVersionId: tpl.latest.id,
              orgId: town.user.orgId,
              title: '语句记录责任书',
              deadline: new Date(Date.now() + 86400_000).toISOString(),
            }),
          )
        ).body,
      );
      const signers = [];
      for (let i = 0; i < N + 20; i++) signers.push({ authorization: `Bearer ${(await login(`stmts-signer-${i}`)).token}` });
      const image = JSON.stringify(`data:image/png;base64,${(await strokes()).toString('base64')}`);
      send = (i) =>
        c.request(
          'POST',
          `/api/pledge-campaigns/${camp.id}/signatures`,
          { ...signers[i], ...json, 'Idempotency-Key': `stmts-${process.pid}-${i}` },
          `{"fields":${JSON.stringify({ unitName: `语句企业${i}`, principalName: '张三', phone: `139${String(i).padStart(8, '0')}` })},"signatures":[{"role":"principal","image":${image}}]}`,
        );
    }
    const ok = async (i) => {
      const r = await send(i);
      if (r.status !== 201) throw new Error(`${r.status} ${r.body}`);
    };
    for (let i = N; i < N + 20; i++) await ok(i); // warm-up: JIT, pools, caches
    await sleep(500);
    const [pl] = await admin.query('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?', [db]);
    const [[{ output }]] = await admin.query('SELECT @@GLOBAL.log_output AS output');
    await admin.query("SET GLOBAL log_output = 'TABLE'");
    await admin.query('TRUNCATE mysql.general_log');
    await admin.query('SET GLOBAL general_log = 1');
    try {
      if (mode === 'seq') for (let i = 0; i < N; i++) await ok(i);
      else await Promise.all(Array.from({ length: N }, (_, i) => ok(i)));
      await sleep(1500); // the in-process job after each batch
    } finally {
      await admin.query('SET GLOBAL general_log = 0');
      await admin.query('SET GLOBAL log_output = ?', [output]); // as it was (the table keeps what was logged)
    }
    const [rows] = await admin.query("SELECT thread_id, argument FROM mysql.general_log WHERE command_type IN ('Query', 'Execute')");
    const [opened] = await admin.query('SELECT DISTINCT thread_id FROM mysql.general_log WHERE argument LIKE ?', [`%${db}%`]);
    const ids = new Set([...pl.map((p) => Number(p.ID)), ...opened.map((t) => Number(t.thread_id))]);
    const mine = rows.filter((r) => ids.has(Number(r.thread_id))).map((r) => String(r.argument));
    const shape = (a) =>
      a
        .replace(/\s+/g, ' ')
        .replace(/'[^']*'/g, '?')
        .replace(/\b\d+(\.\d+)?\b/g, '?')
        .replace(/\((\?, )*\?\)(, \((\?, )*\?\))+/g, '(…), …')
        .slice(0, 160);
    await admin.query('TRUNCATE mysql.general_log');
    const counts = new Map();
    for (const a of mine) counts.set(shape(a), (counts.get(shape(a)) || 0) + 1);
    console.log(`${what} ${mode}: ${N} requests, ${mine.length} statements, ${(mine.length / N).toFixed(1)} per request`);
    for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) console.log(String(v).padStart(5), k);
  } finally {
    c.close();
    await srv.stop();
    await admin.query(`DROP DATABASE \`${db}\``);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
