/**
 * The ceiling of any HTTP write on this machine: a bare `node:http` server, no framework, no auth, no validation,
 * no logging, that answers each POST with exactly the raw same-writes transaction of hazards.bench.js (code
 * from the counter, hazard, event, month row, tally rows; one commit) over a `mysql2` pool.
 * hazards.bench.js starts it as a child process, so the server, the load generator and MariaDB share the cores
 * the way they do when the real server is measured.
 *
 *   node bench/bare-http-submit.js <mysql url> <port>     prints "ready" once it listens
 */
const http = require('node:http');
const { createPool } = require('mysql2/promise');

const [dbUrl, port] = process.argv.slice(2);
const pool = createPool({ uri: dbUrl, connectionLimit: 18, timezone: 'Z' });

async function main() {
  const [[v]] = await pool.query("SELECT id, path FROM org_unit WHERE name = '柳林村'");
  const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
  const units = [0, ...v.path.split('/').filter(Boolean).map(Number)];

  async function write(b, key) {
    const c = await pool.getConnection();
    try {
      const [seq] = await c.query("INSERT INTO counter (name, value) VALUES ('bare-http', LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)");
      const code = `YH-BH-${seq.insertId}`;
      await c.beginTransaction();
      const [r] = await c.query(
        "INSERT INTO hazard (code, category, level, status, description, textCheck, orgId, orgPath, reporterId, anonymous, clientKey, createdAt, updatedAt) VALUES (?, ?, 'general', 'reported', ?, 'pass', ?, ?, 1, 0, ?, NOW(3), NOW(3))",
        [code, b.category, b.description, v.id, v.path, key],
      );
      await c.query("INSERT INTO hazard_event (hazardId, action, toStatus, actorId, createdAt) VALUES (?, 'report', 'reported', 1, NOW(3))", [r.insertId]);
      await c.query(
        "INSERT INTO hazard_month (orgId, month, category, orgPath, found, rectified, closed, major, inProgress, rejected, escalated, closedTimed, closeSeconds, closedIn) VALUES (?, ?, ?, ?, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0) ON DUPLICATE KEY UPDATE found = found + 1, inProgress = inProgress + 1",
        [v.id, month, b.category, v.path],
      );
      await c.query(
        `INSERT INTO hazard_tally (unitId, status, category, level, dueMonth, n) VALUES ${units.map(() => "(?, 'reported', ?, 'general', '', 1)").join(', ')} ON DUPLICATE KEY UPDATE n = n + VALUES(n)`,
        units.flatMap((u) => [u, b.category]),
      );
      await c.commit();
      return { id: r.insertId, code };
    } catch (e) {
      await c.rollback().catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  http
    .createServer((req, res) => {
      const chunks = [];
      req.on('data', (d) => chunks.push(d));
      req.on('end', () => {
        write(JSON.parse(Buffer.concat(chunks).toString()), req.headers['idempotency-key'] ?? null).then(
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
