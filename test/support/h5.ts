/** Shared steps of the h5 browser journeys. */
import type { Page } from 'playwright-core';

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
