/**
 * Issue 13, findings 6–10 over HTTP on a real database (SQLite; MariaDB with TEST_DB=mysql):
 * XML-illegal characters refused at input and stripped from files, JWT algorithm and exp, no demo seed in
 * production, security headers and /api/docs, and which peers may set X-Forwarded-For.
 */
import { Body, Controller, Module, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsOptional, IsString } from 'class-validator';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import * as yauzl from 'yauzl';
import { createApp } from '../../app.factory';
import { loadConfig } from '../../config/app-config';
import { createMysqlDatabase, TEST_DB } from '../../testing/test-app';
import { useTestApp } from '../../testing/use-test-app';
import { XML_ILLEGAL } from '../text/xml-text';
import { createValidationPipe } from './validation';
import { registerBodyParsers } from './json-depth';
import { FileUpload } from '../upload/file-upload.interceptor';
import { named } from '../../testing/fields';

const STRONG = 'k7Qz-9vTn2Lw_Xa4Rb8Ye1Hc6Jd3Mf5Pg0Us';
const binary = (r: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** Every entry of a zip (xlsx / docx) as text. */
function zipTexts(buf: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: Record<string, string> = {};
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => {
            out[e.fileName] = Buffer.concat(parts).toString('utf8');
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.readEntry();
    }),
  );
}

/** One app (demo seed, default settings) for the two blocks that need no production settings: an app set-up per block cost a second start and seed. */
const t = useTestApp();

describe('XML-illegal characters (finding 6)', () => {
  const hazards = async () => Number((await t.ds.query('SELECT COUNT(*) AS c FROM hazard'))[0].c);

  it.each([
    ['U+FFFF', '\uFFFF', 'U+FFFF'],
    ['U+FFFE', '\uFFFE', 'U+FFFE'],
    ['a lone high surrogate', '\uD800', 'U+D800'],
    ['a lone low surrogate', '\uDFFF', 'U+DFFF'],
    ['NUL', '\u0000', 'U+0000'],
    ['a C0 control (U+0001)', '\u0001', 'U+0001'],
    ['ESC (U+001B)', '\u001B', 'U+001B'],
    ['vertical tab', '\u000B', 'U+000B'],
  ])('a hazard description with %s is refused with 400 naming the field; nothing stored', async (_n, ch, code) => {
    const before = await hazards();
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'fire', description: `电线私拉${ch}乱接`, lat: 29.583, lng: 106.487 });
    expect(res.status).toBe(400);
    expect(named(res.body)).toEqual([`description 情况描述含有无法保存的特殊字符「${code}」，请删除后重新提交`]);
    expect(await hazards()).toBe(before);
  });

  it('nested objects and arrays are covered, every bad field named by its path', async () => {
    const res = await t.http
      .post('/api/messages')
      .set(await t.as('town'))
      .send({
        title: '防溺水\uFFFE提醒',
        category: 'drowning',
        body: [
          { type: 'p', text: '暑期请看护好孩子。' },
          { type: 'p', text: '不私自\uFFFF下水' },
        ],
        audience: { orgIds: [t.seed.org.v_hekou.id] },
      });
    expect(res.status).toBe(400);
    expect(named(res.body)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title 标题含有无法保存的特殊字符「U\+FFFE」/),
        expect.stringMatching(/^body\.1\.text 第 2 段正文：文字含有无法保存的特殊字符「U\+FFFF」/),
      ]),
    );
  });

  it('query strings are covered', async () => {
    const res = await t.http
      .get('/api/hazards')
      .query({ q: '电线\uFFFF' })
      .set(await t.as('town'));
    expect(res.status).toBe(400);
    expect(named(res.body)[0]).toMatch(/^q 搜索内容含有无法保存的特殊字符「U\+FFFF」/);
  });

  it('multipart text fields are covered (the image upload and any @Body of a multipart route)', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const res = await t.http
      .post('/api/media')
      .set(await t.as('resident'))
      .field('purpose', 'hazard\uFFFF')
      .attach('file', jpeg, 'a.jpg');
    expect(res.status).toBe(400);
    expect(named(res.body)[0]).toMatch(/^purpose 图片用途含有无法保存的特殊字符「U\+FFFF」/);

    // a multipart route whose text fields arrive through @Body(): the same global pipe applies
    class Form {
      @IsOptional() @IsString() note?: string;
    }
    @Controller('form')
    class FormController {
      @Post()
      @UseInterceptors(FileUpload({ what: '图片', maxBytes: 1024 * 1024 }))
      take(@Body() body: Form, @UploadedFile() file: Express.Multer.File | undefined) {
        return { note: body.note, size: file?.size ?? 0 };
      }
    }
    @Module({ controllers: [FormController] })
    class FormModule {}
    const app = await NestFactory.create<NestFastifyApplication>(FormModule, new FastifyAdapter(), { logger: false, bodyParser: false });
    registerBodyParsers(app.getHttpAdapter().getInstance(), { jsonLimit: 1024, jsonDepth: 32, formLimit: 1024 });
    app.useGlobalPipes(createValidationPipe());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const http = supertest(app.getHttpServer());
      const bad = await http.post('/form').field('note', '备注\u0007').attach('file', jpeg, 'a.jpg');
      expect(bad.status).toBe(400);
      expect(named(bad.body)).toEqual(['note 说明含有无法保存的特殊字符「U+0007」，请删除后重新提交']);
      const ok = await http.post('/form').field('note', '备注\t换行\n').attach('file', jpeg, 'a.jpg');
      expect(ok.status).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('legal text still passes: emoji (surrogate pairs), tab, newline, CJK extension B', async () => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'fire', description: '电线🔥私拉\t乱接\n𠀀字', lat: 29.583, lng: 106.487 });
    expect(res.status).toBe(201);
  });

  it('rows stored before the check (or by another path) are stripped when the ledger xlsx and the summary docx are written', async () => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'fire', description: '旧数据隐患', lat: 29.583, lng: 106.487 });
    expect(res.status).toBe(201);
    await t.ds.query('UPDATE hazard SET description = ?, address = ? WHERE id = ?', ['旧\uFFFF数据\u0001隐患', '三组\uFFFE', res.body.id]);
    await t.ds.query('UPDATE org_unit SET name = ? WHERE id = ?', ['石桥镇\uFFFF', t.seed.org.town.id]);

    const x = await t.http
      .get('/api/hazards/export.xlsx')
      .set(await t.as('town'))
      .buffer(true)
      .parse(binary);
    expect(x.status).toBe(200);
    for (const [name, text] of Object.entries(await zipTexts(x.body))) expect([name, XML_ILLEGAL.test(text)]).toEqual([name, false]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.body);
    const descriptions = wb.worksheets[0].getColumn(6).values.map(String);
    expect(descriptions).toContain('旧数据隐患');

    const d = await t.http
      .get('/api/stats/summary.docx')
      .set(await t.as('town'))
      .buffer(true)
      .parse(binary);
    expect(d.status).toBe(200);
    const doc = await zipTexts(d.body);
    expect(XML_ILLEGAL.test(doc['word/document.xml'])).toBe(false);
    expect(doc['word/document.xml']).toContain('石桥镇');
  });
});

describe('JWT: HS256 only, exp required (finding 7)', () => {
  it('the login token is HS256 with exp; tokens with another algorithm, alg none or no exp are refused', async () => {
    const me = await t.as('resident');
    const token = me.Authorization.slice(7);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(header.alg).toBe('HS256');
    expect(payload.exp).toEqual(expect.any(Number));
    expect((await t.http.get('/api/me').set(me)).status).toBe(200);

    const jwt = new JwtService({ secret: t.cfg.JWT_SECRET });
    const sub = payload.sub;
    const forged = {
      hs512: jwt.sign({ sub }, { algorithm: 'HS512', expiresIn: 3600 }),
      hs384: jwt.sign({ sub }, { algorithm: 'HS384', expiresIn: 3600 }),
      noExp: jwt.sign({ sub }, { algorithm: 'HS256' }),
      none: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.`,
    };
    for (const [name, tok] of Object.entries(forged)) {
      const res = await t.http.get('/api/me').set({ Authorization: `Bearer ${tok}` });
      expect([name, res.status]).toEqual([name, 401]);
    }
  });
});

/** A production start as main.ts does it (createApp without a seed override) on this test's database. */
async function productionApp(env: Record<string, string>) {
  const db = TEST_DB === 'mysql' ? await createMysqlDatabase() : null;
  const cfg = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: STRONG,
    WECHAT_APPID: 'wx-test',
    WECHAT_SECRET: 'wx-secret',
    LOG_LEVEL: 'silent',
    H5_DIR: '',
    STORAGE_DIR: `/tmp/xa-sec-${process.pid}-${Date.now()}`,
    ...(db ? { DATABASE_URL: db.url } : { SQLITE_PATH: ':memory:' }),
    ...env,
  });
  const app = await createApp(cfg);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: supertest(app.getHttpServer()),
    ds: app.get(DataSource),
    close: async () => {
      await app.close();
      await db?.drop();
    },
  };
}

describe('a production start (findings 8, 9, 10)', () => {
  let p: Awaited<ReturnType<typeof productionApp>>;
  beforeAll(async () => {
    p = await productionApp({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => p.close());

  it('does not seed the demo town (no units, no users: no demo admin)', async () => {
    expect(Number((await p.ds.query('SELECT COUNT(*) AS c FROM app_user'))[0].c)).toBe(0);
    expect(Number((await p.ds.query('SELECT COUNT(*) AS c FROM org_unit'))[0].c)).toBe(0);
  });

  it('sends CSP, frame-ancestors / X-Frame-Options and Permissions-Policy; no HSTS over plain HTTP; /api/docs is off', async () => {
    const res = await p.http.get('/api/health');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['permissions-policy']).toContain('geolocation=(self)');
    expect(res.headers['permissions-policy']).toContain('camera=(self)');
    expect(res.headers['permissions-policy']).toContain('microphone=()');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // an untrusted peer cannot claim TLS either
    expect((await p.http.get('/api/health').set('X-Forwarded-Proto', 'https')).headers['strict-transport-security']).toBeUndefined();
    expect((await p.http.get('/api/docs')).status).toBe(404);
    expect((await p.http.get('/api/docs-json')).status).toBe(404);
  });

  it('default TRUST_PROXY: a spoofed X-Forwarded-For does not change the rate-limit key', async () => {
    // 3 per minute per address (the three requests above were the same address, in a window that may have turned; use a fresh minute's budget)
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await p.http.get('/api/health').set('X-Forwarded-For', `203.0.113.${i + 1}`)).status);
    expect(statuses).toContain(429);
  });
});

describe('behind a trusted proxy: TRUST_PROXY=1, API_DOCS=true (findings 9, 10)', () => {
  let p: Awaited<ReturnType<typeof productionApp>>;
  beforeAll(async () => {
    p = await productionApp({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1', API_DOCS: 'true' });
  });
  afterAll(() => p.close());

  it('X-Forwarded-For from the trusted hop is the rate-limit key; one client still meets its limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await p.http.get('/api/health').set('X-Forwarded-For', `198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const same: number[] = [];
    for (let i = 0; i < 5; i++) same.push((await p.http.get('/api/health').set('X-Forwarded-For', '198.51.100.200')).status);
    expect(same).toContain(429);
  });

  it('HSTS only when the trusted proxy says the request came over https; /api/docs on with API_DOCS=true', async () => {
    const tls = await p.http.get('/api/health').set('X-Forwarded-For', '198.51.100.77').set('X-Forwarded-Proto', 'https');
    expect(tls.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect((await p.http.get('/api/health').set('X-Forwarded-For', '198.51.100.78')).headers['strict-transport-security']).toBeUndefined();
    const docs = await p.http.get('/api/docs/').set('X-Forwarded-For', '198.51.100.79');
    expect([200, 301]).toContain(docs.status);
    expect((await p.http.get('/api/docs-json').set('X-Forwarded-For', '198.51.100.80')).status).toBe(200);
  });
});
