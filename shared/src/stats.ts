/** Statistics and the year-end report. */
import type { IsoDate } from './common';
import type { FieldType } from './fieldwork';
import type { RegisterStats } from './registers';

export interface StatsQuery {
  orgId?: number;
  /** `YYYY-MM-DD` inclusive; default 1 January of this year. */
  from?: IsoDate;
  /** `YYYY-MM-DD` inclusive; default today. */
  to?: IsoDate;
}

export interface HazardFigures {
  found: number;
  /** 整改到位: rectified or closed. */
  rectified: number;
  closed: number;
  /** rectified / found, 0–1 (null when none found). */
  rectificationRate: number | null;
  major: number;
  overdue: number;
  escalated: number;
  rejected: number;
  inProgress: number;
  avgDaysToClose: number | null;
}

export interface HazardStats extends HazardFigures {
  byCategory: ({ category: string; label: string } & Pick<HazardFigures, 'found' | 'rectified' | 'closed' | 'major' | 'inProgress'>)[];
  /** Found through field work (inspections/enforcement linked to the ledger). */
  fromFieldWork: number;
}

export interface PledgeKindStats {
  kind: string;
  label: string;
  campaigns: number;
  signed: number;
  roster: number;
  /** signed roster entries / roster, null when no roster. */
  rate: number | null;
  /** Distinct units (enterprises, villages) that signed responsibility letters. */
  units: number;
}

export interface PledgeStats {
  signed: number;
  byKind: PledgeKindStats[];
}

export interface PublicityStats {
  /** Messages published in the period. */
  messages: number;
  /** Deliveries (one per addressee) — 推送微信 N 条. */
  deliveries: number;
  /** WeChat subscribe-message pushes sent. */
  pushes: number;
  reads: number;
  acks: number;
  readRate: number | null;
  ackRate: number | null;
  byCategory: { category: string; label: string; messages: number; deliveries: number; reads: number }[];
}

export interface FieldKindStats {
  type: FieldType;
  kind: string;
  label: string;
  records: number;
  metrics: Record<string, number>;
  /** The same per sector (行业领域 / topic) where records name one: 食品安全 inspectors, 食品安全 宣传牌… */
  bySector?: Record<string, { records: number; metrics: Record<string, number> }>;
}

export interface FieldSectorStats {
  sector: string;
  label: string;
  inspections: number;
  enforcements: number;
  /** Sum of `units` metrics of inspections (检查单位 家次). */
  units: number;
  issues: number;
  issuesRectified: number;
  /** Simple-procedure penalties (简易程序当场处罚). */
  penalties: number;
  /** Ledger hazards in this category in the period (排查整治隐患). */
  hazards: number;
  hazardsRectified: number;
}

export interface FieldStats {
  records: number;
  byKind: FieldKindStats[];
  bySector: FieldSectorStats[];
  /** Distinct campaign names in inspections and enforcement, with their record count. */
  campaigns: { name: string; records: number; firstDate: IsoDate; lastDate: IsoDate }[];
  drills: { id: number; date: IsoDate; kind: string; label: string; title: string | null; participants: number; tags: string[]; orgName: string | null }[];
}

/** One figure in the reports' own words: 出动检查人员 812 人次. */
export interface ReportFigure {
  key: string;
  label: string;
  value: number;
  unit: string;
  section: string;
}

export interface ChildStats {
  orgId: number;
  orgName: string;
  type: string;
  hazardsFound: number;
  hazardsRectified: number;
  inspections: number;
  fieldRecords: number;
  signatures: number;
}

/**
 * Units counted once each: a unit that signed a responsibility letter on paper (a field record naming it) and also
 * e-signed (a pledge signature with its name) is one unit; enterprises that filed plans, and the plans.
 */
export interface DistinctUnitStats {
  lettersProduction: number;
  lettersFireFood: number;
  lettersFoodCoordinator: number;
  lettersConstruction: number;
  /** 应急预案备案 X家: distinct enterprises named on plan_filing records (a record naming none counts as one). */
  planEnterprises: number;
  /** 备案预案 Y份: SUM of `plans` (one per enterprise named where not entered). */
  plans: number;
  /** 宣传深入XX家企业、X家加油站、学校及XX个村: distinct units named on offline publicity records, by type. */
  reachEnterprises: number;
  reachGasStations: number;
  reachSchools: number;
  reachVillages: number;
  /** 对XX个村发放安全用电、用气明白纸: villages named on publicity records of topic gas / rural power. */
  powerGasVillages: number;
}

export interface StatsSummaryDto {
  org: { id: number; name: string; type: string; population: number | null };
  distinct?: DistinctUnitStats;
  /** Risk sites on the register, patrols and incidents (registers module). */
  registers?: RegisterStats;
  from: IsoDate;
  to: IsoDate;
  hazards: HazardStats;
  pledges: PledgeStats;
  publicity: PublicityStats;
  fieldwork: FieldStats;
  figures: ReportFigure[];
  children: ChildStats[];
}

export interface DashboardDto {
  org: { id: number; name: string; type: string };
  month: string;
  year: number;
  thisMonth: { found: number; closed: number; inProgress: number; overdue: number; fieldRecords: number; signatures: number };
  thisYear: { found: number; closed: number; rectificationRate: number | null; fieldRecords: number; signatures: number; drills: number };
  /** Jan … current month of this year. */
  trend: { month: string; found: number; closed: number }[];
  byCategory: { category: string; label: string; found: number; closed: number }[];
  byChild: { orgId: number; orgName: string; found: number; closed: number }[];
  pledges: { kind: string; label: string; signed: number; roster: number; rate: number | null }[];
  figures: ReportFigure[];
}

export interface MonthlyBriefQuery {
  orgId?: number;
  /** `YYYY-MM` */
  month?: string;
}
