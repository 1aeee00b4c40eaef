import ExcelJS from 'exceljs';
import { canTransition, HAZARD_ACTION_LABELS, HAZARD_ACTIONS, HAZARD_STATUS_LABELS, HAZARD_STATUSES, HazardAction, HazardStatus } from '@xiangan/shared';
import { createTestApp, TestApp } from '../../testing/test-app';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { HazardCountService, rebuildHazardCounts } from './hazard-counts.service';
import { dueMonthOf, tallyUnitsOf } from './hazard-tally';
import { HazardLedgerService, RANK_WALK_MAX } from './hazard-ledger.service';

import { HazardRemindersService } from './hazard-reminders.service';
import { dbTime } from '../../common/db/dialect';
import { named } from '../../testing/fields';

const tomorrow = () => new Date(Date.now() + 86400_000 * 3).toISOString().slice(0, 10);

describe('hazards: report, ledger and the closed loop', () => {
  let t: TestApp;
  let liulin: number;
  let hekou: number;
  let grid1: number;
  let deptMarket: number;
  beforeAll(async () => {
    t = await createTestApp();
    liulin = t.seed.org.v_liulin.id;
    hekou = t.seed.org.v_hekou.id;
    grid1 = t.seed.org.g_liulin_1.id;
    deptMarket = t.seed.org.d_market_reg.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const report = async (who = 'resident', body: Record<string, unknown> = {}, key?: string) => {
    const req = t.http.post('/api/hazards').set(await t.as(who));
    if (key) req.set('Idempotency-Key', key);
    const res = await req.send({ category: 'fire', description: '村委会旁老房子电线私拉乱接，存在火灾隐患', lat: 29.583, lng: 106.487, ...body });
    if (res.status !== 201) throw new Error(`report failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; code: string; status: string };
  };
  const act = async (who: string, id: number, action: string, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/hazards/${id}/${action}`)
      .set(await t.as(who))
      .send(body);
  const bodies: Record<string, Record<string, unknown>> = {
    assign: { responsibleOrgId: 0, deadline: '' },
    start: {},
    rectify: { note: '已重新布线并安装漏电保护器' },
    verify: { passed: true, note: '现场验收合格' },
    reject: { reason: '重复上报' },
    escalate: { department: '青山县住房和城乡建设局', note: '危房需县级鉴定' },
    answer: { note: '县住建局已安排鉴定并拆除' },
    reopen: { note: '没修好，电线又垂下来了' },
    comment: { note: '请尽快处理' },
  };
  const bodyFor = (a: string) => (a === 'assign' ? { responsibleOrgId: liulin, deadline: tomorrow() } : bodies[a]);

  it('files a report with a yearly code, the place and a first timeline event', async () => {
    const h = await report();
    expect(h.code).toMatch(new RegExp(`^YH-${new Date(Date.now() + 8 * 3600_000).getUTCFullYear()}-\\d{6}$`));
    expect(h.status).toBe('reported');
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('resident'));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ orgId: liulin, isMine: true, status: 'reported', reporterName: '王桂英' });
    expect(d.body.timeline.map((e: { action: string }) => e.action)).toEqual(['report']);
    expect(d.body.actions).toEqual(['comment']);
  });

  it('validates the report naming each bad field', async () => {
    const res = await t.http
      .post('/api/hazards')
      .set(await t.as('resident'))
      .send({ category: 'volcano', description: '', contactPhone: '123', lat: 99 });
    expect(res.status).toBe(400);
    const msg = named(res.body).join('\n');
    for (const f of ['category', 'description', 'contactPhone', 'lat']) expect(msg).toContain(f);
  });

  it('a retried submission with the same Idempotency-Key creates one hazard', async () => {
    const key = 'retry-key-0001';
    const [a, b, c] = await Promise.all([report('resident', {}, key), report('resident', {}, key), report('resident', {}, key)]);
    expect(b.id).toBe(a.id);
    expect(c.code).toBe(a.code);
    const again = await report('resident', {}, key);
    expect(again.id).toBe(a.id);
    const rows = await t.ds.query('SELECT COUNT(*) AS n FROM hazard WHERE clientKey = ?', [key]);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('50 concurrent submissions all land with unique codes', async () => {
    const headers = await t.as('parent');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.http
          .post('/api/hazards')
          .set(headers)
          .set('Idempotency-Key', `conc-${i}-abcdef`)
          .send({ category: 'drowning', description: `第${i}号：河边无护栏` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const codes = new Set(results.map((r) => r.body.code));
    expect(codes.size).toBe(50);
    const rows = await t.ds.query("SELECT COUNT(DISTINCT code) AS n FROM hazard WHERE category = 'drowning'");
    expect(Number(rows[0].n)).toBe(50);
  });

  it('walks a hazard through every transition, each one an event', async () => {
    const h = await report('resident', { contactPhone: '13912345678' });
    const steps: [string, string, Record<string, unknown>, string][] = [
      ['village', 'assign', { responsibleOrgId: grid1, deadline: tomorrow(), level: 'major', note: '请网格员三天内整改' }, 'assigned'],
      ['grid', 'start', { note: '已联系房主' }, 'rectifying'],
      ['grid', 'rectify', { note: '已更换线路' }, 'rectified'],
      ['village', 'verify', { passed: false, note: '插座仍未固定' }, 'rectifying'],
      ['grid', 'rectify', { note: '插座已固定' }, 'rectified'],
      ['village', 'verify', { passed: true, note: '验收合格' }, 'closed'],
      ['resident', 'reopen', { note: '没修好，又冒火花了' }, 'reported'],
      ['village', 'escalate', { department: '青山县住房和城乡建设局', note: '房屋结构问题需县级处理' }, 'escalated'],
      ['county', 'assign', { responsibleOrgId: liulin, deadline: tomorrow() }, 'assigned'],
      ['town', 'escalate', { department: '青山县应急管理局', note: '村里无力处置' }, 'escalated'],
      ['county', 'answer', { note: '县应急局已督促产权人拆除' }, 'closed'],
      ['town', 'reopen', { note: '复查发现未拆除' }, 'reported'],
      ['village', 'reject', { reason: '经核实为重复上报' }, 'rejected'],
      ['village', 'reopen', { note: '核实不是重复' }, 'reported'],
      ['village', 'comment', { note: '已电话联系上报人' }, 'reported'],
    ];
    for (const [who, action, body, to] of steps) {
      const res = await act(who, h.id, action, body);
      expect({ action, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ action, status: 200, body: undefined });
      expect(res.body.status).toBe(to);
    }
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('town'));
    const actions = d.body.timeline.map((e: { action: string }) => e.action).filter((a: string) => a !== 'duplicate');
    expect(actions).toEqual(['report', ...steps.map((s) => s[1])]);
    const closeEv = d.body.timeline.find((e: { action: string; data: { passed?: boolean } }) => e.action === 'verify' && e.data?.passed);
    expect(closeEv).toMatchObject({ fromStatus: 'rectified', toStatus: 'closed', actorName: '李春梅', actorRole: 'village_officer', note: '验收合格' });
    expect(d.body.contactPhone).toBe('13912345678');
    expect(d.body.level).toBe('major');
    // reporter follows along: every state change notified in-app
    const notes = await t.http.get('/api/notifications').set(await t.as('resident'));
    expect(notes.body.items.filter((n: { kind: string }) => n.kind === 'hazard_update').length).toBeGreaterThanOrEqual(10);
  });

  it('answers 409 naming the current state for every illegal transition', async () => {
    // one hazard in each state, driven by an admin (all roles) so only the state machine can refuse
    const inState: Record<HazardStatus, number> = {} as never;
    const path: Record<HazardStatus, string[]> = {
      reported: [],
      assigned: ['assign'],
      rectifying: ['assign', 'start'],
      rectified: ['assign', 'start', 'rectify'],
      closed: ['assign', 'start', 'rectify', 'verify'],
      rejected: ['reject'],
      escalated: ['escalate'],
    };
    for (const s of HAZARD_STATUSES) {
      const h = await report('resident');
      for (const a of path[s]) expect((await act('admin', h.id, a, bodyFor(a))).status).toBe(200);
      inState[s] = h.id;
    }
    let illegal = 0;
    for (const s of HAZARD_STATUSES) {
      for (const a of HAZARD_ACTIONS as readonly HazardAction[]) {
        if (canTransition(a, s)) continue;
        const res = await act('admin', inState[s], a, bodyFor(a));
        expect({ s, a, status: res.status }).toEqual({ s, a, status: 409 });
        expect(res.body.message).toBe(`当前状态为「${HAZARD_STATUS_LABELS[s]}」，不能执行「${HAZARD_ACTION_LABELS[a]}」`);
        illegal++;
      }
    }
    expect(illegal).toBeGreaterThan(30);
    const st = await t.http.get(`/api/hazards/${inState.closed}`).set(await t.as('admin'));
    expect(st.body.status).toBe('closed');
  });

  it('of two concurrent transitions from one state exactly one succeeds', async () => {
    const h = await report('resident');
    const [a, b] = await Promise.all([act('village', h.id, 'assign', bodyFor('assign')), act('town', h.id, 'reject', { reason: '不属实' })]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const ev = await t.ds.query("SELECT COUNT(*) AS n FROM hazard_event WHERE hazardId = ? AND action IN ('assign','reject')", [h.id]);
    expect(Number(ev[0].n)).toBe(1);
    const h2 = await report('resident');
    expect((await act('village', h2.id, 'assign', bodyFor('assign'))).status).toBe(200);
    const [s1, s2] = await Promise.all([act('town', h2.id, 'start'), act('village', h2.id, 'start')]);
    expect([s1.status, s2.status].sort()).toEqual([200, 409]);
    expect([s1.body.message, s2.body.message]).toContain('当前状态为「整改中」，不能执行「开始整改」');
  });

  it('enforces roles: residents cannot manage, the county only answers, departments only what they were handed', async () => {
    const h = await report('resident');
    expect((await act('resident', h.id, 'assign', bodyFor('assign'))).status).toBe(403);
    expect((await act('resident', h.id, 'reject', { reason: 'x' })).status).toBe(403);
    expect((await act('county', h.id, 'reject', { reason: 'x' })).status).toBe(403);
    expect((await act('grid', h.id, 'escalate', bodies.escalate)).status).toBe(403);
    expect((await act('village', h.id, 'answer', bodies.answer)).status).toBe(403);
    // assign to the market regulation office (a town department): the village cannot, the town can
    expect((await act('village', h.id, 'assign', { responsibleOrgId: deptMarket, deadline: tomorrow() })).status).toBe(403);
    expect((await act('village', h.id, 'assign', { responsibleOrgId: hekou, deadline: tomorrow() })).status).toBe(403);
    expect((await act('town', h.id, 'assign', { responsibleOrgId: deptMarket, deadline: tomorrow() })).status).toBe(200);
    expect((await act('dept', h.id, 'start', { note: '已派人' })).status).toBe(200);
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('dept'));
    expect(d.status).toBe(200);
    expect(d.body.actions).toEqual(expect.arrayContaining(['rectify', 'comment']));
    // a hazard not handed to the department: invisible to it
    const other = await report('resident');
    expect((await t.http.get(`/api/hazards/${other.id}`).set(await t.as('dept'))).status).toBe(404);
    expect((await act('dept', other.id, 'start')).status).toBe(404);
    // past deadline, unknown unit, bad officer
    expect((await act('town', other.id, 'assign', { responsibleOrgId: liulin, deadline: '2020-01-01' })).status).toBe(400);
    expect((await act('town', other.id, 'assign', { responsibleOrgId: 999999, deadline: tomorrow() })).status).toBe(404);
    const bad = await act('town', other.id, 'assign', { responsibleOrgId: liulin, responsibleUserId: t.seed.user.village2.id, deadline: tomorrow() });
    expect(bad.status).toBe(400);
    expect(named(bad.body).join('')).toContain('responsibleUserId');
    // failing verification needs a reason; reject needs a reason
    expect(named((await act('town', other.id, 'reject', {})).body).join('')).toContain('reason 退回原因');
  });

  it('keeps villages apart: another village cannot see or act (404), residents see only their own', async () => {
    const h = await report('resident');
    expect((await t.http.get(`/api/hazards/${h.id}`).set(await t.as('village2'))).status).toBe(404);
    expect((await act('village2', h.id, 'assign', { responsibleOrgId: hekou, deadline: tomorrow() })).status).toBe(404);
    expect((await act('village2', h.id, 'comment', { note: 'x' })).status).toBe(404);
    expect((await t.http.get(`/api/hazards/${h.id}`).set(await t.as('parent'))).status).toBe(404);
    expect((await act('parent', h.id, 'comment', { note: 'x' })).status).toBe(404);
    expect((await act('parent', h.id, 'reopen', { note: 'x' })).status).toBe(404);
    expect((await t.http.get(`/api/hazards/${h.id}`).set(await t.as('town2'))).status).toBe(404);
    const v2 = await t.http.get('/api/hazards?pageSize=100').set(await t.as('village2'));
    expect(v2.body.items.every((i: { orgId: number }) => i.orgId === hekou)).toBe(true);
    expect(v2.body.items.find((i: { id: number }) => i.id === h.id)).toBeUndefined();
    const mine = await t.http.get('/api/hazards?pageSize=100').set(await t.as('parent'));
    const ids = (await t.ds.query('SELECT id FROM hazard WHERE reporterId = ?', [t.seed.user.parent.id])).map((r: { id: number }) => r.id);
    expect(mine.body.total).toBe(ids.length);
    expect(mine.body.items.every((i: { id: number }) => ids.includes(i.id))).toBe(true);
    // asking for another unit's list as an officer
    expect((await t.http.get(`/api/hazards?orgId=${hekou}`).set(await t.as('village'))).status).toBe(403);
  });

  it('hides the reporter: anonymous even from officials, names never to other residents, phone masked in lists', async () => {
    const anon = await report('resident', { anonymous: true, contactPhone: '13812345678' });
    const d = await t.http.get(`/api/hazards/${anon.id}`).set(await t.as('village'));
    expect(d.body.reporterName).toBeNull();
    expect(d.body.timeline[0].actorName).toBe('匿名群众');
    expect(d.body.contactPhone).toBe('13812345678');
    const own = await t.http.get(`/api/hazards/${anon.id}`).set(await t.as('resident'));
    expect(own.body.reporterName).toBe('王桂英');
    const named = await report('resident', { contactPhone: '13812345678' });
    expect((await t.http.get(`/api/hazards/${named.id}`).set(await t.as('village'))).body.reporterName).toBe('王桂英');
    const list = await t.http.get('/api/hazards?pageSize=100').set(await t.as('village'));
    const row = list.body.items.find((i: { id: number }) => i.id === named.id);
    expect(row.contactPhone).toBe('138****5678');
    expect(JSON.stringify(list.body)).not.toContain('13812345678');
  });

  it('ledger rows show what the detail shows of the same hazard (names, dates, masked phone, overdue)', async () => {
    const open = await report('resident', { contactPhone: '13812345678', address: '柳林村三组' });
    expect((await act('village', open.id, 'assign', { responsibleOrgId: grid1, deadline: tomorrow(), level: 'major' })).status).toBe(200);
    const closed = await report('resident', { description: '河边护栏缺失，需尽快补装' });
    for (const a of ['assign', 'rectify', 'verify']) expect((await act('village', closed.id, a, bodyFor(a))).status).toBe(200);
    const late = await report('resident', { description: '桥头路灯不亮，夜间通行危险' });
    expect((await act('village', late.id, 'assign', { responsibleOrgId: liulin, deadline: tomorrow() })).status).toBe(200);
    // past its deadline (set by hand, so put back after: the tally spec further down compares hazard_tally with the rows)
    const [{ deadline: was }] = await t.ds.query('SELECT deadline FROM hazard WHERE id = ?', [late.id]);
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', ['2020-01-02 03:04:05.678', late.id]);
    const rows = new Map<number, Record<string, unknown>>();
    const details = new Map<number, Record<string, unknown>>();
    try {
      const list = await t.http.get('/api/hazards?pageSize=100').set(await t.as('village'));
      expect(list.status).toBe(200);
      for (const id of [open.id, closed.id, late.id]) {
        rows.set(
          id,
          list.body.items.find((x: { id: number }) => x.id === id),
        );
        details.set(id, (await t.http.get(`/api/hazards/${id}`).set(await t.as('village'))).body);
      }
    } finally {
      await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [was, late.id]);
    }
    const keys = [
      'id',
      'code',
      'category',
      'level',
      'status',
      'description',
      'address',
      'orgId',
      'orgName',
      'responsibleOrgId',
      'responsibleOrgName',
      'deadline',
      'overdue',
      'reportedAt',
      'closedAt',
    ] as const;
    for (const id of [open.id, closed.id, late.id]) {
      const row = rows.get(id)!;
      const detail = details.get(id)!;
      expect(Object.fromEntries(keys.map((k) => [k, row[k]]))).toEqual(Object.fromEntries(keys.map((k) => [k, detail[k]])));
    }
    const rowOf = (id: number) => rows.get(id)!;
    expect(rowOf(open.id)).toMatchObject({ orgName: expect.any(String), responsibleOrgName: expect.any(String), contactPhone: '138****5678', closedAt: null });
    expect(rowOf(closed.id).closedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(rowOf(late.id)).toMatchObject({ deadline: '2020-01-02T03:04:05.678Z', overdue: true });
  });

  it('lets the reporter reopen a closed hazard within 30 days, not later and not when not closed', async () => {
    const h = await report('resident');
    for (const a of ['assign', 'rectify', 'verify']) expect((await act('village', h.id, a, bodyFor(a))).status).toBe(200);
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('resident'));
    expect(d.body.actions).toContain('reopen');
    await t.ds.query('UPDATE hazard SET closedAt = ? WHERE id = ?', [new Date(Date.now() - 31 * 86400_000).toISOString().slice(0, 19).replace('T', ' '), h.id]);
    const late = await act('resident', h.id, 'reopen', bodies.reopen);
    expect(late.status).toBe(403);
    expect(late.body.message).toContain('30');
    expect((await act('village', h.id, 'reopen', bodies.reopen)).status).toBe(200);
    expect((await act('resident', h.id, 'reopen', bodies.reopen)).status).toBe(409);
  });

  it('links duplicates: rejects with the original, and offers nearby reports to officers', async () => {
    const first = await report('resident', { category: 'road_traffic', description: '柳林村口急弯无警示标志', lat: 29.5831, lng: 106.4871 });
    const second = await report('grid', { category: 'road_traffic', description: '村口弯道没有反光镜', lat: 29.5836, lng: 106.4875 });
    const far = await report('grid', { category: 'road_traffic', description: '远处', lat: 29.6, lng: 106.5 });
    // duplicate hints are written by the job that follows a report
    await t.app.get<JobQueue>(JOB_QUEUE).idle(10_000);
    const d = await t.http.get(`/api/hazards/${second.id}`).set(await t.as('village'));
    expect(d.body.probableDuplicates.map((x: { id: number }) => x.id)).toContain(first.id);
    expect(d.body.probableDuplicates.map((x: { id: number }) => x.id)).not.toContain(far.id);
    expect(d.body.timeline.find((e: { action: string }) => e.action === 'duplicate').data.codes).toContain(first.code);
    // the resident does not see the officers' duplicate hints
    const mine = await t.http.get(`/api/hazards/${first.id}`).set(await t.as('resident'));
    expect(mine.body.probableDuplicates).toEqual([]);
    const r = await act('village', second.id, 'reject', { reason: '与已上报隐患重复', duplicateOfId: first.id });
    expect(r.status).toBe(200);
    expect(r.body.duplicateOfId).toBe(first.id);
    expect((await act('village', far.id, 'reject', { reason: '重复', duplicateOfId: far.id })).status).toBe(400);
  });

  /** hazard_tally equals what the hazards themselves say: each hazard once under every unit of its path and under 0. */
  const expectTallyFresh = async () => {
    const hz: { orgPath: string; status: HazardStatus; category: string; level: string; deadline: Date | string | null }[] = await t.ds.query(
      'SELECT orgPath, status, category, level, deadline FROM hazard',
    );
    const want = new Map<string, number>();
    for (const h of hz) {
      for (const u of tallyUnitsOf(h.orgPath)) {
        const k = `${u}|${h.status}|${h.category}|${h.level}|${dueMonthOf(h.status, h.deadline)}`;
        want.set(k, (want.get(k) ?? 0) + 1);
      }
    }
    const kept: { unitId: number; status: string; category: string; level: string; dueMonth: string; n: number | string }[] = await t.ds.query(
      'SELECT * FROM hazard_tally WHERE n <> 0',
    );
    expect(kept.map((r) => `${r.unitId}|${r.status}|${r.category}|${r.level}|${r.dueMonth}=${Number(r.n)}`).sort()).toEqual(
      [...want].map(([k, n]) => `${k}=${n}`).sort(),
    );
    expect(want.size).toBeGreaterThan(10);
  };

  it('keeps hazard_tally equal to the hazards through every kind of write, and the page in exact urgency order either way', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await report('resident', { category: i % 2 ? 'gas' : 'drowning', description: `计数校验 ${i}` })).id);
    const walk = async (id: number, steps: [string, string, Record<string, unknown>][]) => {
      for (const [who, a, body] of steps) {
        const r = await act(who, id, a, body);
        if (r.status !== 200) throw new Error(`${a} on ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    // level raised on assign, fail and pass at verify, reopen, reject, escalate + answer, plain assign
    await walk(ids[0], [
      ['village', 'assign', { responsibleOrgId: liulin, deadline: tomorrow(), level: 'major' }],
      ['village', 'start', {}],
      ['village', 'rectify', bodies.rectify],
      ['village', 'verify', { passed: false, note: '护栏还没装' }],
      ['village', 'rectify', bodies.rectify],
      ['village', 'verify', bodies.verify],
      ['village', 'reopen', bodies.reopen],
    ]);
    await walk(ids[1], [['village', 'reject', bodies.reject]]);
    await walk(ids[2], [
      ['village', 'escalate', bodies.escalate],
      ['county', 'answer', bodies.answer],
    ]);
    await walk(ids[3], [
      ['village', 'assign', bodyFor('assign')],
      ['village', 'start', {}],
    ]);
    await walk(ids[4], [
      ['village', 'assign', { responsibleOrgId: liulin, deadline: tomorrow(), level: 'major' }],
      ['village', 'comment', bodies.comment],
    ]);
    // two officers assign the same report at once with different levels (re-assigning is allowed): each either
    // applies on top of the other or answers 409 — the counts move exactly as the row does
    const race = await Promise.all([
      act('village', ids[5], 'assign', { responsibleOrgId: liulin, deadline: tomorrow(), level: 'major' }),
      act('town', ids[5], 'assign', { responsibleOrgId: liulin, deadline: tomorrow(), level: 'general' }),
    ]);
    expect(race.some((r) => r.status === 200)).toBe(true);
    expect(race.every((r) => [200, 409].includes(r.status))).toBe(true);
    // rejected illegal transitions change nothing
    expect((await act('village', ids[1], 'start', {})).status).toBe(409);
    // two re-assignments at once with the same level and different deadlines: both apply, one after the other,
    // and the tally/rollups move from the row as it really was (the state alone would not catch this)
    const twice = (await report('resident', { category: 'gas', description: '计数校验 同时改派' })).id;
    const later = new Date(Date.now() + 86400_000 * 40).toISOString().slice(0, 10);
    await walk(twice, [['village', 'assign', bodyFor('assign')]]);
    for (let round = 0; round < 3; round++) {
      const both = await Promise.all([
        act('village', twice, 'assign', { responsibleOrgId: liulin, deadline: round % 2 ? tomorrow() : later }),
        act('town', twice, 'assign', { responsibleOrgId: liulin, deadline: round % 2 ? later : tomorrow() }),
      ]);
      expect(both.map((r) => r.status)).toEqual([200, 200]);
    }
    await expectTallyFresh();
    // a deadline passes (written behind the service's back: stored priority lags until the minute job)
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [new Date(Date.now() - 3600_000).toISOString().slice(0, 19).replace('T', ' '), ids[3]]);

    // every page of the town's ledger, merged per unit, equals the plain ORDER BY over the whole subtree
    const expectOrder = async (qs: string, where: string, params: unknown[]) => {
      const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
      const rows = await t.ds.query(
        `SELECT id FROM hazard WHERE orgPath LIKE ? ${where} ORDER BY CASE WHEN level = 'major' AND status IN ('reported','assigned','rectifying','rectified','escalated') THEN 0 ` +
          `WHEN status IN ('assigned','rectifying') AND deadline < ? THEN 1 ELSE 2 END, createdAt DESC, id DESC`,
        [`${t.seed.org.town.path}%`, ...params, now],
      );
      const got: number[] = [];
      for (let page = 1; page < 50; page++) {
        const r = await t.http.get(`/api/hazards?pageSize=7&page=${page}${qs}`).set(await t.as('town'));
        expect(r.status).toBe(200);
        expect(r.body.total).toBe(rows.length);
        got.push(...r.body.items.map((i: { id: number }) => i.id));
        if (r.body.items.length < 7) break;
      }
      expect(got).toEqual(rows.map((r: { id: number }) => Number(r.id)));
      return got;
    };
    const all = await expectOrder('', '', []);
    expect(all.indexOf(ids[3])).toBeLessThan(all.indexOf(ids[6])); // overdue (stale priority) before a fresh report
    await expectOrder('&category=gas', 'AND category = ?', ['gas']);
    await expectOrder('&status=reported,assigned&level=major', "AND status IN ('reported','assigned') AND level = ?", ['major']);
    const counted = await t.app.get(HazardCountService).refreshPriority();
    expect(counted).toBeGreaterThanOrEqual(1);
    await expectOrder('', '', []);
    // the same pages when the ledger walks the urgency index (a county's plan) and when it merges per unit (a town's)
    const svc = t.app.get(HazardLedgerService);
    for (const max of [Infinity, 0]) {
      svc.ledgerWalkMax = max;
      await expectOrder('', '', []);
      await expectOrder('&category=gas', 'AND category = ?', ['gas']);
      await expectOrder('&status=assigned,rectifying&overdue=false', "AND status IN ('assigned','rectifying') AND deadline >= ?", [
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      const overdue = await expectOrder('&overdue=true', "AND status IN ('assigned','rectifying') AND deadline < ?", [
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      expect(overdue).toContain(ids[3]);
    }
    svc.ledgerWalkMax = RANK_WALK_MAX;
    // overdue: work due in an earlier month is counted from the tally, work due this month live
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [
      new Date(Date.now() - 40 * 86400_000).toISOString().slice(0, 19).replace('T', ' '),
      ids[4],
    ]);
    await rebuildHazardCounts(t.ds);
    await expectTallyFresh();
    for (const [who, path] of [
      ['town', t.seed.org.town.path],
      ['county', t.seed.org.county.path],
      ['village', t.seed.org.v_liulin.path],
    ] as const) {
      const r = await t.http.get('/api/hazards?pageSize=1').set(await t.as(who));
      const [od] = await t.ds.query("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('assigned','rectifying') AND deadline < ?", [
        `${path}%`,
        new Date().toISOString().slice(0, 23).replace('T', ' '),
      ]);
      expect(r.body.counts.overdue).toBe(Number(od.n));
      const byState = await t.ds.query('SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? GROUP BY status', [`${path}%`]);
      for (const row of byState) expect(r.body.counts[row.status]).toBe(Number(row.n));
    }
    const town = await t.http.get('/api/hazards?pageSize=1&category=drowning').set(await t.as('town'));
    const direct = await t.ds.query("SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND category = 'drowning' GROUP BY status", [
      `${t.seed.org.town.path}%`,
    ]);
    for (const r of direct) expect(town.body.counts[r.status]).toBe(Number(r.n));
  });

  it('ledger: counts per state, filters, urgency order, overdue flag, paging limits', async () => {
    const major = await report('resident', { description: '重大：液化气瓶露天存放' });
    await act('village', major.id, 'assign', { responsibleOrgId: liulin, deadline: tomorrow(), level: 'major' });
    const late = await report('resident', { description: '逾期：桥面护栏断裂', category: 'road_traffic' });
    await act('village', late.id, 'assign', bodyFor('assign'));
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [new Date(Date.now() - 86400_000).toISOString().slice(0, 19).replace('T', ' '), late.id]);

    const res = await t.http.get('/api/hazards?pageSize=5').set(await t.as('village'));
    expect(res.status).toBe(200);
    const dbCounts = await t.ds.query('SELECT status, COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? GROUP BY status', [`${t.seed.org.v_liulin.path}%`]);
    for (const r of dbCounts) expect(res.body.counts[r.status]).toBe(Number(r.n));
    expect(res.body.total).toBe(dbCounts.reduce((a: number, r: { n: number }) => a + Number(r.n), 0));
    expect(res.body.items[0].level).toBe('major');
    expect(res.body.counts.overdue).toBeGreaterThanOrEqual(1);
    const ids = res.body.items.map((i: { id: number }) => i.id);
    expect(ids.indexOf(major.id)).toBeLessThan(ids.indexOf(late.id) === -1 ? 99 : ids.indexOf(late.id));

    const od = await t.http.get('/api/hazards?overdue=true').set(await t.as('village'));
    expect(od.body.items.map((i: { id: number }) => i.id)).toContain(late.id);
    expect(od.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    const cat = await t.http.get('/api/hazards?category=road_traffic&status=assigned,rectifying').set(await t.as('town'));
    expect(
      cat.body.items.every((i: { category: string; status: string }) => i.category === 'road_traffic' && ['assigned', 'rectifying'].includes(i.status)),
    ).toBe(true);
    const q = await t.http.get(`/api/hazards?q=${encodeURIComponent('液化气瓶')}`).set(await t.as('town'));
    expect(q.body.items.map((i: { id: number }) => i.id)).toEqual([major.id]);
    const byCode = await t.http.get(`/api/hazards?q=${major.code}`).set(await t.as('town'));
    expect(byCode.body.total).toBe(1);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await t.http.get(`/api/hazards?from=${today}&to=${today}`).set(await t.as('town'))).body.total).toBeGreaterThan(0);
    expect((await t.http.get('/api/hazards?from=2000-01-01&to=2000-12-31').set(await t.as('town'))).body.total).toBe(0);
    expect((await t.http.get('/api/hazards?pageSize=101').set(await t.as('town'))).status).toBe(400);
    expect((await t.http.get('/api/hazards?status=nonsense').set(await t.as('town'))).status).toBe(400);
    const mine = await t.http.get('/api/hazards?mine=true').set(await t.as('grid'));
    expect(mine.body.items.length).toBeGreaterThan(0);
  });

  it('map: open hazards in the bbox and in scope', async () => {
    const inside = await report('resident', { lat: 29.5901, lng: 106.4901, category: 'gas' });
    const res = await t.http.get('/api/hazards/map?bbox=106.48,29.58,106.50,29.60').set(await t.as('village'));
    expect(res.status).toBe(200);
    expect(res.body.points.map((p: { id: number }) => p.id)).toContain(inside.id);
    expect(res.body.points.every((p: { lat: number; lng: number }) => p.lat >= 29.58 && p.lat <= 29.6 && p.lng >= 106.48 && p.lng <= 106.5)).toBe(true);
    expect(
      (await t.http.get('/api/hazards/map?bbox=106.48,29.58,106.50,29.60').set(await t.as('village2'))).body.points.map((p: { id: number }) => p.id),
    ).not.toContain(inside.id);
    expect((await t.http.get('/api/hazards/map?bbox=1,2,3').set(await t.as('village'))).status).toBe(400);
    expect((await t.http.get('/api/hazards/map?bbox=106.5,29.58,106.48,29.60').set(await t.as('village'))).status).toBe(400);
    expect((await t.http.get('/api/hazards/map?bbox=106.48,29.58,106.50,29.60').set(await t.as('resident'))).status).toBe(403);
  });

  it('export.xlsx: the ledger as officials keep it, in scope and filtered', async () => {
    const res = await t.http
      .get('/api/hazards/export.xlsx?category=road_traffic')
      .set(await t.as('village'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as Buffer);
    const ws = wb.getWorksheet('隐患台账')!;
    const header = (ws.getRow(1).values as string[]).slice(1);
    expect(header).toEqual([
      '编号',
      '类别',
      '等级',
      '地点/村',
      '发现时间',
      '问题描述',
      '责任单位',
      '整改期限',
      '状态',
      '整改措施',
      '整改完成时间',
      '验收',
      '销号时间',
      '是否逾期',
      '上报县级',
      '县级答复',
    ]);
    const expected = await t.ds.query("SELECT code FROM hazard WHERE category = 'road_traffic' AND orgPath LIKE ?", [`${t.seed.org.v_liulin.path}%`]);
    expect(ws.rowCount - 1).toBe(expected.length);
    const codes = new Set<string>();
    ws.eachRow((row, n) => n > 1 && codes.add(String(row.getCell(1).value)));
    for (const e of expected) expect(codes.has(e.code)).toBe(true);
    const overdueRow = [...Array(ws.rowCount).keys()]
      .slice(2)
      .map((i) => ws.getRow(i))
      .find((r) => r.getCell(14).value === '是');
    expect(overdueRow?.getCell(2).value).toBe('道路交通');
    expect((await t.http.get('/api/hazards/export.xlsx').set(await t.as('resident'))).status).toBe(403);
    expect((await t.http.get(`/api/hazards/export.xlsx?orgId=${hekou}`).set(await t.as('village'))).status).toBe(403);
  });

  it('monthly report (月会商) figures match the records', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const start = new Date(`${month}-01T00:00:00+08:00`);
    const [y, m] = month.split('-').map(Number);
    const end = new Date(Date.UTC(y, m, 1) - 8 * 3600_000); // the next month's first day, China time
    const h = await report('resident', { category: 'geological', description: '堡坎开裂' });
    await act('village', h.id, 'escalate', { department: '青山县自然资源局', note: '需专业评估' });
    // Last month's work, which the month must leave out: reported, escalated, rejected and closed then, one closed this
    // month (closed here, not reported), one overdue then (not this month's overdue).
    const before = (days: number) => new Date(start.getTime() - days * 86400_000);
    const old = await Promise.all([1, 2, 3, 4, 5].map((i) => report('resident', { category: 'geological', description: `上月堡坎开裂第${i}处` })));
    await act('village', old[0].id, 'escalate', { department: '青山县自然资源局', note: '上月上报' });
    await act('village', old[1].id, 'reject', { reason: '上月核实不属实' });
    const at = (d: Date) => dbTime(d);
    for (const o of old) await t.ds.query('UPDATE hazard SET createdAt = ? WHERE id = ?', [at(before(6)), o.id]);
    await t.ds.query('UPDATE hazard_event SET createdAt = ? WHERE hazardId IN (?, ?, ?, ?, ?)', [at(before(5)), ...old.map((o) => o.id)]);
    await t.ds.query("UPDATE hazard SET status = 'closed', closedAt = ? WHERE id = ?", [at(before(2)), old[2].id]);
    await t.ds.query("UPDATE hazard SET status = 'closed', closedAt = ? WHERE id = ?", [at(new Date(Date.now() - 60_000)), old[3].id]);
    await t.ds.query("UPDATE hazard SET status = 'assigned', deadline = ? WHERE id = ?", [at(before(3)), old[4].id]);
    await rebuildHazardCounts(t.ds);
    const res = await t.http.get(`/api/reports/monthly?month=${month}`).set(await t.as('village'));
    expect(res.status).toBe(200);
    const p = `${t.seed.org.v_liulin.path}%`;
    const q = async (sql: string, args: unknown[] = []) => Number((await t.ds.query(sql, [p, ...args]))[0].n);
    const window = [at(start), at(end)];
    expect(res.body.reported).toBe(await q('SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND createdAt >= ? AND createdAt < ?', window));
    expect(res.body.closed).toBe(
      await q("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status = 'closed' AND closedAt >= ? AND closedAt < ?", window),
    );
    expect(res.body.inProgress).toBe(
      await q("SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND status IN ('reported','assigned','rectifying','rectified')"),
    );
    const events = (action: string) =>
      q(
        `SELECT COUNT(DISTINCT e.hazardId) AS n FROM hazard_event e JOIN hazard h ON h.id = e.hazardId
          WHERE h.orgPath LIKE ? AND e.action = '${action}' AND e.createdAt >= ? AND e.createdAt < ?`,
        window,
      );
    expect(res.body.escalated).toBe(await events('escalate'));
    expect(res.body.rejected).toBe(await events('reject'));
    expect(res.body.overdue).toBe(
      await q(
        `SELECT COUNT(*) AS n FROM hazard WHERE orgPath LIKE ? AND deadline >= ? AND deadline < ? AND status <> 'rejected'
          AND (rectifiedAt IS NULL OR rectifiedAt > deadline) AND (closedAt IS NULL OR closedAt > deadline)`,
        [at(start), at(new Date(Math.min(end.getTime(), Date.now())))],
      ),
    );
    expect(res.body.escalated).toBeGreaterThanOrEqual(1);
    expect(res.body.closed).toBeGreaterThanOrEqual(1);
    const geo = res.body.byCategory.find((c: { category: string }) => c.category === 'geological');
    expect(geo).toMatchObject({ label: '地质灾害', reported: 1 });
    // 正在办理 lists what it counts: the escalated hazard is 上报县级, not in the list.
    expect(res.body.openItems).toHaveLength(res.body.inProgress);
    expect(res.body.openItems.find((o: { code: string }) => o.code === h.code)).toBeUndefined();
    const town = await t.http.get(`/api/reports/monthly?month=${month}`).set(await t.as('town'));
    const liulinRow = town.body.byUnit.find((u: { orgId: number }) => u.orgId === liulin);
    expect(liulinRow.reported).toBe(res.body.reported);
    expect((await t.http.get('/api/reports/monthly?month=2026-13').set(await t.as('town'))).status).toBe(400);
    expect((await t.http.get(`/api/reports/monthly?month=${month}&orgId=${liulin}`).set(await t.as('village2'))).status).toBe(403);
  });

  it('reminds the responsible officer before and after the deadline, once each', async () => {
    const h = await report('resident');
    await act('village', h.id, 'assign', { responsibleOrgId: grid1, responsibleUserId: t.seed.user.grid.id, deadline: tomorrow() });
    const reminders = t.app.get(HazardRemindersService);
    const toSql = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [toSql(new Date(Date.now() + 6 * 3600_000)), h.id]);
    await reminders.run();
    await reminders.run();
    let notes = await t.http.get('/api/notifications?pageSize=100').set(await t.as('grid'));
    expect(notes.body.items.filter((n: { kind: string; link: string }) => n.kind === 'hazard_due_soon' && n.link.endsWith(`id=${h.id}`))).toHaveLength(1);
    await t.ds.query('UPDATE hazard SET deadline = ? WHERE id = ?', [toSql(new Date(Date.now() - 3600_000)), h.id]);
    await Promise.all([reminders.run(), reminders.run()]);
    notes = await t.http.get('/api/notifications?pageSize=100').set(await t.as('grid'));
    const overdue = notes.body.items.filter((n: { kind: string; link: string }) => n.kind === 'hazard_overdue' && n.link.endsWith(`id=${h.id}`));
    expect(overdue).toHaveLength(1);
    expect(notes.body.unread).toBeGreaterThanOrEqual(2);
    const ev = await t.ds.query("SELECT COUNT(*) AS n FROM hazard_event WHERE hazardId = ? AND action = 'remind'", [h.id]);
    expect(Number(ev[0].n)).toBe(2);
    const read = await t.http.post(`/api/notifications/${overdue[0].id}/read`).set(await t.as('grid'));
    expect(read.body.read).toBe(true);
    expect((await t.http.post(`/api/notifications/${overdue[0].id}/read`).set(await t.as('village'))).status).toBe(404);
    const all = await t.http.post('/api/notifications/read-all').set(await t.as('grid'));
    expect(all.status).toBe(200);
    expect((await t.http.get('/api/notifications').set(await t.as('grid'))).body.unread).toBe(0);
  });
});
