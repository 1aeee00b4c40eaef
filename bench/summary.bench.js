/**
 * Year-end summary for a county-year: GET /api/stats/summary?orgId=<county>&from&to on MariaDB with
 * 1,000,000 hazards, 500,000 pledge signatures and 50,000 field-work records (plus rosters, messages
 * and receipts) spread over ~20 towns' villages, next to a raw mysql2 baseline computing the same
 * figures with hand-written aggregate SQL in the same run.
 *
 *   node bench/summary.bench.js            # full scale
 *   BENCH_SCALE=0.05 node bench/summary.bench.js   # quick check
 *
 * Needs `pnpm --filter @xiangan/shared build && pnpm --filter @xiangan/server build` first.
 * Creates a scratch database, migrates and seeds the org tree through the built server
 * (SEED_DEMO=true), bulk-loads the real tables with multi-row INSERTs, rebuilds the statistics' rollups
 * (hazard_month, pledge_month + rosterSigned, field_month) from the loaded rows with the server's own SQL, times the endpoint
 * (cold = first request of a freshly started server process; warm = the following runs), and drops
 * the database at the end.
 */
'use strict';
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const mysql = require('mysql2/promise');
const { pct, startServer } = require('./lib');
const { HAZARD_CATEGORY_CODES, FIELD_KINDS, SNAPSHOT_KINDS, SNAPSHOT_METRICS, isSnapshotMetric, PLEDGE_KINDS, MESSAGE_CATEGORIES } = require('@xiangan/shared');

const ROOT = path.resolve(__dirname, '..');
const BASE = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const SCALE = Number(process.env.BENCH_SCALE || 1);
const BATCH = 5000;
const RUNS = Number(process.env.BENCH_RUNS || 10);

const N = {
  towns: 20,
  villagesPerTown: 10,
  hazards: Math.round(1_000_000 * SCALE),
  signatures: Math.round(500_000 * SCALE),
  perCampaign: 250,
  rosterSize: 300,
  fieldRecords: Math.round(50_000 * SCALE),
  messages: Math.max(20, Math.round(2_000 * SCALE)),
  receiptsPerMessage: 50,
};

// ---- small helpers -----------------------------------------------------------------------------

let seed = 20261123;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const hex64 = (n, tag = '') => (tag + n.toString(16)).padStart(64, '0');
const dbTime = (d) => d.toISOString().replace('T', ' ').replace('Z', '');
const cnDay = (d) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

const ms = (x) => Math.round(x * 10) / 10;

/** A rollup module of the built server (the SQL its seeders' rebuilds run). */
const fromDist = (...p) => require(path.join(path.dirname(process.env.XA_SERVER_MAIN || path.join(ROOT, 'server', 'dist', 'main.js')), 'modules', ...p));
/** hazard_month (the same statements rebuildHazardCounts runs). */
const rollupSql = () => fromDist('hazards', 'hazard-month.rollup.js');

async function insertRows(conn, table, cols, rows) {
  for (let i = 0; i < rows.length; i += BATCH) {
    await conn.query(`INSERT INTO \`${table}\` (${cols.map((c) => `\`${c}\``).join(',')}) VALUES ?`, [rows.slice(i, i + BATCH)]);
  }
}

/** Calls `make(i)` for i in [0, n) and inserts in batches without holding all rows at once. */
async function insertGenerated(conn, table, cols, n, make) {
  let buf = [];
  for (let i = 0; i < n; i++) {
    const r = make(i);
    if (r) buf.push(r);
    if (buf.length >= BATCH) {
      await conn.query(`INSERT INTO \`${table}\` (${cols.map((c) => `\`${c}\``).join(',')}) VALUES ?`, [buf]);
      buf = [];
    }
  }
  if (buf.length) await conn.query(`INSERT INTO \`${table}\` (${cols.map((c) => `\`${c}\``).join(',')}) VALUES ?`, [buf]);
}

// ---- seeding -----------------------------------------------------------------------------------

async function seedOrgs(db, county) {
  const towns = (await db.query(`SELECT id, path FROM org_unit WHERE parentId = ? AND type = 'town'`, [county.id]))[0];
  for (let t = towns.length; t < N.towns; t++) {
    const [r] = await db.query(`INSERT INTO org_unit (parentId, type, name, path, population) VALUES (?, 'town', ?, '/pending/', ?)`, [
      county.id,
      `测试${t + 1}镇`,
      int(20000, 60000),
    ]);
    const p = `${county.path}${r.insertId}/`;
    await db.query('UPDATE org_unit SET path = ? WHERE id = ?', [p, r.insertId]);
    towns.push({ id: r.insertId, path: p });
  }
  for (const town of towns) {
    const [[{ n }]] = await db.query(`SELECT COUNT(*) AS n FROM org_unit WHERE parentId = ? AND type = 'village'`, [town.id]);
    for (let v = Number(n); v < N.villagesPerTown; v++) {
      const [r] = await db.query(`INSERT INTO org_unit (parentId, type, name, path, population) VALUES (?, 'village', ?, '/pending/', ?)`, [
        town.id,
        `测试村${town.id}-${v + 1}`,
        int(2000, 5000),
      ]);
      await db.query('UPDATE org_unit SET path = ? WHERE id = ?', [`${town.path}${r.insertId}/`, r.insertId]);
    }
  }
  const [units] = await db.query(`SELECT id, path, type FROM org_unit WHERE path LIKE ? AND type IN ('village','community','school','town')`, [
    `${county.path}%`,
  ]);
  return units;
}

async function seedHazards(conn, units, year, now) {
  const [[{ m }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS m FROM hazard');
  const start = new Date(`${year}-01-01T00:00:00+08:00`).getTime();
  const span = now.getTime() - start;
  const places = units.filter((u) => u.type !== 'town');
  const statuses = [
    ['closed', 60],
    ['rectified', 8],
    ['rectifying', 10],
    ['assigned', 8],
    ['reported', 7],
    ['escalated', 4],
    ['rejected', 3],
  ];
  const bag = statuses.flatMap(([s, w]) => Array(w).fill(s));
  const cols = [
    'id',
    'code',
    'category',
    'level',
    'status',
    'description',
    'orgId',
    'orgPath',
    'reporterId',
    'deadline',
    'escalatedTo',
    'rectifiedAt',
    'closedAt',
    'createdAt',
    'updatedAt',
  ];
  // Unit by unit, oldest first: rows arrive roughly in the order of the (orgPath, …) indexes, as a
  // ledger filled over a year does per village, which keeps the bulk load from thrashing the buffer pool.
  const per = Math.ceil(N.hazards / places.length);
  await insertGenerated(conn, 'hazard', cols, N.hazards, (i) => {
    const u = places[Math.floor(i / per)];
    const created = new Date(start + Math.floor((((i % per) + rnd()) / per) * span));
    const status = pick(bag);
    const deadline = ['assigned', 'rectifying', 'rectified', 'closed'].includes(status) ? new Date(created.getTime() + int(3, 30) * 86400_000) : null;
    const closed = status === 'closed' ? new Date(Math.min(now.getTime(), created.getTime() + int(1, 40) * 86400_000)) : null;
    return [
      m + i + 1,
      `YH-${year}-B${String(i).padStart(7, '0')}`,
      pick(HAZARD_CATEGORY_CODES),
      rnd() < 0.04 ? 'major' : 'general',
      status,
      '巡查发现的安全隐患',
      u.id,
      u.path,
      1,
      deadline && dbTime(deadline),
      status === 'escalated' ? '县应急管理局' : null,
      closed && dbTime(closed),
      closed && dbTime(closed),
      dbTime(created),
      dbTime(closed ?? created),
    ];
  });
  return m;
}

async function seedPledges(conn, units, year, now) {
  const [versions] = await conn.query('SELECT id, kind FROM pledge_template_version ORDER BY id');
  const versionOf = (kind) => (versions.find((v) => v.kind === kind) ?? versions[0] ?? { id: 1 }).id;
  const [[{ mc }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS mc FROM pledge_campaign');
  const [[{ ms: mSig }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS ms FROM pledge_signature');
  const [[{ mr }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS mr FROM pledge_roster_entry');
  const places = units.filter((u) => u.type !== 'town');
  const campaigns = Math.ceil(N.signatures / N.perCampaign);
  const start = new Date(`${year}-01-01T00:00:00+08:00`).getTime();
  const span = now.getTime() - start;
  const camps = [];
  for (let c = 0; c < campaigns; c++) {
    const u = pick(places);
    const kind = rnd() < 0.7 ? 'drowning' : pick(PLEDGE_KINDS);
    const created = new Date(start + Math.floor(rnd() * span * 0.8));
    const roster = c % 4 === 0;
    const signed = Math.min(N.perCampaign, N.signatures - c * N.perCampaign);
    camps.push({ id: mc + c + 1, kind, org: u, created, roster, signed });
  }
  await insertRows(
    conn,
    'pledge_campaign',
    ['id', 'templateVersionId', 'kind', 'title', 'orgId', 'orgPath', 'deadline', 'rosterKind', 'rosterCount', 'seq', 'lastHash', 'createdAt'],
    camps.map((c) => [
      c.id,
      versionOf(c.kind),
      c.kind,
      '防溺水安全承诺书',
      c.org.id,
      c.org.path,
      dbTime(new Date(`${year}-12-31T00:00:00+08:00`)),
      c.roster ? 'student' : null,
      c.roster ? N.rosterSize : 0,
      c.signed,
      hex64(c.signed, 'h'),
      dbTime(c.created),
    ]),
  );
  // Signatures: ids are assigned here so roster entries can point at them.
  let sigId = mSig;
  const sigCols = [
    'id',
    'campaignId',
    'seq',
    'rosterEntryId',
    'groupName',
    'dedupeKey',
    'signerUserId',
    'clientKey',
    'templateVersionId',
    'contentHash',
    'fields',
    'images',
    'signedAt',
    'prevHash',
    'chainHash',
  ];
  const rosterCols = ['id', 'campaignId', 'rowNo', 'groupName', 'name', 'guardianName', 'phone', 'dedupeKey', 'signatureId'];
  let sigBuf = [];
  let rosterBuf = [];
  let rosterId = mr;
  const flush = async (force) => {
    if (sigBuf.length >= BATCH || (force && sigBuf.length)) {
      await conn.query(`INSERT INTO pledge_signature (${sigCols.join(',')}) VALUES ?`, [sigBuf]);
      sigBuf = [];
    }
    if (rosterBuf.length >= BATCH || (force && rosterBuf.length)) {
      await conn.query(`INSERT INTO pledge_roster_entry (${rosterCols.join(',')}) VALUES ?`, [rosterBuf]);
      rosterBuf = [];
    }
  };
  for (const c of camps) {
    const cspan = Math.max(1, now.getTime() - c.created.getTime());
    for (let s = 1; s <= (c.roster ? N.rosterSize : c.signed); s++) {
      const signs = s <= c.signed;
      const key = hex64(s, 'k');
      let sid = null;
      if (signs) {
        sid = ++sigId;
        const group = `${int(1, 6)}年级${int(1, 4)}班`;
        sigBuf.push([
          sid,
          c.id,
          s,
          c.roster ? rosterId + 1 : null,
          group,
          key,
          int(1, 150),
          `bench-${sid}`,
          versionOf(c.kind),
          hex64(c.id, 'c'),
          '{"studentName":"学生"}',
          '[]',
          dbTime(new Date(c.created.getTime() + Math.floor(rnd() * cspan))),
          hex64(s - 1, 'p'),
          hex64(s, 'p'),
        ]);
      }
      if (c.roster) rosterBuf.push([++rosterId, c.id, s, '三年级一班', `学生${s}`, '家长', null, key, sid]);
      await flush(false);
    }
  }
  await flush(true);
  return { campaigns: camps.length, rosterEntries: rosterId - mr };
}

async function seedFieldwork(conn, units, year, now, hazardBase) {
  const [[{ mr }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS mr FROM field_record');
  const [[{ mm }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS mm FROM field_metric');
  const days = Math.max(1, Math.floor((now.getTime() - new Date(`${year}-01-01T00:00:00+08:00`).getTime()) / 86400_000));
  const type = () => {
    const x = rnd();
    return x < 0.4 ? 'inspection' : x < 0.6 ? 'enforcement' : x < 0.9 ? 'activity' : 'drill';
  };
  const kinds = Object.fromEntries(Object.entries(FIELD_KINDS).map(([t, ks]) => [t, Object.keys(ks).filter((k) => !SNAPSHOT_KINDS.includes(k))]));
  const recCols = [
    'id',
    'type',
    'kind',
    'date',
    'orgId',
    'orgPath',
    'sector',
    'campaign',
    'title',
    'metrics',
    'createdById',
    'revisionCount',
    'createdAt',
    'updatedAt',
  ];
  const metCols = ['id', 'recordId', 'orgPath', 'date', 'type', 'kind', 'sector', 'metric', 'value'];
  const linkCols = ['recordId', 'hazardId', 'orgPath', 'date'];
  let recs = [],
    mets = [],
    links = [];
  let metId = mm;
  const flush = async (force) => {
    for (const [t, cols, buf] of [
      ['field_record', recCols, recs],
      ['field_metric', metCols, mets],
      ['field_record_hazard', linkCols, links],
    ]) {
      if (buf.length >= BATCH || (force && buf.length)) {
        await conn.query(`INSERT INTO ${t} (${cols.join(',')}) VALUES ?`, [buf.splice(0)]);
      }
    }
  };
  const staffPlaces = units.filter((u) => u.type === 'village');
  const total = N.fieldRecords;
  for (let i = 0; i < total; i++) {
    const id = mr + i + 1;
    // ~2 head-count snapshots per village a year; the rest spread over the catalogue.
    const staff = i < staffPlaces.length * 2;
    const u = staff ? staffPlaces[i % staffPlaces.length] : pick(units);
    const t = staff ? 'activity' : type();
    const k = staff ? 'staff' : pick(kinds[t]);
    const rule = FIELD_KINDS[t][k];
    const sector = t === 'inspection' || t === 'enforcement' ? pick(HAZARD_CATEGORY_CODES) : null;
    const date = cnDay(new Date(new Date(`${year}-01-01T00:00:00+08:00`).getTime() + int(0, days - 1) * 86400_000 + 3600_000));
    const metrics = {};
    for (const m of Object.keys(rule.metrics)) metrics[m] = int(0, 12);
    recs.push([
      id,
      t,
      k,
      date,
      u.id,
      u.path,
      sector,
      t === 'inspection' && rnd() < 0.2 ? '重大事故隐患专项整治行动' : null,
      null,
      JSON.stringify(metrics),
      1,
      0,
      `${date} 02:00:00.000`,
      `${date} 02:00:00.000`,
    ]);
    for (const [m, v] of Object.entries(metrics)) mets.push([++metId, id, u.path, date, t, k, sector, m, v]);
    if (t === 'inspection' && rnd() < 0.1 && N.hazards) links.push([id, hazardBase + int(1, N.hazards), u.path, date]);
    await flush(false);
  }
  await flush(true);
  return { metrics: metId - mm };
}

async function seedPublicity(conn, units, year, now) {
  const [[{ mm }]] = await conn.query('SELECT COALESCE(MAX(id), 0) AS mm FROM message');
  const [users] = await conn.query('SELECT id, orgId, orgPath FROM app_user ORDER BY id LIMIT 200');
  const start = new Date(`${year}-01-01T00:00:00+08:00`).getTime();
  const span = now.getTime() - start;
  const msgs = [];
  for (let i = 0; i < N.messages; i++) {
    const u = pick(units);
    const at = new Date(start + Math.floor(rnd() * span));
    msgs.push([
      mm + i + 1,
      '安全提醒',
      '[]',
      pick(MESSAGE_CATEGORIES).code,
      'published',
      rnd() < 0.4 ? 1 : 0,
      1,
      u.id,
      u.path,
      '[]',
      int(200, 3000),
      dbTime(at),
      dbTime(at),
    ]);
  }
  await insertRows(
    conn,
    'message',
    ['id', 'title', 'body', 'category', 'status', 'ackRequired', 'publisherId', 'orgId', 'orgPath', 'roles', 'audienceSize', 'publishedAt', 'createdAt'],
    msgs,
  );
  const per = Math.min(N.receiptsPerMessage, users.length);
  await insertGenerated(conn, 'message_receipt', ['messageId', 'userId', 'userOrgId', 'userOrgPath', 'readAt', 'ackedAt'], msgs.length * per, (i) => {
    const m = msgs[Math.floor(i / per)];
    const u = users[i % per];
    const at = m[11];
    return [m[0], u.id, u.orgId, u.orgPath, at, m[5] && rnd() < 0.6 ? at : null];
  });
}

// ---- the raw baseline: the same figures, hand-written SQL --------------------------------------

async function rawSummary(pool, org, from, to) {
  const p = `${org.path}%`;
  const t0 = new Date(`${from}T00:00:00+08:00`);
  const t1 = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86400_000);
  const now = dbTime(new Date());
  // head-counts (两站两员, 安全管理员, 执法证): per unit, its latest row on or before the period's last day, summed over units
  const snapPairs = Object.entries(SNAPSHOT_METRICS).flatMap(([tk, ms]) => ms.map((m) => [...tk.split('.'), m]));
  const [hz, fr, fm, sg, cp, rs, mg, rc, sn] = await Promise.all([
    pool.query(
      `SELECT category, orgPath,
              SUM(status <> 'rejected') AS found, SUM(status IN ('rectified','closed')) AS rectified, SUM(status = 'closed') AS closed,
              SUM(status <> 'rejected' AND level = 'major') AS major, SUM(status IN ('assigned','rectifying') AND deadline < ?) AS overdue,
              SUM(status <> 'rejected' AND escalatedTo IS NOT NULL) AS escalated, SUM(status = 'rejected') AS rejected,
              SUM(status IN ('reported','assigned','rectifying','rectified')) AS inProgress,
              SUM(IF(status = 'closed' AND closedAt IS NOT NULL, TIMESTAMPDIFF(SECOND, createdAt, closedAt), 0)) AS closeSeconds,
              SUM(status = 'closed' AND closedAt IS NOT NULL) AS closedTimed
         FROM hazard WHERE orgPath LIKE ? AND createdAt >= ? AND createdAt < ? GROUP BY category, orgPath`,
      [now, p, dbTime(t0), dbTime(t1)],
    ),
    pool.query(
      `SELECT type, kind, sector, orgPath, COUNT(*) AS n FROM field_record WHERE orgPath LIKE ? AND date >= ? AND date <= ? GROUP BY type, kind, sector, orgPath`,
      [p, from, to],
    ),
    pool.query(
      `SELECT type, kind, sector, metric, SUM(value) AS v FROM field_metric WHERE orgPath LIKE ? AND date >= ? AND date <= ? GROUP BY type, kind, sector, metric`,
      [p, from, to],
    ),
    pool.query(
      `SELECT c.kind, c.orgPath, COUNT(*) AS n FROM pledge_signature s JOIN pledge_campaign c ON c.id = s.campaignId WHERE c.orgPath LIKE ? AND s.signedAt >= ? AND s.signedAt < ? GROUP BY c.kind, c.orgPath`,
      [p, dbTime(t0), dbTime(t1)],
    ),
    pool.query(
      `SELECT kind, COUNT(*) AS campaigns, SUM(rosterCount) AS roster FROM pledge_campaign WHERE orgPath LIKE ? AND createdAt < ? AND deadline >= ? GROUP BY kind`,
      [p, dbTime(t1), dbTime(t0)],
    ),
    pool.query(
      `SELECT c.kind, COUNT(*) AS n FROM pledge_roster_entry e JOIN pledge_campaign c ON c.id = e.campaignId WHERE c.orgPath LIKE ? AND c.createdAt < ? AND c.deadline >= ? AND e.signatureId IS NOT NULL GROUP BY c.kind`,
      [p, dbTime(t1), dbTime(t0)],
    ),
    pool.query(
      `SELECT category, COUNT(*) AS n, SUM(audienceSize) AS aud FROM message WHERE orgPath LIKE ? AND publishedAt >= ? AND publishedAt < ? AND status IN ('published','withdrawn') GROUP BY category`,
      [p, dbTime(t0), dbTime(t1)],
    ),
    pool.query(
      `SELECT m.category, COUNT(x.readAt) AS nreads, COUNT(x.ackedAt) AS nacks FROM message_receipt x JOIN message m ON m.id = x.messageId WHERE m.orgPath LIKE ? AND m.publishedAt >= ? AND m.publishedAt < ? AND m.status IN ('published','withdrawn') GROUP BY m.category`,
      [p, dbTime(t0), dbTime(t1)],
    ),
    pool.query(
      `SELECT type, kind, metric, SUM(value) AS v FROM (
         SELECT type, kind, metric, value, ROW_NUMBER() OVER (PARTITION BY orgPath, type, kind, metric ORDER BY date DESC, id DESC) AS nth
           FROM field_metric WHERE orgPath LIKE ? AND date <= ? AND (${snapPairs.map(() => '(type = ? AND kind = ? AND metric = ?)').join(' OR ')})
       ) latest WHERE nth = 1 GROUP BY type, kind, metric`,
      [p, to, ...snapPairs.flat()],
    ),
  ]);
  const sum = (rows, k) => rows.reduce((a, r) => a + Number(r[k] ?? 0), 0);
  const closedTimed = sum(hz[0], 'closedTimed');
  // Every metric as the summary lists it, per type.kind.metric, 2 decimals: a sum over the period, or for a head-count
  // the snapshot above (a head-count summed over months was the bug of 22839ab).
  const metricSums = {};
  for (const r of [...fm[0].filter((r) => !isSnapshotMetric(r.type, r.kind, r.metric)), ...sn[0]]) {
    const k = `${r.type}.${r.kind}.${r.metric}`;
    metricSums[k] = Math.round(((metricSums[k] ?? 0) + Number(r.v)) * 100) / 100;
  }
  const rosterRates = {};
  for (const c of cp[0]) {
    const roster = Number(c.roster ?? 0);
    const got = Number(rs[0].find((x) => x.kind === c.kind)?.n ?? 0);
    if (roster) rosterRates[c.kind] = Math.round((got / roster) * 10000) / 10000;
  }
  return {
    hazardsFound: sum(hz[0], 'found'),
    hazardsClosed: sum(hz[0], 'closed'),
    hazardsRectified: sum(hz[0], 'rectified'),
    hazardsMajor: sum(hz[0], 'major'),
    hazardsOverdue: sum(hz[0], 'overdue'),
    hazardsEscalated: sum(hz[0], 'escalated'),
    hazardsRejected: sum(hz[0], 'rejected'),
    hazardsInProgress: sum(hz[0], 'inProgress'),
    avgDaysToClose: closedTimed ? Math.round((sum(hz[0], 'closeSeconds') / closedTimed / 86400) * 10) / 10 : null,
    fieldRecords: sum(fr[0], 'n'),
    signed: sum(sg[0], 'n'),
    roster: sum(cp[0], 'roster'),
    rosterSigned: sum(rs[0], 'n'),
    messages: sum(mg[0], 'n'),
    reads: sum(rc[0], 'nreads'),
    acks: sum(rc[0], 'nacks'),
    metricSums: JSON.stringify(Object.fromEntries(Object.entries(metricSums).sort())),
    rosterRates: JSON.stringify(Object.fromEntries(Object.entries(rosterRates).sort())),
  };
}

// ---- the run -----------------------------------------------------------------------------------

async function run() {
  // BENCH_DB=<name>: time an already seeded database again (kept with BENCH_KEEP_DB=1); it is migrated, not re-seeded or dropped.
  const reuse = process.env.BENCH_DB || '';
  const dbName = reuse || `xa_bench_summary_${Date.now().toString(36)}`;
  const admin = await mysql.createConnection(BASE);
  if (!reuse) await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const dbUrl = `${BASE}/${dbName}`;
  let server = null;
  let pool = null;
  const out = {
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    date: new Date().toISOString(),
    scale: SCALE,
    rows: {},
    timings: {},
  };
  try {
    // 1. Migrate and seed the org tree (and the demo town) through the built server.
    let t = Date.now();
    if (reuse) return await measure();
    server = await startServer(dbUrl, { JOBS_WORKER: 'false' });
    await server.stop();
    server = null;
    out.timings.migrateAndDemoSeedS = (Date.now() - t) / 1000;

    pool = mysql.createPool({ uri: dbUrl, connectionLimit: 8, dateStrings: true });
    const [[county]] = await pool.query(`SELECT id, path, name FROM org_unit WHERE type = 'county' ORDER BY id LIMIT 1`);
    const units = await seedOrgs(pool, county);
    const now = new Date();
    const year = cnDay(now).slice(0, 4);

    // 2. Bulk load: hazards on one connection, the rest on another (two cores).
    t = Date.now();
    const a = await pool.getConnection();
    const b = await pool.getConnection();
    const hazardBase = (await pool.query('SELECT COALESCE(MAX(id), 0) AS m FROM hazard'))[0][0].m;
    await Promise.all([
      seedHazards(a, units, year, now),
      (async () => {
        const r = await seedPledges(b, units, year, now);
        out.rows.fieldMetrics = (await seedFieldwork(b, units, year, now, Number(hazardBase))).metrics;
        await seedPublicity(b, units, year, now);
        return r;
      })(),
    ]);
    a.release();
    b.release();
    out.timings.seedS = (Date.now() - t) / 1000;
    // The hazards went in behind the service's back: rebuild the statistics' rollup from them with the server's own SQL.
    t = Date.now();
    for (const sql of rollupSql().rebuildMonthSql(true)) await pool.query(sql);
    // The same for signatures (pledge_month, pledge_campaign.rosterSigned) and field work (field_month).
    for (const sql of fromDist('pledges', 'pledge-month.rollup.js').rebuildPledgeMonthSql(true)) await pool.query(sql);
    for (const sql of fromDist('fieldwork', 'field-month.rollup.js').rebuildFieldMonthSql()) await pool.query(sql);
    out.timings.rollupRebuildS = (Date.now() - t) / 1000;
    await pool.query('ANALYZE TABLE hazard_month, pledge_month, field_month');
    await pool.query(
      'ANALYZE TABLE hazard, pledge_signature, pledge_campaign, pledge_roster_entry, field_record, field_metric, field_record_hazard, message, message_receipt',
    );
    for (const tbl of [
      'hazard',
      'hazard_month',
      'pledge_signature',
      'pledge_month',
      'pledge_campaign',
      'pledge_roster_entry',
      'field_record',
      'field_metric',
      'field_month',
      'message',
      'message_receipt',
    ]) {
      out.rows[tbl] = Number((await pool.query(`SELECT COUNT(*) AS n FROM ${tbl}`))[0][0].n);
    }
    out.rows.towns = Number((await pool.query(`SELECT COUNT(*) AS n FROM org_unit WHERE type = 'town'`))[0][0].n);
    out.rows.units = units.length;

    return await measure();
  } finally {
    if (server) await server.stop();
    if (pool) await pool.end();
    if (!process.env.BENCH_KEEP_DB && !reuse) await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    else console.log(`kept database ${dbName}`);
    await admin.end();
  }

  async function measure() {
    if (reuse) {
      server = await startServer(dbUrl, { JOBS_WORKER: 'false' });
      await server.stop();
      pool = mysql.createPool({ uri: dbUrl, connectionLimit: 8, dateStrings: true });
      for (const tbl of [
        'hazard',
        'hazard_month',
        'pledge_signature',
        'pledge_month',
        'pledge_campaign',
        'pledge_roster_entry',
        'field_record',
        'field_metric',
        'field_month',
        'message',
        'message_receipt',
      ]) {
        out.rows[tbl] = Number((await pool.query(`SELECT COUNT(*) AS n FROM ${tbl}`))[0][0].n);
      }
    }
    const [[county]] = await pool.query(`SELECT id, path, name FROM org_unit WHERE type = 'county' ORDER BY id LIMIT 1`);
    const year = cnDay(new Date()).slice(0, 4);
    // 3. A freshly started server; the first request is "cold".
    server = await startServer(dbUrl, { JOBS_WORKER: 'false' });
    const login = await fetch(`${server.base}/api/auth/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: 'demo-county' }),
    });
    const { token } = await login.json();
    const from = `${year}-01-01`;
    const to = `${year}-12-31`;
    const url = `${server.base}/api/stats/summary?orgId=${county.id}&from=${from}&to=${to}`;
    const get = async () => {
      const t1 = performance.now();
      const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const body = await r.json();
      if (r.status !== 200) throw new Error(`summary ${r.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t1, body };
    };
    const cold = await get();
    const warm = [];
    let last = cold.body;
    for (let i = 0; i < RUNS; i++) {
      const r = await get();
      warm.push(r.ms);
      last = r.body;
    }
    const rawRuns = [];
    let raw = null;
    for (let i = 0; i < RUNS; i++) {
      const t1 = performance.now();
      raw = await rawSummary(pool, county, from, to);
      rawRuns.push(performance.now() - t1);
    }
    const oursOf = (b) => ({
      hazardsFound: b.hazards.found,
      hazardsClosed: b.hazards.closed,
      hazardsRectified: b.hazards.rectified,
      hazardsMajor: b.hazards.major,
      hazardsOverdue: b.hazards.overdue,
      hazardsEscalated: b.hazards.escalated,
      hazardsRejected: b.hazards.rejected,
      hazardsInProgress: b.hazards.inProgress,
      avgDaysToClose: b.hazards.avgDaysToClose,
      fieldRecords: b.fieldwork.records,
      signed: b.pledges.signed,
      roster: b.pledges.byKind.reduce((x, k) => x + k.roster, 0),
      messages: b.publicity.messages,
      reads: b.publicity.reads,
      acks: b.publicity.acks,
      metricSums: JSON.stringify(
        Object.fromEntries(b.fieldwork.byKind.flatMap((k) => Object.entries(k.metrics).map(([m, v]) => [`${k.type}.${k.kind}.${m}`, v])).sort()),
      ),
      rosterRates: JSON.stringify(
        Object.fromEntries(
          b.pledges.byKind
            .filter((k) => k.rate !== null)
            .map((k) => [k.kind, k.rate])
            .sort(),
        ),
      ),
    });
    // Overdue moves with the clock (a deadline passes): compare an answer taken between two raw runs that agree.
    let ours = oursOf(last);
    for (let i = 0; i < 5; i++) {
      const before = await rawSummary(pool, county, from, to);
      const mid = oursOf((await get()).body);
      const after = await rawSummary(pool, county, from, to);
      ours = mid;
      raw = after;
      if (JSON.stringify(before) === JSON.stringify(after)) break;
    }
    const agree = Object.keys(ours).every((k) => ours[k] === raw[k]);
    out.summary = {
      coldMs: ms(cold.ms),
      p50Ms: ms(pct(warm, 50)),
      p95Ms: ms(pct(warm, 95)),
      maxMs: ms(Math.max(...warm)),
      rawP50Ms: ms(pct(rawRuns, 50)),
      rawP95Ms: ms(pct(rawRuns, 95)),
      rawMaxMs: ms(Math.max(...rawRuns)),
      rawFirstMs: ms(rawRuns[0]),
      p50VsRaw: Math.round((pct(warm, 50) / pct(rawRuns, 50)) * 100) / 100,
      runs: RUNS,
      figuresAgree: agree,
      ours,
      raw,
      underOneSecond: Math.max(cold.ms, ...warm) < 1000,
    };
    return out;
  }
}

function print(r) {
  console.log(`\nYear-end summary (county-year) — ${r.date}, ${r.machine}, scale ${r.scale}`);
  console.log(
    `rows: ${Object.entries(r.rows)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  if (r.timings.seedS !== undefined)
    console.log(
      `migrate+demo seed ${r.timings.migrateAndDemoSeedS.toFixed(1)} s, bulk seed ${r.timings.seedS.toFixed(1)} s, rollups (hazard_month, pledge_month, field_month) rebuilt in ${r.timings.rollupRebuildS.toFixed(1)} s`,
    );
  const s = r.summary;
  console.table({
    'GET /api/stats/summary (HTTP)': { first: s.coldMs, p50: s.p50Ms, p95: s.p95Ms, max: s.maxMs },
    'raw mysql2 aggregate SQL': { first: s.rawFirstMs, p50: s.rawP50Ms, p95: s.rawP95Ms, max: s.rawMaxMs },
  });
  console.log(`figures agree with the raw SQL: ${s.figuresAgree} ${JSON.stringify(s.ours)}`);
  if (!s.figuresAgree) console.log(`raw SQL: ${JSON.stringify(s.raw)}`);
  console.log(`under 1 s (cold and every warm run): ${s.underOneSecond}`);
}

module.exports = { run };

if (require.main === module) {
  run()
    .then((r) => {
      print(r);
      if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(r, null, 2));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
