import { Like } from 'typeorm';
import { FakeWechat } from '../../testing/fake-wechat';
import { named } from '../../testing/fields';
import { createTestApp, TestApp } from '../../testing/test-app';
import { AuditLog } from '../audit/audit-log.entity';
import { Hazard } from '../hazards/hazard.entity';
import { PledgeCampaign } from '../pledges/pledge.entities';
import { User } from '../users/user.entity';
import { createAdminInvitation } from './invitation-code';
import { Invitation } from './invitation.entity';

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
