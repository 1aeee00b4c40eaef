import ExcelJS from 'exceljs';
import { HAZARD_CATEGORY_LABELS, HAZARD_LEVEL_LABELS, HAZARD_STATUS_LABELS, isOverdue } from '@xiangan/shared';
import type { Response } from 'express';
import { stripOnWrite, stripXmlIllegal } from '../../common/text/xml-text';
import type { Hazard } from './hazard.entity';

/** China-time `YYYY-MM-DD HH:mm` (officials read local time). */
function local(d: Date | null, withTime = true): string {
  if (!d) return '';
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return withTime ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s.slice(0, 10);
}

export const EXPORT_COLUMNS = ['编号', '类别', '等级', '地点/村', '发现时间', '问题描述', '责任单位', '整改期限', '状态', '整改完成时间', '销号时间', '是否逾期'];

/** Streams the ledger as the officials keep it (one sheet, frozen header, overdue rows tinted). */
export async function writeLedgerXlsx(res: Response, rows: AsyncIterable<{ h: Hazard; names: Map<number, string> }>, title: string): Promise<number> {
  const now = new Date();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true });
  // characters XML cannot hold are dropped from every row (residents' text; rows stored before the input check)
  const ws = stripOnWrite(wb.addWorksheet('隐患台账', { views: [{ state: 'frozen', ySplit: 1 }] }), 'addRow');
  ws.columns = [
    { header: EXPORT_COLUMNS[0], key: 'code', width: 16 },
    { header: EXPORT_COLUMNS[1], key: 'category', width: 12 },
    { header: EXPORT_COLUMNS[2], key: 'level', width: 12 },
    { header: EXPORT_COLUMNS[3], key: 'place', width: 28 },
    { header: EXPORT_COLUMNS[4], key: 'found', width: 17 },
    { header: EXPORT_COLUMNS[5], key: 'description', width: 48 },
    { header: EXPORT_COLUMNS[6], key: 'responsible', width: 20 },
    { header: EXPORT_COLUMNS[7], key: 'deadline', width: 12 },
    { header: EXPORT_COLUMNS[8], key: 'status', width: 12 },
    { header: EXPORT_COLUMNS[9], key: 'rectified', width: 17 },
    { header: EXPORT_COLUMNS[10], key: 'closed', width: 17 },
    { header: EXPORT_COLUMNS[11], key: 'overdue', width: 9 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let n = 0;
  for await (const { h, names } of rows) {
    const overdue = isOverdue(h.status, h.deadline, now);
    const row = ws.addRow({
      code: h.code,
      category: HAZARD_CATEGORY_LABELS[h.category] ?? h.category,
      level: HAZARD_LEVEL_LABELS[h.level] ?? h.level,
      place: [names.get(h.orgId), h.address].filter(Boolean).join(' '),
      found: local(h.createdAt),
      description: h.description,
      responsible: h.escalatedTo && h.status === 'escalated' ? `${h.escalatedTo}（上报县级）` : h.responsibleOrgId ? names.get(h.responsibleOrgId) ?? '' : '',
      deadline: local(h.deadline, false),
      status: HAZARD_STATUS_LABELS[h.status],
      rectified: local(h.rectifiedAt),
      closed: local(h.closedAt),
      overdue: overdue ? '是' : '否',
    });
    if (overdue) row.getCell('overdue').font = { color: { argb: 'FFE65100' }, bold: true };
    row.commit();
    n++;
  }
  ws.commit();
  wb.properties = { ...(wb as unknown as { properties?: object }).properties, title: stripXmlIllegal(title) } as never;
  await wb.commit();
  return n;
}
