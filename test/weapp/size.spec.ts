/**
 * Package sizes as WeChat counts them at upload (source maps and project.config.json are not uploaded):
 * the main package stays under 1 MB (it loads before the first page on a slow village connection; WeChat's own
 * limit is 2 MB) and every subpackage under WeChat's 2 MB.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildFiles, subPackages, WEAPP_DIR } from './build';

const KB = 1024;
const files = buildFiles().filter((f) => !/^project(\.private)?\.config\.json$/.test(f));
const roots = subPackages().map((s) => s.root);
const size = (pred: (f: string) => boolean) => files.filter(pred).reduce((n, f) => n + statSync(join(WEAPP_DIR, f)).size, 0);
const inRoot = (f: string, r: string) => f.startsWith(`${r}/`);

test('the main package is under 1 MB', () => {
  const main = size((f) => !roots.some((r) => inRoot(f, r)));
  expect(Math.round(main / KB)).toBeLessThan(1024);
});

test.each(roots)('subpackage %s is under 2 MB', (root) => {
  expect(Math.round(size((f) => inRoot(f, root)) / KB)).toBeLessThan(2048);
});
