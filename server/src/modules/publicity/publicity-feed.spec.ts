import { User } from '../users/user.entity';
import { usePublicity } from './__tests__/publicity.fixture';

/** The residents' feed: only their units' and role's messages, paged newest first, one SQL statement a page. */
describe('publicity: compose, feed, reach (API)', () => {
  const { t, f, draft, publish, feedIds, idle } = usePublicity();

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
    expect((await t.http.get(`/api/messages/${m.id}/stats`).set(f.town)).body.audienceSize).toBe(
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
    // publishing queues the message's send-out, which reads message_audience on its own time; let it finish
    // so that only the feed request's statements are counted (CI once counted the job's read as the page's)
    await idle();
    // every statement as the DataSource logs it (query runners' and the prepared reads alike)
    const logged = jest.spyOn(t.ds.logger, 'logQuery');
    let res;
    let seen: string[];
    try {
      res = await t.http.get('/api/feed?pageSize=1').set(r);
    } finally {
      seen = logged.mock.calls.map(([sql]) => sql);
      logged.mockRestore();
    }
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ title: '语句计数', publisherOrgName: '石桥镇', read: false });
    expect(res.body.total).toBeGreaterThan(res.body.items.length);
    // the sign-in lookup (app_user) plus one statement for the page, its messages, receipts, reminders and total
    expect(seen.filter((q) => /message/.test(q))).toHaveLength(1);
    expect(seen.length).toBeLessThanOrEqual(2);
  });
});
