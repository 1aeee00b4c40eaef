#!/usr/bin/env node
/**
 * h5 only: writes `src/first-frames.json`, the static first frame of each entry page, taken from the real pages.
 *
 * The built h5 app (dist/h5) is opened in Chromium at 390 px with every `/api/` request held unanswered, so each
 * entry page draws the frame it draws before any data (header, title, tiles / the form / the list's frame and its
 * 正在加载…). That DOM is kept, made static (Taro's custom elements become <div>/<span> by their computed display, no
 * handlers, nothing below the first screens) and written out with the router's own style rules. The build
 * (config/first-frame.js) puts them in index.html, which shows the one for the opened route at once; it is taken
 * away when the app mounts its page. So the pages stay the one source: after changing an entry page's first view,
 * build h5, run this, commit the JSON and build again (`test/browser/first-frame.e2e.ts` fails while the JSON and the
 * page differ).
 *
 *   pnpm --filter @xiangan/miniapp build:h5 && pnpm --filter @xiangan/miniapp first-frames && pnpm --filter @xiangan/miniapp build:h5
 *
 * Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and playwright-core, taken from the workspace's test
 * package, so the production build itself needs neither.
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'h5');
const OUT = path.join(ROOT, 'src', 'first-frames.json');
const { chromium } = require(require.resolve('playwright-core', { paths: [path.resolve(ROOT, '..', 'test')] }));

/** Placeholders for the cached profile's own words; index.html puts the real ones in (textContent). */
const HOLE = { name: '\u2063名\u2063', orgName: '\u2063村\u2063' };
const ME = { id: 'first-frame', name: HOLE.name, role: 'resident', orgName: HOLE.orgName, orgId: 'first-frame' };

/**
 * The entry pages: route (as in app.config), the profile a returning user has (null: signed out), the address.
 * `key` is the table key index.html looks up: the route, plus `@officer` for an officer's variant.
 */
const PAGES = [
  { key: 'pages/login/index', url: 'pages/login/index', me: null },
  { key: 'pages/index/index', url: 'pages/index/index', me: ME },
  { key: 'pages/report/index', url: 'pages/report/index', me: ME },
  { key: 'pages/feed/index', url: 'pages/feed/index', me: ME },
  { key: 'pages/pledge-sign/index', url: 'pages/pledge-sign/index?c=1', me: ME },
  { key: 'officer/ledger/index', url: 'officer/ledger/index', me: { ...ME, role: 'town_officer' } },
];

function serve() {
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.png': 'image/png', '.svg': 'image/svg+xml' };
  const srv = http.createServer((req, res) => {
    const u = decodeURIComponent(req.url.split('?')[0]);
    if (u.startsWith('/api/')) return; // held: the page draws its frame before data
    const f = path.join(DIST, u === '/' ? 'index.html' : path.normalize(u));
    if (!f.startsWith(DIST) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) {
      res.setHeader('content-type', 'text/html');
      return res.end('<!doctype html><title>-</title>');
    }
    res.setHeader('content-type', types[path.extname(f)] || 'application/octet-stream');
    res.end(fs.readFileSync(f));
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok(srv)));
}

/* global document, getComputedStyle -- snapshot() runs in Chromium */
/** In the page: the app's page as static HTML (runs in Chromium). */
function snapshot(cut) {
  const page = document.querySelector('#app .taro_page');
  // the runtime's own base and router rules (margins, the page box), which the frame needs before the runtime runs
  // (not the style a frame drawn from an earlier first-frames.json put there: taking it again would nest its rules)
  const styles = [...document.querySelectorAll('style')].filter((s) => !/xa-ff-|#xa-first-frame/.test(s.textContent));
  const router = [...new Set(styles.map((s) => s.textContent).filter((t) => /\.taro_router|^html,body\{/.test(t)))];
  const keep = new Set(['class', 'role', 'aria-label', 'aria-hidden', 'aria-checked', 'placeholder']);
  const tags = new Set();
  function copy(el) {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (r.top > cut && cs.position !== 'fixed') return null; // below the first screens (layout flows down: nothing above moves)
    if (cs.display === 'none') return null;
    const name = el.tagName.toLowerCase();
    let tag = name;
    // a custom element would be upgraded (and re-drawn) by the runtime: a <div>/<span> carrying the element's base
    // rules instead (collected below as :where(.xa-ff-<tag>), so the page's own classes still win as they do)
    if (name.startsWith('taro-')) tag = cs.display === 'inline' ? 'span' : 'div';
    if (/^(button|canvas|img|video)$/.test(name)) tag = 'div';
    const out = document.createElement(tag);
    for (const a of el.attributes) if (keep.has(a.name) || a.name.startsWith('data-xa')) out.setAttribute(a.name, a.value);
    if (tag !== name && name.startsWith('taro-')) {
      tags.add(name);
      out.setAttribute('class', `${el.getAttribute('class') || ''} xa-ff-${name}`.trim());
    }
    // a native control stays one (the shell is inert: nothing can be typed into it) with its placeholder
    if (/^(textarea|input)$/.test(name)) {
      out.setAttribute('readonly', '');
      out.setAttribute('tabindex', '-1');
      if (el.getAttribute('type')) out.setAttribute('type', el.getAttribute('type'));
      return out;
    }
    if (el.getAttribute('style')) out.setAttribute('style', el.getAttribute('style'));
    for (const n of el.childNodes) {
      if (n.nodeType === 3) out.appendChild(document.createTextNode(n.textContent));
      else if (n.nodeType === 1) {
        const c = copy(n);
        if (c) out.appendChild(c);
      }
    }
    return out;
  }
  const root = document.createElement('div');
  root.className = 'taro_router';
  const p = document.createElement('div');
  p.className = 'taro_page taro_page_show taro_page_stationed';
  for (const n of page.children) {
    const c = copy(n);
    if (c) p.appendChild(c);
  }
  root.appendChild(p);
  // the runtime's rules for the custom elements the frame uses, as zero-specificity rules on their stand-ins
  const rules = [];
  for (const st of styles)
    for (const r of st.sheet ? st.sheet.cssRules : [])
      if (r.selectorText && /taro-[a-z-]+-core/.test(r.selectorText)) {
        const used = (r.selectorText.match(/taro-[a-z-]+-core/g) || []).every((t) => tags.has(t));
        if (used) rules.push(r.cssText.replace(/taro-[a-z-]+-core(?![\w-])/g, (t) => `:where(.xa-ff-${t})`));
      }
  return { html: root.innerHTML, router: router.join('\n'), rules };
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('build h5 first (dist/h5 missing)');
  const srv = await serve();
  const base = `http://127.0.0.1:${srv.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const out = { router: '', pages: {} };
  const rules = [];
  try {
    for (const p of PAGES) {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`${base}/blank`);
      await page.evaluate((me) => {
        localStorage.clear();
        if (me) {
          localStorage.setItem('xa_token', JSON.stringify({ data: 'first-frame' }));
          localStorage.setItem('xa_me', JSON.stringify({ data: me }));
        }
      }, p.me);
      await page.goto(`${base}/#/${p.url}`);
      await page.waitForSelector('#app .taro_page .xa-page', { timeout: 60_000 });
      await page.waitForTimeout(600); // the page's effects (the rem base, 长辈模式) settle
      const s = await page.evaluate(snapshot, 1100);
      if (!s.html.includes('xa-page')) throw new Error(`${p.key}: no page drawn`);
      out.pages[p.key] = s.html;
      out.router = out.router || s.router;
      for (const r of s.rules) if (!rules.includes(r)) rules.push(r);
      await ctx.close();
    }
  } finally {
    await browser.close();
    srv.close();
  }
  out.router += '\n' + rules.join('\n');
  out.holes = HOLE;
  fs.writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
  for (const [k, v] of Object.entries(out.pages)) console.log(`${k}: ${v.length} chars`);
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
