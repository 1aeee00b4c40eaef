import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../../testing/test-app';

// jszip comes with exceljs (a docx is a zip).

const JSZip = require(require.resolve('jszip', { paths: [require.resolve('exceljs')] }));

const binary = (r: any, cb: (e: Error | null, b: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** The demo town on first start: the report reads like the reference one, every figure in place. */
describe('the demo town year-end report', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: 'full', now: new Date('2026-11-20T04:00:00Z') });
  });
  afterAll(async () => t?.close());

  it('has the reference scale and no XX; saved under test/artifacts', async () => {
    const s = (
      await t.http
        .get('/api/stats/summary')
        .query({ from: '2026-01-01', to: '2026-12-31' })
        .set(await t.as('town'))
    ).body;
    const fig = (k: string) => s.figures.find((f: any) => f.key === k)?.value;
    expect(fig('enforcement.simple')).toBe(12);
    expect(fig('enforcement.records')).toBe(60);
    expect(fig('enforcement.hazards')).toBe(40);
    expect(fig('fire.inspections')).toBe(106);
    expect(fig('fire.issues')).toBe(287);
    expect(fig('schoolTalks')).toBe(16);
    expect(fig('drills.records')).toBe(8);
    expect(fig('publicity.leaflets')).toBe(15000);
    expect(fig('publicity.banners')).toBe(110);
    expect(fig('publicity.slogans')).toBe(600);
    expect(fig('staff.safetyManagers')).toBe(7);
    expect(fig('staff.certHolders')).toBe(15);
    expect(fig('countyLetters.closed')).toBe(7);
    const res = await t.http
      .get('/api/stats/summary.docx')
      .query({ from: '2026-01-01', to: '2026-12-31' })
      .set(await t.as('town'))
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    const dir = join(__dirname, '../../../../test/artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fieldwork-demo-report.docx'), res.body);
    const text = (await (await JSZip.loadAsync(res.body)).file('word/document.xml').async('string')).replace(/<[^>]+>/g, '');
    expect(text).toContain('石桥镇2026年度安全生产和消防工作总结');
    expect(text).toContain('4月20日');
    expect(text).not.toMatch(/X{2,}|undefined|NaN|null/);
    const brief = await t.http
      .get('/api/stats/monthly-brief.docx')
      .query({ month: '2026-10' })
      .set(await t.as('town'))
      .buffer(true)
      .parse(binary);
    writeFileSync(join(dir, 'fieldwork-demo-monthly-brief.docx'), brief.body);
  });
});
