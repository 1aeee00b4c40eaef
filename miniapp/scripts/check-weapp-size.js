#!/usr/bin/env node
/**
 * Sums dist/weapp without the subpackage roots (read from dist/weapp/app.json) and fails when the
 * main package exceeds WeChat's 2 MB limit. Usage: node scripts/check-weapp-size.js [--max-kb N] [--dir path/to/weapp]
 */
const fs = require('fs');
const path = require('path');

const dirIdx = process.argv.indexOf('--dir');
const dist = dirIdx > 0 ? path.resolve(process.argv[dirIdx + 1]) : path.resolve(__dirname, '..', 'dist', 'weapp');
const LIMIT_KB = 2048;
const argIdx = process.argv.indexOf('--max-kb');
const maxKb = argIdx > 0 ? Number(process.argv[argIdx + 1]) : LIMIT_KB;

if (!fs.existsSync(path.join(dist, 'app.json'))) {
  console.error(`No weapp build at ${dist}; run \`pnpm --filter @xiangan/miniapp build:weapp\` first.`);
  process.exit(2);
}

const app = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'));
const subRoots = (app.subPackages || app.subpackages || []).map((s) => s.root.replace(/\/+$/, ''));

// WeChat DevTools does not upload these
const IGNORED = [/\.map$/, /^project\.config\.json$/, /^project\.private\.config\.json$/];

function walk(dir, rel = '') {
  let files = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) files = files.concat(walk(path.join(dir, ent.name), r));
    else if (!IGNORED.some((re) => re.test(r))) files.push({ rel: r, size: fs.statSync(path.join(dir, ent.name)).size });
  }
  return files;
}

const files = walk(dist);
const inSub = (rel) => subRoots.find((root) => rel === root || rel.startsWith(`${root}/`));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let main = 0;
const subs = Object.fromEntries(subRoots.map((r) => [r, 0]));
for (const f of files) {
  const root = inSub(f.rel);
  if (root) subs[root] += f.size;
  else main += f.size;
}

const biggest = files
  .filter((f) => !inSub(f.rel))
  .sort((a, b) => b.size - a.size)
  .slice(0, 5);
console.log(`main package: ${kb(main)} (limit ${maxKb} KB)`);
for (const f of biggest) console.log(`  ${kb(f.size).padStart(10)}  ${f.rel}`);
for (const [root, size] of Object.entries(subs)) console.log(`subpackage ${root}/: ${kb(size)}`);
console.log(`total: ${kb(main + Object.values(subs).reduce((a, b) => a + b, 0))}`);

if (main > maxKb * 1024) {
  console.error(`FAIL: main package ${kb(main)} exceeds ${maxKb} KB`);
  process.exit(1);
}
console.log('OK');
