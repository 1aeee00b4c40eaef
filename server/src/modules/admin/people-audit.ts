import { Injectable } from '@nestjs/common';
import type { Role } from '@xiangan/shared';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { AuditService } from '../audit/audit.service';
import type { User } from '../users/user.entity';

export interface PersonBefore {
  role: Role;
  orgId: number | null;
  orgPath: string | null;
  disabled?: boolean;
}

/**
 * Every change to a person (role, unit, disabled, a handover) goes to the audit log with who, when and
 * old → new, in the transaction of the change.
 */
@Injectable()
export class PeopleAudit {
  constructor(private readonly audit: AuditService) {}

  async changed(m: EntityManager, actor: AuthUser, after: User, before: PersonBefore, extra: Record<string, unknown> = {}): Promise<void> {
    const at = { actor, targetType: 'user', targetId: after.id } as const;
    const orgPath = after.orgPath ?? before.orgPath ?? '/';
    if (after.role !== before.role)
      await this.audit.record({ ...at, action: 'user.role_change', orgPath, detail: { from: before.role, to: after.role, ...extra } }, m);
    if (after.orgId !== before.orgId) {
      await this.audit.record(
        { ...at, action: 'user.org_change', orgPath, detail: { from: before.orgId, fromPath: before.orgPath, to: after.orgId, ...extra } },
        m,
      );
    }
    if (before.disabled !== undefined && after.disabled !== before.disabled) {
      await this.audit.record(
        { ...at, action: after.disabled ? 'user.disable' : 'user.enable', orgPath, detail: { from: before.disabled, to: after.disabled, ...extra } },
        m,
      );
    }
    if ('handoverTo' in extra) await this.audit.record({ ...at, action: 'user.handover', orgPath, detail: extra }, m);
  }
}
