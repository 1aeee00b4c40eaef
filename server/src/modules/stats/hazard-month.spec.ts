import { createTestApp, TestApp } from '../../testing/test-app';
import { rebuildHazardCounts } from '../hazards/hazard-counts.service';

/**
 * The statistics' rollup hazard_month: hazards driven through the real API (every transition), the rollup
 * checked against the hazard table after every batch, then summaries for whole months, partial months at
 * both edges and single days checked against a plain computation over the hazard table.
 */

const CN = 8 * 3600_000;
const cnMonth = (d: Date) => new Date(d.getTime() + CN).toISOString().slice(0, 7);
const cnDay = (d: Date) => new Date(d.getTime() + CN).toISOString().slice(0, 10);
const dayStart = (day: string) => new Date(`${day}T00:00:00+08:00`).getTime();
const nextDay = (day: string) => new Date(dayStart(day) + 86400_000 + CN).toISOString().slice(0, 10);
/** First day of the China month `delta` months from now. */
const monthStart = (delta: number) => {
  const d = new Date(Date.now() + CN);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1)).toISOString().slice(0, 10);
};
const lastDayOf = (firstDay: string) => {
  const d = new Date(`${firstDay}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
};
const toSql = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

interface Row {
  id: number;
  orgId: number;
  orgPath: string;
  category: string;
  status: string;
  level: string;
  createdAt: Date;
  deadline: Date | null;
  escalatedTo: string | null;
  closedAt: Date | null;
}

const COUNTERS = ['found', 'rectified', 'closed', 'major', 'inProgress', 'rejected', 'escalated', 'closedTimed', 'closeSeconds', 'closedIn'] as const;

describe('hazard_month rollup and the summary built on it', () => {
  let t: TestApp;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const time = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`));
  const hazards = async (): Promise<Row[]> =>
    (await t.ds.query('SELECT id, orgId, orgPath, category, status, level, createdAt, deadline, escalatedTo, closedAt FROM hazard')).map((r: any) => ({
      ...r,
      id: Number(r.id),
      orgId: Number(r.orgId),
      createdAt: time(r.createdAt)!,
      deadline: time(r.deadline),
      closedAt: time(r.closedAt),
    }));

  /** hazard_month as it should be, computed here from the hazards one by one. */
  const expectedRollup = (rows: Row[]) => {
    const out = new Map<string, Record<string, number>>();
    const at = (orgId: number, month: string, category: string) => {
      const k = `${orgId}|${month}|${category}`;
      if (!out.has(k)) out.set(k, Object.fromEntries(COUNTERS.map((c) => [c, 0])));
      return out.get(k)!;
    };
    for (const h of rows) {
      const r = at(h.orgId, cnMonth(h.createdAt), h.category);
      const live = h.status !== 'rejected';
      if (live) r.found++;
      else r.rejected++;
      if (h.status === 'rectified' || h.status === 'closed') r.rectified++;
      if (h.status === 'closed') r.closed++;
      if (live && h.level === 'major') r.major++;
      if (['reported', 'assigned', 'rectifying', 'rectified'].includes(h.status)) r.inProgress++;
      if (live && h.escalatedTo) r.escalated++;
      if (h.status === 'closed' && h.closedAt) {
        r.closedTimed++;
        r.closeSeconds += Math.trunc((h.closedAt.getTime() - h.createdAt.getTime()) / 1000);
        at(h.orgId, cnMonth(h.closedAt), h.category).closedIn++;
      }
    }
    return Object.fromEntries([...out].filter(([, v]) => COUNTERS.some((c) => v[c] !== 0)).sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  const storedRollup = async () => {
    const rows: any[] = await t.ds.query('SELECT * FROM hazard_month');
    return Object.fromEntries(
      rows
        .map((r) => [`${r.orgId}|${r.month}|${r.category}`, Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c])]))] as const)
        .filter(([, v]) => COUNTERS.some((c) => v[c] !== 0))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  };
  const checkRollup = async () => {
    const rows = await hazards();
    expect(await storedRollup()).toEqual(expectedRollup(rows));
    return rows;
  };

  const report = async (key: string, who: string, orgId: number, category: string, level?: 'major') => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as(who))
      .send({ orgId, category, description: `测试隐患 ${key}`, ...(level ? { level } : {}) });
    if (res.status !== 201) throw new Error(`report ${key}: ${res.status} ${JSON.stringify(res.body)}`);
    ids[key] = res.body.id;
  };
  const act = async (who: string, key: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await t.http
      .post(`/api/hazards/${ids[key]}/${action}`)
      .set(await t.as(who))
      .send(body);
    if (res.status !== 200) throw new Error(`${action} ${key}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const soon = () => toSql(new Date(Date.now() + 5 * 86400_000)).slice(0, 10);
  const assign = (key: string, extra: Record<string, unknown> = {}) =>
    act('town', key, 'assign', { responsibleOrgId: t.seed.org.v_liulin.id, deadline: soon(), ...extra });

  it('follows reports through the API', async () => {
    const o = t.seed.org;
    const plan: [string, string, number, string, 'major'?][] = [
      ['a', 'town', o.v_liulin.id, 'fire'],
      ['b', 'town', o.v_liulin.id, 'fire', 'major'],
      ['c', 'town', o.g_liulin_1.id, 'road_traffic'],
      ['d', 'resident', o.v_liulin.id, 'drowning'],
      ['e', 'town', o.v_hekou.id, 'geological'],
      ['f', 'town', o.v_hekou.id, 'fire'],
      ['g', 'town', o.town.id, 'fireworks', 'major'],
      ['h', 'county', o.town2.id, 'fire'],
      ['i', 'town', o.v_hekou.id, 'road_traffic'],
      ['j', 'town', o.e_daqiang.id, 'industry_trade'],
      ['k', 'town', o.v_liulin.id, 'other'],
      ['l', 'town', o.v_hekou.id, 'fire'],
    ];
    for (const p of plan) await report(...p);
    expect(Object.keys(await storedRollup()).length).toBeGreaterThan(5);
    await checkRollup();
  });

  it('a rebuild from the hazard table gives the same rows, also across months', async () => {
    // Some hazards move into earlier months (ms fractions, a China-midnight boundary); the rebuild must place them.
    const shift: [string, Date][] = [
      ['a', new Date(dayStart(`${monthStart(-2).slice(0, 8)}03`) + 3600_000 + 123)],
      ['b', new Date(dayStart(`${monthStart(-2).slice(0, 8)}20`) + 5 * 3600_000 + 999)],
      ['c', new Date(dayStart(monthStart(-1)) - 1)], // the last millisecond of the month before last, China time
      ['d', new Date(dayStart(monthStart(-1)))], // the first of last month, 00:00 China time
      ['e', new Date(dayStart(`${monthStart(-1).slice(0, 8)}10`) + 7 * 3600_000 + 501)],
      ['f', new Date(dayStart(`${monthStart(-1).slice(0, 8)}25`) + 12 * 3600_000 + 1)],
      ['h', new Date(dayStart(`${monthStart(-1).slice(0, 8)}12`) + 9 * 3600_000)],
      ['j', new Date(dayStart(`${monthStart(-3).slice(0, 8)}28`) + 20 * 3600_000 + 250)],
    ];
    for (const [k, at] of shift) await t.ds.query('UPDATE hazard SET createdAt = ? WHERE id = ?', [toSql(at), ids[k]]);
    await rebuildHazardCounts(t.ds);
    const rows = await checkRollup();
    expect(new Set(rows.map((r) => cnMonth(r.createdAt))).size).toBeGreaterThanOrEqual(4);
  });

  it('every transition moves the rollup exactly (checked after each batch)', async () => {
    // assign (one graded major), escalate, reject
    await assign('a');
    await assign('c', { level: 'major' });
    await assign('e');
    await assign('f');
    await act('town', 'i', 'escalate', { department: '青山县应急管理局', note: '需县级处置' });
    await act('town', 'k', 'reject', { reason: '重复上报' });
    await act('county', 'h', 'assign', { responsibleOrgId: t.seed.org.town2.id, deadline: soon() });
    await checkRollup();
    // start, rectify, verify fail and pass, answer, re-assign
    await act('town', 'a', 'start', {});
    await act('town', 'a', 'rectify', { note: '已整改' });
    await act('town', 'a', 'verify', { passed: false, note: '仍未整改到位' });
    await act('town', 'a', 'rectify', { note: '再次整改' });
    await act('town', 'a', 'verify', { passed: true, note: '验收合格' });
    await act('town', 'c', 'rectify', { note: '已整改' });
    await act('town', 'c', 'verify', { passed: true, note: '合格' });
    await act('town', 'e', 'start', {});
    await act('town', 'e', 'rectify', { note: '已整改' });
    await act('county', 'i', 'answer', { note: '县应急局已处置' });
    await assign('f', { level: 'major' });
    await act('town2', 'h', 'rectify', { note: '已整改' });
    await act('town2', 'h', 'verify', { passed: true, note: '合格' });
    await checkRollup();
    // reopen closed and rejected ones, escalate assigned work, close again
    await act('town', 'a', 'reopen', { note: '又坏了' });
    await act('town', 'k', 'reopen', { note: '不是重复' });
    await act('town', 'i', 'reopen', { note: '复查未处置' }); // escalatedTo stays set…
    await act('town', 'i', 'reject', { reason: '已由县级处置' }); // …so a rejection takes it out of 上报县级
    await act('town', 'f', 'escalate', { department: '青山县水利局', note: '需县级处置' });
    await act('county', 'f', 'answer', { note: '已处置' });
    await act('town', 'b', 'reject', { reason: '不属实' });
    await checkRollup();
    await assign('a');
    await act('town', 'a', 'rectify', { note: '再次整改' });
    await act('town', 'a', 'verify', { passed: true, note: '合格' });
    await assign('l');
    await act('town', 'i', 'reopen', { note: '仍需处置' });
    await assign('i');
    await assign('j');
    await act('town', 'j', 'start', {});
    const rows = await checkRollup();
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['reported', 'assigned', 'rectifying', 'rectified', 'closed', 'rejected']));
    // Closings some time after the report, with ms fractions: the whole seconds must add up exactly.
    expect(rows.filter((r) => r.status === 'closed' && r.closedAt!.getTime() - r.createdAt.getTime() > 86400_000).length).toBeGreaterThanOrEqual(3);
  });

  /** The summary's hazard figures computed plainly from the hazard table. */
  const direct = (rows: Row[], orgPath: string, from: string, to: string, now: Date) => {
    const lo = dayStart(from);
    const hi = dayStart(nextDay(to));
    const hs = rows.filter((h) => h.orgPath.startsWith(orgPath) && h.createdAt.getTime() >= lo && h.createdAt.getTime() < hi);
    const live = hs.filter((h) => h.status !== 'rejected');
    const rectified = (h: Row) => h.status === 'rectified' || h.status === 'closed';
    const timed = hs.filter((h) => h.status === 'closed' && h.closedAt);
    const secs = timed.reduce((a, h) => a + Math.trunc((h.closedAt!.getTime() - h.createdAt.getTime()) / 1000), 0);
    // Categories by count; equal counts keep the order of their first (orgPath, category).
    const firstSeen = [
      ...new Set([...hs].sort((a, b) => (a.orgPath + '\u0000' + a.category < b.orgPath + '\u0000' + b.category ? -1 : 1)).map((h) => h.category)),
    ];
    const byCategory = firstSeen
      .map((c) => ({
        category: c,
        found: live.filter((h) => h.category === c).length,
        rectified: hs.filter((h) => h.category === c && rectified(h)).length,
        closed: hs.filter((h) => h.category === c && h.status === 'closed').length,
        major: live.filter((h) => h.category === c && h.level === 'major').length,
        inProgress: hs.filter((h) => h.category === c && ['reported', 'assigned', 'rectifying', 'rectified'].includes(h.status)).length,
      }))
      .filter((c) => c.found > 0)
      .sort((a, b) => b.found - a.found);
    return {
      found: live.length,
      rectified: hs.filter(rectified).length,
      closed: hs.filter((h) => h.status === 'closed').length,
      major: live.filter((h) => h.level === 'major').length,
      overdue: hs.filter((h) => ['assigned', 'rectifying'].includes(h.status) && h.deadline && h.deadline.getTime() < now.getTime()).length,
      escalated: live.filter((h) => h.escalatedTo).length,
      rejected: hs.length - live.length,
      inProgress: hs.filter((h) => ['reported', 'assigned', 'rectifying', 'rectified'].includes(h.status)).length,
      rectificationRate: live.length ? Math.round((hs.filter(rectified).length / live.length) * 10000) / 10000 : null,
      avgDaysToClose: timed.length ? Math.round((secs / timed.length / 86400) * 10) / 10 : null,
      byCategory,
      byChild: (children: { id: number; path: string }[]) =>
        children.map((c) => ({
          orgId: c.id,
          found: live.filter((h) => h.orgPath.startsWith(c.path)).length,
          rectified: hs.filter((h) => h.orgPath.startsWith(c.path) && rectified(h)).length,
        })),
    };
  };

  it('summaries for whole months, partial months at both edges and single days equal the direct computation', async () => {
    // Overdue work (the deadline is not in the rollup): two assigned hazards whose deadline has passed.
    const late = toSql(new Date(Date.now() - 3600_000));
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id IN (?, ?)', [late, ids.l, ids.i]);
    const rows = await hazards();
    const today = cnDay(new Date());
    const d = (k: string) => cnDay(rows.find((r) => r.id === ids[k])!.createdAt);
    const periods: [string, string][] = [
      [monthStart(-3), lastDayOf(monthStart(0))], // whole months
      [monthStart(-2), lastDayOf(monthStart(-1))], // whole months, nothing at the edges
      [monthStart(-2), monthStart(-1)], // a whole month and the first day of the next
      [`${monthStart(-2).slice(0, 8)}15`, today], // partial months at both edges (or a whole last month on its last day)
      [`${monthStart(-3).slice(0, 8)}28`, `${monthStart(-1).slice(0, 8)}11`], // partial at both edges, whole ones between
      [`${monthStart(-2).slice(0, 8)}04`, `${monthStart(-2).slice(0, 8)}20`], // inside one month
      [d('a'), d('a')], // one day
      [d('c'), d('c')], // the last day of a month
      [d('d'), d('d')], // the first day of a month
      [today, today],
      [`${monthStart(-12)}`, lastDayOf(monthStart(-4))], // nothing there
    ];
    const o = t.seed.org;
    const units = [o.town, o.v_liulin, o.v_hekou, o.county, o.town2];
    for (const [from, to] of periods) {
      for (const unit of units) {
        const res = await t.http
          .get('/api/stats/summary')
          .query({ orgId: unit.id, from, to })
          .set(await t.as('county'));
        expect(res.status).toBe(200);
        const now = new Date();
        const exp = direct(rows, unit.path, from, to, now);
        const h = res.body.hazards;
        const got = { ...h, byCategory: h.byCategory.map(({ label: _label, ...c }: any) => c) };
        delete got.fromFieldWork;
        const { byChild, ...want } = exp;
        expect({ unit: unit.id, from, to, ...got }).toEqual({ unit: unit.id, from, to, ...want });
        const children: { id: number; path: string }[] = await t.ds.query('SELECT id, path FROM org_unit WHERE parentId = ? AND archived = 0 ORDER BY id', [
          unit.id,
        ]);
        expect(res.body.children.map((c: any) => ({ orgId: c.orgId, found: c.hazardsFound, rectified: c.hazardsRectified }))).toEqual(byChild(children));
      }
    }
    // The figures are not all zero: the test sees hazards in every kind of period that should hold some.
    const whole = direct(rows, o.county.path, periods[0][0], periods[0][1], new Date());
    expect(whole).toMatchObject({ overdue: 2 });
    expect(whole.found).toBeGreaterThan(8);
    expect(whole.avgDaysToClose).not.toBeNull();
    expect(direct(rows, o.county.path, periods[3][0], periods[3][1], new Date()).found).toBeGreaterThanOrEqual(4);
  });

  it("the dashboard's trend is reports by month and closings by closedAt's month", async () => {
    const rows = await hazards();
    const res = await t.http
      .get('/api/stats/dashboard')
      .query({ orgId: t.seed.org.town.id })
      .set(await t.as('county'));
    expect(res.status).toBe(200);
    const town = t.seed.org.town.path;
    const year = cnDay(new Date()).slice(0, 4);
    const mine = rows.filter((h) => h.orgPath.startsWith(town));
    const want = res.body.trend.map((m: { month: string }) => ({
      month: m.month,
      found: mine.filter((h) => h.status !== 'rejected' && cnMonth(h.createdAt) === m.month).length,
      closed: mine.filter((h) => h.status === 'closed' && h.closedAt && cnMonth(h.closedAt) === m.month).length,
    }));
    expect(res.body.trend).toEqual(want);
    expect(res.body.trend[0].month).toBe(`${year}-01`);
    expect(want.reduce((a: number, m: { closed: number }) => a + m.closed, 0)).toBeGreaterThan(0);
  });
});
