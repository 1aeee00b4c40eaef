/**
 * Issue 13, finding 5: an uploaded .xlsx is checked for its unpacked size before any parser sees it, then
 * streamed with a stop at the row limit. Over HTTP on the roster import (SQLite; MariaDB with TEST_DB=mysql),
 * with zips written here byte by byte so each trick is exact.
 */
import { LIMITS } from '@xiangan/shared';
import ExcelJS from 'exceljs';
import { crc32, deflateRawSync } from 'node:zlib';
import * as yauzl from 'yauzl';
import { createTestApp, TestApp } from '../../testing/test-app';
import { assertZipWithinLimits, readXlsxRows } from './zip-limits';
import { named } from '../../testing/fields';

const MB = 1024 * 1024;

interface ZEntry {
  name: string;
  data: Buffer;
  /** Lie in both headers about the unpacked size. */
  declaredSize?: number;
  /** Leave the entry out of the central directory (a local entry only a streaming reader would find). */
  hidden?: boolean;
}

/** A zip file: local headers + deflated data back to back, then the central directory. */
function zipOf(entries: ZEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    // zlib's default level (6): level 9 took 3× the CPU on the 200,000-row sheet (1.5 against 0.45 s) for a larger file
    const comp = deflateRawSync(e.data);
    const crc = crc32(e.data) >>> 0;
    const size = e.declaredSize ?? e.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, comp);
    if (!e.hidden) {
      const ch = Buffer.alloc(46);
      ch.writeUInt32LE(0x02014b50, 0);
      ch.writeUInt16LE(20, 4);
      ch.writeUInt16LE(20, 6);
      ch.writeUInt16LE(0x0800, 8);
      ch.writeUInt16LE(8, 10);
      ch.writeUInt16LE(0x21, 14);
      ch.writeUInt32LE(crc, 16);
      ch.writeUInt32LE(comp.length, 20);
      ch.writeUInt32LE(size, 24);
      ch.writeUInt16LE(name.length, 28);
      ch.writeUInt32LE(offset, 42);
      centrals.push(ch, name);
    }
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  const n = entries.filter((e) => !e.hidden).length;
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(n, 8);
  eocd.writeUInt16LE(n, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** The parts of a real one-sheet workbook (as exceljs writes it), by name. */
async function workbookParts(): Promise<Map<string, Buffer>> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('名单').addRow(['班级', '学生姓名', '监护人', '联系电话']);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const parts = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) =>
        e.fileName.endsWith('/')
          ? zip.readEntry()
          : zip.openReadStream(e, (err2, s) => {
              if (err2) return reject(err2);
              const chunks: Buffer[] = [];
              s.on('data', (c: Buffer) => chunks.push(c));
              s.on('end', () => {
                parts.set(e.fileName, Buffer.concat(chunks));
                zip.readEntry();
              });
            }),
      );
      zip.on('end', () => resolve(parts));
      zip.readEntry();
    }),
  );
}

const cell = (col: string, r: number, v: string) => `<c r="${col}${r}" t="inlineStr"><is><t>${v}</t></is></c>`;
const row = (r: number) =>
  `<row r="${r}">${cell('A', r, `${(r % 9) + 1}年级${(r % 7) + 1}班`)}${cell('B', r, `学生${r}`)}${cell('C', r, `家长${r}`)}${cell('D', r, `139${String(r).padStart(8, '0')}`)}</row>`;
const HEADER = `<row r="1">${cell('A', 1, '班级')}${cell('B', 1, '学生姓名')}${cell('C', 1, '监护人')}${cell('D', 1, '联系电话')}</row>`;

/** sheet1.xml with the header and rows 2..n+1, then `tail` inside sheetData. */
function sheetXml(n: number, tail = ''): Buffer {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    HEADER,
  ];
  for (let r = 2; r <= n + 1; r++) parts.push(row(r));
  parts.push(tail, '</sheetData></worksheet>');
  return Buffer.from(parts.join(''), 'utf8');
}

async function xlsxWithSheet(sheet: Buffer, tweak: (e: ZEntry) => ZEntry = (e) => e, extra: ZEntry[] = []): Promise<Buffer> {
  const parts = await workbookParts();
  const entries: ZEntry[] = [...extra];
  for (const [name, data] of parts) entries.push(tweak({ name, data: name === 'xl/worksheets/sheet1.xml' ? sheet : data }));
  return zipOf(entries);
}

describe('unpacked-size and row limits on uploaded .xlsx (issue 13 finding 5)', () => {
  let t: TestApp;
  let campaign = 0;
  beforeAll(async () => {
    t = await createTestApp();
    const list = await t.http.get('/api/pledge-templates').set(await t.as('town'));
    const versionId = list.body.find((x: any) => x.kind === 'drowning').latest.id;
    const res = await t.http
      .post('/api/pledge-campaigns')
      .set(await t.as('school'))
      .send({ templateVersionId: versionId, orgId: t.seed.org.s_primary.id, deadline: new Date(Date.now() + 30 * 864e5).toISOString() });
    expect(res.status).toBe(201);
    campaign = res.body.id;
  });
  afterAll(() => t.close());

  const upload = async (file: Buffer) =>
    t.http
      .post(`/api/pledge-campaigns/${campaign}/roster`)
      .set(await t.as('school'))
      .attach('file', file, '名单.xlsx');
  const rosterRows = async () => Number((await t.ds.query('SELECT COUNT(*) AS c FROM pledge_roster_entry'))[0].c);

  it('a 200,000-row roster (under the 5 MB upload limit, ≈ 60 MB unpacked) is refused at once with 413 naming the limit, without memory growth', async () => {
    const file = await xlsxWithSheet(sheetXml(200_000));
    expect(file.length).toBeLessThan(LIMITS.rosterMaxBytes);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = Date.now();
    const res = await upload(file);
    const ms = Date.now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    // before the fix the whole workbook was parsed first (here: 30 s under load, rss +200 MB), then refused by row count
    console.log(`200,000-row roster: answered ${res.status} in ${ms} ms, rss +${Math.round((peak - rss0) / MB)} MB`);
    expect(ms).toBeLessThan(4000);
    expect(peak - rss0).toBeLessThan(64 * MB);
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/解压后超过 32 MB（上限 32 MB）/);
    const t1 = Date.now();
    await expect(assertZipWithinLimits(file, { maxEntries: 200, maxUnpackedBytes: 32 * MB })).rejects.toThrow(/解压后超过 32 MB/);
    expect(Date.now() - t1).toBeLessThan(300); // the central directory only
    expect(await rosterRows()).toBe(0);
    // the server answers at once after it
    expect((await t.http.get('/api/health')).status).toBe(200);
  });

  it('the row after the limit stops the parse: 20,001 data rows → 413, and what follows is never read', async () => {
    // valid rows up to 20,200, then 2 MB of whitespace, then broken XML: a parser reading on would fail with 400
    const file = await xlsxWithSheet(sheetXml(LIMITS.rosterMaxRows + 200, `${' '.repeat(2 * MB)}<row r="30000"><c r="A30000"><<<broken`));
    const res = await upload(file);
    expect(res.status).toBe(413);
    expect(res.body.message).toBe(`名单最多 ${LIMITS.rosterMaxRows} 行（第 ${LIMITS.rosterMaxRows + 2} 行已超出），请分成几个文件上传`);
    expect(await rosterRows()).toBe(0);

    // the shared helper itself: it hands back no more than header + limit rows before stopping
    await expect(readXlsxRows(file, { zip: { maxEntries: 50, maxUnpackedBytes: 32 * MB }, maxDataRows: 100, what: '表' })).rejects.toThrow(
      '表最多 100 行（第 102 行已超出）',
    );
  });

  it('exactly 20,000 rows are read and imported', async () => {
    const res = await upload(await xlsxWithSheet(sheetXml(LIMITS.rosterMaxRows)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: LIMITS.rosterMaxRows, rosterKind: 'student' });
  });

  it('a zip that lies about its sizes, or hides an entry from its directory, is refused (400) before parsing', async () => {
    const big = sheetXml(1000);
    const lying = await xlsxWithSheet(big, (e) => (e.name === 'xl/worksheets/sheet1.xml' ? { ...e, declaredSize: 1000 } : e));
    const res1 = await upload(lying);
    expect(res1.status).toBe(400);
    expect(named(res1.body)[0]).toMatch(/^file 上传的不是有效的 Excel（.xlsx）文件/);

    const hidden = await xlsxWithSheet(sheetXml(5), (e) => e, [{ name: 'xl/sharedStrings.xml', data: Buffer.alloc(40 * MB, 0x20), hidden: true }]);
    const res2 = await upload(hidden);
    expect(res2.status).toBe(400);
    expect(named(res2.body)[0]).toMatch(/^file 上传的不是有效的 Excel（.xlsx）文件/);

    const many = zipOf(Array.from({ length: LIMITS.rosterMaxZipEntries + 1 }, (_, i) => ({ name: `x/${i}.xml`, data: Buffer.from('<a/>') })));
    const res3 = await upload(many);
    expect(res3.status).toBe(413);
    expect(res3.body.message).toMatch(new RegExp(`超过上限 ${LIMITS.rosterMaxZipEntries} 个`));
  });
});
