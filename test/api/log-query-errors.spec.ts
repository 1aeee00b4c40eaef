/**
 * Issue 19 item 7: a handled unique-key race — here an idempotent retry of a hazard report — is not printed as a
 * TypeORM query error with its parameters (the description a villager typed, the key). TypeORM's logger goes
 * through the app logger: failed queries are debug lines naming the error code and the statement's table, never
 * the parameters, so LOG_LEVEL=info (and warn, error) shows nothing of them. Reads the BUILT server's real output.
 */
import { Api, DEMO } from '../support/api';
import { RunningServer, startServer } from '../support/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['info', 'debug'])('LOG_LEVEL=%s', (level) => {
  let srv: RunningServer;
  beforeAll(async () => {
    // the demo town as every server here gets it (a copy of the run's seeded database): naming SEED_DEMO would make
    // this server migrate and seed its own, ~3.5 CPU s for the same rows
    srv = await startServer({ env: { LOG_LEVEL: level, H5_DIR: '' }, requireH5: false });
  });
  afterAll(() => srv?.stop());

  test('an idempotent retry answers the first result and prints no query with its parameters', async () => {
    const api = new Api(srv.baseUrl);
    const resident = await api.login(DEMO.resident);
    const description = `河堤护栏断了一截，孩子放学常经过 ${Date.now()}`;
    const key = `log-race-${Date.now()}`;
    const send = () =>
      api.call('POST', '/api/hazards', { token: resident.token, headers: { 'Idempotency-Key': key }, body: { category: 'fire', description } });
    // the same report sent three times at once (a phone retrying on a bad line): the unique key decides the race
    const [first, ...again] = await Promise.all([send(), send(), send()]);
    expect(first.status).toBe(201);
    for (const r of again) expect([r.status, r.body?.id]).toEqual([201, first.body.id]);
    expect([(await send()).body?.id]).toEqual([first.body.id]);

    // a retried publicity draft: the retry's reservation of the key hits the unique index and replays the first answer
    const town = await api.login(DEMO.town);
    const me = await api.call('GET', '/api/me', { token: town.token });
    const draft = () =>
      api.call('POST', '/api/messages', {
        token: town.token,
        headers: { 'Idempotency-Key': key },
        body: { title: '防溺水提醒', category: 'drowning', body: [{ type: 'p', text: description }], audience: { orgIds: [me.body.orgId] } },
      });
    const d1 = await draft();
    expect(d1.status).toBe(201);
    expect([(await draft()).body?.id]).toEqual([d1.body.id]);
    await sleep(500); // pino writes asynchronously
    const log = srv.output();
    expect(log).not.toContain(description);
    expect(log).not.toContain(key);
    expect(log).not.toMatch(/PARAMETERS|QueryFailedError|VALUES \(/);
    if (level === 'info') expect(log).not.toMatch(/query failed/i);
    if (level === 'debug') {
      // the race is still visible to someone debugging: code and table, no values
      expect(log).toMatch(/"context":"TypeORM".*query failed \((ER_DUP_ENTRY|SQLITE_CONSTRAINT\w*)\): INSERT INTO idempotency_record/);
    }
  });
});
