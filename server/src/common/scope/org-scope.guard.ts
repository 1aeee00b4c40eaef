import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ScopeService } from './scope.service';
import type { AuthUser } from '../auth/auth-user';
import { fieldError } from '../http/field-labels';
import type { OrgUnit } from '../../modules/orgs/org-unit.entity';

/** Where the guard leaves the units it checked on the request: `'query.orgId'` → the units, in the request's order. */
const SCOPED = Symbol('xiangan:scoped-orgs');
type Scoped = Map<string, OrgUnit[]>;

export const ORG_SCOPE = 'xiangan:org-scope';
export interface OrgScopeSpec {
  /** Where the unit id is: `query.orgId`, `body.responsibleOrgId`, `params.id`… */
  in: 'query' | 'body' | 'params';
  field: string;
}

/**
 * Declares that a route names a unit the caller must have in scope; the guard checks it
 * before the handler runs (403 outside, 404 unknown). Several specs may be given. The handler receives the
 * checked unit with `@ScopedOrg()` and hands it on: nothing loads or checks that unit again.
 */
export const OrgScope = (...specs: OrgScopeSpec[]) => SetMetadata(ORG_SCOPE, specs);

function scopedOf(ctx: ExecutionContext, key?: string): OrgUnit[] | undefined {
  const found: Scoped | undefined = ctx.switchToHttp().getRequest()[SCOPED];
  if (!found) return undefined;
  return key ? found.get(key) : found.values().next().value;
}

/**
 * The unit `@OrgScope` checked for this request (id, path, name, type…), or undefined when the request named
 * none. `@ScopedOrg('body.orgId')` picks one spec when a route declares several (default: the first).
 */
export const ScopedOrg = createParamDecorator((key: string | undefined, ctx: ExecutionContext): OrgUnit | undefined => scopedOf(ctx, key)?.[0]);

/** Every unit `@OrgScope` checked for one spec (a list of ids), in the request's order; [] when none was named. */
export const ScopedOrgs = createParamDecorator((key: string | undefined, ctx: ExecutionContext): OrgUnit[] => scopedOf(ctx, key) ?? []);

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
      const units = await this.scope.requireOrgs(user, ids);
      const scoped: Scoped = (req[SCOPED] ??= new Map());
      scoped.set(
        `${s.in}.${s.field}`,
        ids.map((id) => units.find((u) => u.id === id)!),
      );
    }
    return true;
  }
}
