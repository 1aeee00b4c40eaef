import ExcelJS from 'exceljs';
import { ADMIN_LIMITS, LIMITS } from '@xiangan/shared';
import { loadConfig } from '../../config/app-config';
import { bytes } from '../../testing/download';
import { FakeWechat } from '../../testing/fake-wechat';
import { named } from '../../testing/fields';
import { createTestApp, TestApp } from '../../testing/test-app';
import { AuditLog } from '../audit/audit-log.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { createAdminInvitation } from './invitation-code';
import { Cell, countyRows, unitSnapshot, upload, xlsx } from './__tests__/unit-import.fixture';

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
    const res = await t.http.get('/api/unit-import/template').buffer(true).parse(bytes);
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
