/**
 * Starts the built server (`node server/dist/main.js`) on a free port with a fresh SQLite file (seeded with the
 * demo town on first start), serving the h5 build, and waits for /api/health.
 *
 *   const srv = await startServer();  // { baseUrl, port, dataDir, stop() }
 *   ...; await srv.stop();
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SERVER_DIR = join(REPO_ROOT, 'server');
export const H5_DIR = join(REPO_ROOT, 'miniapp', 'dist', 'h5');

export interface RunningServer {
  baseUrl: string;
  port: number;
  dataDir: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  env?: Record<string, string | undefined>;
  /** ms to wait for /api/health (default 60 s). */
  timeout?: number;
  /** Require the h5 build to exist (default true). */
  requireH5?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Settings that change what the first start writes into an empty database: a server started with any of them set
 * by the caller migrates and seeds its own database; every other one starts from a copy of the run's seeded one.
 */
const SHAPES_DATABASE = ['DATABASE_URL', 'SQLITE_PATH', 'SEED_DEMO', 'NODE_ENV', 'WECHAT_TPL_PUBLICITY'];

/**
 * The demo town as a fresh server's first start leaves it (migrated and seeded), made once per test run and copied
 * into each new server's data dir: the migrations and the seed are half of a server's start (2.9 of 5.6 s of CPU here),
 * and a browser run starts one server per file. One jest run shares it (support/global-setup.js names the run; the
 * first worker to need it builds it under a lock, the others wait); null when there is no run name (a plain
 * `startServer` outside jest) or it could not be made — the server then seeds its own.
 */
async function seededTemplate(main: string): Promise<string | null> {
  const run = process.env.XA_E2E_RUN;
  if (!run) return null;
  const dir = join(tmpdir(), `xa-e2e-seed-${run}`);
  const file = join(dir, 'seeded.sqlite');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  try {
    closeSync(openSync(join(dir, 'lock'), 'wx'));
  } catch {
    // another worker is building it
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
      if (existsSync(file)) return file;
      if (existsSync(join(dir, 'failed'))) return null;
    }
    return null;
  }
  const building = mkdtempSync(join(dir, 'build-'));
  try {
    const srv = await spawnAndWait(main, { ...baseEnv(await freePort(), building, H5_DIR), H5_DIR: '' }, building);
    await srv.stop(false);
    // a clean shutdown checkpoints SQLite's WAL into the file; if one is left, the copy would lose it: build none
    if (existsSync(join(building, 'xiangan.sqlite-wal'))) throw new Error('the seeded database kept a WAL file after shutdown');
    renameSync(join(building, 'xiangan.sqlite'), file);
    return file;
  } catch (e) {
    closeSync(openSync(join(dir, 'failed'), 'w'));
    console.warn(`support/server: no seeded template (${String(e).split('\n')[0]}); each server seeds its own`);
    return null;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function baseEnv(port: number, dataDir: string, h5Dir: string): Record<string, string | undefined> {
  return {
    ...process.env,
    // a clean SQLite server unless the caller asks otherwise
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    NODE_ENV: 'development',
    PORT: String(port),
    SQLITE_PATH: join(dataDir, 'xiangan.sqlite'),
    STORAGE_DIR: join(dataDir, 'uploads'),
    LOG_LEVEL: 'warn',
    H5_DIR: h5Dir,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  };
}

export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const main = join(SERVER_DIR, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run \`pnpm --filter @xiangan/shared build && pnpm --filter @xiangan/server build\``);
  if ((opts.requireH5 ?? true) && !existsSync(join(H5_DIR, 'index.html'))) {
    throw new Error(`${H5_DIR}/index.html missing: run \`pnpm --filter @xiangan/miniapp build:h5\``);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'xiangan-e2e-'));
  const env = { ...baseEnv(port, dataDir, H5_DIR), ...opts.env };
  if (!Object.keys(opts.env ?? {}).some((k) => SHAPES_DATABASE.includes(k))) {
    const template = await seededTemplate(main);
    if (template) copyFileSync(template, env.SQLITE_PATH!);
  }
  try {
    return await spawnAndWait(main, env, dataDir, opts.timeout);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Spawns the server with `env` and waits for /api/health; stop() ends it and (by default) removes its data dir. */
async function spawnAndWait(
  main: string,
  envIn: Record<string, string | undefined>,
  dataDir: string,
  timeout = 60000,
): Promise<RunningServer & { stop(removeData?: boolean): Promise<void> }> {
  const env = { ...envIn };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const port = Number(env.PORT);

  const child: ChildProcess = spawn(process.execPath, [main], { cwd: SERVER_DIR, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (removeData = true) => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    if (removeData) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop(false);
      throw new Error(`server exited with ${exited} before it was healthy:\n${out.slice(-4000)}`);
    }
    try {
      const r = await fetch(`${baseUrl}/api/health`);
      if (r.ok) return { baseUrl, port, dataDir, output: () => out, stop };
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  await stop(false);
  throw new Error(`server not healthy within ${timeout} ms:\n${out.slice(-4000)}`);
}
