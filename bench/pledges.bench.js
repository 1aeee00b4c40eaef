/**
 * Signing throughput against MariaDB over HTTP, next to a raw mysql2 baseline.
 *
 * Starts `node server/dist/main.js` on a scratch MariaDB database (migrations + demo seed), creates a campaign of a
 * one-signer template (安全生产责任书), and keeps CONCURRENCY signers busy for DURATION_S seconds, each POSTing a
 * ~15 KB hand-signature PNG with an Idempotency-Key. Every answer must be 201; afterwards the chain must verify.
 * Baseline: the same number of rows of the same shape inserted with plain mysql2 single-row INSERTs at the same
 * concurrency into a copy of pledge_signature (no HTTP, no PNG decode, no storage, no chain lock).
 *
 * With PLEDGE_BENCH_PROCESSES=2 it starts two server processes on the same database (stateless replicas, as
 * deployed) and the signers go round-robin over them. "server CPU / signature" is the CPU time (user + system, from
 * /proc) all server processes used during the measured window divided by the signatures in that window: it is
 * meaningful even on a loaded machine, where the wall-clock figures depend on how much CPU the server got.
 *
 *   node bench/pledges.bench.js   (env: PLEDGE_BENCH_CONCURRENCY=32 PLEDGE_BENCH_SECONDS=20 PLEDGE_BENCH_PROCESSES=1
 *                                  PLEDGE_BENCH_DIST=server/dist PLEDGE_BENCH_PROF=<dir for --cpu-prof> MYSQL_URL=mysql://root@127.0.0.1:3306)
 *
 * A/B on a loaded machine: PLEDGE_BENCH_DISTS=<distA>,<distB> starts one server process per build on the same
 * database and sends the signers round-robin over them, so both builds see the same load at the same moments;
 * http.perProcess gives each build's server CPU per signature it answered (e.g. main's build against this one).
 */
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVER_DIR = path.join(ROOT, 'server');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, SERVER_DIR] }));
const sharp = require(require.resolve('sharp', { paths: [SERVER_DIR] }));
const { benchClient, cpuMs, freePort, pct, profArgs, profMark } = require('./lib');

const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const CONCURRENCY = Number(process.env.PLEDGE_BENCH_CONCURRENCY || 32);
const DURATION_S = Number(process.env.PLEDGE_BENCH_SECONDS || 20);
const PROCESSES_DEFAULT = Math.max(1, Number(process.env.PLEDGE_BENCH_PROCESSES || 1));
const DIST = path.resolve(ROOT, process.env.PLEDGE_BENCH_DIST || path.join(SERVER_DIR, 'dist'));
const WARMUP_S = 3;

/** A signature-like PNG of about 15 KB (strokes of varying width on a 1000×400 canvas, about what a dpr-2 phone sends). */
async function signaturePng() {
  let d = '';
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let s = 0; s < 5; s++) {
    let x = 80 + s * 170,
      y = 200;
    d += `<path d="M ${x} ${y}`;
    for (let i = 0; i < 30; i++) {
      x += (rnd() - 0.3) * 14;
      y += (rnd() - 0.5) * 50;
      y = Math.max(40, Math.min(360, y));
      d += ` L ${x.toFixed(1)} ${y.toFixed(1)}`;
    }
    d += `" fill="none" stroke="#111" stroke-width="${(5 + rnd() * 4).toFixed(1)}" stroke-linecap="round" stroke-linejoin="round"/>`;
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="400">${d}</svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 6 }).toBuffer();
}

/** The load's client (bench/lib.js benchClient: node:http, or fetch with BENCH_CLIENT=fetch). */
const client = benchClient();

async function call(base, method, p, { token, body, headers = {} } = {}) {
  // a string body is sent as it is (the signing loop builds its JSON by concatenation: the client shares the 2 cores)
  return client.send(
    method,
    base,
    p,
    { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  );
}

/** `processes`: server processes sharing the database (bench/pledges-two-processes.bench.js passes 2). */
async function run({ processes = PROCESSES_DEFAULT } = {}) {
  const dists = (process.env.PLEDGE_BENCH_DISTS || '')
    .split(',')
    .filter(Boolean)
    .map((d) => path.resolve(ROOT, d));
  const PROCESSES = dists.length || processes;
  const distOf = (i) => dists[i] ?? DIST;
  const dbName = `xa_bench_pledges_${process.pid}_${PROCESSES}`;
  const admin = await mysql.createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'xa-bench-pledges-'));
  const servers = [];
  const startServer = async () => {
    const port = await freePort();
    const dist = distOf(servers.length);
    if (process.env.PLEDGE_BENCH_PROF && !process.env.BENCH_PROF) process.env.BENCH_PROF = process.env.PLEDGE_BENCH_PROF;
    const child = spawn(process.execPath, [...profArgs(), path.join(dist, 'main.js')], {
      cwd: SERVER_DIR,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        DATABASE_URL: `${MYSQL_URL}/${dbName}`,
        REDIS_URL: '',
        SEED_DEMO: 'true',
        H5_DIR: '',
        LOG_LEVEL: 'warn',
        STORAGE_DIR: path.join(dataDir, 'uploads'),
        RATE_LIMIT_PER_MINUTE: '10000000',
        RATE_LIMIT_WRITES_PER_MINUTE: '10000000',
        DB_POOL_SIZE: '20',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const srv = { child, base: `http://127.0.0.1:${port}`, out: '', dist, measured: 0 };
    servers.push(srv);
    child.stdout.on('data', (d) => (srv.out += d));
    child.stderr.on('data', (d) => {
      srv.out += d;
      if (process.env.PLEDGE_TIMING) process.stderr.write(d);
    });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${srv.base}/api/health`)).ok) break;
      } catch {
        /* starting */
      }
      if (child.exitCode !== null || i > 240) throw new Error(`server did not start:\n${srv.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    return srv;
  };
  const figures = {};
  try {
    // the first one migrates and seeds; the others start on the ready database (as replicas behind a balancer would)
    await startServer();
    for (let p = 1; p < PROCESSES; p++) await startServer();
    const base = servers[0].base;
    const cpuAll = () => servers.reduce((a, s) => a + cpuMs(s.child.pid), 0);
    const town = (await call(base, 'POST', '/api/auth/dev', { body: { openid: 'demo-town' } })).body;
    const tpls = (await call(base, 'GET', '/api/pledge-templates', { token: town.token })).body;
    const tpl = tpls.find((t) => t.kind === 'production_responsibility');
    const camp = (
      await call(base, 'POST', '/api/pledge-campaigns', {
        token: town.token,
        body: {
          templateVersionId: tpl.latest.id,
          orgId: town.user.orgId,
          title: '压测安全生产责任书',
          deadline: new Date(Date.now() + 86400_000).toISOString(),
        },
      })
    ).body;
    const signers = [];
    for (let i = 0; i < 50; i++) signers.push((await call(base, 'POST', '/api/auth/dev', { body: { openid: `bench-signer-${i}` } })).body.token);
    const png = await signaturePng();
    const image = `data:image/png;base64,${png.toString('base64')}`;
    const imagePart = `,"signatures":[{"role":"principal","image":${JSON.stringify(image)}}]}`;
    figures.pngBytes = png.length;

    // ---- HTTP signing, sustained concurrency ----
    let n = 0;
    const lat = [];
    const statuses = {};
    const t0 = Date.now();
    let cpuAtStart = NaN;
    let clientAtStart = null;
    let cpuEach = [];
    setTimeout(() => {
      cpuAtStart = cpuAll();
      cpuEach = servers.map((x) => cpuMs(x.child.pid));
      clientAtStart = process.cpuUsage();
    }, WARMUP_S * 1000);
    const measureFrom = t0 + WARMUP_S * 1000;
    const stopAt = measureFrom + DURATION_S * 1000;
    let measured = 0;
    const signing = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < stopAt) {
          const i = n++;
          const s = Date.now();
          const srv = servers[i % servers.length];
          const r = await call(srv.base, 'POST', `/api/pledge-campaigns/${camp.id}/signatures`, {
            token: signers[i % signers.length],
            headers: { 'Idempotency-Key': `bench-${camp.id}-${i}-k` },
            body: `{"fields":${JSON.stringify({ unitName: `压测企业${i}`, principalName: '张三', phone: `139${String(i).padStart(8, '0')}` })}${imagePart}`,
          });
          const e = Date.now();
          statuses[r.status] = (statuses[r.status] || 0) + 1;
          if (r.status !== 201 && statuses[r.status] < 3) console.error('unexpected', r.status, JSON.stringify(r.body).slice(0, 300));
          if (s >= measureFrom && e <= stopAt) {
            lat.push(e - s);
            measured++;
            srv.measured++;
          }
        }
      }),
    );
    // the profile (BENCH_PROF) counts the measured window only
    await new Promise((r) => setTimeout(r, Math.max(0, measureFrom - Date.now())));
    await profMark('signing', () => Promise.race([signing, new Promise((r) => setTimeout(r, Math.max(0, stopAt - Date.now())))]));
    await signing;
    const cpuUsed = cpuAll() - cpuAtStart;
    // per process (per build with PLEDGE_BENCH_DISTS): CPU over the window ÷ the signatures it answered in the window
    const perProcess = Object.fromEntries(
      servers.map((x, j) => [
        `p${j + 1}`,
        {
          dist: path.relative(ROOT, x.dist) || x.dist,
          signatures: x.measured,
          serverCpuMsPerSignature: +((cpuMs(x.child.pid) - cpuEach[j]) / x.measured).toFixed(2),
        },
      ]),
    );
    const clientCpu = process.cpuUsage(clientAtStart);
    const clientMs = (clientCpu.user + clientCpu.system) / 1000;
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    figures.http = {
      client: client.kind,
      processes: PROCESSES,
      concurrency: CONCURRENCY,
      seconds: DURATION_S,
      requests: total,
      statuses,
      perSecond: +(measured / DURATION_S).toFixed(1),
      p50ms: pct(lat, 50),
      p99ms: pct(lat, 99),
      maxMs: Math.max(...lat),
      serverCpuMsPerSignature: +(cpuUsed / measured).toFixed(2),
      serverCpuShare: +(cpuUsed / (DURATION_S * 1000)).toFixed(2),
      clientCpuMsPerSignature: +(clientMs / measured).toFixed(2),
      loadAvg: os.loadavg().map((x) => +x.toFixed(1)),
      ...(servers.length > 1 ? { perProcess } : {}),
    };
    const verify = (await call(base, 'GET', `/api/pledge-campaigns/${camp.id}/verify`, { token: town.token })).body;
    figures.chain = { ok: verify.ok, count: verify.count, created: statuses[201] || 0 };

    // ---- raw mysql2 baseline: equivalent rows, same concurrency, single-row INSERTs ----
    const pool = mysql.createPool({ uri: `${MYSQL_URL}/${dbName}`, connectionLimit: CONCURRENCY });
    await pool.query('CREATE TABLE bench_raw_signature LIKE pledge_signature');
    const pngHash = createHash('sha256').update(png).digest('hex');
    const rawLat = [];
    let k = 0;
    const r0 = Date.now();
    const rawStop = r0 + Math.min(DURATION_S, 10) * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < rawStop) {
          const i = k++;
          const fields = JSON.stringify({ unitName: `压测企业${i}`, principalName: '张三', phone: `139${String(i).padStart(8, '0')}` });
          const h = createHash('sha256')
            .update(fields + i)
            .digest('hex');
          const s = Date.now();
          await pool.execute(
            'INSERT INTO bench_raw_signature (campaignId, seq, rosterEntryId, groupName, dedupeKey, signerUserId, clientKey, templateVersionId, contentHash, fields, images, signedAt, prevHash, chainHash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
            [
              camp.id,
              i + 1,
              null,
              `压测企业${i}`,
              h,
              1,
              `raw-${i}`,
              tpl.latest.id,
              tpl.latest.contentHash,
              fields,
              JSON.stringify([{ role: 'principal', key: `pledges/x/${i}.png`, sha256: pngHash }]),
              new Date(),
              h,
              h,
            ],
          );
          rawLat.push(Date.now() - s);
        }
      }),
    );
    const rawSecs = (Date.now() - r0) / 1000;
    figures.rawMysql2 = { concurrency: CONCURRENCY, rows: k, perSecond: +(k / rawSecs).toFixed(1), p50ms: pct(rawLat, 50), p99ms: pct(rawLat, 99) };
    await pool.end();
  } finally {
    client.close();
    await Promise.all(
      servers.map((s) => {
        if (s.child.exitCode !== null) return null;
        s.child.kill('SIGTERM');
        return new Promise((r) => s.child.once('exit', r));
      }),
    );
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

module.exports = { run };

if (require.main === module) {
  run().then(
    (f) => {
      console.log(JSON.stringify(f, null, 2));
      console.log(
        `pledge signing over HTTP: ${f.http.perSecond}/s p50 ${f.http.p50ms} ms p99 ${f.http.p99ms} ms (c=${f.http.concurrency}, ${f.http.processes} process(es), ${f.pngBytes} B PNG) | raw mysql2 INSERT: ${f.rawMysql2.perSecond}/s p50 ${f.rawMysql2.p50ms} ms p99 ${f.rawMysql2.p99ms} ms | server CPU ${f.http.serverCpuMsPerSignature} ms/signature, used ${f.http.serverCpuShare} cores (bench client ${f.http.clientCpuMsPerSignature} ms/signature), load ${f.http.loadAvg.join(' ')} | chain ok=${f.chain.ok} ${f.chain.count}/${f.chain.created}`,
      );
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
