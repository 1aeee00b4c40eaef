/** Setting up a county: the unit tree from a spreadsheet, officer invitations, people. */
import type { OrgType, Role } from './org';

export const ADMIN_LIMITS = {
  /** One unit-tree spreadsheet (.xlsx), as uploaded. */
  unitImportMaxBytes: 2 * 1024 * 1024,
  /** Rows of one unit-tree spreadsheet (a county has a few thousand units at most). */
  unitImportMaxRows: 5000,
  /** Uses one invitation may allow. */
  invitationMaxUses: 500,
  /** Longest validity of an invitation, in hours (30 days). */
  invitationMaxHours: 24 * 30,
  /** The first-admin invitation printed by `admin:invite`: one use, this many hours. */
  adminInvitationHours: 24,
} as const;

/** How far up a role reaches: an invitation or a change never grants more than the actor's own rank. */
export const ROLE_RANK: Record<Role, number> = {
  resident: 0,
  grid_officer: 1,
  village_officer: 2,
  town_officer: 3,
  department_officer: 3,
  county_officer: 4,
  admin: 5,
};

/** The unit types an officer of each role belongs to (admins may have no unit). */
export const ROLE_UNIT_TYPES: Record<Role, OrgType[]> = {
  resident: ['village', 'community', 'grid', 'school', 'enterprise', 'town'],
  grid_officer: ['grid'],
  village_officer: ['village', 'community', 'school', 'enterprise'],
  town_officer: ['town'],
  department_officer: ['department'],
  county_officer: ['county'],
  admin: ['county', 'town', 'village', 'community', 'grid', 'school', 'enterprise', 'department'],
};

/** Roles that create invitations and manage people (a town officer within their town). */
export const INVITING_ROLES: Role[] = ['admin', 'town_officer'];

/** Header names accepted for each column of the unit spreadsheet (first is what the template writes). */
export const UNIT_IMPORT_COLUMNS = {
  type: ['类型', '层级', 'type', 'level'],
  name: ['名称', '单位名称', 'name'],
  parent: ['上级', '上级单位', '上级路径', '上级代码', 'parent'],
  code: ['区划代码', '统计用区划代码', '代码', 'code'],
  population: ['人口', '人数', 'population'],
} as const;
export type UnitImportColumn = keyof typeof UNIT_IMPORT_COLUMNS;

export interface UnitImportError {
  /** Row number as Excel shows it (the header is row 1). */
  row: number;
  /** Column header as in the template (类型, 名称, 上级, 区划代码, 人口); empty for the whole file. */
  column: string;
  message: string;
}

export interface UnitImportChange {
  row: number;
  type: OrgType;
  name: string;
  /** Names from the root, e.g. `青山县/石桥镇/河口村`. */
  path: string;
  /** Moved: the parent path before; renamed: the name before. */
  from?: string;
  to?: string;
}

export interface UnitImportResult {
  applied: boolean;
  rows: number;
  created: UnitImportChange[];
  moved: UnitImportChange[];
  renamed: UnitImportChange[];
  /** Code or population changed. */
  updated: UnitImportChange[];
  unchanged: number;
  errors: UnitImportError[];
  ms: number;
}

export interface InvitationDto {
  id: number;
  code: string;
  role: Role;
  roleLabel: string;
  orgId: number | null;
  orgName: string | null;
  maxUses: number;
  usedCount: number;
  expiresAt: string;
  revokedAt: string | null;
  /** active | used_up | expired | revoked */
  status: InvitationStatus;
  note: string | null;
  createdById: number | null;
  createdByName: string | null;
  createdAt: string;
  /** Link for an ordinary QR / the h5 page. */
  link: string;
  /** Mini-program page with the code, for a share card. */
  pagePath: string;
  uses?: InvitationUseDto[];
}

export const INVITATION_STATUSES = ['active', 'used_up', 'expired', 'revoked'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
export const INVITATION_STATUS_LABELS: Record<InvitationStatus, string> = {
  active: '可使用',
  used_up: '已用完',
  expired: '已过期',
  revoked: '已撤销',
};

export interface InvitationUseDto {
  userId: number;
  name: string | null;
  usedAt: string;
}

export interface CreateInvitationRequest {
  role: Role;
  orgId?: number;
  /** 1 = single use (default). */
  maxUses?: number;
  /** Hours until it expires (default 72). */
  hours?: number;
  note?: string;
}

/** What the invite page shows before the invitee accepts (no personal data). */
export interface InvitationPreviewDto {
  role: Role;
  roleLabel: string;
  orgName: string | null;
  status: InvitationStatus;
  expiresAt: string;
}

export interface PersonDto {
  id: number;
  name: string | null;
  /** Always masked. */
  phone: string | null;
  role: Role;
  roleLabel: string;
  orgId: number | null;
  orgName: string | null;
  disabled: boolean;
  /** Open hazards this person is responsible for, and open campaigns they run. */
  openHazards: number;
  openCampaigns: number;
  createdAt: string;
}

export interface UpdatePersonRequest {
  role?: Role;
  orgId?: number;
  disabled?: boolean;
}

export interface HandoverRequest {
  toUserId: number;
  /** Disable the leaver's account in the same step (default true). */
  disable?: boolean;
}

export interface HandoverResult {
  hazards: number;
  campaigns: number;
  disabled: boolean;
}
