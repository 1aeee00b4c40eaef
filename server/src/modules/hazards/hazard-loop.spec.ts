import ExcelJS from 'exceljs';
import { squareAround } from '@xiangan/shared';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { HazardRemindersService } from './hazard-reminders.service';
import { named } from '../../testing/fields';

/** The closed loop never drops a hazard: routing to grids, notices that always reach someone, reminders that climb, the questionnaire. */
describe('hazards: the loop reaches a person', () => {
  let t: TestApp;
  const DAY = 86400_000;
  const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * DAY).toISOString().slice(0, 10);
  // A point in 柳林村 and a 400 m square around it: 柳林村第一网格's boundary.
  const gridCentre = { lat: 29.5836, lng: 106.4862 };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const idle = () => t.app.get<JobQueue>(JOB_QUEUE).idle(10_000);
  const report = async (who: string, body: Record<string, unknown> = {}) => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as(who))
      .send({ category: 'fire', description: '柴堆紧挨灶房，存在火灾隐患', ...body });
    if (res.status !== 201) throw new Error(`report failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; code: string };
  };
  const act = async (who: string, id: number, action: string, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/hazards/${id}/${action}`)
      .set(await t.as(who))
      .send(body);
  const notices = async (who: string, id: number, kind?: string) => {
    const res = await t.http.get('/api/notifications?pageSize=100').set(await t.as(who));
    return (res.body.items as { kind: string; title: string; link: string }[]).filter((n) => n.link?.endsWith(`id=${id}`) && (!kind || n.kind === kind));
  };
  const timeline = async (id: number) =>
    (await t.http.get(`/api/hazards/${id}`).set(await t.as('admin'))).body.timeline as { action: string; note: string; data: Record<string, unknown> }[];

  it('a grid boundary is set through the org API (validated, in scope) and a report inside it lands with the grid officer', async () => {
    const grid = t.seed.org.g_liulin_1;
    const bad = await t.http
      .put(`/api/orgs/${grid.id}/boundary`)
      .set(await t.as('town'))
      .send({
        boundary: {
          type: 'Polygon',
          coordinates: [
            [
              [106.48, 29.58],
              [106.49, 29.58],
              [106.49, 29.59],
            ],
          ],
        },
      });
    expect(bad.status).toBe(400);
    expect(named(bad.body).join('\n')).toContain('boundary 边界的第 1 圈');
    expect(
      (
        await t.http
          .put(`/api/orgs/${t.seed.org.town.id}/boundary`)
          .set(await t.as('town'))
          .send({ boundary: squareAround(gridCentre, 200) })
      ).status,
    ).toBe(400);
    // the town officer of 白沙镇 may not draw 石桥镇's grids; a village officer may not draw at all
    expect(
      (
        await t.http
          .put(`/api/orgs/${grid.id}/boundary`)
          .set(await t.as('town2'))
          .send({ boundary: squareAround(gridCentre, 200) })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.http
          .put(`/api/orgs/${grid.id}/boundary`)
          .set(await t.as('village'))
          .send({ boundary: squareAround(gridCentre, 200) })
      ).status,
    ).toBe(403);
    const ok = await t.http
      .put(`/api/orgs/${grid.id}/boundary`)
      .set(await t.as('town'))
      .send({ boundary: { type: 'Feature', properties: {}, geometry: squareAround(gridCentre, 200) } });
    expect([ok.status, ok.body]).toEqual([200, expect.anything()]);
    expect(ok.body).toMatchObject({ id: grid.id, hasBoundary: true, boundary: { type: 'Polygon' } });
    const back = await t.http.get(`/api/orgs/${grid.id}/boundary`).set(await t.as('grid'));
    expect(back.body.boundary.coordinates[0]).toHaveLength(5);

    const where = await t.http.get(`/api/orgs/locate?lat=${gridCentre.lat + 0.0005}&lng=${gridCentre.lng}`).set(await t.as('resident'));
    expect(where.body).toEqual({ unit: { id: grid.id, name: '柳林村第一网格', type: 'grid' }, village: { id: t.seed.org.v_liulin.id, name: '柳林村' } });
    expect((await t.http.get('/api/orgs/locate?lat=29.7&lng=106.6').set(await t.as('resident'))).body).toEqual({ unit: null, village: null });
    expect((await t.http.get('/api/orgs/locate?lat=99&lng=106.6').set(await t.as('resident'))).status).toBe(400);

    // The resident lives in 柳林村 (not the grid) and chose the village; the position inside the grid decides.
    const inside = await report('resident', { lat: gridCentre.lat + 0.0005, lng: gridCentre.lng + 0.0005, orgId: t.seed.org.v_liulin.id });
    const outside = await report('resident', { lat: gridCentre.lat + 0.01, lng: gridCentre.lng });
    await idle();
    const rows = await t.ds.query('SELECT id, orgId FROM hazard WHERE id IN (?, ?) ORDER BY id', [inside.id, outside.id]);
    expect(rows.map((r: { orgId: number }) => Number(r.orgId))).toEqual([grid.id, t.seed.org.v_liulin.id]);
    const ledger = await t.http.get('/api/hazards?pageSize=100').set(await t.as('grid'));
    const ids = ledger.body.items.map((h: { id: number }) => h.id);
    expect(ids).toContain(inside.id);
    expect(ids).not.toContain(outside.id);
    expect(await notices('grid', inside.id, 'hazard_reported')).toHaveLength(1);
    expect(await notices('village', inside.id, 'hazard_reported')).toHaveLength(1);
    expect(await notices('grid', outside.id, 'hazard_reported')).toHaveLength(0);
    // Clearing the boundary: later reports at that point go to the chosen village again.
    expect(
      (
        await t.http
          .put(`/api/orgs/${grid.id}/boundary`)
          .set(await t.as('town'))
          .send({ boundary: null })
      ).status,
    ).toBe(400);
    expect((await t.http.delete(`/api/orgs/${grid.id}/boundary`).set(await t.as('town2'))).status).toBe(403);
    expect((await t.http.delete(`/api/orgs/${grid.id}/boundary`).set(await t.as('admin'))).status).toBe(204);
    expect((await t.http.get(`/api/orgs/${grid.id}`).set(await t.as('town'))).body.hasBoundary).toBe(false);
    const after = await report('resident', { lat: gridCentre.lat + 0.0005, lng: gridCentre.lng + 0.0005 });
    expect(Number((await t.ds.query('SELECT orgId FROM hazard WHERE id = ?', [after.id]))[0].orgId)).toBe(t.seed.org.v_liulin.id);
  });

  it('a resident who belongs to a grid reports into that grid (no position needed), and its grid officer is told', async () => {
    const me = await t.login('dev:grid-resident-1');
    const moved = await t.http.patch('/api/me').set(me).send({ orgId: t.seed.org.g_liulin_1.id, name: '网格村民' });
    expect(moved.status).toBe(200);
    const res = await t.http.post('/api/hazards').set(me).send({ category: 'gas', description: '网格里一户液化气罐放在灶台下' });
    expect(res.status).toBe(201);
    await idle();
    expect(Number((await t.ds.query('SELECT orgId FROM hazard WHERE id = ?', [res.body.id]))[0].orgId)).toBe(t.seed.org.g_liulin_1.id);
    expect(await notices('grid', res.body.id, 'hazard_reported')).toHaveLength(1);
  });

  it('a unit with no officer sends its notices to the nearest unit above that has one', async () => {
    // 石桥村 has no village or grid officer: the new report reaches the town officer.
    const h = await report('resident', { orgId: t.seed.org.v_shiqiao.id, description: '石桥村小河边护栏断了' });
    await idle();
    expect(await notices('town', h.id, 'hazard_reported')).toHaveLength(1);
    // Assigned to an enterprise with no officer account: the assignment and the reminders reach the town officer.
    expect((await act('village', h.id, 'assign', { responsibleOrgId: t.seed.org.e_fireworks.id, deadline: inDays(1) })).status).toBe(403);
    expect((await act('admin', h.id, 'assign', { responsibleOrgId: t.seed.org.e_fireworks.id, deadline: inDays(1) })).status).toBe(200);
    expect(await notices('town', h.id, 'hazard_assigned')).toHaveLength(1);
    const deadline = (await t.ds.query('SELECT deadline FROM hazard WHERE id = ?', [h.id]))[0].deadline;
    const due = new Date(new Date(deadline).getTime() - 6 * 3600_000);
    await t.app.get(HazardRemindersService).run(due);
    expect(await notices('town', h.id, 'hazard_due_soon')).toHaveLength(1);
  });

  it('an overdue hazard reminds every day — the officer and whoever assigned it — and climbs after the town’s N days, telling the county', async () => {
    const h = await report('resident', { description: '柳林村一组山坡裂缝扩大' });
    // the town officer assigns it to the grid (named officer); above the grid is 柳林村 (李春梅)
    expect(
      (await act('town', h.id, 'assign', { responsibleOrgId: t.seed.org.g_liulin_1.id, responsibleUserId: t.seed.user.grid.id, deadline: inDays(2) })).status,
    ).toBe(200);
    const settings = await t.http
      .put(`/api/orgs/${t.seed.org.town.id}/hazard-settings`)
      .set(await t.as('town'))
      .send({ overdueClimbDays: 2 });
    expect(settings.status).toBe(200);
    expect(settings.body.overdueClimbDays).toBe(2);
    expect(
      (
        await t.http
          .put(`/api/orgs/${t.seed.org.town.id}/hazard-settings`)
          .set(await t.as('town'))
          .send({ overdueClimbDays: 0 })
      ).body.fields.map((f: { field: string }) => f.field),
    ).toContain('overdueClimbDays');
    expect(
      (
        await t.http
          .put(`/api/orgs/${t.seed.org.v_liulin.id}/hazard-settings`)
          .set(await t.as('town'))
          .send({ overdueClimbDays: 2 })
      ).status,
    ).toBe(400);

    const deadline = new Date((await t.ds.query('SELECT deadline FROM hazard WHERE id = ?', [h.id]))[0].deadline);
    const reminders = t.app.get(HazardRemindersService);
    const day = (n: number) => new Date(deadline.getTime() + n * DAY - 3600_000); // n days after the deadline, same China day each time
    // day 1: the grid officer and the town officer who assigned it; run twice → once
    await reminders.run(day(1));
    await Promise.all([reminders.run(day(1)), reminders.run(new Date(day(1).getTime() + 600_000))]);
    expect(await notices('grid', h.id, 'hazard_overdue')).toHaveLength(1);
    expect(await notices('town', h.id, 'hazard_overdue')).toHaveLength(1);
    expect(await notices('village', h.id, 'hazard_overdue')).toHaveLength(0);
    expect((await timeline(h.id)).filter((e) => e.action === 'remind')).toHaveLength(1);
    // day 2: again (daily), and now it climbs to 柳林村 and the county hears of it once
    await reminders.run(day(2));
    await reminders.run(day(2));
    expect(await notices('grid', h.id, 'hazard_overdue')).toHaveLength(2);
    expect(await notices('town', h.id, 'hazard_overdue')).toHaveLength(2);
    expect(await notices('village', h.id, 'hazard_overdue')).toHaveLength(1);
    expect(await notices('county', h.id, 'hazard_climbed')).toHaveLength(1);
    // day 3: daily again; the county is not told twice
    await reminders.run(day(3));
    expect(await notices('grid', h.id, 'hazard_overdue')).toHaveLength(3);
    expect(await notices('village', h.id, 'hazard_overdue')).toHaveLength(2);
    expect(await notices('county', h.id, 'hazard_climbed')).toHaveLength(1);
    const reminds = (await timeline(h.id)).filter((e) => e.action === 'remind');
    expect(reminds.map((e) => e.data.kind)).toEqual(['overdue', 'overdue', 'climb', 'overdue']);
    expect(reminds[2].note).toContain('柳林村');
    expect(reminds[3].note).toContain('已逾期3天');
  });

  it('上报县级 notifies the county, and the county finds it among what waits on it', async () => {
    const h = await report('resident', { description: '柳林村后山滑坡体需专业治理' });
    const r = await act('village', h.id, 'escalate', { department: '青山县自然资源局', note: '需县级地灾专业队评估' });
    expect(r.status).toBe(200);
    const n = await notices('county', h.id, 'hazard_escalated');
    expect(n).toHaveLength(1);
    expect(n[0].title).toContain(h.code);
    const waiting = await t.http.get('/api/hazards?status=escalated&pageSize=100').set(await t.as('county'));
    expect(waiting.body.items.map((x: { id: number }) => x.id)).toContain(h.id);
  });

  it('after 销号 the reporter is asked 修好了吗？: 没修好 reopens with the reason, 修好了 is recorded once', async () => {
    const h = await report('resident', { description: '柳林村水井盖板破损' });
    const close = async () => {
      expect((await act('village', h.id, 'assign', { responsibleOrgId: t.seed.org.v_liulin.id, deadline: inDays(3) })).status).toBe(200);
      expect((await act('village', h.id, 'rectify', { note: '已更换盖板' })).status).toBe(200);
      expect((await act('village', h.id, 'verify', { passed: true })).status).toBe(200);
    };
    await close();
    let d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('resident'));
    expect(d.body.askReporter).toBe(true);
    expect((await notices('resident', h.id, 'hazard_update')).some((x) => x.title.includes('修好了吗'))).toBe(true);
    expect((await t.http.get(`/api/hazards/${h.id}`).set(await t.as('village'))).body.askReporter).toBe(false);
    // only the reporter answers; "not fixed" needs a reason
    expect((await act('parent', h.id, 'confirm', { fixed: false, note: 'x' })).status).toBe(404);
    const noReason = await act('resident', h.id, 'confirm', { fixed: false });
    expect(noReason.status).toBe(400);
    expect(named(noReason.body).join()).toContain('note');
    d = await act('resident', h.id, 'confirm', { fixed: false, note: '盖板又松了，孩子踩上去会掉' });
    expect(d.status).toBe(200);
    expect(d.body.status).toBe('reported');
    const reopen = d.body.timeline.at(-1);
    expect(reopen).toMatchObject({ action: 'reopen', note: '盖板又松了，孩子踩上去会掉' });
    expect(d.body.askReporter).toBe(false);
    expect((await act('resident', h.id, 'confirm', { fixed: true })).status).toBe(409);

    await close();
    d = await act('resident', h.id, 'confirm', { fixed: true });
    expect(d.status).toBe(200);
    expect(d.body.status).toBe('closed');
    expect(d.body.askReporter).toBe(false);
    await act('resident', h.id, 'confirm', { fixed: true });
    const confirms = (await timeline(h.id)).filter((e) => e.action === 'confirm');
    expect(confirms).toHaveLength(1);
  });

  it('the map says how many open hazards have no position and lists them', async () => {
    const h = await report('resident', { description: '没有定位的一处隐患' });
    const res = await t.http.get('/api/hazards/map?bbox=106.3,29.4,106.7,29.8').set(await t.as('village'));
    expect(res.status).toBe(200);
    const open = await t.ds.query(
      "SELECT COUNT(*) AS n FROM hazard WHERE (lat IS NULL OR lng IS NULL) AND status IN ('reported','assigned','rectifying','rectified','escalated') AND orgPath LIKE ?",
      [`${t.seed.org.v_liulin.path}%`],
    );
    expect(res.body.unlocated.total).toBe(Number(open[0].n));
    expect(res.body.unlocated.items.map((x: { id: number }) => x.id)).toContain(h.id);
    expect(res.body.points.map((x: { id: number }) => x.id)).not.toContain(h.id);
  });

  it('export: the ledger’s order, 整改措施 and 验收, and a hazard the county answered says it went to the county', async () => {
    const county = await report('parent', { orgId: t.seed.org.v_hekou.id, description: '河口村大桥桥墩冲刷严重' });
    expect((await act('village2', county.id, 'escalate', { department: '青山县交通运输局', note: '桥梁需县级检测' })).status).toBe(200);
    expect((await act('county', county.id, 'answer', { note: '县交通局已安排检测并限载' })).status).toBe(200);
    const fixed = await report('parent', { orgId: t.seed.org.v_hekou.id, description: '河口村小学门口缺减速带' });
    expect((await act('village2', fixed.id, 'assign', { responsibleOrgId: t.seed.org.v_hekou.id, deadline: inDays(3) })).status).toBe(200);
    expect((await act('village2', fixed.id, 'rectify', { note: '已安装减速带两条' })).status).toBe(200);
    expect((await act('village2', fixed.id, 'verify', { passed: true, note: '现场验收合格' })).status).toBe(200);
    const late = await report('parent', { orgId: t.seed.org.v_hekou.id, description: '河口村堰塘护栏缺失' });
    expect((await act('village2', late.id, 'assign', { responsibleOrgId: t.seed.org.v_hekou.id, deadline: inDays(3) })).status).toBe(200);
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [new Date(Date.now() - DAY).toISOString().slice(0, 19).replace('T', ' '), late.id]);
    const fresh = await report('parent', { orgId: t.seed.org.v_hekou.id, description: '河口村新报的一处' });

    const res = await t.http
      .get(`/api/hazards/export.xlsx?orgId=${t.seed.org.v_hekou.id}`)
      .set(await t.as('village2'))
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = [];
        r.on('data', (x: Buffer) => c.push(x));
        r.on('end', () => cb(null, Buffer.concat(c)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as Buffer);
    const ws = wb.getWorksheet('隐患台账')!;
    const header = (ws.getRow(1).values as string[]).slice(1);
    const col = (name: string) => header.indexOf(name) + 1;
    const rows = new Map<string, ExcelJS.Row>();
    const order: string[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) {
        rows.set(String(row.getCell(1).value), row);
        order.push(String(row.getCell(1).value));
      }
    });
    // the ledger's order: the overdue one first, then newest first
    expect(order.indexOf(late.code)).toBeLessThan(order.indexOf(fresh.code));
    expect(order.indexOf(fresh.code)).toBeLessThan(order.indexOf(fixed.code));
    const f = rows.get(fixed.code)!;
    expect(f.getCell(col('整改措施')).value).toBe('已安装减速带两条');
    expect(String(f.getCell(col('验收')).value)).toContain('通过：现场验收合格');
    const c = rows.get(county.code)!;
    expect(String(c.getCell(col('责任单位')).value)).toBe('青山县交通运输局（上报县级）');
    expect(c.getCell(col('整改期限')).value).toBe('县级办理');
    expect(String(c.getCell(col('上报县级')).value)).toContain('上报青山县交通运输局：桥梁需县级检测');
    expect(String(c.getCell(col('县级答复')).value)).toContain('县交通局已安排检测并限载');
  });
});
