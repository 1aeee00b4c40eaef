import { beijingDate, beijingTime, HAZARD_CATEGORY_LABELS, HAZARD_LEVEL_LABELS, HAZARD_STATUS_LABELS, isOverdue } from '@xiangan/shared';
import type { Writable } from 'node:stream';
import { stripOnWrite, stripXmlIllegal } from '../../common/text/xml-text';
import type { Hazard } from './hazard.entity';

export const EXPORT_COLUMNS = [
  '编号',
  '类别',
  '等级',
  '地点/村',
  '发现时间',
  '问题描述',
  '责任单位',
  '整改期限',
  '状态',
  '整改措施',
  '整改完成时间',
  '验收',
  '销号时间',
  '是否逾期',
  '上报县级',
  '县级答复',
];

/** What the timeline adds to a row: the measures taken, the acceptance, the escalation and the county's answer. */
export interface ExportFacts {
  measures: string | null;
  verified: string | null;
  escalated: string | null;
  countyAnswer: string | null;
}

/** The row's facts from its timeline events (oldest first). */
export function exportFacts(
  events: { action: string; note: string | null; data: Record<string, unknown> | null; createdAt: Date; dedupeKey?: string | null }[],
): ExportFacts {
  const f: ExportFacts = { measures: null, verified: null, escalated: null, countyAnswer: null };
  const climbs: string[] = [];
  for (const e of events) {
    const day = beijingDate(e.createdAt);
    if (e.action === 'rectify') f.measures = e.note;
    if (e.action === 'verify')
      f.verified = `${day} ${(e.data as { passed?: boolean } | null)?.passed === false ? '未通过' : '通过'}${e.note ? `：${e.note}` : ''}`;
    if (e.action === 'escalate')
      f.escalated = `${day} 上报${String((e.data as { department?: string } | null)?.department ?? '县级')}${e.note ? `：${e.note}` : ''}`;
    if (e.action === 'answer') f.countyAnswer = `${day} ${e.note ?? ''}`.trim();
    if (e.action === 'remind' && (e.data as { kind?: string } | null)?.kind === 'climb') climbs.push(`${day} ${e.note ?? '逾期报上级督办'}`);
  }
  if (climbs.length) f.escalated = [f.escalated, ...climbs].filter(Boolean).join('；');
  return f;
}

/** Streams the ledger as the officials keep it (one sheet, frozen header, overdue rows tinted), in the ledger's order. */
export async function writeLedgerXlsx(
  res: Writable,
  rows: AsyncIterable<{ h: Hazard; names: Map<number, string>; facts?: ExportFacts }>,
  title: string,
): Promise<number> {
  const now = new Date();
  const ExcelJS = await import('exceljs'); // loaded on first use (docs/DECISIONS.md, "Heavy libraries on first use")
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
    { header: EXPORT_COLUMNS[9], key: 'measures', width: 36 },
    { header: EXPORT_COLUMNS[10], key: 'rectified', width: 17 },
    { header: EXPORT_COLUMNS[11], key: 'verified', width: 28 },
    { header: EXPORT_COLUMNS[12], key: 'closed', width: 17 },
    { header: EXPORT_COLUMNS[13], key: 'overdue', width: 9 },
    { header: EXPORT_COLUMNS[14], key: 'escalated', width: 36 },
    { header: EXPORT_COLUMNS[15], key: 'countyAnswer', width: 36 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let n = 0;
  for await (const { h, names, facts } of rows) {
    const overdue = isOverdue(h.status, h.deadline, now);
    const row = ws.addRow({
      code: h.code,
      category: HAZARD_CATEGORY_LABELS[h.category] ?? h.category,
      level: HAZARD_LEVEL_LABELS[h.level] ?? h.level,
      place: [names.get(h.orgId), h.address].filter(Boolean).join(' '),
      found: beijingTime(h.createdAt),
      description: h.description,
      // A hazard that went to the county says so, whoever then held it (the county's answer closes it without a unit).
      responsible: [h.responsibleOrgId ? (names.get(h.responsibleOrgId) ?? '') : '', h.escalatedTo ? `${h.escalatedTo}（上报县级）` : '']
        .filter(Boolean)
        .join('；'),
      deadline: h.deadline ? beijingDate(h.deadline) : h.escalatedTo ? (h.status === 'escalated' ? '待县级答复' : '县级办理') : '',
      status: HAZARD_STATUS_LABELS[h.status],
      measures: facts?.measures ?? '',
      rectified: beijingTime(h.rectifiedAt),
      verified: facts?.verified ?? '',
      closed: beijingTime(h.closedAt),
      overdue: overdue ? '是' : '否',
      escalated: facts?.escalated ?? '',
      countyAnswer: facts?.countyAnswer ?? '',
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
