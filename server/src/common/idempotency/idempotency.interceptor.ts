import {
  applyDecorators,
  CallHandler,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  ServiceUnavailableException,
  SetMetadata,
  UnprocessableEntityException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { LIMITS } from '@xiangan/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, switchMap, catchError, throwError } from 'rxjs';
import { QueryFailedError, Repository } from 'typeorm';
import { IdempotencyRecord } from './idempotency-record.entity';
import { isMysql } from '../db/dialect';
import { fieldErrors } from '../http/field-labels';

export const IDEMPOTENT = 'xiangan:idempotent';
export interface IdempotentOptions {
  /**
   * The record the route creates stores the key itself, in a column unique per user (pledge signatures:
   * `(signerUserId, clientKey)`), and the handler answers a retry with that record (setting
   * `Idempotent-Replayed: true`). A guard then only checks the key's format and no reservation row is
   * kept: two fewer writes per request on a hot path. Only for handlers whose every success is that one insert.
   */
  storedByHandler?: boolean;
}
/**
 * The route accepts `Idempotency-Key`: a retry with the same key gets the first answer and creates nothing.
 * A `storedByHandler` route gets a guard instead of the interceptor: all that is left to do there is the key's format
 * check, and an interceptor would cost the request Nest's rxjs chain and two `AsyncResource.bind`s (≈ 7 % of a
 * submit's server CPU, paired).
 */
export const Idempotent = (opts: IdempotentOptions = {}) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, { ...opts }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: '8–64 characters of A–Z a–z 0–9 _ . : -, one per user action: a retry with the same key gets the first answer and creates nothing',
    }),
    opts.storedByHandler ? UseGuards(IdempotencyKeyGuard) : UseInterceptors(IdempotencyInterceptor),
  );
/**
 * The request's `Idempotency-Key` header for a handler that stores it in its own record (already format-checked by
 * `@Idempotent`). Not `@Headers('idempotency-key')`: that one documents the header as required.
 */
export const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const header = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  return Array.isArray(header) ? header.join(', ') : header;
});
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,64}$/;
/** How long a retry waits for the first attempt's answer before answering 503 (the phone retries later). */
const WAIT_MS = 5_000;
/**
 * A reservation still without an answer after this long was abandoned: its process was killed, or the database
 * went away before the answer (or the release) could be written. A retry takes it over and runs again — safe,
 * because records a phone creates also carry the key in their own unique column (hazards, signatures).
 */
const LEASE_S = 20;

/**
 * The route a key was used on, as Express named it before (`/api/hazards`, `/api/pledges/:id/signatures`): the
 * records already stored keep matching a retry after the move to Fastify.
 */
function idempotencyRoute(req: FastifyRequest): string {
  return req.routeOptions?.url ?? req.url.split('?')[0];
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return (
    err instanceof QueryFailedError &&
    (code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(String((err as Error).message)))
  );
}

type KeyedRequest = FastifyRequest & { user?: { id: number } };

/** The request's key when it has one and a signed-in user (else the route runs as without a key); a bad key throws 400. */
function checkedKey(req: KeyedRequest): string | undefined {
  const header = req.headers['idempotency-key'];
  const key = Array.isArray(header) ? header.join(', ') : header;
  if (!key || !req.user) return undefined;
  if (!KEY_PATTERN.test(key) || key.length > LIMITS.idempotencyKeyMax) {
    throw fieldErrors([{ field: 'Idempotency-Key', message: '请求编号格式不对，请刷新后重试' }]);
  }
  return key;
}

/**
 * `@Idempotent({ storedByHandler: true })`: the handler stores the key in its own record, so only the format is
 * checked. Guards run after the global ones (the user is known) and before the body pipes, as the interceptor did.
 */
@Injectable()
export class IdempotencyKeyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    checkedKey(ctx.switchToHttp().getRequest<KeyedRequest>());
    return true;
  }
}

/**
 * The first request with a key reserves a row (unique on user + key), runs, and stores its answer.
 * A concurrent duplicate — the same phone retrying, or the same key reaching another server process —
 * waits for that answer and replays it. A failed first attempt frees the key so the retry can run.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @InjectRepository(IdempotencyRecord) private readonly records: Repository<IdempotencyRecord>,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const opts = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT, ctx.getHandler());
    if (!opts) return next.handle();
    const req = ctx.switchToHttp().getRequest<KeyedRequest>();
    const res = ctx.switchToHttp().getResponse<FastifyReply>();
    const key = checkedKey(req);
    if (!key || !req.user || opts.storedByHandler) return next.handle();
    const route = `${req.method} ${idempotencyRoute(req)}`.slice(0, 120);
    const userId = req.user.id;

    return from(this.reserve(userId, key, route, res)).pipe(
      switchMap((existing) => {
        if (existing) {
          res.status(existing.statusCode!);
          res.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
          return of(existing.body ? JSON.parse(existing.body) : undefined);
        }
        return next.handle().pipe(
          switchMap((body) =>
            from(this.records.update({ userId, key }, { statusCode: res.statusCode || 201, body: body === undefined ? null : JSON.stringify(body) })).pipe(
              switchMap(() => of(body)),
            ),
          ),
          catchError((err) => from(this.records.delete({ userId, key }).catch(() => undefined)).pipe(switchMap(() => throwError(() => err)))),
        );
      }),
    );
  }

  /** null: this request owns the key and should run. A record: replay it. */
  private async reserve(userId: number, key: string, route: string, res?: FastifyReply): Promise<IdempotencyRecord | null> {
    try {
      await this.records.insert({ userId, key, route, statusCode: null, body: null });
      return null;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const rec = await this.records.findOne({ where: { userId, key } });
      if (!rec) return this.reserve(userId, key, route, res); // the first attempt failed and freed the key
      if (rec.route !== route) throw new UnprocessableEntityException('Idempotency-Key 已用于另一个操作');
      if (rec.statusCode !== null) return rec;
      if (await this.releaseIfAbandoned(rec.id)) return this.reserve(userId, key, route, res);
      if (Date.now() > deadline) {
        // still running elsewhere: transient, so the phone retries (it does not retry a 409)
        res?.header('Retry-After', '2');
        throw new ServiceUnavailableException('相同的请求正在处理中，请稍后再试');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Deletes the reservation when it is older than the lease (by the database's own clock); true when this call did. */
  private async releaseIfAbandoned(id: number): Promise<boolean> {
    const older = isMysql(this.records.manager) ? `NOW() - INTERVAL ${LEASE_S} SECOND` : `datetime('now', '-${LEASE_S} seconds')`;
    const r = await this.records.createQueryBuilder().delete().where(`id = :id AND statusCode IS NULL AND createdAt < ${older}`, { id }).execute();
    return (r.affected ?? 0) > 0;
  }
}
