/**
 * The weapp build under test and the facts every weapp spec shares.
 *   WEAPP_DIR   miniapp/dist/weapp (or XA_WEAPP_DIR, e.g. a copy of an older build to show a failure)
 *   API_ORIGIN  the https origin the build was made for (TARO_APP_API_BASE=https://api.xiangan.test/api);
 *               the harness routes it to the local test server
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { REPO_ROOT } from '../support/server';

export const WEAPP_DIR = process.env.XA_WEAPP_DIR || join(REPO_ROOT, 'miniapp', 'dist', 'weapp');
export const API_BASE = 'https://api.xiangan.test/api';
export const API_ORIGIN = new URL(API_BASE).origin;

export interface AppJson {
  pages: string[];
  subPackages?: { root: string; pages: string[] }[];
  subpackages?: { root: string; pages: string[] }[];
  [k: string]: unknown;
}

export function requireBuild(): void {
  if (!existsSync(join(WEAPP_DIR, 'app.json'))) {
    throw new Error(`no weapp build at ${WEAPP_DIR}: run \`TARO_APP_API_BASE=${API_BASE} pnpm --filter @xiangan/miniapp build:weapp\``);
  }
}

export function appJson(): AppJson {
  requireBuild();
  return JSON.parse(readFileSync(join(WEAPP_DIR, 'app.json'), 'utf8'));
}

export function subPackages(app = appJson()): { root: string; pages: string[] }[] {
  return (app.subPackages ?? app.subpackages ?? []).map((s) => ({ root: s.root.replace(/\/+$/, ''), pages: s.pages }));
}

/** Every page route of app.json: main package first, then each subpackage (`officer/ledger/index`). */
export function allPages(app = appJson()): string[] {
  return [...app.pages, ...subPackages(app).flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))];
}

/** Files of the build (relative, `/`-separated), source maps left out as DevTools does not upload them. */
export function buildFiles(ext?: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith('.map') && (!ext || name.endsWith(ext))) out.push(relative(WEAPP_DIR, p).split('\\').join('/'));
    }
  };
  requireBuild();
  walk(WEAPP_DIR);
  return out.sort();
}

/** WeChat's compilers as the npm package miniprogram-compiler ships them (it chmods them itself too). */
export function compilerBin(name: 'wcc' | 'wcsc'): string {
  const p = join(dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux', name);
  chmodSync(p, 0o755);
  return p;
}

export interface WxssResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** error lines (`ERR: officer/sub-vendors.wxss(1:74): error at token `*``), each naming its file */
  errors: string[];
}

let wxssCache: WxssResult | null = null;
/** One wcsc run over every WXSS of the build, as DevTools does (pages and components first, `-pc` their count). */
export function compileWxss(): WxssResult {
  if (wxssCache) return wxssCache;
  const wxss = buildFiles('.wxss');
  const withJson = new Set(buildFiles('.json').map((f) => f.replace(/\.json$/, '.wxss')));
  const pages = wxss.filter((f) => withJson.has(f));
  const r = spawnSync(compilerBin('wcsc'), ['-db', '-pc', String(pages.length), ...pages, ...wxss.filter((f) => !withJson.has(f))], {
    cwd: WEAPP_DIR,
    maxBuffer: 64 << 20,
  });
  const stderr = r.stderr.toString();
  return (wxssCache = {
    status: r.status,
    stdout: r.stdout.toString(),
    stderr,
    errors: stderr.split('\n').filter((l) => l.trim() && !/^error file count/.test(l)),
  });
}

/** The wcsc errors of one WXSS file. */
export function wxssErrors(file: string): string[] {
  return compileWxss().errors.filter((l) => l.replace(/^ERR:\s*/, '').startsWith(`${file}(`) || l.includes(`from \`${file}\``));
}

/** The WXSS files a page's style pulls in (its own and every `@import`, recursively). */
export function wxssOf(route: string): string[] {
  const out: string[] = [];
  const visit = (f: string) => {
    if (out.includes(f) || !existsSync(join(WEAPP_DIR, f))) return;
    out.push(f);
    for (const m of readFileSync(join(WEAPP_DIR, f), 'utf8').matchAll(/@import\s+["']([^"']+)["']/g))
      visit(posix.normalize(posix.join(posix.dirname(f), m[1])));
  };
  visit('app.wxss');
  visit(`${route}.wxss`);
  return out;
}
