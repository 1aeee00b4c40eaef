/**
 * Starts the built server (`node server/dist/main.js`) on a free port with a fresh SQLite file (seeded with the
 * demo town on first start), serving the h5 build, and waits for /api/health.
 *
 *   const srv = await startServer();  // { baseUrl, port, dataDir, stop() }
 *   ...; await srv.stop();
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const main = join(SERVER_DIR, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run \`pnpm --filter @xiangan/shared build && pnpm --filter @xiangan/server build\``);
  if ((opts.requireH5 ?? true) && !existsSync(join(H5_DIR, 'index.html'))) {
    throw new Error(`${H5_DIR}/index.html missing: run \`pnpm --filter @xiangan/miniapp build:h5\``);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'xiangan-e2e-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    // a clean SQLite server unless the caller asks otherwise
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    NODE_ENV: 'development',
    PORT: String(port),
    SQLITE_PATH: join(dataDir, 'xiangan.sqlite'),
    STORAGE_DIR: join(dataDir, 'uploads'),
    LOG_LEVEL: 'warn',
    H5_DIR,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

  const child: ChildProcess = spawn(process.execPath, [main], { cwd: SERVER_DIR, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeout ?? 60000);
  while (Date.now() < deadline) {
    if (exited !== null) {
      await stop();
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
  await stop();
  throw new Error(`server not healthy within ${opts.timeout ?? 60000} ms:\n${out.slice(-4000)}`);
}
