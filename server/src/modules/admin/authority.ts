import { ForbiddenException } from '@nestjs/common';
import { ORG_TYPE_LABELS, Role, ROLE_LABELS, ROLE_RANK, ROLE_UNIT_TYPES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import type { ScopeService } from '../../common/scope/scope.service';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { fieldError } from '../../common/http/field-labels';

/**
 * What an actor may hand to someone (by invitation or by changing a person): never a role above their own,
 * never a unit outside their subtree, and only a unit of the kind the role belongs to.
 */
export function assertCanGrant(actor: AuthUser, role: Role, org: OrgUnit | null, scope: ScopeService): void {
  if (actor.role !== 'admin' && (role === 'admin' || ROLE_RANK[role] > ROLE_RANK[actor.role])) {
    throw new ForbiddenException(`不能授予高于您自己（${ROLE_LABELS[actor.role]}）的角色「${ROLE_LABELS[role]}」`);
  }
  if (!org) {
    if (role === 'admin') return;
    throw fieldError('orgId', `不能为空：${ROLE_LABELS[role]}需要所属单位`, '所属单位');
  }
  if (!ROLE_UNIT_TYPES[role].includes(org.type)) {
    const kinds = ROLE_UNIT_TYPES[role].map((t) => ORG_TYPE_LABELS[t]).join('、');
    throw fieldError('orgId', `：「${org.name}」是${ORG_TYPE_LABELS[org.type]}，${ROLE_LABELS[role]}只能属于${kinds}`, '所属单位');
  }
  if (!scope.covers(actor, org.path)) throw new ForbiddenException(`单位「${org.name}」不在您的管辖范围内`);
}

/** A person the actor may change: in their subtree and not above their own rank. */
export function assertCanManage(actor: AuthUser, target: { id: number; role: Role; orgPath: string | null }, scope: ScopeService): void {
  if (actor.role === 'admin') return;
  if (!scope.covers(actor, target.orgPath)) throw new ForbiddenException(`用户 ${target.id} 不在您的管辖范围内`);
  if (ROLE_RANK[target.role] > ROLE_RANK[actor.role] || target.role === 'admin') {
    throw new ForbiddenException(`不能修改角色高于您自己的用户（${ROLE_LABELS[target.role]}）`);
  }
}
