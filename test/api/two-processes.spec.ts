/**
 * Two server processes on one MariaDB (a scratch database) and one Redis (a private one: BullMQ queue names
 * must not meet the other engineers' servers on 6379) behave as one:
 *   - both start together on the empty database: migrations run once, the demo town is seeded once
 *   - the same Idempotency-Key sent through both at once → one record, the same answer everywhere
 *   - different keys through both → one record each, hazard codes unique and gapless
 *   - concurrent signatures through both → one chain that verifies
 *   - a publicity fan-out with both as workers → exactly one subscribe message per user
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { Api, pool } from '../support/api';
import { signatureDataUrl, studentFields } from '../support/fixtures';
import { PrivateRedis, scratchDatabase, ScratchDb, SERVER_DIST, ServerProcess, sleep, spawnServer, startPrivateRedis } from '../support/proc';

jest.setTimeout(180_000);

const TPL = 'tpl-two-publicity';
let db: ScratchDb;
let redis: PrivateRedis;
let a: ServerProcess;
let b: ServerProcess;
let wechat: any;
let apiA: Api;
let apiB: Api;
let hekou: number;
let uploads = '';

beforeAll(async () => {
  [db, redis] = await Promise.all([scratchDatabase(), startPrivateRedis()]);

  const { FakeWechat } = require(join(SERVER_DIST, 'testing', 'fake-wechat.js'));
  wechat = await new FakeWechat().start();
  wechat.delayMs = 5;
  // one object store for both, as in production (COS): verify re-reads every signature image, whichever process stored it
  uploads = mkdtempSync(join(tmpdir(), 'xa-two-uploads-'));
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, SEED_DEMO: 'true', WECHAT_TPL_PUBLICITY: TPL, STORAGE_DIR: uploads, ...wechat.env() };
  // both at once on the empty database
  [a, b] = await Promise.all([spawnServer({ env, h5: false }), spawnServer({ env, h5: false })]);
  apiA = new Api(a.baseUrl, 30_000);
  apiB = new Api(b.baseUrl, 30_000);
  const orgs = await apiA.call('GET', '/api/orgs', { token: (await apiA.login('demo-admin')).token });
  const flat: Record<string, number> = {};
  const walk = (ns: any[]) => ns?.forEach((n) => ((flat[n.name] ??= n.id), walk(n.children)));
  walk(Array.isArray(orgs.body) ? orgs.body : [orgs.body]);
  hekou = flat['河口村'];
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await wechat?.stop();
  await redis?.stop();
  await db?.drop();
  if (uploads) rmSync(uploads, { recursive: true, force: true });
});

async function q<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = await createConnection(db.url);
  try {
    const [rows] = await c.query(sql, params);
    return rows as T[];
  } finally {
    await c.end();
  }
}

test('started together on an empty database: migrated once, seeded once', async () => {
  const [{ n: towns }] = await q("SELECT COUNT(*) AS n FROM org_unit WHERE name = '石桥镇'");
  const [{ n: users }] = await q("SELECT COUNT(*) AS n FROM app_user WHERE name = '张建国'");
  const migrations = await q('SELECT name, COUNT(*) AS n FROM typeorm_migrations GROUP BY name HAVING n > 1');
  expect(Number(towns)).toBe(1);
  expect(Number(users)).toBe(1);
  expect(migrations).toEqual([]);
  expect(hekou).toEqual(expect.any(Number));
});

test('the same Idempotency-Key through both processes at once makes one hazard with one answer', async () => {
  const phone = await apiA.login('two-phone-1', 'resident', hekou);
  const KEYS = 25;
  const results = await pool(
    Array.from({ length: KEYS }, (_, i) => i),
    8,
    async (i) => {
      const key = `two-same-${i}-${Date.now()}`;
      const body = { category: 'road_traffic', description: `两个进程同一个键 ${i}`, orgId: hekou };
      const answers = await Promise.all(
        [apiA, apiB, apiA, apiB].map((api) => api.call('POST', '/api/hazards', { token: phone.token, headers: { 'Idempotency-Key': key }, body })),
      );
      return { key, answers };
    },
  );
  const bad = results.filter((r) => r.answers.some((x) => x.status !== 201 && x.status !== 200) || new Set(r.answers.map((x) => x.body.id)).size !== 1);
  expect(bad.map((r) => `${r.key}: ${r.answers.map((x) => `${x.status}#${x.body?.id ?? JSON.stringify(x.body).slice(0, 80)}`).join(', ')}`)).toEqual([]);
  const rows = await q("SELECT clientKey, COUNT(*) AS n FROM hazard WHERE clientKey LIKE 'two-same-%' GROUP BY clientKey");
  expect(rows.length).toBe(KEYS);
  expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
});

test('different keys through both: one hazard each, codes unique', async () => {
  const phones = await Promise.all([0, 1, 2, 3].map((i) => apiB.login(`two-phone-d${i}`, 'resident', hekou)));
  const N = 80;
  const answers = await pool(
    Array.from({ length: N }, (_, i) => i),
    16,
    (i) =>
      (i % 2 ? apiA : apiB).call('POST', '/api/hazards', {
        token: phones[i % 4].token,
        headers: { 'Idempotency-Key': `two-diff-${i}-${Date.now()}` },
        body: { category: 'fire', description: `两个进程不同的键 ${i}`, orgId: hekou },
      }),
  );
  expect(answers.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 100)}`)).toEqual([]);
  const codes = answers.map((r) => r.body.code);
  expect(new Set(codes).size).toBe(N);
  for (const c of codes) expect(c).toMatch(/^YH-\d{4}-\d{6}$/);
  const [{ n, d }] = await q('SELECT COUNT(*) AS n, COUNT(DISTINCT code) AS d FROM hazard');
  expect(Number(n)).toBe(Number(d));
});

test('concurrent signatures through both processes make one chain that verifies', async () => {
  const town = await apiA.login('demo-town');
  const village = await apiB.login('demo-village-hekou');
  const tpls = await apiA.call('GET', '/api/pledge-templates', { token: town.token });
  const version = tpls.body.find((x: any) => x.kind === 'drowning').latest;
  const camp = await apiB.call('POST', '/api/pledge-campaigns', {
    token: village.token,
    body: { templateVersionId: version.id, orgId: hekou, deadline: new Date(Date.now() + 10 * 864e5).toISOString() },
  });
  expect(camp.status).toBe(201);
  const sig = [await signatureDataUrl(21), await signatureDataUrl(22)];
  const parents = await pool(
    Array.from({ length: 20 }, (_, i) => i),
    5,
    (i) => apiA.login(`two-parent-${i}`, 'resident', hekou),
  );
  const N = 100;
  const answers = await pool(
    Array.from({ length: N }, (_, i) => i),
    16,
    (i) =>
      (i % 2 ? apiA : apiB).call('POST', `/api/pledge-campaigns/${camp.body.id}/signatures`, {
        token: parents[i % 20].token,
        headers: { 'Idempotency-Key': `two-sig-${i}-${Date.now()}` },
        body: {
          fields: studentFields(`学生${i}`, `${(i % 6) + 1}年级二班`, `137${String(i).padStart(8, '0')}`),
          signatures: [
            { role: 'guardian', image: sig[0] },
            { role: 'student', image: sig[1] },
          ],
        },
      }),
  );
  expect(answers.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 100)}`)).toEqual([]);
  for (const api of [apiA, apiB]) {
    const v = await api.call('GET', `/api/pledge-campaigns/${camp.body.id}/verify`, { token: village.token });
    expect(v.status).toBe(200);
    expect(v.body).toEqual(expect.objectContaining({ ok: true, count: N, firstBroken: null }));
  }

  // the same key through both at once (signatures keep the key themselves, no reservation row): one signature each
  const KEYS = 10;
  const same = await pool(
    Array.from({ length: KEYS }, (_, i) => i),
    4,
    async (i) => {
      const key = `two-sig-same-${i}-${Date.now()}`;
      const body = {
        fields: studentFields(`同键${i}`, '六年级二班', `136${String(i).padStart(8, '0')}`),
        signatures: [
          { role: 'guardian', image: sig[0] },
          { role: 'student', image: sig[1] },
        ],
      };
      return Promise.all(
        [apiA, apiB, apiA, apiB].map((api) =>
          api.call('POST', `/api/pledge-campaigns/${camp.body.id}/signatures`, { token: parents[i].token, headers: { 'Idempotency-Key': key }, body }),
        ),
      );
    },
  );
  for (const answers of same) {
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
  }
  const v = await apiA.call('GET', `/api/pledge-campaigns/${camp.body.id}/verify`, { token: village.token });
  expect(v.body).toEqual(expect.objectContaining({ ok: true, count: N + KEYS, firstBroken: null }));
});

test('a publicity fan-out with both processes as workers sends exactly one message per user', async () => {
  const USERS = 200;
  await pool(
    Array.from({ length: USERS }, (_, i) => i),
    8,
    async (i) => {
      const api = i % 2 ? apiA : apiB;
      const login = await api.call('POST', '/api/auth/wechat', {
        body: { code: wechat.code(`oTwo${i}`) },
        headers: { 'X-Forwarded-For': `10.9.${i >> 8}.${i & 255}` },
      });
      if (login.status !== 200) throw new Error(`wechat login ${login.status} ${JSON.stringify(login.body)}`);
      expect((await api.call('PATCH', '/api/me', { token: login.body.token, body: { orgId: hekou } })).status).toBe(200);
      const r = await api.call('POST', '/api/subscriptions', { token: login.body.token, body: { templateIds: [TPL], results: { [TPL]: 'accept' } } });
      if (r.status >= 300) throw new Error(`subscribe ${r.status} ${JSON.stringify(r.body)}`);
    },
  );
  const village = await apiA.login('demo-village-hekou');
  const m = await apiA.call('POST', '/api/messages', {
    token: village.token,
    body: { title: '两个进程：防溺水提醒', category: 'drowning', body: [{ type: 'p', text: '请看护好孩子' }], audience: { orgIds: [hekou] } },
  });
  expect(m.status).toBe(201);
  // publish through both at once: one publish wins, one fan-out
  const pubs = await Promise.all([apiA, apiB].map((api) => api.call('POST', `/api/messages/${m.body.id}/publish`, { token: village.token, body: {} })));
  expect(pubs.some((p) => p.status < 300)).toBe(true);
  for (const p of pubs) expect(p.status).toBeLessThan(500);
  const sends = () => wechat.sends.filter((s: any) => s.template_id === TPL);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && new Set(sends().map((s: any) => s.touser)).size < USERS) await sleep(200);
  await sleep(1500);
  const per = new Map<string, number>();
  for (const s of sends()) per.set(s.touser, (per.get(s.touser) ?? 0) + 1);
  console.log(`two processes fan-out: ${per.size}/${USERS} users, ${sends().length} sends`);
  expect(per.size).toBe(USERS);
  expect([...per.entries()].filter(([, n]) => n > 1)).toEqual([]);
});
