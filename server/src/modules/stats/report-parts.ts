import { Paragraph, Table } from 'docx';
import type { StatsSummaryDto } from '@xiangan/shared';
import { figureValue } from './report-figures';
import { areaWord, body, heading2, incidentWords, monthsIn, OpenItem, openItemWords, placeholder } from './report-docx';
import { addDays } from '@xiangan/shared';

/**
 * The facts of a summary in the reports' words: how a unit speaks of itself, counts and dates written out, and the
 * paragraphs every report form shares (each empty when its figures are zero). The forms: report-forms.ts.
 */

const CN = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** How a unit speaks of itself and of the period: 镇党委、政府 / 村两委, 全镇 / 全村, 我镇 / 我村, 全年 / 本季度. */
export function voice(s: StatsSummaryDto) {
  const t = s.org.type;
  const party = t === 'village' || t === 'community' ? '村两委' : t === 'county' ? '县委、县政府' : t === 'town' ? '镇党委、政府' : `${s.org.name}`;
  const self = t === 'village' ? '我村' : t === 'community' ? '我社区' : t === 'county' ? '我县' : t === 'town' ? '我镇' : '我单位';
  const y1 = s.from.slice(0, 4);
  const y2 = s.to.slice(0, 4);
  const m1 = Number(s.from.slice(5, 7));
  const months = monthsIn(s.from, s.to);
  const startsMonth = s.from.endsWith('-01');
  const endsMonth = addDays(s.to, 1).endsWith('-01');
  let periodTitle = s.from === s.to ? cnDay(s.from) : `${cnDay(s.from)}至${cnDay(s.to)}`;
  let periodWords = periodTitle;
  let span = '本期';
  let spanWork = '本期';
  if (startsMonth && m1 === 1 && y1 === y2 && (months === 12 || !endsMonth)) {
    periodTitle = `${y1}年度`;
    periodWords = `${y1}年以来`;
    span = '全年';
    spanWork = '本年度';
  } else if (startsMonth && endsMonth && months === 3 && (m1 - 1) % 3 === 0) {
    const q = CN[(m1 - 1) / 3];
    periodTitle = `${y1}年第${q}季度`;
    periodWords = `${y1}年第${q}季度`;
    span = '本季度';
    spanWork = '本季度';
  } else if (startsMonth && endsMonth && months === 1) {
    periodTitle = `${y1}年${m1}月`;
    periodWords = `${y1}年${m1}月`;
    span = '本月';
    spanWork = '本月';
  } else if (startsMonth && m1 === 1 && s.to.endsWith('-12-31') && y2 > y1) {
    periodTitle = `${y1}—${y2}年`;
    periodWords = `${y1}年以来`;
    span = `${Number(y2) - Number(y1) + 1}年来`;
    spanWork = `${Number(y2) - Number(y1) + 1}年来`;
  }
  // With the unit's name in front: 石桥镇党委、政府 / 柳林村两委 / 青山县委、县政府.
  const n = s.org.name;
  const named =
    t === 'town' ? `${n}党委、政府` : t === 'village' ? `${n}两委` : t === 'community' ? `${n}两委` : t === 'county' ? `${n}委、${n.slice(-1)}政府` : n;
  return { party, named, area: areaWord(t), self, periodTitle, periodWords, span, spanWork };
}

const cnDay = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** Large counts as the reports write them: 15,000 → 1.5万, 15,300 → 1.5万余; smaller ones exact. */
export function bigCount(n: number): string {
  if (n < 10000) return String(Math.round(n * 100) / 100);
  const tenth = Math.floor(n / 1000) / 10;
  return `${tenth}万${tenth * 10000 < n ? '余' : ''}`;
}

/** Numbered sections that leave out the empty ones: （一）… in order, only those with something to say. */
export class Sections {
  private i = 0;
  constructor(private readonly out: (Paragraph | Table)[]) {}
  add(heading: string, paras: string[], opts: { keepEmpty?: string } = {}) {
    if (!paras.length && !opts.keepEmpty) return;
    this.out.push(heading2(`（${CN[this.i++]}）${heading}`));
    if (!paras.length) this.out.push(placeholder(opts.keepEmpty!));
    for (const p of paras) this.out.push(body(p));
  }
}

export const join = (xs: string[], sep = '，') => xs.filter(Boolean).join(sep);
/** 1．… 2．… over the non-empty items. */
export const numbered = (xs: string[]) => xs.filter(Boolean).map((x, i) => `${i + 1}．${x}${/[。！]$/.test(x) ? '' : '。'}`);

/** The paragraphs every form shares, each empty when its figures are zero. */
export function parts(s: StatsSummaryDto, openItems: OpenItem[], firstPerson: boolean) {
  const fv = (k: string) => figureValue(s.figures, k);
  const v = voice(s);
  const we = firstPerson ? '' : v.self;
  const letters: string[] = [];
  if (fv('letters.production')) letters.push(`与${v.area}${fv('letters.production')}家生产经营单位签订了《安全生产责任书》`);
  if (fv('letters.fireFood')) letters.push(`与${v.area}${fv('letters.fireFood')}个村（社区）签订了食品安全和消防安全责任书`);
  if (fv('letters.foodCoordinator')) letters.push(`与${fv('letters.foodCoordinator')}名食品安全协管员签订《食药品协管员责任书》`);
  if (fv('letters.construction')) letters.push(`与${fv('letters.construction')}家施工单位签订安全责任书`);
  const inspections = fv('inspections.records')
    ? `${v.span}共开展安全检查${fv('inspections.records')}次，出动检查人员${fv('inspections.inspectors')}人次${fv('inspections.vehicles') ? `，出动检查车辆${fv('inspections.vehicles')}车次` : ''}${fv('inspections.units') ? `，检查生产经营单位${fv('inspections.units')}家次` : ''}${s.hazards.found ? `，排查隐患${s.hazards.found}项，整改到位${s.hazards.rectified}项` : ''}${s.hazards.major ? `，其中重大事故隐患${s.hazards.major}项` : ''}。对发现的隐患及时下达现场检查记录，录入隐患台账，实行闭环管理，“一天不解决一天不销号”`
    : s.hazards.found
      ? `${v.span}排查隐患${s.hazards.found}项，整改到位${s.hazards.rectified}项，实行闭环管理，“一天不解决一天不销号”`
      : '';
  // Sectors with inspections get a paragraph each; those with ledger hazards only are folded into one sentence.
  const hazardOnly = s.fieldwork.bySector.filter((x) => !x.inspections && x.hazards);
  const sectors = s.fieldwork.bySector
    .filter((x) => x.inspections)
    .map((x) => {
      const bits: string[] = [];
      if (x.inspections) bits.push(`开展检查${x.inspections}次`);
      if (x.units) bits.push(`共检查单位${x.units}家次`);
      if (x.issues) bits.push(`交办整改问题${x.issues}个${x.issuesRectified ? `（整改到位${x.issuesRectified}个）` : ''}`);
      if (x.hazards) bits.push(`排查整治安全隐患${x.hazards}处，整改到位${x.hazardsRectified}处`);
      if (x.sector === 'campus' && fv('campus.schoolBuses')) bits.push(`检查校车${fv('campus.schoolBuses')}车次`);
      if (x.sector === 'food_drug') {
        if (fv('food.inspectors')) bits.push(`出动检查人员${fv('food.inspectors')}人次`);
        if (fv('food.stalls')) bits.push(`检查固定摊贩及坐商${fv('food.stalls')}户次`);
        if (fv('food.registered')) bits.push(`登记备案流动摊点${fv('food.registered')}户`);
        if (fv('food.licenses'))
          bits.push(`督促办理营业执照${fv('food.licenses')}户、健康证${fv('food.healthCerts')}人、食品摊贩备案证明${fv('food.stallCerts')}户`);
      }
      if (x.sector === 'fire' && fv('infoBoards')) bits.push(`对${fv('infoBoards')}家设立消防安全生产信息公开栏的企业督导进行内容完善和更新`);
      return `${x.label}方面，${join(bits)}`;
    });
  if (hazardOnly.length) {
    const found = hazardOnly.reduce((a, x) => a + x.hazards, 0);
    const fixed = hazardOnly.reduce((a, x) => a + x.hazardsRectified, 0);
    sectors.push(`此外，${hazardOnly.map((x) => x.label).join('、')}等方面排查整治安全隐患${found}处，整改到位${fixed}处`);
  }
  const monthly =
    s.hazards.found || s.hazards.closed || s.hazards.escalated
      ? `建立安全生产月会商制度，各行业、村（居）现场进行隐患报告，${v.party}现场进行交办，截至目前共妥善处置安全隐患${s.hazards.closed}件${s.hazards.inProgress ? `，正在办理${s.hazards.inProgress}件${openItems.length ? `（${[...new Set(openItems.map(openItemWords))].slice(0, 5).join('；')}${s.hazards.inProgress > 5 ? '等' : ''}）` : ''}` : ''}${s.hazards.escalated ? `，${v.party}无法处置上报县级行业部门${s.hazards.escalated}件` : ''}`
      : '';
  // Enforcement: every clause only when its figure is not zero (no "开展监管执法0次").
  const enf: string[] = [];
  if (fv('staff.certHolders')) enf.push(`${we}现持有执法证${fv('staff.certHolders')}人`);
  const simpleBySector = s.fieldwork.bySector.filter((x) => x.penalties > 0).map((x) => `${x.label}${x.penalties}件`);
  if (fv('enforcement.simple'))
    enf.push(`${v.area}安全生产实施简易程序当场处罚${fv('enforcement.simple')}件${simpleBySector.length ? `，其中${simpleBySector.join('；')}` : ''}`);
  if (fv('enforcement.general')) enf.push(`一般程序处罚${fv('enforcement.general')}件`);
  if (fv('enforcement.amount')) enf.push(`罚款金额共计${fv('enforcement.amount')}元`);
  if (fv('enforcement.hazards')) enf.push(`通过执法排查各行业各领域安全隐患${fv('enforcement.hazards')}条，整改到位${fv('enforcement.rectified')}条`);
  if (fv('countyLetters.closed')) enf.push(`销号县交办函${fv('countyLetters.closed')}件`);
  if (fv('enforcement.records')) enf.push(`开展监管执法${fv('enforcement.records')}次，对发现的隐患逐一进行指导并督促整改`);
  if (fv('fire.inspections')) enf.push(`消防检查${fv('fire.inspections')}次${fv('fire.issues') ? `，交办整改问题${fv('fire.issues')}个` : ''}`);
  const months = monthsIn(s.from, s.to);
  const traffic: string[] = [];
  if (fv('traffic.drunkDriving')) traffic.push(`查获酒驾${fv('traffic.drunkDriving')}起`);
  if (fv('traffic.violations'))
    traffic.push(`处理其他交通违法行为${months > 1 ? `平均每月${Math.round(fv('traffic.violations') / months)}起` : `${fv('traffic.violations')}起`}`);
  if (fv('traffic.unlicensed')) traffic.push(`查处无牌无证车辆${fv('traffic.unlicensed')}台`);
  if (fv('traffic.majorHazards')) traffic.push(`处理交通重大隐患${fv('traffic.majorHazards')}处`);
  if (fv('traffic.generalHazards')) traffic.push(`排查整治道路交通一般隐患${fv('traffic.generalHazards')}起`);
  if (fv('traffic.violationsCorrected')) traffic.push(`整治违章行为${fv('traffic.violationsCorrected')}人次`);
  if (fv('traffic.persuaders')) traffic.push(`村（居）两站两员${fv('traffic.persuaders')}人交通劝导效果明显`);
  const inc = incidentWords(s);
  // Publicity.
  const pub: string[] = [];
  if (fv('publicity.largeEvents')) pub.push(`组织大型宣传活动${fv('publicity.largeEvents')}次`);
  if (fv('publicity.leaflets')) pub.push(`印发知识宣传单页${bigCount(fv('publicity.leaflets'))}份`);
  if (fv('publicity.brochures')) pub.push(`发放宣传手册、明白纸等材料${bigCount(fv('publicity.brochures'))}份`);
  if (fv('publicity.bags')) pub.push(`发放宣传手提袋${bigCount(fv('publicity.bags'))}个`);
  if (fv('publicity.banners')) pub.push(`悬挂横幅${fv('publicity.banners')}幅`);
  if (fv('publicity.slogans')) pub.push(`张贴标语${bigCount(fv('publicity.slogans'))}张`);
  if (fv('publicity.boards'))
    pub.push(`设置宣传牌${fv('publicity.boards')}块${fv('publicity.boardsFood') ? `（其中食品安全宣传牌${fv('publicity.boardsFood')}块）` : ''}`);
  if (fv('publicity.vehicleTrips')) pub.push(`出动${fv('publicity.vehicleTrips')}车次进企入村`);
  if (fv('publicity.people')) pub.push(`共出动人员${fv('publicity.people')}人次`);
  if (fv('publicity.ledPlays')) pub.push(`利用显示屏滚动播放${bigCount(fv('publicity.ledPlays'))}条`);
  if (fv('publicity.adPushes'))
    pub.push(`向企业管理人员现场推送公益广告${fv('publicity.adPushes')}次${fv('publicity.adItems') ? `${fv('publicity.adItems')}条` : ''}`);
  if (fv('publicity.videos')) pub.push(`剪辑制作宣传视频${fv('publicity.videos')}部并循环播放`);
  const reach: string[] = [];
  if (fv('publicity.reachEnterprises')) reach.push(`${fv('publicity.reachEnterprises')}家企业`);
  if (fv('publicity.reachGasStations')) reach.push(`${fv('publicity.reachGasStations')}家加油站`);
  if (fv('publicity.reachSchools')) reach.push(`${fv('publicity.reachSchools')}所学校`);
  if (fv('publicity.reachVillages')) reach.push(`${fv('publicity.reachVillages')}个村（社区）`);
  const reachText = reach.length
    ? `组织人员深入${reach.join('、')}，向工人、群众宣传安全生产及消防安全知识${fv('publicity.brochuresPowerGas') ? `；对${fv('publicity.powerGasVillages') ? `${fv('publicity.powerGasVillages')}个村` : '各村'}发放安全用电、用气明白纸${bigCount(fv('publicity.brochuresPowerGas'))}份` : ''}`
    : '';
  const wx = s.publicity.messages
    ? `通过“乡安”小程序发布宣传信息${s.publicity.messages}期，推送微信${bigCount(s.publicity.deliveries)}条，群众阅读${bigCount(s.publicity.reads)}人次${s.publicity.acks ? `，确认知晓${bigCount(s.publicity.acks)}人次` : ''}`
    : '';
  const school: string[] = [];
  if (fv('schoolTalks'))
    school.push(`“送安全进校园”累计讲座${fv('schoolTalks')}次${fv('schoolTalks.food') ? `（其中深入校园进行食品安全宣传${fv('schoolTalks.food')}次）` : ''}`);
  if (fv('drills.records')) school.push(`共同演练${fv('drills.records')}次`);
  if (fv('pledges.drowning')) school.push(`签订防溺水承诺书${bigCount(fv('pledges.drowning'))}份`);
  if (fv('pledges.holiday')) school.push(`签订安全承诺书${bigCount(fv('pledges.holiday'))}份`);
  const schoolText = school.length
    ? `通过安全生产知识、防溺水知识和消防演练等进校园活动，${school.join('，')}${s.org.population ? `，打牢打实全民${s.org.population >= 10000 ? `${Number((s.org.population / 10000).toFixed(2))}万` : s.org.population}人基层安全生产参与意识` : ''}`
    : '';
  const tr: string[] = [];
  for (const [k, label] of [
    ['training.safety', '安全生产教育培训会议'],
    ['training.fire', '消防安全教育培训会议'],
    ['training.specialEquipment', '特种设备安全教育培训'],
    ['training.foodCoordinator', '村级食品安全协管员培训会议'],
    ['training.foodExpert', '食药品安全专业培训会议'],
  ] as const)
    if (fv(k)) tr.push(`${label}${fv(k)}次`);
  const drills = s.fieldwork.drills
    .slice(0, 10)
    .map(
      (d) =>
        `${Number(d.date.slice(5, 7))}月${Number(d.date.slice(8, 10))}日${d.orgName ?? ''}组织${d.title ?? d.label}${d.tags.length ? `（包含${d.tags.join('、')}）` : ''}，参演、观摩人数${d.participants}人`,
    );
  const drillText = fv('drills.records')
    ? `${v.span}组织应急演练${fv('drills.records')}次，参演、观摩人数${fv('drills.participants')}人${drills.length ? `：${drills.join('；')}` : ''}`
    : '';
  const plans = fv('plans.filed')
    ? `积极推动企业应急预案备案工作，累计完成${fv('plans.filed')}家企业的应急预案备案工作${fv('plans.count') > fv('plans.filed') ? `，备案预案${fv('plans.count')}份` : ''}`
    : '';
  return { fv, v, letters, inspections, sectors, monthly, enf, traffic, inc, pub, reachText, wx, schoolText, tr, drillText, plans };
}
