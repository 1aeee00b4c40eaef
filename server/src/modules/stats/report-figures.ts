import { PUBLICITY_KINDS } from '@xiangan/shared';
import type { FieldKindStats, ReportFigure, StatsSummaryDto } from '@xiangan/shared';

/** Reads the sums out of a summary: metric of a kind, records of a kind, over one type. */
export class FigureReader {
  constructor(private readonly s: StatsSummaryDto) {}
  private kinds(type: string, kinds?: string[]): FieldKindStats[] {
    return this.s.fieldwork.byKind.filter((k) => k.type === type && (!kinds || kinds.includes(k.kind)));
  }
  records(type: string, kinds?: string[]): number {
    return this.kinds(type, kinds).reduce((a, k) => a + k.records, 0);
  }
  metric(type: string, metric: string, kinds?: string[]): number {
    return Math.round(this.kinds(type, kinds).reduce((a, k) => a + (k.metrics[metric] ?? 0), 0) * 100) / 100;
  }
  pledge(kind: string): { signed: number; roster: number; rate: number | null } {
    const k = this.s.pledges.byKind.find((x) => x.kind === kind);
    return { signed: k?.signed ?? 0, roster: k?.roster ?? 0, rate: k?.rate ?? null };
  }
  /** A metric of the given kinds summed over records of one sector (topic). */
  sectorMetric(type: string, metric: string, sectors: string[], kinds?: string[]): number {
    return Math.round(this.kinds(type, kinds).reduce((a, k) => a + sectors.reduce((b, sc) => b + (k.bySector?.[sc]?.metrics[metric] ?? 0), 0), 0) * 100) / 100;
  }
  sectorRecordCount(type: string, sectors: string[], kinds?: string[]): number {
    return this.kinds(type, kinds).reduce((a, k) => a + sectors.reduce((b, sc) => b + (k.bySector?.[sc]?.records ?? 0), 0), 0);
  }
  sector(code: string) {
    return this.s.fieldwork.bySector.find((x) => x.sector === code);
  }
  sectorRecords(type: string, code: string, kinds?: string[]): number {
    return this.s.fieldwork.byKind.length ? this.kindsBySector(type, code, kinds) : 0;
  }
  private kindsBySector(type: string, code: string, kinds?: string[]): number {
    const s = this.sector(code);
    if (!s) return 0;
    if (type === 'enforcement' && kinds?.length === 1 && kinds[0] === 'simple') return s.penalties;
    return type === 'inspection' ? s.inspections : s.enforcements;
  }
}

/**
 * Every figure the reference reports quote, in their words, computed from a summary.
 * docs/REPORT_FIGURES.md lists where each comes from.
 */
export function buildFigures(s: StatsSummaryDto): ReportFigure[] {
  const r = new FigureReader(s);
  const out: ReportFigure[] = [];
  const f = (section: string, key: string, label: string, value: number, unit: string) => out.push({ section, key, label, value, unit });

  const A = '压实责任';
  // Distinct units: the same unit on paper and e-signed counts once (distinct-units.ts).
  const d = s.distinct;
  f(A, 'letters.production', '与生产经营单位签订安全生产责任书', d?.lettersProduction ?? 0, '家');
  f(A, 'letters.fireFood', '与村（社区）签订食品安全和消防安全责任书', d?.lettersFireFood ?? 0, '个');
  f(A, 'letters.foodCoordinator', '与食品安全协管员签订责任书', d?.lettersFoodCoordinator ?? 0, '人');
  f(A, 'letters.construction', '与施工单位签订安全责任书', d?.lettersConstruction ?? 0, '家');
  f(A, 'staff.safetyManagers', '派驻企业安全管理员', r.metric('activity', 'safetyManagers', ['staff']), '人');
  f(A, 'meetings.monthly', '召开安全生产和消防工作例会', r.records('activity', ['meeting_monthly']), '次');

  const B = '隐患排查整治';
  f(B, 'inspections.records', '开展安全检查', r.records('inspection'), '次');
  f(B, 'inspections.inspectors', '出动检查人员', r.metric('inspection', 'inspectors'), '人次');
  f(B, 'inspections.vehicles', '出动检查车辆', r.metric('inspection', 'vehicles'), '车次');
  f(B, 'inspections.units', '检查生产经营单位', r.metric('inspection', 'units'), '家次');
  f(B, 'hazards.found', '排查隐患', s.hazards.found, '项');
  f(B, 'hazards.rectified', '整改到位', s.hazards.rectified, '项');
  f(B, 'hazards.closed', '销号', s.hazards.closed, '项');
  f(B, 'hazards.major', '重大事故隐患', s.hazards.major, '项');
  f(B, 'hazards.inProgress', '正在办理', s.hazards.inProgress, '件');
  f(B, 'hazards.escalated', '上报县级行业部门', s.hazards.escalated, '件');
  f(B, 'hazards.overdue', '逾期未整改', s.hazards.overdue, '项');
  f(B, 'hazards.fromFieldWork', '检查中发现并录入台账的隐患', s.hazards.fromFieldWork, '项');
  f(B, 'fire.inspections', '消防检查', r.sector('fire')?.inspections ?? 0, '次');
  f(B, 'fire.issues', '消防检查交办整改问题', r.sector('fire')?.issues ?? 0, '个');
  f(B, 'campus.schoolBuses', '检查校车', r.metric('inspection', 'schoolBuses'), '车次');
  f(B, 'food.inspectors', '食品安全检查出动检查人员', r.sectorMetric('inspection', 'inspectors', ['food_drug']), '人次');
  f(B, 'food.stalls', '检查固定摊贩及坐商', r.metric('inspection', 'stalls'), '户次');
  f(B, 'food.registered', '登记备案流动摊点', r.metric('activity', 'stalls', ['food_registration']), '户');
  f(B, 'food.licenses', '督促办理营业执照', r.metric('activity', 'licenses', ['food_registration']), '户');
  f(B, 'food.healthCerts', '办理健康证', r.metric('activity', 'healthCerts', ['food_registration']), '人');
  f(B, 'food.stallCerts', '办理食品摊贩备案证明', r.metric('activity', 'stallCerts', ['food_registration']), '户');
  f(B, 'infoBoards', '督导设立消防安全生产信息公开栏的企业', r.metric('activity', 'units', ['info_board']), '家');

  const C = '强化监管严格执法';
  f(C, 'staff.certHolders', '持有执法证', r.metric('activity', 'certHolders', ['staff']), '人');
  f(C, 'enforcement.records', '开展监管执法', r.records('enforcement'), '次');
  f(C, 'enforcement.simple', '简易程序当场处罚', r.records('enforcement', ['simple']), '件');
  f(C, 'enforcement.general', '一般程序处罚', r.records('enforcement', ['general']), '件');
  f(C, 'enforcement.amount', '罚款金额', r.metric('enforcement', 'amount'), '元');
  f(C, 'enforcement.hazards', '通过执法排查安全隐患', r.metric('enforcement', 'hazards'), '条');
  f(C, 'enforcement.rectified', '执法排查隐患整改到位', r.metric('enforcement', 'rectified'), '条');
  f(C, 'countyLetters.closed', '销号县交办函', r.metric('activity', 'closed', ['county_letter']), '件');
  f(C, 'traffic.drunkDriving', '查获酒驾', r.metric('activity', 'drunkDriving', ['traffic']), '起');
  f(C, 'traffic.violations', '处理其他交通违法行为', r.metric('activity', 'violations', ['traffic']), '起');
  f(C, 'traffic.unlicensed', '查处无牌无证车辆', r.metric('activity', 'unlicensed', ['traffic']), '台');
  f(C, 'traffic.majorHazards', '处理交通重大隐患', r.metric('activity', 'majorHazards', ['traffic']), '处');
  f(C, 'traffic.persuaders', '村（居）两站两员', r.metric('activity', 'persuaders', ['traffic']), '人');
  f(C, 'traffic.generalHazards', '道路交通排查整治一般隐患', r.metric('activity', 'generalHazards', ['traffic']), '起');
  f(C, 'traffic.violationsCorrected', '整治违章行为', r.metric('activity', 'violationsCorrected', ['traffic']), '人次');

  const D = '宣传教育';
  const pub = (m: string) => r.metric('activity', m, PUBLICITY_KINDS);
  f(D, 'publicity.events', '组织线下宣传活动', r.records('activity', PUBLICITY_KINDS), '次');
  f(D, 'publicity.largeEvents', '组织大型宣传活动', r.records('activity', ['publicity_large']), '次');
  f(D, 'publicity.boardsFood', '悬挂食品安全宣传牌', r.sectorMetric('activity', 'boards', ['food_drug'], PUBLICITY_KINDS), '块');
  f(D, 'publicity.brochuresPowerGas', '发放安全用电、用气明白纸', r.sectorMetric('activity', 'brochures', ['gas', 'rural_power'], PUBLICITY_KINDS), '份');
  f(D, 'publicity.powerGasVillages', '发放安全用电、用气明白纸的村', d?.powerGasVillages ?? 0, '个');
  f(D, 'publicity.reachEnterprises', '宣传深入企业', d?.reachEnterprises ?? 0, '家');
  f(D, 'publicity.reachGasStations', '宣传深入加油站', d?.reachGasStations ?? 0, '家');
  f(D, 'publicity.reachSchools', '宣传深入学校', d?.reachSchools ?? 0, '所');
  f(D, 'publicity.reachVillages', '宣传深入村（社区）', d?.reachVillages ?? 0, '个');
  f(D, 'publicity.reach', '受教育群众', pub('reach'), '人');
  f(D, 'publicity.leaflets', '印发知识宣传单页', pub('leaflets'), '份');
  f(D, 'publicity.brochures', '发放宣传手册、明白纸', pub('brochures'), '份');
  f(D, 'publicity.bags', '发放宣传手提袋', pub('bags'), '个');
  f(D, 'publicity.banners', '悬挂横幅', pub('banners'), '幅');
  f(D, 'publicity.slogans', '张贴标语', pub('slogans'), '张');
  f(D, 'publicity.boards', '设置宣传牌', pub('boards'), '块');
  f(D, 'publicity.ledPlays', '利用显示屏滚动播放', pub('ledPlays'), '条');
  f(D, 'publicity.adPushes', '现场推送公益广告', pub('adPushes'), '次');
  f(D, 'publicity.adItems', '推送公益广告', pub('adItems'), '条');
  f(D, 'publicity.videos', '制作宣传视频', pub('videos'), '部');
  f(D, 'publicity.people', '出动宣传人员', pub('people'), '人次');
  f(D, 'publicity.vehicleTrips', '出动车辆进企入村', pub('vehicleTrips'), '车次');
  f(D, 'schoolTalks', '“送安全进校园”讲座', r.records('activity', ['school_talk']), '次');
  f(D, 'schoolTalks.food', '深入校园进行食品安全宣传', r.sectorRecordCount('activity', ['food_drug'], ['school_talk']), '次');
  f(D, 'pledges.drowning', '签订防溺水承诺书', r.pledge('drowning').signed + r.metric('activity', 'count', ['pledge_offline_drowning']), '份');
  f(D, 'pledges.holiday', '签订安全承诺书', r.pledge('holiday_safety').signed + r.metric('activity', 'count', ['pledge_offline']), '份');
  f(D, 'wechat.messages', '发布宣传信息', s.publicity.messages, '期');
  f(D, 'wechat.deliveries', '推送微信', s.publicity.deliveries, '条');
  f(D, 'wechat.reads', '群众阅读', s.publicity.reads, '人次');
  f(D, 'wechat.acks', '已阅并知晓', s.publicity.acks, '人次');
  f(D, 'population', '辖区群众', s.org.population ?? 0, '人');
  f(D, 'training.safety', '安全生产教育培训会议', r.records('activity', ['training_safety']), '次');
  f(D, 'training.fire', '消防安全教育培训会议', r.records('activity', ['training_fire']), '次');
  f(D, 'training.specialEquipment', '特种设备安全教育培训', r.records('activity', ['training_special_equipment']), '次');
  f(D, 'training.foodCoordinator', '村级食品安全协管员培训会议', r.records('activity', ['training_food_coordinator']), '次');
  f(D, 'training.foodExpert', '食药品安全专业培训会议', r.records('activity', ['training_food_expert']), '次');

  const E = '应急演练';
  f(E, 'drills.records', '组织应急演练', r.records('drill'), '次');
  f(E, 'drills.participants', '参演、观摩人数', r.metric('drill', 'participants'), '人');
  f(E, 'plans.filed', '完成企业应急预案备案', d?.planEnterprises ?? 0, '家');
  f(E, 'plans.count', '备案应急预案', d?.plans ?? 0, '份');

  // Registers: risk sites on the register in the period, patrols at them, incidents (registers module).
  const G = '风险点与事故';
  const reg = s.registers;
  const site = (k: string) => reg?.sites.find((x) => x.kind === k);
  for (const [k, label, unit] of [
    ['fireworks_shop', '烟花爆竹经营点', '个'],
    ['lpg_shop', '液化气经营点', '个'],
    ['gas_station', '加油站', '家'],
    ['geological', '地质灾害点', '个'],
    ['flash_flood', '山洪灾害隐患点', '处'],
    ['pond', '山塘', '处'],
    ['river', '河道', '处'],
    ['dangerous_water', '危险水域', '处'],
    ['crowded_place', '人员密集场所', '处'],
  ] as const)
    f(G, `sites.${k}`, label, site(k)?.count ?? 0, unit);
  f(G, 'sites.reservoirs', '水库', site('reservoir')?.count ?? 0, '个');
  f(G, 'sites.reservoirsSmall2Up', '小2型以上水库', reg?.reservoirsSmall2Up ?? 0, '个');
  f(
    G,
    'sites.warningSigns',
    '风险点设立安全警示标志',
    (reg?.sites ?? []).reduce((a, x) => a + x.warningSigns, 0),
    '块',
  );
  f(G, 'sites.waterWarningSigns', '危险水域设立警示标志', reg?.waterWarningSigns ?? 0, '块');
  f(G, 'patrols.records', '风险点巡查', reg?.patrols ?? 0, '次');
  f(
    G,
    'patrols.waters',
    '危险水域巡查',
    (reg?.sites ?? []).filter((x) => ['reservoir', 'pond', 'river', 'dangerous_water'].includes(x.kind)).reduce((a, x) => a + x.patrols, 0),
    '次',
  );
  const inc = (k: string) => reg?.incidents.find((x) => x.kind === k)?.count ?? 0;
  f(G, 'incidents.production', '安全生产事故', inc('production_accident'), '起');
  f(G, 'incidents.fire', '火灾', inc('fire'), '起');
  f(G, 'incidents.forestFire', '森林火灾', inc('forest_fire'), '起');
  f(G, 'incidents.drowning', '溺水', inc('drowning'), '起');
  f(
    G,
    'incidents.deaths',
    '事故死亡',
    (reg?.incidents ?? []).reduce((a, x) => a + x.deaths, 0),
    '人',
  );
  return out;
}

export function figureValue(figs: ReportFigure[], key: string): number {
  return figs.find((x) => x.key === key)?.value ?? 0;
}
