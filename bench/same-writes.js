/**
 * The writes one hazard report makes, in raw SQL over mysql2: the code from the counter (one autocommit upsert whose
 * OK packet carries LAST_INSERT_ID(expr)), then in one transaction the hazard, its `report` event, the statistics'
 * month row and the ledger's tally rows (everything, county, town, village). hazards.bench.js runs it as the raw
 * baseline, and bare-http-submit.js runs it behind a bare node:http server: both write exactly this.
 */

/** Where the reports go (柳林村), read once: its unit, its month row key and its tally units. */
async function reportTarget(db) {
  const [[village]] = await db.query("SELECT id, path FROM org_unit WHERE name = '柳林村'");
  return {
    village,
    month: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7),
    tallyUnits: [0, ...village.path.split('/').filter(Boolean).map(Number)],
  };
}

/** One report's writes on a connection of `pool`; `counter` names the code sequence, `prefix` the code. */
async function writeReport(pool, target, { counter, prefix, category, description, clientKey }) {
  const { village: v, month, tallyUnits } = target;
  const c = await pool.getConnection();
  try {
    const [seq] = await c.query('INSERT INTO counter (name, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)', [
      counter,
    ]);
    const code = `${prefix}-${seq.insertId}`;
    await c.beginTransaction();
    const [r] = await c.query(
      "INSERT INTO hazard (code, category, level, status, description, textCheck, orgId, orgPath, reporterId, anonymous, clientKey, createdAt, updatedAt) VALUES (?, ?, 'general', 'reported', ?, 'pass', ?, ?, 1, 0, ?, NOW(3), NOW(3))",
      [code, category, description, v.id, v.path, clientKey],
    );
    await c.query("INSERT INTO hazard_event (hazardId, action, toStatus, actorId, createdAt) VALUES (?, 'report', 'reported', 1, NOW(3))", [r.insertId]);
    await c.query(
      'INSERT INTO hazard_month (orgId, month, category, orgPath, found, rectified, closed, major, inProgress, rejected, escalated, closedTimed, closeSeconds, closedIn) VALUES (?, ?, ?, ?, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0) ON DUPLICATE KEY UPDATE found = found + 1, inProgress = inProgress + 1',
      [v.id, month, category, v.path],
    );
    await c.query(
      `INSERT INTO hazard_tally (unitId, status, category, level, dueMonth, n) VALUES ${tallyUnits.map(() => "(?, 'reported', ?, 'general', '', 1)").join(', ')} ON DUPLICATE KEY UPDATE n = n + VALUES(n)`,
      tallyUnits.flatMap((u) => [u, category]),
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

module.exports = { reportTarget, writeReport };
