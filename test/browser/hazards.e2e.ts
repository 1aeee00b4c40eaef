/**
 * 隐患随手拍 end to end in h5: a resident files a report, the town officer takes it through
 * 交办 → 开始整改 → 整改完成 → 验收 (销号), and the resident sees the closed timeline.
 * Screenshots land in test/artifacts/hazards-*.png.
 */
import { newPhonePage, saveScreenshot } from '../support/chromium';
import { h5Suite, shown, tap, visible } from '../support/h5';

const suite = h5Suite();
const { loginAs } = suite;

test('resident reports, officer closes the loop, resident sees the closed timeline', async () => {
  const description = `浏览器测试：河边堰塘没有护栏 ${Date.now()}`;

  // resident files the report
  const r = await newPhonePage(suite.browser);
  await loginAs(r.page, '王桂英');
  await visible(r.page, '隐患随手拍');
  await tap(r.page, '隐患随手拍');
  await r.page.waitForURL(/#\/pages\/report\/index/);
  await tap(r.page, '溺水隐患');
  await r.page.locator('textarea').filter({ visible: true }).first().fill(description);
  await r.page.locator('input[placeholder="例如：柳林村3组河边"]').fill('柳林村3组河边');
  await saveScreenshot(r.page, 'hazards-1-report-form', { fullPage: true });
  await tap(r.page, '提交上报');
  await visible(r.page, '上报成功');
  const codeText = await r.page
    .getByText(/编号 YH-\d{4}-\d{6}/)
    .filter({ visible: true })
    .first()
    .textContent();
  const code = /YH-\d{4}-\d{6}/.exec(codeText ?? '')![0];
  await saveScreenshot(r.page, 'hazards-2-submitted');
  await tap(r.page, '查看进度');
  await r.page.waitForURL(/#\/pages\/hazard\/index\?id=\d+/);
  const id = Number(/id=(\d+)/.exec(r.page.url())![1]);
  await visible(r.page, code);
  await visible(r.page, '已上报');

  // the town officer takes it through the loop with the action buttons
  const o = await newPhonePage(suite.browser);
  await loginAs(o.page, '张建国');
  await visible(o.page, '隐患台账');
  await tap(o.page, '隐患台账');
  await o.page.waitForURL(/#\/officer\/ledger\/index/);
  await visible(o.page, code);
  await saveScreenshot(o.page, 'hazards-3-ledger');
  await shown(o.page, code).click();
  await o.page.waitForURL(new RegExp(`#/officer/hazard/index\\?id=${id}`));
  await visible(o.page, description);

  await tap(o.page, '交办');
  await visible(o.page, '确定交办');
  await visible(o.page, '柳林村 ▾');
  await saveScreenshot(o.page, 'hazards-4-assign-form', { fullPage: true });
  await tap(o.page, '确定交办');
  await visible(o.page, '开始整改');
  await tap(o.page, '开始整改');
  await tap(o.page, '确定开始整改');
  await visible(o.page, '整改完成');
  await tap(o.page, '整改完成');
  await o.page.locator('textarea').filter({ visible: true }).first().fill('已在堰塘边安装护栏并设置警示牌');
  await tap(o.page, '确定整改完成');
  await visible(o.page, '验收');
  await tap(o.page, '验收');
  await visible(o.page, '验收合格，销号');
  await tap(o.page, '确定验收');
  await visible(o.page, '已销号');
  await saveScreenshot(o.page, 'hazards-5-officer-closed', { fullPage: true });

  // the resident sees the closed hazard and its whole timeline
  await r.page.reload();
  await visible(r.page, '已销号');
  for (const t of ['上报隐患 → 已上报', '交办 → 已交办', '开始整改 → 整改中', '整改完成 → 已整改待验收', '验收 → 已销号']) await visible(r.page, t);
  await visible(r.page, '已在堰塘边安装护栏并设置警示牌');
  await visible(r.page, '修好了吗？');
  await saveScreenshot(r.page, 'hazards-6-resident-closed-timeline', { fullPage: true });

  expect(r.errors).toEqual([]);
  expect(o.errors).toEqual([]);
  await r.context.close();
  await o.context.close();
});
