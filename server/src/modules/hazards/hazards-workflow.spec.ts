import { canTransition, HAZARD_ACTION_LABELS, HAZARD_ACTIONS, HAZARD_STATUS_LABELS, HAZARD_STATUSES, HazardAction, HazardStatus } from '@xiangan/shared';
import { named } from '../../testing/fields';
import { HazardRemindersService } from './hazard-reminders.service';
import { bodies, tomorrow, useHazards } from './__tests__/hazards.fixture';

/** The closed loop: every transition, the state machine's refusals and races, roles, reopening, deadline reminders. */
describe('hazards: report, ledger and the closed loop', () => {
  const { t, unit, report, act, bodyFor } = useHazards();
  it('walks a hazard through every transition, each one an event', async () => {
    const h = await report('resident', { contactPhone: '13912345678' });
    const steps: [string, string, Record<string, unknown>, string][] = [
      ['village', 'assign', { responsibleOrgId: unit.grid1, deadline: tomorrow(), level: 'major', note: '请网格员三天内整改' }, 'assigned'],
      ['grid', 'start', { note: '已联系房主' }, 'rectifying'],
      ['grid', 'rectify', { note: '已更换线路' }, 'rectified'],
      ['village', 'verify', { passed: false, note: '插座仍未固定' }, 'rectifying'],
      ['grid', 'rectify', { note: '插座已固定' }, 'rectified'],
      ['village', 'verify', { passed: true, note: '验收合格' }, 'closed'],
      ['resident', 'reopen', { note: '没修好，又冒火花了' }, 'reported'],
      ['village', 'escalate', { department: '青山县住房和城乡建设局', note: '房屋结构问题需县级处理' }, 'escalated'],
      ['county', 'assign', { responsibleOrgId: unit.liulin, deadline: tomorrow() }, 'assigned'],
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
    expect((await act('village', h.id, 'assign', { responsibleOrgId: unit.deptMarket, deadline: tomorrow() })).status).toBe(403);
    expect((await act('village', h.id, 'assign', { responsibleOrgId: unit.hekou, deadline: tomorrow() })).status).toBe(403);
    expect((await act('town', h.id, 'assign', { responsibleOrgId: unit.deptMarket, deadline: tomorrow() })).status).toBe(200);
    expect((await act('dept', h.id, 'start', { note: '已派人' })).status).toBe(200);
    const d = await t.http.get(`/api/hazards/${h.id}`).set(await t.as('dept'));
    expect(d.status).toBe(200);
    expect(d.body.actions).toEqual(expect.arrayContaining(['rectify', 'comment']));
    // a hazard not handed to the department: invisible to it
    const other = await report('resident');
    expect((await t.http.get(`/api/hazards/${other.id}`).set(await t.as('dept'))).status).toBe(404);
    expect((await act('dept', other.id, 'start')).status).toBe(404);
    // past deadline, unknown unit, bad officer
    expect((await act('town', other.id, 'assign', { responsibleOrgId: unit.liulin, deadline: '2020-01-01' })).status).toBe(400);
    expect((await act('town', other.id, 'assign', { responsibleOrgId: 999999, deadline: tomorrow() })).status).toBe(404);
    const bad = await act('town', other.id, 'assign', { responsibleOrgId: unit.liulin, responsibleUserId: t.seed.user.village2.id, deadline: tomorrow() });
    expect(bad.status).toBe(400);
    expect(named(bad.body).join('')).toContain('responsibleUserId');
    // failing verification needs a reason; reject needs a reason
    expect(named((await act('town', other.id, 'reject', {})).body).join('')).toContain('reason 退回原因');
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

  it('reminds the responsible officer before and after the deadline, once each', async () => {
    const h = await report('resident');
    await act('village', h.id, 'assign', { responsibleOrgId: unit.grid1, responsibleUserId: t.seed.user.grid.id, deadline: tomorrow() });
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
