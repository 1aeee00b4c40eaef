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
 *    On login, feed, pledge signing and the ledger the largest element comes with the page's first GET (fetched early
 *    by index.html's inline script, `window.__xaPrefetch`): the frame draws that answer itself when it arrives
 *    (`fillFrame`, plain DOM, text nodes only) and stays until the app's page has drawn the same data;
 *  - at the end of <body>, a loader that runs the app's scripts after the frame's first paint — and, on those four
 *    pages, after the data's paint (at most WAIT_MS later; the scripts keep downloading meanwhile) — "after the paint"
 *    meaning once Chromium has reported the paint (its element / largest-contentful-paint entry), so that the
 *    frame's largest paint is the page's last LCP candidate and comes before the app's scripts begin to run.
 * The server allows these scripts by their SHA-256 (computed from the served index.html), like the others.
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

/**
 * The entry pages whose largest element comes with their first GET (index.html's early fetch, `window.__xaPrefetch`):
 * the selector of that content in the app's page (the frame stays until the app's page draws it, or its empty state),
 * so the frame drawn with the data is not swapped for the app's 正在加载… and back.
 */
/** How long the app's scripts wait for the early data to be drawn (they are still downloading meanwhile on a phone). */
const WAIT_MS = 1500;

/**
 * Taro's own rules (@tarojs/components 4.2.1) for the elements only the data draws (the pledge letter's scroll-view),
 * which scripts/first-frames.js cannot take from a page drawn without data. And: while the frame shows the data, the
 * app's page under it (drawing 正在加载… and then the same data, the pledge page's subtitle pushing its body down) is
 * not painted — it is hidden by the frame anyway, but Chromium counts a covered element's move as a layout shift.
 */
const EXTRA_CSS =
  ':where(.xa-ff-taro-scroll-view-core){-webkit-overflow-scrolling:touch;width:100%;display:block}:where(.xa-ff-taro-scroll-view-core).taro-scroll-view__scroll-y{overflow:hidden scroll}' +
  '.xa-ff-data #app{visibility:hidden}';

const DATA_READY = {
  'pages/login/index': '.login__acct,.xa-empty',
  'pages/feed/index': '.pub-card,.xa-empty',
  'pages/pledge-sign/index': '.pledge-text,.xa-empty',
  'officer/ledger/index': '.lg-item,.xa-empty',
};

/**
 * Runs in the page (ES5, inserted as text): draws the early GET's answer into the frame `r` in place of its
 * 正在加载…, with the markup the page's JSX gives (same classes, the frame's stand-ins for Taro's elements), text only
 * through text nodes (no HTML from the server). Mirrors pages/login, pages/feed, pages/pledge-sign and officer/ledger
 * (test/browser/first-frame.e2e.ts checks every text lands where the app draws it). `T`: labels from @xiangan/shared.
 * Returns false where it draws nothing (the frame keeps its 正在加载…): a feed whose first card has a cover image.
 */
function fillFrame(d, r, key, x, T) {
  function s(v) {
    return v === null || v === undefined ? '' : String(v);
  }
  function E(tag, cls, core, text) {
    var e = d.createElement(tag);
    e.className = (cls ? cls + ' ' : '') + 'xa-ff-taro-' + core + '-core';
    if (text !== undefined) e.appendChild(d.createTextNode(s(text)));
    return e;
  }
  function V(cls, text) {
    return E('div', cls, 'view', text);
  }
  function add(p) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c || c === '') p.appendChild(typeof c === 'string' ? d.createTextNode(c) : c);
    }
    return p;
  }
  function tag(tone, text) {
    return V('xa-tag xa-tag--' + tone, text);
  }
  function bj(iso) {
    var t = iso ? Date.parse(iso) : NaN;
    return isNaN(t) ? '' : new Date(t + 288e5).toISOString().slice(0, 16).replace('T', ' ');
  }
  function card(cls, title, extra, tap) {
    var c = V('xa-card' + (tap ? ' xa-card--tap' : '') + (cls ? ' ' + cls : ''));
    if (tap) c.setAttribute('role', 'button');
    return add(c, add(V('xa-card__head'), add(V('xa-card__title'), title), extra && add(V('xa-card__extra'), extra)));
  }
  function empty(text) {
    return add(V('xa-empty'), V('xa-empty__mark', '空'), V('', text));
  }
  var load = r.querySelector('.xa-page .xa-loading');
  if (!load || !x) return false;
  var out = d.createDocumentFragment();
  var i, n;
  if (key === 'pages/feed/index') {
    var items = x.items || [];
    for (i = 0; i < items.length; i++) {
      var m = items[i];
      if (m.coverUrl) break;
      var t = V('pub-card__title');
      if (!m.read) {
        n = V('pub-dot');
        n.setAttribute('aria-label', '未读');
        t.appendChild(n);
      }
      add(t, s(m.title));
      var c = card('pub-card', t, tag('primary', m.categoryLabel), 1);
      if (m.summary) add(c, V('pub-card__summary', m.summary));
      var meta = add(V('pub-card__meta'), !m.read && tag('danger', '未读'), s(m.publisherOrgName) + ' · ' + bj(m.publishedAt).slice(0, 10));
      if (m.ackRequired) add(meta, m.acked ? tag('success', '已知晓') : tag('warning', '请确认'));
      if (m.remindedAt) add(meta, tag('danger', '催阅'));
      out.appendChild(add(c, meta));
    }
    if (items.length && !i) return false;
    if (!items.length) add(out, empty('暂时没有发给您的安全宣传'));
    else if (i === items.length && items.length >= x.total) add(out, V('pub-end', '没有更多了'));
  } else if (key === 'officer/ledger/index') {
    var cs = x.counts || {},
      keys = ['all', 'reported', 'overdue', 'assigned', 'rectifying', 'rectified', 'escalated', 'closed', 'rejected'],
      all = 0,
      nums = r.querySelectorAll('.lg-chip__n');
    if (nums.length !== keys.length) return false;
    for (var k in cs) if (k !== 'overdue') all += cs[k] || 0;
    for (i = 0; i < keys.length; i++) nums[i].textContent = i ? s(cs[keys[i]] === undefined || cs[keys[i]] === null ? '-' : cs[keys[i]]) : String(all);
    var hs = x.items || [];
    if (!hs.length) add(out, empty('没有符合条件的隐患'));
    for (i = 0; i < hs.length; i++) {
      var h = hs[i],
        tone = h.status === 'closed' ? 'success' : h.status === 'rejected' ? 'default' : h.status === 'escalated' ? 'danger' : 'primary',
        ex = V('');
      ex.setAttribute('style', 'display: flex; gap: 8px;');
      add(ex, h.level === 'major' && tag('danger', '重大'), h.overdue && tag('warning', '逾期'), tag(tone, T.status[h.status]));
      var lt = add(E('span', '', 'text'), s(T.category[h.category]) + '\u3000', E('span', 'lg-code', 'text', h.code));
      var lc = card('lg-item' + (h.level === 'major' && h.status !== 'closed' ? ' lg-item--major' : '') + (h.overdue ? ' lg-item--overdue' : ''), lt, ex, 1);
      add(lc, V('lg-desc', s(h.description).slice(0, 50)));
      var lm = add(V('lg-meta'), s(h.orgName) + ' · ' + bj(h.reportedAt).slice(5));
      if (h.deadline) add(lm, ' · ', E('span', 'lg-nowrap', 'text', '期限 ' + bj(h.deadline).slice(0, 10)));
      if (h.responsibleOrgName) add(lm, ' · ' + h.responsibleOrgName);
      out.appendChild(add(lc, lm));
    }
  } else if (key === 'pages/pledge-sign/index') {
    var head = r.querySelector('.xa-page__title'),
      body = r.querySelector('.xa-page__body'),
      v = x.version || {},
      end = bj(x.deadline).slice(0, 10);
    if (!head || !body) return false;
    head.textContent = s(x.kindLabel);
    if (x.mySignatureId)
      add(out, add(card('', '您已签署过本承诺书', null, 0), E('div', 'xa-btn xa-btn--secondary xa-btn--block', 'button', '查看我签的承诺书')));
    var sv = add(E('div', 'pledge-text taro-scroll-view__scroll-y', 'scroll-view'), V('pledge-text__title', v.title));
    var ps = s(v.body).split('\n');
    for (i = 0; i < ps.length; i++) if (ps[i]) add(sv, V('pledge-text__para', ps[i]));
    add(out, add(sv, V('pledge-text__end', '— 全文完 —')));
    var tip =
      x.status === 'open'
        ? '请把上面的承诺书从头读到尾（向上滑动到“全文完”），读完后才能填写和签名。'
        : x.status === 'expired'
          ? '已于 ' + end + ' 截止签署'
          : '本承诺书已关闭';
    add(out, V('pledge-tip', tip));
    var nb = add(body.cloneNode(false), out);
    nb.setAttribute('data-xa-ff-data', '');
    nb.setAttribute('elementtiming', 'xa-ff-data');
    timed(nb);
    body.parentNode.replaceChild(nb, body);
    nb.parentNode.insertBefore(V('xa-page__sub', x.orgName + ' · 截止 ' + end), nb);
    return true;
  } else if (key === 'pages/login/index') {
    if (!x.length) add(out, empty('暂无演示账号'));
    else {
      add(out, V('login__tip', '演示环境：点一下选择身份进入'));
      for (var g = 0; g < 2; g++) {
        var first = true;
        for (i = 0; i < x.length; i++) {
          var a = x[i];
          if ((a.role === 'resident') !== !g) continue;
          if (first) add(out, V('login__group', g ? '工作人员' : '村民 / 家长'));
          first = false;
          var nm = a.name === null || a.name === undefined ? null : String(a.name),
            av = V('login__avatar', (nm === null ? '?' : nm).slice(0, 1)),
            row = V('login__acct');
          av.setAttribute('style', 'background: ' + (g ? '#1a6fd1' : '#1e7e34') + ';');
          row.setAttribute('role', 'button');
          var role = s(T.role[a.role] || a.role) + (a.orgName ? ' · ' + a.orgName : '');
          out.appendChild(add(row, av, add(V('login__who'), V('login__name', nm === null ? a.openid : nm), V('login__role', role)), V('login__go', '进入 ›')));
        }
      }
    }
    add(out, V('login__foot', '登录即表示您同意《乡安隐私保护指引》'));
  } else return false;
  // what the data drew, for the loader (it waits for the paint of it: window.__xaFFData)
  for (var o = out.firstChild; o; o = o.nextSibling) if (o.nodeType === 1) o.setAttribute('data-xa-ff-data', '');
  timed(out);
  load.parentNode.replaceChild(out, load);
  return true;
  // Element Timing on every element the data drew: Chromium reports the paint of each (an `element` entry), however
  // small it is beside the frame's largest element — the loader waits for that instead of a fixed time
  function timed(root) {
    var all = root.querySelectorAll('*');
    for (var j = 0; j < all.length; j++) all[j].setAttribute('elementtiming', 'xa-ff-data');
  }
}

/** Body script (ES5): the frame in, and out when the app's page is there. */
function bodyScript({ frames, router, holes, elderKey, largeFontPx, labels }) {
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
    JSON.stringify(router + '\n' + EXTRA_CSS + '\n#xa-first-frame *{animation:none!important}') +
    ';d.head.appendChild(st);' +
    'var r=d.createElement("div");r.id="xa-first-frame";r.className="taro_router";r.setAttribute("inert","");r.setAttribute("aria-hidden","true");r.style.cssText="position:fixed;top:0;left:0;right:0;bottom:0;z-index:1";r.innerHTML=h;' +
    'if(el){var x=r.querySelectorAll(".xa-page");for(var i=0;i<x.length;i++)x[i].className+=" xa-elder"}' +
    'd.body.insertBefore(r,d.body.firstChild);' +
    // when the frame's last drawing went in (the frame, then its data): the loader waits for the paint of it
    'var T=function(){w.__xaFFT=w.performance&&performance.now?performance.now():0};T();' +
    // the page's first data (index.html's early GET): drawn into the frame when it comes; the app's scripts start after
    // that paint (window.__xaFFWait, the loader below), or after WAIT_MS when it is late
    'var R=' +
    JSON.stringify(DATA_READY) +
    '[f.key],pf=w.__xaPrefetch,en=null,filled=false,ws=[],sd=false,lt=0;if(pf)for(var u in pf)en=pf[u];' +
    'var settle=function(){if(sd)return;sd=true;for(var i=0;i<ws.length;i++)ws[i]()};w.__xaFFWait=function(c){sd?c():ws.push(c)};' +
    'if(R&&en&&en.res){en.res.then(function(a){try{if(r.parentNode&&a.status>=200&&a.status<300)filled=(' +
    fillFrame.toString().replace(/\n\s*/g, '\n') +
    ')(d,r,f.key,JSON.parse(a.body),' +
    JSON.stringify(labels) +
    ');if(filled){d.documentElement.classList.add("xa-ff-data");T();w.__xaFFData=true}}catch(x){}if(filled&&w.requestAnimationFrame)w.requestAnimationFrame(function(){w.requestAnimationFrame(function(){setTimeout(settle,0)})});else settle()},settle);setTimeout(settle,' +
    WAIT_MS +
    ')}else settle();' +
    // out when the app's page is there — with the data drawn, when the app's page has drawn it too (or after 3 s)
    'var done=function(){if(r.parentNode)r.parentNode.removeChild(r);d.documentElement.classList.remove("xa-ff-data");if(ob)ob.disconnect()},' +
    'ob=w.MutationObserver?new MutationObserver(function(){var p=d.querySelector("#app .xa-page");if(!p)return;if(!filled||p.querySelector(R))done();else if(!lt)lt=setTimeout(done,3000)}):null;' +
    'if(ob)ob.observe(d.documentElement,{childList:true,subtree:true});setTimeout(done,20000)}catch(x){}}(window,document);'
  );
}

/** In <head> where the app's deferred scripts were (ES5): their preloads, asked after the page's first GET. */
function appPreloadScript(scripts) {
  return (
    '!function(d){var s=' +
    JSON.stringify(scripts) +
    ';for(var i=0;i<s.length;i++){var l=d.createElement("link");l.rel="preload";l.as="script";l.href=s[i];d.head.appendChild(l)}}(document);'
  );
}

/**
 * How long the loader waits, after the frame's last drawing has been painted (two animation frames), for the browser
 * to report that paint, before it runs the app's scripts anyway:
 * - LCP_WAIT_MS where the report may never come: data drawn into the frame on a browser without Element Timing (a
 *   drawing smaller than the frame's largest element gives no largest-contentful-paint entry);
 * - LCP_MAX_MS where it always comes: the frame's own first paint is the document's first contentful paint, hence an
 *   LCP candidate, and every element the data drew carries `elementtiming`. Only a browser that stops reporting
 *   (it does after the user's first tap or key, which also lets the app go at once) reaches it. A fixed 200 ms here was
 *   too short where the compositor is slow — a loaded CI machine presented the frame some 460 ms after its two animation
 *   frames — and the app's scripts went in before the paint Lighthouse counts as LCP (issue 17's CI failure).
 */
const LCP_WAIT_MS = 200;
const LCP_MAX_MS = 2000;

/**
 * End of <body> (ES5): the app's scripts in order; with a frame shown, once its first paint is on screen (two
 * animation frames: in the task right after the paint the frame may not be presented yet, and the runtime's start
 * is one long task that would hold it back) — and with data drawn into it, once that paint is on screen too. "On
 * screen" is the browser's own word where it has one: the `element` or `largest-contentful-paint` entry of the
 * frame's last drawing — of an element the data drew (`[data-xa-ff-data]`, `window.__xaFFData`), else an LCP entry of
 * a paint after the frame went in (`window.__xaFFT`) — waited for as long as LCP_WAIT_MS / LCP_MAX_MS say. Two
 * animation frames alone were not enough: the paint is presented by the compositor later still (20–30 ms in
 * Lighthouse's traces), so app.js often began to run before the frame's largest paint was reported, and Lighthouse's
 * simulated LCP then counted the download and the 4× run of all the app's scripts (bench/h5-lcp-graph.js shows it).
 * On a phone the scripts are still downloading at that point, so the wait costs nothing there.
 */
function loaderScript(scripts) {
  return (
    '!function(w,d){var s=' +
    JSON.stringify(scripts) +
    ';function go(){for(var i=0;i<s.length;i++){var e=d.createElement("script");e.src=s[i];e.async=false;d.body.appendChild(e)}}' +
    // the entry of the last drawing: with data drawn, one for an element the data drew (the frame's own first paint
    // may be presented after the data went in); else one painted after the frame went in
    'function painted(c){var k=false,o=null,t=w.__xaFFT||0,dd=w.__xaFFData,P=w.PerformanceObserver,y=P&&P.supportedEntryTypes||[],' +
    'lcp=y.indexOf("largest-contentful-paint")>=0,el=dd&&y.indexOf("element")>=0,' +
    'f=function(){if(k)return;k=true;if(o)o.disconnect();d.removeEventListener("pointerdown",f,true);d.removeEventListener("keydown",f,true);setTimeout(c,0)};' +
    'try{if(lcp||el){o=new P(function(l){var x=l.getEntries();for(var i=0;i<x.length;i++){var e=x[i].element;if(dd?e&&e.closest&&e.closest("[data-xa-ff-data]"):x[i].startTime>=t)f()}});' +
    'if(el)o.observe({type:"element",buffered:true});if(lcp)o.observe({type:"largest-contentful-paint",buffered:true})}}catch(x){o=null}' +
    'd.addEventListener("pointerdown",f,true);d.addEventListener("keydown",f,true);' +
    'setTimeout(f,!o?0:el||!dd?' +
    LCP_MAX_MS +
    ':' +
    LCP_WAIT_MS +
    ')}' +
    'if(w.__xaFF&&w.requestAnimationFrame)w.requestAnimationFrame(function(){w.requestAnimationFrame(function(){setTimeout(function(){var p=function(){painted(go)};w.__xaFFWait?w.__xaFFWait(p):p()},0)})});else go()}(window,document);'
  );
}

/**
 * The inline scripts run before any polyfill, on old Android WebViews too: ES5 only. Checked at build time with
 * webpack's own parser (acorn) — Prettier's trailing commas in a call broken over lines would be ES2017.
 */
function assertEs5(name, code) {
  const acorn = require(require.resolve('acorn', { paths: [require.resolve('webpack')] }));
  try {
    acorn.parse(code, { ecmaVersion: 5 });
  } catch (e) {
    throw new Error(`first-frame: the ${name} script is not ES5 (${e.message})`);
  }
}

class FirstFramePlugin {
  /**
   * @param {{ file: string, launch: string, login: string, tokenKey: string, meKey: string, elderKey: string, largeFontPx: number,
   *   labels: { category: Record<string, string>, status: Record<string, string>, role: Record<string, string> } }} opts
   */
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
      const headJs = headScript({ ...this.opts, keys: Object.keys(ff.pages) });
      const bodyJs = bodyScript({ ...this.opts, frames: ff.pages, router: ff.router, holes: ff.holes });
      assertEs5('head', headJs);
      assertEs5('body', bodyJs);
      const head = `<script ${MARK}>${headJs}</script>`;
      const body = `<script ${MARK}>${bodyJs}</script>`;
      // the app's scripts: preloaded from <head>, run by a loader at the end of <body> — after the frame has been painted when there is one. Deferred scripts that arrive before the
      // first paint run before it (a fast network, a cached visit), so the frame would wait for the runtime after all.
      // Their preloads are added by a script where the deferred tags were, after index.html's early GET and
      // route-preload's page CSS and chunk: static <link>s would be found by the preload scanner and asked first,
      // and on HTTP/1.1 (6 connections a host) the first GET and the page's CSS waited for a connection behind
      // ~160 KB of app scripts (seen in Lighthouse's network records: login's 2 KB accounts answer ended with the
      // page chunk, after all three scripts, 200 ms after it was asked on localhost).
      const scripts = [];
      html = html.replace(/<script defer="defer" src="([^"]+)"><\/script>/g, (_m, src) => {
        scripts.push(src);
        return scripts.length === 1 ? '<!--xa-app-preload-->' : '';
      });
      if (!scripts.length) throw new Error('first-frame: index.html has no deferred app scripts');
      const preloadJs = appPreloadScript(scripts);
      assertEs5('app preload', preloadJs);
      html = html.replace('<!--xa-app-preload-->', `<script ${MARK}>${preloadJs}</script>`);
      const loaderJs = loaderScript(scripts);
      assertEs5('loader', loaderJs);
      const loader = `<script ${MARK}>${loaderJs}</script>`;
      html = html.replace('</body>', loader + '</body>');
      const at = html.indexOf('</title>');
      const b = html.indexOf('<body>');
      if (at < 0 || b < 0) throw new Error('first-frame: index.html has no </title> or <body>');
      html = html.slice(0, at + 8) + head + html.slice(at + 8, b + 6) + body + html.slice(b + 6);
      writeFileSync(file, html);
    });
  }
}

module.exports = { FirstFramePlugin, headScript, bodyScript, loaderScript, appPreloadScript, fillFrame, DATA_READY };
