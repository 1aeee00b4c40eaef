/**
 * A weak network never leaves a page dead-ended: when a page's first load fails (the request is lost), the page says
 * so and offers 重新加载; a tap loads it. Checked on the pages that show one record (a hazard, a notice, a signed
 * pledge — opened from a subscribe message or a share link, where there is no list to go back to), on the
 * resident's lists (pledges, feed, notices, my reports, village picker) and on the officer's and administration
 * pages (hazard, ledger, map, monthly, stats, reach, messages, campaigns, one campaign, people, units, invitations,
 * templates). And a list already on screen stays when reading it again fails (back from one of its items).
 */
import { Api, DEMO } from '../support/api';
import { PHONE } from '../support/chromium';
import { h5Suite, seedSession } from '../support/h5';

const suite = h5Suite();

interface Target {
  name: string;
  who: keyof typeof DEMO;
  route: () => string;
  /** the API path (prefix) whose first answer is lost */
  api: () => string;
  /** text on screen once the record is drawn */
  ready: () => string | RegExp;
}
const rec = {
  hazard: { id: 0, code: '' },
  message: { id: 0, title: '' },
  signature: 0,
  ledgerCode: '',
  notice: '',
  campaign: { id: 0, title: '' },
};
/**
 * Each test opens its page cold as a signed-in user: the session is seeded (as a login leaves it) rather than picked on
 * the login page, which other specs drive (shell, elder-*); a login page and a home page less per test.
 */
const sessions: Partial<Record<keyof typeof DEMO, { token: string; user: { id: number } }>> = {};

beforeAll(async () => {
  const api = new Api(suite.server.baseUrl);
  const resident = await api.login(DEMO.resident);
  sessions.resident = { token: resident.token, user: resident.user };
  const mine = await api.call('GET', '/api/hazards?mine=true&page=1&pageSize=1', { token: resident.token });
  rec.hazard = { id: mine.body.items[0].id, code: mine.body.items[0].code };
  const feed = await api.call('GET', '/api/feed?page=1&pageSize=5', { token: resident.token });
  rec.message = { id: feed.body.items[0].id, title: feed.body.items[0].title };
  const notices = await api.call('GET', '/api/notifications?page=1&pageSize=20', { token: resident.token });
  rec.notice = notices.body.items[0]?.title ?? '还没有提醒';
  const town = await api.login(DEMO.town);
  sessions.town = { token: town.token, user: town.user };
  const ledger = await api.call('GET', '/api/hazards?page=1&pageSize=20', { token: town.token });
  rec.ledgerCode = ledger.body.items[0].code;
  const campaigns = await api.call('GET', '/api/pledge-campaigns?pageSize=20', { token: town.token });
  rec.campaign = { id: campaigns.body.items[0].id, title: campaigns.body.items[0].title };
  expect(rec.hazard.id && rec.message.id && rec.ledgerCode && rec.campaign.id).toBeTruthy();
});

const PAGES: Target[] = [
  {
    name: 'hazard',
    who: 'resident',
    route: () => `/pages/hazard/index?id=${rec.hazard.id}`,
    api: () => `/api/hazards/${rec.hazard.id}`,
    ready: () => rec.hazard.code,
  },
  {
    name: 'message',
    who: 'resident',
    route: () => `/pages/message/index?id=${rec.message.id}`,
    api: () => `/api/feed/${rec.message.id}`,
    ready: () => rec.message.title,
  },
  {
    name: 'reach',
    who: 'town',
    route: () => `/officer/reach/index?id=${rec.message.id}`,
    api: () => `/api/messages/${rec.message.id}/stats`,
    ready: () => '到达情况',
  },
  {
    name: 'officer hazard',
    who: 'town',
    route: () => `/officer/hazard/index?id=${rec.hazard.id}`,
    api: () => `/api/hazards/${rec.hazard.id}`,
    ready: () => rec.hazard.code,
  },
  {
    name: 'officer monthly',
    who: 'town',
    route: () => '/officer/monthly/index',
    api: () => '/api/reports/monthly',
    ready: () => '妥善处置',
  },
  {
    name: 'pledges',
    who: 'resident',
    route: () => '/pages/pledges/index',
    api: () => '/api/pledge-campaigns',
    ready: () => '待我签署',
  },
  {
    name: 'officer messages',
    who: 'town',
    route: () => '/officer/messages/index',
    api: () => '/api/messages',
    ready: () => '发布新宣传',
  },
  {
    name: 'officer campaigns',
    who: 'town',
    route: () => '/officer/campaigns/index',
    api: () => '/api/pledge-campaigns',
    ready: () => '发起承诺书签署',
  },
  { name: 'feed', who: 'resident', route: () => '/pages/feed/index', api: () => '/api/feed', ready: () => rec.message.title },
  { name: 'notices', who: 'resident', route: () => '/pages/notices/index', api: () => '/api/notifications', ready: () => rec.notice },
  { name: 'my reports', who: 'resident', route: () => '/pages/my-reports/index', api: () => '/api/hazards', ready: () => rec.hazard.code },
  { name: 'pick village', who: 'resident', route: () => '/pages/pick-village/index', api: () => '/api/orgs', ready: () => '河口村' },
  { name: 'officer ledger', who: 'town', route: () => '/officer/ledger/index', api: () => '/api/hazards', ready: () => rec.ledgerCode },
  { name: 'officer map', who: 'town', route: () => '/officer/map/index', api: () => '/api/hazards/map', ready: () => '重大隐患' },
  { name: 'officer stats', who: 'town', route: () => '/officer/stats/index', api: () => '/api/stats/dashboard', ready: () => '本月上报隐患' },
  {
    name: 'officer campaign',
    who: 'town',
    route: () => `/officer/campaign/index?id=${rec.campaign.id}`,
    api: () => `/api/pledge-campaigns/${rec.campaign.id}`,
    ready: () => rec.campaign.title,
  },
  { name: 'admin people', who: 'town', route: () => '/admin/people/index', api: () => '/api/people', ready: () => '未办结' },
  { name: 'admin units', who: 'town', route: () => '/admin/units/index', api: () => '/api/orgs', ready: () => '石桥镇' },
  { name: 'admin invitations', who: 'town', route: () => '/admin/invitations/index', api: () => '/api/invitations', ready: () => /还没有邀请|有效至/ },
  { name: 'admin templates', who: 'town', route: () => '/admin/templates/index', api: () => '/api/pledge-templates', ready: () => /第 \d+ 版/ },
];

test.each(PAGES.map((p) => [p.name, p] as const))('%s: a lost first answer shows 重新加载, and a tap loads the page', async (_name, t) => {
  const context = await suite.browser.newContext(PHONE);
  await seedSession(context, sessions[t.who]!);
  const page = await context.newPage();
  // the network drops every try of the first load (the app's own retries included), then comes back
  let down = true;
  let lost = 0;
  await page.route(
    (u) => u.pathname === t.api(),
    (route) => {
      if (down && route.request().method() === 'GET') {
        lost++;
        return route.abort('connectionreset');
      }
      return route.continue();
    },
  );
  await page.goto(`${suite.server.baseUrl}/#${t.route()}`);
  const retry = page.getByText('重新加载', { exact: true }).filter({ visible: true }).first();
  await retry.waitFor({ timeout: 30000 });
  expect(lost).toBeGreaterThanOrEqual(1);
  down = false;
  await retry.click();
  await page.getByText(t.ready()).filter({ visible: true }).first().waitFor({ timeout: 20000 });
  await context.close();
});

/** A list on screen, one of its items to open, and what the page said when a failed reload emptied it. */
interface Reload {
  name: string;
  who: keyof typeof DEMO;
  route: string;
  api: string;
  /** a row of the list, tapped to open the item (whose own request is not lost) */
  row: () => string;
  empty: string;
}
const RELOADS: Reload[] = [
  { name: 'feed', who: 'resident', route: '/pages/feed/index', api: '/api/feed', row: () => rec.message.title, empty: '暂时没有发给您的安全宣传' },
  { name: 'my reports', who: 'resident', route: '/pages/my-reports/index', api: '/api/hazards', row: () => rec.hazard.code, empty: '您还没有上报过隐患' },
];

test.each(RELOADS.map((r) => [r.name, r] as const))('%s: a reload that fails on the way back keeps the list and says why', async (_name, t) => {
  const context = await suite.browser.newContext(PHONE);
  await seedSession(context, sessions[t.who]!);
  const page = await context.newPage();
  await page.goto(`${suite.server.baseUrl}/#${t.route}`);
  const row = page.getByText(t.row()).filter({ visible: true }).first();
  await row.waitFor({ timeout: 20000 });
  // the list's own request is lost from now on (every try); the item's is not
  let lost = 0;
  await page.route(
    (u) => u.pathname === t.api,
    (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      lost++;
      return route.abort('connectionreset');
    },
  );
  await row.click();
  await page.waitForURL((u) => !u.hash.startsWith(`#${t.route}`));
  await page.waitForTimeout(500);
  await page.goBack();
  // the page shows again and reads its list again: that read fails (a toast says so), the list stays
  await page.getByText('网络连接失败', { exact: false }).filter({ visible: true }).first().waitFor({ timeout: 30000 });
  expect(lost).toBeGreaterThanOrEqual(1);
  await page.waitForTimeout(300);
  expect(await page.getByText(t.row()).filter({ visible: true }).count()).toBeGreaterThan(0);
  expect(await page.getByText(t.empty).filter({ visible: true }).count()).toBe(0);
  await context.close();
});
