#!/usr/bin/env node
/**
 * What the per-report statements of a submit cost MariaDB, one at a time on one connection: the unit lookup
 * (locateUnit's read of org_unit, before the units were held in memory) and the duplicate check's part for one
 * report in three forms (as it was, with FORCE INDEX, index-only with the codes joined — the one now used), with the
 * rows each reads (`SHOW SESSION STATUS` Handler_read_* deltas, per statement). Used for bench/RESULTS.md, "Submit:
 * what one report asks of MariaDB, cut". Needs a database the hazards bench loaded and kept:
 *
 *   HAZARD_BENCH_DB=xa_bench_keep HAZARD_ROWS=200000 HAZARD_BENCH_ONLY=ledger node bench/hazards.bench.js
 *   node bench/submit-statements.js mysql://root@127.0.0.1:3306/xa_bench_keep [variant …]   (env N=400)
 */
const path = require('node:path');
const mysql = require(require.resolve('mysql2/promise', { paths: [__dirname, path.join(__dirname, '..', 'server')] }));
const N = Number(process.env.N || 400);
const OPEN = ['reported', 'assigned', 'rectifying', 'rectified', 'escalated'];
const CATS = ['road_traffic', 'construction', 'industry_trade', 'hazardous_chemicals', 'fireworks'];
async function main() {
  const [url, ...only] = process.argv.slice(2);
  if (!url) throw new Error('usage: node bench/submit-statements.js <mysql url of a kept hazards bench database> [variant …]');
  const c = await mysql.createConnection(url);
  const now = new Date();
  const since = new Date(now - 7 * 86400e3);
  const pos = (i) => ({ lat: 29.58 + (i % 50) * 0.001, lng: 106.48 + (i % 40) * 0.001 });
  const dLat = 200 / 111320,
    dLng = 200 / (111320 * Math.cos((29.6 * Math.PI) / 180));
  const variants = {
    locate: (i) => {
      const p = pos(i);
      return [
        'SELECT id, name, type, path, boundary FROM org_unit WHERE archived = 0 AND minLat <= ? AND maxLat >= ? AND minLng <= ? AND maxLng >= ? ORDER BY id LIMIT 200',
        [p.lat, p.lat, p.lng, p.lng],
      ];
    },
    dupOld: (i) => {
      const p = pos(i);
      return [
        `SELECT ? AS forId, id, code, lat, lng, createdAt FROM hazard WHERE category = ? AND createdAt >= ? AND createdAt <= ? AND id <> ? AND status IN (?,?,?,?,?) AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY createdAt DESC LIMIT 20`,
        [1, CATS[i % 5], since, now, 1, ...OPEN, p.lat - dLat, p.lat + dLat, p.lng - dLng, p.lng + dLng],
      ];
    },
    dupForce: (i) => {
      const p = pos(i);
      return [
        `SELECT ? AS forId, id, code, lat, lng, createdAt FROM hazard FORCE INDEX (idx_hazard_dup) WHERE category = ? AND createdAt >= ? AND createdAt <= ? AND id <> ? AND status IN (?,?,?,?,?) AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY createdAt DESC LIMIT 20`,
        [1, CATS[i % 5], since, now, 1, ...OPEN, p.lat - dLat, p.lat + dLat, p.lng - dLng, p.lng + dLng],
      ];
    },
    dupCover: (i) => {
      const p = pos(i);
      return [
        `SELECT d.forId, d.id, h.code, d.lat, d.lng, d.createdAt FROM (SELECT ? AS forId, id, lat, lng, createdAt FROM hazard FORCE INDEX (idx_hazard_dup) WHERE category = ? AND createdAt >= ? AND createdAt <= ? AND id <> ? AND status IN (?,?,?,?,?) AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY createdAt DESC LIMIT 20) d JOIN hazard h ON h.id = d.id`,
        [1, CATS[i % 5], since, now, 1, ...OPEN, p.lat - dLat, p.lat + dLat, p.lng - dLng, p.lng + dLng],
      ];
    },
    selectOne: () => ['SELECT 1', []],
  };
  for (let round = 0; round < 2; round++)
    for (const [name, f] of Object.entries(variants)) {
      if (only.length && !only.includes(name)) continue;
      await c.query('FLUSH STATUS');
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        const [sql, p] = f(i);
        await c.query(sql, p);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6 / N;
      const [st] = await c.query(
        "SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_key','Handler_read_next','Handler_read_prev','Handler_read_rnd_next','Innodb_rows_read')",
      );
      console.log(
        round,
        name.padEnd(10),
        ms.toFixed(3),
        'ms/stmt',
        st.map((s) => `${s.Variable_name.replace('Handler_read_', '')}=${(s.Value / N).toFixed(1)}`).join(' '),
      );
    }
  await c.end();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
