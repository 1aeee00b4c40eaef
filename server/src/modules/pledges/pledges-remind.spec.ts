import { FakeWechat } from '../../testing/fake-wechat';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { User } from '../users/user.entity';

const TPL = 'tpl-pledge-remind';

describe('pledge reminders reach unsigned guardians in-app and by WeChat subscribe message', () => {
  let wx: FakeWechat;
  let t: TestApp;
  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await createTestApp({ env: { ...wx.env(), WECHAT_TPL_PLEDGE: TPL } });
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  it('sends one subscribe message per unsigned guardian with a consent, none to those without', async () => {
    const guardian = async (openid: string, phone: string) => {
      const res = await t.http.post('/api/auth/wechat').send({ code: wx.code(openid) });
      const headers = { Authorization: `Bearer ${res.body.token}` };
      await t.ds.getRepository(User).update(res.body.user.id, { phone, orgId: t.seed.org.v_hekou.id, orgPath: t.seed.org.v_hekou.path });
      return { headers, id: res.body.user.id as number };
    };
    const withConsent = await guardian('o-guardian-yes', '13700000001');
    await guardian('o-guardian-no', '13700000002');
    await t.http
      .post('/api/subscriptions')
      .set(withConsent.headers)
      .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
      .expect(200);

    const school = await t.as('school');
    const tpl = (await t.http.get('/api/pledge-templates').set(school)).body.find((x: any) => x.kind === 'drowning').latest.id;
    const deadline = new Date(Date.now() + 7 * 86400_000).toISOString();
    const c = await t.http
      .post('/api/pledge-campaigns')
      .set(school)
      .send({ templateVersionId: tpl, orgId: t.seed.org.s_primary.id, deadline, title: '暑假防溺水承诺书' });
    expect(c.status).toBe(201);
    const csv = '学生姓名,班级,监护人,联系电话\n王一,二年级一班,王父,13700000001\n李二,二年级一班,李母,13700000002\n';
    expect((await t.http.post(`/api/pledge-campaigns/${c.body.id}/roster`).set(school).attach('file', Buffer.from(csv), 'r.csv')).status).toBe(200);

    const before = wx.sends.length;
    const r = await t.http.post(`/api/pledge-campaigns/${c.body.id}/remind`).set(school);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ unsignedCount: 2, notified: 2 });
    await t.app.get<JobQueue>(JOB_QUEUE).idle(10_000);
    const sent = wx.sends.slice(before);
    expect(sent.map((s) => s.touser)).toEqual(['o-guardian-yes']);
    expect(sent[0]).toMatchObject({ template_id: TPL, page: `pages/pledge-sign/index?c=${c.body.id}` });
    expect(sent[0].data.thing1.value).toBe('暑假防溺水承诺书');
  });
});
