/**
 * The CI check that the weapp main package stays under WeChat's 2 MB (miniapp/scripts/check-weapp-size.js)
 * really fails when it should: fake weapp builds with the main package just under, just over, and with the
 * weight in the officer subpackage (which does not count), source maps (not uploaded), and no build at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../support/server';

const SCRIPT = join(REPO_ROOT, 'miniapp', 'scripts', 'check-weapp-size.js');
const KB = 1024;
let root: string;

beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'xa-weapp-size-'))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakeBuild(name: string, files: Record<string, number>, subPackages = [{ root: 'officer/' }]) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.json'), JSON.stringify({ pages: ['pages/index/index'], subPackages: subPackages.map((s) => ({ ...s, pages: ['x/index'] })) }));
  for (const [rel, size] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), Buffer.alloc(size, 97));
  }
  return dir;
}

const check = (dir: string) => spawnSync(process.execPath, [SCRIPT, '--dir', dir], { encoding: 'utf8' });

test('passes a main package under 2 MB, however big the officer subpackage is', () => {
  const r = check(fakeBuild('ok', { 'app.js': 900 * KB, 'vendors.js': 1000 * KB, 'officer/ledger/index.js': 3000 * KB, 'vendors.js.map': 4000 * KB }));
  expect(r.stdout).toMatch(/main package: 1900\.\d KB/);
  expect(r.status).toBe(0);
});

test('fails when the main package grows past 2 MB', () => {
  const r = check(fakeBuild('big', { 'app.js': 1000 * KB, 'vendors.js': 1000 * KB, 'pages/home/index.js': 60 * KB, 'officer/ledger/index.js': 10 * KB }));
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/FAIL: main package 2060\.\d KB exceeds 2048 KB/);
});

test('a page moved out of the subpackage counts against the main package', () => {
  const r = check(fakeBuild('moved', { 'app.js': 1500 * KB, 'officerx/ledger/index.js': 600 * KB }, [{ root: 'officer' }]));
  expect(r.status).toBe(1);
});

test('no build is an error, not a pass', () => {
  const r = check(join(root, 'nothing-here'));
  expect(r.status).toBe(2);
});
