/**
 * The weapp build under test and the facts every weapp spec shares.
 *   WEAPP_DIR   miniapp/dist/weapp (or XA_WEAPP_DIR, e.g. a copy of an older build to show a failure)
 *   API_ORIGIN  the https origin the build was made for (TARO_APP_API_BASE=https://api.xiangan.test/api);
 *               the harness routes it to the local test server
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
