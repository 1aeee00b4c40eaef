import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AppConfig, loadConfig } from './config/app-config';
import { createValidationPipe } from './common/http/validation';
import { registerBodyParsers } from './common/http/json-depth';
import { docsCsp, inlineScriptHashes, securityHeaders } from './common/http/security-headers';
import { seedIfEmpty } from './database/seed';
import { apiCompression, serveH5 } from './common/http/h5-static';
import { migrateWithLock } from './database/migrate';
import { WECHAT_PUSH_TEXT_LIMIT } from './modules/wechat/wechat-push.module';

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('乡安 API')
    .setDescription('乡镇安全生产：隐患随手拍与台账、承诺书、宣传推送、工作台账与年度总结')
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/**
 * Builds the whole server (Nest on Fastify): API under /api, OpenAPI at /api/docs (unless off), the h5 mini-program
 * on /. main.ts and every test start the app through here, so they run the same thing. The app comes back ready:
 * `app.getHttpServer()` can be handed to supertest without a listen.
 */
export async function createApp(cfg: AppConfig = loadConfig(), opts: { seed?: boolean } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // X-Forwarded-For / -Proto only from the proxies TRUST_PROXY names (default: none, the TCP peer is the client)
    trustProxy: cfg.trustProxy,
    // as Express routed: `/api/hazards/` and `/API/hazards` reach the route; long path values reach the id pipe (400)
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(cfg), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  apiCompression(fastify);
  const h5 = cfg.H5_DIR ? resolve(cfg.H5_DIR) : '';
  const h5Index = h5 ? join(h5, 'index.html') : '';
  const h5Served = !!h5Index && existsSync(h5Index);
  // CSP & co.; the h5 page's own inline scripts are allowed by their hashes, nothing else inline
  securityHeaders(fastify, { inlineScriptHashes: h5Served ? inlineScriptHashes(readFileSync(h5Index, 'utf8')) : [] });
  registerBodyParsers(fastify, {
    jsonLimit: 2 * 1024 * 1024,
    jsonDepth: 32,
    formLimit: 100 * 1024,
    textRoutes: [{ method: 'POST', url: '/api/wechat/push', limit: WECHAT_PUSH_TEXT_LIMIT }],
  });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  // an invitation link (`/invite?code=…`, what an ordinary QR carries) opens the h5 invite page
  fastify.get('/invite', (req, reply) => {
    const code = String((req.query as Record<string, unknown>).code ?? '')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 32);
    return reply.redirect(`/#/pages/invite/index?code=${code}`, 302);
  });

  // the OpenAPI page: on outside production; in production only with API_DOCS=true
  if (cfg.apiDocsEnabled) {
    docsCsp(fastify);
    SwaggerModule.setup('api/docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'api/docs-json' });
  }

  if (h5Served) {
    await serveH5(fastify, h5);
  }

  await migrateWithLock(app.get(DataSource));
  await app.init();
  await fastify.ready();
  if (opts.seed ?? cfg.seedDemo) await seedIfEmpty(app.get(DataSource), cfg);
  return app;
}
