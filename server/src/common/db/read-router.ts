import {
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  NestInterceptor,
  OnApplicationBootstrap,
  OnModuleDestroy,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import IORedis from 'ioredis';
import { AsyncLocalStorage } from 'node:async_hooks';
import { catchError, finalize, from, Observable, switchMap } from 'rxjs';
import { DataSource, QueryRunner, ReplicationMode } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { buildDataSourceOptions } from '../../database/db-options';

/** One read replica (a MariaDB/MySQL slave, or a TencentDB read-only instance) and what its last check found. */
interface Replica {
  /** host:port only (never the password): what /api/health shows. */
  name: string;
  ds: DataSource;
  ok: boolean;
  lagSeconds: number | null;
  reason: string | null;
}

export interface ReplicaHealth {
  name: string;
  ok: boolean;
  lagSeconds: number | null;
  reason: string | null;
}

/** Which database the current request's reads go to: a replica, or null for the primary. */
const scope = new AsyncLocalStorage<{ replica: Replica | null }>();

/** Run `fn` against the primary even inside a replica read (e.g. the audit record an export writes). */
export function onPrimary<T>(fn: () => T): T {
  return scope.run({ replica: null }, fn);
}

/**
 * Sends chosen heavy reads (handlers marked `@ReplicaRead()`) to a read replica; everything else — writes,
 * transactions, auth, reads that decide writes — stays on the primary, because only inside such a handler
 * does the primary DataSource hand out a replica's query runner.
 *
 * A replica is used when its last check (every DATABASE_REPLICA_CHECK_SECONDS, `SHOW SLAVE STATUS`) found
 * both replication threads running and Seconds_Behind_Master ≤ DATABASE_REPLICA_MAX_LAG_SECONDS. A user who
 * wrote within the last DATABASE_REPLICA_STICKY_SECONDS (or within the replica's current lag) reads the
 * primary (read-your-writes). A replica that fails a read is marked down at once and the read is answered
 * by the primary. No replicas configured (or SQLite): nothing changes.
 *
 * With REDIS_URL the last write of each user is also kept in Redis (a key per user that expires with the
 * window), so read-your-writes holds across server processes: a write answered by one replica of the
 * server and the next read answered by another. If Redis cannot tell (down, slow), the read goes to the
 * primary: never a stale answer to the writer, only a cheaper one lost.
 */
@Injectable()
export class ReadRouter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('ReadRouter');
  private readonly replicas: Replica[] = [];
  private readonly lastWrite = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private next = 0;
  /** Shared last-write marks (REDIS_URL with replicas), so every server process sees every write. */
  private readonly redis?: IORedis;
  private redisDown = false;

  constructor(
    private readonly ds: DataSource,
    private readonly cfg: AppConfig,
  ) {
    if (!ReadRouter.configured(cfg)) return;
    for (const url of cfg.replicaUrls) {
      const u = new URL(url);
      const base = buildDataSourceOptions({ DATABASE_URL: url, SQLITE_PATH: '', DB_POOL_SIZE: cfg.DB_POOL_SIZE });
      const ds = new DataSource({
        ...base,
        migrations: [],
        extra: { connectionLimit: cfg.DB_POOL_SIZE, waitForConnections: true, connectTimeout: 2000 },
      } as typeof base);
      this.replicas.push({ name: `${u.hostname}:${u.port || 3306}`, ds, ok: false, lagSeconds: null, reason: 'not checked yet' });
    }
    if (this.replicas.length && cfg.REDIS_URL) {
      // no offline queue and one try: a read never waits for Redis to come back, it goes to the primary
      this.redis = new IORedis(cfg.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
      this.redis.on('error', (e) => {
        if (!this.redisDown) this.log.warn(`redis (read-your-writes): ${e.message}; writers' reads go to the primary`);
        this.redisDown = true;
      });
      this.redis.on('ready', () => (this.redisDown = false));
    }
  }

  /** How long a write keeps its writer on the primary at most: the sticky window, or a fit replica's lag. */
  private get markMs(): number {
    return (Math.max(this.cfg.DATABASE_REPLICA_STICKY_SECONDS, this.cfg.DATABASE_REPLICA_MAX_LAG_SECONDS + 1) + 2) * 1000;
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  /** Whether a configuration gives the router replicas (what `enabled` will be): MySQL with DATABASE_REPLICA_URLS. */
  static configured(cfg: Pick<AppConfig, 'dbKind' | 'replicaUrls'>): boolean {
    return cfg.dbKind === 'mysql' && cfg.replicaUrls.length > 0;
  }

  async onApplicationBootstrap() {
    if (!this.enabled) return;
    // Inside a replica scope the primary DataSource's new query runners come from the replica.
    const primary = this.ds.createQueryRunner.bind(this.ds);
    this.ds.createQueryRunner = (mode?: ReplicationMode): QueryRunner => {
      const r = scope.getStore()?.replica;
      return r && r.ok ? r.ds.createQueryRunner(mode) : primary(mode);
    };
    await this.check();
    this.timer = setInterval(() => void this.check(), this.cfg.DATABASE_REPLICA_CHECK_SECONDS * 1000);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    this.redis?.disconnect();
    await Promise.all(this.replicas.map((r) => (r.ds.isInitialized ? r.ds.destroy().catch(() => undefined) : undefined)));
  }

  /** Remember that this user just wrote: their reads go to the primary for a while (in every process, with Redis). */
  noteWrite(userId: number): void {
    const now = Date.now();
    this.lastWrite.set(userId, now);
    this.redis?.set(rwKey(userId), String(now), 'PX', this.markMs).catch(() => undefined);
  }

  /** When this user last wrote, here or (with Redis) in any process; `Infinity` when Redis cannot say. */
  private async lastWriteOf(userId: number | undefined): Promise<number | undefined> {
    if (!userId) return undefined;
    const here = this.lastWrite.get(userId);
    if (!this.redis) return here;
    try {
      const v = await withTimeout(this.redis.get(rwKey(userId)), 250);
      const shared = v ? Number(v) : undefined;
      return here === undefined ? shared : shared === undefined ? here : Math.max(here, shared);
    } catch {
      return Infinity; // unknown: as if they had just written
    }
  }

  /** The replica this user's heavy read may use now, or null for the primary. */
  async pick(userId: number | undefined): Promise<Replica | null> {
    if (!this.replicas.some((r) => r.ok)) return null;
    const wrote = await this.lastWriteOf(userId);
    const now = Date.now();
    const fit = this.replicas.filter((r) => {
      if (!r.ok) return false;
      if (wrote === undefined) return true;
      const since = now - wrote;
      return since > this.cfg.DATABASE_REPLICA_STICKY_SECONDS * 1000 && since > ((r.lagSeconds ?? 0) + 1) * 1000;
    });
    if (!fit.length) return null;
    return fit[this.next++ % fit.length];
  }

  /** Run `fn` with its reads on `replica` (null: the primary). */
  run<T>(replica: Replica | null, fn: () => T): T {
    return scope.run({ replica }, fn);
  }

  markDown(r: Replica, why: string): void {
    if (r.ok) this.log.warn(`replica ${r.name} skipped: ${why}`);
    r.ok = false;
    r.reason = why;
  }

  health(): ReplicaHealth[] {
    return this.replicas.map(({ name, ok, lagSeconds, reason }) => ({ name, ok, lagSeconds, reason }));
  }

  /**
   * Check every replica once: reachable, both replication threads running, lag within the limit. A check still
   * running when the next one is due (a slow replica takes up to the 3 s timeout, the interval may be 1 s) is not
   * joined by a second: two at once could see one fail, close that replica's pool and pull it from under the other.
   */
  async check(): Promise<void> {
    if (this.checking) return this.checking;
    this.checking = this.checkOnce().finally(() => (this.checking = null));
    return this.checking;
  }
  private checking: Promise<void> | null = null;

  private async checkOnce(): Promise<void> {
    const limit = this.cfg.DATABASE_REPLICA_MAX_LAG_SECONDS;
    await Promise.all(
      this.replicas.map(async (r) => {
        try {
          if (!r.ds.isInitialized) await r.ds.initialize();
          const rows: Record<string, unknown>[] = await withTimeout(r.ds.query('SHOW SLAVE STATUS'), 3000);
          // no row: not replicating from anything we can see (e.g. a managed read-only instance) — lag unknown, taken as 0
          const s = rows[0];
          const lag = s ? (s.Seconds_Behind_Master == null ? null : Number(s.Seconds_Behind_Master)) : 0;
          const why =
            s && (s.Slave_IO_Running !== 'Yes' || s.Slave_SQL_Running !== 'Yes')
              ? `replication stopped (IO ${s.Slave_IO_Running}, SQL ${s.Slave_SQL_Running})`
              : lag === null
                ? 'lag unknown'
                : lag > limit
                  ? `lag ${lag} s > ${limit} s`
                  : null;
          r.lagSeconds = lag;
          if (why) this.markDown(r, why);
          else {
            if (!r.ok) this.log.log(`replica ${r.name} in use (lag ${lag} s)`);
            r.ok = true;
            r.reason = null;
          }
        } catch (e) {
          r.lagSeconds = null;
          this.markDown(r, `unreachable: ${(e as Error).message}`);
          if (r.ds.isInitialized) await r.ds.destroy().catch(() => undefined);
        }
      }),
    );
    // forget writes older than any window they could still matter for
    const keep = Date.now() - (this.cfg.DATABASE_REPLICA_STICKY_SECONDS + limit + 5) * 1000;
    for (const [id, at] of this.lastWrite) if (at < keep) this.lastWrite.delete(id);
  }
}

const rwKey = (userId: number) => `xiangan:rw:${userId}`;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Replica routing, one global interceptor registered only when replicas are configured (`replicasConfigured`):
 * without replicas a request passes through no interceptor at all (Nest then skips its interceptor chain, an
 * AsyncResource and an rxjs pipe per request). A `@ReplicaRead()` handler's reads run on a fit replica, and if the
 * replica fails the answer comes from the primary; any other request of a signed-in user that is not a GET marks
 * them as a recent writer (at its start and its end), so their next reads go to the primary.
 */
@Injectable()
export class ReplicaRouting implements NestInterceptor {
  constructor(
    private readonly router: ReadRouter,
    private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.router.enabled) return next.handle();
    if (this.reflector.get<boolean | undefined>(REPLICA_READ, ctx.getHandler())) return this.read(ctx, next);
    const req = ctx.switchToHttp().getRequest<{ method: string; user?: { id: number } }>();
    const id = req?.user?.id;
    if (!id || READ_METHODS.has(req.method)) return next.handle();
    this.router.noteWrite(id);
    return next.handle().pipe(finalize(() => this.router.noteWrite(id)));
  }

  private read(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    return from(this.router.pick(http.getRequest<{ user?: { id: number } }>()?.user?.id)).pipe(
      switchMap((replica) => {
        if (!replica) return next.handle();
        // next.handle() binds the async context it is called in, so the handler runs inside the scope
        return this.router
          .run(replica, () => next.handle())
          .pipe(
            catchError((e) => {
              if (e instanceof HttpException || http.getResponse<{ headersSent?: boolean }>()?.headersSent) throw e;
              this.router.markDown(replica, `read failed: ${(e as Error).message}`);
              return this.router.run(null, () => next.handle());
            }),
          );
      }),
    );
  }
}

const REPLICA_READ = 'xiangan:replica-read';

/** Mark a heavy read-only handler (ledger, map, statistics, exports, feed) as servable by a read replica. */
export const ReplicaRead = () => SetMetadata(REPLICA_READ, true);
