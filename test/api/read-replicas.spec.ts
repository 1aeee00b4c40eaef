/**
 * Read replicas (DATABASE_REPLICA_URLS) against a real MariaDB replication pair of our own: a primary `mariadbd`
 * (--log-bin) and a replica `mariadbd` replicating from it by GTID, each in a private temp datadir on a free port
 * (the shared 127.0.0.1:3306 is never touched). The built server runs with the primary as DATABASE_URL and the
 * replica as its one read replica.
 *   - routing: a row changed on the replica only shows in the ledger and the feed (they read the replica)
 *   - read-your-writes: right after a write the writer reads the primary while another user still reads the replica
 *   - lag: a delayed replica (MASTER_DELAY) past DATABASE_REPLICA_MAX_LAG_SECONDS, and one whose SQL thread is
 *     stopped, are skipped: reads come from the primary; the replica is used again once it has caught up
 *   - failure: the replica killed → reads still answer (from the primary), /api/health says so; restarted → used again
 *   - two server processes sharing a (private) Redis: a write answered by one sends the writer's reads on the other
 *     to the primary too
 */
import { execFileSync } from 'node:child_process';
import { createConnection } from 'mysql2/promise';
import { Api, DEMO } from '../support/api';
import { PrivateMariadb, PrivateRedis, ServerProcess, sleep, spawnServer, startPrivateMariadb, startPrivateRedis } from '../support/proc';

let haveMariadb = true;
try {
  execFileSync('sh', ['-c', 'command -v mariadb-install-db'], { stdio: 'pipe' });
} catch {
  haveMariadb = false;

  console.warn('read-replicas.spec: SKIPPED — mariadb-install-db is not installed, so no private primary/replica can be started');
}
const suite = haveMariadb ? describe : describe.skip;

jest.setTimeout(240_000);

const DB = 'xa_replicas';
const STICKY = 3;
const MAX_LAG = 2;
let primary: PrivateMariadb;
let replica: PrivateMariadb;
let srv: ServerProcess;
let srvB: ServerProcess;
let redis: PrivateRedis;
let api: Api;
let apiB: Api;

async function sql(base: string, statement: string, params: unknown[] = []): Promise<any> {
  const c = await createConnection({ uri: base, multipleStatements: true });
  try {
    return (await c.query(statement, params))[0];
  } finally {
    await c.end();
  }
}

async function replicaState(): Promise<{ ok: boolean; lagSeconds: number | null; reason: string | null }> {
  const r = await api.call('GET', '/api/health');
  expect(r.status).toBe(200);
  return r.body.replicas[0];
}

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for: ${what}; replica: ${JSON.stringify(await replicaState())}`);
}

/** The replica has applied everything the primary has written (GTID positions equal). */
async function caughtUp(): Promise<void> {
  await until('replica caught up', async () => {
    const [p] = await sql(primary.base, 'SELECT @@gtid_binlog_pos AS g');
    const [r] = await sql(replica.base, 'SELECT @@gtid_slave_pos AS g');
    return p.g === r.g;
  });
}

suite('read replicas on a real MariaDB replication pair', () => {
  let town: string;
  let county: string;
  let resident: string;
  let hazard: { id: number; code: string; description: string };

  beforeAll(async () => {
    [primary, replica, redis] = await Promise.all([
      startPrivateMariadb({ args: ['--server-id=1', '--log-bin=primary-bin'] }),
      startPrivateMariadb({ args: ['--server-id=2', '--relay-log=replica-relay'] }),
      startPrivateRedis(),
    ]);
    // replicate from the very start of the primary's binlog, so the database and every migration arrive too
    await sql(
      replica.base,
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos; START SLAVE`,
    );
    await sql(primary.base, `CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const env = {
      DATABASE_URL: `${primary.base}/${DB}`,
      DATABASE_REPLICA_URLS: `${replica.base}/${DB}`,
      DATABASE_REPLICA_MAX_LAG_SECONDS: String(MAX_LAG),
      DATABASE_REPLICA_STICKY_SECONDS: String(STICKY),
      DATABASE_REPLICA_CHECK_SECONDS: '1',
      REDIS_URL: redis.url,
    };
    srv = await spawnServer({ h5: false, env: { ...env, SEED_DEMO: 'true' } });
    // a second server process on the same databases and Redis (the platform runs several behind one address)
    srvB = await spawnServer({ h5: false, env });
    api = new Api(srv.baseUrl, 30_000);
    apiB = new Api(srvB.baseUrl, 30_000);
    [town, county, resident] = await Promise.all([DEMO.town, DEMO.county, DEMO.resident].map(async (id) => (await api.login(id)).token));
    await caughtUp();
    await until('replica in use', async () => (await replicaState()).ok);
    const ledger = await api.call('GET', '/api/hazards', { token: town });
    expect(ledger.status).toBe(200);
    hazard = ledger.body.items[0];
    // logins wrote (users, sessions): wait out the read-your-writes window once
    await sleep(STICKY * 1000 + 500);
  });

  afterAll(async () => {
    await Promise.all([srv?.stop(), srvB?.stop()]);
    await Promise.all([replica?.stop(), primary?.stop(), redis?.stop()]);
  });

  const ledgerText = async (token: string, through = api) => {
    const r = await through.call('GET', `/api/hazards?q=${encodeURIComponent(hazard.code)}`, { token });
    expect(r.status).toBe(200);
    return r.body.items.find((h: { id: number }) => h.id === hazard.id)?.description as string;
  };
  const setOnReplica = (description: string) => sql(replica.base, `UPDATE ${DB}.hazard SET description = ? WHERE id = ?`, [description, hazard.id]);

  it('serves the ledger and the feed from the replica', async () => {
    await setOnReplica('只在副本上的描述');
    expect(await ledgerText(county)).toBe('只在副本上的描述');
    expect(await ledgerText(town)).toBe('只在副本上的描述');

    const feed = await api.call('GET', '/api/feed', { token: resident });
    expect(feed.status).toBe(200);
    expect(feed.body.items.length).toBeGreaterThan(0);
    const msg = feed.body.items[0];
    await sql(replica.base, `UPDATE ${DB}.message SET title = ? WHERE id = ?`, ['副本上的标题', msg.id]);
    const again = await api.call('GET', '/api/feed', { token: resident });
    expect(again.body.items.find((m: { id: number }) => m.id === msg.id).title).toBe('副本上的标题');
    await sql(replica.base, `UPDATE ${DB}.message SET title = ? WHERE id = ?`, [msg.title, msg.id]);

    // the hazard's detail is not a routed read: the primary answers
    const detail = await api.call('GET', `/api/hazards/${hazard.id}`, { token: county });
    expect(detail.body.description).toBe(hazard.description);
  });

  it('sends a writer’s reads to the primary right after the write, others still to the replica', async () => {
    const orgs = await api.call('GET', '/api/me', { token: town });
    const made = await api.call('POST', '/api/hazards', {
      token: town,
      body: { category: 'fire', description: '读己之写：刚刚上报的隐患', orgId: orgs.body.orgId },
    });
    expect(made.status).toBe(201);
    // the writer: the primary (the hazard as the primary has it; their new report is there at once)
    expect(await ledgerText(town)).toBe(hazard.description);
    const mine = await api.call('GET', `/api/hazards?q=${encodeURIComponent(made.body.code)}`, { token: town });
    expect(mine.body.items.map((h: { id: number }) => h.id)).toEqual([made.body.id]);
    // everyone else: still the replica
    expect(await ledgerText(county)).toBe('只在副本上的描述');
    // after the window the writer reads the replica again
    await sleep(STICKY * 1000 + 500);
    expect(await ledgerText(town)).toBe('只在副本上的描述');
  });

  it('keeps read-your-writes across server processes through Redis', async () => {
    await until('replica in use on the second process', async () => (await apiB.call('GET', '/api/health')).body.replicas[0].ok);
    // the second process reads the replica for this user (no recent write of theirs anywhere)
    expect(await ledgerText(town, apiB)).toBe('只在副本上的描述');
    const me = await api.call('GET', '/api/me', { token: town });
    const made = await api.call('POST', '/api/hazards', {
      token: town,
      body: { category: 'fire', description: '跨进程读己之写：刚刚上报的隐患', orgId: me.body.orgId },
    });
    expect(made.status).toBe(201);
    // written through the first process; the writer's very next read, on the second, comes from the primary
    expect(await ledgerText(town, apiB)).toBe(hazard.description);
    const mine = await apiB.call('GET', `/api/hazards?q=${encodeURIComponent(made.body.code)}`, { token: town });
    expect(mine.body.items.map((h: { id: number }) => h.id)).toEqual([made.body.id]);
    // someone else on the second process: still the replica
    expect(await ledgerText(county, apiB)).toBe('只在副本上的描述');
    await sleep(STICKY * 1000 + 500);
    expect(await ledgerText(town, apiB)).toBe('只在副本上的描述');
  });

  it('skips a replica that lags past the limit or has stopped applying, and uses it again once caught up', async () => {
    // a replica delayed by 30 s: after the next write its lag grows past MAX_LAG
    await sql(replica.base, 'STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=30; START SLAVE');
    await until('replica in use after restart of replication', async () => (await replicaState()).ok);
    await sql(primary.base, `CREATE TABLE ${DB}.lag_probe (id INT PRIMARY KEY); INSERT INTO ${DB}.lag_probe VALUES (1)`);
    await until('lag past the limit reported', async () => {
      const s = await replicaState();
      return !s.ok && (s.lagSeconds ?? 0) > MAX_LAG && /lag/.test(s.reason ?? '');
    });
    expect(await ledgerText(county)).toBe(hazard.description); // the primary answers
    await sql(replica.base, 'STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE');
    await caughtUp();
    await until('replica back in use', async () => (await replicaState()).ok);
    expect(await ledgerText(county)).toBe('只在副本上的描述');

    // the SQL thread stopped and the primary moves on: the replica is stale, so the primary answers
    await sql(replica.base, 'STOP SLAVE SQL_THREAD');
    await sql(primary.base, `UPDATE ${DB}.hazard SET description = ? WHERE id = ?`, ['主库上的新描述', hazard.id]);
    await until('stopped replica skipped', async () => !(await replicaState()).ok);
    expect((await replicaState()).reason).toMatch(/replication stopped/);
    expect(await ledgerText(county)).toBe('主库上的新描述');
    await sql(replica.base, 'START SLAVE SQL_THREAD');
    await caughtUp();
    await until('replica back in use', async () => (await replicaState()).ok);
    await setOnReplica('副本又一次独有');
    expect(await ledgerText(county)).toBe('副本又一次独有');
  });

  it('answers from the primary when the replica dies, and uses it again when it is back', async () => {
    await replica.kill();
    // at once (before the next check notices): the failed read is answered by the primary, no error
    expect(await ledgerText(county)).toBe('主库上的新描述');
    const feed = await api.call('GET', '/api/feed', { token: resident });
    expect(feed.status).toBe(200);
    for (let i = 0; i < 5; i++) expect(await ledgerText(town)).toBe('主库上的新描述');
    await until('dead replica reported', async () => /unreachable|failed/.test((await replicaState()).reason ?? ''));
    const h = await api.call('GET', '/api/health');
    expect(h.body.status).toBe('ok');

    await replica.start(); // replication resumes from its GTID position
    await until('replica back in use', async () => (await replicaState()).ok);
    await setOnReplica('重启后的副本');
    expect(await ledgerText(county)).toBe('重启后的副本');
  });
});
