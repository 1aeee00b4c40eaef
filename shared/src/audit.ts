/** Audit log of access to personal data and of account changes (个人信息保护法; 等保 2.0 二级 安全审计). */
import type { Role } from './org';

export const AUDIT_ACTIONS = [
  'export.roster',
  'export.signatures_pdf',
  'export.signatures_xlsx',
  'export.unsigned_with_phones',
  'export.hazard_ledger',
  'user.create',
  'user.role_change',
  'user.org_change',
  'user.disable',
  'user.enable',
  'signature.void',
  'user.handover',
  'unit.import',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'export.roster': '下载名单',
  'export.signatures_pdf': '导出已签承诺书 PDF',
  'export.signatures_xlsx': '导出签名汇总表',
  'export.unsigned_with_phones': '导出未签名单（含完整电话）',
  'export.hazard_ledger': '导出隐患台账',
  'user.create': '新建账号',
  'user.role_change': '修改用户角色',
  'user.org_change': '修改用户所属单位',
  'user.disable': '停用账号',
  'user.enable': '启用账号',
  'signature.void': '作废签名',
  'user.handover': '干部离任移交工作',
  'unit.import': '导入单位表',
};

/** One audit entry as admins read it. Entries are only ever appended. */
export interface AuditLogDto {
  id: number;
  /** ISO time (UTC); shown in Beijing time. */
  at: string;
  actorId: number | null;
  actorName: string | null;
  actorRole: Role | null;
  action: AuditAction;
  actionLabel: string;
  /** The unit the accessed data belongs to. */
  orgId: number | null;
  orgName: string | null;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditLogQuery {
  page?: number;
  pageSize?: number;
  action?: AuditAction;
  actorId?: number;
  /** Data of this unit and its subtree. */
  orgId?: number;
  /** ISO times, inclusive from, exclusive to. */
  from?: string;
  to?: string;
}
