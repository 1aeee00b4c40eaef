import { TEST_DB } from '../../testing/test-app';
import { useTestApp } from '../../testing/use-test-app';

const onMysql = TEST_DB === 'mysql' ? describe : describe.skip;

/**
 * The hot reads (a feed page, a ledger page) go to MariaDB as prepared statements — parsed once a connection, not on
 * every request (bench/RESULTS.md 2026-12-05: about a quarter of MariaDB's CPU on these reads) — and answer the same.
 */
onMysql('prepared reads on MariaDB', () => {
  const t = useTestApp();

  /** What the pool's connections were asked during `fn`: statements executed (prepared) and sent as text. */
  async function asked(fn: () => Promise<unknown>) {
    const qr = t.ds.createQueryRunner();
    const conn = await qr.connect();
    await qr.release();
    const proto = Object.getPrototypeOf(conn) as { execute: (...a: unknown[]) => unknown; query: (...a: unknown[]) => unknown };
    const execute = jest.spyOn(proto, 'execute');
    const query = jest.spyOn(proto, 'query');
    try {
      await fn();
      return { executed: execute.mock.calls.map((c) => String(c[0])), texts: query.mock.calls.map((c) => String((c[0] as { sql?: string })?.sql ?? c[0])) };
    } finally {
      execute.mockRestore();
      query.mockRestore();
    }
  }

  it('a feed page and a ledger page are prepared statements, the same text each time', async () => {
    const resident = await t.as('resident');
    const town = await t.as('town');
    const feed1 = await asked(() => t.http.get('/api/feed?pageSize=5').set(resident));
    const feed2 = await asked(() => t.http.get('/api/feed?pageSize=5').set(resident));
    expect(feed1.executed.filter((s) => /message_audience/.test(s))).toHaveLength(1);
    expect(feed1.texts.filter((s) => /message_audience/.test(s))).toEqual([]);
    expect(feed2.executed).toEqual(feed1.executed);

    for (let i = 0; i < 3; i++) {
      const made = await t.http
        .post('/api/hazards')
        .set(resident)
        .send({ category: 'fire', description: `预编译语句 ${i}`, lat: 29.583, lng: 106.487 });
      expect(made.status).toBe(201);
    }
    let status = 0;
    let items = 0;
    const ledger = await asked(async () => {
      const r = await t.http.get('/api/hazards?page=1&pageSize=20').set(town);
      [status, items] = [r.status, r.body.items.length];
    });
    expect([status, items]).toEqual([200, 3]);
    expect(ledger.executed.some((s) => /FROM hazard_tally/.test(s))).toBe(true);
    expect(ledger.executed.some((s) => /JOIN hazard h ON h\.id = pg\.id|WHERE h\.id IN/.test(s))).toBe(true);
    expect(ledger.texts.filter((s) => /hazard_tally|FROM hazard h/.test(s))).toEqual([]);
  });
});
