import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@xiangan/shared';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'xiangan:public';
export const ROLES = 'xiangan:roles';

/** No token needed (health, login, the signed-in-via-QR landing data). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The roles allowed on a route. Every non-public route declares this (the authorisation matrix test
 * reads it back), so "who may call" is in one line next to the route.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest().user;
});
