/** Hazards (隐患): categories, levels, states and the one state machine both sides read. */
import type { Role } from './org';
import type { Paginated, PageQuery } from './common';

export const HAZARD_CATEGORIES = [
  { code: 'road_traffic', label: '道路交通', icon: '🚗' },
  { code: 'construction', label: '建筑施工', icon: '🏗️' },
  { code: 'industry_trade', label: '工贸企业', icon: '🏭' },
  { code: 'hazardous_chemicals', label: '危险化学品', icon: '☣️' },
  { code: 'fireworks', label: '烟花爆竹', icon: '🎆' },
  { code: 'fire', label: '消防安全', icon: '🔥' },
  { code: 'gas', label: '燃气安全', icon: '🛢️' },
  { code: 'rural_power', label: '农村用电', icon: '⚡' },
  { code: 'food_drug', label: '食品药品', icon: '🍱' },
  { code: 'forest_fire', label: '森林防火', icon: '🌲' },
  { code: 'geological', label: '地质灾害', icon: '⛰️' },
  { code: 'flood_reservoir', label: '防汛及水库', icon: '🌊' },
  { code: 'drowning', label: '溺水隐患', icon: '🏊' },
  { code: 'crowded_places', label: '人员密集场所', icon: '👥' },
  { code: 'campus', label: '校园及周边', icon: '🏫' },
  { code: 'special_equipment', label: '特种设备', icon: '⚙️' },
  { code: 'confined_space', label: '有限空间', icon: '🕳️' },
  { code: 'non_coal_mine', label: '非煤矿山', icon: '⛏️' },
  { code: 'other', label: '其他', icon: '📌' },
] as const;

export type HazardCategory = (typeof HAZARD_CATEGORIES)[number]['code'];
export const HAZARD_CATEGORY_CODES = HAZARD_CATEGORIES.map((c) => c.code) as HazardCategory[];
export const HAZARD_CATEGORY_LABELS = Object.fromEntries(HAZARD_CATEGORIES.map((c) => [c.code, c.label])) as Record<HazardCategory, string>;

export const HAZARD_LEVELS = ['general', 'major'] as const;
export type HazardLevel = (typeof HAZARD_LEVELS)[number];
export const HAZARD_LEVEL_LABELS: Record<HazardLevel, string> = { general: '一般隐患', major: '重大事故隐患' };

export const HAZARD_STATUSES = ['reported', 'assigned', 'rectifying', 'rectified', 'closed', 'rejected', 'escalated'] as const;
export type HazardStatus = (typeof HAZARD_STATUSES)[number];
export const HAZARD_STATUS_LABELS: Record<HazardStatus, string> = {
  reported: '已上报',
  assigned: '已交办',
  rectifying: '整改中',
  rectified: '已整改待验收',
  closed: '已销号',
  rejected: '不予受理',
  escalated: '已上报县级',
};
/** States in which a hazard still needs work (正在办理). */
export const HAZARD_OPEN_STATUSES: HazardStatus[] = ['reported', 'assigned', 'rectifying', 'rectified', 'escalated'];

export const HAZARD_ACTIONS = ['assign', 'start', 'rectify', 'verify', 'reject', 'escalate', 'answer', 'reopen', 'comment'] as const;
export type HazardAction = (typeof HAZARD_ACTIONS)[number];
export const HAZARD_ACTION_LABELS: Record<HazardAction | 'report' | 'remind' | 'duplicate' | 'confirm', string> = {
  report: '上报隐患',
  assign: '交办',
  start: '开始整改',
  rectify: '整改完成',
  verify: '验收',
  reject: '不予受理',
  escalate: '上报县级',
  answer: '县级答复',
  reopen: '重新打开',
  comment: '留言',
  remind: '催办提醒',
  duplicate: '疑似重复',
  confirm: '群众确认修好',
};

/**
 * The state machine: for each action, the states it may start from and the state it leads to.
 * `verify` leads to `closed` when passed and back to `rectifying` when failed; `answer` (the county's
 * reply to an escalation) leads to `closed`, or the county uses `assign` to hand the hazard to a unit.
 */
export const HAZARD_TRANSITIONS: Record<Exclude<HazardAction, 'comment'>, { from: HazardStatus[]; to: HazardStatus[] }> = {
  assign: { from: ['reported', 'assigned', 'escalated'], to: ['assigned'] },
  start: { from: ['assigned'], to: ['rectifying'] },
  rectify: { from: ['assigned', 'rectifying'], to: ['rectified'] },
  verify: { from: ['rectified'], to: ['closed', 'rectifying'] },
  reject: { from: ['reported'], to: ['rejected'] },
  escalate: { from: ['reported', 'assigned'], to: ['escalated'] },
  answer: { from: ['escalated'], to: ['closed'] },
  reopen: { from: ['closed', 'rejected'], to: ['reported'] },
};

/** Who may take each action (scope is checked as well: the hazard must lie in the caller's subtree). */
export const HAZARD_ACTION_ROLES: Record<HazardAction, Role[]> = {
  assign: ['grid_officer', 'village_officer', 'town_officer', 'county_officer', 'admin'],
  start: ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'],
  rectify: ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'],
  verify: ['grid_officer', 'village_officer', 'town_officer', 'admin'],
  reject: ['grid_officer', 'village_officer', 'town_officer', 'admin'],
  escalate: ['village_officer', 'town_officer', 'admin'],
  answer: ['county_officer', 'admin'],
  // The reporter may reopen their own closed hazard ("is this really fixed?").
  reopen: ['resident', 'grid_officer', 'village_officer', 'town_officer', 'admin'],
  comment: ['resident', 'grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer', 'admin'],
};

/** County departments a town escalates to (上报县级); the county's own name is implied. */
export const COUNTY_DEPARTMENTS = [
  '县应急管理局',
  '县住房和城乡建设局',
  '县交通运输局',
  '县水利局',
  '县自然资源局',
  '县市场监督管理局',
  '县教育局',
  '县农业农村局',
  '县林业局',
  '县公安局交通管理大队',
  '县消防救援大队',
] as const;

export function canTransition(action: HazardAction, from: HazardStatus): boolean {
  if (action === 'comment') return true;
  return HAZARD_TRANSITIONS[action].from.includes(from);
}

/** Actions offered for a hazard in `status` to a user of `role` (the UI's buttons). */
export function availableActions(status: HazardStatus, role: Role): HazardAction[] {
  return HAZARD_ACTIONS.filter((a) => HAZARD_ACTION_ROLES[a].includes(role) && canTransition(a, status));
}

/** A deadline passed and the hazard is not yet rectified / closed. */
export function isOverdue(status: HazardStatus, deadline: string | Date | null | undefined, now: Date = new Date()): boolean {
  if (!deadline) return false;
  if (!['assigned', 'rectifying'].includes(status)) return false;
  return new Date(deadline).getTime() < now.getTime();
}

export function formatHazardCode(year: number, seq: number): string {
  return `YH-${year}-${String(seq).padStart(6, '0')}`;
}

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface CreateHazardRequest {
  category: HazardCategory;
  description: string;
  photoIds?: number[];
  lat?: number;
  lng?: number;
  address?: string;
  /** The village (or any unit) the hazard lies in; defaults to the reporter's unit. */
  orgId?: number;
  anonymous?: boolean;
  contactPhone?: string;
  level?: HazardLevel;
}

export interface HazardListQuery extends PageQuery {
  status?: HazardStatus | string;
  category?: HazardCategory;
  orgId?: number;
  level?: HazardLevel;
  overdue?: boolean;
  q?: string;
  from?: string;
  to?: string;
  /** `mine`: reports the caller filed. */
  mine?: boolean;
}

export interface AssignHazardRequest {
  responsibleOrgId: number;
  responsibleUserId?: number;
  deadline: string;
  level?: HazardLevel;
  note?: string;
}

export interface RectifyHazardRequest {
  note: string;
  photoIds?: number[];
}

export interface VerifyHazardRequest {
  passed: boolean;
  note?: string;
  photoIds?: number[];
}

export interface RejectHazardRequest {
  reason: string;
  duplicateOfId?: number;
}

export interface EscalateHazardRequest {
  department: string;
  note: string;
}

export interface AnswerHazardRequest {
  note: string;
}

export interface NoteRequest {
  note: string;
  photoIds?: number[];
}

export interface MediaRef {
  id: number;
  url: string;
  thumbUrl: string;
  /** For officers only, while WeChat has not passed the image: 审核中 (pending/review) or 违规 (risky). */
  check?: Exclude<MediaSecurityStatus, 'pass'>;
}

export interface HazardEventDto {
  id: number;
  action: HazardAction | 'report' | 'remind' | 'duplicate' | 'confirm';
  fromStatus: HazardStatus | null;
  toStatus: HazardStatus | null;
  actorName: string | null;
  actorRole: Role | null;
  note: string | null;
  photos: MediaRef[];
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface HazardSummaryDto {
  id: number;
  code: string;
  category: HazardCategory;
  level: HazardLevel;
  status: HazardStatus;
  description: string;
  address: string | null;
  orgId: number;
  orgName: string | null;
  responsibleOrgId: number | null;
  responsibleOrgName: string | null;
  deadline: string | null;
  overdue: boolean;
  thumbUrl: string | null;
  /** Masked phone; full only on the detail for officers in scope. */
  contactPhone: string | null;
  reportedAt: string;
  closedAt: string | null;
}

export interface HazardDetailDto extends HazardSummaryDto {
  lat: number | null;
  lng: number | null;
  photos: MediaRef[];
  /** Null for anonymous reports and for everyone but officers in scope and the reporter. */
  reporterName: string | null;
  anonymous: boolean;
  isMine: boolean;
  rectifiedAt: string | null;
  escalatedTo: string | null;
  duplicateOfId: number | null;
  /** Open reports nearby of the same category, offered to officers as probable duplicates. */
  probableDuplicates: Pick<HazardSummaryDto, 'id' | 'code' | 'status' | 'description' | 'reportedAt'>[];
  actions: HazardAction[];
  timeline: HazardEventDto[];
  /** The reporter is asked 修好了吗？ (after 销号, until they answer or the reopen window ends). */
  askReporter: boolean;
}

/** The reporter's answer to 修好了吗？: fixed, or not fixed with what is still wrong (reopens the hazard). */
export interface ConfirmFixedRequest {
  fixed: boolean;
  note?: string;
  photoIds?: number[];
}

/** The map: points with a position, and how many open hazards in scope have none (listed, newest first). */
export interface HazardMapDto {
  points: HazardMapPoint[];
  truncated: boolean;
  unlocated: { total: number; items: { id: number; code: string; description: string; orgName: string | null; status: HazardStatus }[] };
}
/** Most unlocated hazards the map lists. */
export const HAZARD_MAP_UNLOCATED_MAX = 50;

export interface HazardLedgerDto extends Paginated<HazardSummaryDto> {
  counts: Partial<Record<HazardStatus | 'overdue', number>>;
}

export interface HazardMapPoint {
  id: number;
  code: string;
  lat: number;
  lng: number;
  status: HazardStatus;
  level: HazardLevel;
  category: HazardCategory;
  overdue: boolean;
}

export interface MonthlyReportDto {
  orgId: number;
  orgName: string;
  month: string;
  /** 本月上报: reported during the month. */
  reported: number;
  /** 本月妥善处置: closed (销号) during the month. */
  closed: number;
  /** 正在办理: of those reported by the month's end, the ones the town is still working on now (not escalated). */
  inProgress: number;
  /** 本月上报县级: escalated during the month (the ledger chip 上报县级 is "waiting on the county now"). */
  escalated: number;
  /** 本月到期未整改: deadlines in the month that passed unrectified (the ledger chip 逾期 is "overdue now"). */
  overdue: number;
  rejected: number;
  byCategory: { category: HazardCategory; label: string; reported: number; closed: number; inProgress: number }[];
  byUnit: { orgId: number; orgName: string; reported: number; closed: number; inProgress: number }[];
  /** Open items with what is being done (latest note). */
  openItems: { code: string; category: string; status: HazardStatus; latestNote: string | null; deadline: string | null; description?: string | null }[];
}

/** How long after 销号 the reporter may still say "没修好" and reopen the hazard. */
export const HAZARD_REOPEN_DAYS = 30;
/** Probable duplicates: same category, open, within this distance and this many days. */
export const HAZARD_DUPLICATE_RADIUS_M = 200;
export const HAZARD_DUPLICATE_DAYS = 7;
/** Reminders to the responsible officer this long before the deadline (and once after it). */
export const HAZARD_REMIND_BEFORE_HOURS = 24;
/** Most rows one export.xlsx / one map answer carries. */
export const HAZARD_EXPORT_MAX_ROWS = 50_000;
export const HAZARD_MAP_MAX_POINTS = 2_000;

export interface HazardCreatedDto {
  id: number;
  code: string;
  status: HazardStatus;
}

/** Media upload purposes: who may later read the bytes depends on it. */
export const MEDIA_PURPOSES = ['hazard', 'message', 'avatar'] as const;
export type MediaPurpose = (typeof MEDIA_PURPOSES)[number];
/** WeChat image check: `pending` until the verdict arrives; `review` = WeChat asks for a human look (no officer decision path yet). */
export type MediaSecurityStatus = 'pending' | 'pass' | 'review' | 'risky';

/** An officer's own decision on an image WeChat could not settle (人工复核), or one it passed that should not be shown. */
export interface MediaReviewRequest {
  verdict: 'pass' | 'risky';
}

export interface MediaUploadedDto extends MediaRef {
  width: number;
  height: number;
  size: number;
}

/** In-app notifications (generic: hazard reminders today; other features may add kinds). */
export interface NotificationDto {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  /** Mini-program page to open, e.g. `/officer/hazard/index?id=12`. */
  link: string | null;
  read: boolean;
  createdAt: string;
}

export interface NotificationListDto extends Paginated<NotificationDto> {
  unread: number;
}
