import ExcelJS from 'exceljs';
import { bytes } from '../../testing/download';
import { TEST_DB } from '../../testing/test-app';
import { inDays, studentFields, usePledges } from './__tests__/pledges.fixture';

/** The campaign's PDF, xlsx and QR code, and their file names. */
describe(`pledges (${TEST_DB})`, () => {
  const { t, f, pair, newCampaign, sign } = usePledges();

  describe('exports', () => {
    it('PDF has one page per signed pledge; xlsx and QR answer', async () => {
      const id = await newCampaign();
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await sign('parent', id, {
              fields: studentFields(`导出${i}`),
              signatures: pair(),
            })
          ).status,
        ).toBe(201);
      }
      const pdf = await t.http
        .get(`/api/pledge-campaigns/${id}/signatures.pdf`)
        .set(await t.as('school'))
        .buffer(true)
        .parse(bytes);
      expect(pdf.status).toBe(200);
      const buf = pdf.body as Buffer;
      expect(buf.subarray(0, 4).toString()).toBe('%PDF');
      expect((buf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBe(3);
      const xlsx = await t.http
        .get(`/api/pledge-campaigns/${id}/signatures.xlsx`)
        .set(await t.as('school'))
        .buffer(true)
        .parse(bytes);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as Buffer);
      expect(wb.worksheets[0].rowCount).toBe(4);
      const qr = await t.http.get(`/api/pledge-campaigns/${id}/qrcode`).set(await t.as('school'));
      expect(qr.status).toBe(200);
      expect(qr.headers['content-type']).toBe('image/png');
      expect(qr.headers['x-qrcode-kind']).toBe('qrcode');
    });

    it("names the files by the campaign's Chinese title, intact through RFC 5987, with an ASCII fallback and no caching", async () => {
      const title = "暑期防溺水 (2026) '一班'*";
      const made = await t.http
        .post('/api/pledge-campaigns')
        .set(await t.as('school'))
        .send({ templateVersionId: f.drowningVersionId, orgId: t.seed.org.s_primary.id, deadline: inDays(30), title });
      expect(made.status).toBe(201);
      const id = made.body.id as number;
      for (const [ext, suffix] of [
        ['xlsx', '汇总'],
        ['pdf', '签名'],
      ]) {
        const res = await t.http.get(`/api/pledge-campaigns/${id}/signatures.${ext}`).set(await t.as('school'));
        expect(res.status).toBe(200);
        const cd = String(res.headers['content-disposition']);
        // RFC 6266 + RFC 5987: filename*=UTF-8''<value-chars> where value-chars are attr-char or %XX only
        const m = /^attachment; filename="([\x20-\x21\x23-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''((?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})+)$/.exec(cd);
        expect(m).not.toBeNull();
        expect(m![1]).toBe(`pledges-${id}.${ext}`);
        expect(decodeURIComponent(m![2])).toBe(`${title}-${suffix}.${ext}`);
        expect(res.headers['cache-control']).toBe('private, no-store');
      }
    });
  });
});
