import {
  AlignmentType,
  Document,
  Footer,
  PageNumber,
  HighlightColor,
  LineRuleType,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun as DocxTextRun,
  WidthType,
} from 'docx';
import { stripXmlIllegal } from '../../common/text/xml-text';
import { HAZARD_CATEGORY_LABELS, HazardCategory, StatsSummaryDto } from '@xiangan/shared';

/** Every run of the report: characters XML cannot hold (unit names, typed text) are dropped, so the .docx stays well-formed. */
class TextRun extends DocxTextRun {
  constructor(o: ConstructorParameters<typeof DocxTextRun>[0]) {
    super(typeof o === 'string' ? stripXmlIllegal(o) : { ...o, text: o.text === undefined ? undefined : stripXmlIllegal(o.text) });
  }
}

/**
 * 公文 fonts per GB/T 9704: title 方正小标宋简体 (二号), body 仿宋_GB2312 (三号), 一级标题 黑体, 二级标题 楷体_GB2312.
 * A .docx names one face per run; where a face is missing Word and LibreOffice substitute — fallbacks, in order:
 * 方正小标宋简体 → 华文中宋 / 宋体 → Noto Serif CJK SC; 仿宋_GB2312 → 仿宋 / FangSong → Noto Serif CJK SC;
 * 楷体_GB2312 → 楷体 / KaiTi → Noto Serif CJK SC; 黑体 → SimHei → Noto Sans CJK SC (docs/DECISIONS.md).
 */
export const BODY_FONT = '仿宋_GB2312';
export const TITLE_FONT = '方正小标宋简体';
export const HEAD_FONT = '黑体';
export const KAI_FONT = '楷体_GB2312';
const PLACEHOLDER = '【请填写】';

export interface OpenItem {
  code: string;
  category: string;
  status: string;
  note: string | null;
  /** What the hazard is (the report names the work, never the ledger code). */
  description?: string | null;
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

export function body(text: string, opts: { bold?: boolean; indent?: boolean } = {}): Paragraph {
  return new Paragraph({
    spacing: { line: 560, lineRule: LineRuleType.EXACT },
    indent: opts.indent === false ? undefined : { firstLine: 640 },
    alignment: AlignmentType.JUSTIFIED,
    children: [new TextRun({ text, bold: opts.bold, font: BODY_FONT, size: 32 })],
  });
}

export function runs(parts: (string | { text: string; mark?: boolean })[]): Paragraph {
  return new Paragraph({
    spacing: { line: 560, lineRule: LineRuleType.EXACT },
    indent: { firstLine: 640 },
    alignment: AlignmentType.JUSTIFIED,
    children: parts.map((p) =>
      typeof p === 'string'
        ? new TextRun({ text: p, font: BODY_FONT, size: 32 })
        : new TextRun({ text: p.text, font: BODY_FONT, size: 32, highlight: p.mark ? HighlightColor.YELLOW : undefined, bold: p.mark }),
    ),
  });
}

export function heading1(text: string): Paragraph {
  return new Paragraph({
    keepNext: true,
    spacing: { line: 560, lineRule: LineRuleType.EXACT },
    indent: { firstLine: 640 },
    children: [new TextRun({ text, font: HEAD_FONT, size: 32 })],
  });
}

export function heading2(text: string): Paragraph {
  return new Paragraph({
    keepNext: true,
    spacing: { line: 560, lineRule: LineRuleType.EXACT },
    indent: { firstLine: 640 },
    children: [new TextRun({ text, font: KAI_FONT, size: 32 })],
  });
}

export function title(text: string): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { after: 400, line: 700, lineRule: LineRuleType.EXACT },
    children: [new TextRun({ text, font: TITLE_FONT, size: 44 })],
  });
}

export function placeholder(hint: string): Paragraph {
  return runs([{ text: `${PLACEHOLDER}${hint}`, mark: true }]);
}

/** A4, GB/T 9704 margins, page numbers "— 1 —" centred in the footer (宋体 四号). */
export function doc(children: (Paragraph | Table)[]): Document {
  const pageNo = new Paragraph({
    alignment: AlignmentType.CENTER,
    children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: '宋体', size: 28 })],
  });
  return new Document({
    creator: '乡安',
    styles: { default: { document: { run: { font: { ascii: 'Times New Roman', eastAsia: BODY_FONT, hAnsi: 'Times New Roman' }, size: 32 } } } },
    sections: [
      {
        properties: { page: { margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } },
        footers: { default: new Footer({ children: [pageNo] }) },
        children,
      },
    ],
  });
}

/** The unit and the date at the end, right-aligned (署名、成文日期). */
export function signature(unit: string, date: string): Paragraph[] {
  const right = (text: string, before = 0, keepNext = false) =>
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      keepNext,
      keepLines: true,
      spacing: { before, line: 560, lineRule: LineRuleType.EXACT },
      indent: { right: 640 },
      children: [new TextRun({ text, font: BODY_FONT, size: 32 })],
    });
  return [right(unit, 560, true), right(`${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`)];
}

export function figuresTable(s: StatsSummaryDto): Table {
  const cell = (t: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: t, font: BODY_FONT, size: 24, bold })] })] });
  const rows = [new TableRow({ tableHeader: true, children: [cell('类别', true), cell('项目', true), cell('数量', true)] })];
  for (const f of s.figures.filter((x) => x.value > 0)) rows.push(new TableRow({ children: [cell(f.section), cell(f.label), cell(`${n(f.value)}${f.unit}`)] }));
  return new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows });
}

/** The registers in the reports' sentences (三年行动: 12个烟花爆竹经营点、1个液化气经营点…; 9个地质灾害点和5处山洪灾害隐患点…). */
export function registerSentences(s: StatsSummaryDto): string[] {
  const reg = s.registers;
  if (!reg) return [];
  const site = (k: string) => reg.sites.find((x) => x.kind === k);
  const words = (ks: string[]) =>
    ks
      .map((k) => site(k))
      .filter((x) => x && x.count > 0)
      .map((x) => `${x!.count}${x!.unit}${x!.label}`);
  const out: string[] = [];
  const dangerous = words(['fireworks_shop', 'lpg_shop', 'gas_station']);
  // The lead names only the kinds the register holds (a village with fireworks shops alone: 以烟花爆竹为重点).
  const focus = (
    [
      ['fireworks_shop', '烟花爆竹'],
      ['gas_station', '加油站'],
      ['lpg_shop', '液化气'],
    ] as const
  )
    .filter(([k]) => (site(k)?.count ?? 0) > 0)
    .map(([, w]) => w);
  if (dangerous.length)
    out.push(
      `以${focus.join('、')}为重点，不定期对辖区内的${dangerous.join('、')}的经营资质、警示标志、消防设备、物品摆放、安全通道进行拉网式检查，及时纠正不规范行为。`,
    );
  const flood = words(['geological', 'flash_flood']);
  if (flood.length || reg.reservoirsSmall2Up) {
    // Warning signs at the geological sites are said only when the register counts some.
    const geoSigns = (site('geological')?.warningSigns ?? 0) > 0 ? '，并对地质隐患点设立安全警示标志' : '';
    out.push(
      `汛期重点排查${[flood.join('和'), reg.reservoirsSmall2Up ? `${reg.reservoirsSmall2Up}个小2型以上的水库` : ''].filter(Boolean).join('，以及')}的汛期安全${geoSigns}，明确紧急避险路线。`,
    );
  }
  const waters = words(['reservoir', 'pond', 'river', 'dangerous_water']);
  const waterPatrols = reg.sites.filter((x) => ['reservoir', 'pond', 'river', 'dangerous_water'].includes(x.kind)).reduce((a, x) => a + x.patrols, 0);
  if (waters.length)
    out.push(
      `防溺水方面，对${waters.join('、')}等危险水域${reg.waterWarningSigns ? `设立警示标志${reg.waterWarningSigns}块` : '落实警示和看护措施'}${waterPatrols ? `，开展巡查${waterPatrols}次` : ''}。`,
    );
  return out;
}

/** 全年无安全生产事故 / 无一起森林火灾 — said only from the incident register, never assumed. */
export function incidentWords(s: StatsSummaryDto): string {
  const reg = s.registers;
  if (!reg) return '';
  const n = (k: string) => reg.incidents.find((x) => x.kind === k)?.count ?? 0;
  const area = areaWord(s.org.type);
  const span = periodSpan(s);
  const parts: string[] = [];
  parts.push(n('production_accident') ? `${span}发生安全生产事故${n('production_accident')}起` : `确保了${area}${span}无安全生产事故发生`);
  parts.push(n('forest_fire') ? `发生森林火灾${n('forest_fire')}起` : '辖区内无一起森林火灾发生');
  return parts.join('，');
}

/** 全镇 / 全村 / 全县 — the unit's own word for "the whole of it". */
export function areaWord(type: string): string {
  return type === 'village' || type === 'community' ? '全村' : type === 'county' ? '全县' : type === 'town' ? '全镇' : '本单位';
}

/** 全年 / 本季度 / 本月 / 本期 for the period. */
export function periodSpan(s: { from: string; to: string }): string {
  const m = monthsIn(s.from, s.to);
  const startsMonth = s.from.endsWith('-01');
  if (startsMonth && m === 12 && s.from.slice(5, 7) === '01') return '全年';
  if (startsMonth && m === 3 && ['01', '04', '07', '10'].includes(s.from.slice(5, 7))) return '本季度';
  if (startsMonth && m === 1) return '本月';
  return '本期';
}

/** Calendar months the period touches (1 Jan – 3 Dec = 12): the divisor of 平均每月, one per monthly tally. */
export function monthsIn(from: string, to: string): number {
  return Math.max(1, (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1);
}

export interface MonthlyBrief {
  orgName: string;
  orgType: string;
  month: string;
  reported: number;
  closed: number;
  inProgress: number;
  escalated: number;
  overdue: number;
  byCategory: { label: string; reported: number }[];
  openItems: OpenItem[];
  fieldRecords: number;
}

/** What an open hazard is and what is being done about it, in words (no ledger code). */
export function openItemWords(o: OpenItem): string {
  const what = (o.description ?? '').replace(/[。；;，,\s]+$/, '').slice(0, 40) || `${HAZARD_CATEGORY_LABELS[o.category as HazardCategory] ?? o.category}隐患`;
  return o.note ? `${what}，${o.note.replace(/[。；;\s]+$/, '')}` : `${what}，已交办整改`;
}

/**
 * The monthly 会商 brief read at the safety meeting: the figures of `/api/reports/monthly`, in words whose names
 * say they are the month's (本月上报县级, 本月到期未整改) — the ledger's chips 上报县级 / 逾期 count what is so now.
 */
export async function buildMonthlyBrief(b: MonthlyBrief): Promise<Buffer> {
  const [y, m] = b.month.split('-');
  const party = b.orgType === 'village' || b.orgType === 'community' ? '村两委' : b.orgType === 'county' ? '县委、县政府' : '镇党委、政府';
  const out: (Paragraph | Table)[] = [];
  out.push(title(`${b.orgName}${y}年${Number(m)}月安全生产隐患会商简报`));
  out.push(
    body(
      `${Number(m)}月，各行业、村（居）共上报安全隐患${b.reported}件${b.byCategory.length ? `（${b.byCategory.map((c) => `${c.label}${c.reported}件`).join('，')}）` : ''}，本月妥善处置（销号）${b.closed}件${b.fieldRecords ? `；本月记录检查、执法、演练等工作${b.fieldRecords}次` : ''}。`,
    ),
  );
  const tail: string[] = [`正在办理${b.inProgress}件`];
  if (b.overdue) tail.push(`本月到期未整改${b.overdue}件`);
  if (b.escalated) tail.push(`本月${party}无法处置上报县级行业部门${b.escalated}件`);
  out.push(body(`${tail.join('，')}。`));
  if (b.openItems.length) {
    out.push(heading2(`正在办理的${b.inProgress}件隐患及进展${b.openItems.length < b.inProgress ? `（列出最早的${b.openItems.length}件）` : ''}`));
    b.openItems.forEach((o, i) => out.push(body(`${i + 1}．${openItemWords(o)}。`)));
  }
  out.push(heading2('本次会商交办事项'));
  out.push(placeholder('请在会上记录本次交办的事项、责任单位和完成时限。'));
  return Packer.toBuffer(doc(out));
}
