import {
  AlignmentType,
  Document,
  HighlightColor,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { HAZARD_CATEGORY_LABELS, HazardCategory, StatsSummaryDto } from '@xiangan/shared';
import { FigureReader, figureValue } from './report-figures';

/** 公文 fonts: Word and LibreOffice map these names to the installed CJK faces. */
const BODY_FONT = '仿宋';
const TITLE_FONT = '宋体';
const HEAD_FONT = '黑体';
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
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const cnDate = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const cnList = (xs: string[]) => xs.filter(Boolean).join('、');

function body(text: string, opts: { bold?: boolean; indent?: boolean } = {}): Paragraph {
  return new Paragraph({
    spacing: { line: 560, lineRule: 'exact' as any },
    indent: opts.indent === false ? undefined : { firstLine: 640 },
    alignment: AlignmentType.JUSTIFIED,
    children: [new TextRun({ text, bold: opts.bold, font: BODY_FONT, size: 32 })],
  });
}

function runs(parts: (string | { text: string; mark?: boolean })[]): Paragraph {
  return new Paragraph({
    spacing: { line: 560, lineRule: 'exact' as any },
    indent: { firstLine: 640 },
    alignment: AlignmentType.JUSTIFIED,
    children: parts.map((p) =>
      typeof p === 'string'
        ? new TextRun({ text: p, font: BODY_FONT, size: 32 })
        : new TextRun({ text: p.text, font: BODY_FONT, size: 32, highlight: p.mark ? HighlightColor.YELLOW : undefined, bold: p.mark }),
    ),
  });
}

function heading1(text: string): Paragraph {
  return new Paragraph({ spacing: { line: 560, lineRule: 'exact' as any }, indent: { firstLine: 640 }, children: [new TextRun({ text, font: HEAD_FONT, size: 32 })] });
}

function heading2(text: string): Paragraph {
  return new Paragraph({ spacing: { line: 560, lineRule: 'exact' as any }, indent: { firstLine: 640 }, children: [new TextRun({ text, font: '楷体', size: 32, bold: true })] });
}

function title(text: string): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 400, line: 700, lineRule: 'exact' as any }, children: [new TextRun({ text, font: TITLE_FONT, size: 44, bold: true })] });
}

function placeholder(hint: string): Paragraph {
  return runs([{ text: `${PLACEHOLDER}${hint}`, mark: true }]);
}

function doc(children: (Paragraph | Table)[]): Document {
  return new Document({
    creator: '乡安',
    styles: { default: { document: { run: { font: { ascii: BODY_FONT, eastAsia: BODY_FONT, hAnsi: BODY_FONT }, size: 32 } } } },
    sections: [{ properties: { page: { margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } }, children }],
  });
}

function figuresTable(s: StatsSummaryDto): Table {
  const cell = (t: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: t, font: BODY_FONT, size: 24, bold })] })] });
  const rows = [new TableRow({ tableHeader: true, children: [cell('类别', true), cell('项目', true), cell('数量', true)] })];
  for (const f of s.figures.filter((x) => x.value > 0)) rows.push(new TableRow({ children: [cell(f.section), cell(f.label), cell(`${n(f.value)}${f.unit}`)] }));
  return new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows });
}

/** The registers in the reports' sentences (三年行动: 12个烟花爆竹经营点、1个液化气经营点…; 9个地质灾害点和5处山洪灾害隐患点…). */
export function registerSentences(s: StatsSummaryDto): string[] {
  const reg = s.registers;
  if (!reg?.available) return [];
  const site = (k: string) => reg.sites.find((x) => x.kind === k);
  const words = (ks: string[]) => ks.map((k) => site(k)).filter((x) => x && x.count > 0).map((x) => `${x!.count}${x!.unit}${x!.label}`);
  const out: string[] = [];
  const dangerous = words(['fireworks_shop', 'lpg_shop', 'gas_station']);
  if (dangerous.length) out.push(`以烟花爆竹、加油站、液化气为重点，不定期对辖区内的${dangerous.join('、')}的经营资质、警示标志、消防设备、物品摆放、安全通道进行拉网式检查，及时纠正不规范行为。`);
  const flood = words(['geological', 'flash_flood']);
  if (flood.length || reg.reservoirsSmall2Up) {
    out.push(`汛期重点排查${[flood.join('和'), reg.reservoirsSmall2Up ? `${reg.reservoirsSmall2Up}个小2型以上的水库` : ''].filter(Boolean).join('，以及')}的汛期安全，并对地质隐患点设立安全警示标志，明确紧急避险路线。`);
  }
  const waters = words(['reservoir', 'pond', 'river', 'dangerous_water']);
  const waterPatrols = reg.sites.filter((x) => ['reservoir', 'pond', 'river', 'dangerous_water'].includes(x.kind)).reduce((a, x) => a + x.patrols, 0);
  if (waters.length) out.push(`防溺水方面，对${waters.join('、')}等危险水域${reg.waterWarningSigns ? `设立警示标志${reg.waterWarningSigns}块` : '落实警示和看护措施'}${waterPatrols ? `，开展巡查${waterPatrols}次` : ''}。`);
  return out;
}

/** 全年无安全生产事故 / 无一起森林火灾 — said only from the incident register, never assumed. */
export function incidentWords(s: StatsSummaryDto): string {
  const reg = s.registers;
  if (!reg?.available) return '';
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

/** True when the period is one whole calendar year. */
function wholeYear(s: StatsSummaryDto): boolean {
  return s.from.endsWith('-01-01') && s.to.slice(0, 4) === s.from.slice(0, 4);
}

/**
 * The year-end 工作总结 in the reference report's structure, every figure from the summary and
 * each paragraph drafted from the records; the judgement sections are marked for the official.
 */
export async function buildYearReport(s: StatsSummaryDto, openItems: OpenItem[] = []): Promise<Buffer> {
  const r = new FigureReader(s);
  const fv = (k: string) => figureValue(s.figures, k);
  const year = s.from.slice(0, 4);
  const name = s.org.name;
  const periodWords = wholeYear(s) ? `${year}年以来` : `${s.from}至${s.to}`;
  const periodTitle = wholeYear(s) ? `${year}年度` : `${s.from}至${s.to}`;
  const out: (Paragraph | Table)[] = [];
  out.push(title(`${name}${periodTitle}安全生产和消防工作总结`));
  out.push(
    body(
      `${periodWords}，${name}党委、政府始终把安全生产和消防工作摆在各项工作的首位，认真落实上级关于安全生产和消防工作的一系列重要工作指示和工作部署，扛牢责任，抓实措施，${fv('hazards.found') ? `全年排查整治各类隐患${fv('hazards.found')}项，` : ''}全镇安全生产和消防形势持续稳定，现就本年度的工作汇报如下：`,
    ),
  );
  out.push(heading1('一、本年度开展的工作'));

  // (一) 压实责任
  out.push(heading2('（一）压实责任，健全体系'));
  const resp: string[] = [];
  if (fv('meetings.monthly')) resp.push(`全年召开安全生产和消防工作例会${fv('meetings.monthly')}次，传达学习上级有关安全生产和消防工作的重要指示精神，通报各行业部门和村（居）安全生产重点工作开展情况`);
  const letters: string[] = [];
  if (fv('letters.production')) letters.push(`与${fv('letters.production')}家生产经营单位签订了《安全生产责任书》`);
  if (fv('letters.fireFood')) letters.push(`与${fv('letters.fireFood')}个村（社区）签订了食品安全和消防安全责任书`);
  if (fv('letters.foodCoordinator')) letters.push(`与${fv('letters.foodCoordinator')}名食品安全协管员签订《食药品协管员责任书》`);
  if (fv('letters.construction')) letters.push(`与${fv('letters.construction')}家施工单位签订安全责任书`);
  if (letters.length) resp.push(`全面落实安全生产主体责任，${letters.join('，')}`);
  if (fv('staff.safetyManagers')) resp.push(`按照一对多的方式，派驻企业安全管理员${fv('staff.safetyManagers')}人，督促企业负责人积极履行“安全生产第一责任人”责任`);
  if (s.fieldwork.campaigns.length) resp.push(`扎实开展${cnList(s.fieldwork.campaigns.slice(0, 8).map((c) => `“${c.name}”`))}等安全生产专项行动`);
  resp.forEach((t, i) => out.push(body(`${i + 1}．${t}。`)));
  if (!resp.length) out.push(placeholder('本期没有责任书、例会和专项行动记录，请补充或说明。'));

  // (二) 隐患排查整治
  out.push(heading2('（二）突出重点，隐患排查整治'));
  out.push(
    body(
      `全年共开展安全检查${fv('inspections.records')}次，出动检查人员${fv('inspections.inspectors')}人次，出动检查车辆${fv('inspections.vehicles')}车次，检查生产经营单位${fv('inspections.units')}家次，排查隐患${fv('hazards.found')}项，整改到位${fv('hazards.rectified')}项，整改率${pct(s.hazards.rectificationRate)}${s.hazards.major ? `，其中重大事故隐患${s.hazards.major}项` : ''}${s.hazards.avgDaysToClose !== null ? `，隐患平均${s.hazards.avgDaysToClose}天销号` : ''}。对发现的隐患及时下达现场检查记录，录入隐患台账，实行闭环管理，“一天不解决一天不销号”。`,
    ),
  );
  const sectors = s.fieldwork.bySector.filter((x) => x.inspections || x.hazards);
  sectors.forEach((x, i) => {
    const camps = s.fieldwork.campaigns.length ? '' : '';
    const parts = [`${i + 1}．${x.label}。`];
    const bits: string[] = [];
    if (x.inspections) bits.push(`开展检查${x.inspections}次`);
    if (x.units) bits.push(`共检查单位${x.units}家次`);
    if (x.issues) bits.push(`交办整改问题${x.issues}个${x.issuesRectified ? `（整改到位${x.issuesRectified}个）` : ''}`);
    if (x.hazards) bits.push(`排查整治安全隐患${x.hazards}处，整改到位${x.hazardsRectified}处`);
    if (x.sector === 'campus' && fv('campus.schoolBuses')) bits.push(`检查校车${fv('campus.schoolBuses')}车次`);
    if (x.sector === 'food_drug') {
      if (fv('food.stalls')) bits.push(`检查固定摊贩及坐商${fv('food.stalls')}户次`);
      if (fv('food.registered')) bits.push(`登记备案流动摊点${fv('food.registered')}户`);
      if (fv('food.licenses')) bits.push(`督促办理营业执照${fv('food.licenses')}户、健康证${fv('food.healthCerts')}人、食品摊贩备案证明${fv('food.stallCerts')}户`);
    }
    out.push(body(parts[0] + bits.join('，') + '。' + camps));
  });
  for (const t of registerSentences(s)) out.push(body(t));
  out.push(
    body(
      `建立安全生产月会商制度，各行业、村（居）现场进行隐患报告，党委、政府现场进行交办，截至目前共妥善处置安全隐患${s.hazards.closed}件，正在办理${s.hazards.inProgress}件${openItems.length && s.hazards.inProgress ? `（${openItems.slice(0, 5).map(openItemWords).join('；')}${s.hazards.inProgress > 5 ? '等' : ''}）` : ''}，镇党委、政府无法处置上报县级行业部门${s.hazards.escalated}件。`,
    ),
  );

  // (三) 强化监管，严格执法
  out.push(heading2('（三）强化监管，严格执法'));
  const enf: string[] = [];
  if (fv('staff.certHolders')) enf.push(`我镇现持有执法证${fv('staff.certHolders')}人`);
  const simpleBySector = s.fieldwork.bySector.filter((x) => x.penalties > 0).map((x) => `${x.label}${x.penalties}件`);
  if (fv('enforcement.simple')) enf.push(`全镇安全生产实施简易程序当场处罚${fv('enforcement.simple')}件${simpleBySector.length ? `，其中${simpleBySector.join('；')}` : ''}`);
  if (fv('enforcement.general')) enf.push(`一般程序处罚${fv('enforcement.general')}件`);
  if (fv('enforcement.amount')) enf.push(`罚款金额共计${n(fv('enforcement.amount'))}元`);
  if (fv('enforcement.hazards')) enf.push(`通过执法排查各行业各领域安全隐患${fv('enforcement.hazards')}条，整改到位${fv('enforcement.rectified')}条`);
  if (fv('countyLetters.closed')) enf.push(`销号县交办函${fv('countyLetters.closed')}件`);
  enf.push(`开展监管执法${fv('enforcement.records')}次，对发现的隐患逐一进行指导并督促整改`);
  if (fv('fire.inspections')) enf.push(`消防检查${fv('fire.inspections')}次，交办整改问题${fv('fire.issues')}个`);
  const months = monthsIn(s.from, s.to);
  if (fv('traffic.drunkDriving')) enf.push(`查获酒驾${fv('traffic.drunkDriving')}起`);
  if (fv('traffic.violations')) enf.push(`处理其他交通违法行为${fv('traffic.violations')}起（平均每月${Math.round(fv('traffic.violations') / months)}起）`);
  if (fv('traffic.unlicensed')) enf.push(`查处无牌无证车辆${fv('traffic.unlicensed')}台`);
  if (fv('traffic.majorHazards')) enf.push(`处理交通重大隐患${fv('traffic.majorHazards')}处`);
  if (fv('traffic.persuaders')) enf.push(`村（居）两站两员${fv('traffic.persuaders')}人开展交通劝导`);
  const inc = incidentWords(s);
  out.push(body(`${enf.join('；')}${inc ? `，${inc}` : ''}。`));

  // (四) 宣传
  out.push(heading2('（四）提升认识，浓厚宣传'));
  const pubBits: string[] = [];
  if (fv('publicity.leaflets')) pubBits.push(`印发知识宣传单页${fv('publicity.leaflets')}份`);
  if (fv('publicity.brochures')) pubBits.push(`发放宣传手册、明白纸${fv('publicity.brochures')}份`);
  if (fv('publicity.bags')) pubBits.push(`发放宣传手提袋${fv('publicity.bags')}个`);
  if (fv('publicity.banners')) pubBits.push(`悬挂横幅${fv('publicity.banners')}幅`);
  if (fv('publicity.slogans')) pubBits.push(`张贴标语${fv('publicity.slogans')}张`);
  if (fv('publicity.boards')) pubBits.push(`设置宣传牌${fv('publicity.boards')}块`);
  if (fv('publicity.vehicleTrips')) pubBits.push(`出动${fv('publicity.vehicleTrips')}车次进企入村`);
  if (fv('publicity.people')) pubBits.push(`出动宣传人员${fv('publicity.people')}人次`);
  if (fv('publicity.ledPlays')) pubBits.push(`利用显示屏滚动播放${fv('publicity.ledPlays')}条`);
  if (fv('publicity.adPushes')) pubBits.push(`向企业管理人员现场推送公益广告${fv('publicity.adPushes')}次${fv('publicity.adItems')}条`);
  out.push(body(`1．坚持常态化开展安全生产宣传工作，全年组织线下宣传活动${fv('publicity.events')}次${pubBits.length ? `，${pubBits.join('、')}` : ''}。`));
  const wx: string[] = [];
  if (s.publicity.messages) wx.push(`通过“乡安”小程序发布宣传信息${s.publicity.messages}期，推送微信${s.publicity.deliveries}条，群众阅读${s.publicity.reads}人次（阅读率${pct(s.publicity.readRate)}）${s.publicity.acks ? `，确认知晓${s.publicity.acks}人次` : ''}`);
  if (wx.length) out.push(body(`2．${wx.join('')}。`));
  const school: string[] = [];
  if (fv('schoolTalks')) school.push(`“送安全进校园”累计讲座${fv('schoolTalks')}次`);
  if (fv('drills.records')) school.push(`共同演练${fv('drills.records')}次`);
  if (fv('pledges.drowning')) school.push(`签订防溺水承诺书${fv('pledges.drowning')}份`);
  if (fv('pledges.holiday')) school.push(`签订安全承诺书${fv('pledges.holiday')}份`);
  if (school.length)
    out.push(body(`${wx.length ? 3 : 2}．通过安全生产知识、防溺水知识和消防演练等进校园活动，${school.join('，')}${s.org.population ? `，打牢打实全民${(s.org.population / 10000).toFixed(2)}万人基层安全生产参与意识` : ''}。`));
  const tr: string[] = [];
  for (const [k, label] of [
    ['training.safety', '安全生产教育培训会议'],
    ['training.fire', '消防安全教育培训会议'],
    ['training.specialEquipment', '特种设备安全教育培训'],
    ['training.foodCoordinator', '村级食品安全协管员培训会议'],
    ['training.foodExpert', '食药品安全专业培训会议'],
  ] as const)
    if (fv(k)) tr.push(`${label}${fv(k)}次`);
  if (tr.length) out.push(body(`${(wx.length ? 3 : 2) + (school.length ? 1 : 0)}．组织${tr.join('，')}。`));

  // (五) 应急
  out.push(heading2('（五）强化预案，重视实战'));
  const drills = s.fieldwork.drills;
  const drillText = drills
    .slice(0, 10)
    .map((d) => `${cnDate(d.date)}${d.orgName ? `${d.orgName}` : ''}组织${d.title ?? d.label}${d.tags.length ? `（包含${d.tags.join('、')}）` : ''}，参演、观摩人数${d.participants}人`)
    .join('；');
  out.push(
    body(
      `全年组织应急演练${fv('drills.records')}次，参演、观摩人数${fv('drills.participants')}人${drillText ? `：${drillText}` : ''}。${fv('plans.filed') ? `积极推动企业应急预案备案工作，累计完成${fv('plans.filed')}家企业的应急预案备案工作。` : ''}`,
    ),
  );

  out.push(heading1('二、存在的主要问题'));
  out.push(placeholder('请结合本年度工作写出存在的不足（例如：企业人员安全意识、主体责任落实、执法能力等）。'));
  out.push(heading1('三、下一步工作计划'));
  out.push(placeholder('请写出下一年度的工作计划（例如：专项整治、督导检查、压实责任、宣传培训、演练次数等）。'));
  out.push(new Paragraph({ spacing: { before: 400 }, children: [new TextRun({ text: '附：主要数据一览（由“乡安”系统按台账记录统计）', font: HEAD_FONT, size: 28 })] }));
  out.push(figuresTable(s));
  void r;
  return Packer.toBuffer(doc(out));
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
