import { named } from '../../testing/fields';
import { User } from '../users/user.entity';
import { WechatClient } from '../wechat/wechat.client';
import { SubscriptionConsent } from '../subscriptions/subscription-consent.entity';
import { DeliveryService } from './delivery.service';
import { JOB_FANOUT } from './publicity.service';
import { Message, MessageDelivery } from './message.entity';
import { TPL, usePublicity } from './__tests__/publicity.fixture';

/** Subscribe messages through the fake WeChat server: consents, the fan-out, a lost job, msgids, trySend. */
describe('publicity: compose, feed, reach (API)', () => {
  const { t, wx, f, draft, publish, refuseJobs } = usePublicity();

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
    /** The user accepts one more publicity message (one tap on WeChat's consent sheet). */
    const accept = (u: { headers: Record<string, string> }) =>
      t.http
        .post('/api/subscriptions')
        .set(u.headers)
        .send({ templateIds: [TPL], results: { [TPL]: 'accept' } })
        .expect(200);
    const remaining = async (userId: number) => (await t.ds.getRepository(SubscriptionConsent).findOne({ where: { userId, templateId: TPL } }))?.remaining ?? 0;

    it('counts one-time consents: accept adds one, ban clears, unknown templates are refused', async () => {
      const u = await wxUser('o-sub-count', 'v_taoyuan');
      expect((await t.http.get('/api/subscriptions').set(u.headers)).body.templates).toEqual([
        { key: 'publicity', templateId: TPL, remaining: 0, banned: false },
      ]);
      for (let i = 0; i < 2; i++) await accept(u);
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
      for (const u of [a, b, c, outside]) await accept(u);
      await accept(a); // a has 2
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
      const s = (await t.http.get(`/api/messages/${m.id}/stats`).set(f.town)).body;
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
      await accept(u);
      const m = await draft({ orgIds: [t.seed.org.v_zhangjiawan.id] }, { title: '张家湾村汛期提醒', category: 'disaster' });
      await publish(m.id);
      await settled(m.id, 1);
      const before = wx.sends.length;
      // as if Redis lost the job: the row is pending again, published 10 minutes ago, and no job exists
      await t.ds.getRepository(MessageDelivery).update({ messageId: m.id, userId: u.id }, { status: 'pending', claimedAt: null });
      await t.ds.getRepository(Message).update(m.id, { publishedAt: new Date(Date.now() - 10 * 60_000) });
      await accept(u);
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

    it('a fan-out whose job was not queued is queued again by the resume sweep: every consenting user once', async () => {
      const u = await wxUser('o-sub-nofan', 'v_zhangjiawan');
      await accept(u);
      const m = await draft({ orgIds: [t.seed.org.v_zhangjiawan.id] }, { title: '张家湾村防汛转移演练通知', category: 'disaster' });
      // the queue refuses the fan-out job (Redis away); the publish itself is stored
      const spy = refuseJobs(JOB_FANOUT);
      const before = wx.sends.length;
      try {
        // published, so the officer is told so (a retry would only hear 只有草稿可以发布)
        expect((await t.http.post(`/api/messages/${m.id}/publish`).set(f.town).send({})).status).toBe(200);
      } finally {
        spy.mockRestore();
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(wx.sends.slice(before).filter((x) => x.touser === 'o-sub-nofan')).toHaveLength(0);
      expect((await t.ds.getRepository(Message).findOneByOrFail({ id: m.id })).fannedOutAt).toBeNull();
      // ten minutes on, the sweep finds a published message never fanned out
      await t.ds.getRepository(Message).update(m.id, { publishedAt: new Date(Date.now() - 10 * 60_000) });
      const d = t.app.get(DeliveryService);
      expect(await d.resumePending()).toBeGreaterThanOrEqual(1);
      const rows = await settled(m.id, 1);
      expect(rows.find((r) => r.userId === u.id)?.status).toBe('sent');
      expect(wx.sends.slice(before).filter((x) => x.touser === 'o-sub-nofan')).toHaveLength(1);
      expect((await t.ds.getRepository(Message).findOneByOrFail({ id: m.id })).fannedOutAt).toEqual(expect.any(Date));
      // fanned out: the next sweeps leave it alone, and nobody hears of it twice
      await accept(u);
      await d.resumePending();
      await new Promise((r) => setTimeout(r, 300));
      expect(wx.sends.slice(before).filter((x) => x.touser === 'o-sub-nofan')).toHaveLength(1);
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
      await accept(u);
      expect(await svc.trySend(u.id, 'publicity', { thing1: { value: 'x' } }, 'pages/index/index')).toBe('sent');
      expect(await remaining(u.id)).toBe(0);
    });
  });
});
