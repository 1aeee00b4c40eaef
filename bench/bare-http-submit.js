/**
 * The ceiling of any HTTP write on this machine: a bare `node:http` server, no framework, no auth, no validation,
 * no logging, that answers each POST with exactly the raw writes of one report (bench/same-writes.js, the same
 * function hazards.bench.js runs as its raw baseline) over a `mysql2` pool.
 * hazards.bench.js starts it as a child process, so the server, the load generator and MariaDB share the cores
 * the way they do when the real server is measured.
 *
 *   node bench/bare-http-submit.js <mysql url> <port>     prints "ready" once it listens
 */
const http = require('node:http');
const { createPool } = require('mysql2/promise');
const { reportTarget, writeReport } = require('./same-writes');

const [dbUrl, port] = process.argv.slice(2);
const pool = createPool({ uri: dbUrl, connectionLimit: 18, timezone: 'Z' });

async function main() {
  const target = await reportTarget(pool);
  http
    .createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        const b = JSON.parse(Buffer.concat(chunks).toString());
        writeReport(pool, target, {
          counter: 'bare-http',
          prefix: 'YH-BH',
          category: b.category,
          description: b.description,
          clientKey: req.headers['idempotency-key'] ?? null,
        }).then(
          (out) => {
            res.writeHead(201, { 'content-type': 'application/json' });
            res.end(JSON.stringify(out));
          },
          (e) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(String(e));
          },
        );
      });
    })
    .listen(Number(port), '127.0.0.1', () => console.log('ready'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
