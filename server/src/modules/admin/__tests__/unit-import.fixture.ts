/** What the unit-import spec builds its files with: a county's rows, an xlsx of them, a snapshot of the tree, an upload. */
import type { TestApp } from '../../../testing/test-app';
import { OrgUnit } from '../../orgs/org-unit.entity';

export type Cell = string | number | null;
export const HEADER: Cell[] = ['类型', '名称', '上级', '区划代码', '人口'];

export async function xlsx(rows: Cell[][], header: Cell[] = HEADER): Promise<Buffer> {
  const ExcelJS = await import('exceljs'); // as the app does: loaded by the specs that build a sheet
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 青山县 with `towns` towns × `villages` villages × `grids` grids; towns and villages carry 12-digit codes. */
export function countyRows(towns = 20, villages = 15, grids = 5): Cell[][] {
  const rows: Cell[][] = [['县', '青山县', '', '360101000000', 520000]];
  for (let t = 1; t <= towns; t++) {
    const town = `第${t}镇`;
    const tcode = `360101${String(100 + t).padStart(3, '0')}000`;
    rows.push(['乡镇', town, '青山县', tcode, 20000 + t]);
    for (let v = 1; v <= villages; v++) {
      const village = `${town}${v}村`;
      rows.push(['村', village, `青山县/${town}`, `${tcode.slice(0, 9)}${String(200 + v)}`, 1000 + v]);
      for (let g = 1; g <= grids; g++) rows.push(['网格', `${village}第${g}网格`, `青山县/${town}/${village}`, '', null]);
    }
  }
  return rows;
}

/** Everything stored about units, to prove a refused import changed nothing. */
export async function unitSnapshot(t: TestApp): Promise<string> {
  const rows = await t.ds.getRepository(OrgUnit).find({ order: { id: 'ASC' } });
  return JSON.stringify(rows.map((o) => [o.id, o.parentId, o.type, o.name, o.path, o.code, o.population]));
}

export const upload = (t: TestApp, auth: Record<string, string>, buf: Buffer, dryRun: boolean) =>
  t.http
    .post(`/api/unit-import${dryRun ? '?dryRun=true' : ''}`)
    .set(auth)
    .attach('file', buf, 'units.xlsx');
