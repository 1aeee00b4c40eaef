/** Shared steps of the h5 browser journeys. */
import type { Browser, Page } from 'playwright-core';
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
