import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import type { Role } from '@xiangan/shared';
import { EntitySubscriberInterface, RemoveEvent, Repository, UpdateEvent } from 'typeorm';
import { User } from '../../modules/users/user.entity';
import { IS_PUBLIC, ROLES } from './decorators';
import type { AuthUser } from './auth-user';
import type { SqlRow } from '../db/sql-row';

/**
 * How long a user row read for auth is reused by this process. A change made through this process (TypeORM
 * update/save/remove of a User) drops the cached rows at once; a change made by another replica or by hand in
 * the database takes effect within this bound. A burst of requests from one user costs one read per TTL.
 */
export const AUTH_USER_TTL_MS = 3_000;
/** Verified tokens remembered (token string → user id) so a burst does not redo the HMAC check each time. */
const TOKEN_CACHE_MAX = 20_000;
const USER_CACHE_MAX = 20_000;

/**
 * Global guard: a valid bearer token for every route not marked @Public, then the route's @Roles.
 * The user row is re-read at most every AUTH_USER_TTL_MS per process (and at once after a change made
 * through this process), so a disabled account or a changed role takes effect promptly.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens = new Map<string, { sub: number; expMs: number }>();
  private readonly rows = new Map<number, { user: AuthUser | null; at: number }>();
  /** User reads in flight, so concurrent misses for one user wait on the same read. */
  private readonly reading = new Map<number, Promise<AuthUser | null>>();
  /** Bumped on every invalidation: a read that raced a change is used once but not cached. */
  private generation = 0;

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {
    // any write to a user through this DataSource invalidates the cached row (all rows when the id is unknown,
    // e.g. a QueryBuilder update); registered on this app's DataSource only, so test apps never share a cache
    const rows = this.rows;
    const reading = this.reading;
    const bump = () => (this.generation += 1);
    const subscriber: EntitySubscriberInterface<User> = {
      listenTo: () => User,
      afterUpdate: (e: UpdateEvent<User>) => invalidate(e.entity?.id ?? e.databaseEntity?.id),
      afterRemove: (e: RemoveEvent<User>) => invalidate(e.entityId ?? e.entity?.id ?? e.databaseEntity?.id),
      afterSoftRemove: (e: RemoveEvent<User>) => invalidate(e.entityId ?? e.entity?.id ?? e.databaseEntity?.id),
    };
    function invalidate(id: unknown): void {
      bump();
      const n = Number(id);
      // a read in flight may predate the change: later requests start their own
      if (Number.isInteger(n) && n > 0) {
        rows.delete(n);
        reading.delete(n);
      } else {
        rows.clear();
        reading.clear();
      }
    }
    users.manager.connection.subscribers.push(subscriber);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest();
    const header: string | undefined = req.headers?.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);

    if (token) {
      const user = await this.resolve(token);
      if (user) {
        req.user = user;
        // the request log (pino-http) reads the raw request: it names the user on the completion line
        if (req.raw) req.raw.user = user;
      } else if (!isPublic) throw new UnauthorizedException('登录已过期，请重新登录');
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
    const sub = await this.verify(token);
    if (sub === null) return null;
    const now = Date.now();
    const hit = this.rows.get(sub);
    if (hit && now - hit.at < AUTH_USER_TTL_MS) return hit.user && { ...hit.user };
    // requests of one user that miss together (a page firing its calls at once) share one read
    let read = this.reading.get(sub);
    if (!read) {
      const mine: Promise<AuthUser | null> = this.read(sub, now).finally(() => {
        if (this.reading.get(sub) === mine) this.reading.delete(sub); // not a newer read started after a change
      });
      this.reading.set(sub, (read = mine));
    }
    const user = await read;
    return user && { ...user };
  }

  private async read(sub: number, now: number): Promise<AuthUser | null> {
    const gen = this.generation;
    // one plain statement for the columns a request needs (a TypeORM findOne built and hydrated a whole User: most
    // of an authenticated request's TypeORM time when the row is not cached, bench/RESULTS.md 2026-12-03 night)
    const rows: SqlRow[] = await this.users.query('SELECT id, role, orgId, orgPath, openid, name, disabled FROM app_user WHERE id = ?', [sub]);
    const u = rows[0];
    const user: AuthUser | null =
      !u || Number(u.disabled)
        ? null
        : {
            id: Number(u.id),
            role: u.role as Role,
            orgId: u.orgId == null ? null : Number(u.orgId),
            orgPath: (u.orgPath as string | null) ?? null,
            openid: (u.openid as string | null) ?? null,
            name: (u.name as string | null) ?? null,
          };
    if (this.rows.size >= USER_CACHE_MAX) this.rows.clear();
    if (gen === this.generation) this.rows.set(sub, { user, at: now });
    return user;
  }

  /** The token's user id, or null when it is not valid now. A token string once verified is remembered until it expires. */
  private async verify(token: string): Promise<number | null> {
    const now = Date.now();
    const hit = this.tokens.get(token);
    if (hit) {
      if (now < hit.expMs) return hit.sub;
      this.tokens.delete(token);
    }
    let payload: { sub: number; exp?: number };
    try {
      // the algorithm is pinned to HS256 in JwtModule's verifyOptions
      payload = await this.jwt.verifyAsync<{ sub: number; exp?: number }>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    // every token this server signs carries exp; one without it never expires and is refused
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return null;
    const sub = Number(payload.sub);
    if (!Number.isInteger(sub) || sub <= 0) return null;
    // remember it until it expires
    const expMs = payload.exp * 1000;
    if (this.tokens.size >= TOKEN_CACHE_MAX) this.tokens.clear();
    this.tokens.set(token, { sub, expMs });
    return sub;
  }
}
