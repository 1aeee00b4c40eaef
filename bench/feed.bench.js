/**
 * Publicity feed at 100,000 users and 5,000 messages on MariaDB, next to a raw mysql2 query of the same page.
 *
 *   node bench/feed.bench.js        (FEED_USERS=100000 FEED_MESSAGES=5000 FEED_REQUESTS=400 by default)
 *
 * 1. scratch database; the built server (server/dist/main.js) runs the real migrations and seeds the demo town;
 * 2. FEED_USERS residents spread over the town's villages, grids, schools and enterprises (multi-row INSERTs);
 * 3. FEED_MESSAGES published messages over three years: a third to the whole town, the rest to one village,
 *    the schools or a group of enterprises — with message_audience rows as the service writes them — and
 *    ~30 % of users having read some of them (receipts);
 * 4. GET /api/feed (page 1 and page 3, 20 a page) for FEED_REQUESTS random users over HTTP — p50/p95 — and the
 *    same single statement the service runs (page ids, messages, unit name, receipt, reminder, total) run directly by
 *    mysql2 (the floor the HTTP figure stands on). Load average before and after is printed: the machine is shared.
 *    The HTTP figures are timed with node:http (BENCH_CLIENT=fetch: with fetch, as runs before 2026-12-04 21:34 UTC).
 */
const os = require('node:os');
const { createConnection } = require('mysql2/promise');

const MYSQL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const USERS = Number(process.env.FEED_USERS || 100_000);
const MESSAGES = Number(process.env.FEED_MESSAGES || 5_000);
const REQUESTS = Number(process.env.FEED_REQUESTS || 400);

const r2 = (x) => Math.round(x * 100) / 100;
const { cpuMeter, latencyClient, pct, profMark, startServer } = require('./lib');
const dt = (d) => d.toISOString().slice(0, 23).replace('T', ' ');

async function insertMany(db, sql, rows, batch = 5000) {
  for (let i = 0; i < rows.length; i += batch) await db.query(sql, [rows.slice(i, i + batch)]);
}

async function seed(db) {
  const [[town]] = await db.query("SELECT id, path FROM org_unit WHERE type = 'town' ORDER BY id LIMIT 1");
  const [units] = await db.query("SELECT id, path, type FROM org_unit WHERE path LIKE ? AND type IN ('village','community','grid','school','enterprise')", [
    `${town.path}%`,
  ]);
  const [[pub]] = await db.query("SELECT id FROM app_user WHERE openid = 'dev:demo-town'");
  const t0 = Date.now();
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const u = units[i % units.length];
    users.push([`dev:bench-u-${i}`, `村民${i}`, 'resident', u.id, u.path, 0]);
  }
  await insertMany(db, 'INSERT INTO app_user (openid, name, role, orgId, orgPath, disabled) VALUES ?', users);
  const tUsers = Date.now() - t0;

  const villages = units.filter((u) => u.type === 'village' || u.type === 'community');
  const schools = units.filter((u) => u.type === 'school');
  const ents = units.filter((u) => u.type === 'enterprise');
  const [[{ maxId }]] = await db.query('SELECT COALESCE(MAX(id), 0) AS maxId FROM message');
  const now = Date.now();
  const msgs = [];
  const aud = [];
  for (let i = 0; i < MESSAGES; i++) {
    const id = maxId + 1 + i;
    const at = new Date(now - Math.floor(((MESSAGES - i) / MESSAGES) * 3 * 365 * 86400_000));
    const kind = i % 3 === 0 ? 'town' : i % 3 === 1 ? 'village' : i % 2 ? 'school' : 'enterprise';
    const targets =
      kind === 'town' ? [town] : kind === 'village' ? [villages[i % villages.length]] : kind === 'school' ? schools : ents.slice(i % 3, (i % 3) + 4);
    msgs.push([
      id,
      `基准消息${i}`,
      JSON.stringify([{ type: 'p', text: `第${i}条安全提醒：请注意防火防溺水。` }]),
      'other',
      'published',
      i % 5 === 0 ? 1 : 0,
      pub.id,
      town.id,
      town.path,
      '[]',
      dt(at),
      dt(at),
      dt(at),
    ]);
    for (const t of targets) aud.push([id, t.id, t.path, '*', dt(at)]);
  }
  const t1 = Date.now();
  await insertMany(
    db,
    'INSERT INTO message (id, title, body, category, status, ackRequired, publisherId, orgId, orgPath, roles, publishedAt, createdAt, updatedAt) VALUES ?',
    msgs,
    2000,
  );
  await insertMany(db, 'INSERT INTO message_audience (messageId, targetOrgId, targetOrgPath, role, feedAt) VALUES ?', aud);
  // receipts: 30 % of users read a few of the newest town-wide messages
  const [ids] = await db.query("SELECT id, orgId, orgPath FROM app_user WHERE openid LIKE 'dev:bench-u-%' AND MOD(id, 10) < 3");
  const recent = msgs
    .filter((_, i) => i % 3 === 0)
    .slice(-10)
    .map((m) => m[0]);
  const rec = [];
  for (const u of ids) for (const m of recent.slice(0, 1 + (u.id % 4))) rec.push([m, u.id, u.orgId, u.orgPath, dt(new Date())]);
  await insertMany(db, 'INSERT INTO message_receipt (messageId, userId, userOrgId, userOrgPath, readAt) VALUES ?', rec);
  return { town, tUsers, tMessages: Date.now() - t1, receipts: rec.length, audienceRows: aud.length };
}

/**
 * The same page the service computes, as the same single statement: per-(unit, role) ranges merged, joined to
 * the messages, the publisher unit's name, the caller's receipt, the last reminder and the total.
 */
async function rawPage(db, user, page, pageSize) {
  const anc = user.orgPath.split('/').filter(Boolean).map(Number);
  const roles = ['*', 'resident'];
  const k = page * pageSize;
  const parts = [];
  const params = [];
  let n = 0;
  for (const o of anc)
    for (const r of roles) {
      parts.push(
        `SELECT * FROM (SELECT messageId, feedAt FROM message_audience WHERE targetOrgId = ? AND role = ? AND feedAt IS NOT NULL ORDER BY feedAt DESC, messageId DESC LIMIT ${k}) b${n++}`,
      );
      params.push(o, r);
    }
  const marks = (xs) => xs.map(() => '?').join(', ');
  const [rows] = await db.query(
    `SELECT m.id, m.title, m.body, m.category, m.ackRequired, m.publishedAt, m.createdAt, m.orgId, o.name AS orgName, r.readAt, r.ackedAt,
            (SELECT MAX(x.createdAt) FROM message_reminder x WHERE x.messageId = m.id AND x.orgId IN (${marks(anc)})) AS remindedAt,
            (SELECT COUNT(DISTINCT a.messageId) FROM message_audience a WHERE a.targetOrgId IN (${marks(anc)}) AND a.role IN (?, ?) AND a.feedAt IS NOT NULL) AS total
       FROM (SELECT messageId, MAX(feedAt) AS f FROM (${parts.join(' UNION ALL ')}) u GROUP BY messageId ORDER BY f DESC, messageId DESC LIMIT ${pageSize} OFFSET ${k - pageSize}) p
       JOIN message m ON m.id = p.messageId
       LEFT JOIN org_unit o ON o.id = m.orgId
       LEFT JOIN message_receipt r ON r.messageId = p.messageId AND r.userId = ?
      ORDER BY p.f DESC, p.messageId DESC`,
    [...anc, ...anc, ...roles, ...params, user.id],
  );
  return { ids: rows.map((r) => r.id), total: rows.length ? Number(rows[0].total) : 0 };
}

async function run() {
  const name = `xa_bench_feed_${process.pid}`;
  const root = await createConnection(MYSQL);
  await root.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await root.end();
  const dbUrl = `${MYSQL}/${name}`;
  const { child, base } = await startServer(dbUrl);
  const db = await createConnection({ uri: dbUrl, timezone: 'Z', multipleStatements: false });
  try {
    const s = await seed(db);
    await db.query('ANALYZE TABLE message_audience, message, message_receipt, app_user');
    const [sample] = await db.query("SELECT id, orgPath, openid FROM app_user WHERE openid LIKE 'dev:bench-u-%' ORDER BY RAND() LIMIT ?", [REQUESTS]);
    const headers = [];
    for (const u of sample) {
      const r = await fetch(`${base}/api/auth/dev`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ openid: u.openid.slice(4) }),
      });
      headers.push({ Authorization: `Bearer ${(await r.json()).token}` });
    }
    // the page's latency as the server gives it: node:http, one keep-alive connection (BENCH_CLIENT=fetch: fetch)
    const lc = latencyClient(base);
    const measure = async (page) => {
      const http = [];
      const raw = [];
      let items = 0;
      // warm-up
      for (let i = 0; i < 20; i++) await lc.get(`/api/feed?page=${page}&pageSize=20`, headers[i % headers.length]);
      // server CPU (ms, /proc) per feed page: the raw queries in between do not run in the server process
      const cpu = cpuMeter([child.pid]);
      await profMark('feed', async () => {
        for (let i = 0; i < sample.length; i++) {
          let t = performance.now();
          const res = await lc.get(`/api/feed?page=${page}&pageSize=20`, headers[i]);
          const body = res.body;
          http.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`feed ${res.status} ${JSON.stringify(body)}`);
          items += body.items.length;
          t = performance.now();
          const rawRes = await rawPage(db, sample[i], page, 20);
          raw.push(performance.now() - t);
          if (rawRes.ids.join() !== body.items.map((x) => x.id).join()) throw new Error(`raw page differs from the API for user ${sample[i].id}`);
          if (rawRes.ids.length && rawRes.total !== body.total) throw new Error(`raw total ${rawRes.total} differs from the API's ${body.total}`);
        }
      });
      const serverCpuMsPerRequest = cpu.perItem(sample.length);
      return {
        httpP50: r2(pct(http, 50)),
        httpP95: r2(pct(http, 95)),
        rawP50: r2(pct(raw, 50)),
        rawP95: r2(pct(raw, 95)),
        avgItems: r2(items / sample.length),
        serverCpuMsPerRequest,
      };
    };
    const loadBefore = os.loadavg().map(r2);
    const p1 = await measure(1);
    const p3 = await measure(3);
    const t = performance.now();
    for (let i = 0; i < 100; i++) await lc.get('/api/feed/unread-count', headers[i % headers.length]);
    const unreadAvg = r2((performance.now() - t) / 100);
    lc.close();
    const [[{ n: audienceRows }]] = await db.query('SELECT COUNT(*) AS n FROM message_audience');
    const out = {
      loadavg: { before: loadBefore, after: os.loadavg().map(r2) },
      users: USERS,
      messages: MESSAGES,
      audienceRows: Number(audienceRows),
      receipts: s.receipts,
      seedUsersMs: s.tUsers,
      seedMessagesMs: s.tMessages,
      client: lc.kind,
      feedPage1: p1,
      feedPage3: p3,
      unreadCountAvgMs: unreadAvg,
    };
    console.log(JSON.stringify(out, null, 2));
    return out;
  } finally {
    await db.end();
    child.kill('SIGTERM');
    const c = await createConnection(MYSQL);
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.end();
  }
}

module.exports = { run };
if (require.main === module)
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
