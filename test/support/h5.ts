/** Shared steps of the h5 browser journeys. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { RunningServer, startServer } from './server';

/**
 * A test file's server (by default the built one with a fresh SQLite file, serving h5) and its Chromium, started
 * before the file's tests and stopped after them. `start` replaces the default server (another env, a spawned
 * process, a fake WeChat started first). Hooks the file declares after this call run after it, so they may use it.
 */
export function h5Suite<S extends { baseUrl: string; stop(): Promise<void> } = RunningServer>(start?: () => Promise<S>) {
  const ctx: { server?: S; browser?: Browser } = {};
  beforeAll(async () => {
    ctx.server = await (start ?? (startServer as unknown as () => Promise<S>))();
    ctx.browser = await launchChromium();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return {
    get server(): S {
      return ctx.server!;
    },
    get browser(): Browser {
      return ctx.browser!;
    },
    /** The demo account shown as `name`, picked on the login page (see pickDemoAccount). */
    loginAs: (page: Page, name: string, opts: { waitHome?: boolean } = {}) => pickDemoAccount(page, ctx.server!.baseUrl, name, opts),
  };
}

/**
 * Opens the app on the login page and picks the demo account shown as `name` (the dev-login role
 * picker). With `waitHome`, waits until the home page is showing.
 */
export async function pickDemoAccount(page: Page, baseUrl: string, name: string, opts: { waitHome?: boolean } = {}): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByText('演示环境：点一下选择身份进入').waitFor();
  await page.getByText(name, { exact: true }).click();
  if (opts.waitHome) await page.waitForURL(/pages\/index\/index|#\/$/);
}

/** h5 keeps earlier pages of the stack in the DOM (hidden): look only at visible elements. */
export const shown = (page: Page, text: string | RegExp) => page.getByText(text, { exact: true }).filter({ visible: true }).first();
export const visible = (page: Page, text: string | RegExp) => shown(page, text).waitFor({ state: 'visible' });
/** Clicks the visible element showing exactly `text`. */
export const tap = async (page: Page, text: string | RegExp): Promise<void> => {
  await shown(page, text).click();
};

/**
 * Every tab of `context` opens as `who` has it after a login: the token and the cached profile (Taro's h5 storage wraps
 * values as {"data": …}), 长辈模式 as chosen on 我的 when `elder`; signed out when `who` is null. Set once per tab, so
 * a reload keeps what the app itself stored since.
 */
export const seedSession = (context: BrowserContext, who: { token: string; user: { id: number } } | null, opts: { elder?: boolean } = {}) =>
  context.addInitScript(
    ({ token, me, elder }) => {
      if (sessionStorage.getItem('xa_test_seeded')) return;
      sessionStorage.setItem('xa_test_seeded', '1');
      localStorage.clear();
      if (token) localStorage.setItem('xa_token', JSON.stringify({ data: token }));
      if (me) localStorage.setItem('xa_me', JSON.stringify({ data: me }));
      if (me && elder) localStorage.setItem(`xa_elder_${me.id}`, JSON.stringify({ data: 'on' }));
    },
    { token: who?.token ?? '', me: who?.user ?? null, elder: !!opts.elder },
  );
