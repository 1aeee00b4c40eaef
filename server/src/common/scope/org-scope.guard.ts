import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ScopeService } from './scope.service';
import type { AuthUser } from '../auth/auth-user';
import { fieldError } from '../http/field-labels';

export const ORG_SCOPE = 'xiangan:org-scope';
export interface OrgScopeSpec {
  /** Where the unit id is: `query.orgId`, `body.responsibleOrgId`, `params.id`… */
  in: 'query' | 'body' | 'params';
  field: string;
}

/**
 * Declares that a route names a unit the caller must have in scope; the guard checks it
 * before the handler runs (403 outside, 404 unknown). Several specs may be given.
 */
export const OrgScope = (...specs: OrgScopeSpec[]) => SetMetadata(ORG_SCOPE, specs);

@Injectable()
export class OrgScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly scope: ScopeService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const specs = this.reflector.getAllAndOverride<OrgScopeSpec[] | undefined>(ORG_SCOPE, [ctx.getHandler(), ctx.getClass()]);
    if (!specs?.length) return true;
    const req = ctx.switchToHttp().getRequest();
    const user: AuthUser | undefined = req.user;
    if (!user) return true; // the auth guard has already answered 401 on non-public routes
    for (const s of specs) {
      const raw = req[s.in]?.[s.field];
      if (raw === undefined || raw === null || raw === '') continue;
      const values = Array.isArray(raw) ? raw : [raw];
      const ids = values.map(Number);
      if (ids.some((n) => !Number.isInteger(n) || n <= 0)) throw fieldError(s.field, '须为单位编号（正整数）');
      await this.scope.requireOrgs(user, ids);
    }
    return true;
  }
}
