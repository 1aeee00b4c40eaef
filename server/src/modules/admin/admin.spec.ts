import ExcelJS from 'exceljs';
import { ADMIN_LIMITS, LIMITS } from '@xiangan/shared';
import { Like } from 'typeorm';
import { loadConfig } from '../../config/app-config';
import { FakeWechat } from '../../testing/fake-wechat';
import { createTestApp, TestApp } from '../../testing/test-app';
import { AuditLog } from '../audit/audit-log.entity';
import { Hazard } from '../hazards/hazard.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { PledgeCampaign } from '../pledges/pledge.entities';
import { User } from '../users/user.entity';
import { createAdminInvitation } from './invitation-code';
import { Invitation } from './invitation.entity';
import { named } from '../../testing/fields';

type Cell = string | number | null;
const HEADER: Cell[] = ['类型', '名称', '上级', '区划代码', '人口'];

async function xlsx(rows: Cell[][], header: Cell[] = HEADER): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 青山县 with `towns` towns × `villages` villages × `grids` grids; towns and villages carry 12-digit codes. */
export function countyRows(towns = 20, villages = 15, grids = 5): Cell[][] {
  const rows: Cell[][] = [['县', '青山县', '', '360101000000', 520000]];
  for (let t = 1; t <= towns; t++) {
    const town = `第${t}镇`;
    const tcode = `360101${String(100 + t).padStart(3, '0')}000`;
    rows.push(['乡镇', town, '青山县', tcode, 20000 + t]);
    for (let v = 1; v <= villages; v++) {
      const village = `${town}${v}村`;
      rows.push(['村', village, `青山县/${town}`, `${tcode.slice(0, 9)}${String(200 + v)}`, 1000 + v]);
      for (let g = 1; g <= grids; g++) rows.push(['网格', `${village}第${g}网格`, `青山县/${town}/${village}`, '', null]);
    }
  }
  return rows;
}

/** Everything stored about units, to prove a refused import changed nothing. */
async function unitSnapshot(t: TestApp): Promise<string> {
  const rows = await t.ds.getRepository(OrgUnit).find({ order: { id: 'ASC' } });
  return JSON.stringify(rows.map((o) => [o.id, o.parentId, o.type, o.name, o.path, o.code, o.population]));
}

const upload = (t: TestApp, auth: Record<string, string>, buf: Buffer, dryRun: boolean) =>
  t.http
    .post(`/api/unit-import${dryRun ? '?dryRun=true' : ''}`)
    .set(auth)
    .attach('file', buf, 'units.xlsx');

describe('production starts empty', () => {
  it('never seeds the demo town (and its demo accounts) in production, even on SQLite', () => {
    const prod = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-0123456789abcdef', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' });
    expect([prod.dbKind, prod.seedDemo]).toEqual(['sqlite', false]);
    expect(loadConfig({}).seedDemo).toBe(true);
  });
});

describe('unit tree import (empty production-like database, first admin by invitation)', () => {
  let wx: FakeWechat;
  let t: TestApp;
  let admin: Record<string, string>;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await createTestApp({ env: wx.env(), seed: 'none' });
    const inv = await t.ds.transaction((m) => createAdminInvitation(m));
    const login = await t.http.post('/api/auth/wechat').send({ code: wx.code('o-first-admin') });
    admin = { Authorization: `Bearer ${login.body.token}` };
    const acc = await t.http.post('/api/invitations/accept').set(admin).send({ code: inv.code });
    expect([acc.status, acc.body.role]).toEqual([200, 'admin']);
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  it('previews a county of 20 towns × 15 villages × 5 grids, applies it in seconds, and a second import changes nothing', async () => {
    const buf = await xlsx(countyRows());
    const preview = await upload(t, admin, buf, true);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ applied: false, rows: 1821, errors: [], moved: [], renamed: [] });
    expect(preview.body.created).toHaveLength(1821);
    expect(await t.ds.getRepository(OrgUnit).count()).toBe(0);

    const started = Date.now();
    const applied = await upload(t, admin, buf, false);
    const ms = Date.now() - started;

    console.log(`unit import of 1821 units (${process.env.TEST_DB ?? 'sqlite'}): ${ms} ms over HTTP, ${applied.body.ms} ms in the service`);
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect(ms).toBeLessThan(15_000);
    expect(await t.ds.getRepository(OrgUnit).count()).toBe(1821);
    const grid = await t.ds.getRepository(OrgUnit).findOneByOrFail({ name: '第7镇3村第2网格' });
    const village = await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: grid.parentId! });
    const town = await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: village.parentId! });
    expect([village.name, village.code, town.name, town.code]).toEqual(['第7镇3村', '360101107203', '第7镇', '360101107000']);
    expect(grid.path).toBe(`${village.path}${grid.id}/`);
    expect(grid.path.split('/').filter(Boolean)).toHaveLength(4);

    const before = await unitSnapshot(t);
    const again = await upload(t, admin, buf, false);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: [], moved: [], renamed: [], updated: [], unchanged: 1821, errors: [] });
    expect(await unitSnapshot(t)).toBe(before);
  });

  it('a later file updates by code or by place — rename, move, population, one new grid — and never duplicates', async () => {
    const units = t.ds.getRepository(OrgUnit);
    const moving = await units.findOneByOrFail({ code: '360101102201' }); // 第2镇1村
    const grid = await units.findOneByOrFail({ name: '第2镇1村第1网格' });
    // someone lives in a grid of the village that moves: their stored path follows the move
    const person = await t.ds
      .getRepository(User)
      .save(t.ds.getRepository(User).create({ openid: 'o-grid-person', role: 'grid_officer', orgId: grid.id, orgPath: grid.path }));
    const rows = countyRows(3, 2, 1).slice(0, 1);
    rows.push(
      ['乡镇', '第1镇（新名）', '青山县', '360101101000', null], // renamed by code
      ['村', '第2镇1村', '360101103000', '360101102201', 1500], // moved to 第3镇 by code, population changed
      ['网格', '第2镇2村第9网格', '青山县/第2镇/第2镇2村', '', null], // new, by place
      ['网格', '第2镇2村第1网格', '青山县/第2镇/第2镇2村', '', null], // existing, by place: unchanged
    );
    const total = await units.count();
    const preview = await upload(t, admin, await xlsx(rows), true);
    expect(preview.status).toBe(200);
    expect(preview.body.errors).toEqual([]);
    expect(preview.body.created.map((c: any) => c.path)).toEqual(['青山县/第2镇/第2镇2村/第2镇2村第9网格']);
    expect(preview.body.renamed).toEqual([expect.objectContaining({ row: 3, from: '第1镇', to: '第1镇（新名）' })]);
    expect(preview.body.moved).toEqual([expect.objectContaining({ row: 4, from: '青山县/第2镇', to: '青山县/第3镇' })]);
    expect(preview.body.updated).toEqual([expect.objectContaining({ row: 4 })]);
    expect(preview.body.unchanged).toBe(2);
    const applied = await upload(t, admin, await xlsx(rows), false);
    expect(applied.status).toBe(200);
    expect(await units.count()).toBe(total + 1);
    const town3 = await units.findOneByOrFail({ code: '360101103000' });
    const moved = await units.findOneByOrFail({ id: moving.id });
    expect([moved.parentId, moved.path, moved.population]).toEqual([town3.id, `${town3.path}${moving.id}/`, 1500]);
    const movedGrid = await units.findOneByOrFail({ id: grid.id });
    expect(movedGrid.path).toBe(`${moved.path}${grid.id}/`);
    expect((await t.ds.getRepository(User).findOneByOrFail({ id: person.id })).orgPath).toBe(movedGrid.path);
    expect((await units.findOneByOrFail({ code: '360101101000' })).name).toBe('第1镇（新名）');
    // the same later file again: nothing
    const again = await upload(t, admin, await xlsx(rows), true);
    expect(again.body).toMatchObject({ created: [], moved: [], renamed: [], updated: [], unchanged: 5 });
    const audit = await t.ds.getRepository(AuditLog).find({ where: { action: 'unit.import' as any } });
    expect(audit.length).toBe(2);
  });

  it('bad rows are each named by row and column, and nothing stored changes (preview and apply)', async () => {
    const before = await unitSnapshot(t);
    const rows: Cell[][] = [
      ['乡镇', '第1镇（新名）', '青山县', '360101101000', null], // row 2: fine
      ['小区', '阳光小区', '青山县/第4镇', '', null], // row 3: unknown type
      ['村', '甲村', '青山县/第4镇/乙村', '', null], // row 4: cycle with row 5
      ['村', '乙村', '青山县/第4镇/甲村', '', null], // row 5
      ['村', '错放村', '青山县/第4镇/第4镇1村/第4镇1村第1网格', '', null], // row 6: village under a grid
      ['村', '重码一村', '青山县/第4镇', '360101104901', null], // row 7
      ['村', '重码二村', '青山县/第4镇', '360101104901', null], // row 8: duplicate code
      ['乡镇', '第5镇', '360101105201', '360101105000', null], // row 9: town under its own village → cycle with stored units
      ['村', '第6镇1村', '青山县/第6镇', '12345', 'many'], // row 10: bad code and population
    ];
    const preview = await upload(t, admin, await xlsx(rows), true);
    expect(preview.status).toBe(200);
    const errs: { row: number; column: string; message: string }[] = preview.body.errors;
    const at = (row: number) => errs.filter((e) => e.row === row);
    expect(at(2)).toEqual([]);
    expect(at(3)).toEqual([expect.objectContaining({ column: '类型', message: expect.stringContaining('小区') })]);
    expect(at(4)[0]).toMatchObject({ column: '上级', message: expect.stringContaining('循环') });
    expect(at(6)).toEqual([expect.objectContaining({ column: '上级', message: expect.stringMatching(/村「错放村」不能放在网格/) })]);
    expect(at(8)).toEqual([expect.objectContaining({ column: '区划代码', message: expect.stringContaining('第 7 行重复') })]);
    expect(at(9).map((e) => `${e.column}：${e.message}`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^上级：.*不能放在村/), expect.stringMatching(/^上级：.*循环/)]),
    );
    expect(
      at(10)
        .map((e) => e.column)
        .sort(),
    ).toEqual(['人口', '区划代码']);
    const apply = await upload(t, admin, await xlsx(rows), false);
    expect(apply.status).toBe(400);
    expect(apply.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^第 3 行「类型」：/), expect.stringMatching(/^第 8 行「区划代码」：/)]));
    expect(await unitSnapshot(t)).toBe(before);
  });

  it('refuses a missing column, a file that is not xlsx, too many rows and too many bytes, naming the limit', async () => {
    const before = await unitSnapshot(t);
    const noParent = await upload(t, admin, await xlsx([['村', '某村']], ['类型', '名称']), true);
    expect(noParent.body.errors).toEqual([expect.objectContaining({ row: 1, column: '上级', message: expect.stringContaining('缺少') })]);
    const csv = await upload(t, admin, Buffer.from('类型,名称,上级\n村,某村,青山县'), true);
    expect([csv.status, named(csv.body)[0]]).toEqual([400, expect.stringMatching(/^file /)]);
    const many = Array.from({ length: ADMIN_LIMITS.unitImportMaxRows + 1 }, (_, i): Cell[] => ['网格', `网格${i}`, '青山县/第4镇/第4镇1村', '', null]);
    const tooMany = await upload(t, admin, await xlsx(many), true);
    expect([tooMany.status, tooMany.body.message[0]]).toEqual([400, expect.stringContaining(`最多 ${ADMIN_LIMITS.unitImportMaxRows}`)]);
    const big = await upload(t, admin, Buffer.concat([Buffer.from('PK'), Buffer.alloc(ADMIN_LIMITS.unitImportMaxBytes + 10)]), true);
    expect(big.status).toBe(413);
    // a small file that unpacks past the limit is refused before it is parsed (issue 13, finding 5's class)
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('单位');
    ws.addRow(['类型', '名称', '上级']);
    ws.addRow(['村', 'x'.repeat(LIMITS.rosterMaxUnpackedBytes + 1024), '青山县']);
    const bomb = Buffer.from(await wb.xlsx.writeBuffer());
    expect(bomb.length).toBeLessThan(ADMIN_LIMITS.unitImportMaxBytes);
    const inflated = await upload(t, admin, bomb, true);
    expect([inflated.status, String(inflated.body.message)]).toEqual([413, expect.stringContaining('MB')]);
    expect(await unitSnapshot(t)).toBe(before);
  });

  it('the template downloads as xlsx and imports as a county of its own on an empty tree (checked by preview only)', async () => {
    const res = await t.http
      .get('/api/unit-import/template')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets[0].getRow(1).values).toEqual([undefined, '类型', '名称', '上级', '区划代码', '人口']);
    // the tree already has 青山县 (code 360101000000): the template's rows match it and add the rest
    const preview = await upload(t, admin, res.body, true);
    expect(preview.body.errors).toEqual([]);
    expect(preview.body.unchanged + preview.body.updated.length).toBe(1);
  });
});

describe('invitations and people (demo town)', () => {
  let wx: FakeWechat;
  let t: TestApp;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await createTestApp({ env: { ...wx.env(), PUBLIC_BASE_URL: 'https://xa.example.cn' } });
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  const wechatUser = async (openid: string) => {
    const res = await t.http.post('/api/auth/wechat').send({ code: wx.code(openid) });
    return { Authorization: `Bearer ${res.body.token}` };
  };

  it('an admin invites a town officer; the invitee logs in with WeChat and is bound; a second person cannot use it', async () => {
    const admin = await t.as('admin');
    const town = t.seed.org.town;
    const created = await t.http.post('/api/invitations').set(admin).send({ role: 'town_officer', orgId: town.id, hours: 48, note: '镇安监办' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'town_officer', orgName: '石桥镇', maxUses: 1, usedCount: 0, status: 'active' });
    expect(created.body.link).toBe(`https://xa.example.cn/invite?code=${created.body.code}`);
    const preview = await t.http.get(`/api/invitations/code/${created.body.code}`);
    expect(preview.body).toMatchObject({ roleLabel: '镇安监办', orgName: '石桥镇', status: 'active' });

    const invitee = await wechatUser('o-new-town-officer');
    const acc = await t.http.post('/api/invitations/accept').set(invitee).send({ code: created.body.code });
    expect(acc.body).toMatchObject({ role: 'town_officer', orgId: town.id, orgName: '石桥镇' });
    const me = await t.http.get('/api/me').set(invitee);
    expect(me.body).toMatchObject({ role: 'town_officer', orgId: town.id });
    // the same person again: fine (a retry), no second use
    expect((await t.http.post('/api/invitations/accept').set(invitee).send({ code: created.body.code })).status).toBe(200);
    const other = await wechatUser('o-someone-else');
    const used = await t.http.post('/api/invitations/accept').set(other).send({ code: created.body.code });
    expect([used.status, used.body.message]).toEqual([409, '此邀请已被使用']);
    expect((await t.http.get('/api/me').set(other)).body.role).toBe('resident');
    const detail = await t.http.get(`/api/invitations/${created.body.id}`).set(admin);
    expect(detail.body).toMatchObject({ usedCount: 1, status: 'used_up', uses: [expect.objectContaining({ userId: me.body.id })] });
    const audit = await t.ds.getRepository(AuditLog).find({ where: { targetId: String(me.body.id) } });
    expect(audit.map((a) => [a.action, (a.detail as any).from, (a.detail as any).to])).toEqual(
      expect.arrayContaining([
        ['user.role_change', 'resident', 'town_officer'],
        ['user.org_change', null, town.id],
      ]),
    );
  });

  it('a town officer invites within their town only, and never above their own role', async () => {
    const townOfficer = await t.as('town');
    const hekou = t.seed.org.v_hekou;
    const ok = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'village_officer', orgId: hekou.id, maxUses: 3 });
    expect(ok.status).toBe(201);
    const otherTown = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'village_officer', orgId: t.seed.org.v_baisha.id });
    expect([otherTown.status, otherTown.body.message]).toEqual([403, expect.stringMatching(/^单位「白沙村」不在您的管辖范围内/)]);
    const county = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'county_officer', orgId: t.seed.org.county.id });
    expect([county.status, county.body.message]).toEqual([403, expect.stringMatching(/^不能授予高于您自己/)]);
    const admin = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'admin' });
    expect(admin.status).toBe(403);
    const wrongType = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'grid_officer', orgId: hekou.id });
    expect([wrongType.status, named(wrongType.body)[0]]).toEqual([400, expect.stringMatching(/^orgId 所属单位：「河口村」是村，网格员只能属于网格/)]);
    const resident = await t.http.post('/api/invitations').set(townOfficer).send({ role: 'resident', orgId: hekou.id });
    expect([resident.status, named(resident.body)[0]]).toEqual([400, expect.stringMatching(/^role /)]);
    const village = await t.as('village');
    expect((await t.http.post('/api/invitations').set(village).send({ role: 'grid_officer', orgId: t.seed.org.g_liulin_1.id })).status).toBe(403);
    // lists: the town officer sees their town's invitations; 白沙镇's officer sees none of them
    const mine = await t.http.get('/api/invitations').set(townOfficer);
    expect(mine.body.items.map((i: any) => i.id)).toContain(ok.body.id);
    const baisha = await t.http.get('/api/invitations').set(await t.as('town2'));
    expect(baisha.body.items.map((i: any) => i.id)).not.toContain(ok.body.id);
    expect((await t.http.get(`/api/invitations/${ok.body.id}`).set(await t.as('town2'))).status).toBe(404);
    // N uses: three people, the fourth is refused
    for (const who of ['o-v1', 'o-v2', 'o-v3']) {
      expect(
        (
          await t.http
            .post('/api/invitations/accept')
            .set(await wechatUser(who))
            .send({ code: ok.body.code })
        ).status,
      ).toBe(200);
    }
    const fourth = await t.http
      .post('/api/invitations/accept')
      .set(await wechatUser('o-v4'))
      .send({ code: ok.body.code });
    expect(fourth.status).toBe(409);
    expect((await t.ds.getRepository(Invitation).findOneByOrFail({ id: ok.body.id })).usedCount).toBe(3);
  });

  it('people accepting at the same moment never exceed the uses', async () => {
    const admin = await t.as('admin');
    const inv = await t.http.post('/api/invitations').set(admin).send({ role: 'grid_officer', orgId: t.seed.org.g_hekou_1.id, maxUses: 2 });
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => wechatUser(`o-race-${i}`)));
    const answers = await Promise.all(people.map((p) => t.http.post('/api/invitations/accept').set(p).send({ code: inv.body.code })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 409, 409, 409, 409]);
    expect((await t.ds.getRepository(Invitation).findOneByOrFail({ id: inv.body.id })).usedCount).toBe(2);
    expect(await t.ds.getRepository(User).count({ where: { role: 'grid_officer', orgId: t.seed.org.g_hekou_1.id, openid: Like('o-race-%') } })).toBe(2);
  });

  it('expired and revoked invitations are refused and change nobody', async () => {
    const admin = await t.as('admin');
    const a = await t.http.post('/api/invitations').set(admin).send({ role: 'grid_officer', orgId: t.seed.org.g_hekou_1.id });
    await t.ds.getRepository(Invitation).update(a.body.id, { expiresAt: new Date(Date.now() - 1000) });
    const u = await wechatUser('o-late');
    const late = await t.http.post('/api/invitations/accept').set(u).send({ code: a.body.code });
    expect([late.status, late.body.message]).toEqual([409, '此邀请已过期，请向邀请人重新索取']);
    const b = await t.http.post('/api/invitations').set(admin).send({ role: 'grid_officer', orgId: t.seed.org.g_hekou_1.id });
    expect((await t.http.post(`/api/invitations/${b.body.id}/revoke`).set(admin)).body.status).toBe('revoked');
    const revoked = await t.http.post('/api/invitations/accept').set(u).send({ code: b.body.code });
    expect([revoked.status, revoked.body.message]).toEqual([409, '此邀请已被撤销']);
    expect((await t.http.get('/api/me').set(u)).body).toMatchObject({ role: 'resident', orgId: null });
    expect((await t.http.post('/api/invitations/accept').set(u).send({ code: 'nope-nope-nope' })).status).toBe(404);
    expect((await t.http.post('/api/invitations/accept').set(u).send({ code: 'x' })).status).toBe(400);
  });

  it('the QR is a mini-program code where WeChat is configured', async () => {
    const admin = await t.as('admin');
    const a = await t.http.post('/api/invitations').set(admin).send({ role: 'grid_officer', orgId: t.seed.org.g_hekou_1.id });
    const qr = await t.http.get(`/api/invitations/${a.body.id}/qrcode`).set(admin);
    expect([qr.status, qr.headers['x-qrcode-kind'], qr.headers['content-type']]).toEqual([200, 'wxacode', 'image/png']);
    expect(wx.calls.some((c) => c.path === '/wxa/getwxacodeunlimit')).toBe(true);
  });

  it('people: masked phones in scope; a town officer changes a role within bounds; every change is in the audit log', async () => {
    const townOfficer = await t.as('town');
    const users = t.ds.getRepository(User);
    const target = await users.save(
      users.create({
        openid: 'o-people-1',
        name: '赵大山',
        phone: '13800001234',
        role: 'resident',
        orgId: t.seed.org.v_hekou.id,
        orgPath: t.seed.org.v_hekou.path,
      }),
    );
    const list = await t.http.get('/api/people').set(townOfficer).query({ q: '赵大山' });
    expect(list.body.items).toEqual([expect.objectContaining({ id: target.id, phone: '138****1234' })]);
    const baisha = await t.http
      .get('/api/people')
      .set(await t.as('town2'))
      .query({ q: '赵大山' });
    expect(baisha.body.items).toEqual([]);
    const promote = await t.http.put(`/api/people/${target.id}`).set(townOfficer).send({ role: 'village_officer' });
    expect(promote.body).toMatchObject({ role: 'village_officer', orgName: '河口村' });
    const tooHigh = await t.http.put(`/api/people/${target.id}`).set(townOfficer).send({ role: 'county_officer', orgId: t.seed.org.county.id });
    expect(tooHigh.status).toBe(403);
    const outside = await t.http.put(`/api/people/${target.id}`).set(townOfficer).send({ orgId: t.seed.org.v_baisha.id });
    expect(outside.status).toBe(403);
    expect((await users.findOneByOrFail({ id: target.id })).role).toBe('village_officer');
    const off = await t.http.put(`/api/people/${target.id}`).set(townOfficer).send({ disabled: true });
    expect(off.body.disabled).toBe(true);
    const audit = await t.ds.getRepository(AuditLog).find({ where: { targetId: String(target.id) }, order: { id: 'ASC' } });
    expect(audit.map((a) => [a.action, a.actorRole, (a.detail as any).from, (a.detail as any).to])).toEqual([
      ['user.role_change', 'town_officer', 'resident', 'village_officer'],
      ['user.disable', 'town_officer', false, true],
    ]);
  });

  it('handover: the leaver’s open hazards and campaigns go to another officer in one step, and the leaver is disabled', async () => {
    const admin = await t.as('admin');
    const users = t.ds.getRepository(User);
    const v = t.seed.org.v_hekou;
    const leaver = await users.save(users.create({ openid: 'o-leaver', name: '钱离任', role: 'village_officer', orgId: v.id, orgPath: v.path }));
    const successor = await users.save(users.create({ openid: 'o-successor', name: '孙接任', role: 'village_officer', orgId: v.id, orgPath: v.path }));
    const hz = t.ds.getRepository(Hazard);
    const base = {
      orgId: v.id,
      orgPath: v.path,
      reporterId: leaver.id,
      responsibleUserId: leaver.id,
      responsibleOrgId: v.id,
      responsibleOrgPath: v.path,
    } as any;
    const mk = (code: string, status: string) =>
      hz.save(hz.create({ ...base, code, status, description: '测试', category: 'fire', level: 'general', priority: 0 }) as unknown as Hazard);
    const open1 = await mk('YH-T-0001', 'assigned');
    const closed = await mk('YH-T-0002', 'closed');
    const camp = await t.ds.getRepository(PledgeCampaign).save(
      t.ds.getRepository(PledgeCampaign).create({
        templateVersionId: 1,
        kind: 'family' as any,
        title: '测试活动',
        orgId: v.id,
        orgPath: v.path,
        deadline: new Date(Date.now() + 86400_000),
        lastHash: '0'.repeat(64),
        createdById: leaver.id,
      }),
    );
    const listed = await t.http.get('/api/people').set(admin).query({ q: '钱离任' });
    expect(listed.body.items[0]).toMatchObject({ openHazards: 1, openCampaigns: 1 });
    const bad = await t.http.post(`/api/people/${leaver.id}/handover`).set(admin).send({ toUserId: leaver.id });
    expect(bad.status).toBe(400);
    const res = await t.http.post(`/api/people/${leaver.id}/handover`).set(admin).send({ toUserId: successor.id });
    expect(res.body).toEqual({ hazards: 1, campaigns: 1, disabled: true });
    expect((await hz.findOneByOrFail({ id: open1.id })).responsibleUserId).toBe(successor.id);
    expect((await hz.findOneByOrFail({ id: closed.id })).responsibleUserId).toBe(leaver.id);
    expect((await t.ds.getRepository(PledgeCampaign).findOneByOrFail({ id: camp.id })).createdById).toBe(successor.id);
    const audit = await t.ds.getRepository(AuditLog).find({ where: { targetId: String(leaver.id) }, order: { id: 'ASC' } });
    expect(audit.map((a) => a.action)).toEqual(['user.disable', 'user.handover']);
    expect(audit[1].detail).toMatchObject({ handoverTo: successor.id, hazards: 1, campaigns: 1 });
  });

  it('the admin:invite helper leaves only the newest unused admin invitation valid', async () => {
    const first = await t.ds.transaction((m) => createAdminInvitation(m));
    const second = await t.ds.transaction((m) => createAdminInvitation(m));
    const u = await wechatUser('o-cli-admin');
    expect((await t.http.post('/api/invitations/accept').set(u).send({ code: first.code })).status).toBe(409);
    expect((await t.http.post('/api/invitations/accept').set(u).send({ code: second.code })).body.role).toBe('admin');
  });
});
