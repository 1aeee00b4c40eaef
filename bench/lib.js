/** What every benchmark needs: percentiles, a free port, and the built server started on a scratch database. */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const ROOT = path.join(__dirname, '..');
const SERVER_DIR = path.join(ROOT, 'server');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** p-th percentile (nearest rank) of a list of numbers; NaN for an empty list. */
function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

const freePort = () =>
  new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

/**
 * Starts `server/dist/main.js` (or XA_SERVER_MAIN) on a free port against `dbUrl` — it migrates, and seeds the
 * demo town into an empty database — with rate limits out of the way, in-process jobs and its own upload folder.
 * Resolves once /api/health answers; `stop()` ends it and removes the folder. `main`: another build's main.js.
 */
async function startServer(dbUrl, extraEnv = {}, { main } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xa-bench-'));
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: dbUrl,
    SEED_DEMO: 'true',
    H5_DIR: '',
    LOG_LEVEL: 'warn',
    STORAGE_DIR: path.join(dir, 'uploads'),
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_WRITES_PER_MINUTE: '10000000',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...extraEnv,
  };
  if (!extraEnv.REDIS_URL) delete env.REDIS_URL;
  const child = spawn(process.execPath, [...profArgs(), main || process.env.XA_SERVER_MAIN || path.join(SERVER_DIR, 'dist', 'main.js')], {
    cwd: SERVER_DIR,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${err}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 180_000) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${err}`);
    }
    await sleep(250);
  }
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { base, port, child, dir, stop };
}

/**
 * One request over `agent` (node:http): resolves { status, headers, raw } with the answer's bytes as they came.
 * `timeoutMs`: the request is given up after that long without activity (none when 0).
 */
function sendRaw(agent, method, base, urlPath, headers = {}, payload, timeoutMs = 0) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const h = payload === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(payload) };
    const req = http.request({ hostname, port, path: urlPath, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * A load generator's HTTP client: node:http over a keep-alive agent of `sockets` connections. It costs the
 * shared cores about half of what fetch (undici) does per request, so more of them are left to the server
 * under test. Resolves { status, body } with the body as text.
 */
function httpClient(base, sockets = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const request = (method, urlPath, headers = {}, body) =>
    sendRaw(agent, method, base, urlPath, headers, body).then((r) => ({ status: r.status, body: r.raw.toString() }));
  return { request, close: () => agent.destroy() };
}

/**
 * The benches' own client for the requests they time or load with: node:http over a keep-alive agent, asking for
 * the compression fetch asks for (`gzip, deflate`, so the server does the same work) and unpacking the answer, as
 * a client must. fetch (undici) cost ≈ 1 ms of the shared cores per request at the mixed knee and added ≈ 1.1 ms
 * of its own to each timed request here (WHATWG streams and headers in the bench process, bench/RESULTS.md
 * 2026-12-04 "The benches' client") — neither is the server's. BENCH_CLIENT=fetch sends with fetch as before
 * (for comparison with runs before 2026-12-04 21:34 UTC).
 * `send(method, base, path, headers, payload)` resolves { status, body }: JSON parsed when the answer says JSON,
 * else the text. `agent`: a keep-alive agent of its own; without one each base gets one with no socket limit (open
 * loop: a request never waits for a free connection, as with fetch).
 */
const UNPACK = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync };
function benchClient({ agent } = {}) {
  const agents = new Map();
  const parse = (contentType, text) => {
    if (!(contentType || '').includes('json')) return text;
    return text ? JSON.parse(text) : null;
  };
  if (process.env.BENCH_CLIENT === 'fetch') {
    return {
      kind: 'fetch',
      send: async (method, base, urlPath, headers = {}, payload) => {
        const r = await fetch(base + urlPath, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
        return { status: r.status, body: parse(r.headers.get('content-type'), await r.text()) };
      },
      close: () => undefined,
    };
  }
  const agentOf = (base) => {
    if (agent) return agent;
    if (!agents.has(base)) agents.set(base, new http.Agent({ keepAlive: true }));
    return agents.get(base);
  };
  const send = async (method, base, urlPath, headers = {}, payload) => {
    const r = await sendRaw(agentOf(base), method, base, urlPath, { accept: '*/*', 'accept-encoding': 'gzip, deflate', ...headers }, payload, 30_000);
    const unpack = UNPACK[r.headers['content-encoding']];
    return { status: r.status, body: parse(r.headers['content-type'], (unpack ? unpack(r.raw) : r.raw).toString()) };
  };
  const close = () => {
    agent?.destroy();
    for (const a of agents.values()) a.destroy();
    agents.clear();
  };
  return { kind: 'node:http', send, close };
}

/** The client the ledger and feed latencies are timed with: benchClient over one keep-alive connection. */
function latencyClient(base) {
  const c = benchClient({ agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) });
  return { kind: c.kind, get: (urlPath, headers) => c.send('GET', base, urlPath, headers), close: c.close };
}

/** CPU time (user + system, ms) a process has used so far, from /proc; NaN where /proc is not there. */
function cpuMs(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 1/100 s (USER_HZ on Linux)
  } catch {
    return NaN;
  }
}

/**
 * Profiling: with BENCH_PROF=<dir> every server a bench starts runs under `node --cpu-prof` writing into <dir>
 * (the profile is written when the server exits). Boot (migrations, seeding, module loading) would swamp a
 * profile, so a bench marks the windows it measures with `profMark(label, fn)`: it appends { label, from, to }
 * (CLOCK_MONOTONIC µs, the clock V8's profiler stamps samples with; `from` may be given, e.g. a step's start) to
 * <dir>/windows.jsonl, and
 * bench/profile-summary.js counts only samples inside those windows (per label with --label).
 */
const PROF_DIR = process.env.BENCH_PROF ? path.resolve(process.env.BENCH_PROF) : '';
function profArgs() {
  if (!PROF_DIR) return [];
  fs.mkdirSync(PROF_DIR, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`];
}
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
async function profMark(label, fn, from = monoUs()) {
  try {
    return await fn();
  } finally {
    if (PROF_DIR) fs.appendFileSync(path.join(PROF_DIR, 'windows.jsonl'), `${JSON.stringify({ label, from, to: monoUs() })}\n`);
  }
}

/**
 * CPU time a set of processes spends on one measured stretch of work: `const m = cpuMeter(pids)` before,
 * `m.perItem(n)` after → ms of CPU (user + system, /proc) per item for each pid, summed over the pids as `total`.
 */
function cpuMeter(pids) {
  const before = pids.map((p) => cpuMs(p));
  return {
    used: () => pids.reduce((a, p, i) => a + (cpuMs(p) - before[i]), 0),
    perItem(n) {
      return n > 0 ? Math.round((this.used() / n) * 100) / 100 : NaN;
    },
  };
}

/**
 * The MariaDB the bench talks to: of the mariadbd/mysqld processes, the one listening on the URL's port (another
 * engineer's private server on another port — a test's — must not be measured instead: pidof lists the newest first).
 */
function mariadbPid(mysqlUrl) {
  const port = String(new URL(mysqlUrl).port || 3306);
  for (const name of ['mariadbd', 'mysqld']) {
    let pids = [];
    try {
      pids = execFileSync('pidof', [name]).toString().trim().split(' ').map(Number);
    } catch {
      continue;
    }
    const portOf = (pid) => {
      try {
        const arg = fs
          .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .find((a) => a.startsWith('--port='));
        return arg ? arg.slice('--port='.length) : '3306';
      } catch {
        return '';
      }
    };
    const mine = pids.find((pid) => portOf(pid) === port);
    if (mine) return mine;
    if (pids.length) return pids[0];
  }
  return 0;
}

module.exports = {
  ROOT,
  SERVER_DIR,
  sleep,
  pct,
  freePort,
  startServer,
  httpClient,
  benchClient,
  latencyClient,
  cpuMs,
  cpuMeter,
  mariadbPid,
  profArgs,
  profMark,
};
