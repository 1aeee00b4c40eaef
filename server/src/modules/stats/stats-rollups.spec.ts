import ExcelJS from 'exceljs';
import { isSnapshotMetric } from '@xiangan/shared';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { drawSignaturePng, pngDataUrl } from '../pledges/signature-art';
import { childOfPath } from '../../common/stats/period';

/**
 * The statistics' rollups of signatures (pledge_month, pledge_campaign.rosterSigned) and field work (field_month):
 * the demo year seeded (rollups rebuilt by the seeders), then signatures, roster imports and field records created
 * and edited through the real API. After every step each rollup must equal a fresh computation from the base
 * tables, and the summary — whole months from the rollups, edge days from the base tables — must equal a plain
 * computation over the period's rows, for whole-month, partial-month and single-day periods.
 */

const CN = 8 * 3600_000;
const cnMonth = (d: Date) => new Date(d.getTime() + CN).toISOString().slice(0, 7);
const today = () => new Date(Date.now() + CN).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const dayStart = (day: string) => new Date(`${day}T00:00:00+08:00`);
const time = (v: unknown): Date => (v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`));
const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
const round2 = (n: number) => Math.round(n * 100) / 100;

async function xlsxOf(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe(`statistics rollups of signatures and field work (${TEST_DB})`, () => {
  let t: TestApp;
  let sig: string;
  let sig2: string;

  beforeAll(async () => {
    t = await createTestApp({ seed: 'full' });
    sig = pngDataUrl(await drawSignaturePng(1));
    sig2 = pngDataUrl(await drawSignaturePng(2));
  });
  afterAll(async () => t?.close());

  // ---- the rollups against the base tables --------------------------------------------------------

  const checkRollups = async () => {
    const sigs: any[] = await t.ds.query('SELECT campaignId, signedAt FROM pledge_signature');
    const months: Record<string, number> = {};
    for (const s of sigs) {
      const k = `${s.campaignId}|${cnMonth(time(s.signedAt))}`;
      months[k] = (months[k] ?? 0) + 1;
    }
    const stored: any[] = await t.ds.query('SELECT campaignId, month, signed FROM pledge_month');
    expect(sorted(Object.fromEntries(stored.filter((r) => Number(r.signed)).map((r) => [`${r.campaignId}|${r.month}`, Number(r.signed)])))).toEqual(
      sorted(months),
    );

    const linked: any[] = await t.ds.query('SELECT campaignId, COUNT(*) AS n FROM pledge_roster_entry WHERE signatureId IS NOT NULL GROUP BY campaignId');
    const camps: any[] = await t.ds.query('SELECT id, rosterSigned FROM pledge_campaign WHERE rosterSigned <> 0');
    expect(sorted(Object.fromEntries(camps.map((c) => [String(c.id), Number(c.rosterSigned)])))).toEqual(
      sorted(Object.fromEntries(linked.map((r) => [String(r.campaignId), Number(r.n)]))),
    );

    const field: Record<string, { n: number; total: number }> = {};
    const add = (k: string, v: number | null) => {
      const cur = (field[k] ??= { n: 0, total: 0 });
      cur.n += 1;
      cur.total += v ?? 0;
    };
    for (const r of await t.ds.query('SELECT orgPath, date, type, kind, sector FROM field_record'))
      add([r.date.slice(0, 7), r.orgPath, r.type, r.kind, r.sector ?? '', ''].join('|'), null);
    for (const r of await t.ds.query('SELECT orgPath, date, type, kind, sector, metric, value FROM field_metric'))
      add([r.date.slice(0, 7), r.orgPath, r.type, r.kind, r.sector ?? '', r.metric].join('|'), Number(r.value));
    const fm: any[] = await t.ds.query('SELECT * FROM field_month');
    const storedField = Object.fromEntries(
      fm
        .filter((r) => Number(r.n) !== 0 || Number(r.total) !== 0)
        .map((r) => [[r.month, r.orgPath, r.type, r.kind, r.sector, r.metric].join('|'), { n: Number(r.n), total: Number(r.total) }]),
    );
    // every metric here is a whole number, so the sums are exact in any order
    expect(sorted(storedField)).toEqual(sorted(field));
  };

  // ---- the summary against a plain computation ------------------------------------------------------

  /** The pledge and field-work figures of the summary, computed from the base tables' rows. */
  const direct = async (org: { id: number; path: string }, from: string, to: string) => {
    const t0 = dayStart(from).getTime();
    const t1 = dayStart(addDays(to, 1)).getTime();
    const camps: any[] = await t.ds.query('SELECT id, kind, orgPath, rosterCount, createdAt, deadline FROM pledge_campaign');
    const inTree = camps.filter((c) => c.orgPath.startsWith(org.path));
    const signedByKind: Record<string, number> = {};
    const byChild: Record<string, { signatures: number; fieldRecords: number; inspections: number }> = {};
    const child = (path: string) => (byChild[childOfPath(path, org.path)] ??= { signatures: 0, fieldRecords: 0, inspections: 0 });
    let signed = 0;
    for (const s of await t.ds.query('SELECT campaignId, signedAt FROM pledge_signature')) {
      const c = inTree.find((x) => Number(x.id) === Number(s.campaignId));
      const at = time(s.signedAt).getTime();
      if (!c || at < t0 || at >= t1) continue;
      signed++;
      signedByKind[c.kind] = (signedByKind[c.kind] ?? 0) + 1;
      child(c.orgPath).signatures++;
    }
    const entries: any[] = await t.ds.query('SELECT campaignId FROM pledge_roster_entry WHERE signatureId IS NOT NULL');
    const rates: Record<string, number | null> = {};
    const running = inTree.filter((c) => time(c.createdAt).getTime() < t1 && time(c.deadline).getTime() >= t0);
    for (const kind of new Set(running.map((c) => c.kind))) {
      const ofKind = running.filter((c) => c.kind === kind);
      const roster = ofKind.reduce((a, c) => a + Number(c.rosterCount), 0);
      const got = entries.filter((e) => ofKind.some((c) => Number(c.id) === Number(e.campaignId))).length;
      rates[kind] = roster ? Math.round((got / roster) * 10000) / 10000 : null;
    }
    const records: Record<string, number> = {};
    const sectors: Record<string, { inspections: number; enforcements: number; penalties: number; units: number; issues: number }> = {};
    const sector = (s: string) => (sectors[s] ??= { inspections: 0, enforcements: 0, penalties: 0, units: 0, issues: 0 });
    const recs = (await t.ds.query('SELECT id, orgPath, date, type, kind, sector FROM field_record')).filter(
      (r: any) => r.orgPath.startsWith(org.path) && r.date >= from && r.date <= to,
    );
    for (const r of recs) {
      records[`${r.type}.${r.kind}`] = (records[`${r.type}.${r.kind}`] ?? 0) + 1;
      const c = child(r.orgPath);
      c.fieldRecords++;
      if (r.type === 'inspection') c.inspections++;
      if (r.sector && r.type === 'inspection') sector(r.sector).inspections++;
      if (r.sector && r.type === 'enforcement') {
        sector(r.sector).enforcements++;
        if (r.kind === 'simple') sector(r.sector).penalties++;
      }
    }
    const metrics: Record<string, number> = {};
    const mets = (await t.ds.query('SELECT orgPath, date, type, kind, sector, metric, value FROM field_metric')).filter(
      (m: any) => m.orgPath.startsWith(org.path) && m.date >= from && m.date <= to,
    );
    for (const m of mets) {
      if (m.sector && m.type === 'inspection' && m.metric === 'units') sector(m.sector).units += Number(m.value);
      if (m.sector && m.type === 'inspection' && m.metric === 'issues') sector(m.sector).issues += Number(m.value);
      if (isSnapshotMetric(m.type, m.kind, m.metric)) continue; // head-counts: report-figures.spec.ts
      const k = `${m.type}.${m.kind}.${m.metric}`;
      metrics[k] = round2((metrics[k] ?? 0) + Number(m.value));
    }
    return {
      signed,
      signedByKind: sorted(signedByKind),
      rates: sorted(rates),
      records: sorted(records),
      metrics: sorted(metrics),
      sectors: sorted(sectors),
      byChild,
    };
  };

  /** The same figures as the summary endpoint answers them. */
  const answered = async (org: { id: number; path: string }, from: string, to: string) => {
    const res = await t.http
      .get('/api/stats/summary')
      .query({ orgId: org.id, from, to })
      .set(await t.as('county'));
    expect(res.status).toBe(200);
    const b = res.body;
    const records: Record<string, number> = {};
    const metrics: Record<string, number> = {};
    for (const k of b.fieldwork.byKind) {
      if (k.records) records[`${k.type}.${k.kind}`] = k.records;
      for (const [m, v] of Object.entries(k.metrics)) if (!isSnapshotMetric(k.type, k.kind, m)) metrics[`${k.type}.${k.kind}.${m}`] = v as number;
    }
    const sectors: Record<string, unknown> = {};
    for (const s of b.fieldwork.bySector) {
      if (s.inspections || s.enforcements || s.units || s.issues)
        sectors[s.sector] = { inspections: s.inspections, enforcements: s.enforcements, penalties: s.penalties, units: s.units, issues: s.issues };
    }
    return {
      signed: b.pledges.signed,
      signedByKind: sorted(Object.fromEntries(b.pledges.byKind.filter((k: any) => k.signed).map((k: any) => [k.kind, k.signed]))),
      rates: sorted(Object.fromEntries(b.pledges.byKind.filter((k: any) => k.campaigns).map((k: any) => [k.kind, k.rate]))),
      records: sorted(records),
      metrics: sorted(metrics),
      sectors: sorted(sectors),
      children: b.children as { orgId: number; signatures: number; fieldRecords: number; inspections: number }[],
    };
  };

  const checkSummaries = async () => {
    const o = t.seed.org;
    const d = today();
    const month = d.slice(0, 7);
    const lastMonth = addDays(`${month}-01`, -1).slice(0, 7);
    const periods: [string, string][] = [
      [`${d.slice(0, 4)}-01-01`, `${d.slice(0, 4)}-12-31`], // whole months only
      [`${d.slice(0, 4)}-01-01`, d], // ends inside this month
      [`${lastMonth}-01`, addDays(`${month}-01`, -1)], // one whole month
      [`${lastMonth}-10`, d], // starts and ends inside months
      [addDays(d, -45), addDays(d, -20)],
      [d, d], // one day
    ];
    for (const org of [o.county, o.town]) {
      for (const [from, to] of periods) {
        const want = await direct(org, from, to);
        const got = await answered(org, from, to);
        const label = `${org.path} ${from}..${to}`;
        expect({ label, ...got, children: undefined }).toEqual({
          label,
          signed: want.signed,
          signedByKind: want.signedByKind,
          rates: want.rates,
          records: want.records,
          metrics: want.metrics,
          sectors: Object.fromEntries(Object.entries(want.sectors).filter(([, s]) => s.inspections || s.enforcements || s.units || s.issues)),
          children: undefined,
        });
        for (const c of got.children) {
          const w = want.byChild[String(c.orgId)] ?? { signatures: 0, fieldRecords: 0, inspections: 0 };
          expect({ label, orgId: c.orgId, signatures: c.signatures, fieldRecords: c.fieldRecords, inspections: c.inspections }).toEqual({
            label,
            orgId: c.orgId,
            ...w,
          });
        }
      }
    }
  };

  // ---- the steps --------------------------------------------------------------------------------

  it('seeded year: the seeders rebuilt the rollups; summaries agree', async () => {
    expect(Number((await t.ds.query('SELECT COUNT(*) AS n FROM pledge_month'))[0].n)).toBeGreaterThan(0);
    expect(Number((await t.ds.query('SELECT COUNT(*) AS n FROM field_month'))[0].n)).toBeGreaterThan(0);
    await checkRollups();
    await checkSummaries();
  });

  it('signatures and roster imports through the API keep pledge_month and rosterSigned', async () => {
    const school = await t.as('school');
    const versions = (await t.http.get('/api/pledge-templates').set(school)).body;
    const drowning = versions.find((x: any) => x.kind === 'drowning').latest.id;
    const deadline = new Date(Date.now() + 30 * 86400_000).toISOString();
    const c = await t.http.post('/api/pledge-campaigns').set(school).send({ templateVersionId: drowning, orgId: t.seed.org.s_primary.id, deadline });
    expect(c.status).toBe(201);
    const id = c.body.id;
    const fields = (name: string, cls: string, phone: string) => ({ studentName: name, className: cls, guardianName: '王家长', relation: '父亲', phone });
    const sign = async (body: Record<string, unknown>, key: string) =>
      t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as('parent'))
        .set('Idempotency-Key', key)
        .send({
          ...body,
          signatures: [
            { role: 'guardian', image: sig },
            { role: 'student', image: sig2 },
          ],
        });
    // before any roster: two pledges (one of them will be on the roster)
    expect((await sign({ fields: fields('王小明', '一年级一班', '13800000001') }, 'rollup-key-a')).status).toBe(201);
    expect((await sign({ fields: fields('钱多多', '一年级三班', '13800000009') }, 'rollup-key-b')).status).toBe(201);
    // a retry answers the first signature and counts nothing
    const again = await sign({ fields: fields('钱多多', '一年级三班', '13800000009') }, 'rollup-key-b');
    expect(again.headers['idempotent-replayed']).toBe('true');
    await checkRollups();
    // the roster arrives: 王小明's earlier pledge is linked
    const roster = [
      ['学生姓名', '班级', '监护人', '联系电话'],
      ['王小明', '一年级一班', '王大山', '13800000001'],
      ['李小红', '一年级一班', '李国庆', '13800000002'],
      ['赵小刚', '一年级二班', '赵平', '13800000003'],
      ['孙小美', '一年级二班', '孙红', '13800000004'],
    ];
    const imp = await t.http
      .post(`/api/pledge-campaigns/${id}/roster`)
      .set(school)
      .attach('file', await xlsxOf(roster), '名单.xlsx');
    expect(imp.status).toBe(200);
    expect(Number((await t.ds.query('SELECT rosterSigned FROM pledge_campaign WHERE id = ?', [id]))[0].rosterSigned)).toBe(1);
    await checkRollups();
    // signers pick their entries (after the signing path's 2 s campaign cache has let go of the roster-less row)
    await new Promise((r) => setTimeout(r, 2100));
    const entries: any[] = await t.ds.query('SELECT id, name FROM pledge_roster_entry WHERE campaignId = ?', [id]);
    const entry = (name: string) => entries.find((e) => e.name === name).id;
    const results = await Promise.all([
      sign({ rosterId: entry('李小红'), fields: { guardianName: '李国庆', relation: '父亲', phone: '13800000002' } }, 'rollup-key-c'),
      sign({ rosterId: entry('赵小刚'), fields: { guardianName: '赵平', relation: '母亲', phone: '13800000003' } }, 'rollup-key-d'),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    // the same entry again is a duplicate: refused, nothing counted
    expect((await sign({ rosterId: entry('赵小刚'), fields: { guardianName: '赵平', relation: '母亲', phone: '13800000003' } }, 'rollup-key-e')).status).toBe(
      409,
    );
    expect(Number((await t.ds.query('SELECT rosterSigned FROM pledge_campaign WHERE id = ?', [id]))[0].rosterSigned)).toBe(3);
    await checkRollups();
    // a new file without 孙小美 (unsigned: dropped) and with a new pupil; signed entries stay
    const imp2 = await t.http
      .post(`/api/pledge-campaigns/${id}/roster`)
      .set(school)
      .attach('file', await xlsxOf([...roster.slice(0, 4), ['周小天', '一年级三班', '周强', '13800000005']]), '名单2.xlsx');
    expect(imp2.status).toBe(200);
    expect(imp2.body.replaced).toBe(1);
    await checkRollups();
    await checkSummaries();
  });

  it('field records created and edited through the API move field_month by new − old', async () => {
    const o = t.seed.org;
    const town = await t.as('town');
    const d = today();
    const month = d.slice(0, 7);
    const lastMonthDay = addDays(`${month}-01`, -3);
    const ids: number[] = [];
    const create = async (path: string, body: Record<string, unknown>) => {
      const res = await t.http.post(`/api/${path}`).set(town).send(body);
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
      return res.body.id as number;
    };
    const edit = async (path: string, id: number, body: Record<string, unknown>) => {
      const res = await t.http.patch(`/api/${path}/${id}`).set(town).send(body);
      if (res.status !== 200) throw new Error(`edit ${path}/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    const a = await create('inspections', { date: d, kind: 'routine', sector: 'fire', orgId: o.v_liulin.id, metrics: { inspectors: 3, units: 4, issues: 2 } });
    const b = await create('inspections', {
      date: lastMonthDay,
      kind: 'special',
      sector: 'road_traffic',
      orgId: o.v_hekou.id,
      campaign: '汛期专项',
      metrics: { inspectors: 5, vehicles: 0 },
    });
    const c = await create('enforcements', {
      date: d,
      kind: 'simple',
      sector: 'fireworks',
      orgId: o.town.id,
      metrics: { amount: 500, hazards: 1, rectified: 1 },
    });
    const e = await create('activities', { date: addDays(d, -40), kind: 'publicity_event', orgId: o.v_liulin.id, metrics: { leaflets: 300, banners: 2 } });
    await checkRollups();
    await checkSummaries();
    // edits: metrics only; the date into another month; another unit and sector; a metric dropped and one added
    await edit('inspections', a, { metrics: { inspectors: 6, units: 1, issues: 2, issuesRectified: 2 } });
    await edit('inspections', b, { date: d });
    await edit('enforcements', c, { orgId: o.v_hekou.id, sector: 'hazardous_chemicals', metrics: { amount: 800, hazards: 2 } });
    await edit('activities', e, { date: lastMonthDay, metrics: { leaflets: 250 } });
    // two edits of one record at once take turns: the rollup ends at whichever committed last
    await Promise.all([
      edit('inspections', a, { metrics: { inspectors: 7, units: 2 } }),
      edit('inspections', a, { metrics: { inspectors: 9, units: 3, vehicles: 1 } }),
    ]);
    await checkRollups();
    await checkSummaries();
  });
});
