import { createSecretKey } from 'node:crypto';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule, JwtSignOptions } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AuthGuard } from './common/auth/auth.guard';
import { CommonModule } from './common/common.module';
import { HttpExceptionFilter } from './common/http/http-exception.filter';
import { redactUrl } from './common/http/log-redact';
import { AppThrottlerGuard } from './common/http/throttler.guard';
import { FallbackThrottlerStorage } from './common/http/fallback-throttler-storage';
import { WindowThrottlerStorage } from './common/http/window-throttler-storage';
import { ReadRouter, ReplicaRouting } from './common/db/read-router';
import { OrgScopeGuard } from './common/scope/org-scope.guard';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { buildDataSourceOptions } from './database/db-options';
import { AuthModule } from './modules/auth/auth.module';
import { HealthController } from './modules/health/health.controller';
import { JobsModule } from './modules/jobs/jobs.module';
import { OrgsModule } from './modules/orgs/orgs.module';
import { UsersModule } from './modules/users/users.module';
import { StorageModule } from './modules/storage/storage.module';
import { WechatModule } from './modules/wechat/wechat.module';
import { WechatPushModule } from './modules/wechat/wechat-push.module';
// feature modules — each feature adds its one import line here
import { HazardsModule } from './modules/hazards/hazards.module';
import { MediaModule } from './modules/media/media.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { FieldworkModule } from './modules/fieldwork/fieldwork.module';
import { StatsModule } from './modules/stats/stats.module';
import { PublicityModule } from './modules/publicity/publicity.module';
import { SubscriptionsModule } from './modules/subscriptions/subscriptions.module';
import { PledgesModule } from './modules/pledges/pledges.module';
import { AdminModule } from './modules/admin/admin.module';
import { AuditModule } from './modules/audit/audit.module';
import { RegistersModule } from './modules/registers/registers.module';
// (end of feature imports)

/** The container's health probe (every few seconds): never a "request completed" line. */
const isHealthCheck = (req: IncomingMessage & { originalUrl?: string }): boolean => (req.originalUrl ?? req.url ?? '').split('?')[0] === '/api/health';

@Module({})
export class AppModule {
  static forRoot(cfg: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(cfg),
        LoggerModule.forRoot({
          // every route, in the path syntax of Nest 11's router (nestjs-pino's default `*` draws a warning at start)
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: cfg.LOG_LEVEL,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            // called when a request arrives (before the guard: no user yet) and, when it is logged, when it completes;
            // no bindings at all without a user — an empty object still cost pino a child logger (and its setLevel) per request
            customProps: (req: IncomingMessage & { user?: { id: number; role: string } }) =>
              (req.user ? { userId: req.user.id, role: req.user.role } : undefined) as Record<string, unknown>,
            // the "request completed" line is info: at a quieter level (warn in the benches, error…) no completion
            // handler is attached at all — it only built the line's bindings (user, role) for pino to drop
            // (health checks are not logged: by the time pino-http asks, the middleware layer has cut req.url down to the part
            // after its mount point, so the path is read from originalUrl, the one the client sent)
            autoLogging: ['fatal', 'error', 'warn', 'silent'].includes(cfg.LOG_LEVEL) ? false : { ignore: isHealthCheck },
            // query values that are secrets or personal data (signed-URL sig, typed names, codes, phones) never reach the log
            serializers: { req: (r: { method: string; url: string; id: unknown }) => ({ id: r.id, method: r.method, url: redactUrl(r.url) }) },
          },
        }),
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(cfg), retryAttempts: 10, retryDelay: 1000 }),
        ThrottlerModule.forRoot({
          throttlers: [
            { name: 'default', ttl: 60_000, limit: cfg.RATE_LIMIT_PER_MINUTE },
            { name: 'writes', ttl: 60_000, limit: cfg.RATE_LIMIT_WRITES_PER_MINUTE },
          ],
          // with REDIS_URL shared by every process, and counted in this one while Redis does not answer
          storage: cfg.REDIS_URL ? new FallbackThrottlerStorage(cfg.REDIS_URL) : new WindowThrottlerStorage(),
          // per user when signed in, else per address
          // req.ip follows Express's `trust proxy` (TRUST_PROXY): X-Forwarded-For counts only from a trusted proxy
          getTracker: (req: Record<string, unknown>) => {
            const id = (req.user as { id?: number } | undefined)?.id;
            return id ? `u${id}` : String(req.ip ?? '');
          },
        }),
        // HS256 only, on signing and on verifying (a token naming another algorithm is refused); the guard also requires `exp`
        JwtModule.register({
          global: true,
          // a KeyObject, not the string: given a string, jsonwebtoken first tries it as a PEM public/private key and
          // builds (and throws away) an exception on every verify and sign before taking it as the HMAC secret
          secret: createSecretKey(Buffer.from(cfg.JWT_SECRET, 'utf8')),
          signOptions: {
            algorithm: 'HS256',
            expiresIn: (/^[0-9]+$/.test(cfg.JWT_EXPIRES_IN) ? Number(cfg.JWT_EXPIRES_IN) : cfg.JWT_EXPIRES_IN) as JwtSignOptions['expiresIn'],
          },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        CommonModule,
        JobsModule,
        WechatModule,
        WechatPushModule,
        StorageModule,
        AuthModule,
        OrgsModule,
        UsersModule,
        // feature modules
        MediaModule,
        NotificationsModule,
        HazardsModule,
        FieldworkModule,
        StatsModule,
        RegistersModule,
        SubscriptionsModule,
        PublicityModule,
        PledgesModule,
        AdminModule,
        AuditModule,
        // (end of feature modules)
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        { provide: APP_GUARD, useClass: OrgScopeGuard },
        // no interceptor runs on every request unless replicas are configured: `@Idempotent()` brings its own, and
        // replica routing (reads of `@ReplicaRead()` handlers, writers' marks) is global only where there are replicas
        ...(ReadRouter.configured(cfg) ? [{ provide: APP_INTERCEPTOR, useClass: ReplicaRouting }] : []),
      ],
    };
  }
}
