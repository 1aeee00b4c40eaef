/**
 * h5 only: the first page's own chunk (its JS and CSS) is fetched while the app's scripts download, not after
 * them.
 *
 * Taro's router imports a page's chunk only once app.js has run (on a slow phone that is 1–2 s after the HTML), so
 * the chain was HTML → app scripts → run → page chunk → its data. This plugin writes a small inline script into
 * index.html, before the app's scripts: it reads the route from the address (`#/pages/feed/index?…`; no route is
 * the launch page, or the login page when no one is signed in) and adds `<link rel="preload">` for that route's
 * chunk files, from a route → files table taken from this build's chunk graph. When the router asks for the
 * chunk, webpack's <script>/<link> find the bytes already fetched.
 *
 * When the route has a static first frame (`window.__xaFF`, set by config/first-frame.js's script just before this one),
 * its stylesheet is added as a render-blocking stylesheet instead: the frame is drawn with the page's own CSS.
 *
 * The server allows the inline script by its SHA-256 (computed from the served index.html), like the rem snippet.
 * Plain JS so the config can require it and a test can load it.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const MARK = 'data-xa-preload';

/** route → [file, …] for every async chunk group Taro's router opens for a page (`import("./pages/x/index")`). */
function routeFiles(compilation) {
  const initial = new Set();
  for (const g of compilation.chunkGroups) if (g.isInitial()) for (const c of g.chunks) for (const f of c.files) initial.add(f);
  const out = {};
  for (const g of compilation.chunkGroups) {
    if (g.isInitial()) continue;
    for (const o of g.origins || []) {
      const route = String(o.request || '')
        .replace(/\\/g, '/')
        .replace(/^(\.\/|.*\/src\/)/, '');
      if (!/^[a-z][\w-]*\/[\w-]+\/index$/i.test(route)) continue;
      const files = [];
      for (const c of g.chunks) for (const f of c.files) if (/\.(js|css)$/.test(f) && !initial.has(f) && !files.includes(f)) files.push(f);
      out[route] = files;
    }
  }
  return out;
}

/** The inline script (ES5: it runs before any polyfill). `files` paths are relative to publicPath. */
function preloadScript(table, { publicPath, launch, login, tokenKey }) {
  // one short string per route keeps index.html small: "js/484.62f23cee.js,css/484.….css"
  const compact = {};
  for (const [route, files] of Object.entries(table)) compact[route] = files.join(',');
  return (
    '!function(d,l,w){try{var t=' +
    JSON.stringify(compact) +
    ',r=l.hash.replace(/^#\\/?/,"").split("?")[0]||' +
    JSON.stringify(launch) +
    ';if(r===' +
    JSON.stringify(launch) +
    '&&!localStorage.getItem(' +
    JSON.stringify(tokenKey) +
    '))r=' +
    JSON.stringify(login) +
    ';(t[r]||"").split(",").forEach(function(f){if(!f)return;var k=d.createElement("link"),c=/\\.css$/.test(f);if(c&&w.__xaFF){k.rel="stylesheet";k.setAttribute("blocking","render")}else{k.rel="preload";k.as=c?"style":"script"}k.href=' +
    JSON.stringify(publicPath) +
    '+f;d.head.appendChild(k)})}catch(e){}}(document,location,window);'
  );
}

class RoutePreloadPlugin {
  /** @param {{ launch: string, login: string, tokenKey: string }} opts  routes as in app.config (`pages/index/index`) */
  constructor(opts) {
    this.opts = opts;
  }
  apply(compiler) {
    let table = {};
    compiler.hooks.thisCompilation.tap('xa-route-preload', (compilation) => {
      compilation.hooks.afterSeal.tap('xa-route-preload', () => {
        table = routeFiles(compilation);
      });
    });
    compiler.hooks.afterEmit.tap('xa-route-preload', (compilation) => {
      const missing = [this.opts.launch, this.opts.login].filter((r) => !table[r]);
      if (missing.length) compilation.warnings.push(new Error(`route-preload: no chunk found for ${missing.join(', ')}`));
      const file = join(compiler.outputPath, 'index.html');
      const html = readFileSync(file, 'utf8');
      if (html.includes(MARK)) return;
      const publicPath = String(compiler.options.output.publicPath || '/');
      const script = `<script ${MARK}>${preloadScript(table, { ...this.opts, publicPath })}</script>`;
      // right after <title>: before the app's own scripts, so the page chunk joins their downloads
      const at = html.indexOf('</title>');
      if (at < 0) throw new Error('route-preload: index.html has no </title>');
      writeFileSync(file, html.slice(0, at + 8) + script + html.slice(at + 8));
    });
  }
}

module.exports = { RoutePreloadPlugin, routeFiles, preloadScript };
