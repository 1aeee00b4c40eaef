import { AUDIT_ACTIONS } from '@xiangan/shared';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { User } from '../users/user.entity';
import { AuditLog } from './audit-log.entity';
import { named } from '../../testing/fields';

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
const binary = (res: any, cb: (e: Error | null, b: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe(`audit log (${TEST_DB})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const logs = async (query: Record<string, string | number> = {}, who = 'admin') =>
    t.http
      .get('/api/audit-logs')
      .query(query)
      .set(await t.as(who));

  it('records pledge exports (PDF, xlsx, the unsigned list with phones) and the ledger export, with who and which unit', async () => {
    const town = await t.as('town');
    const v = (await t.http.get('/api/pledge-templates').set(town)).body.find((x: any) => x.kind === 'drowning').latest.id;
    const c = await t.http
      .post('/api/pledge-campaigns')
      .set(await t.as('school'))
      .send({ templateVersionId: v, orgId: t.seed.org.s_primary.id, deadline: inDays(10) });
    const csv = '学生姓名,班级,监护人,联系电话\r\n王一,一年级一班,王父,13800000001\r\n';
    expect(
      (
        await t.http
          .post(`/api/pledge-campaigns/${c.body.id}/roster`)
          .set(await t.as('school'))
          .attach('file', Buffer.from(csv), 'r.csv')
      ).status,
    ).toBe(200);
    expect(
      (
        await t.http
          .get(`/api/pledge-campaigns/${c.body.id}/signatures.xlsx`)
          .set(await t.as('school'))
          .buffer(true)
          .parse(binary)
      ).status,
    ).toBe(200);
    expect(
      (
        await t.http
          .get(`/api/pledge-campaigns/${c.body.id}/signatures.pdf`)
          .set(await t.as('school'))
          .buffer(true)
          .parse(binary)
      ).status,
    ).toBe(200);
    expect((await t.http.get('/api/hazards/export.xlsx').set(town).buffer(true).parse(binary)).status).toBe(200);

    const res = await logs({ pageSize: 100 });
    expect(res.status).toBe(200);
    const school = t.seed.user.school;
    const mine = res.body.items.filter((x: any) => x.targetId === String(c.body.id));
    expect(mine.map((x: any) => x.action).sort()).toEqual(['export.signatures_pdf', 'export.signatures_xlsx', 'export.unsigned_with_phones']);
    for (const e of mine)
      expect(e).toMatchObject({
        actorId: school.id,
        actorName: school.name,
        actorRole: 'department_officer',
        orgId: t.seed.org.s_primary.id,
        targetType: 'pledge_campaign',
      });
    expect(mine.find((x: any) => x.action === 'export.unsigned_with_phones').actionLabel).toBe('导出未签名单（含完整电话）');
    const ledger = res.body.items.find((x: any) => x.action === 'export.hazard_ledger');
    expect(ledger).toMatchObject({ actorId: t.seed.user.town.id, actionLabel: '导出隐患台账', orgId: t.seed.org.town.id });
    // no phone is copied into the log
    expect(JSON.stringify(res.body)).not.toContain('13800000001');
  });

  it('records role, unit and disable changes of a user in the same write', async () => {
    const admin = await t.as('admin');
    const target = t.seed.user.grid;
    const patch = await t.http.patch(`/api/users/${target.id}`).set(admin).send({ role: 'village_officer', orgId: t.seed.org.v_hekou.id });
    expect(patch.status).toBe(200);
    expect((await t.http.patch(`/api/users/${target.id}`).set(admin).send({ disabled: true })).status).toBe(200);
    // a change that touches none of them (a name) leaves no entry
    expect((await t.http.patch(`/api/users/${target.id}`).set(admin).send({ name: '王小军' })).status).toBe(200);
    const res = await logs({ actorId: t.seed.user.admin.id });
    const about = res.body.items.filter((x: any) => x.targetType === 'user' && x.targetId === String(target.id));
    expect(about.map((x: any) => x.action)).toEqual(['user.disable', 'user.org_change', 'user.role_change']);
    expect(about.find((x: any) => x.action === 'user.role_change').detail).toEqual({ from: 'grid_officer', to: 'village_officer' });
    expect(about.find((x: any) => x.action === 'user.org_change').detail).toEqual({ from: t.seed.org.g_liulin_1.id, to: t.seed.org.v_hekou.id });
    expect((await t.ds.getRepository(User).findOneByOrFail({ id: target.id })).disabled).toBe(true);
  });

  it('filters by action, actor, unit and time; pages; refuses bad filters naming the field', async () => {
    const onlyPdf = await logs({ action: 'export.signatures_pdf' });
    expect(onlyPdf.body.total).toBeGreaterThanOrEqual(1);
    expect(onlyPdf.body.items.every((x: any) => x.action === 'export.signatures_pdf')).toBe(true);
    const byTown = await logs({ actorId: t.seed.user.town.id });
    expect(byTown.body.items.map((x: any) => x.action)).toEqual(['export.hazard_ledger']);
    const inSchool = await logs({ orgId: t.seed.org.s_primary.id });
    expect(inSchool.body.total).toBe(3);
    const inTown2 = await logs({ orgId: t.seed.org.town2.id });
    expect(inTown2.body.total).toBe(0);
    const future = await logs({ from: inDays(1) });
    expect(future.body.total).toBe(0);
    const past = await logs({ to: inDays(-1) });
    expect(past.body.total).toBe(0);
    const all = await logs({ from: inDays(-1), to: inDays(1), pageSize: 2, page: 1 });
    expect(all.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(all.body.items).toHaveLength(2);
    expect(all.body.total).toBe(await t.ds.getRepository(AuditLog).count());
    expect((await logs({ pageSize: 101 })).status).toBe(400);
    const badAction = await logs({ action: 'export.everything' });
    expect(badAction.status).toBe(400);
    expect(named(badAction.body).join()).toMatch(/^action/);
    const badFrom = await logs({ from: '昨天' });
    expect(badFrom.status).toBe(400);
    expect(named(badFrom.body).join()).toMatch(/from/);
    expect((await logs({ from: inDays(1), to: inDays(-1) })).status).toBe(400);
    expect(AUDIT_ACTIONS).toContain('signature.void');
  });

  it('is for admins only: officers and residents get 403; there is no way to change or delete an entry', async () => {
    for (const who of ['town', 'county', 'school', 'village', 'resident']) expect((await logs({}, who)).status).toBe(403);
    const anyId = (await t.ds.getRepository(AuditLog).find({ take: 1 }))[0].id;
    const admin = await t.as('admin');
    for (const method of ['put', 'patch', 'delete'] as const) expect((await t.http[method](`/api/audit-logs/${anyId}`).set(admin).send({})).status).toBe(404);
    expect((await t.http.delete('/api/audit-logs').set(admin)).status).toBe(404);
  });
});
