/**
 * The main journeys, driven in the weapp build as WeChat would run it (harness.ts) against the real server and
 * database: a first-time parent scanning the campaign code, a returning user with an expired token opening a
 * share card and subscribe-message links, a new resident picking a village, a report with photos, an offline
 * draft sent after a restart, an officer going through every officer page and opening the exports, and the
 * subscribe consents asked on a tap.
 */
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { HAZARD_CATEGORIES, PLEDGE_RELATIONS } from '@xiangan/shared';
import { subPackages } from './build';
import type { MiniApp, Phone } from './harness';
import { startWorld, TEMPLATES, World } from './world';

let w: World;
let town: string; // token of the town officer (dev login) for setting up and checking data
beforeAll(async () => {
  w = await startWorld();
  town = await w.token('demo-town');
});
afterAll(() => w?.stop());

const photo = (hue: number) =>
  sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: hue, g: 120, b: 200 - hue } } })
    .jpeg({ quality: 95 })
    .toBuffer();

/** No script error, no request that failed or answered ≥ 400. */
function clean(app: MiniApp, allow: (r: MiniApp['requests'][number]) => boolean = () => false) {
  expect(app.errors).toEqual([]);
  const bad = app.requests
    .filter((r) => (r.status === 0 || r.status >= 400) && !allow(r))
    .map((r) => `${r.page}: ${r.method} ${r.url} → ${r.status} ${r.errMsg}`);
  expect(bad).toEqual([]);
}

let campaign: Promise<{ id: number; title: string; name: string; detail: any }> | null = null;
/** An open holiday-safety campaign for the whole town without a roster (created once, as an officer would). */
function openCampaign(): Promise<{ id: number; title: string; name: string; detail: any }> {
  return (campaign ??= (async () => {
    const me = await w.api(town, 'GET', '/me');
    const tpl = (await w.api(town, 'GET', '/pledge-templates')).find((t: any) => t.kind === 'holiday_safety');
    const c = await w.api(town, 'POST', '/pledge-campaigns', {
      templateVersionId: tpl.latest.id,
      orgId: me.orgId,
      title: '寒假安全承诺书（小程序测试）',
      deadline: new Date(Date.now() + 30 * 86400_000).toISOString(),
    });
    const detail = await w.api(town, 'GET', `/pledge-campaigns/${c.id}`);
    return { id: c.id, title: detail.version.title, name: detail.title, detail };
  })());
}

/** Reads the pledge, fills every field, signs on every pad and submits. */
async function signPledge(app: MiniApp, detail: any) {
  app.fire('pledge-text', 'scrolltolower', { direction: 'bottom' });
  await app.waitText('已阅读全文');
  for (const f of detail.version.fields) {
    if (f.key === 'phone') continue; // WeChat hands the verified number over (getPhoneNumber), nothing to type
    if (f.type === 'relation') app.tap(PLEDGE_RELATIONS[0]);
    else app.input(`请输入${f.label}`, f.type === 'phone' ? `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` : '张小明');
  }
  // the pads find their canvas node 50 ms after mounting (later on a busy machine: a stroke drawn before that is lost),
  // so the strokes are drawn again until the page says 已签名 (a fixed 300 ms wait timed out once under load)
  await new Promise((r) => setTimeout(r, 300));
  for (let tries = 1; ; tries++) {
    for (const s of detail.version.signers)
      app.draw(`pad-${s.role}`, [
        [20, 40],
        [80, 60],
        [140, 50],
        [200, 90],
        [260, 70],
      ]);
    try {
      await app.waitText('已签名', tries < 5 ? 2000 : 15000);
      break;
    } catch (e) {
      if (tries >= 5) throw e;
    }
  }
  // in WeChat the phone comes verified from getPhoneNumber (the account's own number), not typed
  app.phone.phoneNumber ??= `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  app.tap('验证手机号并提交签名');
  await app.waitRoute('pages/pledge-view/index', 20000);
}

test('a first-time parent scans the campaign code, stays on the signing page through the silent login, and signs', async () => {
  const c = await openCampaign();
  const phone = w.phone(`wx-first-parent-${Date.now()}`);
  // a mini-program code opens the page with `scene` (URL-encoded) before anything has logged in
  const app = await phone.launch({ path: 'pages/pledge-sign/index', query: { scene: encodeURIComponent(`c=${c.id}`) }, scene: 1047 });
  await app.waitText(c.title);
  expect(app.page!.route).toBe('pages/pledge-sign/index');
  await signPledge(app, c.detail);
  const mine = await w.api(JSON.parse(phone.storage.get('xa_token')!), 'GET', '/my/pledges');
  expect(mine.items.map((s: any) => s.campaignId)).toContain(c.id);
  clean(app);
});

describe('a returning user whose token expired lands on the page the link names', () => {
  const expired = (openid: string): Phone => {
    const p = w.phone(openid);
    p.storage.set('xa_token', JSON.stringify('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjEsImV4cCI6MX0.expired'));
    p.privacyAgreed = true;
    return p;
  };

  test('a share card of a campaign (the path the officer page shares)', async () => {
    const c = await openCampaign();
    const officer = await w.phone('dev:demo-town').launch({ path: 'officer/campaign/index', query: { id: String(c.id) } });
    await officer.waitText(c.name);
    const card = officer.share();
    await officer.close();
    expect(card.imageUrl).toBeTruthy(); // not a screenshot of the page (it lists children's names)
    const [path, q = ''] = String(card.path).replace(/^\//, '').split('?');
    const app = await expired('dev:demo-parent').launch({ path, query: Object.fromEntries(new URLSearchParams(q)), scene: 1007 });
    await app.waitText(c.title);
    await app.idle();
    expect(app.page!.route).toBe('pages/pledge-sign/index');
    expect(app.stack.length).toBe(1);
  });

  test('subscribe-message links: pages/message, pages/hazard, officer/hazard', async () => {
    const resident = await w.token('demo-resident');
    const feed = await w.api(resident, 'GET', '/feed?pageSize=5');
    const msg = feed.items[0];
    const h = await w.api(resident, 'POST', '/hazards', { category: HAZARD_CATEGORIES[0].code, description: '村口桥栏杆断了，晚上看不清' });
    for (const [openid, path, id, expectText] of [
      ['dev:demo-resident', 'pages/message/index', msg.id, msg.title],
      ['dev:demo-resident', 'pages/hazard/index', h.id, h.code],
      ['dev:demo-town', 'officer/hazard/index', h.id, h.code],
    ] as const) {
      const app = await expired(openid).launch({ path, query: { id: String(id) }, scene: 1014 });
      await app.waitText(String(expectText));
      await app.idle();
      expect(`${app.page!.route} ${app.stack.length}`).toBe(`${path} 1`);
    }
  });
});

test('a new resident picks a village (PUT, not PATCH, which wx.request does not offer)', async () => {
  const phone = w.phone(`wx-new-resident-${Date.now()}`);
  const app = await phone.launch();
  await app.waitRoute('pages/pick-village/index');
  await app.waitText('柳林村');
  app.tap('柳林村');
  // 柳林村 has grids: a second step offers them, or the village alone
  await app.waitText('不选网格，只选柳林村');
  app.tap('不选网格，只选柳林村');
  await app.waitFor(() => app.toasts.some((t) => t.includes('已选择')), 10000, 'the 已选择 toast');
  const me = await w.api(JSON.parse(phone.storage.get('xa_token')!), 'GET', '/me');
  expect(me.orgName).toBe('柳林村');
  clean(app);
});

async function fillReport(app: MiniApp, phone: Phone, description: string) {
  await app.waitText('提交上报');
  app.tap(HAZARD_CATEGORIES[1].label);
  app.input('例如：村头堰塘没有护栏，常有小孩在边上玩', description);
  phone.photos = [await photo(10), await photo(90)];
  app.tap('拍照/相册');
  if (!phone.privacyAgreed) {
    await app.waitText('隐私保护提示');
    app.tap('同意');
  }
  await app.waitFor(() => app.find((n) => n.tag === 'image').length >= 2, 10000, 'two photos on the form');
}

test('a resident reports a hazard with two photos (chooseMedia → compressImage → uploadFile → submit)', async () => {
  const phone = w.phone('dev:demo-resident');
  const app = await phone.launch({ path: 'pages/report/index' });
  await fillReport(app, phone, '河边护栏被冲倒了两段');
  app.tap('提交上报');
  await app.waitRoute('pages/hazard/index', 20000);
  const id = Number(app.page!.options.id);
  const h = await w.api(town, 'GET', `/hazards/${id}`);
  expect(h.description).toBe('河边护栏被冲倒了两段');
  expect(h.photos).toHaveLength(2);
  expect(app.calls.filter((c) => c.name === 'compressImage')).toHaveLength(2);
  // WeChat's consent dialog for progress messages comes up on the 提交上报 tap itself
  expect(app.subscribeAsks).toContainEqual({ tmplIds: [TEMPLATES.WECHAT_TPL_HAZARD_UPDATE], inTap: true, errMsg: 'requestSubscribeMessage:ok' });
  expect(app.requests.filter((r) => (r.api === 'uploadFile' && r.status === 201) || (r.api === 'uploadFile' && r.status === 200))).toHaveLength(2);
  clean(app);
});

test('an offline draft with photos is sent after the app was closed and opened again', async () => {
  const phone = w.phone('dev:demo-resident');
  phone.privacyAgreed = true;
  let app = await phone.launch({ path: 'pages/report/index' });
  const text = `离线草稿${Date.now()}`;
  await fillReport(app, phone, text);
  phone.offline = true;
  app.tap('提交上报');
  await app.waitFor(() => app.modals.some((m) => m.title.includes('草稿')), 20000, 'the draft modal');
  // WeChat ends the app; temporary files go with it
  phone.offline = false;
  app = await phone.launch({ path: 'pages/report/index' });
  // the draft is sent by itself once the network is back (or with 重新提交 → 提交上报)
  const found = async () => (await w.api(town, 'GET', `/hazards?q=${encodeURIComponent(text)}`)).items[0];
  let h: any;
  for (let i = 0; i < 80 && !(h = await found()); i++) {
    if (i === 30 && app.text().includes('重新提交')) {
      app.tap('重新提交');
      await app.waitFor(() => app.find((n) => n.tag === 'textarea' && n.attr('value') === text).length > 0, 5000, 'the draft in the form');
      app.tap('提交上报');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!h)
    throw new Error(
      `the draft never reached the server; modals: ${app.modals.map((m) => `${m.title}: ${m.content}`).join(' | ')}; requests: ${app.requests.map((r) => `${r.method} ${r.url} ${r.status} ${r.errMsg}`).join(' | ')}`,
    );
  const detail = await w.api(town, 'GET', `/hazards/${h.id}`);
  expect(detail.description).toBe(text);
  expect(detail.photos).toHaveLength(2);
  await app.idle();
  clean(app);
});

test('an officer opens every officer page without a script error or a failed request, and opens the ledger xlsx and the year-end DOCX', async () => {
  const phone = w.phone('dev:demo-town');
  const ledger = await w.api(town, 'GET', '/hazards?pageSize=1');
  const c = await openCampaign();
  const msgs = await w.api(town, 'GET', '/messages?pageSize=5&status=published');
  const query: Record<string, Record<string, string>> = {
    'officer/hazard/index': { id: String(ledger.items[0].id) },
    'officer/campaign/index': { id: String(c.id) },
    'officer/reach/index': { id: String(msgs.items[0].id) },
  };
  let app = await phone.launch();
  await app.waitText('安全工作，辛苦了');
  const officerPages = subPackages().flatMap((s) => s.pages.map((p) => `${s.root}/${p}`));
  expect(officerPages.length).toBeGreaterThanOrEqual(11);
  for (const route of officerPages) {
    const q = new URLSearchParams(query[route] ?? {}).toString();
    expect(app.page?.eh).toBeDefined(); // the page is live
    await new Promise<void>((res, rej) =>
      (app as any).navigate('navigateTo', { url: `/${route}${q ? `?${q}` : ''}`, success: () => res(), fail: (e: any) => rej(new Error(e.errMsg)) }),
    );
    await app.idle(300);
    expect(app.page!.route).toBe(route);
    await new Promise<void>((res) => (app as any).navigate('navigateBack', { complete: () => res() }));
  }
  clean(app);

  app = await phone.launch({ path: 'officer/ledger/index' });
  await app.waitText('导出Excel');
  app.tap('导出Excel');
  await app.waitFor(() => app.opened.length === 1, 20000, 'the xlsx opened');
  expect(app.opened[0].fileType).toBe('xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(app.opened[0].bytes as any);
  expect(wb.worksheets[0].rowCount).toBeGreaterThan(1);

  app = await phone.launch({ path: 'officer/stats/index' });
  await app.waitText('下载年度（季度）工作总结（Word）');
  app.tap('下载年度（季度）工作总结（Word）');
  await app.waitFor(() => app.opened.length === 1, 30000, 'the docx opened');
  expect(app.opened[0].fileType).toBe('docx');
  expect(app.opened[0].bytes.subarray(0, 2).toString()).toBe('PK');
  expect(app.opened[0].bytes.includes(Buffer.from('word/document.xml'))).toBe(true);
  clean(app);
});

test('an officer who closes the chat-file picker (导入名单) sees no error: nothing was picked, nothing is sent', async () => {
  const phone = w.phone('dev:demo-town');
  const c = await openCampaign();
  const app = await phone.launch({ path: 'officer/campaign/index', query: { id: String(c.id) } });
  await app.waitText('导入名单（Excel / CSV）');
  app.tap('导入名单（Excel / CSV）');
  await app.waitFor(() => app.calls.some((x) => x.name === 'chooseMessageFile'), 10000, 'the chat-file picker');
  await app.idle(300);
  // the harness's picker answers 'chooseMessageFile:fail cancel', as WeChat does when the user closes it
  expect(app.modals).toEqual([]);
  expect(app.requests.filter((r) => r.api === 'uploadFile')).toEqual([]);
  clean(app);
});

test('consent is asked on a tap for each template a resident can receive, and the server keeps it', async () => {
  const phone = w.phone('dev:demo-parent');
  phone.privacyAgreed = true;
  // hazard progress: asked when the report is submitted
  let app = await phone.launch({ path: 'pages/report/index' });
  await fillReport(app, phone, '学校门口井盖松动');
  app.tap('提交上报');
  await app.waitRoute('pages/hazard/index', 20000);
  const asks = [...app.subscribeAsks];
  // publicity: asked from a notice
  const token = JSON.parse(phone.storage.get('xa_token')!);
  const feed = await w.api(token, 'GET', '/feed?pageSize=5');
  app = await phone.launch({ path: 'pages/message/index', query: { id: String(feed.items[0].id) } });
  await app.waitText(feed.items[0].title);
  if (app.text().includes('已阅并知晓') && !app.text().includes('您已阅并知晓')) {
    app.tap('已阅并知晓');
    await app.waitText('以后有新的安全提醒通知我');
  }
  app.tap('以后有新的安全提醒通知我');
  await app.idle();
  asks.push(...app.subscribeAsks);
  // pledge reminders: asked when a pledge is signed
  const c = await openCampaign();
  app = await phone.launch({ path: 'pages/pledge-sign/index', query: { c: String(c.id) } });
  await app.waitText(c.title);
  await signPledge(app, c.detail);
  asks.push(...app.subscribeAsks);

  expect(asks.filter((a) => !a.inTap || a.errMsg !== 'requestSubscribeMessage:ok')).toEqual([]);
  const asked = new Set(asks.flatMap((a) => a.tmplIds));
  for (const t of [TEMPLATES.WECHAT_TPL_HAZARD_UPDATE, TEMPLATES.WECHAT_TPL_PUBLICITY, TEMPLATES.WECHAT_TPL_PLEDGE]) expect(asked).toContain(t);
  const subs = await w.api(token, 'GET', '/subscriptions');
  const left = Object.fromEntries(subs.templates.map((t: any) => [t.key, t.remaining]));
  expect(left.hazardUpdate).toBeGreaterThan(0);
  expect(left.publicity).toBeGreaterThan(0);
  expect(left.pledge).toBeGreaterThan(0);
});

test('an officer is asked on the tap for 整改期限 reminders when acting on a hazard, and the server keeps the consent', async () => {
  const resident = await w.token('demo-resident');
  const h = await w.api(resident, 'POST', '/hazards', { category: HAZARD_CATEGORIES[2].code, description: '厂房消防通道堆满杂物' });
  const phone = w.phone('dev:demo-town');
  phone.privacyAgreed = true;
  const app = await phone.launch({ path: 'officer/hazard/index', query: { id: String(h.id) } });
  await app.waitText(h.code);
  await app.idle();
  app.tap('交办');
  await app.waitText('确定交办');
  await app.idle();
  app.tap('确定交办');
  await app.idle(300);
  expect(app.subscribeAsks).toContainEqual({ tmplIds: [TEMPLATES.WECHAT_TPL_HAZARD_DEADLINE], inTap: true, errMsg: 'requestSubscribeMessage:ok' });
  const subs = await w.api(JSON.parse(phone.storage.get('xa_token')!), 'GET', '/subscriptions');
  expect(subs.templates.find((t: any) => t.key === 'hazardDeadline').remaining).toBeGreaterThan(0);
  expect(app.errors).toEqual([]);
});
