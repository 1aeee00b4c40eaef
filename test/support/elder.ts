/**
 * The large-text / accessibility sweep shared by browser/elder-*.e2e.ts (one file per page group, so jest's workers
 * balance them): a page is opened once per mode and account, then checked at 390, 360 and 320 px by resizing the
 * viewport — the h5 layout follows the width through CSS alone (Taro's root font is set by index.html's resize
 * listener; no page reads the window's width in script), so a resize measures what a fresh load at that width does.
 * At each width: axe-core (0 critical / serious violations), computed font sizes, tap-target sizes and horizontal fit.
 * Screenshots of every page at 360 px in 长辈模式: test/artifacts/elder-360-*.png.
 *
 * Floors (CSS px): text ≥ 16 on resident pages and ≥ 14 anywhere, tap targets ≥ 44; in 长辈模式 text ≥ 18 and
 * tap targets ≥ 48.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR, PHONE, saveScreenshot } from './chromium';
import { h5Suite, pickDemoAccount } from './h5';
import { startServer } from './server';

export const WIDTHS = [390, 360, 320] as const;

/** The file's server and Chromium. ELDER_H5_DIR runs the sweep against another h5 build (e.g. one with a too-small target, to see it fail). */
export function elderSuite() {
  return h5Suite(process.env.ELDER_H5_DIR ? () => startServer({ env: { H5_DIR: process.env.ELDER_H5_DIR }, requireH5: false, timeout: 300_000 }) : undefined);
}
export type ElderSuite = ReturnType<typeof elderSuite>;

export interface Floors {
  text: number;
  tap: number;
}
export const NORMAL_RESIDENT: Floors = { text: 16, tap: 44 };
export const NORMAL_OFFICER: Floors = { text: 14, tap: 44 };
export const ELDER: Floors = { text: 18, tap: 48 };

export interface Target {
  name: string;
  /** hash route */
  route: () => string;
  /** visible text that says the page is drawn */
  ready: string | RegExp;
}

/** API requests each page has in flight, and when the last one ended (see settled()). */
const traffic = new WeakMap<Page, { inFlight: number; quietSince: number }>();

export async function openContext(browser: Browser, width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ ...PHONE, viewport: { width, height: 760 } });
  const page = await context.newPage();
  const t = { inFlight: 0, quietSince: Date.now() };
  traffic.set(page, t);
  const isApi = (url: string) => url.includes('/api/');
  page.on('request', (r) => isApi(r.url()) && t.inFlight++);
  const done = (r: { url(): string }) => {
    if (!isApi(r.url())) return;
    t.inFlight = Math.max(0, t.inFlight - 1);
    t.quietSince = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return { context, page };
}

const frame = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Waits until the page's API calls have all answered and none started for `quietMs` (lists and counts drawn). */
async function settled(page: Page, quietMs = 250, timeoutMs = 5000): Promise<void> {
  const t = traffic.get(page);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && (!t || t.inFlight > 0 || Date.now() - t.quietSince < quietMs)) await page.waitForTimeout(50);
  // one frame for React to draw what arrived
  await frame(page);
}

export async function open(page: Page, baseUrl: string, t: Target): Promise<void> {
  await page.goto(`${baseUrl}/#${t.route()}`);
  await page.getByText(t.ready, { exact: true }).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: 20000 });
  // data arrives after the frame; let lists and counts settle
  await settled(page);
}

/** Sets the viewport's width and waits until the page has laid itself out at it (root font from the resize listener). */
async function resize(page: Page, width: number): Promise<void> {
  if (page.viewportSize()?.width !== width) await page.setViewportSize({ width, height: 760 });
  await page.waitForFunction((w) => window.innerWidth === w, width);
  // the resize event has run index.html's root-font script; two frames for layout and anything React redraws
  await frame(page);
}

/** Turns 长辈模式 on with the switch on 我的 and checks the switch says so. */
async function switchElderOn(page: Page, baseUrl: string): Promise<void> {
  await open(page, baseUrl, { name: 'me', route: () => '/pages/me/index', ready: '长辈模式' });
  const sw = page.locator('#elder-switch').filter({ visible: true }).first();
  if ((await sw.getAttribute('aria-checked')) !== 'true') await sw.click();
  await expect(sw.getAttribute('aria-checked')).resolves.toBe('true');
}

interface Measured {
  smallText: string[];
  smallTargets: string[];
  overflow: number;
}

/** Computed sizes of what is visible on the current page. */
function measure(page: Page, floors: Floors): Promise<Measured> {
  return page.evaluate(({ text, tap }) => {
    const vis = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && (el as HTMLElement).checkVisibility?.({ checkOpacity: true, checkVisibilityCSS: true }) !== false;
    };
    const smallText: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!s || !el || !vis(el)) continue;
      // Taro's toast / loading layers are not page text
      if (el.closest('.taro__toast, .taro__modal, .taro-toast, .weui-toast')) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      const key = `${px.toFixed(1)}px <${el.tagName.toLowerCase()} class="${el.className}">`;
      if (px + 0.01 < text && !smallText.some((x) => x.startsWith(key))) smallText.push(`${key} "${s.slice(0, 16)}"`);
    }
    const smallTargets: string[] = [];
    const seen = new Set<string>();
    const sel = '[role=button],[role=link],[role=switch],[role=checkbox],[role=radio],button,taro-button-core,input,textarea,taro-picker-core';
    for (const el of Array.from(document.querySelectorAll(sel))) {
      if (!vis(el)) continue;
      // an inner control inside a target that is measured itself
      if (el.parentElement?.closest(sel)) continue;
      const r = el.getBoundingClientRect();
      // one line per kind of control (a list repeats the same chip on every row)
      const kind = `${r.width.toFixed(0)}×${r.height.toFixed(0)} ${el.tagName} ${el.className}`;
      if (seen.has(kind)) continue;
      seen.add(kind);
      if (r.height + 0.5 < tap || r.width + 0.5 < tap)
        smallTargets.push(
          `${r.width.toFixed(0)}×${r.height.toFixed(0)} "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 16)}" <${el.tagName.toLowerCase()} class="${el.className}">`,
        );
    }
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    return { smallText, smallTargets, overflow };
  }, floors);
}

async function axe(page: Page): Promise<string[]> {
  // AxeBuilder.analyze() evaluates axe-core's 560 KB source in the page twice on every call (once itself, once in its
  // inject()) — 1–3 s a check on this machine, more than the check. The h5 app moves between pages by hash and a resize
  // keeps the document, so axe stays loaded in a tab: the first check in a tab goes through AxeBuilder (legacy mode runs
  // axe.run() in the page itself: the h5 build has no frames), every later one calls the same axe.run() directly.
  const loaded = await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === 'function');
  const r: { violations: { id: string; impact?: string | null; nodes: { target: unknown[] }[] }[] } = loaded
    ? await page.evaluate(() =>
        (window as unknown as { axe: { run(c: Document, o: object): Promise<never> } }).axe.run(document, { resultTypes: ['violations'] }),
      )
    : await new AxeBuilder({ page: page as any })
        .setLegacyMode(true)
        .options({ resultTypes: ['violations'] })
        .analyze();
  return r.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

const label = (width: number, elderMode: boolean) => `${width}px${elderMode ? ' 长辈模式' : ''}`;

/** The home page at narrow widths: tiles two per row, header chips on one line each. */
async function checkHomeLayout(page: Page, label: string, problems: string[]): Promise<void> {
  const layout = await page.evaluate(() => {
    const tiles = Array.from(document.querySelectorAll('.xa-tile--hero')).filter((e) => e.getBoundingClientRect().width > 0);
    const tops = tiles.map((e) => Math.round(e.getBoundingClientRect().top));
    const chips = Array.from(document.querySelectorAll('.home__link')).filter((e) => e.getBoundingClientRect().width > 0);
    const lineHeight = (e: Element) => parseFloat(getComputedStyle(e).fontSize) * 1.6;
    const wrapped = chips.filter((e) => {
      const r = document.createRange();
      r.selectNodeContents(e);
      return r.getBoundingClientRect().height > lineHeight(e) + 20 && e.getClientRects().length >= 1 && (e.textContent ?? '').length > 1
        ? Array.from(r.getClientRects())
            .filter((x) => x.width > 0)
            .map((x) => Math.round(x.top))
            .filter((v, i, a) => a.indexOf(v) === i).length > 1
        : false;
    });
    return { tops, wrapped: wrapped.map((e) => e.textContent) };
  });
  if (layout.tops.length !== 4 || layout.tops[0] !== layout.tops[1] || layout.tops[2] !== layout.tops[3])
    problems.push(`${label} home: the four tiles are not two per row (tops ${layout.tops.join(',')})`);
  for (const w of layout.wrapped) problems.push(`${label} home: chip "${w}" wraps inside`);
}

/**
 * Opens `t` once, then at each width: sizes, fit, axe (and the 360 px 长辈模式 screenshot; the resident home's layout).
 * A page that does not draw is a problem of its own, not the end of the sweep.
 */
async function checkAtEveryWidth(
  suite: ElderSuite,
  page: Page,
  t: Target,
  elderMode: boolean,
  floors: Floors,
  problems: string[],
  homeLayout: boolean,
): Promise<void> {
  try {
    await open(page, suite.server.baseUrl, t);
  } catch (e) {
    for (const w of WIDTHS) problems.push(`${label(w, elderMode)} ${t.name}: ${String(e).split('\n')[0]}`);
    return;
  }
  for (const width of WIDTHS) {
    const l = label(width, elderMode);
    try {
      await resize(page, width);
      const m = await measure(page, floors);
      const a = await axe(page);
      if (width === 360 && elderMode) await saveScreenshot(page, `elder-360-${t.name}`);
      for (const s of m.smallText) problems.push(`${l} ${t.name}: text under ${floors.text}px ${s}`);
      for (const s of m.smallTargets) problems.push(`${l} ${t.name}: target under ${floors.tap}px ${s}`);
      if (m.overflow > 1) problems.push(`${l} ${t.name}: ${m.overflow}px wider than the screen`);
      for (const s of a) problems.push(`${l} ${t.name}: axe ${s}`);
      if (homeLayout) await checkHomeLayout(page, l, problems);
    } catch (e) {
      problems.push(`${l} ${t.name}: ${String(e).split('\n')[0]}`);
    }
  }
}

/**
 * Checks `targets` as `account` (null: signed out) in one mode at every width, in `lanes` browser tabs at once, each
 * with its own context and sign-in: axe is most of the time and runs on one core per tab.
 */
export async function sweep(
  suite: ElderSuite,
  elderMode: boolean,
  account: string | null,
  targets: Target[],
  floors: Floors,
  problems: string[],
  lanes = 2,
): Promise<void> {
  const parts = Array.from({ length: Math.min(lanes, targets.length) }, (_, i) => targets.filter((_, j) => j % lanes === i));
  await Promise.all(
    parts.map(async (part) => {
      const { context, page } = await openContext(suite.browser, WIDTHS[0]);
      try {
        if (account) {
          await pickDemoAccount(page, suite.server.baseUrl, account, { waitHome: true });
          if (elderMode) await switchElderOn(page, suite.server.baseUrl);
        }
        for (const t of part) await checkAtEveryWidth(suite, page, t, elderMode, floors, problems, !!account && t.name === 'home');
      } finally {
        await context.close();
      }
    }),
  );
}

/** Writes the problems found (sorted) to test/artifacts/<file> when there are any. */
export function report(problems: string[], file: string): void {
  if (!problems.length) return;
  problems.sort();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, file), problems.join('\n') + '\n');
}
