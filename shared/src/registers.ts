/** Registers the reports count: risk sites (重点场所/风险点) with their patrols, and incidents (事故、火灾、溺水). */
import type { IsoDate, Paginated, PageQuery } from './common';

export const RISK_SITE_KINDS = [
  'fireworks_shop',
  'lpg_shop',
  'gas_station',
  'geological',
  'flash_flood',
  'reservoir',
  'pond',
  'river',
  'dangerous_water',
  'crowded_place',
  'forest',
  'construction_site',
  'other',
] as const;
export type RiskSiteKind = (typeof RISK_SITE_KINDS)[number];

/** Label and the measure word the reports use (12个烟花爆竹经营点, 5处山洪灾害隐患点, X家加油站). */
export const RISK_SITE_KIND_LABELS: Record<RiskSiteKind, { label: string; unit: string }> = {
  fireworks_shop: { label: '烟花爆竹经营点', unit: '个' },
  lpg_shop: { label: '液化气经营点', unit: '个' },
  gas_station: { label: '加油站', unit: '家' },
  geological: { label: '地质灾害点', unit: '个' },
  flash_flood: { label: '山洪灾害隐患点', unit: '处' },
  reservoir: { label: '水库', unit: '个' },
  pond: { label: '山塘', unit: '处' },
  river: { label: '河道', unit: '处' },
  dangerous_water: { label: '危险水域', unit: '处' },
  crowded_place: { label: '人员密集场所', unit: '处' },
  forest: { label: '林区', unit: '处' },
  construction_site: { label: '建筑施工工地', unit: '处' },
  other: { label: '其他风险点', unit: '处' },
};

/** Waters watched for drowning prevention (防溺水): ponds, rivers, reservoirs, other dangerous waters. */
export const WATER_SITE_KINDS: RiskSiteKind[] = ['reservoir', 'pond', 'river', 'dangerous_water'];

/** Reservoir size classes (水库规模), smallest first; 小2型以上 = small2 and up. */
export const RESERVOIR_SIZES = ['small2', 'small1', 'medium', 'large'] as const;
export type ReservoirSize = (typeof RESERVOIR_SIZES)[number];
export const RESERVOIR_SIZE_LABELS: Record<ReservoirSize, string> = { small2: '小（2）型', small1: '小（1）型', medium: '中型', large: '大型' };

export const INCIDENT_KINDS = [
  'production_accident',
  'fire',
  'forest_fire',
  'drowning',
  'traffic_accident',
  'geological_disaster',
  'food_poisoning',
  'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export const INCIDENT_KIND_LABELS: Record<IncidentKind, string> = {
  production_accident: '安全生产事故',
  fire: '火灾',
  forest_fire: '森林火灾',
  drowning: '溺水',
  traffic_accident: '道路交通事故',
  geological_disaster: '地质灾害',
  food_poisoning: '食物中毒',
  other: '其他事件',
};

export const REGISTER_LIMITS = { nameMax: 60, addressMax: 120, personMax: 30, notesMax: 1000, signsMax: 1000, descriptionMax: 2000, hazardIdsMax: 50 } as const;

export interface RiskSiteRequest {
  /** The unit the site lies in (village, town…); defaults to the caller's. */
  orgId?: number;
  kind: RiskSiteKind;
  name: string;
  address?: string;
  lat?: number;
  lng?: number;
  /** Reservoirs only. */
  sizeClass?: ReservoirSize;
  responsibleName?: string;
  responsiblePhone?: string;
  /** 警示标志 set up at the site. */
  warningSigns?: number;
  /** An enterprise in the system the site belongs to (加油站 → its unit). */
  enterpriseOrgId?: number;
  notes?: string;
}

export interface RiskSiteDto {
  id: number;
  orgId: number;
  orgName: string | null;
  kind: RiskSiteKind;
  kindLabel: string;
  name: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  sizeClass: ReservoirSize | null;
  sizeLabel: string | null;
  /** Masked in lists (张*), whole on the detail page for officers in scope. */
  responsibleName: string | null;
  responsiblePhone: string | null;
  warningSigns: number;
  enterpriseOrgId: number | null;
  notes: string | null;
  archived: boolean;
  lastPatrolDate: IsoDate | null;
  patrols: number;
  createdAt: string;
}

export interface RiskSiteQuery extends PageQuery {
  orgId?: number;
  kind?: RiskSiteKind;
  /** Include sites taken off the register. */
  archived?: boolean;
}

export interface SitePatrolRequest {
  date?: IsoDate;
  inspectors?: number;
  /** Warning signs seen in place (updates the site's count when given). */
  warningSigns?: number;
  /** Problems found; each becomes a ledger hazard at the site. */
  findings?: { category: string; description: string }[];
  /** Ledger hazards this patrol checked or dealt with. */
  hazardIds?: number[];
  notes?: string;
}

export interface SitePatrolDto {
  id: number;
  siteId: number;
  siteName: string;
  kind: RiskSiteKind;
  date: IsoDate;
  inspectors: number;
  warningSigns: number | null;
  hazardIds: number[];
  notes: string | null;
  createdByName: string | null;
  createdAt: string;
}

export interface IncidentRequest {
  orgId?: number;
  kind: IncidentKind;
  date: IsoDate;
  title: string;
  deaths?: number;
  injuries?: number;
  /** 直接经济损失（元）. */
  loss?: number;
  siteId?: number;
  description?: string;
}

export interface IncidentDto {
  id: number;
  orgId: number;
  orgName: string | null;
  kind: IncidentKind;
  kindLabel: string;
  date: IsoDate;
  title: string;
  deaths: number;
  injuries: number;
  loss: number;
  siteId: number | null;
  description: string | null;
  createdAt: string;
}

export interface IncidentQuery extends PageQuery {
  orgId?: number;
  kind?: IncidentKind;
  from?: IsoDate;
  to?: IsoDate;
}

/** What the summary says of the registers: sites on the register at the period's end, patrols and incidents in it. */
export interface RegisterStats {
  sites: { kind: RiskSiteKind; label: string; unit: string; count: number; warningSigns: number; patrols: number }[];
  /** Reservoirs of 小（2）型 and up. */
  reservoirsSmall2Up: number;
  /** Warning signs at all water sites (防溺水). */
  waterWarningSigns: number;
  patrols: number;
  incidents: { kind: IncidentKind; label: string; count: number; deaths: number; injuries: number }[];
}

export type RiskSitePage = Paginated<RiskSiteDto>;
export type SitePatrolPage = Paginated<SitePatrolDto>;
export type IncidentPage = Paginated<IncidentDto>;
