/**
 * Chromium via playwright-core and the system browser (/usr/bin/chromium; `npx playwright install` cannot work here).
 *
 *   const browser = await launchChromium();
 *   const { context, page } = await newPhonePage(browser);   // 390×844 @2x, touch, zh-CN
 *   await saveScreenshot(page, 'shell-resident-home');       // → test/artifacts/shell-resident-home.png
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const ARTIFACTS_DIR = resolve(__dirname, '..', 'artifacts');

/**
 * Chromium (new headless: the full browser) gives every window a WebUI omnibox popup, drawn ahead in a renderer of
 * its own — and every browser context is a window: about half of a context's Chromium CPU for a page load of the app
 * (8 loads: 11.9–14.1 → 6.2–8.2 CPU s, bench/RESULTS.md "Browser specs' CPU"). Nobody here types in an address bar.
 */
const NO_OMNIBOX_POPUP = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];
/**
 * Chromium keeps only the last --disable-features, and Playwright passes its own first: ours repeats Playwright's
 * (playwright-core 1.65) so none of its is lost. launchChromium checks that against what Playwright really passed.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Site isolation gives each site a renderer process of its own: a new page whose first URL is the app started three
 * renderer processes here, and two without it (counted from /proc, 3 contexts of one page each: 9 against 6). These
 * specs open one origin, their own test server, and what they check is the page, not Chromium's process model.
 * Without it the browser specs took 630 machine CPU s instead of 761, and 371 s instead of 428 (2 workers, nothing
 * else running, 2026-12-05; bench/RESULTS.md "The test command on a slow EPYC").
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-site-isolation-trials',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...NO_OMNIBOX_POPUP].join(',')}`,
];

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  userAgent: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};

export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const lost = featuresLost();
  if (lost.length) {
    await browser.close();
    throw new Error(`support/chromium.ts: add ${lost.join(', ')} to PLAYWRIGHT_DISABLED_FEATURES (Chromium keeps only the last --disable-features)`);
  }
  return browser;
}

/**
 * Features a newer Playwright disables that our --disable-features (the last, the one Chromium keeps) does not: read
 * from the command line of a Chromium this process started (Linux /proc; elsewhere nothing is checked).
 */
function featuresLost(): string[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  for (const pid of pids) {
    let argv: string[];
    try {
      // the 4th field of stat is the parent's pid (after the command's name, which may hold spaces)
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const lists = argv.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
    if (!lists.length) continue;
    const kept = new Set(lists[lists.length - 1]);
    return [...new Set(lists.flat().filter((f) => f && !kept.has(f)))];
  }
  return [];
}

export interface PhonePage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** A fresh context (own storage) with a phone-sized page; collects console errors. */
export async function newPhonePage(browser: Browser): Promise<PhonePage> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // failed responses are reported below with their URL
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  return { context, page, errors };
}

/** Saves a PNG of the page (full page by default) under test/artifacts/ and returns its path. */
export async function saveScreenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  // let page transitions (Taro h5 slides pages in) finish; endless spinners are ignored
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity), undefined, {
      timeout: 3000,
    })
    .catch(() => undefined);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
  return file;
}
