import { drawSignaturePng, pngDataUrl } from '../pledges/signature-art';
import type { QueryRunner } from 'typeorm';
import { PledgeChainWriter } from '../pledges/pledge-chain-writer';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';

/**
 * 《安全生产责任书》 and the villages' letters: a paper letter names the unit picked from the tree, an e-signature is
 * stored with the unit it is for, and the two meet by unit id — a short name written online, a unit renamed after
 * signing, a signature stored before signatures carried their unit, and a voided signature.
 */
describe(`letters counted by unit id, paper and online (${TEST_DB})`, () => {
  let t: TestApp;
  let art: string[];
  const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await createTestApp();
    art = [pngDataUrl(await drawSignaturePng(5)), pngDataUrl(await drawSignaturePng(6))];
  });
  afterAll(async () => t?.close());

  const ok = async (req: any, status = 201) => {
    const res = await req;
    if (res.status !== status) throw new Error(`${res.req?.method} ${res.req?.path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const campaign = async (kind: string) => {
    const town = await t.as('town');
    const v = (await ok(t.http.get('/api/pledge-templates').set(town), 200)).find((x: any) => x.kind === kind).latest;
    const c = await ok(
      t.http
        .post('/api/pledge-campaigns')
        .set(town)
        .send({ templateVersionId: v.id, orgId: t.seed.org.town.id, deadline: new Date(Date.now() + 20 * 86400_000).toISOString() }),
    );
    return { id: c.id as number, roles: v.signers.map((s: any) => s.role) as string[] };
  };
  let phone = 0;
  const sign = async (who: string, c: { id: number; roles: string[] }, unitName: string) =>
    ok(
      t.http
        .post(`/api/pledge-campaigns/${c.id}/signatures`)
        .set(await t.as(who))
        .send({
          fields: { unitName, principalName: '负责人', phone: `1370000${String(++phone).padStart(4, '0')}` },
          signatures: c.roles.map((role, i) => ({ role, image: art[i % 2] })),
        }),
    );
  const letters = async () => {
    const s = await ok(
      t.http
        .get('/api/stats/summary')
        .query({ from: today(), to: today() })
        .set(await t.as('town')),
      200,
    );
    const fig = (k: string) => s.figures.find((f: any) => f.key === k)?.value;
    return { production: fig('letters.production'), fireFood: fig('letters.fireFood') };
  };

  it('a unit on paper and online counts once, by id', async () => {
    const o = t.seed.org;
    // Paper: 华丰 and 大强 picked from the tree, 鑫源 written by name.
    await ok(
      t.http
        .post('/api/activities')
        .set(await t.as('town'))
        .send({
          kind: 'letter_production',
          date: today(),
          orgId: o.town.id,
          metrics: { units: 3 },
          units: [{ orgId: o.e_textile.id }, { orgId: o.e_daqiang.id }, { name: '鑫源化工贸易有限公司' }],
        }),
    );
    await ok(
      t.http
        .post('/api/activities')
        .set(await t.as('town'))
        .send({ kind: 'letter_fire_food', date: today(), orgId: o.town.id, metrics: { units: 1 }, units: [{ orgId: o.v_liulin.id }] }),
    );
    const prod = await campaign('production_responsibility');
    const ff = await campaign('fire_food_responsibility');
    // Online: 华丰 by its full name; 大强's principal (a user of 大强) writes a short name; 鑫源; a shop outside the tree.
    const huafeng = await sign('resident', prod, '华丰纺织有限公司');
    await sign('enterprise', prod, '大强钢铁');
    const xinyuan = await sign('parent', prod, '鑫源化工贸易有限公司');
    const shop = await sign('resident', prod, '新开农家乐');
    // 柳林村's officer signs for the village under another wording.
    await sign('village', ff, '柳林村村民委员会');
    const stored = async (id: number) => (await t.ds.query('SELECT unitOrgId FROM pledge_signature WHERE id = ?', [id]))[0].unitOrgId;
    expect([Number(await stored(huafeng.id)), Number(await stored(xinyuan.id)), await stored(shop.id)]).toEqual([o.e_textile.id, o.e_chemical.id, null]);
    // 华丰, 大强, 鑫源 (each on paper and online) and the shop; 柳林村.
    expect(await letters()).toEqual({ production: 4, fireFood: 1 });

    // 华丰 renamed after signing: still one unit.
    await ok(
      t.http
        .patch(`/api/orgs/${o.e_textile.id}`)
        .set(await t.as('admin'))
        .send({ name: '华丰纺织股份有限公司' }),
      200,
    );
    expect(await letters()).toEqual({ production: 4, fireFood: 1 });

    // A signature stored before signatures carried their unit: its name finds the unit.
    await t.ds.query('UPDATE pledge_signature SET unitOrgId = NULL WHERE id = ?', [xinyuan.id]);
    expect(await letters()).toEqual({ production: 4, fireFood: 1 });

    // A voided signature is no letter.
    await ok(
      t.http
        .post(`/api/pledge-signatures/${shop.id}/void`)
        .set(await t.as('town'))
        .send({ reason: '重复签署' }),
      200,
    );
    expect(await letters()).toEqual({ production: 3, fireFood: 1 });
  });
  it('signatures sent at once each get their unit, the units read once per chain batch, not per signature', async () => {
    const o = t.seed.org;
    const prod = await campaign('production_responsibility');
    // plain SQL, sent by the DataSource or a transaction's manager (which hands it to the DataSource); the first chain
    // batch waits at its head read until the other signatures have queued behind it, so the second batch holds them all
    const writer = t.app.get(PledgeChainWriter) as unknown as { queues: Map<number, unknown[]> };
    const queued = () => [...writer.queues.values()].reduce((n, q) => n + q.length, 0);
    const send = t.ds.query.bind(t.ds);
    let held = false;
    const query = jest.spyOn(t.ds, 'query').mockImplementation(async (sql: string, params?: unknown[], runner?: QueryRunner) => {
      if (!held && sql.startsWith('SELECT id, seq, lastHash')) {
        held = true;
        for (let i = 0; i < 500 && queued() < 6; i++) await new Promise((r) => setTimeout(r, 10));
      }
      return send(sql, params, runner);
    });
    const [logistics] = await t.ds.query('SELECT name FROM org_unit WHERE id = ?', [o.e_logistics.id]);
    const spaced = ` ${[...String(logistics.name)].join(' ')} `;
    const names = [logistics.name, '鑫源化工贸易有限公司', '新开农家乐', spaced, '鑫源化工贸易有限公司'];
    let signed: any[];
    let sqls: string[];
    try {
      signed = await Promise.all([
        ...names.map((n, i) => sign(i % 2 ? 'parent' : 'resident', prod, n)),
        sign('enterprise', prod, '大强钢铁'), // a short name: the signer's own enterprise
        sign('resident', prod, '大强钢铁'), // the same short name from someone outside it: no unit
      ]);
    } finally {
      sqls = query.mock.calls.map((c) => String(c[0]));
      query.mockRestore();
    }
    const stored = await t.ds.query(
      `SELECT id, unitOrgId FROM pledge_signature WHERE id IN (${signed.map(() => '?').join(', ')})`,
      signed.map((x) => x.id),
    );
    const unitOf = new Map(stored.map((r: any) => [Number(r.id), r.unitOrgId === null ? null : Number(r.unitOrgId)]));
    expect(signed.map((x) => unitOf.get(x.id))).toEqual([o.e_logistics.id, o.e_chemical.id, null, o.e_logistics.id, o.e_chemical.id, o.e_daqiang.id, null]);
    // one read of the campaign's units by name per chain batch (each batch reads the chain head once)
    const nameReads = sqls.filter((q) => q.startsWith('SELECT id, name FROM org_unit')).length;
    const batches = sqls.filter((q) => q.startsWith('SELECT id, seq, lastHash')).length;
    expect(batches).toBeLessThan(signed.length);
    expect(nameReads).toBeGreaterThanOrEqual(1);
    expect(nameReads).toBeLessThanOrEqual(batches);
  });
});
