import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AppConfig, loadConfig } from './config/app-config';
import { createValidationPipe } from './common/http/validation';
import { jsonDepthLimit, plainBodyErrors } from './common/http/json-depth';
import { docsCsp, inlineScriptHashes, securityHeaders } from './common/http/security-headers';
import { seedIfEmpty } from './database/seed';
import { apiCompression, serveH5 } from './common/http/h5-static';
import { migrateWithLock } from './database/migrate';

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
 * Builds the whole server: API under /api, OpenAPI at /api/docs (unless off), the h5 mini-program on /.
 * main.ts and every test start the app through here, so they run the same thing.
 */
export async function createApp(cfg: AppConfig = loadConfig(), opts: { seed?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(cfg), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  // X-Forwarded-For / -Proto only from the proxies TRUST_PROXY names (default: none, the TCP peer is the client)
  app.set('trust proxy', cfg.trustProxy);
  app.disable('x-powered-by');
  app.use(apiCompression());
  const h5 = cfg.H5_DIR ? resolve(cfg.H5_DIR) : '';
  const h5Index = h5 ? join(h5, 'index.html') : '';
  const h5Served = !!h5Index && existsSync(h5Index);
  // CSP & co.; the h5 page's own inline scripts are allowed by their hashes, nothing else inline
  app.use(...securityHeaders({ inlineScriptHashes: h5Served ? inlineScriptHashes(readFileSync(h5Index, 'utf8')) : [] }));
  app.use(plainBodyErrors(express.json({ limit: '2mb' })));
  app.use(jsonDepthLimit(32));
  app.use(plainBodyErrors(express.urlencoded({ extended: false, limit: '100kb' })));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  // an invitation link (`/invite?code=…`, what an ordinary QR carries) opens the h5 invite page
  app.use('/invite', (req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET') return next();
    const code = String(req.query.code ?? '')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 32);
    res.redirect(302, `/#/pages/invite/index?code=${code}`);
  });

  // the OpenAPI page: on outside production; in production only with API_DOCS=true
  if (cfg.apiDocsEnabled) {
    app.use(docsCsp());
    SwaggerModule.setup('api/docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'api/docs-json' });
  }

  if (h5Served) {
    serveH5(app, h5);
  }

  await migrateWithLock(app.get(DataSource));
  await app.init();
  if (opts.seed ?? cfg.seedDemo) await seedIfEmpty(app.get(DataSource), cfg);
  return app;
}
