#!/usr/bin/env node
/**
 * `pnpm bench`: runs every bench/*.bench.js in one go (each exports run() → figures, baseline included; each
 * starts its own server on its own scratch MariaDB database), prints one table, and rewrites the
 * "Latest full run" section of bench/RESULTS.md with the machine and the date.
 *
 *   node bench/run-all.js                 all benches
 *   node bench/run-all.js mixed pledges   only these (file name without .bench.js)
 *   BENCH_NO_WRITE=1 node bench/run-all.js   print only, leave RESULTS.md alone
 * A figure whose name says "Vs"/"ratio" (ours / the raw baseline) is shown in the ratio column.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIR = __dirname;
const RESULTS = path.join(DIR, 'RESULTS.md');
const START = '<!-- latest-full-run:start -->';
const END = '<!-- latest-full-run:end -->';
const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';

/** { a: { b: 1 } } → [['a.b', 1]] (numbers and booleans only). */
function flatten(o, prefix = '', out = []) {
  for (const [k, v] of Object.entries(o ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') out.push([key, v]);
  }
  return out;
}

const isRatio = (k) => /vs|ratio/i.test(k.split('.').pop());
const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : String(v));

async function machine() {
  let mariadb = 'unknown';
  try {
    const mysql = require(require.resolve('mysql2/promise', { paths: [DIR, path.join(DIR, '..', 'server')] }));
    const c = await mysql.createConnection(MYSQL_URL);
    const [[row]] = await c.query('SELECT VERSION() AS v');
    mariadb = row.v;
    await c.end();
  } catch (e) {
    mariadb = `unreachable (${e.message})`;
  }
  return {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? 'cpu'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    mariadb,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
  };
}

/**
 * The machine's phase: ms for a fixed loop of JSON work (300,000 stringify + parse), run before each bench. This
 * 2-core VM's speed moves by up to 1.7× within minutes (415–427 ms at one moment, 243–255 ms seven minutes later,
 * bench/RESULTS.md 2026-12-05); the floors are absolute times and rates, so a run says which phase it ran in.
 */
function referenceLoopMs() {
  const t = process.hrtime.bigint();
  const o = { a: 1, b: 'x', c: [1, 2, 3], d: { e: '中文字' } };
  let s = 0;
  for (let i = 0; i < 300_000; i++) {
    s += JSON.stringify(o).length;
    s += JSON.parse('{"x":[1,2,3],"y":"abc"}').x.length;
  }
  if (s < 0) throw new Error('unreachable');
  return Math.round(Number(process.hrtime.bigint() - t) / 1e6);
}

function table(rows) {
  const head = ['bench', 'figure', 'value', 'ratio (ours / raw)'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function markdown(m, results) {
  const out = [
    START,
    '## Latest full run',
    '',
    `Written by \`pnpm bench\` (bench/run-all.js) — ${m.date}. Machine: ${m.cpus}, ${m.memory} RAM, Node ${m.node}, MariaDB ${m.mariadb}, ${m.os}.`,
    'Each bench runs the server on its own scratch MariaDB database with a raw `mysql2` baseline in the same run; ratios are ours ÷ raw.',
    '',
    '| bench | figure | value | ratio (ours / raw) | ',
    '| --- | --- | ---: | ---: |',
  ];
  for (const r of results) {
    if (r.error) {
      out.push(`| ${r.name} | **failed** | ${r.error.replace(/\|/g, '/').slice(0, 200)} | | `);
      continue;
    }
    out.push(`| ${r.name} | (took ${r.seconds.toFixed(0)} s; reference loop before it ${r.loopMs} ms) | | |`);
    for (const [k, v] of flatten(r.figures)) out.push(`| | ${k} | ${isRatio(k) ? '' : fmt(v)} | ${isRatio(k) ? fmt(v) : ''} |`);
  }
  out.push('', END);
  return out.join('\n');
}

function writeResults(md) {
  let text = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + md + text.slice(b + END.length);
  else {
    // right after the title, so the latest run is what one reads first
    const nl = text.indexOf('\n');
    text = nl >= 0 ? `${text.slice(0, nl + 1)}\n${md}\n${text.slice(nl + 1)}` : `${text}\n\n${md}\n`;
  }
  fs.writeFileSync(RESULTS, text);
}

async function main() {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => !only.length || only.includes(f.replace(/\.bench\.js$/, '')))
    .sort();
  if (!files.length) throw new Error('no bench/*.bench.js matched');
  const m = await machine();
  console.error(`machine: ${JSON.stringify(m)}\nbenches: ${files.join(', ')}`);
  const results = [];
  for (const f of files) {
    const name = f.replace(/\.bench\.js$/, '');
    const loopMs = referenceLoopMs();
    const t = Date.now();
    console.error(`\n▶ ${name} (the machine's reference loop: ${loopMs} ms)`);
    try {
      const mod = require(path.join(DIR, f));
      if (typeof mod.run !== 'function') throw new Error(`${f} does not export run()`);
      const figures = await mod.run();
      results.push({ name, figures, seconds: (Date.now() - t) / 1000, loopMs });
      console.error(`✔ ${name} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    } catch (e) {
      results.push({ name, error: e.message ?? String(e), seconds: (Date.now() - t) / 1000 });
      console.error(`✘ ${name}: ${e.stack ?? e}`);
    }
  }
  const rows = [];
  for (const r of results) {
    if (r.error) rows.push([r.name, 'FAILED', r.error.slice(0, 80), '']);
    else for (const [k, v] of flatten(r.figures)) rows.push([r.name, k, isRatio(k) ? '' : fmt(v), isRatio(k) ? fmt(v) : '']);
  }
  console.log(`\n${table(rows)}\n\n${m.cpus}, ${m.memory}, Node ${m.node}, MariaDB ${m.mariadb} — ${m.date}`);
  if (!process.env.BENCH_NO_WRITE && !only.length) {
    writeResults(markdown(m, results));
    console.error(`bench/RESULTS.md: "Latest full run" rewritten`);
  } else if (!process.env.BENCH_NO_WRITE) console.error('(a partial run does not rewrite RESULTS.md; run without arguments for the full table)');
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
