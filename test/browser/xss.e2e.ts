/**
 * No stored XSS in the h5 build: a hazard, a comment and a publicity message whose texts are HTML / script
 * payloads are shown to the resident and to the officer as literal text — no dialog fires, no injected
 * element or handler runs. Screenshots: test/artifacts/xss-*.png.
 */
import type { Page } from 'playwright-core';
import { Api } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { spawnServer } from '../support/proc';
import { h5Suite } from '../support/h5';

const suite = h5Suite(() => spawnServer({ h5: true }));
let api: Api;

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>window.__xss=1</script>';
const SVG = '<svg/onload=window.__xss=2>';
const HANDLER = '" onmouseover="window.__xss=3" x="';

beforeAll(() => {
  api = new Api(suite.server.baseUrl);
});

const loginAs = (page: Page, name: string) => suite.loginAs(page, name, { waitHome: true });

/** Opens `hash` and proves the payload is on screen as text and nothing ran. */
async function expectInert(page: Page, hash: string, literal: string, shot: string) {
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(`${suite.server.baseUrl}/${hash}`);
  try {
    await page.getByText(literal, { exact: false }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 20_000 });
  } catch (e) {
    await saveScreenshot(page, `${shot}-failed`);
    throw new Error(`${(e as Error).message}\npage text: ${(await page.evaluate(() => document.body.innerText)).slice(0, 500)}`);
  }
  await page.waitForTimeout(500); // an onerror fires right after the image fails
  await saveScreenshot(page, shot);
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as any).__xss ?? null)).toBeNull();
  expect(await page.locator('img[src="x"], svg[onload], [onmouseover], [onerror]').count()).toBe(0);
}

test('a hazard with HTML in its text is shown literally to the reporter and the officer', async () => {
  const resident = await api.login('demo-resident');
  const town = await api.login('demo-town');
  const h = await api.call('POST', '/api/hazards', {
    token: resident.token,
    headers: { 'Idempotency-Key': `xss-${Date.now()}` },
    body: { category: 'fire', description: `${IMG} 电线 ${SCRIPT}`, address: `${SVG}${HANDLER}`, lat: 29.583, lng: 106.487 },
  });
  expect(h.status).toBe(201);
  const c = await api.call('POST', `/api/hazards/${h.body.id}/comment`, { token: town.token, body: { note: `${IMG} 已收到` } });
  expect(c.status).toBeLessThan(300);

  const r = await newPhonePage(suite.browser);
  await loginAs(r.page, '王桂英');
  await expectInert(r.page, `#/pages/hazard/index?id=${h.body.id}`, IMG, 'xss-resident-hazard');
  await r.context.close();

  const o = await newPhonePage(suite.browser);
  await loginAs(o.page, '张建国');
  await expectInert(o.page, `#/officer/hazard/index?id=${h.body.id}`, IMG, 'xss-officer-hazard');
  await o.context.close();
});

test('a publicity message with HTML in its title and body is shown literally in the resident feed', async () => {
  const town = await api.login('demo-town');
  const resident = await api.login('demo-resident');
  const m = await api.call('POST', '/api/messages', {
    token: town.token,
    body: {
      title: `${IMG}防溺水`,
      category: 'drowning',
      body: [
        { type: 'p', text: `${SCRIPT}${IMG}` },
        { type: 'h', text: SVG },
      ],
      audience: { orgIds: [resident.user.orgId] },
    },
  });
  expect(m.status).toBe(201);
  expect((await api.call('POST', `/api/messages/${m.body.id}/publish`, { token: town.token, body: {} })).status).toBeLessThan(300);

  const r = await newPhonePage(suite.browser);
  await loginAs(r.page, '王桂英');
  await expectInert(r.page, `#/pages/message/index?id=${m.body.id}`, IMG, 'xss-resident-message');
  await expectInert(r.page, '#/pages/feed/index', `${IMG}防溺水`, 'xss-resident-feed');
  await r.context.close();
});
