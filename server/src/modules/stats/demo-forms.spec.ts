import { docxText } from '../../testing/download';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

const JSZip = require(require.resolve('jszip', { paths: [require.resolve('exceljs')] }));
import { createTestApp, TestApp } from '../../testing/test-app';

/** The demo town's documents in every form (town, village, county, a quarter), saved under test/artifacts/reports for reading. */
describe('demo documents in the three forms', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: 'full', now: new Date('2026-12-20T04:00:00Z') });
  });
  afterAll(async () => t?.close());
  const binary = (r: any, cb: any) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  it('writes them', async () => {
    const dir = join(__dirname, '../../../../test/artifacts/reports');
    mkdirSync(dir, { recursive: true });
    const o = t.seed.org;
    // The town, a village, the county and a quarter, each in the three forms (the campaign form: three years, or its quarter).
    const cases: [string, string, Record<string, unknown>][] = [];
    const units: [string, string, Record<string, unknown>][] = [
      ['town', 'town', {}],
      ['village', 'village', {}],
      ['county', 'county', { orgId: o.county.id }],
    ];
    for (const [name, who, extra] of units) {
      cases.push([`${name}-annual`, who, { from: '2026-01-01', to: '2026-12-31', ...extra }]);
      cases.push([`${name}-duty`, who, { from: '2026-01-01', to: '2026-12-31', form: 'duty', ...extra }]);
      cases.push([`${name}-campaign`, who, { from: '2024-01-01', to: '2026-12-31', form: 'campaign', ...extra }]);
    }
    for (const form of ['annual', 'duty', 'campaign']) cases.push([`town-q3-${form}`, 'town', { from: '2026-07-01', to: '2026-09-30', form }]);
    for (const [name, who, q] of cases) {
      const res = await t.http
        .get('/api/stats/summary.docx')
        .query(q)
        .set(await t.as(who))
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      writeFileSync(join(dir, `${name}.docx`), res.body);
      if (name === 'town-duty') {
        // 坚持广泛宣传筑安全: publicity, training and the schools in paragraphs of their own.
        const xml: string = await (await JSZip.loadAsync(res.body as Buffer)).file('word/document.xml')!.async('string');
        const paras = (xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []).map((x) => x.replace(/<[^>]+>/g, ''));
        expect(paras.filter((x) => /^积极开展安全生产宣传教育/.test(x))).toHaveLength(1);
        expect(paras.filter((x) => /^组织安全生产教育培训会议\d+次/.test(x))).toHaveLength(1);
        expect(paras.some((x) => /^积极开展安全生产宣传教育.*培训会议/.test(x))).toBe(false);
      }
      if (name === 'village-annual') {
        // 柳林村 holds no enforcement or traffic records: no 强化监管 heading over a lone closing sentence; 无事故 closes
        // the hazard section instead.
        const text = await docxText(res.body);
        expect(text).not.toContain('强化监管，严格执法');
        expect(text).toContain('通过以上工作，确保了全村全年无安全生产事故发生');
      }
    }
    const brief = await t.http
      .get('/api/stats/monthly-brief.docx')
      .query({ month: '2026-10' })
      .set(await t.as('town'))
      .buffer(true)
      .parse(binary);
    writeFileSync(join(dir, 'town-brief-2026-10.docx'), brief.body);
  });
});
