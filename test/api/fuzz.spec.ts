/**
 * Hostile input over EVERY write operation of the OpenAPI document (POST / PUT / PATCH / DELETE) and every
 * query parameter: wrong types, missing fields, 1 MB strings, bodies over the limit, unicode edge cases,
 * characters XML 1.0 cannot hold (refused with a 400 naming the field: they would break the xlsx exports),
 * SQL and script strings, unknown and prototype-polluting fields, non-JSON bodies, absurd path ids; for
 * uploads: path traversal in file names, malformed multipart, a PDF named .jpg, a truncated JPEG,
 * decompression bombs, and roster .xlsx files whose entries inflate past the unpacked limit or lie about it.
 * Each answer is 4xx with a message, never 5xx, never a hang; and the row counts of every table prove that nothing stored changed for the rejected requests.
 * (2xx is allowed only where the input is legitimately acceptable — text with emoji or "<script>" in it is
 * just text; whether it is shown escaped is test/browser/xss.e2e.ts.)
 */
import { existsSync, readdirSync } from 'node:fs';
import { deflateRawSync, deflateSync, crc32 } from 'node:zlib';
import { Answer } from '../support/api';
import { diffCounts, RowCounter, rowCounter } from '../support/dbsnap';
import { buildWorld, jpeg, signatureDataUrl, studentFields, World } from '../support/fixtures';
import { join } from 'node:path';
import { scratchDatabase, ScratchDb, SERVER_DIST, ServerProcess, spawnServer } from '../support/proc';
import { POLICY } from './policy';

jest.setTimeout(240_000);

let db: ScratchDb;
let srv: ServerProcess;
let w: World;
let doc: any;
let rows: RowCounter;
const MB = 1024 * 1024;

let wechat: any;

beforeAll(async () => {
  db = await scratchDatabase();
  // WeChat login goes to the local fake, so a hostile code gets WeChat's real "invalid code" answer

  const { FakeWechat } = require(join(SERVER_DIST, 'testing', 'fake-wechat.js'));
  wechat = await new FakeWechat().start();
  srv = await spawnServer({ env: { DATABASE_URL: db.url, SEED_DEMO: 'true', ...wechat.env() }, h5: false });
  w = await buildWorld(srv.baseUrl);
  doc = (await w.api.call('GET', '/api/docs-json')).body;
  rows = await rowCounter(db.url);
});

afterAll(async () => {
  await rows?.close();
  await srv?.stop();
  await db?.drop();
  await wechat?.stop();
});

// ------------------------------------------------------------------ payloads

const UNICODE: Record<string, string> = {
  rtl: '\u202Egpj.exe\u202C 隐患 \u2067مرحبا\u2069',
  zeroWidth: '电\u200B线\u200C私\u200D拉\uFEFF乱接',
  emoji: '👨‍👩‍👧‍👦🔥⚡️🏚️ 河边危险 🇨🇳',
  loneSurrogate: '断开\uD800的\uDFFF字符',
  nul: '有\u0000空\u0000字符',
  combining: 'Z̷̢̛͙a̶͓̓l̸̗̓g̶̱̈́o̴͚͐ 文字',
};
const INJECTION: Record<string, string> = {
  sqlQuote: "' OR '1'='1' -- ",
  sqlDrop: "'); DROP TABLE hazard; --",
  sqlUnion: "1' UNION SELECT openid, phone FROM user -- ",
  sqlComment: '1/**/OR/**/1=1#',
  scriptImg: '<img src=x onerror=alert(1)>',
  scriptTag: '<script>alert(document.cookie)</script>',
  jsUrl: 'javascript:alert(1)',
  template: '{{constructor.constructor("alert(1)")()}} ${7*7}',
  pathTraversal: '../../../../etc/passwd',
};
/**
 * Characters XML 1.0 cannot hold: they break the xlsx/docx exports, so every text field refuses them with a 400
 * naming the field (issue 13 finding 6), wherever the field sits (nested objects, arrays).
 */
const XML_ILLEGAL: Record<string, string> = {
  uFFFF: '\uFFFF',
  uFFFE: '\uFFFE',
  loneHigh: '\uD83D',
  loneLow: '\uDC00',
  nul: '\u0000',
  bell: '\u0007',
  verticalTab: '\u000B',
  formFeed: '\u000C',
  esc: '\u001B',
  unitSeparator: '\u001F',
};
/** Strings we accept as text (stored as given, shown escaped). */
const TEXT_OK = new Set([...Object.keys(UNICODE), ...Object.keys(INJECTION)].map((k) => `text:${k}`));

interface Payload {
  name: string;
  body?: unknown;
  raw?: string | Buffer;
  ctype?: string;
}

function resolve(schema: any): any {
  if (!schema) return schema;
  if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()]);
  if (schema.allOf)
    return Object.assign(
      { type: 'object', properties: {}, required: [] },
      ...schema.allOf.map(resolve).map((s: any) => ({ ...s, properties: { ...s.properties } })),
    );
  return schema;
}

/** A value of the schema's shape (not necessarily valid: ids point nowhere). */
function sample(schema: any, depth = 0): any {
  const s = resolve(schema) ?? {};
  if (s.enum?.length) return s.enum[0];
  if (s.type === 'array') return depth > 3 ? [] : [sample(s.items, depth + 1)];
  if (s.type === 'object' || s.properties) {
    const o: any = {};
    for (const [k, v] of Object.entries<any>(s.properties ?? {})) o[k] = sample(v, depth + 1);
    return o;
  }
  if (s.type === 'integer' || s.type === 'number') return 1;
  if (s.type === 'boolean') return true;
  if (s.format === 'date-time') return new Date().toISOString();
  if (s.format === 'date') return new Date().toISOString().slice(0, 10);
  return '测试';
}

function wrongType(v: any): any {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return 'not-a-number';
  if (typeof v === 'boolean') return 'yes';
  if (Array.isArray(v)) return 'not-an-array';
  if (v && typeof v === 'object') return [1, 2, 3];
  return { nested: true };
}

const ENUM_KEYS = new Set([
  'category',
  'kind',
  'sector',
  'level',
  'type',
  'role',
  'relation',
  'deadline',
  'date',
  'image',
  'phone',
  'contactPhone',
  'scheduledAt',
  'url',
  'results',
  'templateIds',
]);

/** Replaces every free-text string leaf (not enums, dates, images) by `f(old)`. */
function mapText(v: any, f: (s: string) => string, key = ''): any {
  if (typeof v === 'string') return ENUM_KEYS.has(key) ? v : f(v);
  if (Array.isArray(v)) return v.map((x) => mapText(x, f, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapText(x, f, k)]));
  return v;
}
const hasText = (v: any, key = ''): boolean =>
  typeof v === 'string'
    ? !ENUM_KEYS.has(key)
    : Array.isArray(v)
      ? v.some((x) => hasText(x, key))
      : v && typeof v === 'object'
        ? Object.entries(v).some(([k, x]) => hasText(x, k))
        : false;

/** Valid bodies for the operations that take free text, so hostile text goes all the way to the database. */
async function validBodies(): Promise<Record<string, unknown>> {
  const hekou = w.org['河口村'];
  const sig = await signatureDataUrl(7);
  const sig2 = await signatureDataUrl(8);
  const bodies: Record<string, unknown> = {
    'POST /api/hazards': { category: 'fire', description: '河口村老屋电线私拉乱接', orgId: hekou, lat: 29.562, lng: 106.512, address: '河口村三组' },
    'POST /api/hazards/{id}/comment': { note: '我也看到了' },
    'POST /api/hazards/{id}/reject': { reason: '经核实不属于安全隐患' },
    'POST /api/hazards/{id}/escalate': { department: '青山县水利局', note: '需县级协调' },
    'POST /api/hazards/{id}/rectify': { note: '已整改完毕' },
    'POST /api/messages': { title: '防溺水提醒', category: 'drowning', body: [{ type: 'p', text: '暑期请看护好孩子。' }], audience: { orgIds: [hekou] } },
    'PATCH /api/messages/{id}': { title: '改过的标题' },
    'POST /api/inspections': { kind: 'routine', sector: 'fire', orgId: hekou, metrics: { inspectors: 2 }, title: '节前检查' },
    'PATCH /api/me': { name: '张德明' },
    'POST /api/pledge-campaigns/{id}/signatures': {
      fields: studentFields('张小明'),
      signatures: [
        { role: 'guardian', image: sig },
        { role: 'student', image: sig2 },
      ],
    },
    'POST /api/pledge-campaigns': {
      templateVersionId: w.bodies.campaignB?.templateVersionId,
      orgId: hekou,
      deadline: new Date(Date.now() + 20 * 864e5).toISOString(),
      title: '暑期防溺水',
    },
  };
  // the PUT twin of a PATCH route takes the same body
  for (const k of Object.keys(bodies)) if (k.startsWith('PATCH ')) bodies[`PUT ${k.slice(6)}`] = bodies[k];
  return bodies;
}

/** Payloads that reduce to an empty or unparsed body: fine to accept when the operation requires no field. */
const EMPTYISH = new Set(['empty object', 'text/plain', 'xml', 'form-urlencoded', 'prototype pollution']);

function requiredOf(o: { op: any }): string[] {
  return resolve(o.op.requestBody?.content?.['application/json']?.schema)?.required ?? [];
}

function payloadsFor(o: { op: any }, valid: unknown): Payload[] {
  const schema = resolve(o.op.requestBody?.content?.['application/json']?.schema);
  const required = requiredOf(o);
  const base = valid ?? sample(schema);
  const p: Payload[] = [
    { name: 'empty object', body: {} },
    { name: 'json array', raw: '[]', ctype: 'application/json' },
    { name: 'json null', raw: 'null', ctype: 'application/json' },
    { name: 'json number', raw: '42', ctype: 'application/json' },
    { name: 'json string', raw: '"x"', ctype: 'application/json' },
    { name: 'broken json', raw: '{"description": "未闭合', ctype: 'application/json' },
    { name: 'text/plain', raw: 'category=fire description=hi', ctype: 'text/plain' },
    { name: 'xml', raw: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', ctype: 'application/xml' },
    { name: 'form-urlencoded', raw: 'category=fire&description=hi&__proto__[admin]=1', ctype: 'application/x-www-form-urlencoded' },
    { name: 'deep nesting', raw: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), ctype: 'application/json' },
    {
      name: 'prototype pollution',
      raw: '{"__proto__":{"isAdmin":true,"role":"admin"},"constructor":{"prototype":{"polluted":true}}}',
      ctype: 'application/json',
    },
    { name: 'over the body limit (3 MB)', raw: JSON.stringify({ description: 'x'.repeat(3 * MB) }), ctype: 'application/json' },
    {
      name: 'unknown fields',
      body: { ...(base && typeof base === 'object' && !Array.isArray(base) ? base : {}), isAdmin: true, role_: 'admin', creatorId: 1, orgPath: '/' },
    },
  ];
  if (JSON.stringify(mapNumbers(base, [-1])) !== JSON.stringify(base))
    p.push({ name: 'numbers out of range', body: mapNumbers(base, [-1, 1.5, 1e308, 2 ** 63]) });
  if (base && typeof base === 'object') {
    p.push({ name: 'every field the wrong type', body: Object.fromEntries(Object.entries(base).map(([k, v]) => [k, wrongType(v)])) });
    for (const k of required) p.push({ name: `missing ${k}`, body: Object.fromEntries(Object.entries(base).filter(([x]) => x !== k)) });
    for (const k of required) p.push({ name: `${k} null`, body: { ...base, [k]: null } });
    for (const k of Object.keys(base).slice(0, 10)) p.push({ name: `${k} the wrong type`, body: { ...base, [k]: wrongType((base as any)[k]) } });
    if (hasText(base)) {
      p.push({ name: 'huge strings (1 MB)', body: mapText(base, () => '险'.repeat(MB / 3)) });
      p.push({ name: 'long strings (20 000 chars)', body: mapText(base, () => 'a'.repeat(20_000)) });
      for (const [k, s] of Object.entries({ ...UNICODE, ...INJECTION })) p.push({ name: `text:${k}`, body: mapText(base, (old) => `${old}${s}`) });
      for (const [k, s] of Object.entries(XML_ILLEGAL)) p.push({ name: `xml:${k}`, body: mapText(base, (old) => `${old}${s}`) });
    }
  }
  return p;
}

function mapNumbers(v: any, bad: number[], i = { n: 0 }): any {
  if (typeof v === 'number') return bad[i.n++ % bad.length];
  if (Array.isArray(v)) return v.map((x) => mapNumbers(x, bad, i));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapNumbers(x, bad, i)]));
  return v;
}

// ------------------------------------------------------------------ callers

const PREFER = ['demo-village-hekou', 'demo-town', 'demo-admin', 'demo-parent'];
function callerFor(key: string): string {
  const pol = POLICY[key];
  if (!pol || pol.roles === 'public') return 'demo-parent';
  if (/^POST \/api\/(hazards|media)$|signatures$|\/(read|ack|reopen)$|^(PATCH|PUT) \/api\/me$|subscriptions$/.test(key) && pol.roles.includes('resident'))
    return 'demo-parent';
  return PREFER.find((o) => (pol.roles as string[]).includes(w.s[o].user.role)) ?? 'demo-admin';
}

interface Failure {
  op: string;
  payload: string;
  status: number;
  body: string;
}

function judge(op: string, payload: string, r: Answer, failures: Failure[], accepted: string[], acceptable: boolean) {
  const brief = (typeof r.body === 'object' && !Buffer.isBuffer(r.body) ? JSON.stringify(r.body) : r.text).slice(0, 200);
  if (r.status < 0) return failures.push({ op, payload, status: r.status, body: `no answer (${r.status === -2 ? 'timeout' : 'network'}): ${brief}` });
  if (r.status >= 500) return failures.push({ op, payload, status: r.status, body: brief });
  if (r.status >= 200 && r.status < 300) {
    if (!acceptable) failures.push({ op, payload, status: r.status, body: `accepted hostile input: ${brief}` });
    else accepted.push(`${op} ${payload}`);
    return;
  }
  const msg = r.body?.message;
  if (!msg || (Array.isArray(msg) && msg.length === 0)) failures.push({ op, payload, status: r.status, body: `4xx without a message: ${brief}` });
  const english = notPlainChinese(r);
  if (english.length) failures.push({ op, payload, status: r.status, body: `not plain Chinese: ${JSON.stringify(english).slice(0, 200)}` });
  if (r.status === 400 && Array.isArray(r.body?.fields) && r.body.fields.every((f: any) => typeof f.field === 'string' && typeof f.message === 'string'))
    withFields++;
}

/** 400s that carried the machine-readable `fields` (path + sentence) beside `message`. */
let withFields = 0;

/** Words a Chinese message may carry: file formats, sizes and the like, not field names or English sentences. */
const ALLOWED_LATIN = /\b(MB|KB|Excel|WPS|PNG|JPEG|JPG|WebP|GeoJSON|Polygon|MultiPolygon|https|xlsx|csv|JSON|T\d\d)\b/g;

/**
 * The messages of a refusal a user reads (400, 413, 415) that are not plain Chinese: each must contain Chinese and no
 * ASCII word (a property path like `signatures.0.image` or `orgId`, or an English sentence) outside 「」 quotes, which
 * hold a name the user sent (`不认识的字段「isAdmin」`).
 */
function notPlainChinese(r: Answer): string[] {
  if (![400, 413, 415].includes(r.status) || typeof r.body !== 'object' || Buffer.isBuffer(r.body)) return [];
  const list: unknown[] = Array.isArray(r.body?.message) ? r.body.message : [r.body?.message];
  return list.map(String).filter((m) => !/[\u4e00-\u9fff]/.test(m) || /[A-Za-z]{2,}/.test(m.replace(/「[^」]*」/g, '').replace(ALLOWED_LATIN, '')));
}

// ------------------------------------------------------------------ the tests

test('every write operation: hostile JSON bodies and path ids answer 4xx with a message (plain Chinese naming the field for 400/413/415); rejected ones store nothing', async () => {
  const valid = await validBodies();
  const ops: { key: string; method: string; path: string; op: any }[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const m of ['post', 'put', 'patch', 'delete'])
      if (item[m]) ops.push({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op: item[m] });
  }
  const failures: Failure[] = [];
  const accepted: string[] = [];
  const unchanged: string[] = [];
  let sent = 0;
  let xmlRefused = 0;
  // one operation's "after" is the next one's "before": nothing else writes in between
  let before = await rows.counts();
  for (const o of ops) {
    if (o.op.requestBody?.content?.['multipart/form-data']) continue; // uploads: own test below
    if (o.path.startsWith('/api/auth/')) {
      /* login: hostile bodies too (token-less) */
    }
    const who = callerFor(o.key);
    const token = o.path.startsWith('/api/auth/') ? undefined : w.s[who].token;
    const pol = POLICY[o.key];
    const realId = (pol?.fixture && w.fx[pol.fixture]) || 999999;
    let anyAccepted = false;
    // absurd path ids (never a real record: DELETE / PATCH must not touch anything)
    if (o.path.includes('{')) {
      for (const bad of ['abc', '-1', '0', '1.5', '99999999999999999999', '1%20OR%201%3D1', '..%2F..%2Fetc%2Fpasswd', '%00', '1e3']) {
        const url = o.path.replace('{id}', bad).replace(/\{[^}]+\}/g, 'x');
        const r = await w.api.call(o.method, url, { token, body: o.method === 'DELETE' ? undefined : (valid[o.key] ?? {}) });
        sent++;
        judge(o.key, `path id ${bad}`, r, failures, accepted, false);
      }
    }
    if (o.method !== 'DELETE') {
      const url = o.path.replace('{id}', String(realId)).replace('{role}', 'guardian');
      const hasBody = !!o.op.requestBody;
      let textAccepted = false;
      for (const p of payloadsFor(o, valid[o.key])) {
        const r = await w.api.call(o.method, url, {
          token,
          body: p.raw === undefined ? p.body : undefined,
          raw: p.raw as any,
          headers: p.ctype ? { 'content-type': p.ctype } : {},
          timeoutMs: 20_000,
        });
        sent++;
        // acceptable 2xx: hostile *text* in a valid body, or an operation that takes no body at all
        const ok = TEXT_OK.has(p.name) || !hasBody || (EMPTYISH.has(p.name) && requiredOf(o).length === 0);
        judge(o.key, p.name, r, failures, accepted, ok);
        if (r.status >= 200 && r.status < 300) anyAccepted = true;
        if (p.name.startsWith('text:') && r.status >= 200 && r.status < 300) textAccepted = true;
        // where hostile text was taken as text, an XML-illegal character is refused: 400 naming the field
        if (p.name.startsWith('xml:') && textAccepted && (r.status !== 400 || !JSON.stringify(r.body?.message ?? '').includes('含有无法保存的特殊字符'))) {
          failures.push({ op: o.key, payload: p.name, status: r.status, body: `expected 400 naming the field: ${JSON.stringify(r.body).slice(0, 200)}` });
        }
        if (p.name.startsWith('xml:') && r.status === 400) xmlRefused++;
      }
    }
    const after = await rows.counts();
    const diff = diffCounts(before, after);
    if (!anyAccepted && diff.length) failures.push({ op: o.key, payload: '(all rejected)', status: 0, body: `rows changed: ${diff.join(', ')}` });
    if (!anyAccepted) unchanged.push(o.key);
    before = after;
  }
  console.log(
    `fuzz: ${ops.length} write operations, ${sent} hostile requests, ${failures.length} failures; ${accepted.length} accepted as text (${accepted.slice(0, 12).join('; ')}${accepted.length > 12 ? '…' : ''}); ` +
      `row counts unchanged after ${unchanged.length} all-rejected operations; ${xmlRefused} XML-illegal texts refused with 400; ${withFields} 400s with fields`,
  );
  expect(failures).toEqual([]);
  expect(xmlRefused).toBeGreaterThan(50);
  expect(withFields).toBeGreaterThan(200);
  // the stored profile did not take a role from a body
  const me = await w.api.call('GET', '/api/me', { token: w.s['demo-parent'].token });
  expect(me.body.role ?? me.body.user?.role).toBe('resident');
});

test('hostile query strings on every GET never answer 5xx; their 400s are plain Chinese', async () => {
  const failures: Failure[] = [];
  let sent = 0;
  const token = w.s['demo-town'].token;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    const op = item.get;
    if (!op) continue;
    const params = (op.parameters ?? []).filter((p: any) => p.in === 'query');
    if (!params.length) continue;
    const url = path.replace('{id}', String(w.fx.hazardB ?? 1)).replace(/\{[^}]+\}/g, '1');
    for (const bad of [
      ...Object.values(INJECTION),
      ...Object.values(XML_ILLEGAL),
      UNICODE.nul,
      UNICODE.loneSurrogate,
      'x'.repeat(10_000),
      '-1',
      '1e999',
      '[]',
      '{"$gt":""}',
    ]) {
      const q: Record<string, string> = {};
      for (const p of params) q[p.name] = bad;
      const r = await w.api.call('GET', url, { token, query: q });
      sent++;
      if (r.status < 0 || r.status >= 500)
        failures.push({ op: `GET ${path}`, payload: bad.slice(0, 40), status: r.status, body: JSON.stringify(r.body).slice(0, 200) });
      const english = notPlainChinese(r);
      if (english.length)
        failures.push({ op: `GET ${path}`, payload: bad.slice(0, 40), status: r.status, body: `not plain Chinese: ${JSON.stringify(english).slice(0, 200)}` });
    }
  }
  console.log(`fuzz: ${sent} hostile query strings, ${failures.length} failures`);
  expect(failures).toEqual([]);
});

// ------------------------------------------------------------------ uploads

/** A PNG of width×height, 1-bit grey, all zero: a few KB on the wire, `width*height` pixels to decode. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth 1
  ihdr[9] = 0; // greyscale
  const row = Math.ceil(width / 8) + 1;
  const raw = Buffer.alloc(row * height); // filter byte 0 + zero pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A zip named like a roster whose one sheet entry inflates to `size` bytes of blanks (a zip bomb in a few KB);
 * `declared` lies about that size in the headers.
 */
function inflatingXlsx(size: number, declared = size): Buffer {
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const data = Buffer.alloc(size, 0x20);
  const comp = deflateRawSync(data, { level: 9 });
  const crc = crc32(data) >>> 0;
  const head = (sig: number, len: number) => {
    const b = Buffer.alloc(len);
    b.writeUInt32LE(sig, 0);
    return b;
  };
  const lh = head(0x04034b50, 30);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt16LE(8, 8);
  lh.writeUInt32LE(crc, 14);
  lh.writeUInt32LE(comp.length, 18);
  lh.writeUInt32LE(declared, 22);
  lh.writeUInt16LE(name.length, 26);
  const ch = head(0x02014b50, 46);
  ch.writeUInt16LE(20, 4);
  ch.writeUInt16LE(20, 6);
  ch.writeUInt16LE(8, 10);
  ch.writeUInt32LE(crc, 16);
  ch.writeUInt32LE(comp.length, 20);
  ch.writeUInt32LE(declared, 24);
  ch.writeUInt16LE(name.length, 28);
  const eocd = head(0x06054b50, 22);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + name.length, 12);
  eocd.writeUInt32LE(30 + name.length + comp.length, 16);
  return Buffer.concat([lh, name, comp, ch, name, eocd]);
}

function multipart(
  parts: { name: string; filename?: string; type?: string; data: Buffer | string }[],
  boundary = '----xaFuzz' + Math.random().toString(16).slice(2),
) {
  const bufs: Buffer[] = [];
  for (const p of parts) {
    bufs.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
      ),
    );
    bufs.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    bufs.push(Buffer.from('\r\n'));
  }
  bufs.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(bufs), ctype: `multipart/form-data; boundary=${boundary}` };
}

test('uploads: traversal names, malformed multipart, wrong types, truncated and bomb images are refused with 4xx and store nothing', async () => {
  const good = await jpeg(800, 600);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>');
  const html = Buffer.from('<html><script>alert(1)</script></html>');
  const big = bombPng(16000, 16000); // 256 Mpx: just under libvips' default pixel limit, so only a dimension check stops it
  const traversalTarget = `xa-traversal-${process.pid}-${Date.now()}`;
  const cases: { name: string; mp?: { body: Buffer; ctype: string }; raw?: Buffer | string; ctype?: string; acceptable?: boolean }[] = [
    { name: 'no file field', mp: multipart([{ name: 'other', data: 'x' }]) },
    { name: 'wrong field name', mp: multipart([{ name: 'photo', filename: 'a.jpg', type: 'image/jpeg', data: good }]) },
    {
      name: 'two files',
      mp: multipart([
        { name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: good },
        { name: 'file', filename: 'b.jpg', type: 'image/jpeg', data: good },
      ]),
    },
    { name: 'empty file', mp: multipart([{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: Buffer.alloc(0) }]) },
    { name: 'PDF named .jpg', mp: multipart([{ name: 'file', filename: 'photo.jpg', type: 'image/jpeg', data: pdf }]) },
    { name: 'SVG with script', mp: multipart([{ name: 'file', filename: 'x.svg', type: 'image/svg+xml', data: svg }]) },
    { name: 'HTML named .png', mp: multipart([{ name: 'file', filename: 'x.png', type: 'image/png', data: html }]) },
    { name: 'truncated JPEG', mp: multipart([{ name: 'file', filename: 'cut.jpg', type: 'image/jpeg', data: good.subarray(0, Math.floor(good.length / 2)) }]) },
    { name: 'JPEG header only', mp: multipart([{ name: 'file', filename: 'h.jpg', type: 'image/jpeg', data: good.subarray(0, 20) }]) },
    { name: 'PNG bomb 20000×20000', mp: multipart([{ name: 'file', filename: 'bomb.png', type: 'image/png', data: bombPng(20000, 20000) }]) },
    { name: 'PNG bomb 100000×100000', mp: multipart([{ name: 'file', filename: 'bomb2.png', type: 'image/png', data: bombPng(100000, 1000) }]) },
    { name: 'PNG 16000×16000 (256 Mpx)', mp: multipart([{ name: 'file', filename: 'huge.png', type: 'image/png', data: big }]) },
    {
      name: 'file over the size limit (25 MB)',
      mp: multipart([{ name: 'file', filename: 'big.jpg', type: 'image/jpeg', data: Buffer.concat([good, Buffer.alloc(25 * MB)]) }]),
    },
    {
      name: 'malformed: boundary never closed',
      raw: Buffer.concat([
        Buffer.from('------b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
        good.subarray(0, 500),
      ]),
      ctype: 'multipart/form-data; boundary=----b',
    },
    { name: 'malformed: no boundary parameter', raw: good, ctype: 'multipart/form-data' },
    { name: 'malformed: garbage headers', raw: '--b\r\nthis is not a header\r\n\r\nxx\r\n--b--\r\n', ctype: 'multipart/form-data; boundary=b' },
    { name: 'JSON instead of multipart', raw: '{"file":"x"}', ctype: 'application/json' },
    { name: 'raw JPEG body', raw: good, ctype: 'image/jpeg' },
    {
      name: 'XML-illegal character in a text field',
      mp: multipart([
        { name: 'purpose', data: 'hazard\uFFFF' },
        { name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: good },
      ]),
    },
    // valid images under hostile names are fine to accept; the name must never become a path
    {
      name: 'traversal file name',
      mp: multipart([{ name: 'file', filename: `../../../../../../tmp/${traversalTarget}.jpg`, type: 'image/jpeg', data: good }]),
      acceptable: true,
    },
    {
      name: 'windows traversal file name',
      mp: multipart([{ name: 'file', filename: `..\\..\\..\\..\\tmp\\${traversalTarget}-w.jpg`, type: 'image/jpeg', data: good }]),
      acceptable: true,
    },
    {
      name: 'NUL and script in file name',
      mp: multipart([{ name: 'file', filename: `a\u0000.php<script>.jpg`, type: 'image/jpeg', data: good }]),
      acceptable: true,
    },
  ];
  const failures: Failure[] = [];
  const accepted: string[] = [];
  const token = w.s['demo-parent'].token;
  const before = await rows.counts();
  for (const c of cases.filter((x) => !x.acceptable)) {
    const r = await w.api.call('POST', '/api/media', {
      token,
      raw: (c.mp?.body ?? c.raw) as any,
      headers: { 'content-type': c.mp?.ctype ?? c.ctype! },
      timeoutMs: 30_000,
    });
    judge('POST /api/media', c.name, r, failures, accepted, false);
    if (r.status >= 400 && r.status < 500 && ![400, 413, 415, 422].includes(r.status))
      failures.push({ op: 'POST /api/media', payload: c.name, status: r.status, body: 'expected 400/413/415/422' });
  }
  const after = await rows.counts();
  expect(diffCounts(before, after)).toEqual([]);
  // the server is still fine after the bombs
  expect((await w.api.call('GET', '/api/health')).status).toBe(200);

  for (const c of cases.filter((x) => x.acceptable)) {
    const r = await w.api.call('POST', '/api/media', { token, raw: c.mp!.body as any, headers: { 'content-type': c.mp!.ctype }, timeoutMs: 30_000 });
    judge('POST /api/media', c.name, r, failures, accepted, true);
    if (r.status === 201) expect(JSON.stringify(r.body)).not.toMatch(/\.\.|tmp|php|script/);
  }
  expect(readdirSync('/tmp').filter((f) => f.startsWith(traversalTarget))).toEqual([]);
  expect(existsSync(`/${traversalTarget}.jpg`)).toBe(false);

  // roster import (xlsx/csv) with hostile files
  if (w.fx.campaignB) {
    const vtoken = w.s['demo-village-hekou'].token;
    // a fresh campaign with no signatures, so each file reaches the parser (campaign B is signed: 409 first)
    const fresh = await w.api.call('POST', '/api/pledge-campaigns', {
      token: vtoken,
      body: {
        templateVersionId: w.bodies.campaignB?.templateVersionId,
        orgId: w.org['河口村'],
        deadline: new Date(Date.now() + 20 * 864e5).toISOString(),
        title: '名单上传检查',
      },
    });
    expect(fresh.status).toBe(201);
    const url = `/api/pledge-campaigns/${fresh.body.id}/roster`;
    const rosterCases: [string, { body: Buffer; ctype: string }][] = [
      [
        'PDF named .xlsx',
        multipart([{ name: 'file', filename: 'roster.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: pdf }]),
      ],
      [
        'zip bomb-ish garbage .xlsx',
        multipart([{ name: 'file', filename: 'roster.xlsx', data: Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000, 0xff)]) }]),
      ],
      [
        'csv with formulas and injection',
        multipart([
          {
            name: 'file',
            filename: '../../roster.csv',
            type: 'text/csv',
            data: "姓名,班级,家长电话\n=cmd|' /C calc'!A0,一班,1390000\n'; DROP TABLE user; --,二班,abc\n",
          },
        ]),
      ],
      [
        'csv with NUL and lone surrogates',
        multipart([{ name: 'file', filename: 'r.csv', type: 'text/csv', data: Buffer.from('姓名,班级\n\u0000\uD800,一班\n', 'utf8') }]),
      ],
      ['empty file', multipart([{ name: 'file', filename: 'r.csv', type: 'text/csv', data: Buffer.alloc(0) }])],
      ['no file', multipart([{ name: 'x', data: 'y' }])],
      [
        'malformed multipart',
        { body: Buffer.from('--zz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n姓名'), ctype: 'multipart/form-data; boundary=zz' },
      ],
      [
        'xlsx whose entries inflate past the limit (100 MB in 100 KB)',
        multipart([{ name: 'file', filename: 'roster.xlsx', type: XLSX, data: inflatingXlsx(100 * MB) }]),
      ],
      ['xlsx that lies about its unpacked size', multipart([{ name: 'file', filename: 'roster.xlsx', type: XLSX, data: inflatingXlsx(8 * MB, 1024) }])],
    ];
    const b2 = await rows.counts();
    for (const [name, mp] of rosterCases) {
      const t0 = Date.now();
      const r = await w.api.call('POST', url, { token: vtoken, raw: mp.body as any, headers: { 'content-type': mp.ctype }, timeoutMs: 30_000 });
      judge(`POST ${url}`, name, r, failures, accepted, false);
      if (name.startsWith('xlsx whose entries') && (r.status !== 413 || Date.now() - t0 > 5000))
        failures.push({ op: `POST ${url}`, payload: name, status: r.status, body: `expected a quick 413, took ${Date.now() - t0} ms` });
    }
    expect(diffCounts(b2, await rows.counts())).toEqual([]);
  }
  console.log(`fuzz uploads: ${cases.length} media cases, ${failures.length} failures; accepted: ${accepted.join('; ')}`);
  expect(failures).toEqual([]);
});
