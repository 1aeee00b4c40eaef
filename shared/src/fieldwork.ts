/** Field work (检查、执法、演练、培训、线下宣传). Request/response types live below the enums. */
import type { HazardCategory } from './hazard';
import type { IsoDate, Paginated, PageQuery } from './common';

/**
 * Four record types share one table; each has kinds, and each kind declares the numeric metrics it
 * takes (with unit and whether required). The server validates every record against this table and
 * the statistics sum the metrics, so a new kind of work is one entry here, not a new table.
 */
export const FIELD_TYPES = ['inspection', 'enforcement', 'drill', 'activity'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  inspection: '安全检查',
  enforcement: '执法',
  drill: '应急演练',
  activity: '培训宣传及其他',
};
/** The URL segment of each type (`/api/inspections` …). */
export const FIELD_TYPE_PATHS: Record<FieldType, string> = {
  inspection: 'inspections',
  enforcement: 'enforcements',
  drill: 'drills',
  activity: 'activities',
};

export interface MetricRule {
  /** What the number counts, in the reports' words. */
  label: string;
  /** 人次, 车次, 家次, 份, 幅… */
  unit: string;
  required?: boolean;
  /** Upper bound (a typo guard); integers unless `decimal`. */
  max: number;
  decimal?: boolean;
}

export interface KindRule {
  label: string;
  /** Metrics this kind takes; anything else is refused with a 400 naming it. */
  metrics: Record<string, MetricRule>;
  /** The kind needs a sector (hazard category). */
  sectorRequired?: boolean;
  /** Short hint shown on the quick-entry form. */
  hint?: string;
  /** Big button group on the phone. */
  group?: string;
}

const M = (label: string, unit: string, max = 100000, extra: Partial<MetricRule> = {}): MetricRule => ({ label, unit, max, ...extra });

/** What offline publicity counts, the same for an ordinary and a large (安全生产月, 119…) activity. */
const publicityMetrics = () => ({
  leaflets: M('发放宣传单', '份', 200000),
  brochures: M('发放宣传手册、明白纸', '份', 200000),
  bags: M('发放宣传手提袋', '个', 50000),
  banners: M('悬挂横幅', '幅', 5000),
  slogans: M('张贴标语', '张', 20000),
  boards: M('设置宣传牌', '块', 1000),
  ledPlays: M('显示屏滚动播放', '条', 100000),
  adPushes: M('现场推送公益广告', '次', 1000),
  adItems: M('推送公益广告', '条', 100000),
  videos: M('制作宣传视频', '部', 100),
  people: M('出动人员', '人次', 5000),
  vehicleTrips: M('出动车辆进企入村', '车次', 1000),
  reach: M('受教育群众', '人', 1000000),
});
const R = (label: string, unit: string, max = 100000): MetricRule => ({ label, unit, max, required: true });

export const FIELD_KINDS: Record<FieldType, Record<string, KindRule>> = {
  inspection: {
    routine: {
      label: '日常检查',
      sectorRequired: true,
      metrics: {
        inspectors: R('出动检查人员', '人次', 500),
        vehicles: M('出动检查车辆', '车次', 100),
        units: M('检查生产经营单位', '家次', 1000),
        issues: M('发现问题', '个', 5000),
        issuesRectified: M('整改到位', '个', 5000),
        schoolBuses: M('检查校车', '车次', 500),
        stalls: M('检查摊贩坐商', '户次', 1000),
      },
    },
    special: {
      label: '专项检查',
      sectorRequired: true,
      hint: '填写专项行动名称',
      metrics: {
        inspectors: R('出动检查人员', '人次', 500),
        vehicles: M('出动检查车辆', '车次', 100),
        units: M('检查生产经营单位', '家次', 1000),
        issues: M('发现问题', '个', 5000),
        issuesRectified: M('整改到位', '个', 5000),
        schoolBuses: M('检查校车', '车次', 500),
        stalls: M('检查摊贩坐商', '户次', 1000),
      },
    },
    joint: {
      label: '联合检查',
      sectorRequired: true,
      hint: '联合市场监管所、派出所等',
      metrics: {
        inspectors: R('出动检查人员', '人次', 500),
        vehicles: M('出动检查车辆', '车次', 100),
        units: M('检查生产经营单位', '家次', 1000),
        issues: M('发现问题', '个', 5000),
        issuesRectified: M('整改到位', '个', 5000),
        stalls: M('检查摊贩坐商', '户次', 1000),
      },
    },
  },
  enforcement: {
    check: {
      label: '监管执法检查',
      sectorRequired: true,
      metrics: { hazards: M('执法排查隐患', '条', 500), rectified: M('整改到位', '条', 500) },
    },
    simple: {
      label: '简易程序当场处罚',
      sectorRequired: true,
      metrics: { amount: M('罚款金额', '元', 1000000, { decimal: true }), hazards: M('执法排查隐患', '条', 500), rectified: M('整改到位', '条', 500) },
    },
    general: {
      label: '一般程序处罚',
      sectorRequired: true,
      metrics: { amount: M('罚款金额', '元', 10000000, { decimal: true }), hazards: M('执法排查隐患', '条', 500), rectified: M('整改到位', '条', 500) },
    },
  },
  drill: {
    fire: { label: '消防演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    flood: { label: '防汛演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    forest_fire: { label: '森林防灭火演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    geological: { label: '地质灾害演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    hazardous_chemicals: { label: '危化品泄漏演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    drowning: { label: '防溺水演练', metrics: { participants: R('参演观摩人数', '人', 100000) } },
    joint: { label: '综合联合演练', hint: '可选多个演练科目', metrics: { participants: R('参演观摩人数', '人', 100000) } },
  },
  activity: {
    meeting_monthly: { label: '安全生产月度例会', group: '会议培训', metrics: { attendees: M('参会人数', '人', 5000) } },
    training_safety: { label: '安全生产教育培训会议', group: '会议培训', metrics: { attendees: M('参训人数', '人', 5000) } },
    training_fire: { label: '消防安全教育培训会议', group: '会议培训', metrics: { attendees: M('参训人数', '人', 5000) } },
    training_special_equipment: { label: '特种设备安全教育培训', group: '会议培训', metrics: { attendees: M('参训人数', '人', 5000) } },
    training_food_coordinator: { label: '村级食品安全协管员培训会议', group: '会议培训', metrics: { attendees: M('参训人数', '人', 5000) } },
    training_food_expert: { label: '食药品安全专业培训会议', group: '会议培训', metrics: { attendees: M('参训人数', '人', 5000) } },
    school_talk: { label: '送安全进校园讲座', group: '宣传', metrics: { attendees: M('听讲师生', '人', 10000) } },
    publicity_event: {
      label: '线下宣传活动',
      group: '宣传',
      hint: '填写本次发放、悬挂、张贴的数量',
      metrics: publicityMetrics(),
    },
    publicity_large: {
      label: '大型宣传活动',
      group: '宣传',
      hint: '“安全生产月”“119”“食品安全周”等集中宣传；填写本次发放、悬挂的数量',
      metrics: publicityMetrics(),
    },
    plan_filing: { label: '应急预案备案', group: '应急', hint: '选择备案的企业（每家企业填备案预案份数）', metrics: { plans: M('备案预案', '份', 1000) } },
    letter_production: { label: '签订安全生产责任书', group: '责任书', metrics: { units: R('签订单位', '家', 10000) } },
    letter_fire_food: { label: '签订食品安全和消防安全责任书', group: '责任书', metrics: { units: R('签订村（社区）', '个', 10000) } },
    letter_construction: { label: '与施工单位签订安全责任书', group: '责任书', metrics: { units: R('签订单位', '家', 10000) } },
    letter_food_coordinator: { label: '签订食药品协管员责任书', group: '责任书', metrics: { units: R('签订人数', '人', 10000) } },
    pledge_offline: { label: '纸质安全承诺书', group: '责任书', metrics: { count: R('签订安全承诺书', '份', 100000) } },
    pledge_offline_drowning: {
      label: '纸质防溺水承诺书',
      group: '责任书',
      hint: '学校收回的纸质承诺书份数',
      metrics: { count: R('签订防溺水承诺书', '份', 100000) },
    },
    county_letter: { label: '县交办函', group: '其他', metrics: { received: M('收到交办函', '件', 1000), closed: M('销号县交办函', '件', 1000) } },
    traffic: {
      label: '道路交通整治',
      group: '其他',
      metrics: {
        drunkDriving: M('查获酒驾', '起', 10000),
        violations: M('处理其他交通违法行为', '起', 100000),
        unlicensed: M('查处无牌无证车辆', '台', 10000),
        majorHazards: M('处理交通重大隐患', '处', 1000),
        persuaders: M('两站两员（现有人数）', '人', 10000),
        generalHazards: M('排查整治一般隐患', '起', 1000),
        violationsCorrected: M('整治违章行为', '人次', 100000),
      },
    },
    food_registration: {
      label: '食品摊贩登记办证',
      group: '其他',
      metrics: {
        stalls: M('登记备案流动摊点', '户', 1000),
        licenses: M('督促办理营业执照', '户', 1000),
        healthCerts: M('办理健康证', '人', 5000),
        stallCerts: M('食品摊贩备案证明', '户', 1000),
        banquets: M('登记农村宴席', '场', 5000),
      },
    },
    info_board: { label: '消防安全生产信息公开栏督导', group: '其他', metrics: { units: R('督导企业', '家', 1000) } },
    staff: {
      label: '执法队伍与安全管理员',
      group: '其他',
      hint: '填写当前人数（取期末最新一次）',
      metrics: { certHolders: M('持有执法证', '人', 1000), safetyManagers: M('派驻企业安全管理员', '人', 1000) },
    },
  },
};

/** Offline publicity kinds: their metrics add up together (大型宣传活动 is also a 线下宣传活动). */
export const PUBLICITY_KINDS = ['publicity_event', 'publicity_large'];

/** Kinds whose metrics are a head-count at a moment (the latest record counts), not a sum. */
export const SNAPSHOT_KINDS = ['staff'];

/**
 * Head-counts (两站两员, 安全管理员, 执法证): per unit, the latest value entered in or before the period's end —
 * never summed over months, never gone from a period that has no record. `type.kind` → metrics.
 */
export const SNAPSHOT_METRICS: Record<string, string[]> = {
  'activity.staff': ['certHolders', 'safetyManagers'],
  'activity.traffic': ['persuaders'],
};

export function isSnapshotMetric(type: string, kind: string, metric: string): boolean {
  return SNAPSHOT_METRICS[`${type}.${kind}`]?.includes(metric) ?? false;
}

/** Kinds whose `units` name the units that signed a responsibility letter (counted once per unit with e-signatures). */
export const LETTER_KINDS: Record<string, string> = {
  letter_production: 'production_responsibility',
  letter_fire_food: 'fire_food_responsibility',
  letter_food_coordinator: 'food_drug_coordinator',
  letter_construction: '',
};

export function kindLabel(type: FieldType, kind: string): string {
  return FIELD_KINDS[type]?.[kind]?.label ?? kind;
}

/** One refused field of a record: its path (`metrics.participants`) and the sentence a user reads. */
export interface FieldRecordProblem {
  field: string;
  message: string;
}

/**
 * Checks a record's kind, sector and metrics against the catalogue; returns the 400 problems, each naming the
 * field in the form's own words (`请填写参演观摩人数`), empty when valid. The quick-entry page says the same.
 */
export function validateFieldRecord(type: FieldType, kind: string, metrics: Record<string, unknown> | undefined, sector?: string | null): FieldRecordProblem[] {
  const rule = FIELD_KINDS[type]?.[kind];
  const kinds = Object.values(FIELD_KINDS[type] ?? {}).map((k) => k.label);
  if (!rule) return [{ field: 'kind', message: `类型不是可选的值（可选：${kinds.join('、')}）` }];
  const out: FieldRecordProblem[] = [];
  if (rule.sectorRequired && !sector) out.push({ field: 'sector', message: `${rule.label}须选择行业领域` });
  const m = metrics ?? {};
  if (typeof m !== 'object' || Array.isArray(m)) return [...out, { field: 'metrics', message: '数量格式不对' }];
  for (const key of Object.keys(m)) {
    if (!rule.metrics[key]) out.push({ field: `metrics.${key}`, message: `${rule.label}没有「${key}」这项数量` });
  }
  for (const [key, r] of Object.entries(rule.metrics)) {
    const v = m[key];
    const field = `metrics.${key}`;
    if (v === undefined || v === null) {
      if (r.required) out.push({ field, message: missingMetricMessage(r) });
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push({ field, message: `${r.label}须为数字` });
    else if (v < 0) out.push({ field, message: `${r.label}不能小于 0` });
    else if (!r.decimal && !Number.isInteger(v)) out.push({ field, message: `${r.label}须为整数` });
    else if (v > r.max) out.push({ field, message: `${r.label}不能大于 ${r.max} ${r.unit}` });
  }
  return out;
}

/** What the form and the server say when a required count is not filled in: 请填写参演观摩人数（人）. */
export function missingMetricMessage(r: MetricRule): string {
  return `请填写${r.label}（${r.unit}）`;
}

/** The required counts of a kind left empty (null / undefined) in `metrics`, as the sentence the form shows. */
export function missingMetrics(type: FieldType, kind: string, metrics: Record<string, unknown>): string | null {
  const missing = Object.entries(FIELD_KINDS[type]?.[kind]?.metrics ?? {})
    .filter(([key, r]) => r.required && metrics[key] == null)
    .map(([, r]) => r);
  return missing.length ? `请填写${missing.map((r) => `${r.label}（${r.unit}）`).join('、')}` : null;
}

export interface FieldUnitRef {
  /** A unit in the system (enterprise, school, village…). */
  orgId?: number;
  /** Or a free name for a shop, stall or site not in the system. */
  name?: string;
}

/** A finding on an inspection that becomes a ledger hazard. */
export interface FieldFinding {
  category: HazardCategory;
  description: string;
  level?: 'general' | 'major';
  orgId?: number;
}

export interface CreateFieldRecordRequest {
  /** `YYYY-MM-DD`, defaults to today. */
  date?: IsoDate;
  /** The unit that did the work; defaults to the caller's unit. */
  orgId?: number;
  kind: string;
  /** Hazard category code (行业领域). */
  sector?: HazardCategory;
  /** 专项行动 / campaign name, e.g. "重大事故隐患专项整治2023行动". */
  campaign?: string;
  title?: string;
  metrics?: Record<string, number>;
  units?: FieldUnitRef[];
  /** Ledger hazards this record found or dealt with. */
  hazardIds?: number[];
  /** Inspection findings to enter into the ledger as new hazards (needs the hazards module). */
  findings?: FieldFinding[];
  /** Enforcement: the party (当事人). */
  party?: string;
  /** Drill: the subjects of a joint drill (kinds). */
  tags?: string[];
  notes?: string;
}

export type UpdateFieldRecordRequest = Partial<Omit<CreateFieldRecordRequest, 'findings'>>;

export interface FieldRecordQuery extends PageQuery {
  orgId?: number;
  kind?: string;
  sector?: string;
  from?: IsoDate;
  to?: IsoDate;
}

export interface FieldRecordDto {
  id: number;
  type: FieldType;
  kind: string;
  kindLabel: string;
  date: IsoDate;
  orgId: number;
  orgName: string | null;
  sector: HazardCategory | null;
  sectorLabel: string | null;
  campaign: string | null;
  title: string | null;
  metrics: Record<string, number>;
  units: FieldUnitRef[];
  unitNames: string[];
  hazardIds: number[];
  party: string | null;
  tags: string[];
  notes: string | null;
  createdById: number;
  createdByName: string | null;
  createdAt: string;
  updatedAt: string;
  revisions: number;
}

export interface FieldRevisionDto {
  id: number;
  editedById: number;
  editedByName: string | null;
  editedAt: string;
  previous: Partial<FieldRecordDto>;
}

export type FieldRecordPage = Paginated<FieldRecordDto>;

export const FIELD_LIMITS = { unitsMax: 200, findingsMax: 50, notesMax: 2000, titleMax: 100, campaignMax: 100, partyMax: 100 } as const;
