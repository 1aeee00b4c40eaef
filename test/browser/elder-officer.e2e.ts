/**
 * Older villagers' floors on the officer side, part 1: the officer home, the hazard ledger and one hazard, the map,
 * 月会商, pledge campaigns, publicity and its reach, at 390, 360 and 320 px, normally and in 长辈模式 — axe, computed
 * text and tap-target sizes, fit (the sweep: support/elder.ts; part 2: elder-admin.e2e.ts).
 */
import { Api, DEMO } from '../support/api';
import { ELDER, elderSuite, NORMAL_OFFICER, report, sweep, Target } from '../support/elder';

const suite = elderSuite();
/** ids the officer pages that show one record need (the town officer's own) */
const ids = { hazard: 0, campaign: 0, message: 0 };

beforeAll(async () => {
  const api = new Api(suite.server.baseUrl);
  const town = await api.login(DEMO.town);
  const first = async (path: string, pick: (x: any) => boolean = () => true) => {
    const r = await api.call('GET', path, { token: town.token });
    const x = (r.body.items ?? []).find(pick) ?? r.body.items?.[0];
    if (!x) throw new Error(`no record at ${path} for the town officer`);
    return x.id as number;
  };
  ids.hazard = await first('/api/hazards?page=1&pageSize=5');
  ids.campaign = await first('/api/pledge-campaigns?pageSize=20', (c) => c.status === 'open');
  ids.message = await first('/api/messages?pageSize=20', (m) => m.status !== 'draft');
});

const PAGES: Target[] = [
  { name: 'officer-home', route: () => '/pages/index/index', ready: '隐患台账' },
  { name: 'ledger', route: () => '/officer/ledger/index', ready: '隐患台账' },
  { name: 'hazard', route: () => `/officer/hazard/index?id=${ids.hazard}`, ready: '隐患处理' },
  { name: 'map', route: () => '/officer/map/index', ready: '隐患分布图' },
  { name: 'monthly', route: () => '/officer/monthly/index', ready: '月会商' },
  { name: 'campaigns', route: () => '/officer/campaigns/index', ready: '承诺书活动' },
  { name: 'campaign', route: () => `/officer/campaign/index?id=${ids.campaign}`, ready: '签署进度' },
  { name: 'publish', route: () => '/officer/publish/index', ready: '发布宣传' },
  { name: 'messages', route: () => '/officer/messages/index', ready: '我发布的宣传' },
  { name: 'reach', route: () => `/officer/reach/index?id=${ids.message}`, ready: '到达情况' },
];

for (const elderMode of [false, true]) {
  test(`officer pages (home, hazards, map, 月会商, pledges, publicity) at 390, 360 and 320 px${elderMode ? ' in 长辈模式' : ''}: axe, text and tap-target sizes, fit`, async () => {
    const problems: string[] = [];
    await sweep(suite, elderMode, '张建国', PAGES, elderMode ? ELDER : NORMAL_OFFICER, problems);
    report(problems, `elder-problems-officer${elderMode ? '-elder' : ''}.txt`);
    expect(problems).toEqual([]);
  }, 600_000);
}
