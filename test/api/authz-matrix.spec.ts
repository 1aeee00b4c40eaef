/**
 * The authorisation matrix: every operation of the running server's OpenAPI document, as every role and as
 * nobody, in scope and out of scope, against the declared policy (./policy.ts).
 *
 *  1. every operation is declared (a new endpoint fails here, by name, until someone decides who may call it)
 *  2. role sweep: roles not allowed → 403 (anonymous → 401); allowed roles → never 401/403; nobody → 5xx
 *  3. scope sweep: 柳林村's officers, 白沙镇's officer and another resident calling on 河口村's records → never 2xx
 *     (403/404); the records' own people do get them (so the refusals are not vacuous); lists never leak them;
 *     an orgId outside the caller's subtree is refused; a refusal other than 403/404 (validation or state first) fails
 *  4. body sweep: every integer id field inside a request body (declared in BODY_REFS) given a record of 河口村 or
 *     another user's upload, by 白沙镇's officer on their own record → refused, nothing stored; without it → 2xx
 * Runs on MariaDB (scratch database on the shared server, real migrations) or on SQLite with PROOF_DB=sqlite.
 */
import { Api, ROLE_ACCOUNTS } from '../support/api';
import { buildWorld, World } from '../support/fixtures';
import { scratchDatabase, ScratchDb, ServerProcess, spawnServer } from '../support/proc';
import { FIELD_KINDS, FieldType } from '@xiangan/shared';
import { ALL, BODY_REFS, BodyRefKind, POLICY, Policy } from './policy';

jest.setTimeout(180_000);

let db: ScratchDb | null = null;
let srv: ServerProcess;
let w: World;
let doc: any;
const ops: { key: string; method: string; path: string; op: any }[] = [];

beforeAll(async () => {
  const env: Record<string, string> = { SEED_DEMO: 'true' };
  if (process.env.PROOF_DB !== 'sqlite') {
    db = await scratchDatabase();
    env.DATABASE_URL = db.url;
  }
  srv = await spawnServer({ env, h5: false });
  w = await buildWorld(srv.baseUrl);
  doc = (await w.api.call('GET', '/api/docs-json')).body;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op: item[method] });
    }
  }
});

afterAll(async () => {
  await srv?.stop();
  await db?.drop();
});

const day = (d: number) => new Date(Date.now() + d * 864e5).toISOString().slice(0, 10);

/** A valid-looking value for a query parameter by its name and schema. */
function queryValue(p: any, orgId: number): string {
  const n = p.name as string;
  const s = p.schema ?? {};
  if (n === 'orgId') return String(orgId);
  if (n === 'month') return new Date().toISOString().slice(0, 7);
  if (n === 'year') return String(new Date().getFullYear());
  if (n === 'from') return day(-90);
  if (n === 'to') return day(0);
  if (n === 'bbox') return '106.3,29.4,106.8,29.8';
  if (n === 'page') return '1';
  if (n === 'pageSize') return '20';
  if (s.enum?.length) return String(s.enum[0]);
  if (s.type === 'integer' || s.type === 'number') return '1';
  if (s.type === 'boolean') return 'true';
  if (s.format === 'date') return day(0);
  return '测试';
}

function urlFor(o: (typeof ops)[number], pol: Policy, id: string | number, orgId: number | null, extraQuery: Record<string, string> = {}) {
  let path = o.path.replace('{id}', String(id));
  for (const [k, v] of Object.entries(pol.params ?? {})) path = path.replace(`{${k}}`, v);
  path = path.replace(/\{[^}]+\}/g, '1');
  const q = new URLSearchParams();
  for (const p of o.op.parameters ?? []) {
    if (p.in !== 'query') continue;
    if (p.name === 'orgId' ? orgId !== null : p.required) q.set(p.name, queryValue(p, orgId ?? 0));
  }
  for (const [k, v] of Object.entries(extraQuery)) q.set(k, v);
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Plausible valid bodies for the scope sweep, so an outsider's refusal comes from scope and not from validation. */
function validBody(key: string): unknown {
  const hekou = w.org['河口村'];
  const bodies: Record<string, unknown> = {
    'POST /api/hazards/{id}/assign': { responsibleOrgId: hekou, deadline: day(10), level: 'general', note: '村委会负责' },
    'POST /api/hazards/{id}/start': {},
    'POST /api/hazards/{id}/rectify': { note: '已整改完毕' },
    'POST /api/hazards/{id}/verify': { passed: true, note: '复查合格' },
    'POST /api/hazards/{id}/reject': { reason: '经核实不属于安全隐患' },
    'POST /api/hazards/{id}/escalate': { department: '青山县水利局', note: '需县级协调' },
    'POST /api/hazards/{id}/reopen': { note: '又出现了' },
    'POST /api/hazards/{id}/comment': { note: '我也看到了' },
    'POST /api/hazards/{id}/confirm': { fixed: true },
    'PUT /api/orgs/{id}/hazard-settings': { overdueClimbDays: 7 },
    'POST /api/pledge-signatures/{id}/void': { reason: '非监护人代签' },
    'PATCH /api/messages/{id}': { title: '改过的标题' },
    'POST /api/messages/{id}/remind-units': {},
    'PATCH /api/inspections/{id}': { metrics: { inspectors: 3 } },
    'PUT /api/inspections/{id}': { metrics: { inspectors: 3 } },
    'PUT /api/risk-sites/{id}': { kind: 'pond', name: '河口村山塘' },
    'POST /api/risk-sites/{id}/patrols': { inspectors: 1, notes: '巡查' },
    'PUT /api/incidents/{id}': { kind: 'fire', date: new Date(Date.now() + 8 * 3600_000 - 86400_000).toISOString().slice(0, 10), title: '改过的事件' },
    'POST /api/media/{id}/review': { verdict: 'risky' },
  };
  return bodies[key] ?? bodies[key.replace(/^PUT /, 'PATCH ')] ?? {};
}

const isOk = (s: number) => s >= 200 && s < 300;

test('every operation in the OpenAPI document is declared in policy.ts', () => {
  expect(ops.length).toBeGreaterThan(50);
  const missing = ops.filter((o) => !POLICY[o.key]).map((o) => o.key);
  expect(missing).toEqual([]);
});

test('every declared operation still exists (the table is not stale)', () => {
  const keys = new Set(ops.map((o) => o.key));
  expect(Object.keys(POLICY).filter((k) => !keys.has(k))).toEqual([]);
});

test('role sweep: every operation as every role and as nobody', async () => {
  const violations: string[] = [];
  let calls = 0;
  const api: Api = w.api;
  for (const o of ops) {
    const pol = POLICY[o.key];
    if (!pol) continue;
    const body = ['POST', 'PUT', 'PATCH'].includes(o.method) ? {} : undefined;
    const callers: [string, string | undefined, number][] = [
      ['anonymous', undefined, w.org['石桥镇']],
      ...Object.entries(ROLE_ACCOUNTS).map(([role, openid]) => [role, w.s[openid].token, w.s[openid].user.orgId] as [string, string, number]),
    ];
    await Promise.all(
      callers.map(async ([role, token, orgId]) => {
        const r = await api.call(o.method, urlFor(o, pol, 999999, orgId), { token, body });
        calls++;
        const tag = `${o.key} as ${role}: ${r.status} ${typeof r.body === 'object' && !Buffer.isBuffer(r.body) ? JSON.stringify(r.body).slice(0, 120) : ''}`;
        if (r.status < 0 || r.status >= 500) return violations.push(`${tag} (never 5xx / hang)`);
        if (pol.roles === 'public') {
          if (pol.scope !== 'signed' && (r.status === 401 || r.status === 403)) violations.push(`${tag} (public)`);
          return;
        }
        if (role === 'anonymous') {
          if (r.status !== 401) violations.push(`${tag} (expected 401)`);
        } else if (!pol.roles.includes(role as any)) {
          if (r.status !== 403) violations.push(`${tag} (expected 403: role not allowed)`);
        } else if (r.status === 401 || r.status === 403) violations.push(`${tag} (role allowed, expected no 401/403)`);
        if (r.status >= 400 && r.status < 500 && (typeof r.body !== 'object' || !r.body?.message)) violations.push(`${tag} (4xx without a message)`);
      }),
    );
  }
  console.log(`authz role sweep: ${ops.length} operations × ${ALL.length + 1} callers = ${calls} calls, ${violations.length} violations`);
  expect(violations).toEqual([]);
});

test('scope sweep: outsiders never get 河口村 / 石桥镇 records; their own people do', async () => {
  const violations: string[] = [];
  const unproven: string[] = [];
  let calls = 0;
  const api = w.api;
  const covered: string[] = [];
  // GETs first (insiders + outsiders), then writes (outsiders only), so a write cannot change what a GET sees
  const withFixture = ops.filter((o) => POLICY[o.key]?.fixture).sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
  for (const o of withFixture) {
    const pol = POLICY[o.key];
    const id = w.fx[pol.fixture!];
    if (id === undefined) {
      unproven.push(`${o.key}: fixture ${pol.fixture} not available`);
      continue;
    }
    covered.push(o.key);
    const body = o.method === 'GET' ? undefined : validBody(o.key);
    if (o.method === 'GET') {
      for (const who of pol.insiders ?? []) {
        const r = await api.call('GET', urlFor(o, pol, id, null), { token: w.s[who].token });
        calls++;
        if (!isOk(r.status)) violations.push(`${o.key} #${id} as insider ${who}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)} (expected 2xx)`);
      }
    }
    if (pol.scope === 'signed') {
      const r = await api.call('GET', urlFor(o, pol, id, 0), {});
      calls++;
      if (isOk(r.status) || r.status >= 500) violations.push(`${o.key} #${id} anonymous without a signature: ${r.status} (expected 401/403/404)`);
      if (pol.signedFrom) {
        // the signed URL handed out in an allowed answer works without a token; a forged or moved one does not
        const sf = pol.signedFrom;
        const from = await api.call('GET', sf.path.replace('{id}', String(w.fx[sf.fixture])), { token: w.s[sf.as].token });
        const base = urlFor(o, pol, id, 0).split('?')[0];
        const url = (JSON.stringify(from.body).match(/"(\/api\/[^"]*?sig=[^"]+)"/g) ?? [])
          .map((m) => JSON.parse(m))
          .find((u: string) => u.split('?')[0] === base);
        if (!url) violations.push(`${o.key}: no signed URL for #${id} in GET ${sf.path} as ${sf.as} (${from.status})`);
        else {
          const ok = await api.call('GET', url, {});
          const forged = await api.call('GET', url.replace(/sig=[^&]+/, 'sig=' + 'A'.repeat(43)), {});
          const moved = await api.call('GET', url.replace(`/${id}`, `/${Number(id) + 1}`), {});
          const expired = await api.call('GET', url.replace(/exp=\d+/, 'exp=1000000000'), {});
          calls += 4;
          if (!isOk(ok.status)) violations.push(`${o.key}: its own signed URL answered ${ok.status}`);
          for (const [what, r2] of [
            ['forged', forged],
            ['moved', moved],
            ['expired', expired],
          ] as const) {
            if (isOk(r2.status) || r2.status >= 500) violations.push(`${o.key}: a ${what} signed URL answered ${r2.status}`);
          }
        }
      }
    }
    for (const who of pol.outsiders ?? []) {
      const r = await api.call(o.method, urlFor(o, pol, id, null), { token: w.s[who].token, body });
      calls++;
      const tag = `${o.key} #${id} as outsider ${who}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`;
      if (isOk(r.status) || r.status < 0 || r.status >= 500) violations.push(tag);
      else if (r.status !== 403 && r.status !== 404) violations.push(`${tag} (refused, but not for scope: expected 403/404)`);
    }
  }
  // an orgId outside the caller's subtree (officers; a resident's lists hold only their own records: listLeak below)
  const orgQueryOps = ops.filter(
    (o) => o.method === 'GET' && POLICY[o.key]?.scope === 'org' && (o.op.parameters ?? []).some((p: any) => p.in === 'query' && p.name === 'orgId'),
  );
  for (const o of orgQueryOps) {
    const pol = POLICY[o.key];
    for (const [who, orgId] of [
      ['demo-village', w.org['河口村']],
      ['demo-grid', w.org['河口村']],
      ['demo-town-baisha', w.org['石桥镇']],
    ] as [string, number][]) {
      if (pol.roles === 'public' || !pol.roles.includes(w.s[who].user.role as any)) continue;
      const r = await api.call('GET', urlFor(o, pol, 999999, orgId), { token: w.s[who].token });
      calls++;
      if (isOk(r.status) || r.status >= 500) violations.push(`${o.key} orgId=${orgId} as ${who}: ${r.status} (expected 403/404)`);
    }
  }
  // lists never carry the records to outsiders
  for (const o of ops.filter((x) => x.method === 'GET' && POLICY[x.key]?.listLeak)) {
    const pol = POLICY[o.key];
    const id = w.fx[pol.listLeak!];
    if (id === undefined) continue;
    for (const who of ['demo-resident', 'demo-village', 'demo-grid', 'demo-town-baisha']) {
      if (pol.roles === 'public' || !pol.roles.includes(w.s[who].user.role as any)) continue;
      const q: Record<string, string> = o.path === '/api/feed' || o.path === '/api/hazards' || o.path === '/api/messages' ? { pageSize: '100' } : {};
      const r = await api.call('GET', urlFor(o, pol, 999999, null, q), { token: w.s[who].token });
      calls++;
      const items: any[] = Array.isArray(r.body) ? r.body : (r.body?.items ?? r.body?.hazards ?? r.body?.points ?? []);
      const leaked = items.filter((it) => it?.id === id || it?.messageId === id || it?.hazardId === id || it?.signatureId === id);
      if (leaked.length) violations.push(`${o.key} as ${who} lists ${pol.listLeak} #${id}`);
      if (r.status >= 500) violations.push(`${o.key} as ${who}: ${r.status}`);
    }
  }
  console.log(
    `authz scope sweep: ${covered.length} record operations, ${orgQueryOps.length} orgId operations, ${calls} calls, ${violations.length} violations`,
  );
  expect(violations).toEqual([]);
  // an operation whose policy names a fixture the world did not make is not swept at all: that is a gap, not a pass
  expect(unproven).toEqual([]);
  // the fixtures exist for the core features, so the sweep is not vacuous
  for (const f of ['hazardB', 'mediaB', 'campaignB', 'signatureB', 'messageB', 'inspectionB'])
    expect({ fixture: f, id: w.fx[f] }).toEqual({ fixture: f, id: expect.any(Number) });
});

// ---- ids inside request bodies ---------------------------------------------------------------------------

const schemaOf = (s: any): any => (s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s);

/** Integer `…Id` / `…Ids` fields of an operation's JSON body, as paths (`photoIds`, `body[].mediaId`, `audience.orgIds`). */
function bodyIdFields(op: any): string[] {
  const out: string[] = [];
  const walk = (s0: any, prefix: string, depth: number) => {
    const s = schemaOf(s0);
    if (!s || depth > 6) return;
    for (const x of s.allOf ?? []) walk(x, prefix, depth + 1);
    for (const [k, v0] of Object.entries<any>(s.properties ?? {})) {
      const v = schemaOf(v0);
      const path = prefix ? `${prefix}.${k}` : k;
      const numeric = (x: any) => x && (x.type === 'integer' || x.type === 'number');
      if (v?.type === 'array') {
        const it = schemaOf(v.items);
        if (/Ids?$/.test(k) && numeric(it)) out.push(path);
        else if (it?.properties || it?.allOf) walk(it, `${path}[]`, depth + 1);
      } else if (/Ids?$/.test(k) && numeric(v)) out.push(path);
      else if (v?.properties || v?.allOf) walk(v, path, depth + 1);
    }
  };
  walk(op.requestBody?.content?.['application/json']?.schema, '', 0);
  return out;
}

/** A PUT twin of a PATCH route shares the PATCH route's declaration (wx.request has no PATCH). */
const bodyRef = (key: string): BodyRefKind | undefined => BODY_REFS[key] ?? (key.startsWith('PUT ') ? BODY_REFS[`PATCH ${key.slice(4)}`] : undefined);

function bodyFieldKeys(): string[] {
  return ops.filter((o) => ['POST', 'PUT', 'PATCH'].includes(o.method)).flatMap((o) => bodyIdFields(o.op).map((f) => `${o.key} ${f}`));
}

test('every id field inside a request body is declared in policy.ts (BODY_REFS), and none is stale', () => {
  const keys = bodyFieldKeys();
  expect(keys.length).toBeGreaterThan(20);
  expect(keys.filter((k) => !bodyRef(k))).toEqual([]);
  const have = new Set(keys);
  expect(Object.keys(BODY_REFS).filter((k) => !have.has(k))).toEqual([]);
});

test('body sweep: ids of 河口村 records and other users’ uploads inside bodies are refused and nothing is stored', async () => {
  const api = w.api;
  const me = w.s['demo-town-baisha'];
  const baishaVillage = w.org['白沙村'];
  const baishaTown = w.org['白沙镇'];
  const foreign: Record<'media' | 'hazard' | 'org' | 'user' | 'site', number | undefined> = {
    media: w.fx.mediaB,
    hazard: w.fx.hazardB,
    org: w.org['河口村'],
    user: w.s['demo-village-hekou'].user.id,
    site: w.fx.riskSiteB,
  };
  for (const [k, v] of Object.entries(foreign)) expect({ foreign: k, id: v }).toEqual({ foreign: k, id: expect.any(Number) });
  let seq = 0;
  const call = (method: string, path: string, body?: unknown) =>
    api.call(method, path, { token: me.token, body, headers: { 'Idempotency-Key': `body-sweep-${Date.now()}-${++seq}` } });
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    if (!isOk(r.status)) throw new Error(`setup ${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  // 白沙镇's own records to act on, in the state each action needs
  const STATES = ['reported', 'assigned', 'rectifying', 'rectified', 'closed'];
  const STEPS: [string, unknown][] = [
    ['assign', { responsibleOrgId: baishaVillage, deadline: day(10), level: 'general' }],
    ['start', {}],
    ['rectify', { note: '已整改完毕' }],
    ['verify', { passed: true, note: '复查合格' }],
  ];
  const hazardIn = async (state: string) => {
    const h = await must('POST', '/api/hazards', { category: 'fire', description: '白沙村路边电线私拉乱接', orgId: baishaVillage });
    for (const [action, body] of STEPS.slice(0, STATES.indexOf(state))) await must('POST', `/api/hazards/${h.id}/${action}`, body);
    return h.id as number;
  };
  const fieldBody = (p: string) => {
    const type = ({ inspections: 'inspection', enforcements: 'enforcement', drills: 'drill', activities: 'activity' } as Record<string, FieldType>)[p];
    const [kind, rule] = Object.entries(FIELD_KINDS[type])[0];
    const metrics = Object.fromEntries(
      Object.entries(rule.metrics)
        .filter(([, r]) => r.required)
        .map(([m]) => [m, 1]),
    );
    return { kind, sector: 'fire', orgId: baishaVillage, metrics };
  };
  const message = () => ({ title: '白沙镇防火提醒', category: 'fire', body: [{ type: 'p', text: '注意用电安全。' }], audience: { orgIds: [baishaTown] } });
  const HAZARD_ACTION: Record<string, [string, unknown]> = {
    assign: ['reported', { responsibleOrgId: baishaVillage, deadline: day(10), level: 'general' }],
    start: ['assigned', {}],
    rectify: ['rectifying', { note: '已整改完毕' }],
    verify: ['rectified', { passed: true, note: '复查合格' }],
    reopen: ['closed', { note: '又出现了' }],
    confirm: ['closed', { fixed: false, note: '没修好，护栏还是缺着' }],
    comment: ['reported', { note: '去看过了' }],
    reject: ['reported', { reason: '经核实已处理' }],
  };

  /** The caller's own record for an operation: the URL, an otherwise-valid body, and a GET whose answer must not move. */
  const caseFor = async (key: string): Promise<{ path: string; base: Record<string, unknown>; probe: string }> => {
    const [method, route] = key.split(' ');
    const fieldType = route.match(/^\/api\/(inspections|enforcements|drills|activities)(\/\{id\})?$/);
    const action = route.match(/^\/api\/hazards\/\{id\}\/(\w+)$/);
    if (route === '/api/hazards')
      return { path: route, base: { category: 'fire', description: '白沙村桥头护栏缺失', orgId: baishaVillage }, probe: '/api/hazards?pageSize=100' };
    if (action) {
      const [state, base] = HAZARD_ACTION[action[1]];
      const id = await hazardIn(state);
      return { path: `/api/hazards/${id}/${action[1]}`, base: base as Record<string, unknown>, probe: `/api/hazards/${id}` };
    }
    if (route === '/api/messages') return { path: route, base: message(), probe: '/api/messages?pageSize=100' };
    if (route === '/api/messages/{id}') {
      const m = await must('POST', '/api/messages', message());
      return { path: `/api/messages/${m.id}`, base: { title: '白沙镇防火提醒（改）' }, probe: `/api/messages/${m.id}` };
    }
    if (route === '/api/messages/{id}/remind-units') {
      const m = await must('POST', '/api/messages', message());
      await must('POST', `/api/messages/${m.id}/publish`, {});
      return { path: `/api/messages/${m.id}/remind-units`, base: {}, probe: `/api/messages/${m.id}/stats` };
    }
    if (fieldType && !fieldType[2]) return { path: route, base: fieldBody(fieldType[1]), probe: `${route}?pageSize=100` };
    if (fieldType) {
      const r = await must('POST', `/api/${fieldType[1]}`, fieldBody(fieldType[1]));
      return { path: `/api/${fieldType[1]}/${r.id}`, base: { notes: '补充记录' }, probe: `/api/${fieldType[1]}/${r.id}` };
    }
    if (route === '/api/me') return { path: route, base: { name: me.user.name ?? '黄立新' }, probe: '/api/me' };
    if (route === '/api/pledge-campaigns') {
      const tpls = await must('GET', '/api/pledge-templates');
      return {
        path: route,
        base: { templateVersionId: tpls[0].latest.id, orgId: baishaVillage, deadline: new Date(Date.now() + 20 * 864e5).toISOString() },
        probe: '/api/pledge-campaigns?pageSize=100',
      };
    }
    // registers: risk sites, patrols, incidents of 白沙村
    const site = () => ({ kind: 'pond', name: '白沙村山塘', orgId: baishaVillage });
    const incident = () => ({
      kind: 'fire',
      date: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
      title: '白沙村柴火堆起火',
      orgId: baishaVillage,
    });
    if (route === '/api/risk-sites') return { path: route, base: site(), probe: '/api/risk-sites?pageSize=100' };
    if (route === '/api/risk-sites/{id}') {
      const s = await must('POST', '/api/risk-sites', site());
      return { path: `/api/risk-sites/${s.id}`, base: { kind: 'pond', name: '白沙村山塘（改）' }, probe: `/api/risk-sites/${s.id}` };
    }
    if (route === '/api/risk-sites/{id}/patrols') {
      const s = await must('POST', '/api/risk-sites', site());
      return { path: `/api/risk-sites/${s.id}/patrols`, base: { inspectors: 1, notes: '巡查' }, probe: `/api/site-patrols?siteId=${s.id}` };
    }
    if (route === '/api/incidents') return { path: route, base: incident(), probe: '/api/incidents?pageSize=100' };
    if (route === '/api/incidents/{id}') {
      const i = await must('POST', '/api/incidents', incident());
      return { path: `/api/incidents/${i.id}`, base: { ...incident(), orgId: undefined, title: '白沙村柴火堆起火（改）' }, probe: `/api/incidents/${i.id}` };
    }
    if (route === '/api/pledge-templates') {
      const tpls = await must('GET', '/api/pledge-templates');
      const { title, body, signers, fields } = tpls[0].latest;
      return { path: route, base: { kind: tpls[0].kind, title: `${title}（白沙镇）`, body, signers, fields }, probe: '/api/pledge-templates' };
    }
    if (route === '/api/invitations') return { path: route, base: { role: 'village_officer', orgId: baishaVillage }, probe: '/api/invitations?pageSize=100' };
    // people: a resident of 白沙村 (a fresh dev login), handed over to the town officer himself
    const person = async () =>
      (await must('POST', '/api/auth/dev', { openid: `body-sweep-person-${Date.now()}-${++seq}`, orgId: baishaVillage })).user.id as number;
    if (route === '/api/people/{id}') {
      const id = await person();
      return { path: `/api/people/${id}`, base: { orgId: baishaVillage }, probe: `/api/people?pageSize=100&orgId=${baishaVillage}` };
    }
    if (route === '/api/people/{id}/handover') {
      const id = await person();
      return { path: `/api/people/${id}/handover`, base: { toUserId: me.user.id, disable: false }, probe: `/api/people?pageSize=100&orgId=${baishaVillage}` };
    }
    throw new Error(`body sweep: no case for ${method} ${route} — add one`);
  };
  /** The field set to one foreign id (an array for `…Ids`; a new item for fields inside arrays). */
  const put = (base: Record<string, unknown>, path: string, id: number) => {
    const b = JSON.parse(JSON.stringify(base));
    if (path === 'body[].mediaId') return { ...b, body: [...(b.body ?? [{ type: 'p', text: '注意安全。' }]), { type: 'image', mediaId: id }] };
    const inArray = path.match(/^(\w+)\[\]\.(\w+)$/);
    if (inArray)
      return {
        ...b,
        [inArray[1]]: [inArray[1] === 'findings' ? { category: 'fire', description: '发现电线私拉乱接', [inArray[2]]: id } : { [inArray[2]]: id }],
      };
    const segs = path.split('.');
    let o = b;
    for (const s of segs.slice(0, -1)) o = o[s] = { ...(o[s] ?? {}) };
    o[segs[segs.length - 1]] = /Ids$/.test(path) ? [id] : id;
    return b;
  };
  const still = (r: { body: unknown }) => JSON.stringify(r.body).replace(/(exp|sig)=[^&"]+/g, '');

  const violations: string[] = [];
  const caught: string[] = [];
  let swept = 0;
  for (const o of ops.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method))) {
    for (const field of bodyIdFields(o.op)) {
      const kind = bodyRef(`${o.key} ${field}`);
      if (!kind || typeof kind === 'object') continue;
      const c = await caseFor(o.key);
      const before = await call('GET', c.probe);
      const bad = put(c.base, field, foreign[kind]!);
      const r = await call(o.method, c.path, bad);
      const after = await call('GET', c.probe);
      swept++;
      const tag = `${o.key} ${field} = ${kind} #${foreign[kind]}`;
      const leaf = field.split('.').pop()!.replace('[]', '');
      // a 400 names the field by its path in `fields` (the message names it in Chinese for people)
      const refused =
        r.status === 403 ||
        r.status === 404 ||
        (r.status === 400 && (r.body?.fields ?? []).some((f: { field: string }) => f.field.split('.').pop() === leaf) && !!r.body?.message?.length);
      if (!refused) {
        violations.push(`${tag}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)} (expected 400 naming ${leaf}, 403 or 404)`);
        caught.push(`${o.key} ${field}`);
      }
      if (still(before) !== still(after)) {
        violations.push(`${tag}: GET ${c.probe} changed after the refused call`);
        if (!caught.includes(`${o.key} ${field}`)) caught.push(`${o.key} ${field}`);
      }
      if (refused) {
        // the same body without the foreign id goes through: the refusal was the id's
        const ok = await call(o.method, c.path, c.base);
        if (!isOk(ok.status))
          violations.push(`${tag}: the body without it answered ${ok.status} ${JSON.stringify(ok.body).slice(0, 160)} (the sweep proves nothing)`);
      }
    }
  }
  console.log(`authz body sweep: ${swept} id fields, ${violations.length} violations${caught.length ? `\n  accepted a foreign id: ${caught.join(', ')}` : ''}`);
  expect(swept).toBeGreaterThan(20);
  expect(violations).toEqual([]);
});
