import { HAZARD_CATEGORIES } from '@xiangan/shared';
import { createTestApp, TEST_DB, TestApp } from '../../testing/test-app';
import { rebuildHazardCounts } from './hazard-counts.service';
import { HazardLedgerFastPlan } from './hazard-ledger-fast';
import { HazardLedgerService, RANK_WALK_MAX } from './hazard-ledger.service';

/**
 * A town's ledger filtered by category, read per unit: each unit walks only that category's index entries
 * (idx_hazard_unit_category), in urgency order — and the pages, totals and counts stay exactly those of the plain
 * query over the whole subtree.
 */
describe('ledger: a town filtered by category walks each unit by category', () => {
  let t: TestApp;
  const cats = HAZARD_CATEGORIES.slice(0, 3).map((c) => c.code);
  const statuses = ['reported', 'assigned', 'rectifying', 'closed', 'rejected'];
  const sqlTime = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

  beforeAll(async () => {
    t = await createTestApp();
    const units = ['v_shiqiao', 'v_liulin', 'v_hekou', 'v_wangjiaba', 'e_gas_station'].map((k) => t.seed.org[k]);
    const [{ id: reporterId }] = await t.ds.query('SELECT id FROM app_user ORDER BY id LIMIT 1');
    const now = Date.now();
    for (let i = 0; i < 180; i++) {
      const u = units[i % units.length];
      const status = statuses[(i * 7) % statuses.length];
      // work due in the past and in the future, a few major, creation times that tie now and then
      const deadline = status === 'assigned' || status === 'rectifying' ? new Date(now + ((i % 5) - 2) * 86400_000) : null;
      await t.ds.query(
        `INSERT INTO hazard (code, category, level, status, description, priority, textCheck, orgId, orgPath, reporterId, anonymous, deadline, createdAt, updatedAt)
         VALUES (?, ?, ?, ?, ?, 0, 'pass', ?, ?, ?, 0, ?, ?, ?)`,
        [
          `YH-T-${String(i).padStart(6, '0')}`,
          cats[(i * 5) % cats.length],
          i % 11 === 0 ? 'major' : 'general',
          status,
          `类别台账 ${i}`,
          u.id,
          u.path,
          reporterId,
          deadline ? sqlTime(deadline) : null,
          sqlTime(new Date(now - Math.floor(i / 3) * 3600_000)),
          sqlTime(new Date(now)),
        ],
      );
    }
    await rebuildHazardCounts(t.ds);
  });
  afterAll(async () => {
    t.app.get(HazardLedgerService).ledgerWalkMax = RANK_WALK_MAX;
    await t.close();
  });

  it('reads idx_hazard_unit_category per unit, and every page equals the plain ORDER BY over the town', async () => {
    const svc = t.app.get(HazardLedgerService);
    svc.ledgerWalkMax = 0; // the per-unit plan (a town's, at scale), whatever this small database's share
    // every statement as the DataSource logs it (ds.query and the prepared reads alike)
    const logged = jest.spyOn(t.ds.logger, 'logQuery');
    try {
      for (const cat of cats) {
        const now = sqlTime(new Date());
        const want: number[] = (
          await t.ds.query(
            `SELECT id FROM hazard WHERE orgPath LIKE ? AND category = ? ORDER BY CASE WHEN level = 'major' AND status IN ('reported','assigned','rectifying','rectified','escalated') THEN 0 ` +
              `WHEN status IN ('assigned','rectifying') AND deadline < ? THEN 1 ELSE 2 END, createdAt DESC, id DESC`,
            [`${t.seed.org.town.path}%`, cat, now],
          )
        ).map((r: { id: number | string }) => Number(r.id));
        expect(want.length).toBeGreaterThan(20);
        const got: number[] = [];
        for (let page = 1; page < 20; page++) {
          logged.mockClear();
          const r = await t.http.get(`/api/hazards?category=${cat}&pageSize=8&page=${page}`).set(await t.as('town'));
          expect(r.status).toBe(200);
          expect(r.body.total).toBe(want.length);
          got.push(...r.body.items.map((x: { id: number }) => x.id));

          // the statement that chose the page: one walk per unit, each on the category index
          const call = logged.mock.calls.find(([sql]) => /UNION ALL|FROM \(SELECT h\.id, h\.priority/.test(String(sql)));
          expect(call).toBeDefined();
          const [sql, params] = call as [string, unknown[]];
          const walks = (sql.match(/WHERE h\.orgId = \d+/g) ?? []).length;
          expect(walks).toBeGreaterThanOrEqual(1);
          // the page's own statements (not the sign-in, the cached total): the counts — which carry the units to
          // walk — the stale-work check, the page with its rows (the units were a fourth statement on every page)
          const statements = logged.mock.calls.map(([q]) => String(q)).filter((q) => /FROM hazard/.test(q) && !/unitId = 0/.test(q));
          expect(statements.filter((q) => /^SELECT o\.id AS orgId FROM org_unit/.test(q))).toEqual([]);
          expect(statements).toHaveLength(3);
          const used = await indexesUsed(sql, params);
          expect(used.filter((k) => k.startsWith('idx_hazard_unit'))).toEqual(Array(walks).fill('idx_hazard_unit_category'));
          if (r.body.items.length < 8) break;
        }
        expect(got).toEqual(want);
      }
    } finally {
      logged.mockRestore();
      svc.ledgerWalkMax = RANK_WALK_MAX;
    }
  });

  it('a units list that may have been cut short (MySQL group_concat_max_len) is read on its own, and the pages are the same', async () => {
    const svc = t.app.get(HazardLedgerService);
    const plan = t.app.get(HazardLedgerFastPlan);
    svc.ledgerWalkMax = 0;
    const page = async () => (await t.http.get(`/api/hazards?category=${cats[0]}&pageSize=8&page=2`).set(await t.as('town'))).body;
    try {
      const own = jest.spyOn(plan, 'units');
      const want = await page();
      expect(own).not.toHaveBeenCalled();
      const real = plan.counts.bind(plan);
      jest.spyOn(plan, 'counts').mockImplementation(async (...a) => ({ ...(await real(...a)), units: null }));
      const got = await page();
      expect(own).toHaveBeenCalledTimes(1);
      expect(got).toEqual(want);
      expect(got.items).toHaveLength(8);
    } finally {
      jest.restoreAllMocks();
      svc.ledgerWalkMax = RANK_WALK_MAX;
    }
  });

  /** The indexes the database's plan reads `hazard` through, one per table access. */
  async function indexesUsed(sql: string, params: unknown[]): Promise<string[]> {
    if (TEST_DB === 'mysql') {
      const rows: { key: string | null }[] = await t.ds.query(`EXPLAIN ${sql}`, params);
      return rows.map((r) => r.key ?? '');
    }
    const rows: { detail: string }[] = await t.ds.query(`EXPLAIN QUERY PLAN ${sql}`, params);
    return rows.map((r) => /USING (?:COVERING )?INDEX (\w+)/.exec(r.detail)?.[1] ?? '').filter(Boolean);
  }
});
