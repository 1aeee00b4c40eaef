/**
 * End-to-end mixed load: residents reporting hazards and signing a pledge, officers browsing the ledger, a
 * hazard's detail and the feed — open-loop (requests arrive at a fixed rate whether or not earlier ones have
 * finished, as phones do) and stepped up until p99 passes 300 ms or errors appear. Reports the highest rate
 * that kept p99 ≤ 300 ms on this machine, next to a raw mysql2 baseline doing the equivalent reads and
 * inserts (the ledger page + counts, the feed page, a hazard-shaped insert) at the same concurrency.
 *
 * Loopback only; bounded: at most MIXED_MAX_STEPS steps of MIXED_STEP_SECONDS each (default 16 × 8 s; it stops at the first step whose p99 passes 300 ms).
 * With MIXED_PROCESSES=2 (bench/mixed-two-processes.bench.js) two server processes share the database, as stateless
 * replicas behind a balancer: the requests go round-robin over them and the server CPU is the sum of both.
 * Each step prints CPU ms per request of the server(s), of MariaDB and of this process (the load generator): on a
 * machine that runs all three, their sum against the cores says how far the knee can move.
 *   node bench/mixed.bench.js      (env: MYSQL_URL, MIXED_STEP_SECONDS, MIXED_MAX_STEPS, MIXED_START_RPS, MIXED_PROCESSES)
 */
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVER_DIR = path.join(ROOT, 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));

const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const STEP_S = Number(process.env.MIXED_STEP_SECONDS || 8);
const MAX_STEPS = Number(process.env.MIXED_MAX_STEPS || 16);
const START_RPS = Number(process.env.MIXED_START_RPS || 10);
const P99_LIMIT = 300;
const MAX_OUTSTANDING = 1500;

const r1 = (x) => Math.round(x * 10) / 10;
const { benchClient, cpuMeter, mariadbPid, pct, profMark, sleep, startServer } = require('./lib');
const { mixedOps, mixedPeople } = require('./mixed-ops');

/** The load's client (bench/lib.js benchClient: node:http, or fetch with BENCH_CLIENT=fetch). */
const client = benchClient();

async function call(base, method, p, token, body, headers = {}) {
  const t = performance.now();
  const h = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers };
  try {
    const r = await client.send(method, base, p, h, body ? JSON.stringify(body) : undefined);
    return { ...r, ms: performance.now() - t };
  } catch (e) {
    return { status: -1, body: String(e), ms: performance.now() - t };
  }
}

async function run({ processes = Number(process.env.MIXED_PROCESSES || 1) } = {}) {
  const dbName = `xa_bench_mixed_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const dbUrl = `${MYSQL_URL}/${dbName}`;
  const servers = [];
  try {
    // the first one migrates and seeds; the others start on the ready database
    for (let p = 0; p < processes; p++) servers.push(await startServer(dbUrl));
    const base = servers[0].base;
    const people = await mixedPeople(call, base, 'mixed');
    const { someHazard } = people;

    let n = 0;
    // the load's requests go round-robin over the processes (setup and logins go to the first: tokens are stateless)
    const at = () => servers[n % servers.length].base;
    const ops = mixedOps(people, call, at, () => n, 'mixed');
    const total = ops.reduce((a, o) => a + o[0], 0);
    const pick = (i) => {
      let x = (i * 7919) % total;
      for (const o of ops) {
        if (x < o[0]) return o;
        x -= o[0];
      }
      return ops[0];
    };

    const steps = [];
    let rate = START_RPS;
    // what the rest of the machine spends per request: MariaDB, and this process (the load generator)
    const dbPid = mariadbPid(MYSQL_URL);
    let best = null;
    for (let s = 0; s < MAX_STEPS; s++) {
      const lat = [];
      const byOp = {};
      let errors = 0;
      let outstanding = 0;
      let dropped = 0;
      const inflight = [];
      const t0 = performance.now();
      const from = Number(process.hrtime.bigint() / 1000n);
      const cpu = cpuMeter(servers.map((x) => x.child.pid));
      const dbCpu = cpuMeter(dbPid ? [dbPid] : []);
      const genCpu = cpuMeter([process.pid]);
      const count = Math.round(rate * STEP_S);
      for (let i = 0; i < count; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        if (outstanding > MAX_OUTSTANDING) {
          dropped++;
          continue;
        }
        const o = pick(n);
        n++;
        outstanding++;
        inflight.push(
          o[2]().then((r) => {
            outstanding--;
            lat.push(r.ms);
            (byOp[o[1]] ??= []).push(r.ms);
            if (r.status < 200 || r.status >= 300) errors++;
          }),
        );
      }
      await Promise.all(inflight);
      const took = (performance.now() - t0) / 1000;
      // server CPU (ms, /proc) per request of the mix; the step's window goes to the profile (BENCH_PROF)
      const serverCpuMs = cpu.perItem(lat.length);
      const mariadbCpuMs = dbPid ? dbCpu.perItem(lat.length) : NaN;
      const loadGeneratorCpuMs = genCpu.perItem(lat.length);
      await profMark('mixed', async () => undefined, from);
      const step = {
        offeredRps: rate,
        achievedRps: r1(lat.length / took),
        p50: r1(pct(lat, 50)),
        p95: r1(pct(lat, 95)),
        p99: r1(pct(lat, 99)),
        errors,
        dropped,
        serverCpuMs,
        mariadbCpuMs,
        loadGeneratorCpuMs,
        load1: r1(os.loadavg()[0]),
        p99ByOp: Object.fromEntries(Object.entries(byOp).map(([k, v]) => [k, r1(pct(v, 99))])),
      };
      steps.push(step);
      process.stderr.write(`mixed: ${JSON.stringify(step)}\n`);
      const ok = step.p99 <= P99_LIMIT && errors <= lat.length * 0.01 && !dropped;
      if (ok) best = step;
      if (!ok) break;
      // finer steps near the top (446 → 526 → 621): the floor's 525 req/s is a step of its own
      rate = Math.round(rate * (rate < 100 ? 1.5 : rate < 400 ? 1.3 : 1.18));
    }

    // raw baseline: the same mix of reads and a hazard-shaped insert with mysql2, closed loop at 16 connections
    const pool = mysql.createPool({ uri: dbUrl, connectionLimit: 16, timezone: 'Z' });
    await pool.query('CREATE TABLE hazard_raw_copy LIKE hazard');
    const [[townRow]] = await pool.query("SELECT path FROM org_unit WHERE name = '石桥镇'");
    const [[tpl]] = await pool.query('SELECT * FROM hazard WHERE id = ?', [someHazard.id]);
    let rawDone = 0;
    let k = 0;
    const rawLat = [];
    const rawEnd = performance.now() + 6000;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < rawEnd) {
          const i = k++;
          const t = performance.now();
          const w = (i * 7919) % total;
          if (w < 40) {
            const row = { ...tpl, id: undefined, code: `RAW-${i}-${process.pid}`, clientKey: `raw-${i}`, description: `raw ${i}` };
            delete row.id;
            const cols = Object.keys(row);
            await pool.query(`INSERT INTO hazard_raw_copy (${cols.map((c) => `\`${c}\``).join(',')}) VALUES (?)`, [cols.map((c) => row[c])]);
          } else if (w < 80) {
            await pool.query('SELECT * FROM hazard WHERE orgPath LIKE ? ORDER BY id DESC LIMIT 20', [`${townRow.path}%`]);
            await pool.query('SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? GROUP BY status', [`${townRow.path}%`]);
          } else {
            await pool.query('SELECT * FROM message ORDER BY id DESC LIMIT 20');
          }
          rawLat.push(performance.now() - t);
          rawDone++;
        }
      }),
    );
    await pool.end();
    const rawPerSec = Math.round(rawDone / 6);

    return {
      processes,
      client: client.kind,
      p99LimitMs: P99_LIMIT,
      sustainedRpsAtP99Under300: best ? best.achievedRps : 0,
      firstFailingStep: steps[steps.length - 1] !== best ? steps[steps.length - 1] : 'none within the step limit',
      steps: Object.fromEntries(
        steps.map((x) => [
          `${x.offeredRps}rps`,
          {
            achieved: x.achievedRps,
            p50: x.p50,
            p95: x.p95,
            p99: x.p99,
            errors: x.errors,
            serverCpuMsPerRequest: x.serverCpuMs,
            mariadbCpuMsPerRequest: x.mariadbCpuMs,
            loadGeneratorCpuMsPerRequest: x.loadGeneratorCpuMs,
            load1: x.load1,
          },
        ]),
      ),
      rawMixOpsPerSec: rawPerSec,
      rawMixP99Ms: r1(pct(rawLat, 99)),
      mixedVsRaw: best ? Math.round((best.achievedRps / rawPerSec) * 100) / 100 : 0,
    };
  } finally {
    client.close();
    for (const x of servers) await x.stop();
    const c = await mysql.createConnection(MYSQL_URL);
    await c.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await c.end();
  }
}

module.exports = { run };

if (require.main === module) {
  run()
    .then((f) => {
      console.log(JSON.stringify(f, null, 2));
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
