/** Organisation units, roles and accounts. */

export const ORG_TYPES = ['county', 'town', 'village', 'community', 'grid', 'school', 'enterprise', 'department'] as const;
export type OrgType = (typeof ORG_TYPES)[number];

export const ORG_TYPE_LABELS: Record<OrgType, string> = {
  county: '县',
  town: '乡镇',
  village: '村',
  community: '社区',
  grid: '网格',
  school: '学校',
  enterprise: '企业',
  department: '部门',
};

/** Which unit types may hang directly below which. */
export const ORG_CHILD_TYPES: Record<OrgType, OrgType[]> = {
  county: ['town', 'department'],
  town: ['village', 'community', 'school', 'enterprise', 'department'],
  village: ['grid', 'school', 'enterprise'],
  community: ['grid', 'school', 'enterprise'],
  grid: [],
  school: [],
  enterprise: [],
  department: [],
};

export const ROLES = ['resident', 'grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  resident: '村民/家长',
  grid_officer: '网格员',
  village_officer: '村安全负责人',
  town_officer: '镇安监办',
  department_officer: '行业部门',
  county_officer: '县应急管理局',
  admin: '系统管理员',
};

export const OFFICER_ROLES: Role[] = ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer', 'admin'];

export function isOfficer(role: Role): boolean {
  return role !== 'resident';
}

/** Roles that may change records (the county reads, and answers escalations only). */
export const MANAGING_ROLES: Role[] = ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'];

export interface OrgUnitDto {
  id: number;
  parentId: number | null;
  type: OrgType;
  name: string;
  /** Materialised path of ids, e.g. `/1/2/7/`: the subtree of X is every unit whose path starts with X's. */
  path: string;
  code: string | null;
  /** Optional population / roster size used for rates (e.g. 5.38万 residents). */
  population: number | null;
  lat: number | null;
  lng: number | null;
  /** Whether a boundary (GeoJSON, GCJ-02) is set; the geometry itself from GET /orgs/:id/boundary. */
  hasBoundary?: boolean;
  /** Towns: days past a deadline after which overdue reminders also go to the unit above (null = default). */
  overdueClimbDays?: number | null;
  children?: OrgUnitDto[];
}

/** PUT /orgs/:id/boundary — a GeoJSON Polygon/MultiPolygon (or a Feature holding one), positions [lng, lat] GCJ-02 (DELETE clears it). */
export interface SetBoundaryRequest {
  boundary: unknown;
}

/** PUT /orgs/:id/hazard-settings (towns). */
export interface HazardSettingsRequest {
  overdueClimbDays: number;
}

/** GET /orgs/locate?lat&lng — the unit with a boundary holding the point (deepest first), and its village. */
export interface LocateDto {
  unit: { id: number; name: string; type: OrgType } | null;
  village: { id: number; name: string } | null;
}

export interface CreateOrgUnitRequest {
  parentId: number;
  type: OrgType;
  name: string;
  code?: string;
  population?: number;
  lat?: number;
  lng?: number;
}

export type UpdateOrgUnitRequest = Partial<Omit<CreateOrgUnitRequest, 'parentId' | 'type'>>;

export interface UserDto {
  id: number;
  name: string | null;
  /** Masked unless the caller manages this user or is the user. */
  phone: string | null;
  role: Role;
  orgId: number | null;
  orgName: string | null;
  createdAt: string;
}

export interface CreateUserRequest {
  name: string;
  phone?: string;
  role: Role;
  orgId: number;
  openid?: string;
}

export interface UpdateUserRequest {
  name?: string;
  phone?: string;
  role?: Role;
  orgId?: number;
  disabled?: boolean;
}
