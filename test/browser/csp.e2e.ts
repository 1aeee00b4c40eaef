/**
 * Issue 13, finding 9: the h5 build works under the server's Content-Security-Policy. Resident and officer
 * pages (home, report form, feed, pledges, ledger, statistics with its canvas charts) and the OpenAPI page load
 * in Chromium with the policy on, and not one CSP violation is reported.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, tap, visible } from '../support/h5';

const suite = h5Suite();

/** Records every CSP violation the page reports (the event and the console line Chromium prints). */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    if (/Content Security Policy|CSP violation/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

const settle = (page: Page) => page.waitForLoadState('networkidle').catch(() => undefined);

test('the served page carries the CSP (with the hash of its inline script) and the other headers', async () => {
  const r = await fetch(`${suite.server.baseUrl}/`);
  expect(r.status).toBe(200);
  const csp = r.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).toContain("frame-ancestors 'self'");
  expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(r.headers.get('permissions-policy')).toContain('geolocation=(self)');
});

test('resident pages: no CSP violation', async () => {
  const { context, page } = await newPhonePage(suite.browser);
  const csp = await watchCsp(page);
  await suite.loginAs(page, '王桂英', { waitHome: true });
  await settle(page);
  for (const path of ['pages/report/index', 'pages/feed/index', 'pages/pledges/index', 'pages/my-reports/index', 'pages/me/index', 'pages/index/index']) {
    await page.goto(`${suite.server.baseUrl}/#/${path}`);
    await settle(page);
  }
  await visible(page, '隐患随手拍').catch(() => undefined);
  expect(csp).toEqual([]);
  await context.close();
});

test('officer pages, charts included: no CSP violation', async () => {
  const { context, page } = await newPhonePage(suite.browser);
  const csp = await watchCsp(page);
  await suite.loginAs(page, '张建国', { waitHome: true });
  await settle(page);
  // statistics first: the charts draw (F2 on canvas) under the policy
  await page.goto(`${suite.server.baseUrl}/#/officer/stats/index`);
  try {
    await page
      .getByText(/每月隐患/)
      .first()
      .waitFor({ timeout: 60_000 });
  } finally {
    await saveScreenshot(page, 'csp-officer-stats');
  }
  await settle(page);
  for (const path of ['officer/fieldwork/index', 'pages/index/index']) {
    await page.goto(`${suite.server.baseUrl}/#/${path}`);
    await settle(page);
  }
  // a photo picked and uploaded: previewed from a blob: URL, read back from it (XHR) and posted
  await page.goto(`${suite.server.baseUrl}/`);
  await tap(page, '发布宣传');
  await page.waitForURL(/#\/officer\/publish\/index/);
  await visible(page, '+ 图片');
  const chooser = page.waitForEvent('filechooser');
  const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/media') && r.request().method() === 'POST');
  await tap(page, '+ 图片');
  await tap(page, '从相册选择');
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#1a6fd1' } })
    .jpeg()
    .toBuffer();
  await (await chooser).setFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  expect((await uploaded).status()).toBe(201);
  await settle(page);
  expect(csp).toEqual([]);
  await context.close();
});

test('the OpenAPI page (on outside production) renders under its own CSP without violations', async () => {
  const { context, page } = await newPhonePage(suite.browser);
  const csp = await watchCsp(page);
  await page.goto(`${suite.server.baseUrl}/api/docs/`);
  await page.getByText('乡安 API').first().waitFor();
  expect(csp).toEqual([]);
  await context.close();
});
