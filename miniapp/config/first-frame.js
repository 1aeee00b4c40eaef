/**
 * h5 only: the entry page's first frame is drawn from index.html itself, before the app's scripts have run.
 *
 * `src/first-frames.json` holds the static first view of each entry page (login, home, report, feed, pledge signing,
 * the officer ledger), taken from the real built pages by `scripts/first-frames.js`. This plugin writes two inline
 * scripts into index.html:
 *  - in <head>, before route-preload's script (register this plugin after it): decides whether the opened route has a frame for this visitor
 *    (signed out → login; signed in with a cached profile → the route; home only for a resident) and sets
 *    `window.__xaFF`. route-preload then adds the route's page stylesheet as a render-blocking <link> (it is the
 *    page's own CSS, so the frame has exactly the page's sizes) instead of a preload;
 *  - first in <body>: puts the frame in (a `.taro_router` like the app's, `inert`, with the runtime's base and router
 *    rules; fixed over the window, so what the runtime inserts before the page — its hidden navigation bar — does not
 *    move it),
 *    with 长辈模式 decided as `store/elder.ts` decides it (the remembered choice, else the browser's font size) and
 *    the cached profile's name and village where home shows them; and takes it away in the same task in which the
 *    app's page (`#app .xa-page`) appears — the largest element of the frame is the page's own, so the app's paint
 *    of the same element is not a later, larger LCP candidate.
 * The server allows both scripts by their SHA-256 (computed from the served index.html), like the others.
 * Plain JS so the config can require it and a test can load it.
 */
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const MARK = 'data-xa-first-frame';

/** Head script (ES5). Sets window.__xaFF = table key when a frame will be shown. */
function headScript({ launch, login, tokenKey, meKey, keys }) {
  return (
    '!function(w,l){try{var s=w.localStorage,g=function(k){try{return JSON.parse(s.getItem(k)).data}catch(e){return null}},' +
    'q=l.hash.replace(/^#\\/?/,"").split("?"),r=q[0]||' +
    JSON.stringify(launch) +
    ',t=g(' +
    JSON.stringify(tokenKey) +
    '),m=g(' +
    JSON.stringify(meKey) +
    '),k=null;if(!t){if(r===' +
    JSON.stringify(launch) +
    '||r===' +
    JSON.stringify(login) +
    ')k=' +
    JSON.stringify(login) +
    '}else if(m&&m.id&&r!==' +
    JSON.stringify(login) +
    '){k=r;if(r===' +
    JSON.stringify(launch) +
    '&&m.role!=="resident")k=null;if(/officer\\//.test(r)&&m.role==="resident")k=null;if(r==="pages/pledge-sign/index"&&!/(^|&)c=\\d+(&|$)/.test(q[1]||""))k=null}' +
    'if(k&&' +
    JSON.stringify(keys) +
    '.indexOf(k)>=0)w.__xaFF={key:k,me:m}}catch(e){}}(window,location);'
  );
}

/** Body script (ES5): the frame in, and out when the app's page is there. */
function bodyScript({ frames, router, holes, elderKey, largeFontPx }) {
  return (
    '!function(w,d){var f=w.__xaFF;if(!f)return;try{var P=' +
    JSON.stringify(frames) +
    ',h=P[f.key],m=f.me||{},e=function(v){return String(v).replace(/[&<>"]/g,function(c){return"&#"+c.charCodeAt(0)+";"})};' +
    'h=h.split(' +
    JSON.stringify(holes.name) +
    ').join(e(m.name||"乡安用户")).split(' +
    JSON.stringify(holes.orgName) +
    ').join(e(m.orgName||"未选择所在村"));' +
    // 长辈模式 as store/elder.ts decides it: the user's remembered choice, else the browser's default font size
    'var o=null;try{o=JSON.parse(w.localStorage.getItem(' +
    JSON.stringify(elderKey) +
    '+m.id)).data}catch(x){}var el=o==="on";if(o!=="on"&&o!=="off"){var p=d.createElement("div");p.style.cssText="position:absolute;visibility:hidden;font-size:medium";d.body.appendChild(p);el=parseFloat(getComputedStyle(p).fontSize)>=' +
    largeFontPx +
    ';d.body.removeChild(p)}' +
    // the frame stands still (its 正在加载… ring too): an animation would be redrawn on every frame while the runtime starts
    'var st=d.createElement("style");st.textContent=' +
    JSON.stringify(router + '\n#xa-first-frame *{animation:none!important}') +
    ';d.head.appendChild(st);' +
    'var r=d.createElement("div");r.id="xa-first-frame";r.className="taro_router";r.setAttribute("inert","");r.setAttribute("aria-hidden","true");r.style.cssText="position:fixed;top:0;left:0;right:0;bottom:0;z-index:1";r.innerHTML=h;' +
    'if(el){var x=r.querySelectorAll(".xa-page");for(var i=0;i<x.length;i++)x[i].className+=" xa-elder"}' +
    'd.body.insertBefore(r,d.body.firstChild);' +
    'var done=function(){if(r.parentNode)r.parentNode.removeChild(r);if(ob)ob.disconnect()},' +
    'ob=w.MutationObserver?new MutationObserver(function(){if(d.querySelector("#app .xa-page"))done()}):null;' +
    'if(ob)ob.observe(d.documentElement,{childList:true,subtree:true});setTimeout(done,20000)}catch(x){}}(window,document);'
  );
}

/** End of <body> (ES5): the app's scripts in order; with a frame shown, in the task after its first paint. */
function loaderScript(scripts) {
  return (
    '!function(w,d){var s=' +
    JSON.stringify(scripts) +
    ';function go(){for(var i=0;i<s.length;i++){var e=d.createElement("script");e.src=s[i];e.async=false;d.body.appendChild(e)}}' +
    'if(w.__xaFF&&w.requestAnimationFrame)w.requestAnimationFrame(function(){setTimeout(go,0)});else go()}(window,document);'
  );
}

class FirstFramePlugin {
  /** @param {{ file: string, launch: string, login: string, tokenKey: string, meKey: string, elderKey: string, largeFontPx: number }} opts */
  constructor(opts) {
    this.opts = opts;
  }
  apply(compiler) {
    // after route-preload's afterEmit in the config: both insert after </title>, so this head script ends up first
    // (route-preload's script reads window.__xaFF)
    compiler.hooks.afterEmit.tap('xa-first-frame', (compilation) => {
      if (!existsSync(this.opts.file)) {
        compilation.warnings.push(new Error(`first-frame: ${this.opts.file} missing, no first frames (run scripts/first-frames.js)`));
        return;
      }
      const ff = JSON.parse(readFileSync(this.opts.file, 'utf8'));
      const file = join(compiler.outputPath, 'index.html');
      let html = readFileSync(file, 'utf8');
      if (html.includes(MARK)) return;
      const head = `<script ${MARK}>${headScript({ ...this.opts, keys: Object.keys(ff.pages) })}</script>`;
      const body = `<script ${MARK}>${bodyScript({ ...this.opts, frames: ff.pages, router: ff.router, holes: ff.holes })}</script>`;
      // the app's scripts: fetched as early as before (preloads where the deferred tags were), run by a loader at the
      // end of <body> — after the frame has been painted when there is one. Deferred scripts that arrive before the
      // first paint run before it (a fast network, a cached visit), so the frame would wait for the runtime after all.
      const scripts = [];
      html = html.replace(/<script defer="defer" src="([^"]+)"><\/script>/g, (_m, src) => {
        scripts.push(src);
        return `<link rel="preload" as="script" href="${src}">`;
      });
      if (!scripts.length) throw new Error('first-frame: index.html has no deferred app scripts');
      const loader = `<script ${MARK}>${loaderScript(scripts)}</script>`;
      html = html.replace('</body>', loader + '</body>');
      const at = html.indexOf('</title>');
      const b = html.indexOf('<body>');
      if (at < 0 || b < 0) throw new Error('first-frame: index.html has no </title> or <body>');
      html = html.slice(0, at + 8) + head + html.slice(at + 8, b + 6) + body + html.slice(b + 6);
      writeFileSync(file, html);
    });
  }
}

module.exports = { FirstFramePlugin, headScript, bodyScript, loaderScript };
