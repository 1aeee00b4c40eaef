/**
 * Pledges in h5: a parent reads the 防溺水承诺书 to the end, picks the child from the roster, signs two canvases
 * (guardian with the mouse, student with touch), submits and sees the signed pledge; the school officer then sees
 * progress 1 / 3 and the unsigned list; the exported PDF's first page is rendered with pdftoppm for a look.
 * Artifacts: test/artifacts/pledges-*.png, pledges-export.pdf.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Api, DEMO } from '../support/api';
import { ARTIFACTS_DIR, newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite } from '../support/h5';

const suite = h5Suite();
let api: Api;
let campaignId: number;
let schoolToken: string;

beforeAll(async () => {
  api = new Api(suite.server.baseUrl);
  const school = await api.login(DEMO.school);
  schoolToken = school.token;
  const tpl = await api.call('GET', '/api/pledge-templates', { token: schoolToken });
  const drowning = tpl.body.find((t: any) => t.kind === 'drowning');
  const created = await api.call('POST', '/api/pledge-campaigns', {
    token: schoolToken,
    body: {
      templateVersionId: drowning.latest.id,
      orgId: school.user.orgId,
      title: '浏览器测试防溺水承诺书',
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(),
    },
  });
  expect(created.status).toBe(201);
  campaignId = created.body.id;
  const form = new FormData();
  const csv = '学生姓名,班级,监护人,联系电话\n张小宝,一年级一班,张德明,13908231009\n李小草,一年级一班,李四,13800000002\n王小树,一年级二班,王五,13800000003\n';
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'roster.csv');
  const imported = await api.call('POST', `/api/pledge-campaigns/${campaignId}/roster`, { token: schoolToken, raw: form });
  expect(imported.status).toBe(200);
  expect(imported.body.imported).toBe(3);
});

const loginAs = (page: Page, name: string) => suite.loginAs(page, name, { waitHome: true });

/** Draws a zig-zag "signature" inside the element's box with the mouse. */
async function drawWithMouse(page: Page, selector: string) {
  const box = (await page.locator(selector).boundingBox())!;
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 24; i++) await page.mouse.move(box.x + 30 + i * ((box.width - 60) / 24), box.y + box.height / 2 + (i % 2 ? -40 : 40), { steps: 3 });
  await page.mouse.up();
}

/** Draws with touch events through the DevTools protocol (what a finger on a phone sends). */
async function drawWithTouch(page: Page, selector: string) {
  const box = (await page.locator(selector).boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const pt = (i: number) => ({ x: box.x + 40 + i * ((box.width - 80) / 20), y: box.y + box.height / 2 + Math.sin(i / 2) * 50 });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pt(0)] });
  for (let i = 1; i <= 20; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [pt(i)] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

test('a parent reads, picks the child, signs on the canvases and sees the signed pledge', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '张德明');
  await page.goto(`${suite.server.baseUrl}/#/pages/pledge-sign/index?c=${campaignId}`);
  await page.getByText('不私自下水游泳；', { exact: false }).first().waitFor();
  await page.getByText('请把上面的承诺书从头读到尾', { exact: false }).waitFor();
  expect(await page.locator('#pledge-submit').count()).toBe(0); // locked until read
  await saveScreenshot(page, 'pledges-sign-locked', { fullPage: false });

  // scroll the text box to its end, like a thumb would
  for (let i = 0; i < 30 && (await page.locator('#pledge-form').count()) === 0; i++) {
    await page.locator('#pledge-text').hover();
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(150);
  }
  await page.locator('#pledge-form').waitFor();

  await page.locator('#roster-q input').fill('张小宝');
  await page.getByText('查找', { exact: true }).click();
  // one match: picked at once, shown with the masked guardian only (no class, no phone, no signed status)
  await page.getByText('张小宝 · 监护人 张*', { exact: false }).waitFor();
  await page.locator('#field-guardianName input').fill('张德明');
  await page.getByText('父亲', { exact: true }).click();
  await page.locator('#field-phone input').fill('13908231009');

  // an empty pad is refused on the phone before anything is sent
  await page.locator('#pledge-submit').click();
  await page.getByText('请家长（监护人）签名', { exact: false }).waitFor();

  await page.locator('#pad-guardian').scrollIntoViewIfNeeded();
  await drawWithMouse(page, '#pad-guardian');
  await page.locator('#pad-student').scrollIntoViewIfNeeded();
  await drawWithTouch(page, '#pad-student');
  await saveScreenshot(page, 'pledges-sign-filled');
  await page.locator('#pledge-submit').click();

  await page.waitForURL(/pledge-view\/index\?id=\d+/, { timeout: 20000 });
  await page.locator('#signed-ok').waitFor();
  await page.getByText('学生姓名：张小宝', { exact: false }).waitFor();
  // both signature images load
  await page.waitForFunction(() => Array.from(document.querySelectorAll('img')).filter((i) => i.src.includes('/images/') && i.naturalWidth > 0).length === 2);
  await saveScreenshot(page, 'pledges-signed-view');
  expect(errors.filter((e) => !/http 400/.test(e))).toEqual([]);
  await context.close();
});

test('the school officer sees progress by class and the unsigned list; the PDF shows the signature', async () => {
  const { context, page, errors } = await newPhonePage(suite.browser);
  await loginAs(page, '陈晓红');
  await page.goto(`${suite.server.baseUrl}/#/officer/campaign/index?id=${campaignId}`);
  await page.getByText('已签 1 / 3', { exact: false }).waitFor();
  await page.getByText('未签名单 2 人', { exact: false }).waitFor();
  await page.getByText('一年级一班', { exact: true }).first().waitFor();
  expect(await page.locator('.unsigned-row').allInnerTexts()).toEqual(['一年级一班 · 李小草 · 李* 138****0002', '一年级二班 · 王小树 · 王* 138****0003']);
  await saveScreenshot(page, 'pledges-officer-progress');

  const verify = await api.call('GET', `/api/pledge-campaigns/${campaignId}/verify`, { token: schoolToken });
  expect(verify.body).toMatchObject({ ok: true, count: 1 });

  const pdf = await api.call('GET', `/api/pledge-campaigns/${campaignId}/signatures.pdf`, { token: schoolToken, timeoutMs: 60000 });
  expect(pdf.status).toBe(200);
  const buf = pdf.body as Buffer;
  expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
  const file = join(ARTIFACTS_DIR, 'pledges-export.pdf');
  writeFileSync(file, buf);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(ARTIFACTS_DIR, 'pledges-export-page')]);
  const png = [join(ARTIFACTS_DIR, 'pledges-export-page-1.png'), join(ARTIFACTS_DIR, 'pledges-export-page-01.png')].find(existsSync);
  expect(png).toBeTruthy();
  expect(errors).toEqual([]);
  await context.close();
});
