/**
 * Older villagers' floors on the officer side, part 2: field work, risk sites, incidents, statistics and every
 * administration page (town officers within their town), at 390, 360 and 320 px, normally and in 长辈模式 — axe,
 * computed text and tap-target sizes, fit (the sweep: support/elder.ts; part 1: elder-officer.e2e.ts).
 */
import { ELDER, elderSuite, NORMAL_OFFICER, report, sweep, Target } from '../support/elder';

const suite = elderSuite();

const PAGES: Target[] = [
  { name: 'fieldwork', route: () => '/officer/fieldwork/index', ready: '工作台账' },
  { name: 'sites', route: () => '/officer/sites/index', ready: '风险点台账' },
  { name: 'incidents', route: () => '/officer/incidents/index', ready: '事故和事件' },
  { name: 'stats', route: () => '/officer/stats/index', ready: '统计与总结' },
  { name: 'admin', route: () => '/admin/index/index', ready: '管理' },
  { name: 'admin-units', route: () => '/admin/units/index', ready: '单位' },
  { name: 'admin-invitations', route: () => '/admin/invitations/index', ready: '邀请干部' },
  { name: 'admin-people', route: () => '/admin/people/index', ready: '人员' },
  { name: 'admin-templates', route: () => '/admin/templates/index', ready: '承诺书模板' },
];

for (const elderMode of [false, true]) {
  test(`field work, sites, incidents, stats and administration pages at 390, 360 and 320 px${elderMode ? ' in 长辈模式' : ''}: axe, text and tap-target sizes, fit`, async () => {
    const problems: string[] = [];
    await sweep(suite, elderMode, '张建国', PAGES, elderMode ? ELDER : NORMAL_OFFICER, problems);
    report(problems, `elder-problems-admin${elderMode ? '-elder' : ''}.txt`);
    expect(problems).toEqual([]);
  }, 600_000);
}
