import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import type { Role } from '@xiangan/shared';
import { Repository } from 'typeorm';
import { User } from '../../modules/users/user.entity';
import { IS_PUBLIC, ROLES } from './decorators';
import type { AuthUser } from './auth-user';

/**
 * Global guard: a valid bearer token for every route not marked @Public, then the route's @Roles.
 * The user row is re-read so a disabled account or a changed role takes effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest();
    const header: string | undefined = req.headers?.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);

    if (token) {
      const user = await this.resolve(token);
      if (user) req.user = user;
      else if (!isPublic) throw new UnauthorizedException('登录已过期，请重新登录');
    }
    if (isPublic) return true;
    if (!req.user) throw new UnauthorizedException('请先登录');

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes((req.user as AuthUser).role)) {
      throw new ForbiddenException('当前身份无权进行此操作');
    }
    return true;
  }

  private async resolve(token: string): Promise<AuthUser | null> {
    let sub: number;
    try {
      sub = Number((await this.jwt.verifyAsync<{ sub: number }>(token)).sub);
    } catch {
      return null;
    }
    const u = await this.users.findOne({ where: { id: sub } });
    if (!u || u.disabled) return null;
    return { id: u.id, role: u.role, orgId: u.orgId, orgPath: u.orgPath, openid: u.openid, name: u.name };
  }
}
