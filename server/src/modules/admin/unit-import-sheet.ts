import { ADMIN_LIMITS, ORG_TYPES, OrgType, UNIT_IMPORT_COLUMNS, UnitImportColumn, LIMITS, UnitImportError } from '@xiangan/shared';
import { Readable } from 'node:stream';
import { assertZipWithinLimits, cellText } from '../../common/upload/zip-limits';
import { fieldErrors } from '../../common/http/field-labels';

/** The unit import's spreadsheet: its template and its rows read and checked cell by cell (see UnitImportService). */

/** Column headers as the template writes them (errors name these). */
const HEAD: Record<UnitImportColumn, string> = { type: '类型', name: '名称', parent: '上级', code: '区划代码', population: '人口' };

/** Words accepted in the 类型 column. */
const TYPE_WORDS: Record<string, OrgType> = {
  县: 'county',
  区: 'county',
  县区: 'county',
  乡镇: 'town',
  镇: 'town',
  乡: 'town',
  街道: 'town',
  乡镇街道: 'town',
  村: 'village',
  行政村: 'village',
  社区: 'community',
  居委会: 'community',
  网格: 'grid',
  学校: 'school',
  幼儿园: 'school',
  企业: 'enterprise',
  部门: 'department',
  行业部门: 'department',
};
for (const t of ORG_TYPES) TYPE_WORDS[t] = t;

export interface Row {
  rowNo: number;
  type: OrgType;
  name: string;
  parentRef: string;
  code: string | null;
  population: number | null;
}

export const splitPath = (s: string) =>
  s
    .split(/[/／>＞\\]/)
    .map((x) => x.trim())
    .filter(Boolean);

export class ImportErrors {
  readonly list: UnitImportError[] = [];
  add(row: number, column: UnitImportColumn | '', message: string) {
    this.list.push({ row, column: column ? HEAD[column] : '', message });
  }
}

/** The template: the header row, one example per level, the accepted words. */
export async function unitImportTemplate(): Promise<Buffer> {
  const ExcelJS = await import('exceljs'); // loaded on first use (docs/DECISIONS.md)
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.columns = [
    { header: HEAD.type, width: 10 },
    { header: HEAD.name, width: 20 },
    { header: HEAD.parent, width: 36 },
    { header: HEAD.code, width: 16 },
    { header: HEAD.population, width: 10 },
  ];
  const rows: (string | number | null)[][] = [
    ['县', '青山县', '', '360101000000', 520000],
    ['乡镇', '石桥镇', '青山县', '360101100000', 53800],
    ['村', '河口村', '青山县/石桥镇', '360101100201', 1800],
    ['社区', '镇南社区', '青山县/石桥镇', '360101100001', 3200],
    ['网格', '河口村一组', '青山县/石桥镇/河口村', '', 300],
    ['学校', '石桥镇中心小学', '青山县/石桥镇', '', 900],
    ['部门', '县应急管理局', '青山县', '', null],
  ];
  for (const r of rows) ws.addRow(r);
  ws.getRow(1).font = { bold: true };
  const help = wb.addWorksheet('填写说明');
  help.columns = [{ width: 100 }];
  for (const line of [
    '每行一个单位。类型：县、乡镇、村、社区、网格、学校、企业、部门。',
    '上级：从县开始的名称，用 / 隔开（如 青山县/石桥镇），或上级的12位统计用区划代码。县没有上级。',
    '区划代码：可不填；填写时为12位数字，同一代码只能出现一次。',
    '再次导入同一文件不会重复建单位：有代码的按代码对应，没有代码的按“上级+名称”对应。',
    '村、社区只能放在乡镇下；网格只能放在村或社区下。',
  ])
    help.addRow([line]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The rows of the file, each checked; a row with a bad cell is reported and left out. */
export async function readUnitRows(buf: Buffer, errors: ImportErrors): Promise<Row[]> {
  if (!(buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b))
    throw fieldErrors([{ field: 'file', message: '上传的不是 Excel（.xlsx）文件；请用下载的模板填写' }]);
  // the unpacked size is checked before any parser sees the file (a 2 MB zip can unpack to gigabytes)
  await assertZipWithinLimits(buf, { maxEntries: LIMITS.rosterMaxZipEntries, maxUnpackedBytes: LIMITS.rosterMaxUnpackedBytes });
  const ExcelJS = await import('exceljs'); // loaded on first use (docs/DECISIONS.md)
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.read(Readable.from(buf));
  } catch {
    throw fieldErrors([{ field: 'file', message: '上传的不是有效的 Excel（.xlsx）文件' }]);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw fieldErrors([{ field: 'file', message: '上传的文件里没有工作表' }]);
  if (ws.rowCount > ADMIN_LIMITS.unitImportMaxRows + 1) {
    throw fieldErrors([{ field: 'file', message: `上传的文件行数太多：最多 ${ADMIN_LIMITS.unitImportMaxRows} 个单位（本文件 ${ws.rowCount - 1} 行）` }]);
  }
  const header = ws.getRow(1);
  const col: Partial<Record<UnitImportColumn, number>> = {};
  header.eachCell((cell, n) => {
    const h = cellText(cell.value).trim().toLowerCase();
    for (const [k, names] of Object.entries(UNIT_IMPORT_COLUMNS) as [UnitImportColumn, readonly string[]][]) {
      if (col[k] === undefined && names.some((x) => x.toLowerCase() === h)) col[k] = n;
    }
  });
  for (const k of ['type', 'name', 'parent'] as const) {
    if (col[k] === undefined) errors.add(1, k, `缺少「${HEAD[k]}」列（第 1 行应为表头：类型、名称、上级、区划代码、人口）`);
  }
  if (errors.list.length) return [];
  const rows: Row[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const get = (k: UnitImportColumn) => (col[k] ? cellText(row.getCell(col[k]!).value).trim() : '');
    const raw = { type: get('type'), name: get('name'), parent: get('parent'), code: get('code'), population: get('population') };
    if (!Object.values(raw).some(Boolean)) continue; // blank line
    const before = errors.list.length;
    const type = TYPE_WORDS[raw.type] ?? TYPE_WORDS[raw.type.toLowerCase()];
    if (!raw.type) errors.add(r, 'type', '不能为空');
    else if (!type) errors.add(r, 'type', `「${raw.type}」不是可用的单位类型（县、乡镇、村、社区、网格、学校、企业、部门）`);
    if (!raw.name) errors.add(r, 'name', '不能为空');
    else if (raw.name.length > 100) errors.add(r, 'name', '最多 100 个字');
    else if (/[/／>＞\\]/.test(raw.name)) errors.add(r, 'name', '名称里不能有 / 或 >');
    const code = raw.code.replace(/\s/g, '') || null;
    if (code && !/^\d{12}$/.test(code)) errors.add(r, 'code', `「${raw.code}」不是 12 位数字的统计用区划代码`);
    let population: number | null = null;
    if (raw.population) {
      const n = Number(raw.population.replace(/,/g, ''));
      if (!Number.isInteger(n) || n < 0 || n > 100_000_000) errors.add(r, 'population', `「${raw.population}」不是有效的人数`);
      else population = n;
    }
    if (errors.list.length === before) rows.push({ rowNo: r, type: type!, name: raw.name, parentRef: raw.parent, code, population });
  }
  if (!rows.length && !errors.list.length) errors.add(1, '', '文件里没有单位（第 2 行起每行一个单位）');
  return rows;
}
