/** What the pledges specs share: one app per file, two drawn signatures, a 防溺水 campaign, a child's form, a signing, a roster. */
import type { TestApp } from '../../../testing/test-app';
import { useTestApp } from '../../../testing/use-test-app';
import { drawSignaturePng, pngDataUrl } from '../signature-art';

export const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();

export async function xlsxOf(rows: (string | number)[][]): Promise<Buffer> {
  const ExcelJS = await import('exceljs'); // as the app does: loaded by the specs that build a sheet
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const studentFields = (name: string, cls = '一年级一班', phone = '13900000001') => ({
  studentName: name,
  className: cls,
  guardianName: '张德明',
  relation: '父亲',
  phone,
});

export interface PledgesFixture {
  t: TestApp;
  /** Made once per file: two different hand signatures (PNG data URLs) and the 防溺水 template's latest version. */
  f: { sig: string; sig2: string; drowningVersionId: number };
  /** The guardian's and the student's signatures, as a 防溺水 letter asks for them. */
  pair(): { role: string; image: string }[];
  newCampaign(who?: string, orgKey?: string, deadline?: string): Promise<number>;
  sign(who: string, id: number, body: any, key?: string): Promise<any>;
  /** Uploads a roster (header row first) to the campaign as the school. */
  importRoster(id: number, rows: (string | number)[][], filename?: string): Promise<any>;
}

export function usePledges(): PledgesFixture {
  const t = useTestApp();
  const f = { sig: '', sig2: '', drowningVersionId: 0 };
  beforeAll(async () => {
    f.sig = pngDataUrl(await drawSignaturePng(1));
    f.sig2 = pngDataUrl(await drawSignaturePng(2));
    const list = await t.http.get('/api/pledge-templates').set(await t.as('town'));
    f.drowningVersionId = list.body.find((x: any) => x.kind === 'drowning').latest.id;
  });
  const pair = () => [
    { role: 'guardian', image: f.sig },
    { role: 'student', image: f.sig2 },
  ];
  const newCampaign = async (who = 'school', orgKey = 's_primary', deadline = inDays(30)) => {
    const res = await t.http
      .post('/api/pledge-campaigns')
      .set(await t.as(who))
      .send({ templateVersionId: f.drowningVersionId, orgId: t.seed.org[orgKey].id, deadline });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const sign = async (who: string, id: number, body: any, key?: string) => {
    const req = t.http.post(`/api/pledge-campaigns/${id}/signatures`).set(await t.as(who));
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const importRoster = async (id: number, rows: (string | number)[][], filename = '名单.xlsx') =>
    t.http
      .post(`/api/pledge-campaigns/${id}/roster`)
      .set(await t.as('school'))
      .attach('file', await xlsxOf(rows), filename);
  return { t, f, pair, newCampaign, sign, importRoster };
}
