import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { CellValue, Row } from 'exceljs';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { fieldErrors } from '../http/field-labels';

/**
 * Every uploaded file that is unpacked on the server (an .xlsx is a zip) goes through here before any parser
 * sees it: its unpacked size is bounded, and an .xlsx is read row by row with a stop at the row limit.
 */
export interface ZipLimits {
  /** Entries in the archive (an .xlsx from Excel/WPS has 10–30). */
  maxEntries: number;
  /** Sum of the entries' unpacked sizes, bytes. */
  maxUnpackedBytes: number;
}

const MB = 1024 * 1024;
const fmtMb = (n: number) => `${Math.round((n / MB) * 10) / 10} MB`;
/** Bit 3 of the general purpose flag: sizes follow the data in a data descriptor of 12–24 bytes. */
const DATA_DESCRIPTOR = 0x08;

const notZip = (what: string) => fieldErrors([{ field: 'file', message: `上传的不是有效的${what}文件，请在 Excel 或 WPS 中重新保存后上传` }]);

function open(buf: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

/**
 * Checks a zip's central directory against `limits` (entry count, sum of unpacked sizes) without unpacking
 * anything (413 naming the limit); then that the local entries lie back to back exactly as the directory says
 * (so a streaming reader cannot find a hidden entry the directory does not list); then inflates each entry
 * into nothing, so an entry whose real size differs from the size it declares is refused too (yauzl checks).
 * Work and memory are bounded by `maxUnpackedBytes`; nothing is kept.
 */
export async function assertZipWithinLimits(buf: Buffer, limits: ZipLimits, what = ' Excel（.xlsx）'): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open(buf);
  } catch {
    throw notZip(what);
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new PayloadTooLargeException(`文件解压后含 ${zip.entryCount} 个部件，超过上限 ${limits.maxEntries} 个，请只保留名单工作表后重新上传`);
    }
    const entries: yauzl.Entry[] = [];
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (e: yauzl.Entry) => {
        total += e.uncompressedSize;
        if (total > limits.maxUnpackedBytes) {
          reject(
            new PayloadTooLargeException(
              `文件解压后超过 ${fmtMb(limits.maxUnpackedBytes)}（上限 ${fmtMb(limits.maxUnpackedBytes)}），请删去多余的行、图片或工作表后重新上传`,
            ),
          );
          return;
        }
        if (e.isEncrypted() || !e.canDecodeFileData()) {
          reject(notZip(what));
          return;
        }
        entries.push(e);
        zip.readEntry();
      });
      zip.readEntry();
    }).catch((err) => {
      throw err instanceof PayloadTooLargeException || err instanceof BadRequestException ? err : notZip(what);
    });

    // the local entries, back to back from byte 0 as the directory lists them: nothing hidden in between
    const sorted = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
    let expect = 0;
    for (const e of sorted) {
      if (e.relativeOffsetOfLocalHeader !== expect) throw notZip(what);
      const { fileDataStart } = await new Promise<{ fileDataStart: number }>((resolve, reject) =>
        zip.readLocalFileHeader(e, { minimal: true }, (err, h) => (err ? reject(notZip(what)) : resolve(h))),
      );
      const end = fileDataStart + e.compressedSize;
      if (e.generalPurposeBitFlag & DATA_DESCRIPTOR) {
        // 12–24 bytes of descriptor; the next local header (or the directory) starts with "PK"
        let next = -1;
        for (const gap of [16, 12, 24, 20]) if (buf[end + gap] === 0x50 && buf[end + gap + 1] === 0x4b) next = next < 0 ? end + gap : next;
        if (next < 0) throw notZip(what);
        expect = next;
      } else expect = end;
    }

    // inflate each entry into nothing: yauzl errors when the real size differs from the declared one
    for (const e of entries) {
      await new Promise<void>((resolve, reject) =>
        zip.openReadStream(e, (err, stream) => {
          if (err) return reject(notZip(what));
          stream.on('error', () => reject(notZip(what)));
          stream.on('end', () => resolve());
          stream.resume();
        }),
      );
    }
  } finally {
    zip.close();
  }
}

export interface XlsxReadOptions {
  zip: ZipLimits;
  /** Rows after the first non-empty row (the header) at most; the parse stops at the next one (413). */
  maxDataRows: number;
  /** Chinese name of what the rows are, for the messages (`名单`). */
  what?: string;
}

/**
 * The first worksheet of an .xlsx as rows of cell values (index = row number − 1; a missing row is []),
 * read as a stream after assertZipWithinLimits: the parse stops at the first row past the limit.
 */
export async function readXlsxRows(buf: Buffer, opts: XlsxReadOptions): Promise<CellValue[][]> {
  await assertZipWithinLimits(buf, opts.zip);
  const ExcelJS = await import('exceljs'); // loaded on first use (docs/DECISIONS.md, "Heavy libraries on first use")
  const what = opts.what ?? '表格';
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(buf), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  const rows: CellValue[][] = [];
  let header = 0; // row number of the first non-empty row
  let sheets = 0;
  try {
    for await (const ws of reader) {
      sheets++;
      for await (const row of ws as unknown as AsyncIterable<Row>) {
        const values = (Array.isArray(row.values) ? row.values.slice(1) : []) as CellValue[];
        const empty = values.every((v) => v === null || v === undefined || String(v).trim() === '');
        if (!header && !empty) header = row.number;
        if (header && row.number - header > opts.maxDataRows) {
          throw new PayloadTooLargeException(`${what}最多 ${opts.maxDataRows} 行（第 ${row.number} 行已超出），请分成几个文件上传`);
        }
        if (!header && row.number > opts.maxDataRows) {
          throw new PayloadTooLargeException(`${what}最多 ${opts.maxDataRows} 行，前 ${opts.maxDataRows} 行都是空行`);
        }
        while (rows.length < row.number - 1) rows.push([]);
        rows.push(values.map((v) => (v === undefined ? null : v)));
      }
      break; // the first worksheet only
    }
  } catch (err) {
    if (err instanceof PayloadTooLargeException || err instanceof BadRequestException) throw err;
    throw notZip(' Excel（.xlsx）');
  }
  if (!sheets) throw fieldErrors([{ field: 'file', message: '上传的文件中没有工作表' }]);
  return rows;
}

/** What a cell shows as text: rich text joined, hyperlinks' text, formulas' results, dates as YYYY-MM-DD. */
export function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return String(v.result ?? '');
    if (v instanceof Date) return v.toISOString().slice(0, 10);
  }
  return String(v);
}
