/**
 * Administration pages in h5, at phone size and at 1280 px wide: the admin opens 管理 from 我的, previews a unit
 * spreadsheet with a bad row (named) and then a good one and applies it, invites a village officer (QR shown),
 * finds people; at 1280 px the same pages are tables. A resident then opens the invitation link and is bound.
 * Artifacts: test/artifacts/admin-*.png.
 */
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { Api } from '../support/api';
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();

async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.addRow(['类型', '名称', '上级', '区划代码', '人口']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The admin's name and role label are both 系统管理员 on the picker: pick by the name line. */
async function loginAdmin(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByText('演示环境：点一下选择身份进入').waitFor();
  await page.locator('.login__name', { hasText: '系统管理员' }).first().click();
  await page.waitForURL(/pages\/index\/index|#\/$/);
}

/** Taro's h5 picker is a wheel moved by touch: drag the visible column until `text` sits on the indicator, then 确定. */
async function pickOption(page: Page, text: string) {
  const item = page
    .locator('.weui-picker__item')
    .filter({ visible: true })
    .filter({ hasText: new RegExp(`^\\s*${text}$`) })
    .first();
  await item.waitFor();
  const indicator = (await page.locator('.weui-picker__indicator').filter({ visible: true }).first().boundingBox())!;
  const target = (await item.boundingBox())!;
  const x = indicator.x + indicator.width / 2;
  const from = indicator.y + indicator.height / 2;
  const to = from - (target.y + target.height / 2 - from);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: from }] });
  for (let i = 1; i <= 10; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: from + ((to - from) * i) / 10 }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
  await page.waitForTimeout(400);
  await page.locator('.weui-picker__action').filter({ visible: true }).filter({ hasText: '确定' }).first().click();
}

async function upload(page: Page, buf: Buffer) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tap(page, '选择表格并预览')]);
  await chooser.setFiles({ name: 'units.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: buf });
}

test('admin pages on a phone: 我的 → 管理 → units import with preview, invitation with QR, people', async () => {
  const { page, context, errors } = await newPhonePage(suite.browser);
  await loginAdmin(page, suite.server.baseUrl);
  await page.goto(`${suite.server.baseUrl}/#/pages/me/index`);
  await tap(page, '管理：单位、邀请干部、人员');
  await visible(page, '邀请干部');
  await saveScreenshot(page, 'admin-phone-home');

  // units: the tree, then a file with a bad row (named, nothing applied), then a good file applied
  await tap(page, '单位');
  await visible(page, '从表格导入单位');
  await visible(page, '青山县');
  await upload(
    page,
    await xlsx([
      ['村', '新建村', '青山县/石桥镇', '', 800],
      ['村', '错放村', '青山县/石桥镇/柳林村/柳林村第一网格', '', null],
    ]),
  );
  await visible(page, '有 1 处错误，改好后重新选择表格：');
  await shown(page, /第 3 行「上级」：村「错放村」不能放在网格/).waitFor();
  await saveScreenshot(page, 'admin-phone-import-errors');
  const api = new Api(suite.server.baseUrl);
  const admin = await api.login('demo-admin');
  const before = (await api.call('GET', '/api/orgs', { token: admin.token })).body;
  expect(JSON.stringify(before)).not.toContain('新建村');
  await upload(
    page,
    await xlsx([
      ['村', '新建村', '青山县/石桥镇', '', 800],
      ['网格', '新建村第一网格', '青山县/石桥镇/新建村', '', null],
    ]),
  );
  await visible(page, '确认导入');
  await saveScreenshot(page, 'admin-phone-import-preview');
  await tap(page, '确认导入');
  await visible(page, '已导入');
  await tap(page, '确定');
  const after = (await api.call('GET', '/api/orgs', { token: admin.token })).body;
  expect(JSON.stringify(after)).toContain('新建村第一网格');
  await page.goBack();

  // invitations: a village officer for 河口村, QR shown
  await tap(page, '邀请干部');
  await visible(page, '新邀请');
  await tap(page, '点此选择单位');
  await pickOption(page, '河口村');
  await visible(page, '河口村');
  await tap(page, '生成邀请');
  await page.locator('.adm__qr').first().waitFor();
  await saveScreenshot(page, 'admin-phone-invitation');
  await page.goBack();

  // people: search
  await tap(page, '人员');
  await page.locator('.adm__search input, input.adm__search').first().fill('张');
  await page.keyboard.press('Enter');
  await visible(page, '张建国');
  await saveScreenshot(page, 'admin-phone-people');
  expect(errors.filter((e) => !/http 4\d\d/.test(e))).toEqual([]);
  await context.close();
});

async function desktop(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  return { context, page: await context.newPage() };
}

test('admin pages at 1280 px: tables, not phone cards', async () => {
  const { page, context } = await desktop(suite.browser);
  await loginAdmin(page, suite.server.baseUrl);
  for (const [path, name, heading] of [
    ['/admin/people/index', 'people', '手机号'],
    ['/admin/invitations/index', 'invitations', '有效至'],
    ['/admin/units/index', 'units', '从表格导入单位'],
    ['/admin/templates/index', 'templates', '版本'],
  ] as const) {
    await page.goto(`${suite.server.baseUrl}/#${path}`);
    await visible(page, heading);
    if (name !== 'units') {
      // the header row of the table is shown and rows lay out in columns
      const head = page.locator('.adm__head').filter({ visible: true }).first();
      await head.waitFor();
      // one line per record: the first two cells side by side in a row wider than a phone
      const row = page.locator('.adm__row').filter({ visible: true }).first();
      const box = (await row.boundingBox())!;
      expect(box.width).toBeGreaterThan(900);
      const [a, b] = [(await row.locator('.adm__cell').nth(0).boundingBox())!, (await row.locator('.adm__cell').nth(1).boundingBox())!];
      expect(Math.abs(a.y - b.y)).toBeLessThan(4);
      expect(b.x).toBeGreaterThan(a.x + a.width - 4);
    }
    await saveScreenshot(page, `admin-wide-${name}`, { fullPage: false });
  }
  await context.close();
});

test('a resident opens an invitation link in h5 and becomes the village officer', async () => {
  const api = new Api(suite.server.baseUrl);
  const admin = await api.login('demo-admin');
  const tree = (await api.call('GET', '/api/orgs', { token: admin.token })).body;
  const find = (nodes: any[], name: string): any => nodes.map((n) => (n.name === name ? n : find(n.children ?? [], name))).find(Boolean);
  const hekou = find(tree, '河口村');
  const inv = await api.call('POST', '/api/invitations', { token: admin.token, body: { role: 'village_officer', orgId: hekou.id } });
  expect(inv.status).toBe(201);
  const { page, context } = await newPhonePage(suite.browser);
  await page.goto(`${suite.server.baseUrl}/`);
  await page.getByText('演示环境：点一下选择身份进入').waitFor();
  await page.getByText('王桂英', { exact: true }).click();
  await page.waitForURL(/pages\/index\/index|#\/$/);
  await page.goto(inv.body.link); // /invite?code=… → the h5 invite page
  await visible(page, '村安全负责人');
  await visible(page, '河口村');
  await saveScreenshot(page, 'admin-phone-invite-open');
  await page.locator('#invite-accept').click();
  await visible(page, '已加入');
  await saveScreenshot(page, 'admin-phone-invite-done');
  const me = await api.login('demo-resident');
  expect(me.user).toMatchObject({ role: 'village_officer', orgId: hekou.id });
  await context.close();
});
