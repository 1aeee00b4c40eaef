import { drawSignaturePng, pngDataUrl } from '../pledges/signature-art';
import { User } from '../users/user.entity';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';

/**
 * Pledge and publicity figures of the summary against known counts made through the pledges and
 * publicity APIs in two villages (and the town above them): signed, roster and rate by kind;
 * messages, reach, reads, acknowledgements and their rates. A village never counts its neighbour.
 */
describe(`statistics: pledges and publicity agree exactly (${TEST_DB})`, () => {
  let t: TestApp;
  let sigs: string[];
  const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
  const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : null);

  beforeAll(async () => {
    t = await createTestApp();
    sigs = [pngDataUrl(await drawSignaturePng(1)), pngDataUrl(await drawSignaturePng(2))];
  });
  afterAll(async () => t?.close());

  const ok = async (req: any, status = 201) => {
    const res = await req;
    if (res.status !== status) throw new Error(`${res.req?.method} ${res.req?.path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const summary = async (who: string, orgId?: number) =>
    ok(
      t.http
        .get('/api/stats/summary')
        .query(orgId ? { orgId } : {})
        .set(await t.as(who)),
      200,
    );

  // ---- pledges ------------------------------------------------------------------------------------

  const versionOf = async (kind: string) =>
    (await ok(t.http.get('/api/pledge-templates').set(await t.as('town')), 200)).find((x: any) => x.kind === kind).latest.id as number;

  const campaign = async (who: string, orgKey: string, kind: string) =>
    (
      await ok(
        t.http
          .post('/api/pledge-campaigns')
          .set(await t.as(who))
          .send({ templateVersionId: await versionOf(kind), orgId: t.seed.org[orgKey].id, deadline: inDays(20) }),
      )
    ).id as number;

  /** Imports a roster of `n` students (CSV) and returns their roster ids. */
  const roster = async (who: string, id: number, prefix: string, n: number) => {
    const lines = ['学生姓名,班级,监护人,联系电话'];
    for (let i = 0; i < n; i++) lines.push(`${prefix}学生${i},三年级一班,${prefix}家长${i},1380000${String(i).padStart(4, '0')}`);
    const res = await ok(
      t.http
        .post(`/api/pledge-campaigns/${id}/roster`)
        .set(await t.as(who))
        .attach('file', Buffer.from(lines.join('\r\n'), 'utf8'), 'roster.csv'),
      200,
    );
    expect(res.imported).toBe(n);
    // The picker finds a child by exact name only (privacy), as a parent would type it.
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const rows = await ok(
        t.http
          .get(`/api/pledge-campaigns/${id}/roster`)
          .query({ q: `${prefix}学生${i}` })
          .set(await t.as(who)),
        200,
      );
      expect(rows).toHaveLength(1);
      ids.push(rows[0].id);
    }
    return ids;
  };

  // a roster entry is signed by its guardian: with the phone the roster lists (issue 13)
  const rosterPhone = async (rosterId: number) => (await t.ds.query('SELECT phone FROM pledge_roster_entry WHERE id = ?', [rosterId]))[0].phone as string;
  const sign = async (signer: string, id: number, student: string, rosterId?: number) =>
    ok(
      t.http
        .post(`/api/pledge-campaigns/${id}/signatures`)
        .set(await t.as(signer))
        .send({
          ...(rosterId ? { rosterId } : {}),
          fields: {
            studentName: student,
            className: '三年级一班',
            guardianName: '张德明',
            relation: '父亲',
            phone: rosterId ? await rosterPhone(rosterId) : '13900000001',
          },
          signatures: [
            { role: 'guardian', image: sigs[0] },
            { role: 'student', image: sigs[1] },
          ],
        }),
    );

  it('signs known pledges in 柳林村, 河口村 and the town', async () => {
    // 柳林村: drowning with a roster of 5, 3 signed; holiday safety without a roster, 2 signed.
    const a = await campaign('village', 'v_liulin', 'drowning');
    const aRoster = await roster('village', a, '柳', 5);
    for (const rid of aRoster.slice(0, 3)) await sign('resident', a, '任意', rid);
    const b = await campaign('village', 'v_liulin', 'holiday_safety');
    await sign('resident', b, '柳林甲');
    await sign('parent', b, '柳林乙');
    // 河口村: drowning with a roster of 4, all signed.
    const c = await campaign('village2', 'v_hekou', 'drowning');
    for (const rid of await roster('village2', c, '河', 4)) await sign('parent', c, '任意', rid);
    // 河口村 again: 2 signed before the roster came; the roster of 3 lists only one of them.
    const e = await campaign('village2', 'v_hekou', 'drowning');
    await sign('parent', e, '河口丙');
    await sign('parent', e, '河口丁');
    const csv = [
      '学生姓名,班级,监护人,联系电话',
      '河口丙,三年级一班,张德明,13900000001',
      '河口戊,三年级一班,王某,13800001111',
      '河口己,三年级一班,李某,13800001112',
    ].join('\r\n');
    expect(
      (
        await ok(
          t.http
            .post(`/api/pledge-campaigns/${e}/roster`)
            .set(await t.as('village2'))
            .attach('file', Buffer.from(csv, 'utf8'), 'r.csv'),
          200,
        )
      ).imported,
    ).toBe(3);
    // The town itself: drowning with a roster of 2, 1 signed.
    const d = await campaign('town', 'town', 'drowning');
    await sign('parent', d, '任意', (await roster('town', d, '镇', 2))[0]);
  });

  it("each village's pledge figures are its own; the town's are the sum", async () => {
    const kinds = (s: any) =>
      Object.fromEntries(s.pledges.byKind.map((k: any) => [k.kind, { campaigns: k.campaigns, signed: k.signed, roster: k.roster, rate: k.rate }]));
    const liulin = await summary('village');
    expect(liulin.org.id).toBe(t.seed.org.v_liulin.id);
    expect(liulin.pledges.signed).toBe(5);
    expect(kinds(liulin)).toEqual({
      drowning: { campaigns: 1, signed: 3, roster: 5, rate: 0.6 },
      holiday_safety: { campaigns: 1, signed: 2, roster: 0, rate: null },
    });
    const hekou = await summary('village2');
    // 6 signed; of the 7 on the two rosters 5 have signed (the pledge made off-roster is not on it).
    expect(hekou.pledges.signed).toBe(6);
    expect(kinds(hekou)).toEqual({ drowning: { campaigns: 2, signed: 6, roster: 7, rate: rate(5, 7) } });
    // The town officer asking for one village gets the same figures as its own officer.
    expect((await summary('town', t.seed.org.v_hekou.id)).pledges).toEqual(hekou.pledges);
    const town = await summary('town');
    expect(town.pledges.signed).toBe(12);
    expect(kinds(town)).toEqual({
      drowning: { campaigns: 4, signed: 10, roster: 14, rate: rate(3 + 5 + 1, 14) },
      holiday_safety: { campaigns: 1, signed: 2, roster: 0, rate: null },
    });
    const child = (s: any, key: string) => s.children.find((c: any) => c.orgId === t.seed.org[key].id);
    expect(child(town, 'v_liulin').signatures).toBe(5);
    expect(child(town, 'v_hekou').signatures).toBe(6);
    expect(child(town, 'v_shiqiao').signatures).toBe(0);
    // The other town sees none of it.
    expect((await summary('town2')).pledges.signed).toBe(0);
    // Figures in the report list.
    expect(town.figures.find((f: any) => f.key === 'pledges.drowning')?.value).toBe(10);
  });

  // ---- publicity ----------------------------------------------------------------------------------

  const publish = async (who: string, orgKey: string, category: string, ackRequired: boolean) => {
    const m = await ok(
      t.http
        .post('/api/messages')
        .set(await t.as(who))
        .send({
          title: `${t.seed.org[orgKey].name}安全提醒`,
          category,
          ackRequired,
          body: [{ type: 'p', text: '请注意安全。' }],
          audience: { orgIds: [t.seed.org[orgKey].id] },
        }),
    );
    await ok(
      t.http
        .post(`/api/messages/${m.id}/publish`)
        .set(await t.as(who))
        .send({}),
      200,
    );
    const st = await ok(t.http.get(`/api/messages/${m.id}/stats`).set(await t.as(who)), 200);
    return { id: m.id as number, audience: st.audienceSize as number };
  };
  /** The seeded villagers living in a unit (dev openids `villager-N`), as login keys. */
  const villagersOf = async (orgKey: string) =>
    (await t.ds.getRepository(User).find({ where: { orgId: t.seed.org[orgKey].id, role: 'resident' }, order: { id: 'ASC' } }))
      .filter((u) => (u.openid ?? '').startsWith('dev:villager-'))
      .map((u) => (u.openid ?? '').slice(4));
  const receipt = async (who: string, id: number, what: 'read' | 'ack') => ok(t.http.post(`/api/messages/${id}/${what}`).set(await t.as(who)), 200);
  const usersUnder = (orgKey: string) =>
    t.ds
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.orgPath LIKE :p AND u.disabled = :d', { p: `${t.seed.org[orgKey].path}%`, d: false })
      .getCount();

  const pub: Record<string, { id: number; audience: number }> = {};
  it('publishes known messages with known reads and acknowledgements', async () => {
    pub.m1 = await publish('village', 'v_liulin', 'drowning', true);
    pub.m2 = await publish('village', 'v_liulin', 'fire', false);
    pub.m3 = await publish('village2', 'v_hekou', 'drowning', true);
    pub.m4 = await publish('town', 'town', 'safety_month', false);
    expect(pub.m1.audience).toBe(await usersUnder('v_liulin'));
    expect(pub.m3.audience).toBe(await usersUnder('v_hekou'));
    expect(pub.m4.audience).toBe(await usersUnder('town'));
    const liulin = await villagersOf('v_liulin');
    const hekou = await villagersOf('v_hekou');
    expect(liulin.length).toBeGreaterThanOrEqual(6);
    expect(hekou.length).toBeGreaterThanOrEqual(6);
    // m1: 3 acknowledge (an ack is also a read), 2 only read; one acks twice (counted once).
    for (const u of liulin.slice(0, 3)) await receipt(u, pub.m1.id, 'ack');
    await receipt(liulin[0], pub.m1.id, 'ack');
    for (const u of liulin.slice(3, 5)) await receipt(u, pub.m1.id, 'read');
    // m2: 4 read, one twice.
    for (const u of liulin.slice(0, 4)) await receipt(u, pub.m2.id, 'read');
    await receipt(liulin[1], pub.m2.id, 'read');
    // m3 (河口村): 2 acknowledge, 1 reads.
    for (const u of hekou.slice(0, 2)) await receipt(u, pub.m3.id, 'ack');
    await receipt(hekou[2], pub.m3.id, 'read');
    // m4 (the town's): read by 2 in 柳林村 and 1 in 河口村 — the town's work, not the villages'.
    for (const u of [liulin[5], liulin[0], hekou[3]]) await receipt(u, pub.m4.id, 'read');
    // A village resident cannot read the neighbour's message (no receipt is made).
    expect((await t.http.post(`/api/messages/${pub.m3.id}/read`).set(await t.as(liulin[0]))).status).toBe(404);
  });

  it("each village's publicity figures are its own; the town's are the sum", async () => {
    const cats = (s: any) =>
      Object.fromEntries(s.publicity.byCategory.map((c: any) => [c.category, { messages: c.messages, deliveries: c.deliveries, reads: c.reads }]));
    const liulin = (await summary('village')).publicity;
    expect(liulin).toMatchObject({ messages: 2, deliveries: pub.m1.audience + pub.m2.audience, reads: 9, acks: 3 });
    expect(liulin.readRate).toBe(rate(9, pub.m1.audience + pub.m2.audience));
    expect(liulin.ackRate).toBe(rate(3, pub.m1.audience));
    expect(cats({ publicity: liulin })).toEqual({
      drowning: { messages: 1, deliveries: pub.m1.audience, reads: 5 },
      fire: { messages: 1, deliveries: pub.m2.audience, reads: 4 },
    });
    const hekou = (await summary('village2')).publicity;
    expect(hekou).toMatchObject({
      messages: 1,
      deliveries: pub.m3.audience,
      reads: 3,
      acks: 2,
      readRate: rate(3, pub.m3.audience),
      ackRate: rate(2, pub.m3.audience),
    });
    expect((await summary('town', t.seed.org.v_liulin.id)).publicity).toEqual(liulin);
    const town = (await summary('town')).publicity;
    const all = pub.m1.audience + pub.m2.audience + pub.m3.audience + pub.m4.audience;
    expect(town).toMatchObject({ messages: 4, deliveries: all, reads: 9 + 3 + 3, acks: 5 });
    expect(town.readRate).toBe(rate(15, all));
    expect(town.ackRate).toBe(rate(5, pub.m1.audience + pub.m3.audience));
    expect(cats({ publicity: town })).toEqual({
      drowning: { messages: 2, deliveries: pub.m1.audience + pub.m3.audience, reads: 8 },
      fire: { messages: 1, deliveries: pub.m2.audience, reads: 4 },
      safety_month: { messages: 1, deliveries: pub.m4.audience, reads: 3 },
    });
    expect((await summary('town2')).publicity).toMatchObject({ messages: 0, reads: 0, acks: 0, readRate: null });
  });

  it('a withdrawn message still counts (it was sent); a period before it counts nothing', async () => {
    await ok(
      t.http
        .post(`/api/messages/${pub.m2.id}/withdraw`)
        .set(await t.as('village'))
        .send({}),
      200,
    );
    expect((await summary('village')).publicity).toMatchObject({ messages: 2, reads: 9 });
    const lastYear = String(new Date().getFullYear() - 1);
    const old = await ok(
      t.http
        .get('/api/stats/summary')
        .query({ from: `${lastYear}-01-01`, to: `${lastYear}-12-31` })
        .set(await t.as('village')),
      200,
    );
    expect(old.publicity).toMatchObject({ messages: 0, reads: 0, acks: 0 });
    expect(old.pledges.signed).toBe(0);
  });
});
