/**
 * Reads on a read replica (issue 18, item 4): the same read load — the hazard ledger (town and county officers, a
 * status filter on every other page) and the publicity feed (residents) — against one server on a MariaDB primary
 * alone, then against the same server with the replica in DATABASE_REPLICA_URLS. Reported per request: p50/p95, the
 * server's CPU and each mariadbd's CPU (/proc), so the figures show where the reads' database work went.
 *
 *   node bench/replica.bench.js        (REPLICA_REQUESTS=1500 REPLICA_CONCURRENCY=8 by default)
 *
 * The pair is private (the shared 127.0.0.1:3306 is never touched): two `mariadbd` in temp datadirs on free ports,
 * the replica replicating from the primary's first binlog event by GTID, as test/api/read-replicas.spec.ts sets it up.
 * The data is the demo town the server seeds (a few hundred hazards): this measures routing and its cost, not scale —
 * bench/hazards.bench.js has the 1M-row ledger. Both databases share this machine's cores, so the throughput of the
 * two runs says little; the CPU split per request is the figure (on TencentDB the replica is another machine).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { createConnection } = require('mysql2/promise');
const { cpuMeter, freePort, httpClient, pct, profMark, sleep, startServer } = require('./lib');

const REQUESTS = Number(process.env.REPLICA_REQUESTS || 1500);
const CONCURRENCY = Number(process.env.REPLICA_CONCURRENCY || 8);
const DB = 'xa_bench_replica';
const r2 = (x) => Math.round(x * 100) / 100;
const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((f) => fs.existsSync(f)) || 'mariadbd';

async function query(base, sql, params = []) {
  const c = await createConnection({ uri: base, multipleStatements: true });
  try {
    return (await c.query(sql, params))[0];
  } finally {
    await c.end();
  }
}

/** A private mariadbd (root, no password, loopback) in a temp datadir; `args` adds options. */
async function privateMariadb(args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xa-bench-db-'));
  const datadir = path.join(dir, 'data');
  fs.mkdirSync(datadir);
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
  execFileSync('mariadb-install-db', ['--user=mysql', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db'], {
    stdio: 'pipe',
  });
  const port = await freePort();
  const base = `mysql://root@127.0.0.1:${port}`;
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      '--user=mysql',
      `--datadir=${datadir}`,
      `--port=${port}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      '--bind-address=127.0.0.1',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=128M',
      '--max-connections=300',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      `--log-error=${path.join(dir, 'error.log')}`,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  for (let t0 = Date.now(); ;) {
    try {
      await query(base, 'SELECT 1');
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() - t0 > 60_000) throw new Error(`mariadbd on ${port} did not start: ${e.message}`);
      await sleep(200);
    }
  }
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 150 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { base, port, pid: child.pid, stop };
}

async function caughtUp(primary, replica) {
  for (let t0 = Date.now(); Date.now() - t0 < 120_000; await sleep(250)) {
    const [[p], [r]] = await Promise.all([query(primary.base, 'SELECT @@gtid_binlog_pos AS g'), query(replica.base, 'SELECT @@gtid_slave_pos AS g')]);
    if (p.g === r.g) return;
  }
  throw new Error('the replica did not catch up within 2 minutes');
}

/** Drives the read mix with CONCURRENCY requests in flight; CPU per request of the server and both databases. */
async function drive(server, pids, sessions) {
  const client = httpClient(server.base, CONCURRENCY);
  const routes = [
    (n) => ['ledger (town)', `/api/hazards?page=1&pageSize=20${n % 2 ? '&status=reported' : ''}`, sessions.town],
    (n) => ['ledger (county)', `/api/hazards?page=1&pageSize=20${n % 2 ? '&status=reported' : ''}`, sessions.county],
    (n) => ['feed', '/api/feed?page=1&pageSize=20', sessions.residents[n % sessions.residents.length]],
  ];
  const call = async (n) => {
    const [name, url, token] = routes[n % routes.length](n);
    const t = performance.now();
    const r = await client.request('GET', url, { authorization: `Bearer ${token}` });
    if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.body.slice(0, 200)}`);
    return [name, performance.now() - t];
  };
  for (let i = 0; i < 60; i++) await call(i); // warm-up: plans, pools, JIT
  const byRoute = {};
  const all = [];
  const cpu = cpuMeter([server.child.pid]);
  const primaryCpu = cpuMeter([pids.primary]);
  const replicaCpu = cpuMeter([pids.replica]);
  const t0 = performance.now();
  let next = 0;
  await profMark('replica-reads', () =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const [name, ms] = await call(next++);
          (byRoute[name] ??= []).push(ms);
          all.push(ms);
        }
      }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  return {
    requestsPerSecond: Math.round(REQUESTS / seconds),
    p50: r2(pct(all, 50)),
    p95: r2(pct(all, 95)),
    ...Object.fromEntries(Object.entries(byRoute).map(([k, v]) => [k, { p50: r2(pct(v, 50)), p95: r2(pct(v, 95)) }])),
    serverCpuMsPerRequest: cpu.perItem(REQUESTS),
    primaryCpuMsPerRequest: primaryCpu.perItem(REQUESTS),
    replicaCpuMsPerRequest: replicaCpu.perItem(REQUESTS),
  };
}

async function run() {
  const [primary, replica] = await Promise.all([
    privateMariadb(['--server-id=1', '--log-bin=primary-bin']),
    privateMariadb(['--server-id=2', '--relay-log=replica-relay']),
  ]);
  let server = null;
  try {
    await query(
      replica.base,
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos; START SLAVE`,
    );
    await query(primary.base, `CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const primaryUrl = `${primary.base}/${DB}`;
    const replicaEnv = {
      DATABASE_REPLICA_URLS: `${replica.base}/${DB}`,
      DATABASE_REPLICA_STICKY_SECONDS: '1',
      DATABASE_REPLICA_CHECK_SECONDS: '1',
    };

    // the demo town, and sessions of two officers and 30 residents (logins write: done before either run)
    server = await startServer(primaryUrl);
    const client = httpClient(server.base, 4);
    const login = async (openid, role, orgId) => {
      const r = await client.request(
        'POST',
        '/api/auth/dev',
        { 'content-type': 'application/json' },
        JSON.stringify({ openid, ...(role ? { role, orgId } : {}) }),
      );
      if (r.status !== 200 && r.status !== 201) throw new Error(`login ${openid}: ${r.status} ${r.body}`);
      return JSON.parse(r.body).token;
    };
    const sessions = { town: await login('demo-town'), county: await login('demo-county'), residents: [] };
    const villages = (await query(primaryUrl, "SELECT id FROM org_unit WHERE type IN ('village', 'community') ORDER BY id")).map((v) => v.id);
    for (let i = 0; i < 30; i++) sessions.residents.push(await login(`replica-res-${i}`, 'resident', villages[i % villages.length]));
    client.close();
    await caughtUp(primary, replica);
    const pids = { primary: primary.pid, replica: replica.pid };
    const loadBefore = os.loadavg().map(r2);

    const primaryOnly = await drive(server, pids, sessions);
    await server.stop();

    server = await startServer(primaryUrl, replicaEnv);
    for (let t0 = Date.now(); ; await sleep(250)) {
      const h = await (await fetch(`${server.base}/api/health`)).json();
      if (h.replicas?.[0]?.ok) break;
      if (Date.now() - t0 > 30_000) throw new Error(`the replica is not in use: ${JSON.stringify(h.replicas)}`);
    }
    await sleep(1500); // past the read-your-writes window of the logins
    const withReplica = await drive(server, pids, sessions);

    const out = {
      loadavg: { before: loadBefore, after: os.loadavg().map(r2) },
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      primaryOnly,
      withReplica,
      // the primary's database CPU per read with the replica in use, over without: ~0 when the reads moved
      primaryDbCpuVsPrimaryOnly: r2(withReplica.primaryCpuMsPerRequest / primaryOnly.primaryCpuMsPerRequest),
      serverCpuVsPrimaryOnly: r2(withReplica.serverCpuMsPerRequest / primaryOnly.serverCpuMsPerRequest),
    };
    console.log(JSON.stringify(out, null, 2));
    return out;
  } finally {
    await server?.stop();
    await Promise.all([replica.stop(), primary.stop()]);
  }
}

module.exports = { run };
if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
