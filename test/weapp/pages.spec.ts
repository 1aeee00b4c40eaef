/**
 * Every page of app.json loads in the harness without a thrown error, as a resident and as the town officer,
 * and every wx.* name the build calls is one miniprogram-api-typings documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allPages, buildFiles, WEAPP_DIR } from './build';
import { WX_APIS } from './typings';
import { startWorld, World } from './world';

let w: World;
beforeAll(async () => (w = await startWorld()));
afterAll(() => w?.stop());

const pages = allPages();
const QUERY: Record<string, Record<string, string>> = {};

test('the app launches: silent wx.login, home page rendered for the town officer', async () => {
  const app = await w.phone('dev:demo-town').launch();
  await app.waitText('安全工作，辛苦了');
  expect(app.page!.route).toBe('pages/index/index');
  expect(app.errors).toEqual([]);
  expect(app.calls.map((c) => c.name)).toContain('login');
  await app.close();
});

describe.each(['dev:demo-resident', 'dev:demo-town'])('every page loads as %s', (openid) => {
  test.each(pages)('%s', async (route) => {
    const app = await w.phone(openid).launch({ path: route, query: QUERY[route] ?? {} });
    await app.idle(300);
    expect(app.errors).toEqual([]);
    expect(app.consoleErrors.filter((e) => /Error|error/.test(e))).toEqual([]);
    expect(app.text().length).toBeGreaterThan(0);
    await app.close();
  });
});

test('every wx.* the build names is documented in miniprogram-api-typings', () => {
  const used = new Set<string>();
  for (const f of buildFiles('.js')) {
    const src = readFileSync(join(WEAPP_DIR, f), 'utf8');
    for (const m of src.matchAll(/\bwx(?:\.([A-Za-z_$][\w$]*)|\[["']([\w$]+)["']\])/g)) used.add(m[1] ?? m[2]);
  }
  used.delete('webpackJsonp'); // webpack's chunk registry, kept on wx by Taro's build
  expect([...used].filter((n) => !WX_APIS.has(n))).toEqual([]);
});
