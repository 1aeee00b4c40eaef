import {
  availableActions,
  canTransition,
  formatHazardCode,
  HAZARD_ACTION_ROLES,
  HAZARD_ACTIONS,
  HAZARD_CATEGORIES,
  HAZARD_STATUSES,
  HAZARD_TRANSITIONS,
  isOverdue,
} from './hazard';
import { maskName, maskPhone } from './common';

describe('hazard state machine', () => {
  it('follows the design: reported → assigned → rectifying → rectified → closed', () => {
    expect(canTransition('assign', 'reported')).toBe(true);
    expect(canTransition('start', 'assigned')).toBe(true);
    expect(canTransition('rectify', 'rectifying')).toBe(true);
    expect(canTransition('verify', 'rectified')).toBe(true);
    expect(HAZARD_TRANSITIONS.verify.to).toEqual(['closed', 'rectifying']);
  });

  it('has the side paths: reject from reported, escalate from reported|assigned, the county answers', () => {
    expect(canTransition('reject', 'reported')).toBe(true);
    expect(canTransition('reject', 'assigned')).toBe(false);
    expect(canTransition('escalate', 'reported')).toBe(true);
    expect(canTransition('escalate', 'assigned')).toBe(true);
    expect(canTransition('escalate', 'rectifying')).toBe(false);
    expect(canTransition('assign', 'escalated')).toBe(true);
    expect(canTransition('answer', 'escalated')).toBe(true);
  });

  it('refuses everything out of a closed hazard except reopening and comments', () => {
    const allowed = HAZARD_ACTIONS.filter((a) => canTransition(a, 'closed'));
    expect(allowed.sort()).toEqual(['comment', 'reopen']);
  });

  it('every target state is a known state and every action has roles', () => {
    for (const t of Object.values(HAZARD_TRANSITIONS)) for (const s of [...t.from, ...t.to]) expect(HAZARD_STATUSES).toContain(s);
    for (const a of HAZARD_ACTIONS) expect(HAZARD_ACTION_ROLES[a].length).toBeGreaterThan(0);
  });

  it('offers a county officer only answering and assigning on an escalated hazard', () => {
    expect(availableActions('escalated', 'county_officer').sort()).toEqual(['answer', 'assign', 'comment']);
    expect(availableActions('reported', 'resident')).toEqual(['comment']);
  });

  it('derives overdue from the deadline only while work is open', () => {
    const past = new Date(Date.now() - 3600_000).toISOString();
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(isOverdue('assigned', past)).toBe(true);
    expect(isOverdue('rectifying', past)).toBe(true);
    expect(isOverdue('rectified', past)).toBe(false);
    expect(isOverdue('closed', past)).toBe(false);
    expect(isOverdue('assigned', future)).toBe(false);
    expect(isOverdue('assigned', null)).toBe(false);
  });

  it('formats readable codes and lists the 19 categories of the design', () => {
    expect(formatHazardCode(2026, 123)).toBe('YH-2026-000123');
    expect(HAZARD_CATEGORIES).toHaveLength(19);
    expect(HAZARD_CATEGORIES.map((c) => c.label)).toContain('溺水隐患');
  });
});

describe('masking', () => {
  it('masks phones and names for lists', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone(null)).toBeNull();
    expect(maskName('张小明')).toBe('张*明');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
  });
});
