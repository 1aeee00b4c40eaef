import { readTime } from '../../common/db/dialect';
import { SequenceService } from '../../common/db/sequence.service';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { Media } from '../media/media.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { rebuildHazardCounts } from './hazard-counts.service';
import { HazardIntakeService } from './hazard-intake.service';
import { HazardGeometryService } from './hazard-geometry.service';
import type { ReportedHazard } from './hazard-submit-batcher';
import { named } from '../../testing/fields';

/** Group commit of reports (hazard-submit-batcher.ts): the guarantees of one report hold for every report of a batch. */
describe('hazards: reports written in batches', () => {
  let t: TestApp;
  let sequence: SequenceService;
  let service: HazardIntakeService;
  let queue: JobQueue;
  const body = (i: number, extra: Record<string, unknown> = {}) => ({
    category: ['fire', 'gas', 'drowning'][i % 3],
    description: `批量上报第${i}号：路边电线垂落`,
    lat: 29.583 + (i % 7) * 0.01,
    lng: 106.487,
    ...extra,
  });
  const post = async (who: string, b: Record<string, unknown>, key?: string) => {
    const req = t.http.post('/api/hazards').set(await t.as(who));
    if (key) req.set('Idempotency-Key', key);
    return req.send(b);
  };
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await t.ds.query(sql, params))[0] as T;

  /** Holds the next batch at its numbering until `release()`: reports arriving meanwhile queue for one batch. */
  const holdNextBatch = () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = sequence.nextBlock.bind(sequence);
    const spy = jest.spyOn(sequence, 'nextBlock').mockImplementationOnce(async (name: string, k: number) => {
      await gate;
      return original(name, k);
    });
    return { release, spy };
  };
  const queuedAtLeast = async (n: number) => {
    for (let i = 0; i < 500 && service.batcher.queued < n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(service.batcher.queued).toBeGreaterThanOrEqual(n);
  };

  beforeAll(async () => {
    t = await createTestApp();
    sequence = t.app.get(SequenceService);
    service = t.app.get(HazardIntakeService);
    queue = t.app.get(JOB_QUEUE);
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('nextBlock hands out disjoint consecutive ranges under concurrency', async () => {
    const sizes = [1, 5, 3, 16, 1, 2, 7, 1];
    const lasts = await Promise.all(sizes.map((k) => sequence.nextBlock('test:block', k)));
    const taken = sizes.flatMap((k, i) => Array.from({ length: k }, (_, j) => lasts[i] - k + 1 + j));
    expect(new Set(taken).size).toBe(taken.length);
    expect(Math.min(...taken)).toBe(1);
    expect(Math.max(...taken)).toBe(sizes.reduce((a, b) => a + b, 0));
    await expect(sequence.nextBlock('test:block', 0)).rejects.toThrow();
  });

  it('100 concurrent reports: 100 hazards with unique codes, one report event each, counts right, notices once per officer', async () => {
    const residents = ['resident', 'parent', 'enterprise'];
    const tag = Date.now().toString(36);
    // The first report is held at its numbering, so the other 99 meet in the queue (SQLite answers so fast that
    // concurrent requests would otherwise rarely overlap).
    const { release, spy: blocks } = holdNextBatch();
    const pending = Array.from({ length: 100 }, (_, i) => post(residents[i % 3], body(i), `batch-${tag}-${i}`));
    await queuedAtLeast(99);
    release();
    const res = await Promise.all(pending);
    expect(res.map((r) => r.status)).toEqual(Array(100).fill(201));
    // batches of at most 64: the 99 went in two numberings
    expect(blocks.mock.calls.map((c) => c[1])).toEqual([1, 64, 35]);
    const ids = res.map((r) => r.body.id as number);
    const codes = res.map((r) => r.body.code as string);
    expect(new Set(ids).size).toBe(100);
    expect(new Set(codes).size).toBe(100);
    for (const c of codes) expect(c).toMatch(/^YH-\d{4}-\d{6}$/);
    const stored: { id: number; code: string; clientKey: string; reporterId: number }[] = await t.ds.query(
      `SELECT id, code, clientKey, reporterId FROM hazard WHERE id IN (${ids.join(',')})`,
    );
    expect(stored).toHaveLength(100);
    // every answer names the row its own key made
    const byId = new Map(stored.map((s) => [Number(s.id), s]));
    res.forEach((r, i) => {
      expect(byId.get(r.body.id)!.code).toBe(r.body.code);
      expect(byId.get(r.body.id)!.clientKey).toBe(`batch-${tag}-${i}`);
    });
    const events: { hazardId: number; n: number }[] = await t.ds.query(
      `SELECT hazardId, COUNT(*) AS n FROM hazard_event WHERE action = 'report' AND hazardId IN (${ids.join(',')}) GROUP BY hazardId`,
    );
    expect(events).toHaveLength(100);
    expect(events.every((e) => Number(e.n) === 1)).toBe(true);

    // the ledger's tally and the statistics' month rollup: what the batch's merged hook wrote equals what the
    // rebuild derives from the hazards by its own SQL
    const snapshot = async () => ({
      tally: (await t.ds.query('SELECT unitId, status, category, level, dueMonth, n FROM hazard_tally WHERE n <> 0'))
        .map((r: Record<string, unknown>) => Object.values(r).map(String).join('|'))
        .sort(),
      month: (await t.ds.query('SELECT * FROM hazard_month')).map((r: Record<string, unknown>) => Object.values(r).map(String).join('|')).sort(),
    });
    const written = await snapshot();
    await rebuildHazardCounts(t.ds);
    expect(written).toEqual(await snapshot());

    // notices: every grid/village officer above the place, once per hazard; where there is none, the officers of the
    // nearest unit above that has any (the town), so every report reaches a person
    expect(await queue.idle(30_000)).toBe(true);
    const hazards: { id: number; orgPath: string }[] = await t.ds.query(`SELECT id, orgPath FROM hazard WHERE id IN (${ids.join(',')})`);
    const officers: { id: number; orgId: number }[] = await t.ds.query(
      "SELECT id, orgId FROM app_user WHERE role IN ('grid_officer', 'village_officer') AND disabled = 0",
    );
    const onDuty: { id: number; orgId: number }[] = await t.ds.query(
      "SELECT id, orgId FROM app_user WHERE role IN ('grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer') AND disabled = 0",
    );
    let passedUp = 0;
    const notices: { userId: number; dedupeKey: string }[] = await t.ds.query("SELECT userId, dedupeKey FROM notification WHERE kind = 'hazard_reported'");
    let expected = 0;
    for (const h of hazards) {
      const over = new Set(h.orgPath.split('/').filter(Boolean).map(Number));
      let want = officers
        .filter((o) => over.has(Number(o.orgId)))
        .map((o) => Number(o.id))
        .sort((a, b) => a - b);
      if (!want.length) {
        const up = h.orgPath
          .split('/')
          .filter(Boolean)
          .map(Number)
          .reverse()
          .find((u) => onDuty.some((o) => Number(o.orgId) === u));
        want = onDuty
          .filter((o) => Number(o.orgId) === up)
          .map((o) => Number(o.id))
          .sort((a, b) => a - b);
        expect(want.length).toBeGreaterThan(0);
        passedUp++;
      }
      const got = notices
        .filter((n) => n.dedupeKey === `hazard:${h.id}:reported`)
        .map((n) => Number(n.userId))
        .sort((a, b) => a - b);
      expect(got).toEqual(want);
      expected += want.length;
    }
    expect(expected).toBeGreaterThan(30); // the villages of these residents do have officers
    expect(passedUp).toBeGreaterThan(0); // and some villages have none: their reports reached the town
  });

  it('two attempts with one key in one batch make one hazard, and both answers name it', async () => {
    const { release } = holdNextBatch();
    const first = post('resident', body(1)); // written alone, held at its numbering
    await new Promise((r) => setTimeout(r, 50));
    const a = post('resident', body(2), 'same-key-in-batch-1');
    const b = post('resident', body(2), 'same-key-in-batch-1');
    const other = post('resident', body(3), 'other-key-in-batch-1');
    await queuedAtLeast(3);
    release();
    const [r0, ra, rb, ro] = await Promise.all([first, a, b, other]);
    expect([r0.status, ra.status, rb.status, ro.status]).toEqual([201, 201, 201, 201]);
    expect(ra.body.id).toBe(rb.body.id);
    expect(ra.body.code).toBe(rb.body.code);
    expect([ra.headers['idempotent-replayed'], rb.headers['idempotent-replayed']].sort()).toEqual(['true', undefined].sort());
    expect(ro.body.id).not.toBe(ra.body.id);
    const n = await one<{ n: number }>("SELECT COUNT(*) AS n FROM hazard WHERE clientKey = 'same-key-in-batch-1'");
    expect(Number(n.n)).toBe(1);
    // a later retry answers the same hazard, burning no number
    const calls = jest.spyOn(sequence, 'nextBlock');
    calls.mockClear();
    const again = await post('resident', body(2), 'same-key-in-batch-1');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(ra.body.id);
    expect(calls).not.toHaveBeenCalled();
  });

  it('one bad report in a batch (a photo already used elsewhere) fails alone; the others are stored', async () => {
    // The parent's own hazard photo, already attached to another hazard: the up-front reference check (own upload,
    // right purpose) lets it through, attaching it inside the batch refuses it.
    const used = await t.ds.getRepository(Media).save({
      ownerId: t.seed.user.parent.id,
      purpose: 'hazard',
      mime: 'image/jpeg',
      storageKey: 'media/x/used.jpg',
      thumbKey: 'media/x/used_t.jpg',
      sha256: '0'.repeat(64),
      size: 1,
      width: 1,
      height: 1,
      secStatus: 'pass',
      secTraceId: null,
      entityKind: 'hazard',
      entityId: 1,
    });
    const { release } = holdNextBatch();
    const first = post('resident', body(4));
    await new Promise((r) => setTimeout(r, 50));
    const good1 = post('resident', body(5), 'batch-good-1-key');
    const bad = post('parent', body(6, { photoIds: [used.id] }), 'batch-bad-1-key');
    const good2 = post('enterprise', body(7), 'batch-good-2-key');
    await queuedAtLeast(3);
    release();
    const [r0, g1, bd, g2] = await Promise.all([first, good1, bad, good2]);
    expect(r0.status).toBe(201);
    expect(g1.status).toBe(201);
    expect(g2.status).toBe(201);
    expect(bd.status).toBe(400);
    expect(JSON.stringify(named(bd.body))).toContain('photoIds');
    expect(g1.body.code).not.toBe(g2.body.code);
    const rows: { clientKey: string }[] = await t.ds.query(
      "SELECT clientKey FROM hazard WHERE clientKey IN ('batch-good-1-key', 'batch-bad-1-key', 'batch-good-2-key') ORDER BY clientKey",
    );
    expect(rows.map((r) => r.clientKey)).toEqual(['batch-good-1-key', 'batch-good-2-key']);
    // the failed key is free: a corrected retry goes through
    const retry = await post('parent', body(6), 'batch-bad-1-key');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('records the duplicates hint for reports of one batch and against earlier ones', async () => {
    const spot = { category: 'gas', lat: 29.6011, lng: 106.5011 };
    const earlier = await post('resident', { ...spot, description: '燃气管道裸露在路边' });
    expect(earlier.status).toBe(201);
    await queue.idle(10_000);
    const { release } = holdNextBatch();
    const first = post('resident', body(8));
    await new Promise((r) => setTimeout(r, 50));
    const x = post('parent', { ...spot, lat: spot.lat + 0.0003, description: '燃气管道附近有人烧火' });
    const y = post('enterprise', { ...spot, lng: spot.lng + 0.0003, description: '同一处燃气管道漏气味道' });
    const far = post('enterprise', { ...spot, lat: spot.lat + 0.05, description: '远处另一条燃气管道' });
    await queuedAtLeast(3);
    release();
    const [, rx, ry, rf] = await Promise.all([first, x, y, far]);
    expect(await queue.idle(10_000)).toBe(true);
    const hint = async (id: number) =>
      (await t.ds.query("SELECT data FROM hazard_event WHERE hazardId = ? AND action = 'duplicate'", [id])) as { data: string }[];
    for (const r of [rx, ry]) {
      const h = await hint(r.body.id);
      expect(h).toHaveLength(1);
      const data = JSON.parse(h[0].data) as { ids: number[]; codes: string[] };
      expect(data.ids).toContain(earlier.body.id);
      expect(data.codes).toContain(earlier.body.code);
    }
    // the later of the two (by report time) also names the earlier one of the same batch
    const times: { id: number; createdAt: unknown }[] = await t.ds.query('SELECT id, createdAt FROM hazard WHERE id IN (?, ?)', [rx.body.id, ry.body.id]);
    const ms = (id: number) => readTime(times.find((x) => Number(x.id) === id)!.createdAt)!.getTime();
    const [early, late] = ms(rx.body.id) <= ms(ry.body.id) ? [rx.body, ry.body] : [ry.body, rx.body];
    expect((JSON.parse((await hint(late.id))[0].data) as { ids: number[] }).ids).toContain(early.id);
    expect(await hint(rf.body.id)).toHaveLength(0);
    // the detail still shows the live probable duplicates to an officer
    const d = await t.http.get(`/api/hazards/${late.id}`).set(await t.as('town'));
    expect(d.status).toBe(200);
    expect(d.body.probableDuplicates.map((p: { id: number }) => p.id)).toEqual(expect.arrayContaining([earlier.body.id]));
  });

  it('scans for duplicates by place: its index is led by category, state and latitude; every open state counts, a closed one not', async () => {
    const cols: string[] =
      t.cfg.dbKind === 'mysql'
        ? (
            (await t.ds.query(
              "SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'hazard' AND INDEX_NAME = 'idx_hazard_dup' ORDER BY SEQ_IN_INDEX",
            )) as { c: string }[]
          ).map((r) => r.c)
        : ((await t.ds.query("PRAGMA index_info('idx_hazard_dup')")) as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((r) => r.name);
    // led by the time (as before), each report's scan walked every report of its category of the last days, anywhere
    expect(cols).toEqual(['category', 'status', 'lat', 'lng', 'createdAt']);

    const spot = { category: 'flood_reservoir', lat: 29.6211, lng: 106.5211 };
    const made: { id: number; code: string }[] = [];
    for (const [i, description] of ['水库溢洪道被杂物堵塞', '水库堤坝背水坡渗水', '水库边护栏缺失一段'].entries()) {
      const r = await post('resident', { ...spot, lat: spot.lat + i * 0.0002, description });
      expect(r.status).toBe(201);
      made.push(r.body);
    }
    expect(await queue.idle(10_000)).toBe(true);
    await t.ds.query("UPDATE hazard SET status = 'rectifying' WHERE id = ?", [made[1].id]);
    await t.ds.query("UPDATE hazard SET status = 'closed' WHERE id = ?", [made[2].id]);
    try {
      const probe = {
        id: -1,
        code: 'YH-PROBE',
        category: 'flood_reservoir',
        description: '水库',
        lat: spot.lat + 0.0001,
        lng: spot.lng,
        orgPath: '/',
        createdAt: Date.now(),
      };
      const near = await t.app.get(HazardGeometryService).nearbyOpenMany([probe as ReportedHazard]);
      expect((near.get(-1) ?? []).map((n) => n.id).sort((a, b) => a - b)).toEqual([made[0].id, made[1].id].sort((a, b) => a - b));
    } finally {
      await t.ds.query("UPDATE hazard SET status = 'reported' WHERE id IN (?, ?)", [made[1].id, made[2].id]);
    }
  });

  it("finds who hears of a batch's reports in one read, where a place has no grid or village officer too", async () => {
    const { release } = holdNextBatch();
    const first = post('resident', { category: 'fire', description: '柳林村：先到的一条' });
    await new Promise((r) => setTimeout(r, 50));
    // 石桥村 has no grid or village officer (its reports go up to the town's); 柳林村 has its village officer
    const rest = [
      post('resident', { category: 'gas', description: '石桥村：桥头液化气罐', orgId: t.seed.org.v_shiqiao.id }),
      post('parent', { category: 'gas', description: '石桥村：河边电线', orgId: t.seed.org.v_shiqiao.id }),
      post('resident', { category: 'fire', description: '柳林村：柴堆靠着灶房' }),
    ];
    await queuedAtLeast(3);
    const logQuery = jest.spyOn(t.ds.logger, 'logQuery');
    let reads: string[];
    let made: { status: number; body: { id: number } }[];
    try {
      release();
      made = await Promise.all([first, ...rest]);
      expect(await queue.idle(10_000)).toBe(true);
      reads = logQuery.mock.calls.map(([sql]) => sql).filter((sql) => /FROM app_user WHERE orgPath IN/.test(sql));
    } finally {
      logQuery.mockRestore();
    }
    expect(made.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    // two batches (the first report alone, then the three that waited): one read each — was one more for every
    // report of a place without a grid or village officer
    expect(reads).toHaveLength(2);
    const heard = async (id: number) =>
      (
        (await t.ds.query('SELECT u.openid FROM notification n JOIN app_user u ON u.id = n.userId WHERE n.dedupeKey = ? ORDER BY u.openid', [
          `hazard:${id}:reported`,
        ])) as { openid: string }[]
      ).map((r) => r.openid);
    expect(await heard(made[1].body.id)).toEqual(['dev:demo-town']);
    expect(await heard(made[2].body.id)).toEqual(['dev:demo-town']);
    for (const r of [made[0], made[3]]) expect(await heard(r.body.id)).toEqual(['dev:demo-village']);
  });

  it('notifyMany stores one notice per user and key, and skips what is already there', async () => {
    const notifications = t.app.get(NotificationsService);
    const users = [t.seed.user.village.id, t.seed.user.grid.id, t.seed.user.town.id];
    const input = { kind: 'test', title: '测试通知', body: '正文', link: null, dedupeKey: `test:many:${Date.now()}` };
    const count = async (key: string | null) =>
      Number((await one<{ n: number }>(`SELECT COUNT(*) AS n FROM notification WHERE ${key ? 'dedupeKey = ?' : "title = '无键通知'"}`, key ? [key] : [])).n);
    await notifications.notifyMany([...users, users[0]], input);
    expect(await count(input.dedupeKey)).toBe(3);
    await notifications.notifyMany(users, input);
    expect(await notifications.notify(users[1], input)).toBe(false);
    expect(await count(input.dedupeKey)).toBe(3);
    // without a key every call stores
    await notifications.notifyMany(users.slice(0, 2), { kind: 'test', title: '无键通知' });
    await notifications.notifyMany(users.slice(0, 2), { kind: 'test', title: '无键通知' });
    expect(await count(null)).toBe(4);
  });
});
