/**
 * Day one in a real county, end to end against the BUILT server in production mode on an EMPTY MariaDB:
 * the admin command prints the first admin's invitation → accepted through (fake) WeChat login → the county's
 * unit tree imported from an xlsx (again: nothing changes; a file with bad rows: nothing changes, each row named)
 * → a town officer invited, logs in with WeChat, sees an empty ledger, invites a village officer for their town
 * but not for another town.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { createConnection } from 'mysql2/promise';
import { scratchDatabase, ScratchDb, ServerProcess, SERVER_DIST, spawnServer } from '../support/proc';
import { REPO_ROOT } from '../support/server';

const run = promisify(execFile);
type Cell = string | number | null;

async function xlsx(rows: Cell[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.addRow(['类型', '名称', '上级', '区划代码', '人口']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 青山县: 20 towns × 15 villages × 5 grids (1 821 units); towns and villages with 12-digit codes. */
function county(): Cell[][] {
  const rows: Cell[][] = [['县', '青山县', '', '360101000000', 520000]];
  for (let t = 1; t <= 20; t++) {
    const town = `第${t}镇`;
    const code = `360101${100 + t}000`;
    rows.push(['乡镇', town, '青山县', code, 20000 + t]);
    for (let v = 1; v <= 15; v++) {
      const village = `${town}${v}村`;
      rows.push(['村', village, `青山县/${town}`, `${code.slice(0, 9)}${200 + v}`, 1000 + v]);
      for (let g = 1; g <= 5; g++) rows.push(['网格', `${village}第${g}网格`, `青山县/${town}/${village}`, '', null]);
    }
  }
  return rows;
}

let db: ScratchDb;
let srv: ServerProcess;
let wechat: any;
let sql: Awaited<ReturnType<typeof createConnection>>;

const api = async (method: string, path: string, opts: { token?: string; body?: unknown; form?: FormData } = {}) => {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.baseUrl}/api${path}`, {
    method,
    headers,
    body: opts.form ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
};

const wechatLogin = async (openid: string): Promise<string> => {
  const res = await api('POST', '/auth/wechat', { body: { code: wechat.code(openid) } });
  expect(res.status).toBe(200);
  return res.body.token;
};

const importUnits = (token: string, buf: Buffer, dryRun: boolean) => {
  const form = new FormData();
  form.append('file', new Blob([buf]), 'units.xlsx');
  return api('POST', `/unit-import${dryRun ? '?dryRun=true' : ''}`, { token, form });
};

const count = async (table: string) => Number(((await sql.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as any)[0][0].n);
const unitsDump = async () => JSON.stringify((await sql.query('SELECT id, parentId, type, name, path, code, population FROM org_unit ORDER BY id'))[0]);

beforeAll(async () => {
  db = await scratchDatabase(undefined, 'xa_dayone');

  const { FakeWechat } = require(join(SERVER_DIST, 'testing', 'fake-wechat.js'));
  wechat = await new FakeWechat().start();
  srv = await spawnServer({
    env: { NODE_ENV: 'production', DATABASE_URL: db.url, JWT_SECRET: randomBytes(32).toString('hex'), ...wechat.env() },
    h5: false,
  });
  sql = await createConnection(db.url);
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await srv?.stop();
  await wechat?.stop();
  await db?.drop();
});

test('a county goes from an empty database to its first officers without the dev login', async () => {
  // production: empty, no demo town, no accounts, dev login refused
  expect([await count('org_unit'), await count('app_user')]).toEqual([0, 0]);
  expect((await api('POST', '/auth/dev', { body: { openid: 'demo-admin' } })).status).toBe(403);

  // the admin command, as the README says, with the server's env
  const env = { ...process.env, NODE_ENV: 'production', DATABASE_URL: db.url, JWT_SECRET: srv.env.JWT_SECRET, PUBLIC_BASE_URL: srv.baseUrl, ...wechat.env() };
  const text = await run('pnpm', ['--silent', '--filter', '@xiangan/server', 'admin:invite'], { cwd: REPO_ROOT, env });
  expect(text.stdout).toContain('首位管理员邀请');
  expect(text.stdout).toMatch(/▀|▄|█/); // the terminal QR
  const printedCode = /invite\?code=([A-Za-z0-9_-]{16})/.exec(text.stdout)![1];
  const out = await run('pnpm', ['--silent', '--filter', '@xiangan/server', 'admin:invite', '--json'], { cwd: REPO_ROOT, env });
  const invite = JSON.parse(out.stdout.trim().split('\n').pop()!);
  expect(invite.link).toBe(`${srv.baseUrl}/invite?code=${invite.code}`);
  expect(await count('app_user')).toBe(0); // the command creates no account

  // the first admin opens it and logs in with WeChat; the earlier printed link no longer works
  const adminToken = await wechatLogin('o-county-admin');
  expect((await api('POST', '/invitations/accept', { token: adminToken, body: { code: printedCode } })).status).toBe(409);
  const accepted = await api('POST', '/invitations/accept', { token: adminToken, body: { code: invite.code } });
  expect([accepted.status, accepted.body.role]).toEqual([200, 'admin']);
  expect((await api('GET', '/me', { token: adminToken })).body.role).toBe('admin');
  // single use: a second person gets nothing
  const stranger = await wechatLogin('o-stranger');
  expect((await api('POST', '/invitations/accept', { token: stranger, body: { code: invite.code } })).status).toBe(409);
  expect((await api('GET', '/me', { token: stranger })).body.role).toBe('resident');

  // the county's unit tree: preview, apply, apply again (nothing changes)
  const file = await xlsx(county());
  const preview = await importUnits(adminToken, file, true);
  expect([preview.status, preview.body.created.length, preview.body.errors]).toEqual([200, 1821, []]);
  expect(await count('org_unit')).toBe(0);
  const t0 = Date.now();
  const applied = await importUnits(adminToken, file, false);
  const ms = Date.now() - t0;
  console.log(`e2e: 1 821 units imported on MariaDB in ${ms} ms (service ${applied.body.ms} ms)`);
  expect([applied.status, applied.body.applied]).toEqual([200, true]);
  expect(await count('org_unit')).toBe(1821);
  const dump = await unitsDump();
  const again = await importUnits(adminToken, file, false);
  expect(again.body).toMatchObject({ created: [], moved: [], renamed: [], updated: [], unchanged: 1821 });
  expect(await unitsDump()).toBe(dump);

  // a file with bad rows: refused, every bad row named, nothing changes
  const bad = await importUnits(
    adminToken,
    await xlsx([
      ['村', '第1镇16村', '青山县/第1镇', '', 900], // row 2: fine on its own
      ['小区', '阳光小区', '青山县/第1镇', '', null], // row 3: unknown type
      ['村', '错放村', '青山县/第1镇/第1镇1村/第1镇1村第1网格', '', null], // row 4: village under a grid
      ['村', '甲村', '青山县/第1镇', '360101101299', null], // row 5
      ['村', '乙村', '青山县/第1镇', '360101101299', null], // row 6: duplicate code
    ]),
    false,
  );
  expect(bad.status).toBe(400);
  expect(bad.body.message).toEqual([
    expect.stringMatching(/^第 3 行「类型」：「小区」不是可用的单位类型/),
    expect.stringMatching(/^第 4 行「上级」：村「错放村」不能放在网格/),
    expect.stringMatching(/^第 6 行「区划代码」：区划代码 360101101299 与第 5 行重复/),
  ]);
  expect(await unitsDump()).toBe(dump);

  // a town officer by invitation (WeChat share card / QR), who sees an empty ledger of their town
  const [[town3]]: any = await sql.query("SELECT id FROM org_unit WHERE code = '360101103000'");
  const inv = await api('POST', '/invitations', { token: adminToken, body: { role: 'town_officer', orgId: town3.id, hours: 72 } });
  expect([inv.status, inv.body.orgName, inv.body.pagePath]).toEqual([201, '第3镇', `pages/invite/index?code=${inv.body.code}`]);
  const qr = await fetch(`${srv.baseUrl}/api/invitations/${inv.body.id}/qrcode`, { headers: { Authorization: `Bearer ${adminToken}` } });
  expect([qr.status, qr.headers.get('x-qrcode-kind')]).toEqual([200, 'wxacode']);
  const preview3 = await api('GET', `/invitations/code/${inv.body.code}`);
  expect(preview3.body).toMatchObject({ roleLabel: '镇安监办', orgName: '第3镇', status: 'active' });
  const townToken = await wechatLogin('o-town-3-officer');
  const townAcc = await api('POST', '/invitations/accept', { token: townToken, body: { code: inv.body.code } });
  expect(townAcc.body).toMatchObject({ role: 'town_officer', orgName: '第3镇' });
  const ledger = await api('GET', '/hazards', { token: townToken });
  expect([ledger.status, ledger.body.total, ledger.body.items]).toEqual([200, 0, []]);
  const seen = await api('GET', '/invitations', { token: adminToken });
  expect(seen.body.items.find((i: any) => i.id === inv.body.id)).toMatchObject({ usedCount: 1, status: 'used_up' });

  // the town officer invites a village officer for their town, not for another town
  const [[v31]]: any = await sql.query("SELECT id FROM org_unit WHERE code = '360101103201'");
  const [[v41]]: any = await sql.query("SELECT id FROM org_unit WHERE code = '360101104201'");
  const own = await api('POST', '/invitations', { token: townToken, body: { role: 'village_officer', orgId: v31.id } });
  expect([own.status, own.body.orgName]).toEqual([201, '第3镇1村']);
  const other = await api('POST', '/invitations', { token: townToken, body: { role: 'village_officer', orgId: v41.id } });
  expect([other.status, other.body.message]).toEqual([403, '单位「第4镇1村」不在您的管辖范围内']);
  const higher = await api('POST', '/invitations', { token: townToken, body: { role: 'admin' } });
  expect(higher.status).toBe(403);
  const villageToken = await wechatLogin('o-village-3-1');
  expect((await api('POST', '/invitations/accept', { token: villageToken, body: { code: own.body.code } })).body).toMatchObject({
    role: 'village_officer',
    orgName: '第3镇1村',
  });

  // every change of role is in the audit log
  const [audit]: any = await sql.query("SELECT action, actorRole FROM audit_log WHERE action IN ('user.role_change', 'unit.import') ORDER BY id");
  expect(audit.map((a: any) => a.action)).toEqual(['user.role_change', 'unit.import', 'user.role_change', 'user.role_change']);
}, 300_000);
