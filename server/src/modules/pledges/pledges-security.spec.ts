/**
 * Issue 13 findings 2–4: who may sign a roster entry (the guardian's phone, verified by WeChat or typed on h5),
 * officers void a wrong signature on the chain, the roster lookup tells only what signing needs, and pledge
 * templates belong to a unit.
 */
import { LIMITS } from '@xiangan/shared';
import { FakeWechat } from '../../testing/fake-wechat';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { AuditLog } from '../audit/audit-log.entity';
import { PledgeRosterEntry, PledgeSignature, PledgeVoid } from './pledge.entities';
import { drawSignaturePng, pngDataUrl } from './signature-art';
import { named } from '../../testing/fields';

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();

describe(`pledge security (${TEST_DB})`, () => {
  let wx: FakeWechat;
  let t: TestApp;
  let images: { role: string; image: string }[];
  let drowningVersionId: number;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await createTestApp({ env: wx.env() });
    images = [
      { role: 'guardian', image: pngDataUrl(await drawSignaturePng(1)) },
      { role: 'student', image: pngDataUrl(await drawSignaturePng(2)) },
    ];
    drowningVersionId = (await t.http.get('/api/pledge-templates').set(await t.as('admin'))).body.find((x: any) => x.kind === 'drowning' && !x.orgId).latest.id;
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  /** A WeChat account (real openid, not a dev login). */
  const wechatUser = async (openid: string) => {
    const res = await t.http.post('/api/auth/wechat').send({ code: wx.code(openid) });
    expect(res.status).toBe(200);
    return { Authorization: `Bearer ${res.body.token}` };
  };
  const campaignWithRoster = async (csvRows: string[], deadline = inDays(20)) => {
    const school = await t.as('school');
    const c = await t.http.post('/api/pledge-campaigns').set(school).send({ templateVersionId: drowningVersionId, orgId: t.seed.org.s_primary.id, deadline });
    expect(c.status).toBe(201);
    const csv = ['学生姓名,班级,监护人,联系电话', ...csvRows].join('\r\n');
    expect((await t.http.post(`/api/pledge-campaigns/${c.body.id}/roster`).set(school).attach('file', Buffer.from(csv), 'r.csv')).status).toBe(200);
    return c.body.id as number;
  };
  const fields = { guardianName: '王大山', relation: '父亲' };

  describe('finding 2: only the guardian on the roster signs; officers void a wrong signature', () => {
    it("refuses a WeChat signer whose verified phone is not the entry's, without revealing it; the guardian signs", async () => {
      const id = await campaignWithRoster(['王一,一年级一班,王大山,13700000001', '李二,一年级一班,李国庆,13700000002']);
      const attacker = await wechatUser('o-attacker-baisha');
      const [entry] = (await t.http.get(`/api/pledge-campaigns/${id}/roster`).query({ q: '王一' }).set(attacker)).body;
      // a WeChat account must prove its phone through getPhoneNumber: a typed one is not taken
      const typed = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(attacker)
        .send({ rosterId: entry.id, phone: '13700000001', fields, signatures: images });
      expect(typed.status).toBe(400);
      expect(named(typed.body).join()).toMatch(/^phoneCode/);
      const wrong = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(attacker)
        .send({ rosterId: entry.id, phoneCode: wx.phoneCode('13912345678'), fields, signatures: images });
      expect(wrong.status).toBe(403);
      expect(wrong.body.message).toMatch(/手机号.*不一致/);
      expect(JSON.stringify(wrong.body)).not.toMatch(/0001|137\*/);
      // a used or unknown code is a 400 naming phoneCode
      const code = wx.phoneCode('13700000001');
      const guardian = await wechatUser('o-guardian-wang');
      const ok = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(guardian)
        .send({ rosterId: entry.id, phoneCode: code, fields, signatures: images });
      expect(ok.status).toBe(201);
      expect(ok.body.fields).toMatchObject({ studentName: '王一', phone: '13700000001' });
      const reused = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(guardian)
        .send({ rosterId: entry.id, phoneCode: code, fields, signatures: images });
      expect(reused.status).toBe(400);
      expect(named(reused.body).join()).toMatch(/^phoneCode/);
      expect(
        (
          await t.http
            .post(`/api/pledge-campaigns/${id}/signatures`)
            .set(guardian)
            .send({ rosterId: entry.id, phoneCode: 'made-up', fields, signatures: images })
        ).status,
      ).toBe(400);
      expect(await t.ds.getRepository(PledgeSignature).count({ where: { campaignId: id } })).toBe(1);
    });

    it('h5 (typed phone): a wrong phone is 403 and changes nothing; no phone at all is a 400 naming it', async () => {
      const id = await campaignWithRoster(['赵三,二年级一班,赵平,13700000003']);
      const [entry] = (
        await t.http
          .get(`/api/pledge-campaigns/${id}/roster`)
          .query({ q: '赵三' })
          .set(await t.as('resident'))
      ).body;
      const wrong = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as('resident'))
        .send({ rosterId: entry.id, phone: '13700009999', fields, signatures: images });
      expect(wrong.status).toBe(403);
      const none = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as('resident'))
        .send({ rosterId: entry.id, fields, signatures: images });
      expect(none.status).toBe(400);
      expect(named(none.body).join()).toMatch(/phone/);
      expect((await t.ds.getRepository(PledgeRosterEntry).findOneByOrFail({ id: entry.id })).signatureId).toBeNull();
      const un = await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(await t.as('school'));
      expect(un.body.total).toBe(1);
      // campaigns without a roster still need a phone
      const school = await t.as('school');
      const open = await t.http
        .post('/api/pledge-campaigns')
        .set(school)
        .send({ templateVersionId: drowningVersionId, orgId: t.seed.org.s_primary.id, deadline: inDays(5) });
      const noPhone = await t.http
        .post(`/api/pledge-campaigns/${open.body.id}/signatures`)
        .set(await t.as('parent'))
        .send({ fields: { studentName: '无名单', className: '一班', ...fields }, signatures: images });
      expect(noPhone.status).toBe(400);
      expect(named(noPhone.body).join()).toMatch(/phone/);
      const withCode = await t.http
        .post(`/api/pledge-campaigns/${open.body.id}/signatures`)
        .set(await wechatUser('o-no-roster'))
        .send({ phoneCode: wx.phoneCode('13600000006'), fields: { studentName: '无名单', className: '一班', ...fields }, signatures: images });
      expect(withCode.status).toBe(201);
      expect(withCode.body.fields.phone).toBe('13600000006');
    });

    it('an officer voids a signature with a reason: kept on the chain, verify passes and lists it, the real guardian then signs', async () => {
      const id = await campaignWithRoster(['孙四,三年级一班,孙大圣,13700000004', '周五,三年级一班,周某,13700000005']);
      const [entry] = (
        await t.http
          .get(`/api/pledge-campaigns/${id}/roster`)
          .query({ q: '孙四' })
          .set(await t.as('resident'))
      ).body;
      // someone who knew the phone signed on h5
      const fake = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as('resident'))
        .send({ rosterId: entry.id, phone: '13700000004', fields, signatures: images });
      expect(fake.status).toBe(201);
      const school = await t.as('school');
      // the statistics for today (edge days, from the signatures) and for this whole month (from the rollup)
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const monthStart = `${today.slice(0, 8)}01`;
      const monthEnd = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)), 0)).toISOString().slice(0, 10);
      const signedIn = async (from: string, to: string) =>
        (
          await t.http
            .get('/api/stats/summary')
            .query({ orgId: t.seed.org.s_primary.id, from, to })
            .set(await t.as('county'))
        ).body.pledges.signed as number;
      const before = { day: await signedIn(today, today), month: await signedIn(monthStart, monthEnd) };
      const voidUrl = `/api/pledge-signatures/${fake.body.id}/void`;
      expect(
        (
          await t.http
            .post(voidUrl)
            .set(await t.as('town2'))
            .send({ reason: '非监护人代签' })
        ).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .post(voidUrl)
            .set(await t.as('resident'))
            .send({ reason: '非监护人代签' })
        ).status,
      ).toBe(403);
      const noReason = await t.http.post(voidUrl).set(school).send({});
      expect(noReason.status).toBe(400);
      expect(named(noReason.body).join()).toMatch(/^reason/);
      const voided = await t.http.post(voidUrl).set(school).send({ reason: '非监护人代签，家长来电核实' });
      expect(voided.status).toBe(200);
      expect(voided.body.void).toMatchObject({ seq: 2, reason: '非监护人代签，家长来电核实', voidedByName: t.seed.user.school.name });
      expect((await t.http.post(voidUrl).set(school).send({ reason: '再次作废' })).status).toBe(409);

      // counted as unsigned again
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(school);
      expect(d.body.signedCount).toBe(0);
      expect(d.body.progress).toEqual([{ group: '三年级一班', roster: 2, signed: 0 }]);
      expect((await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(school)).body.total).toBe(2);
      const mine = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('resident'));
      expect(mine.body.mySignatureId).toBeNull();
      expect({ day: await signedIn(today, today), month: await signedIn(monthStart, monthEnd) }).toEqual({ day: before.day - 1, month: before.month - 1 });

      // the real guardian signs now
      const real = await t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await wechatUser('o-guardian-sun'))
        .send({ rosterId: entry.id, phoneCode: wx.phoneCode('13700000004'), fields, signatures: images });
      expect(real.status).toBe(201);
      expect(real.body.seq).toBe(3);
      expect((await t.ds.getRepository(PledgeRosterEntry).findOneByOrFail({ id: entry.id })).signatureId).toBe(real.body.id);
      expect({ day: await signedIn(today, today), month: await signedIn(monthStart, monthEnd) }).toEqual(before);

      // the chain keeps the original and shows the void
      const v = await t.http.get(`/api/pledge-campaigns/${id}/verify`).query({ images: 'true' }).set(school);
      expect(v.body).toMatchObject({
        ok: true,
        count: 3,
        firstBroken: null,
        voids: [{ seq: 2, signatureId: fake.body.id, signatureSeq: 1, reason: '非监护人代签，家长来电核实' }],
      });
      // the officer's list: both kept, the void shown; phones and names masked (in full only by id)
      const list = await t.http.get(`/api/pledge-campaigns/${id}/signatures`).set(school);
      expect(list.body.items.map((x: any) => [x.seq, !!x.void])).toEqual([
        [1, true],
        [3, false],
      ]);
      expect(list.body.items[1].fields).toMatchObject({ studentName: '孙*', guardianName: '王*山', phone: '137****0004' });
      expect((await t.http.get(`/api/pledge-signatures/${real.body.id}`).set(school)).body.fields.phone).toBe('13700000004');
      const original = await t.ds.getRepository(PledgeSignature).findOneByOrFail({ id: fake.body.id });
      expect(original.chainHash).toBe(fake.body.chainHash);
      // tampering with the void record (its reason) is caught
      await t.ds.query('UPDATE pledge_void SET reason = ? WHERE signatureId = ?', ['改过的原因', fake.body.id]);
      const bad = await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(school);
      expect(bad.body).toMatchObject({ ok: false, firstBroken: { seq: 2 } });
      await t.ds.query('UPDATE pledge_void SET reason = ? WHERE signatureId = ?', ['非监护人代签，家长来电核实', fake.body.id]);
      // un-voiding behind the chain's back is caught too
      const marked = await t.ds.getRepository(PledgeSignature).findOneByOrFail({ id: fake.body.id });
      await t.ds.getRepository(PledgeSignature).update({ id: fake.body.id }, { voidedAt: null });
      expect((await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(school)).body.ok).toBe(false);
      await t.ds.getRepository(PledgeSignature).update({ id: fake.body.id }, { voidedAt: marked.voidedAt });
      expect((await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(school)).body.ok).toBe(true);

      // audited
      const entries = await t.ds.getRepository(AuditLog).find({ where: { action: 'signature.void', targetId: String(fake.body.id) } });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actorId: t.seed.user.school.id, orgPath: t.seed.org.s_primary.path });
      expect(await t.ds.getRepository(PledgeVoid).count({ where: { campaignId: id } })).toBe(1);
    });
  });

  describe('finding 3: the roster lookup', () => {
    it('answers only on open campaigns, only what signing needs (class only to tell namesakes apart)', async () => {
      const id = await campaignWithRoster(['同名,四年级一班,张甲,13700000011', '同名,四年级二班,张乙,13700000012', '独一,四年级一班,刘丙,13700000013']);
      const parent = await t.as('parent');
      const one = await t.http.get(`/api/pledge-campaigns/${id}/roster`).query({ q: '独一' }).set(parent);
      expect(one.status).toBe(200);
      expect(one.body).toEqual([{ id: expect.any(Number), name: '独一', group: null, guardianName: '刘*' }]);
      const two = await t.http.get(`/api/pledge-campaigns/${id}/roster`).query({ q: '同名' }).set(parent);
      expect(two.body.map((x: any) => x.group)).toEqual(['四年级一班', '四年级二班']);
      for (const x of [...one.body, ...two.body]) expect(Object.keys(x).sort()).toEqual(['group', 'guardianName', 'id', 'name']);
      expect(JSON.stringify(two.body)).not.toMatch(/137/);

      expect((await t.http.post(`/api/pledge-campaigns/${id}/close`).set(await t.as('school'))).status).toBe(200);
      const closed = await t.http.get(`/api/pledge-campaigns/${id}/roster`).query({ q: '独一' }).set(parent);
      expect(closed.status).toBe(409);
      expect(closed.body.message).toMatch(/已关闭/);
      const expiring = await campaignWithRoster(['过期,一年级一班,钱某,13700000014'], new Date(Date.now() + 1500).toISOString());
      await new Promise((r) => setTimeout(r, 1700));
      const expired = await t.http.get(`/api/pledge-campaigns/${expiring}/roster`).query({ q: '过期' }).set(parent);
      expect(expired.status).toBe(409);
      expect(expired.body.message).toMatch(/已截止/);
    });

    it(`is limited to ${LIMITS.rosterLookupsPerMinute} lookups a minute per user, whatever the global limit`, async () => {
      const id = await campaignWithRoster(['限流,五年级一班,吴某,13700000021']);
      const me = await t.login('roster-prober');
      const statuses: number[] = [];
      for (let i = 0; i < LIMITS.rosterLookupsPerMinute + 1; i++)
        statuses.push(
          (
            await t.http
              .get(`/api/pledge-campaigns/${id}/roster`)
              .query({ q: `限流${i % 3 ? '' : '某'}` })
              .set(me)
          ).status,
        );
      expect(statuses.slice(0, LIMITS.rosterLookupsPerMinute).every((s) => s === 200)).toBe(true);
      expect(statuses[LIMITS.rosterLookupsPerMinute]).toBe(429);
      // another user is not affected; other routes are not either
      expect(
        (
          await t.http
            .get(`/api/pledge-campaigns/${id}/roster`)
            .query({ q: '限流' })
            .set(await t.login('roster-other'))
        ).status,
      ).toBe(200);
      expect((await t.http.get(`/api/pledge-campaigns/${id}`).set(me)).status).toBe(200);
    });
  });

  describe('finding 4: templates belong to a unit', () => {
    const text = (title: string) => ({
      title,
      body: `${title}：家长要做到看护好孩子，不私自下水游泳。`.repeat(2),
      signers: [{ role: 'guardian', label: '家长' }],
      fields: [{ key: 'studentName', label: '学生姓名', type: 'text', required: true }],
    });

    it('built-ins are edited by admins only; a town officer or a school cannot add a version to them', async () => {
      const builtin = (await t.http.get('/api/pledge-templates').set(await t.as('town'))).body.find(
        (x: any) => x.kind === 'holiday_safety' && x.orgId === null,
      );
      expect(builtin).toMatchObject({ editable: false, isDefault: true });
      for (const who of ['town', 'town2', 'school', 'dept']) {
        const res = await t.http
          .post(`/api/pledge-templates/${builtin.id}/versions`)
          .set(await t.as(who))
          .send(text('改写的假期安全承诺书'));
        expect(res.status).toBe(403);
        expect(
          (
            await t.http
              .put(`/api/pledge-templates/${builtin.id}`)
              .set(await t.as(who))
              .send(text('改写的假期安全承诺书'))
          ).status,
        ).toBe(403);
      }
      const after = await t.http.get(`/api/pledge-templates/${builtin.id}`).set(await t.as('town'));
      expect(after.body.versionCount).toBe(builtin.versionCount);
    });

    it("a town's own template is seen and is the default in its subtree only; another town cannot see, edit or use it", async () => {
      const town = await t.as('town');
      const created = await t.http
        .post('/api/pledge-templates')
        .set(town)
        .send({ kind: 'holiday_safety', ...text('石桥镇假期安全承诺书') });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ orgId: t.seed.org.town.id, orgName: '石桥镇', editable: true, isDefault: true });
      const tid = created.body.id;

      // below the town (the school): seen and the default for the kind, but not editable
      const forSchool = (await t.http.get('/api/pledge-templates').set(await t.as('school'))).body.filter((x: any) => x.kind === 'holiday_safety');
      expect(forSchool.find((x: any) => x.id === tid)).toMatchObject({ isDefault: true, editable: false });
      expect(forSchool.find((x: any) => x.orgId === null)).toMatchObject({ isDefault: false });
      expect(
        (
          await t.http
            .post(`/api/pledge-templates/${tid}/versions`)
            .set(await t.as('school'))
            .send(text('学校改的'))
        ).status,
      ).toBe(403);

      // another town: not listed, 404 by id, cannot add a version, cannot use its version; its default stays the built-in
      const town2 = await t.as('town2');
      const forTown2 = (await t.http.get('/api/pledge-templates').set(town2)).body;
      expect(forTown2.find((x: any) => x.id === tid)).toBeUndefined();
      expect(forTown2.find((x: any) => x.kind === 'holiday_safety' && x.isDefault).orgId).toBeNull();
      expect((await t.http.get(`/api/pledge-templates/${tid}`).set(town2)).status).toBe(404);
      expect((await t.http.post(`/api/pledge-templates/${tid}/versions`).set(town2).send(text('白沙镇改的'))).status).toBe(404);
      const use = await t.http
        .post('/api/pledge-campaigns')
        .set(town2)
        .send({ templateVersionId: created.body.latest.id, orgId: t.seed.org.town2.id, deadline: inDays(3) });
      expect(use.status).toBe(404);

      // the town edits its own; uses it in its subtree
      const v2 = await t.http.post(`/api/pledge-templates/${tid}/versions`).set(town).send(text('石桥镇假期安全承诺书（修订）'));
      expect(v2.status).toBe(201);
      expect(v2.body.versionCount).toBe(2);
      const c = await t.http
        .post('/api/pledge-campaigns')
        .set(await t.as('school'))
        .send({ templateVersionId: v2.body.latest.id, orgId: t.seed.org.s_primary.id, deadline: inDays(3) });
      expect(c.status).toBe(201);
      // the county admin sees it (scope covers the town)
      expect((await t.http.get(`/api/pledge-templates/${tid}`).set(await t.as('admin'))).status).toBe(200);
      // a template cannot be placed in a unit outside the caller's scope
      expect(
        (
          await t.http
            .post('/api/pledge-templates')
            .set(town)
            .send({ kind: 'drowning', orgId: t.seed.org.town2.id, ...text('放到白沙镇') })
        ).status,
      ).toBe(403);
    });
  });
});
