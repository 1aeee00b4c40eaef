import ExcelJS from 'exceljs';
import { HazardStatus } from '@xiangan/shared';
import { dbTime } from '../../common/db/dialect';
import { bytes } from '../../testing/download';
import { HazardCountService, rebuildHazardCounts } from './hazard-counts.service';
import { EXPORT_COLUMNS } from './hazard-export';
import { HazardLedgerService, RANK_WALK_MAX } from './hazard-ledger.service';
import { dueMonthOf, tallyUnitsOf } from './hazard-tally';
import { bodies, tomorrow, useHazards } from './__tests__/hazards.fixture';

/** The ledger: hazard_tally kept exact, urgency order on both plans, counts and filters, the xlsx export, the 月会商. */
describe('hazards: report, ledger and the closed loop', () => {
  const { t, unit, report, act, bodyFor } = useHazards();
  /** hazard_tally equals what the hazards themselves say: each hazard once under every unit of its path and under 0. */
  const expectTallyFresh = async () => {
    const hz: { orgPath: string; status: HazardStatus; category: string; level: string; deadline: Date | string | null }[] = await t.ds.query(
      'SELECT orgPath, status, category, level, deadline FROM hazard',
    );
    const want = new Map<string, number>();
    for (const h of hz) {
      for (const u of tallyUnitsOf(h.orgPath)) {
        const k = `${u}|${h.status}|${h.category}|${h.level}|${dueMonthOf(h.status, h.deadline)}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    }
    const kept: { unitId: number; status: string; category: string; level: string; dueMonth: string; n: number | string }[] = await t.ds.query(
      'SELECT * FROM hazard_tally WHERE n <> 0',
    );
    expect(kept.map((r) => `${r.unitId}|${r.status}|${r.category}|${r.level}|${r.dueMonth}=${Number(r.n)}`).sort()).toEqual(
      [...want].map(([k, n]) => `${k}=${n}`).sort(),
    );
    expect(want.size).toBeGreaterThan(10);
  };

  it('keeps hazard_tally equal to the hazards through every kind of write, and the page in exact urgency order either way', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await report('resident', { category: i % 2 ? 'gas' : 'drowning', description: `计数校验 ${i}` })).id);
    const walk = async (id: number, steps: [string, string, Record<string, unknown>][]) => {
      for (const [who, a, body] of steps) {
        const r = await act(who, id, a, body);
        if (r.status !== 200) throw new Error(`${a} on ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    // level raised on assign, fail and pass at verify, reopen, reject, escalate + answer, plain assign
    await walk(ids[0], [
      ['village', 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow(), level: 'major' }],
      ['village', 'start', {}],
      ['village', 'rectify', bodies.rectify],
      ['village', 'verify', { passed: false, note: '护栏还没装' }],
      ['village', 'rectify', bodies.rectify],
      ['village', 'verify', bodies.verify],
      ['village', 'reopen', bodies.reopen],
    ]);
    await walk(ids[1], [['village', 'reject', bodies.reject]]);
    await walk(ids[2], [
      ['village', 'escalate', bodies.escalate],
      ['county', 'answer', bodies.answer],
    ]);
    await walk(ids[3], [
      ['village', 'assign', bodyFor('assign')],
      ['village', 'start', {}],
    ]);
    await walk(ids[4], [
      ['village', 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow(), level: 'major' }],
      ['village', 'comment', bodies.comment],
    ]);
    // two officers assign the same report at once with different levels (re-assigning is allowed): each either
    // applies on top of the other or answers 409 — the counts move exactly as the row does
    const race = await Promise.all([
      act('village', ids[5], 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow(), level: 'major' }),
      act('town', ids[5], 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow(), level: 'general' }),
    ]);
    expect(race.some((r) => r.status === 200)).toBe(true);
    expect(race.every((r) => [200, 409].includes(r.status))).toBe(true);
    // rejected illegal transitions change nothing
    expect((await act('village', ids[1], 'start', {})).status).toBe(409);
    // two re-assignments at once with the same level and different deadlines: both apply, one after the other,
    // and the tally/rollups move from the row as it really was (the state alone would not catch this)
    const twice = (await report('resident', { category: 'gas', description: '计数校验 同时改派' })).id;
    const later = new Date(Date.now() + 86400_000 * 40).toISOString().slice(0, 10);
    await walk(twice, [['village', 'assign', bodyFor('assign')]]);
    for (let round = 0; round < 3; round++) {
      const both = await Promise.all([
        act('village', twice, 'assign', { responsibleOrgId: unit.liulin, deadline: round % 2 ? tomorrow() : later }),
        act('town', twice, 'assign', { responsibleOrgId: unit.liulin, deadline: round % 2 ? later : tomorrow() }),
      ]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
    }
    await expectTallyFresh();
    // a deadline passes (written behind the service's back: stored priority lags until the minute job)
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [new Date(Date.now() - 3600_000).toISOString().slice(0, 19).replace('T', ' '), ids[3]]);

    // every page of the town's ledger, merged per unit, equals the plain ORDER BY over the whole subtree
    const expectOrder = async (qs: string, where: string, params: unknown[]) => {
      const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
      const rows = await t.ds.query(
        `SELECT id FROM hazard WHERE orgPath LIKE ? ${where} ORDER BY CASE WHEN level = 'major' AND status IN ('reported','assigned','rectifying','rectified','escalated') THEN 0 ` +
          `WHEN status IN ('assigned','rectifying') AND deadline < ? THEN 1 ELSE 2 END, createdAt DESC, id DESC`,
        [`${t.seed.org.town.path}%`, ...params, now],
      );
      const got: number[] = [];
      for (let page = 1; page < 50; page++) {
        const r = await t.http.get(`/api/hazards?pageSize=7&page=${page}${qs}`).set(await t.as('town'));
        expect(r.status).toBe(200);
        expect(r.body.total).toBe(rows.length);
        got.push(...r.body.items.map((i: { id: number }) => i.id));
        if (r.body.items.length < 7) break;
      }
      expect(got).toEqual(rows.map((r: { id: number }) => Number(r.id)));
      return got;
    };
    const all = await expectOrder('', '', []);
    expect(all.indexOf(ids[3])).toBeLessThan(all.indexOf(ids[6])); // overdue (stale priority) before a fresh report
    await expectOrder('&category=gas', 'AND category = ?', ['gas']);
    await expectOrder('&status=reported,assigned&level=major', "AND status IN ('reported','assigned') AND level = ?", ['major']);
    const counted = await t.app.get(HazardCountService).refreshPriority();
    expect(counted).toBeGreaterThanOrEqual(1);
    await expectOrder('', '', []);
    // the same pages when the ledger walks the urgency index (a county's plan) and when it merges per unit (a town's)
    const svc = t.app.get(HazardLedgerService);
    for (const max of [Infinity, 0]) {
      svc.ledgerWalkMax = max;
      await expectOrder('', '', []);
      await expectOrder('&category=gas', 'AND category = ?', ['gas']);
      await expectOrder('&status=assigned,rectifying&overdue=false', "AND status IN ('assigned','rectifying') AND deadline >= ?", [
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      const overdue = await expectOrder('&overdue=true', "AND status IN ('assigned','rectifying') AND deadline < ?", [
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      expect(overdue).toContain(ids[3]);
    }
    svc.ledgerWalkMax = RANK_WALK_MAX;
    // overdue: work due in an earlier month is counted from the tally, work due this month live
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [
      new Date(Date.now() - 40 * 86400_000).toISOString().slice(0, 19).replace('T', ' '),
      ids[4],
    ]);
    await rebuildHazardCounts(t.ds);
    await expectTallyFresh();
    for (const [who, path] of [
      ['town', t.seed.org.town.path],
      ['county', t.seed.org.county.path],
      ['village', t.seed.org.v_liulin.path],
    ] as const) {
      const r = await t.http.get('/api/hazards?pageSize=1').set(await t.as(who));
      const [od] = await t.ds.query("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('assigned','rectifying') AND deadline < ?", [
        `${path}%`,
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      expect(r.body.counts.overdue).toBe(Number(od.n));
      const byState = await t.ds.query('SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? GROUP BY status', [`${path}%`]);
      for (const row of byState) expect(r.body.counts[row.status]).toBe(Number(row.n));
    }
    const town = await t.http.get('/api/hazards?pageSize=1&category=drowning').set(await t.as('town'));
    const direct = await t.ds.query("SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND category = 'drowning' GROUP BY status", [
      `${t.seed.org.town.path}%`,
    ]);
    for (const r of direct) expect(town.body.counts[r.status]).toBe(Number(r.n));
  });

  it('asks for stale work (open work past its deadline) only when the page can hold open work; the counts in one statement', async () => {
    const officer = await t.as('town');
    const stale = (sql: string) => /h\.priority = 0 AND h\.deadline < \?/.test(sql);
    const statementsOf = async (qs: string) => {
      expect((await t.http.get(`/api/hazards?pageSize=5&${qs}`).set(officer)).status).toBe(200); // the guard's row is cached now
      const logQuery = jest.spyOn(t.ds.logger, 'logQuery');
      try {
        expect((await t.http.get(`/api/hazards?pageSize=5&${qs}`).set(officer)).status).toBe(200);
        return logQuery.mock.calls.map(([sql]) => sql);
      } finally {
        logQuery.mockRestore();
      }
    };
    // was asked on every page: a page of 待审核 alone, of closed ones, or of work not overdue can hold none
    for (const qs of ['status=reported', 'status=closed,rejected', 'status=assigned,rectifying&overdue=false']) {
      expect({ qs, stale: (await statementsOf(qs)).filter(stale).length }).toEqual({ qs, stale: 0 });
    }
    for (const qs of ['page=1', 'status=reported,assigned', 'overdue=true']) {
      expect({ qs, stale: (await statementsOf(qs)).filter(stale).length }).toEqual({ qs, stale: 1 });
    }
    // the counts per state and the overdue work due this month come in one statement (were two, sent side by side)
    const unfiltered = await statementsOf('page=1');
    expect(unfiltered.filter((sql) => /hazard_tally/.test(sql))).toHaveLength(1);
    expect(unfiltered.filter((sql) => /h\.deadline >= \?/.test(sql))).toEqual(unfiltered.filter((sql) => /hazard_tally/.test(sql)));
    // stale work, the counts, the page with its rows: three round trips after the sign-in lookup
    expect(unfiltered).toHaveLength(3);
  });

  it('ledger: counts per state, filters, urgency order, overdue flag, paging limits', async () => {
    const major = await report('resident', { description: '重大：液化气瓶露天存放' });
    await act('village', major.id, 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow(), level: 'major' });
    const late = await report('resident', { description: '逾期：桥面护栏断裂', category: 'road_traffic' });
    // the grid officer's own report, for mine=true below
    await report('grid', { description: '网格员巡查：村道边坡落石', category: 'road_traffic' });
    await act('village', late.id, 'assign', bodyFor('assign'));
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [new Date(Date.now() - 86400_000).toISOString().slice(0, 19).replace('T', ' '), late.id]);

    const res = await t.http.get('/api/hazards?pageSize=5').set(await t.as('village'));
    expect(res.status).toBe(200);
    const dbCounts = await t.ds.query('SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? GROUP BY status', [`${t.seed.org.v_liulin.path}%`]);
    for (const r of dbCounts) expect(res.body.counts[r.status]).toBe(Number(r.n));
    expect(res.body.total).toBe(dbCounts.reduce((a: number, r: { n: number }) => a + Number(r.n), 0));
    expect(res.body.items[0].level).toBe('major');
    expect(res.body.counts.overdue).toBeGreaterThanOrEqual(1);
    const ids = res.body.items.map((i: { id: number }) => i.id);
    expect(ids.indexOf(major.id)).toBeLessThan(ids.indexOf(late.id) === -1 ? 99 : ids.indexOf(late.id));

    const od = await t.http.get('/api/hazards?overdue=true').set(await t.as('village'));
    expect(od.body.items.map((i: { id: number }) => i.id)).toContain(late.id);
    expect(od.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    const cat = await t.http.get('/api/hazards?category=road_traffic&status=assigned,rectifying').set(await t.as('town'));
    expect(
      cat.body.items.every((i: { category: string; status: string }) => i.category === 'road_traffic' && ['assigned', 'rectifying'].includes(i.status)),
    ).toBe(true);
    const q = await t.http.get(`/api/hazards?q=${encodeURIComponent('液化气瓶')}`).set(await t.as('town'));
    expect(q.body.items.map((i: { id: number }) => i.id)).toEqual([major.id]);
    const byCode = await t.http.get(`/api/hazards?q=${major.code}`).set(await t.as('town'));
    expect(byCode.body.total).toBe(1);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await t.http.get(`/api/hazards?from=${today}&to=${today}`).set(await t.as('town'))).body.total).toBeGreaterThan(0);
    expect((await t.http.get('/api/hazards?from=2000-01-01&to=2000-12-31').set(await t.as('town'))).body.total).toBe(0);
    expect((await t.http.get('/api/hazards?pageSize=101').set(await t.as('town'))).status).toBe(400);
    expect((await t.http.get('/api/hazards?status=nonsense').set(await t.as('town'))).status).toBe(400);
    const mine = await t.http.get('/api/hazards?mine=true').set(await t.as('grid'));
    expect(mine.body.items.length).toBeGreaterThan(0);
  });

  it('export.xlsx: the ledger as officials keep it, in scope and filtered', async () => {
    const res = await t.http
      .get('/api/hazards/export.xlsx?category=road_traffic')
      .set(await t.as('village'))
      .buffer(true)
      .parse(bytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as Buffer);
    const ws = wb.getWorksheet('隐患台账')!;
    const header = (ws.getRow(1).values as string[]).slice(1);
    expect(header).toEqual(EXPORT_COLUMNS);
    const expected = await t.ds.query("SELECT code FROM hazard WHERE category = 'road_traffic' AND orgPath LIKE ?", [`${t.seed.org.v_liulin.path}%`]);
    expect(ws.rowCount - 1).toBe(expected.length);
    const codes = new Set<string>();
    ws.eachRow((row, n) => n > 1 && codes.add(String(row.getCell(1).value)));
    for (const e of expected) expect(codes.has(e.code)).toBe(true);
    // every data row, the last one too (rows are numbered from 1; row 1 is the header)
    const overdueRow = Array.from({ length: ws.rowCount - 1 }, (_, i) => ws.getRow(i + 2)).find((r) => r.getCell(14).value === '是');
    expect(overdueRow?.getCell(2).value).toBe('道路交通');
    expect((await t.http.get('/api/hazards/export.xlsx').set(await t.as('resident'))).status).toBe(403);
    expect((await t.http.get(`/api/hazards/export.xlsx?orgId=${unit.hekou}`).set(await t.as('village'))).status).toBe(403);
  });

  it('monthly report (月会商) figures match the records', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const start = new Date(`${month}-01T00:00:00+08:00`);
    const [y, m] = month.split('-').map(Number);
    const end = new Date(Date.UTC(y, m, 1) - 8 * 3600_000); // the next month's first day, China time
    const h = await report('resident', { category: 'geological', description: '堡坎开裂' });
    await act('village', h.id, 'escalate', { department: '青山县自然资源局', note: '需专业评估' });
    // Last month's work, which the month must leave out: reported, escalated, rejected and closed then, one closed this
    // month (closed here, not reported), one overdue then (not this month's overdue).
    const before = (days: number) => new Date(start.getTime() - days * 86400_000);
    const old = await Promise.all([1, 2, 3, 4, 5].map((i) => report('resident', { category: 'geological', description: `上月堡坎开裂第${i}处` })));
    await act('village', old[0].id, 'escalate', { department: '青山县自然资源局', note: '上月上报' });
    await act('village', old[1].id, 'reject', { reason: '上月核实不属实' });
    const at = (d: Date) => dbTime(d);
    for (const o of old) await t.ds.query('UPDATE hazard SET createdAt = ? WHERE id = ?', [at(before(6)), o.id]);
    await t.ds.query('UPDATE hazard_event SET createdAt = ? WHERE hazardId IN (?, ?, ?, ?, ?)', [at(before(5)), ...old.map((o) => o.id)]);
    await t.ds.query("UPDATE hazard SET status = 'closed', closedAt = ? WHERE id = ?", [at(before(2)), old[2].id]);
    await t.ds.query("UPDATE hazard SET status = 'closed', closedAt = ? WHERE id = ?", [at(new Date(Date.now() - 60_000)), old[3].id]);
    await t.ds.query("UPDATE hazard SET status = 'assigned', deadline = ? WHERE id = ?", [at(before(3)), old[4].id]);
    await rebuildHazardCounts(t.ds);
    const res = await t.http.get(`/api/reports/monthly?month=${month}`).set(await t.as('village'));
    expect(res.status).toBe(200);
    const p = `${t.seed.org.v_liulin.path}%`;
    const q = async (sql: string, args: unknown[] = []) => Number((await t.ds.query(sql, [p, ...args]))[0].n);
    const window = [at(start), at(end)];
    expect(res.body.reported).toBe(await q('SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND createdAt >= ? AND createdAt < ?', window));
    expect(res.body.closed).toBe(
      await q("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status = 'closed' AND closedAt >= ? AND closedAt < ?", window),
    );
    expect(res.body.inProgress).toBe(
      await q("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('reported','assigned','rectifying','rectified')"),
    );
    const events = (action: string) =>
      q(
        `SELECT COUNT(DISTINCT e.hazardId) AS n FROM hazard_event e JOIN hazard h ON h.id = e.hazardId
          WHERE h.orgPath LIKE ? AND e.action = '${action}' AND e.createdAt >= ? AND e.createdAt < ?`,
        window,
      );
    expect(res.body.escalated).toBe(await events('escalate'));
    expect(res.body.rejected).toBe(await events('reject'));
    expect(res.body.overdue).toBe(
      await q(
        `SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND deadline >= ? AND deadline < ? AND status <> 'rejected'
          AND (rectifiedAt IS NULL OR rectifiedAt > deadline) AND (closedAt IS NULL OR closedAt > deadline)`,
        [at(start), at(new Date(Math.min(end.getTime(), Date.now())))],
      ),
    );
    expect(res.body.escalated).toBeGreaterThanOrEqual(1);
    expect(res.body.closed).toBeGreaterThanOrEqual(1);
    const geo = res.body.byCategory.find((c: { category: string }) => c.category === 'geological');
    expect(geo).toMatchObject({ label: '地质灾害', reported: 1 });
    // 正在办理 lists what it counts: the escalated hazard is 上报县级, not in the list.
    expect(res.body.openItems).toHaveLength(res.body.inProgress);
    expect(res.body.openItems.find((o: { code: string }) => o.code === h.code)).toBeUndefined();
    const town = await t.http.get(`/api/reports/monthly?month=${month}`).set(await t.as('town'));
    const liulinRow = town.body.byUnit.find((u: { orgId: number }) => u.orgId === unit.liulin);
    expect(liulinRow.reported).toBe(res.body.reported);
    expect((await t.http.get('/api/reports/monthly?month=2026-13').set(await t.as('town'))).status).toBe(400);
    expect((await t.http.get(`/api/reports/monthly?month=${month}&orgId=${unit.liulin}`).set(await t.as('village2'))).status).toBe(403);
  });
});
