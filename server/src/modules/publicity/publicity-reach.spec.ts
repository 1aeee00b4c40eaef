import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { User } from '../users/user.entity';
import { DeliveryService } from './delivery.service';
import { MessageReminder } from './message.entity';
import { JOB_REMIND } from './reach.service';
import { usePublicity } from './__tests__/publicity.fixture';

/** Reach: reads and acknowledgements counted once and shown by unit, reminders to lagging units. */
describe('publicity: compose, feed, reach (API)', () => {
  const { t, f, draft, publish, idle, refuseJobs } = usePublicity();

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
    const s = (await t.http.get(`/api/messages/${m.id}/stats`).set(f.town)).body;
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
    const drill = (await t.http.get(`/api/messages/${m.id}/stats?orgId=${t.seed.org.v_liulin.id}`).set(f.town)).body;
    expect(drill.breakdownOf.orgId).toBe(t.seed.org.v_liulin.id);
    expect(drill.units.map((u: any) => u.orgId)).toEqual(expect.arrayContaining([t.seed.org.g_liulin_1.id]));
    expect(drill.units.reduce((a: number, u: any) => a + u.audience, 0)).toBe(liulin.audience);
    // the list shows reach %
    const list = (await t.http.get('/api/messages?status=published').set(f.town)).body.items.find((x: any) => x.id === m.id);
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
      .set(f.town)
      .send({ orgIds: [t.seed.org.v_hekou.id] });
    expect(res.status).toBe(200);
    const hekouUsers = await t.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.orgPath LIKE :p', { p: `${t.seed.org.v_hekou.path}%` })
      .getCount();
    expect(res.body.reminded).toEqual([{ orgId: t.seed.org.v_hekou.id, name: '河口村', users: hekouUsers }]);
    await idle();
    const notes = (await t.http.get('/api/notifications').set(await t.as('parent'))).body.items;
    expect(notes.some((n: any) => n.title.includes('燃气安全提醒'))).toBe(true);
    const feedItem = (await t.http.get('/api/feed').set(await t.as('parent'))).body.items.find((i: any) => i.id === m.id);
    expect(feedItem.remindedAt).toEqual(expect.any(String));
    const again = await t.http
      .post(`/api/messages/${m.id}/remind-units`)
      .set(f.town)
      .send({ orgIds: [t.seed.org.v_hekou.id] });
    expect(again.body.reminded).toEqual([]);
    expect(again.body.skipped[0].orgId).toBe(t.seed.org.v_hekou.id);
    expect(
      (
        await t.http
          .post(`/api/messages/${m.id}/remind-units`)
          .set(f.town)
          .send({ orgIds: [t.seed.org.town2.id] })
      ).status,
    ).toBe(400);
  });

  it('a reminder whose job could not be queued still goes out, once, when the resume job finds it', async () => {
    const m = await draft({ orgIds: [t.seed.org.v_hekou.id] }, { title: '液化气钢瓶检查提醒', category: 'gas' });
    await publish(m.id);
    // the job queue is away for the reminder's job (Redis down); everything else queues as usual
    const spy = refuseJobs(JOB_REMIND);
    let res;
    try {
      res = await t.http
        .post(`/api/messages/${m.id}/remind-units`)
        .set(f.town)
        .send({ orgIds: [t.seed.org.v_hekou.id] });
    } finally {
      spy.mockRestore();
    }
    // the reminder is stored, so the officer is told it went (a retry would only be told 已催阅)
    expect(res.status).toBe(200);
    expect(res.body.reminded.map((r: { orgId: number }) => r.orgId)).toEqual([t.seed.org.v_hekou.id]);
    await idle();
    const parent = await t.as('parent');
    const notices = async () =>
      ((await t.http.get('/api/notifications').set(parent)).body.items as { title: string }[]).filter((n) => n.title.includes('液化气钢瓶检查提醒'));
    expect(await notices()).toHaveLength(0);
    // ten minutes on (past PUBLICITY_RESUME_AFTER_SECONDS), the resume job queues it again
    const rem = await t.ds.getRepository(MessageReminder).findOneByOrFail({ messageId: m.id });
    expect(rem.startedAt).toBeNull();
    await t.ds.getRepository(MessageReminder).update(rem.id, { createdAt: new Date(Date.now() - 10 * 60_000) });
    const d = t.app.get(DeliveryService);
    // every pending user of the unit is offered a subscribe send (never repeated: it may have gone out)
    const sends = jest.spyOn(t.app.get(SubscriptionsService), 'trySend');
    try {
      expect(await d.resumePending()).toBeGreaterThanOrEqual(1);
      await idle();
      expect(await notices()).toHaveLength(1);
      expect((await t.ds.getRepository(MessageReminder).findOneByOrFail({ id: rem.id })).startedAt).toEqual(expect.any(Date));
      const offered = sends.mock.calls.length;
      expect(offered).toBe(res.body.reminded[0].users);
      // taken once: a second sweep and a second job for the same reminder send nothing more
      await d.resumePending();
      await d.remind(rem.id);
      await idle();
      expect(sends.mock.calls.length).toBe(offered);
      expect(await notices()).toHaveLength(1);
    } finally {
      sends.mockRestore();
    }
  });
});
