#!/usr/bin/env node
/**
 * Writes `.br` and `.gz` beside every text file of the h5 build (js, css, html, svg, json, map-free), so the server
 * sends compressed bytes without compressing per request (server/src/common/http/h5-static.ts picks one by the
 * client's Accept-Encoding). Brotli at its best quality and gzip level 9: built once, served many times.
 *   node scripts/precompress-h5.js [dir]     (default dist/h5)
 */
const { readdirSync, readFileSync, writeFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');
const zlib = require('node:zlib');

const dir = resolve(process.argv[2] || join(__dirname, '..', 'dist', 'h5'));
const TEXT = /\.(js|css|html|svg|json|wasm)$/;

function* files(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (TEXT.test(e.name)) yield p;
  }
}

let raw = 0,
  br = 0,
  gz = 0,
  n = 0;
for (const p of files(dir)) {
  const buf = readFileSync(p);
  if (buf.length < 256) continue; // a header costs more than it saves
  const b = zlib.brotliCompressSync(buf, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
  const g = zlib.gzipSync(buf, { level: 9 });
  writeFileSync(p + '.br', b);
  writeFileSync(p + '.gz', g);
  raw += buf.length;
  br += b.length;
  gz += g.length;
  n += 1;
}
const kb = (x) => `${(x / 1024).toFixed(0)} KB`;
console.log(`precompressed ${n} files in ${dir}: ${kb(raw)} → brotli ${kb(br)}, gzip ${kb(gz)}`);
if (!statSync(dir).isDirectory()) process.exit(1);
