import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { LIMITS, PHONE_PATTERN, PLEDGE_ROSTER_COLUMNS, PledgeRosterKind } from '@xiangan/shared';
import { cellText, readXlsxRows } from '../../common/upload/zip-limits';
import { identityKey } from './pledge-chain';
import { fieldErrors } from '../../common/http/field-labels';

export interface RosterRow {
  rowNo: number;
  groupName: string;
  name: string;
  guardianName: string | null;
  phone: string | null;
  dedupeKey: string;
}

/** Splits CSV text (RFC 4180 quoting) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',' || ch === '\t') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** UTF-8 (with or without BOM), or GB18030 as Excel on a Chinese Windows saves it. */
export function decodeText(buf: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

async function readRows(file: { buffer: Buffer; originalname?: string; mimetype?: string }): Promise<string[][]> {
  const buf = file.buffer;
  const isZip = buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b;
  if (isZip) {
    // unpacked size checked before parsing, then streamed with a stop at the row limit (common/upload/zip-limits.ts)
    const rows = await readXlsxRows(buf, {
      zip: { maxEntries: LIMITS.rosterMaxZipEntries, maxUnpackedBytes: LIMITS.rosterMaxUnpackedBytes },
      maxDataRows: LIMITS.rosterMaxRows,
      what: '名单',
    });
    return rows.map((cells) => (cells.length ? cells.map(cellText) : ['']));
  }
  if (/\.xls$/i.test(file.originalname ?? '') || (buf[0] === 0xd0 && buf[1] === 0xcf)) {
    throw new UnsupportedMediaTypeException('不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 或 .csv');
  }
  if (buf.includes(0)) throw new UnsupportedMediaTypeException('请上传 .xlsx 或 .csv 名单文件');
  return parseCsv(decodeText(buf));
}

/**
 * Reads a roster file and checks every row. Any problem → 400 listing each bad row by its row number
 * in the file (第 N 行) and the column; nothing is imported until the whole file is clean.
 */
export async function parseRoster(file: {
  buffer: Buffer;
  originalname?: string;
  mimetype?: string;
  size?: number;
}): Promise<{ kind: PledgeRosterKind; rows: RosterRow[] }> {
  if (file.buffer.length > LIMITS.rosterMaxBytes) throw new PayloadTooLargeException(`名单文件不能超过 ${LIMITS.rosterMaxBytes / 1024 / 1024} MB`);
  const raw = await readRows(file);
  const headerIdx = raw.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (headerIdx < 0) throw fieldErrors([{ field: 'file', message: '上传的名单是空的' }]);
  const header = raw[headerIdx].map((c) => c.trim());
  const kind: PledgeRosterKind | null = header.includes('学生姓名') ? 'student' : header.includes('单位名称') ? 'enterprise' : null;
  if (!kind) {
    throw fieldErrors([
      {
        field: 'file',
        message: `名单第 ${headerIdx + 1} 行应为表头：学生名单列为 ${PLEDGE_ROSTER_COLUMNS.student.join('、')}；企业名单列为 ${PLEDGE_ROSTER_COLUMNS.enterprise.join('、')}`,
      },
    ]);
  }
  const cols = PLEDGE_ROSTER_COLUMNS[kind];
  const missing = cols.filter((c) => !header.includes(c));
  if (missing.length) throw fieldErrors([{ field: 'file', message: `名单表头缺少列：${missing.join('、')}` }]);
  const at = Object.fromEntries(cols.map((c) => [c, header.indexOf(c)]));

  const errors: string[] = [];
  const rows: RosterRow[] = [];
  const seen = new Map<string, number>();
  const dataRows = raw.length - headerIdx - 1;
  if (dataRows > LIMITS.rosterMaxRows) throw new PayloadTooLargeException(`名单最多 ${LIMITS.rosterMaxRows} 行`);
  for (let i = headerIdx + 1; i < raw.length; i++) {
    const rowNo = i + 1;
    const get = (c: string) => (raw[i][at[c]] ?? '').replace(/\s+/g, ' ').trim();
    if (raw[i].every((c) => c.trim() === '')) continue;
    const bad = (col: string, why: string) => errors.push(`第 ${rowNo} 行 ${col}：${why}`);
    let name: string, group: string, guardian: string | null;
    const phone = get('联系电话').replace(/[\s-]/g, '');
    if (kind === 'student') {
      name = get('学生姓名');
      group = get('班级');
      guardian = get('监护人') || null;
      if (!name) bad('学生姓名', '不能为空');
      else if (name.length > 30) bad('学生姓名', '超过 30 个字');
      if (!group) bad('班级', '不能为空');
      else if (group.length > 60) bad('班级', '超过 60 个字');
      if (!guardian) bad('监护人', '不能为空');
      else if (guardian.length > 30) bad('监护人', '超过 30 个字');
    } else {
      name = get('单位名称');
      group = name;
      guardian = get('负责人') || null;
      if (!name) bad('单位名称', '不能为空');
      else if (name.length > 60) bad('单位名称', '超过 60 个字');
      if (!guardian) bad('负责人', '不能为空');
      else if (guardian.length > 30) bad('负责人', '超过 30 个字');
    }
    if (!phone) bad('联系电话', '不能为空');
    else if (!PHONE_PATTERN.test(phone)) bad('联系电话', `“${phone}”不是 11 位手机号`);
    const key = identityKey(name, kind === 'student' ? group : '', phone);
    const first = seen.get(key);
    if (first && name && phone) bad(kind === 'student' ? '学生姓名' : '单位名称', `与第 ${first} 行重复`);
    else seen.set(key, rowNo);
    rows.push({ rowNo, groupName: group, name, guardianName: guardian, phone: phone || null, dedupeKey: key });
    if (errors.length >= 200) break;
  }
  if (errors.length)
    throw new BadRequestException([`名单有 ${errors.length >= 200 ? '200 处以上' : `${errors.length} 处`}错误，未导入任何一行，请改正后重新上传`, ...errors]);
  if (!rows.length) throw fieldErrors([{ field: 'file', message: '上传的文件中没有名单数据' }]);
  return { kind, rows };
}
