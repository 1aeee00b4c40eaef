import { DataSource } from 'typeorm';
import { FakeWechat } from '../../testing/fake-wechat';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { User } from '../users/user.entity';
import { WechatClient } from '../wechat/wechat.client';
import { DeliveryService } from './delivery.service';
import { Message, MessageDelivery } from './message.entity';
import { PublicityService } from './publicity.service';
import { SubscriptionConsent } from '../subscriptions/subscription-consent.entity';
import { named } from '../../testing/fields';

const TPL = 'tpl-publicity-0001';
const para = (text: string, bold = false) => ({ type: 'p', text, ...(bold ? { bold } : {}) });

describe('publicity: compose, feed, reach (API)', () => {
  let t: TestApp;
  let wx: FakeWechat;
  let town: Record<string, string>;

  beforeAll(async () => {
    wx = await new FakeWechat().start();
    t = await createTestApp({ env: { ...wx.env(), WECHAT_TPL_PUBLICITY: TPL } });
    town = await t.as('town');
  });
  afterAll(async () => {
    await t.close();
    await wx.stop();
  });

  async function draft(audience: { orgIds: number[]; roles?: string[] }, extra: Record<string, unknown> = {}, who = town) {
    const res = await t.http
      .post('/api/messages')
      .set(who)
      .send({
        title: extra.title ?? '防溺水安全提醒',
        category: 'drowning',
        body: [para('暑期请看护好孩子。'), para('不私自下水游泳。', true)],
        audience,
        ...extra,
      });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function publish(id: number, who = town) {
    const res = await t.http.post(`/api/messages/${id}/publish`).set(who).send({});
    expect(res.status).toBe(200);
    return res.body;
  }
  const feedIds = async (key: string) => ((await t.http.get('/api/feed').set(await t.as(key))).body.items as { id: number }[]).map((i) => i.id);

  it('validates the body blocks and names each bad field; never stores HTML', async () => {
    const res = await t.http
      .post('/api/messages')
      .set(town)
      .send({
        title: '',
        category: 'nope',
        audience: { orgIds: [] },
        body: [
          { type: 'script', text: '<b>x</b>' },
          { type: 'video', url: 'javascript:alert(1)' },
        ],
      });
    expect(res.status).toBe(400);
    expect(named(res.body)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title /),
        expect.stringMatching(/^category /),
        expect.stringMatching(/^audience\.orgIds /),
        expect.stringMatching(/^body\.0\.type /),
        expect.stringMatching(/^body\.1\.url /),
      ]),
    );
    const img = await t.http
      .post('/api/messages')
      .set(town)
      .send({ title: 't', category: 'fire', audience: { orgIds: [t.seed.org.town.id] }, body: [{ type: 'image', mediaId: 999999 }] });
    expect(img.status).toBe(400);
    expect(named(img.body)).toEqual([expect.stringMatching(/^body\.0\.mediaId .*（编号 999999）/)]);
  });

  it('refuses audience units outside the officer scope (403) and unknown ones (404)', async () => {
    const village = await t.as('village');
    const out = await t.http
      .post('/api/messages')
      .set(village)
      .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [t.seed.org.v_hekou.id] } });
    expect(out.status).toBe(403);
    const unknown = await t.http
      .post('/api/messages')
      .set(town)
      .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [987654] } });
    expect(unknown.status).toBe(404);
    expect(
      (
        await t.http
          .post('/api/messages')
          .set(await t.as('resident'))
          .send({ title: 't', category: 'fire', body: [para('x')], audience: { orgIds: [t.seed.org.v_liulin.id] } })
      ).status,
    ).toBe(403);
  });

  it('a resident of village A never sees a message for village B; the town-wide one reaches both', async () => {
    const forHekou = await draft({ orgIds: [t.seed.org.v_hekou.id] }, { title: '河口村专用通知' });
    const forTown = await draft({ orgIds: [t.seed.org.town.id] }, { title: '全镇通知' });
    // drafts are in nobody's feed
    expect(await feedIds('parent')).not.toContain(forHekou.id);
    await publish(forHekou.id);
    await publish(forTown.id);
    const parent = await feedIds('parent'); // 河口村
    const resident = await feedIds('resident'); // 柳林村
    expect(parent).toEqual(expect.arrayContaining([forHekou.id, forTown.id]));
    expect(resident).toContain(forTown.id);
    expect(resident).not.toContain(forHekou.id);
    // and cannot open, read or acknowledge it either
    const r = await t.as('resident');
    expect((await t.http.get(`/api/feed/${forHekou.id}`).set(r)).status).toBe(404);
    expect((await t.http.post(`/api/messages/${forHekou.id}/read`).set(r)).status).toBe(404);
    expect((await t.http.post(`/api/messages/${forHekou.id}/ack`).set(r)).status).toBe(404);
    // a user of the other town sees neither
    const other = await feedIds('town2');
    expect(other).not.toContain(forTown.id);
  });

  it('filters by role: a message for village officers is not in a resident feed', async () => {
    const m = await draft({ orgIds: [t.seed.org.town.id], roles: ['village_officer'] }, { title: '村安全负责人会议通知' });
    await publish(m.id);
    expect(await feedIds('village')).toContain(m.id);
    expect(await feedIds('resident')).not.toContain(m.id);
    expect((await t.http.get(`/api/messages/${m.id}/stats`).set(town)).body.audienceSize).toBe(
      await t.ds
        .getRepository(User)
        .createQueryBuilder('u')
        .where("u.role = 'village_officer' AND u.orgPath LIKE :p", { p: `${t.seed.org.town.path}%` })
        .getCount(),
    );
  });

  it('pages the feed newest first with totals and unread marks', async () => {
    const r = await t.as('resident');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publish((await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: `柳林第${i}条` })).id)).id);
    const p1 = await t.http.get('/api/feed?page=1&pageSize=2').set(r);
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((x: any) => x.id)).toEqual([ids[2], ids[1]]);
    expect(p1.body.items[0]).toMatchObject({ read: false, acked: false, categoryLabel: '防溺水', summary: '暑期请看护好孩子。', publisherOrgName: '石桥镇' });
    const p2 = await t.http.get('/api/feed?page=2&pageSize=2').set(r);
    expect(p2.body.items[0].id).toBe(ids[0]);
    expect(p2.body.total).toBe(p1.body.total);
    const past = await t.http.get('/api/feed?page=999&pageSize=20').set(r);
    expect(past.body).toMatchObject({ items: [], total: p1.body.total, page: 999, pageSize: 20 });
    expect((await t.http.get('/api/feed?pageSize=101').set(r)).status).toBe(400);
    const before = (await t.http.get('/api/feed/unread-count').set(r)).body.unread;
    await t.http.post(`/api/messages/${ids[2]}/read`).set(r).expect(200);
    expect((await t.http.get('/api/feed/unread-count').set(r)).body.unread).toBe(before - 1);
    const again = await t.http.get('/api/feed?page=1&pageSize=2').set(r);
    expect(again.body.items[0].read).toBe(true);
  });

  it('a feed page is one SQL statement after the sign-in lookup (no count, user, unit or receipt round trips)', async () => {
    const r = await t.as('resident');
    await publish((await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '语句计数' })).id);
    const qr = t.ds.createQueryRunner();
    const proto = Object.getPrototypeOf(qr);
    await qr.release();
    const original = proto.query;
    const seen: string[] = [];
    proto.query = function (this: unknown, sql: string, ...rest: unknown[]) {
      seen.push(sql);
      return original.call(this, sql, ...rest);
    };
    let res;
    try {
      res = await t.http.get('/api/feed?pageSize=1').set(r);
    } finally {
      proto.query = original;
    }
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ title: '语句计数', publisherOrgName: '石桥镇', read: false });
    expect(res.body.total).toBeGreaterThan(res.body.items.length);
    // the sign-in lookup (app_user) plus one statement for the page, its messages, receipts, reminders and total
    expect(seen.filter((q) => /message/.test(q))).toHaveLength(1);
    expect(seen.length).toBeLessThanOrEqual(2);
  });

  it('read and ack are idempotent and counted once; reach shows them by unit', async () => {
    const m = await draft({ orgIds: [t.seed.org.town.id] }, { title: '安全生产月公益广告', category: 'safety_month', ackRequired: true });
    await publish(m.id);
    const ent = await t.as('enterprise'); // 青山大强钢铁 staff
    const first = await t.http.post(`/api/messages/${m.id}/ack`).set(ent);
    expect(first.status).toBe(200);
    expect(first.body.readAt).toEqual(expect.any(String));
    const second = await t.http.post(`/api/messages/${m.id}/ack`).set(ent);
    expect(second.body.ackedAt).toBe(first.body.ackedAt);
    await Promise.all(
      [1, 2, 3].map(async () =>
        t.http
          .post(`/api/messages/${m.id}/read`)
          .set(await t.as('resident'))
          .expect(200),
      ),
    );
    const s = (await t.http.get(`/api/messages/${m.id}/stats`).set(town)).body;
    const usersInTown = await t.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.orgPath LIKE :p AND u.disabled = 0', { p: `${t.seed.org.town.path}%` })
      .getCount();
    expect(s).toMatchObject({ audienceSize: usersInTown, read: 2, acked: 1, ackRequired: true, breakdownOf: { orgId: t.seed.org.town.id } });
    const daqiang = s.units.find((u: any) => u.orgId === t.seed.org.e_daqiang.id);
    expect(daqiang).toMatchObject({ audience: 1, read: 1, acked: 1, ackRate: 1, lagging: false });
    const liulin = s.units.find((u: any) => u.orgId === t.seed.org.v_liulin.id);
    expect(liulin).toMatchObject({ read: 1, acked: 0, lagging: true, hasChildren: true });
    expect(s.units.reduce((a: number, u: any) => a + u.audience, 0)).toBe(usersInTown);
    // enterprises with people and no acknowledgement are listed by name
    const silent = s.notAcknowledged.map((u: any) => u.orgId);
    expect(silent).not.toContain(t.seed.org.e_daqiang.id);
    expect(silent).toContain(t.seed.org.v_hekou.id);
    // drill into 柳林村: its grids and its own people
    const drill = (await t.http.get(`/api/messages/${m.id}/stats?orgId=${t.seed.org.v_liulin.id}`).set(town)).body;
    expect(drill.breakdownOf.orgId).toBe(t.seed.org.v_liulin.id);
    expect(drill.units.map((u: any) => u.orgId)).toEqual(expect.arrayContaining([t.seed.org.g_liulin_1.id]));
    expect(drill.units.reduce((a: number, u: any) => a + u.audience, 0)).toBe(liulin.audience);
    // the list shows reach %
    const list = (await t.http.get('/api/messages?status=published').set(town)).body.items.find((x: any) => x.id === m.id);
    expect(list).toMatchObject({ readCount: 2, ackCount: 1, audienceSize: usersInTown });
    // outside the officer's scope: 404
    expect((await t.http.get(`/api/messages/${m.id}/stats`).set(await t.as('town2'))).status).toBe(404);
    expect((await t.http.get(`/api/messages/${m.id}/stats`).set(await t.as('resident'))).status).toBe(403);
  });

  it('reminds lagging units: in-app notices, once an hour per unit', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_hekou.id, t.seed.org.v_liulin.id] }, { title: '燃气安全提醒', category: 'gas' });
    await publish(m.id);
    await t.http
      .post(`/api/messages/${m.id}/read`)
      .set(await t.as('resident'))
      .expect(200);
    const res = await t.http
      .post(`/api/messages/${m.id}/remind-units`)
      .set(town)
      .send({ orgIds: [t.seed.org.v_hekou.id] });
    expect(res.status).toBe(200);
    const hekouUsers = await t.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.orgPath LIKE :p', { p: `${t.seed.org.v_hekou.path}%` })
      .getCount();
    expect(res.body.reminded).toEqual([{ orgId: t.seed.org.v_hekou.id, name: '河口村', users: hekouUsers }]);
    await app_idle(t);
    const notes = (await t.http.get('/api/notifications').set(await t.as('parent'))).body.items;
    expect(notes.some((n: any) => n.title.includes('燃气安全提醒'))).toBe(true);
    const feedItem = (await t.http.get('/api/feed').set(await t.as('parent'))).body.items.find((i: any) => i.id === m.id);
    expect(feedItem.remindedAt).toEqual(expect.any(String));
    const again = await t.http
      .post(`/api/messages/${m.id}/remind-units`)
      .set(town)
      .send({ orgIds: [t.seed.org.v_hekou.id] });
    expect(again.body.reminded).toEqual([]);
    expect(again.body.skipped[0].orgId).toBe(t.seed.org.v_hekou.id);
    expect(
      (
        await t.http
          .post(`/api/messages/${m.id}/remind-units`)
          .set(town)
          .send({ orgIds: [t.seed.org.town2.id] })
      ).status,
    ).toBe(400);
  });

  it('withdraw: gone from feeds, the record stays; only drafts can be edited', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '将被撤回' });
    const patched = await t.http.patch(`/api/messages/${m.id}`).set(town).send({ title: '将被撤回（改）' });
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('将被撤回（改）');
    await publish(m.id);
    const edit = await t.http.patch(`/api/messages/${m.id}`).set(town).send({ title: 'x' });
    expect(edit.status).toBe(409);
    expect(edit.body.message).toMatch(/已发布/);
    expect(await feedIds('resident')).toContain(m.id);
    const w = await t.http.post(`/api/messages/${m.id}/withdraw`).set(town);
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    expect(await feedIds('resident')).not.toContain(m.id);
    expect((await t.http.post(`/api/messages/${m.id}/read`).set(await t.as('resident'))).status).toBe(404);
    expect((await t.http.get(`/api/messages/${m.id}`).set(town)).body.status).toBe('withdrawn');
    expect((await t.http.post(`/api/messages/${m.id}/withdraw`).set(town)).status).toBe(409);
    expect((await t.http.post(`/api/messages/${m.id}/publish`).set(town).send({})).status).toBe(409);
  });

  it('preview shows the message as a resident would, without a receipt', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '预览测试' });
    const p = await t.http.get(`/api/messages/${m.id}/preview`).set(town);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      title: '预览测试',
      inAudience: false,
      read: false,
      body: [
        { type: 'p', text: '暑期请看护好孩子。' },
        { type: 'p', text: '不私自下水游泳。', bold: true },
      ],
    });
  });

  it('scheduled publishing: not in feeds before, published exactly once when due, even by two callers', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_liulin.id] }, { title: '定时发布' });
    expect(
      (
        await t.http
          .post(`/api/messages/${m.id}/publish`)
          .set(town)
          .send({ scheduledAt: new Date(Date.now() - 1000).toISOString() })
      ).status,
    ).toBe(400);
    const at = new Date(Date.now() + 120_000);
    const s = await t.http.post(`/api/messages/${m.id}/publish`).set(town).send({ scheduledAt: at.toISOString() });
    expect(s.body).toMatchObject({ status: 'scheduled', scheduledAt: at.toISOString() });
    const svc = t.app.get(PublicityService);
    expect(await svc.publishDue(new Date())).toBe(0);
    expect(await feedIds('resident')).not.toContain(m.id);
    // two replicas' timers fire at the same moment: one publishes
    const won = await Promise.all([svc.publishDue(new Date(at.getTime() + 1000)), svc.publishDue(new Date(at.getTime() + 1000))]);
    expect(won.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await feedIds('resident')).toContain(m.id);
    expect((await t.http.get(`/api/messages/${m.id}`).set(town)).body.status).toBe('published');
  });

  it("campaign calendar: the year's presets with dates and templates", async () => {
    const c = (await t.http.get('/api/publicity/calendar?year=2026').set(town)).body;
    const names = c.presets.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['安全生产月', '5·12 防灾减灾日', '11·9 消防宣传日', '食品安全宣传周', '暑期防溺水']));
    expect(c.presets.find((p: any) => p.key === 'safety_month')).toMatchObject({
      from: '2026-06-01',
      to: '2026-06-30',
      ackRequired: true,
      category: 'safety_month',
    });
    expect(c.presets.find((p: any) => p.key === 'forest_fire_autumn').to).toBe('2027-04-30');
    expect(c.presets.every((p: any) => p.template.title && p.template.body.length > 0)).toBe(true);
  });

  describe('subscribe messages (fake WeChat, in-process queue unless REDIS_URL)', () => {
    /** A real WeChat user (login through the fake jscode2session), then placed in a unit. */
    async function wxUser(openid: string, orgKey: string) {
      const res = await t.http.post('/api/auth/wechat').send({ code: wx.code(openid) });
      expect(res.status).toBe(200);
      const id = res.body.user.id as number;
      await t.ds.getRepository(User).update(id, { orgId: t.seed.org[orgKey].id, orgPath: t.seed.org[orgKey].path });
      return { headers: { Authorization: `Bearer ${res.body.token}` }, id };
    }
    /** Until no delivery of the message is waiting (the queue may also hold unrelated delayed jobs). */
    async function settled(messageId: number, expectRows: number) {
      const until = Date.now() + 30_000;
      for (;;) {
        const rows = await t.ds.getRepository(MessageDelivery).find({ where: { messageId } });
        if (rows.length >= expectRows && rows.every((r) => !['pending', 'sending'].includes(r.status))) return rows;
        if (Date.now() > until) throw new Error(`deliveries not settled: ${JSON.stringify(rows.map((r) => r.status))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const remaining = async (userId: number) => (await t.ds.getRepository(SubscriptionConsent).findOne({ where: { userId, templateId: TPL } }))?.remaining ?? 0;

    it('counts one-time consents: accept adds one, ban clears, unknown templates are refused', async () => {
      const u = await wxUser('o-sub-count', 'v_taoyuan');
      expect((await t.http.get('/api/subscriptions').set(u.headers)).body.templates).toEqual([
        { key: 'publicity', templateId: TPL, remaining: 0, banned: false },
      ]);
      for (let i = 0; i < 2; i++)
        await t.http
          .post('/api/subscriptions')
          .set(u.headers)
          .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
          .expect(200);
      await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'reject' } })
        .expect(200);
      expect(await remaining(u.id)).toBe(2);
      const bad = await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: ['tpl-unknown'], results: { 'tpl-unknown': 'accept' } });
      expect(bad.status).toBe(400);
      expect(named(bad.body)[0]).toMatch(/^templateIds /);
      const ban = await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'ban' } });
      expect(ban.body.templates[0]).toMatchObject({ remaining: 0, banned: true });
    });

    it('publishing sends once to each consenting user, spends one consent each; 43101 zeroes; busy retries', async () => {
      const a = await wxUser('o-sub-a', 'v_taoyuan');
      const b = await wxUser('o-sub-b', 'v_taoyuan');
      const c = await wxUser('o-sub-c', 'v_taoyuan');
      const none = await wxUser('o-sub-none', 'v_taoyuan');
      const outside = await wxUser('o-sub-out', 'v_longtan');
      for (const u of [a, b, c, outside])
        await t.http
          .post('/api/subscriptions')
          .set(u.headers)
          .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
          .expect(200);
      await t.http
        .post('/api/subscriptions')
        .set(a.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
        .expect(200); // a has 2
      wx.noConsent.add('o-sub-c');
      wx.failNextSends = 1; // one send answers -1 "system busy" and is retried
      wx.expireTokenOnce = true; // the token expires mid-way: refreshed and retried by WechatClient
      const before = wx.sends.length;
      const m = await draft({ orgIds: [t.seed.org.v_taoyuan.id] }, { title: '桃园村森林防火期特别提醒通知全文很长很长的标题', category: 'forest_fire' });
      await publish(m.id);
      const rows = await settled(m.id, 3);
      const sent = wx.sends.slice(before);
      expect(sent.map((s) => s.touser).sort()).toEqual(['o-sub-a', 'o-sub-b']);
      expect(sent[0]).toMatchObject({ template_id: TPL, page: `pages/message/index?id=${m.id}` });
      expect(Array.from(sent[0].data.thing1.value).length).toBeLessThanOrEqual(20);
      expect(await remaining(a.id)).toBe(1);
      expect(await remaining(b.id)).toBe(0);
      expect(await remaining(c.id)).toBe(0);
      expect(await remaining(outside.id)).toBe(1);
      const by = Object.fromEntries(rows.map((r) => [r.userId, r]));
      expect(by[a.id].status).toBe('sent');
      // WeChat's msgid (the fake numbers its sends 1, 2, …) is stored on the delivery row
      const msgidOf = (openid: string) => String(wx.sends.findIndex((x, i) => i >= before && x.touser === openid) + 1);
      expect(by[a.id].wxMsgId).toBe(msgidOf('o-sub-a'));
      expect(by[b.id].wxMsgId).toBe(msgidOf('o-sub-b'));
      expect(by[c.id].wxMsgId).toBeNull();
      expect(by[c.id].status).toBe('no_consent');
      expect(by[none.id]).toBeUndefined();
      // the busy answer hit one of the three sends (which one depends on timing): it was retried once and settled
      expect(rows.some((r) => r.attempts === 2 && ['sent', 'no_consent'].includes(r.status))).toBe(true);
      const s = (await t.http.get(`/api/messages/${m.id}/stats`).set(town)).body;
      expect(s).toMatchObject({ delivered: 2, noConsent: 1, deliveryPending: 0 });
      // a re-run of the fan-out and of every send job changes nothing
      const d = t.app.get(DeliveryService);
      await d.fanout(m.id);
      for (const r of rows) await d.send(m.id, r.userId);
      await settled(m.id, 3);
      await new Promise((r) => setTimeout(r, 300));
      expect(wx.sends.length - before).toBe(2);
    });

    it('re-enqueues a send whose job was lost (pending long after publishing), still once per user', async () => {
      const u = await wxUser('o-sub-lost', 'v_zhangjiawan');
      await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
        .expect(200);
      const m = await draft({ orgIds: [t.seed.org.v_zhangjiawan.id] }, { title: '张家湾村汛期提醒', category: 'disaster' });
      await publish(m.id);
      await settled(m.id, 1);
      const before = wx.sends.length;
      // as if Redis lost the job: the row is pending again, published 10 minutes ago, and no job exists
      await t.ds.getRepository(MessageDelivery).update({ messageId: m.id, userId: u.id }, { status: 'pending', claimedAt: null });
      await t.ds.getRepository(Message).update(m.id, { publishedAt: new Date(Date.now() - 10 * 60_000) });
      await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
        .expect(200);
      const d = t.app.get(DeliveryService);
      expect(await d.resumePending()).toBeGreaterThanOrEqual(1);
      const rows = await settled(m.id, 1);
      expect(rows.find((r) => r.userId === u.id)?.status).toBe('sent');
      expect(wx.sends.slice(before).filter((x) => x.touser === 'o-sub-lost')).toHaveLength(1);
      // nothing pending any more: a second sweep enqueues nothing for this message and sends nothing
      await d.resumePending();
      await new Promise((r) => setTimeout(r, 300));
      expect(wx.sends.slice(before).filter((x) => x.touser === 'o-sub-lost')).toHaveLength(1);
    });

    it('keeps every digit of a 64-bit msgid from WeChat', async () => {
      const client = t.app.get(WechatClient);
      await client.accessToken();
      const real = global.fetch;
      const spy = jest
        .spyOn(global, 'fetch')
        .mockImplementation(async (url, init) =>
          String(url).includes('subscribe/send') ? new Response('{"errcode":0,"errmsg":"ok","msgid":2375290419290226689}') : real(url, init),
        );
      try {
        expect(await client.sendSubscribeMessage({ openid: 'o-x', templateId: TPL, data: {} })).toEqual({ msgid: '2375290419290226689' });
      } finally {
        spy.mockRestore();
      }
    });

    it('trySend for other features spends a consent and reports no_consent / skipped', async () => {
      const u = await wxUser('o-trysend', 'v_taoyuan');
      const svc = t.app.get(DeliveryService)['subs'];
      expect(await svc.trySend(u.id, 'hazardUpdate', {}, 'pages/index/index')).toBe('skipped');
      expect(await svc.trySend(u.id, 'publicity', { thing1: { value: 'x' } }, 'pages/index/index')).toBe('no_consent');
      await t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
        .expect(200);
      expect(await svc.trySend(u.id, 'publicity', { thing1: { value: 'x' } }, 'pages/index/index')).toBe('sent');
      expect(await remaining(u.id)).toBe(0);
    });
  });
});

async function app_idle(t: TestApp) {
  await t.app.get<JobQueue>(JOB_QUEUE).idle(20_000);
}
void DataSource;
