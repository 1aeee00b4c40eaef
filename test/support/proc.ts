/**
 * Processes the proof suites drive: the BUILT server as a restartable child (kill -9 and start again on the
 * same port and database), scratch databases on the shared MariaDB, and a PRIVATE MariaDB / Redis that a fault
 * test may stop and kill without touching what the other engineers use (3306 / 6379).
 *
 *   const db = await scratchDatabase();                        // shared MariaDB, fresh database, dropped by db.drop()
 *   const srv = await spawnServer({ env: { DATABASE_URL: db.url, SEED_DEMO: 'true' } });
 *   srv.kill9(); await srv.start();                            // same port, same env
 *   const maria = await startPrivateMariadb(); maria.pause(); maria.resume(); await maria.restart();
 *   const redis = await startPrivateRedis(); await redis.stop(); await redis.start();
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort, H5_DIR, SERVER_DIR } from './server';

/** SIGKILL a child (waking it first if it was paused with SIGSTOP) and wait until it has exited. */
async function killHard(c: ChildProcess | null | undefined): Promise<void> {
  // a child killed by a signal has exitCode null and signalCode set: it is gone too
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGCONT');
  c.kill('SIGKILL');
  await gone;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `node server/dist/main.js` unless XA_SERVER_MAIN points at another build (handy while others rebuild dist). */
export const SERVER_MAIN = process.env.XA_SERVER_MAIN || join(SERVER_DIR, 'dist', 'main.js');
/** The build's directory (dist/testing/fake-wechat.js lives there too). */
export const SERVER_DIST = dirname(SERVER_MAIN);

/** Env every proof server gets: limits high enough for load (the limits themselves are tested in server/). */
export const PROOF_ENV: Record<string, string> = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_MINUTE: '10000000',
  RATE_LIMIT_WRITES_PER_MINUTE: '10000000',
  // the suites stand in for many phones behind one local proxy: they set X-Forwarded-For per simulated client
  TRUST_PROXY: 'loopback',
};

export interface ServerProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly env: Record<string, string>;
  pid(): number | undefined;
  running(): boolean;
  output(): string;
  /** Start (again) on the same port with the same env and wait for /api/health (any answer; 503 counts as up). */
  start(timeoutMs?: number): Promise<void>;
  /** SIGKILL, no goodbye (a crash / OOM kill). */
  kill9(): Promise<void>;
  /** SIGTERM then SIGKILL; removes the temp dir. */
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  env?: Record<string, string | undefined>;
  port?: number;
  timeoutMs?: number;
  /** Serve the h5 build (default: only when it exists). */
  h5?: boolean;
  /** Wait for a 200 from /api/health rather than any answer (default true). */
  healthy?: boolean;
}

export async function spawnServer(opts: SpawnServerOptions = {}): Promise<ServerProcess> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} missing: run \`pnpm --filter @xiangan/shared build && pnpm --filter @xiangan/server build\``);
  const port = opts.port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'xa-proof-'));
  const h5 = opts.h5 ?? existsSync(join(H5_DIR, 'index.html'));
  const env: Record<string, string> = {};
  const merged: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    SEED_DEMO: undefined,
    ...PROOF_ENV,
    PORT: String(port),
    SQLITE_PATH: join(dataDir, 'xiangan.sqlite'),
    STORAGE_DIR: join(dataDir, 'uploads'),
    H5_DIR: h5 ? H5_DIR : '',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited = true;
  let out = '';

  const launch = () => {
    const c = spawn(process.execPath, [SERVER_MAIN], { cwd: SERVER_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = false;
    c.stdout?.on('data', (d) => (out = (out + d).slice(-200_000)));
    c.stderr?.on('data', (d) => (out = (out + d).slice(-200_000)));
    c.on('exit', () => {
      if (child === c) exited = true;
    });
    child = c;
  };

  const waitExit = async (ms: number) => {
    for (let i = 0; i < ms / 50 && !exited; i++) await sleep(50);
  };

  const proc: ServerProcess = {
    baseUrl,
    port,
    env,
    pid: () => child?.pid,
    running: () => !exited,
    output: () => out,
    async start(timeoutMs = opts.timeoutMs ?? 90_000) {
      if (!exited) throw new Error('server already running');
      launch();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`server exited before it was up:\n${out.slice(-4000)}`);
        try {
          const r = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(3000) });
          if (r.ok || opts.healthy === false) return;
        } catch {
          /* not listening yet */
        }
        await sleep(200);
      }
      throw new Error(`server not up within ${timeoutMs} ms:\n${out.slice(-4000)}`);
    },
    async kill9() {
      if (exited || !child) return;
      child.kill('SIGKILL');
      await waitExit(5000);
    },
    async stop() {
      if (!exited && child) {
        child.kill('SIGTERM');
        await waitExit(5000);
        if (!exited) child.kill('SIGKILL');
        await waitExit(2000);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await proc.start();
  return proc;
}

// ---------------------------------------------------------------- scratch databases on the shared MariaDB

export const MYSQL_BASE = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new empty database (utf8mb4) on `base` (default the shared MariaDB); `drop()` removes it. */
export async function scratchDatabase(base = MYSQL_BASE, prefix = 'xa_proof'): Promise<ScratchDb> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const conn = await createConnection(base);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  return {
    name,
    url: `${base}/${name}`,
    drop: async () => {
      const c = await createConnection(base);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

// ---------------------------------------------------------------- a private MariaDB

export interface PrivateMariadb {
  port: number;
  /** `mysql://root@127.0.0.1:PORT` (no database). */
  base: string;
  pause(): void;
  resume(): void;
  /** SIGKILL the daemon (crash), then start it again on the same data dir. */
  crashAndRestart(downMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find(existsSync) ?? 'mariadbd';

async function waitTcpMysql(base: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const c = await createConnection({ uri: base, connectTimeout: 1000 });
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (e) {
      last = e;
      await sleep(200);
    }
  }
  throw new Error(`MariaDB at ${base} not up within ${ms} ms: ${(last as Error)?.message}`);
}

/**
 * A MariaDB of our own in a temp dir on a free port (root, empty password, loopback only, small buffers);
 * `args` adds server options (replication: `--server-id=N --log-bin`).
 * Nothing the other engineers use is touched.
 */
export async function startPrivateMariadb(opts: { args?: string[] } = {}): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'xa-fault-db-'));
  const datadir = join(dir, 'data');
  mkdirSync(datadir);
  execFileSync('chown', ['-R', 'mysql:mysql', dir]);
  execFileSync('mariadb-install-db', ['--user=mysql', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'pipe' });
  const port = await freePort();
  const base = `mysql://root@127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let out = '';
  const args = [
    '--no-defaults',
    '--user=mysql',
    `--datadir=${datadir}`,
    `--port=${port}`,
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=64M',
    '--innodb-log-file-size=32M',
    '--innodb-flush-log-at-trx-commit=1',
    '--max-connections=300',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--log-error=' + join(dir, 'error.log'),
    ...(opts.args ?? []), // e.g. --server-id=1 --log-bin for a replication primary
  ];
  const start = async () => {
    const c = spawn(MARIADBD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (d) => (out += d));
    c.stderr?.on('data', (d) => (out += d));
    child = c;
    await waitTcpMysql(base, 60_000);
  };
  const kill = () => killHard(child);
  await start();
  return {
    port,
    base,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async crashAndRestart(downMs = 3000) {
      await kill();
      await sleep(downMs);
      await start();
    },
    kill,
    start,
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGCONT');
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([gone, sleep(15_000)]);
        if (c.exitCode === null && c.signalCode === null) await kill();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- a private Redis

export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGKILL (no save: --save "" --appendonly no, so its queue is lost with it unless restarted with data). */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export async function startPrivateRedis(opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'xa-fault-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'];
  // persist: AOF on (fsync every write) so a restart keeps BullMQ's jobs, as a managed Redis would
  if (opts.persist) args.push('--save', '', '--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--save', '', '--appendonly', 'no');
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        if (
          execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' })
            .toString()
            .trim() === 'PONG'
        )
          return;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    throw new Error(`redis on ${port} not up`);
  };
  const kill = () => killHard(child);
  await start();
  return {
    port,
    url,
    start,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
