/**
 * A weak network never leaves a page dead-ended: when a page's first load fails (the request is lost), the page says
 * so and offers 重新加载; a tap loads it. Checked on the pages that show one record (a hazard, a notice, a signed
 * pledge — opened from a subscribe message or a share link, where there is no list to go back to), on the
 * resident's pledge list and on the officer's hazard, monthly, reach, messages and campaigns pages.
 */
import { Api, DEMO } from '../support/api';
import { PHONE } from '../support/chromium';
import { h5Suite } from '../support/h5';

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
const rec = { hazard: { id: 0, code: '' }, message: { id: 0, title: '' }, signature: 0 };

beforeAll(async () => {
  const api = new Api(suite.server.baseUrl);
  const resident = await api.login(DEMO.resident);
  const mine = await api.call('GET', '/api/hazards?mine=true&page=1&pageSize=1', { token: resident.token });
  rec.hazard = { id: mine.body.items[0].id, code: mine.body.items[0].code };
  const feed = await api.call('GET', '/api/feed?page=1&pageSize=5', { token: resident.token });
  rec.message = { id: feed.body.items[0].id, title: feed.body.items[0].title };
  expect(rec.hazard.id && rec.message.id).toBeTruthy();
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
];

test.each(PAGES.map((p) => [p.name, p] as const))('%s: a lost first answer shows 重新加载, and a tap loads the page', async (_name, t) => {
  const context = await suite.browser.newContext(PHONE);
  const page = await context.newPage();
  await suite.loginAs(page, t.who === 'town' ? '张建国' : '王桂英', { waitHome: true });
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
