/**
 * A WeChat stand-in that runs the real weapp build (`miniapp/dist/weapp`) in Node.
 *
 *   const phone = new Phone({ server, wechat, openid: 'parent-1' });   // storage and saved files live here
 *   const app = await phone.launch({ path: 'pages/pledge-sign/index', query: { scene: 'c%3D3' }, scene: 1047 });
 *   await app.waitText('签署承诺书'); app.tap('确认并提交签名'); app.input('请输入家长姓名', '张三');
 *   await app.close(); const again = await phone.launch();          // a restart: temp files are gone
 *
 * What WeChat provides is given as WeChat documents it: the AppService globals (`wx`, `App`, `Page`, `Component`,
 * `Behavior`, `getApp`, `getCurrentPages`, a CommonJS `require` over the build's files, no `window`/`document`/
 * `process`), page lifecycle (onLoad(query) → onShow → onReady, onHide, onUnload) with a page stack of at most 10,
 * `setData` paths merged into each page's data, and a `wx` whose names come from miniprogram-api-typings:
 *  - `wx.request`: only the documented methods; only `https://api.xiangan.test` (the build's API base), routed to
 *    the local server; other origins fail as outside the request domain list;
 *  - `wx.requestSubscribeMessage` works only synchronously inside a tap dispatch;
 *  - temporary files (`wxfile://tmp_…`, `http://tmp/…`) vanish on a restart; `FileSystemManager.saveFile` survives;
 *  - `wx.login` hands out codes the fake WeChat server exchanges (jscode2session);
 *  - `downloadFile` + `openDocument` keep what was opened for the test to read.
 * Rendering is Taro's own: its runtime calls `setData` on the page; `tap`/`input` find a node in that data tree
 * and call the page's `eh` handler the way base.wxml binds it (`bindtap="eh"`, bubbling to every bound ancestor).
 */
import { readFileSync } from 'node:fs';
import { extname, join, posix } from 'node:path';
import * as vm from 'node:vm';
import sharp from 'sharp';
import { API_ORIGIN, allPages, appJson, WEAPP_DIR, wxssErrors, wxssOf } from './build';
import { FS_APIS, PROMISE_APIS, REQUEST_METHODS, WX_APIS } from './typings';

type Obj = Record<string, any>;
type Cb = { success?: (r: any) => void; fail?: (r: any) => void; complete?: (r: any) => void };

export interface FakeWechatLike {
  /** A getPhoneNumber code for this phone number (WeChat's `getuserphonenumber` answers it). */
  phoneCode(phone: string): string;
  code(openid: string): string;
}

export interface PhoneOptions {
  /** The local server's origin (`http://127.0.0.1:PORT`); the build's API origin is routed here. */
  serverUrl: string;
  wechat: FakeWechatLike;
  /** The openid `wx.login` codes stand for. */
  openid: string;
}

export interface LaunchOptions {
  /** Route without leading slash (default: app.json's first page). */
  path?: string;
  query?: Record<string, string>;
  /** 1001 list, 1007 share card, 1047 mini-program code scan, 1014 subscribe message… */
  scene?: number;
}

export interface RequestRecord {
  api: 'request' | 'uploadFile' | 'downloadFile';
  method: string;
  url: string;
  status: number;
  errMsg: string;
  page: string;
}

const TEMP = /^(wxfile:\/\/tmp_|http:\/\/tmp\/)/;
const DOC_TYPES = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf'];
const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.pdf': 'application/pdf',
};
const rand = () => Math.random().toString(36).slice(2, 12);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One phone: what WeChat keeps between launches (storage, saved files, privacy consent). */
export class Phone {
  storage = new Map<string, string>();
  files = new Map<string, Buffer>();
  privacyAgreed = false;
  /** Photos the next chooseMedia/chooseImage returns (camera or album). */
  photos: Buffer[] = [];
  /** What the user answers a subscribe prompt with, per template id (default accept). */
  subscribeAnswer: (tmplId: string) => 'accept' | 'reject' = () => 'accept';
  /** No network at all: requests fail as WeChat's do without signal. */
  offline = false;
  /** The phone number bound to this WeChat account (what getPhoneNumber hands over when the user allows it). */
  phoneNumber: string | null = null;
  apps: MiniApp[] = [];
  /** Each phone reaches the server from its own address (as phones do), told by the test server's trusted proxy
   *  header: per-address limits such as the login throttle then count per phone, not per test run. */
  readonly address = `203.0.113.${(Phone.count = (Phone.count % 250) + 1)}`;
  private static count = 0;
  constructor(readonly opts: PhoneOptions) {}

  async launch(opts: LaunchOptions = {}): Promise<MiniApp> {
    for (const a of this.apps) if (a.alive) await a.close();
    // a restart: WeChat deletes temporary files (only saveFile / USER_DATA_PATH files stay)
    for (const k of [...this.files.keys()]) if (TEMP.test(k)) this.files.delete(k);
    const app = new MiniApp(this, opts);
    this.apps.push(app);
    await app.start();
    return app;
  }
}

// ------------------------------------------------------------------ base.wxml: what each node template is

interface Tmpl {
  tag: string;
  /** attribute → data key (`placeholder` → `p13`) */
  attrs: Record<string, string>;
  events: Set<string>;
  catches: Set<string>;
}

let TEMPLATES: Map<string, Tmpl> | null = null;
function templates(): Map<string, Tmpl> {
  if (TEMPLATES) return TEMPLATES;
  const src = readFileSync(join(WEAPP_DIR, 'base.wxml'), 'utf8');
  const map = new Map<string, Tmpl>();
  const re = /<template name="tmpl_0_([\w]+)">\s*<([\w-]+)([^>]*)>/g;
  for (let m; (m = re.exec(src));) {
    const t: Tmpl = { tag: m[2], attrs: {}, events: new Set(), catches: new Set() };
    for (const a of m[3].matchAll(/([\w:-]+)="([^"]*)"/g)) {
      const [, name, value] = a;
      if (value === 'eh' && name.startsWith('bind')) t.events.add(name.slice(4));
      else if (value === 'eh' && name.startsWith('catch')) {
        t.events.add(name.slice(5));
        t.catches.add(name.slice(5));
      }
      const k = /\bi\.(\w+)/.exec(value);
      if (k) t.attrs[name] = k[1];
    }
    map.set(m[1], t);
  }
  // `tmpl_0_33` picks `tmpl_0_33_focus` / `_blur` at run time: both bind the same events
  for (const [k, v] of [...map]) if (k.endsWith('_focus')) map.set(k.replace(/_focus$/, ''), v);
  return (TEMPLATES = map);
}

export interface Node {
  data: Obj;
  tag: string;
  tmpl?: Tmpl;
  parent: Node | null;
  children: Node[];
  text: string;
  id: string;
  attr(name: string): unknown;
}

function buildTree(data: Obj, parent: Node | null = null): Node {
  const tmpl = templates().get(String(data.nn));
  const node: Node = {
    data,
    tag: data.nn === '#text' || (data.v !== undefined && !data.cn) ? '#text' : (tmpl?.tag ?? String(data.nn)),
    tmpl,
    parent,
    children: [],
    text: '',
    id: String(data.uid ?? data.sid ?? ''),
    attr: (name) => (tmpl && tmpl.attrs[name] ? data[tmpl.attrs[name]] : undefined),
  };
  node.children = (Array.isArray(data.cn) ? data.cn : []).filter(Boolean).map((c: Obj) => buildTree(c, node));
  node.text = node.tag === '#text' ? String(data.v ?? '') : node.children.map((c) => c.text).join('');
  return node;
}

function* walk(n: Node): Generator<Node> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

// ------------------------------------------------------------------ canvas (type="2d") drawn as SVG

class Canvas2D {
  width = 300;
  height = 150;
  private ops: string[] = [];
  private path = '';
  constructor(private later: (fn: () => void, ms: number) => void) {}
  requestAnimationFrame(cb: (t: number) => void) {
    this.later(() => cb(Date.now()), 16);
    return 1;
  }
  cancelAnimationFrame() {}
  createImage() {
    return { width: 0, height: 0, src: '', onload: null, onerror: null };
  }
  getContext() {
    const self = this;
    const ctx: Obj = {
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      strokeStyle: '#000',
      fillStyle: '#000',
      scale() {},
      setTransform() {},
      save() {},
      restore() {},
      beginPath: () => (self.path = ''),
      moveTo: (x: number, y: number) => (self.path += `M${x} ${y} `),
      lineTo: (x: number, y: number) => (self.path += `L${x} ${y} `),
      arc: (x: number, y: number, r: number) => (self.path += `M${x - r} ${y} a${r} ${r} 0 1 0 ${2 * r} 0 a${r} ${r} 0 1 0 ${-2 * r} 0 `),
      stroke: () => self.ops.push(`<path d="${self.path}" fill="none" stroke="${ctx.strokeStyle}" stroke-width="${ctx.lineWidth}" stroke-linecap="round"/>`),
      fill: () => self.ops.push(`<path d="${self.path}" fill="${ctx.fillStyle}"/>`),
      clearRect: () => (self.ops = []),
      fillRect: () => undefined,
      measureText: (t: string) => ({ width: String(t).length * 12, actualBoundingBoxAscent: 10, actualBoundingBoxDescent: 2 }),
      getImageData: (_x: number, _y: number, w = 1, h = 1) => ({ width: w, height: h, data: new Uint8ClampedArray(Math.max(1, w * h) * 4) }),
    };
    // everything else a chart library calls (fillText, quadraticCurveTo, setLineDash…) draws nothing here
    return new Proxy(ctx, { get: (t, k: string) => (k in t ? t[k] : () => undefined) });
  }
  async png(): Promise<Buffer> {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}">${this.ops.join('')}</svg>`;
    return sharp(Buffer.from(svg)).png().toBuffer();
  }
}

// ------------------------------------------------------------------ one run of the mini-program

interface PageInst extends Obj {
  route: string;
  options: Record<string, string>;
  data: Obj;
}

export class MiniApp {
  alive = true;
  /** Thrown script errors (App.onError in WeChat) and unhandled rejections. */
  errors: string[] = [];
  consoleErrors: string[] = [];
  /** Every wx.* call: name, the page on top, and whether it ran inside a tap. */
  calls: { name: string; page: string; inTap: boolean }[] = [];
  requests: RequestRecord[] = [];
  toasts: string[] = [];
  modals: { title: string; content: string }[] = [];
  subscribeAsks: { tmplIds: string[]; inTap: boolean; errMsg: string }[] = [];
  opened: { filePath: string; fileType: string; bytes: Buffer }[] = [];
  navigations: { api: string; url: string; errMsg: string }[] = [];
  /** errMsg of every wx.* call that failed. */
  failures: string[] = [];
  stack: PageInst[] = [];
  launchOptions: Obj;

  private ctx!: vm.Context;
  private modules = new Map<string, Obj>();
  private pageConfigs = new Map<string, Obj>();
  private loadingRoute = '';
  private appInst: Obj | null = null;
  private timers = new Set<NodeJS.Timeout>();
  private inTap = false;
  private pending = 0;
  private listeners: Record<string, ((...a: any[]) => void)[]> = {};
  private canvases = new Map<string, Canvas2D>();
  private routes: Set<string>;
  private onRejection = (reason: unknown) => {
    if (this.alive) this.errors.push(`unhandled rejection: ${describe(reason)}`);
  };

  constructor(
    readonly phone: Phone,
    opts: LaunchOptions,
  ) {
    const app = appJson();
    this.routes = new Set(allPages(app));
    this.launchOptions = { path: opts.path ?? app.pages[0], query: opts.query ?? {}, scene: opts.scene ?? 1001, referrerInfo: {}, apiCategory: 'default' };
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  async start(): Promise<void> {
    process.on('unhandledRejection', this.onRejection);
    const wxObj = this.makeWx();
    const timer =
      (repeat: boolean) =>
      (fn: (...a: any[]) => void, ms = 0, ...args: any[]) => {
        const h = (repeat ? setInterval : setTimeout)(() => {
          if (!repeat) this.timers.delete(h);
          if (this.alive) this.guard('timer', () => fn(...args));
        }, ms);
        this.timers.add(h);
        return h;
      };
    const clear = (h: NodeJS.Timeout) => (this.timers.delete(h), clearTimeout(h));
    const cons = {
      log: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      warn: () => undefined,
      error: (...a: unknown[]) => this.consoleErrors.push(a.map(describe).join(' ')),
    };
    // the AppService globals: JS builtins, timers, console — and no window, document or process
    this.ctx = vm.createContext({
      console: cons,
      setTimeout: timer(false),
      setInterval: timer(true),
      clearTimeout: clear,
      clearInterval: clear,
      wx: wxObj,
      App: (cfg: Obj) => (this.appInst = cfg),
      Page: (cfg: Obj) => this.pageConfigs.set(this.loadingRoute, cfg),
      Component: (cfg: Obj) => this.pageConfigs.set(this.loadingRoute, cfg),
      Behavior: (cfg: Obj) => cfg,
      getApp: () => this.appInst,
      getCurrentPages: () => [...this.stack],
      requirePlugin: () => undefined,
    });
    this.require('app.js');
    if (!this.appInst) throw new Error('app.js did not call App()');
    const o = this.launchOptions;
    this.guard('App.onLaunch', () => this.appInst!.onLaunch?.call(this.appInst, o));
    this.guard('App.onShow', () => this.appInst!.onShow?.call(this.appInst, o));
    await this.openPage('launch', o.path, o.query);
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    for (const p of [...this.stack].reverse()) this.guard('onUnload', () => p.onUnload?.call(p));
    this.stack = [];
    await sleep(20);
    this.alive = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    process.off('unhandledRejection', this.onRejection);
  }

  // ---- modules -----------------------------------------------------------------------------------

  private require(file: string): Obj {
    const key = posix.normalize(file.endsWith('.js') ? file : `${file}.js`);
    const hit = this.modules.get(key);
    if (hit) return hit.exports;
    const mod = { exports: {} as Obj };
    this.modules.set(key, mod);
    const code = readFileSync(join(WEAPP_DIR, key), 'utf8');
    const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, this.ctx, { filename: join(WEAPP_DIR, key) });
    fn.call(mod.exports, (p: string) => this.require(p.startsWith('.') ? posix.join(posix.dirname(key), p) : p), mod, mod.exports);
    return mod.exports;
  }

  private guard<T>(where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.errors.push(`${where}: ${describe(e)}`);
      return undefined;
    }
  }

  // ---- pages -------------------------------------------------------------------------------------

  get page(): PageInst | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** `/pages/x/index?a=1` → route and query; fails like WeChat for pages app.json does not have. */
  private parseUrl(url: string): { route: string; query: Record<string, string> } {
    const [p, q = ''] = url.split('?');
    const base = this.page ? posix.dirname(this.page.route) : '';
    const route = p.startsWith('/') ? p.slice(1) : posix.join(base, p);
    const query: Record<string, string> = {};
    for (const part of q.split('&').filter(Boolean)) {
      const [k, v = ''] = part.split('=');
      query[k] = v; // WeChat passes the query values as written (still encoded)
    }
    return { route, query };
  }

  private async openPage(how: string, route: string, query: Record<string, string>): Promise<void> {
    if (!this.routes.has(route)) throw new Error(`page "${route}" is not found`);
    // WeChat compiles the page's WXSS (and what it imports) with wcsc; an error there and the page does not open
    const styleErrors = wxssOf(route).flatMap(wxssErrors);
    if (styleErrors.length) throw new Error(`page "${route}" has WXSS WeChat cannot compile: ${styleErrors.join('; ')}`);
    const pageJson = JSON.parse(readFileSync(join(WEAPP_DIR, `${route}.json`), 'utf8'));
    for (const c of Object.values<string>(pageJson.usingComponents ?? {})) {
      const comp = posix.join(posix.dirname(route), c);
      this.loadingRoute = comp;
      this.guard(`load ${comp}`, () => this.require(comp));
    }
    this.loadingRoute = route;
    if (!this.pageConfigs.has(route)) this.guard(`load ${route}`, () => this.require(route));
    const cfg = this.pageConfigs.get(route);
    if (!cfg) throw new Error(`${route}.js did not call Page()`);
    const inst: PageInst = Object.assign(Object.create(null), cfg, {
      route,
      __route__: route,
      options: query,
      data: JSON.parse(JSON.stringify(cfg.data ?? {})),
      is: route,
    });
    inst.setData = (patch: Obj, cb?: () => void) => {
      for (const [path, value] of Object.entries(patch)) setPath(inst.data, path, value === undefined ? value : JSON.parse(JSON.stringify(value)));
      if (cb) this.later(() => cb());
    };
    inst.createSelectorQuery = () => this.selectorQuery();
    inst.selectComponent = () => null;
    inst.getOpenerEventChannel = () => ({ emit() {}, on() {}, once() {}, off() {} });
    const prev = this.page;
    if (prev && how === 'navigateTo') this.guard(`${prev.route}.onHide`, () => prev.onHide?.call(prev));
    this.stack.push(inst);
    this.guard(`${route}.onLoad`, () => inst.onLoad?.call(inst, { ...query }));
    this.guard(`${route}.onShow`, () => inst.onShow?.call(inst));
    await sleep(0);
    this.guard(`${route}.onReady`, () => inst.onReady?.call(inst));
  }

  private unload(p: PageInst) {
    this.guard(`${p.route}.onUnload`, () => p.onUnload?.call(p));
  }

  private async navigate(api: string, o: Obj & Cb): Promise<void> {
    const done = (errMsg: string, extra: Obj = {}) => {
      this.navigations.push({ api, url: o.url ?? '', errMsg });
      if (errMsg.endsWith(':ok')) o.success?.({ errMsg, ...extra });
      else o.fail?.({ errMsg });
      o.complete?.({ errMsg });
    };
    await sleep(0);
    if (!this.alive) return;
    try {
      if (api === 'switchTab') return done('switchTab:fail can not switch to no-tabBar page');
      if (api === 'navigateBack') {
        const delta = Math.max(1, Number(o.delta ?? 1));
        if (this.stack.length <= 1) return done('navigateBack:fail cannot navigate back at first page.');
        for (let i = 0; i < delta && this.stack.length > 1; i++) this.unload(this.stack.pop()!);
        const top = this.page!;
        this.guard(`${top.route}.onShow`, () => top.onShow?.call(top));
        return done('navigateBack:ok');
      }
      const { route, query } = this.parseUrl(String(o.url ?? ''));
      if (!this.routes.has(route)) return done(`${api}:fail page "${route}" is not found`);
      if (api === 'navigateTo' && this.stack.length >= 10) return done('navigateTo:fail webview count limit exceed');
      if (api === 'redirectTo') this.unload(this.stack.pop()!);
      if (api === 'reLaunch') while (this.stack.length) this.unload(this.stack.pop()!);
      await this.openPage(api, route, query);
      done(`${api}:ok`, api === 'navigateTo' ? { eventChannel: { emit() {}, on() {} } } : {});
    } catch (e) {
      done(`${api}:fail ${describe(e)}`);
    }
  }

  // ---- the rendered tree -------------------------------------------------------------------------

  /** The current page as Taro rendered it through setData. */
  tree(page = this.page): Node {
    if (!page) throw new Error('no page open');
    return buildTree({ nn: 'root', cn: page.data.root?.cn ?? [] });
  }

  text(): string {
    return this.tree().text;
  }

  find(pred: (n: Node) => boolean): Node[] {
    return [...walk(this.tree())].filter(pred);
  }

  byId(id: string): Node | undefined {
    return this.find((n) => n.id === id)[0];
  }

  /** Waits until `what` (text or predicate over the page text) is on the current page. */
  async waitText(what: string | RegExp, timeout = 15000): Promise<void> {
    await this.waitFor(() => (typeof what === 'string' ? this.text().includes(what) : what.test(this.text())), timeout, `text ${what}`);
  }

  async waitRoute(route: string, timeout = 15000): Promise<void> {
    await this.waitFor(() => this.page?.route === route, timeout, `page ${route}`);
  }

  async waitFor(pred: () => boolean, timeout = 15000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (this.page && pred()) return;
      await sleep(25);
    }
    throw new Error(
      `timed out waiting for ${what}; on ${this.page?.route}: “${this.page ? this.text().slice(0, 400) : ''}”\nerrors: ${this.errors.join('\n')}\nrequests: ${this.requests
        .slice(-8)
        .map((r) => `${r.method} ${r.url} ${r.status} ${r.errMsg}`)
        .join('\n')}\ntoasts: ${this.toasts.slice(-5).join(' | ')}\nmodals: ${this.modals
        .slice(-3)
        .map((m) => `${m.title}: ${m.content}`)
        .join(' | ')}`,
    );
  }

  /** No request in flight and nothing new for `quietMs`. */
  async idle(quietMs = 150, timeout = 20000): Promise<void> {
    const deadline = Date.now() + timeout;
    let last = this.requests.length;
    let since = Date.now();
    while (Date.now() < deadline) {
      await sleep(25);
      if (this.pending || this.requests.length !== last) {
        last = this.requests.length;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
    }
  }

  private evt(type: string, target: Node, current: Node, detail: Obj = {}, extra: Obj = {}): Obj {
    const ref = (n: Node) => ({ id: n.id, offsetLeft: 0, offsetTop: 0, dataset: { sid: n.data.sid } });
    return {
      type,
      timeStamp: Date.now(),
      target: ref(target),
      currentTarget: ref(current),
      detail,
      touches: [],
      changedTouches: [],
      mark: {},
      mut: false,
      ...extra,
    };
  }

  /** Calls the page's `eh` for each node from `target` up that binds `type` (as WXML bubbles), `inTap` during a tap. */
  dispatch(type: string, target: Node, detail: Obj = {}, extra: Obj = {}, bubbles = true): void {
    const page = this.page!;
    const bound: Node[] = [];
    for (let n: Node | null = target; n; n = bubbles ? n.parent : null) {
      if (n.tmpl?.events.has(type)) {
        bound.push(n);
        if (n.tmpl.catches.has(type)) break;
      }
    }
    if (!bound.length) throw new Error(`nothing binds ${type} on <${target.tag}> “${target.text.slice(0, 40)}”`);
    const tap = type === 'tap';
    this.inTap = tap;
    try {
      for (const n of bound) this.guard(`${type} handler`, () => page.eh.call(page, this.evt(type, target, n, detail, extra)));
    } finally {
      this.inTap = false;
    }
  }

  /** Taps the smallest element whose text is (or contains) `what`, or the element with that id (`#id`). */
  tap(what: string): Node {
    const target = this.locate(what);
    this.dispatch('tap', target, { x: 10, y: 10 });
    // <button open-type="agreePrivacyAuthorization">: WeChat records the consent and fires the event
    const btn = [target, ...ancestors(target)].find((n) => n.tag === 'button');
    if (btn && btn.attr('open-type') === 'agreePrivacyAuthorization') {
      this.phone.privacyAgreed = true;
      this.dispatch('agreeprivacyauthorization', btn, {}, {}, false);
    }
    // <button open-type="getPhoneNumber">: after the tap WeChat asks the user, then fires the event (outside the tap)
    if (btn && btn.attr('open-type') === 'getPhoneNumber') {
      const n = this.phone.phoneNumber;
      const detail = n ? { code: this.phone.opts.wechat.phoneCode(n), errMsg: 'getPhoneNumber:ok' } : { errMsg: 'getPhoneNumber:fail user deny' };
      this.dispatch('getphonenumber', btn, detail, {}, false);
    }
    return target;
  }

  private locate(what: string): Node {
    if (what.startsWith('#')) {
      const n = this.byId(what.slice(1));
      if (!n) throw new Error(`no element ${what} on ${this.page?.route}`);
      return n;
    }
    const all = [...walk(this.tree())].filter((n) => n.tag !== '#text');
    const exact = all.filter((n) => n.text.trim() === what);
    const some = exact.length ? exact : all.filter((n) => n.text.includes(what));
    if (!some.length) throw new Error(`no “${what}” on ${this.page?.route}: “${this.text().slice(0, 300)}”`);
    // the innermost match (nothing inside it matches too)
    return some.find((n) => !n.children.some((c) => some.includes(c))) ?? some[some.length - 1];
  }

  /** Types into the input/textarea found by placeholder or `#id`. */
  input(what: string, value: string): void {
    const n = what.startsWith('#')
      ? this.byId(what.slice(1))
      : this.find((x) => (x.tag === 'input' || x.tag === 'textarea') && String(x.attr('placeholder') ?? '') === what)[0];
    if (!n) throw new Error(`no input ${what} on ${this.page?.route}`);
    this.dispatch('input', n, { value, cursor: value.length, keyCode: 0 }, {}, false);
  }

  /** Fires a non-tap event (`scrolltolower`, `change`…) on the element with this id. */
  fire(id: string, type: string, detail: Obj = {}): void {
    const n = this.byId(id);
    if (!n) throw new Error(`no element #${id}`);
    this.dispatch(type, n, detail, {}, false);
  }

  /** Draws a stroke on a `<canvas type="2d" id>` with touch events. */
  draw(id: string, points: [number, number][]): void {
    const n = this.byId(id);
    if (!n) throw new Error(`no canvas #${id}`);
    const t = (x: number, y: number) => ({ touches: [{ identifier: 0, x, y }], changedTouches: [{ identifier: 0, x, y }] });
    this.dispatch('touchstart', n, {}, t(...points[0]), false);
    for (const p of points.slice(1)) this.dispatch('touchmove', n, {}, t(...p), false);
    this.dispatch('touchend', n, {}, t(...points[points.length - 1]), false);
  }

  /** Calls the page's onShareAppMessage as the ··· menu does. */
  share(): Obj {
    const p = this.page!;
    if (typeof p.onShareAppMessage !== 'function') throw new Error(`${p.route} has no onShareAppMessage`);
    return p.onShareAppMessage.call(p, { from: 'menu' });
  }

  // ---- wx ----------------------------------------------------------------------------------------

  private later(fn: () => void, ms = 0) {
    const h = setTimeout(() => {
      this.timers.delete(h);
      if (this.alive) this.guard('callback', fn);
    }, ms);
    this.timers.add(h);
  }

  private ok(name: string, o: Cb | undefined, res: Obj = {}) {
    const r = { errMsg: `${name}:ok`, ...res };
    this.later(() => {
      o?.success?.(r);
      o?.complete?.(r);
    });
  }

  private fail(name: string, o: Cb | undefined, msg: string, extra: Obj = {}) {
    const r = { errMsg: `${name}:fail ${msg}`, ...extra };
    this.failures.push(r.errMsg);
    this.later(() => {
      o?.fail?.(r);
      o?.complete?.(r);
    });
  }

  private route(url: string): string | null {
    try {
      const u = new URL(url);
      return u.origin === API_ORIGIN ? this.phone.opts.serverUrl + u.pathname + u.search : null;
    } catch {
      return null;
    }
  }

  private tempPath(ext: string): string {
    return `wxfile://tmp_${rand()}${ext}`;
  }

  private async http(
    api: RequestRecord['api'],
    name: string,
    o: Obj & Cb,
    method: string,
    init: () => Promise<RequestInit>,
    onResponse: (res: Response) => Promise<Obj>,
  ): Promise<void> {
    const rec: RequestRecord = { api, method, url: String(o.url), status: 0, errMsg: '', page: this.page?.route ?? '' };
    const target = this.route(String(o.url));
    if (!target) {
      rec.errMsg = `${name}:fail url not in domain list`;
      this.requests.push(rec);
      return this.fail(name, o, 'url not in domain list');
    }
    if (this.phone.offline) {
      rec.errMsg = `${name}:fail net::ERR_INTERNET_DISCONNECTED`;
      this.requests.push(rec);
      return this.fail(name, o, 'net::ERR_INTERNET_DISCONNECTED');
    }
    this.pending++;
    try {
      const req = await init();
      const headers = { ...((req.headers as Record<string, string>) ?? {}), 'x-forwarded-for': this.phone.address };
      const res = await fetch(target, { ...req, headers, method, signal: AbortSignal.timeout(Number(o.timeout ?? 60000)) });
      rec.status = res.status;
      const out = await onResponse(res);
      rec.errMsg = `${name}:ok`;
      this.requests.push(rec);
      this.ok(name, o, { statusCode: res.status, header: Object.fromEntries(res.headers), ...out });
    } catch (e) {
      rec.errMsg = `${name}:fail ${describe(e)}`;
      this.requests.push(rec);
      this.fail(name, o, /timeout|abort/i.test(describe(e)) ? 'timeout' : describe(e));
    } finally {
      this.pending--;
    }
  }

  private canvas(id: string): Canvas2D {
    if (!this.canvases.has(id)) this.canvases.set(id, new Canvas2D((fn, ms) => this.later(fn, ms)));
    return this.canvases.get(id)!;
  }

  private selectorQuery() {
    const results: ((cb?: (r: any) => void) => any)[] = [];
    const q: Obj = {
      in: () => q,
      selectViewport: () => nodesRef(null),
      select: (sel: string) => nodesRef(sel),
      selectAll: (sel: string) => nodesRef(sel),
      exec: (cb?: (r: any[]) => void) => this.later(() => cb?.(results.map((f) => f()))),
    };
    const nodesRef = (sel: string | null) => {
      const node = () => (sel && sel.startsWith('#') ? this.byId(sel.slice(1)) : undefined);
      const push = (f: () => any, cb?: (r: any) => void) => (
        results.push(() => {
          const r = f();
          cb?.(r);
          return r;
        }),
        q
      );
      return {
        boundingClientRect: (cb?: any) =>
          push(() => (sel && !node() ? null : { id: sel?.slice(1), left: 0, top: 0, right: 375, bottom: 200, width: 375, height: 200 }), cb),
        scrollOffset: (cb?: any) => push(() => ({ scrollLeft: 0, scrollTop: 0, scrollWidth: 375, scrollHeight: 2000 }), cb),
        fields: (f: Obj, cb?: any) =>
          push(() => {
            const n = node();
            if (!n) return null;
            const out: Obj = { id: n.id };
            if (f.size) Object.assign(out, { width: 343, height: 200 });
            if (f.node && n.tag === 'canvas') out.node = this.canvas(n.id);
            return out;
          }, cb),
        node: (cb?: any) => push(() => ({ node: node()?.tag === 'canvas' ? this.canvas(node()!.id) : null }), cb),
        context: (cb?: any) => push(() => ({ context: {} }), cb),
      };
    };
    return q;
  }

  private makeWx(): Obj {
    const phone = this.phone;
    const files = phone.files;
    const self = this;
    const sys = {
      pixelRatio: 2,
      screenWidth: 375,
      screenHeight: 667,
      windowWidth: 375,
      windowHeight: 667,
      statusBarHeight: 24,
      safeArea: { left: 0, right: 375, top: 24, bottom: 667, width: 375, height: 643 },
      brand: 'harness',
      model: 'harness',
      platform: 'android',
      system: 'Android 10',
      language: 'zh_CN',
      version: '8.0.50',
      SDKVersion: '3.5.0',
      theme: 'light',
      fontSizeSetting: 16,
      enableDebug: false,
      host: { env: 'WeChat' },
    };
    const readFile = (p: string): Buffer => {
      const b = files.get(p);
      if (!b) throw new Error(`no such file or directory, open ${p}`);
      return b;
    };
    const fsm: Obj = {
      saveFile(o: Obj & Cb) {
        if (!files.has(o.tempFilePath)) return self.fail('saveFile', o, `tempFilePath file not exist`);
        const dest = o.filePath ?? `wxfile://store_${rand()}${extname(o.tempFilePath)}`;
        files.set(dest, files.get(o.tempFilePath)!);
        files.delete(o.tempFilePath); // WeChat moves the temp file
        self.ok('saveFile', o, { savedFilePath: dest });
      },
      saveFileSync(tempFilePath: string, filePath?: string) {
        const dest = filePath ?? `wxfile://store_${rand()}${extname(tempFilePath)}`;
        files.set(dest, readFile(tempFilePath));
        files.delete(tempFilePath);
        return dest;
      },
      readFileSync: (p: string, enc?: string) => (enc ? readFile(p).toString(enc as BufferEncoding) : toArrayBuffer(readFile(p))),
      readFile(o: Obj & Cb) {
        if (!files.has(o.filePath)) return self.fail('readFile', o, `no such file or directory, open ${o.filePath}`);
        const b = files.get(o.filePath)!;
        self.ok('readFile', o, { data: o.encoding ? b.toString(o.encoding) : toArrayBuffer(b) });
      },
      writeFileSync: (p: string, data: string | ArrayBuffer, enc = 'utf8') =>
        void files.set(p, typeof data === 'string' ? Buffer.from(data, enc as BufferEncoding) : Buffer.from(data)),
      writeFile(o: Obj & Cb) {
        fsm.writeFileSync(o.filePath, o.data, o.encoding);
        self.ok('writeFile', o);
      },
      accessSync(p: string) {
        if (!files.has(p) && ![...files.keys()].some((k) => k.startsWith(p.replace(/\/?$/, '/'))))
          throw new Error(`accessSync:fail no such file or directory ${p}`);
      },
      access(o: Obj & Cb) {
        try {
          fsm.accessSync(o.path);
          self.ok('access', o);
        } catch {
          self.fail('access', o, `no such file or directory ${o.path}`);
        }
      },
      unlinkSync: (p: string) => void files.delete(p),
      unlink(o: Obj & Cb) {
        if (!files.delete(o.filePath)) return self.fail('unlink', o, `no such file or directory ${o.filePath}`);
        self.ok('unlink', o);
      },
      removeSavedFile(o: Obj & Cb) {
        if (!files.delete(o.filePath)) return self.fail('removeSavedFile', o, 'file not exist');
        self.ok('removeSavedFile', o);
      },
      getSavedFileList(o: Cb) {
        self.ok('getSavedFileList', o, {
          fileList: [...files.keys()]
            .filter((k) => k.startsWith('wxfile://store_'))
            .map((filePath) => ({ filePath, size: files.get(filePath)!.length, createTime: 0 })),
        });
      },
      getFileInfo(o: Obj & Cb) {
        if (!files.has(o.filePath)) return self.fail('getFileInfo', o, 'file not exist');
        self.ok('getFileInfo', o, { size: files.get(o.filePath)!.length });
      },
      statSync: (p: string) => ({ size: readFile(p).length, isFile: () => true, isDirectory: () => false }),
      mkdirSync: () => undefined,
      mkdir: (o: Cb) => self.ok('mkdir', o),
      copyFileSync: (a: string, b: string) => void files.set(b, readFile(a)),
      readdirSync: (dir: string) =>
        [...files.keys()].filter((k) => k.startsWith(dir.replace(/\/?$/, '/'))).map((k) => k.slice(dir.replace(/\/?$/, '/').length)),
    };
    const fsProxy = new Proxy(fsm, {
      get: (t, k: string) => {
        if (k in t) return t[k];
        if (FS_APIS.has(k))
          return () => {
            throw new Error(`FileSystemManager.${k} is not simulated by the weapp harness`);
          };
        return undefined;
      },
    });
    const photoFiles = (count: number, name: string, o: Cb): string[] | null => {
      if (!phone.photos.length) {
        self.fail(name, o, 'cancel');
        return null;
      }
      return phone.photos.splice(0, count).map((b) => {
        const p = self.tempPath('.jpg');
        files.set(p, b);
        return p;
      });
    };
    // APIs that need the privacy guide agreed first: WeChat asks the app (onNeedPrivacyAuthorization) and waits
    const privacy = (name: string, o: Cb, run: () => void) => {
      if (phone.privacyAgreed) return run();
      const handler = self.listeners.needPrivacy?.[0];
      if (!handler) return self.fail(name, o, 'privacy permission is not authorized', { errno: 104 });
      handler(
        (r: { event: string }) => {
          if (r?.event === 'agree') {
            phone.privacyAgreed = true;
            run();
          } else if (r?.event !== 'exposureAuthorization') self.fail(name, o, 'privacy permission is not authorized', { errno: 104 });
        },
        { referrer: name },
      );
    };

    const impl: Obj = {
      env: { USER_DATA_PATH: 'wxfile://usr' },
      // ---- system
      getSystemInfoSync: () => ({ ...sys }),
      getSystemInfo: (o: Cb) => self.ok('getSystemInfo', o, { ...sys }),
      getWindowInfo: () => ({ ...sys }),
      getDeviceInfo: () => ({ ...sys }),
      getAppBaseInfo: () => ({ ...sys }),
      getSystemSetting: () => ({ bluetoothEnabled: false, locationEnabled: true, wifiEnabled: true, deviceOrientation: 'portrait' }),
      getAppAuthorizeSetting: () => ({ albumAuthorized: 'authorized', cameraAuthorized: 'authorized', locationAuthorized: 'authorized' }),
      getAccountInfoSync: () => ({ miniProgram: { appId: 'wxfake0000000001', envVersion: 'release', version: '1.0.0' } }),
      getLaunchOptionsSync: () => ({ ...self.launchOptions }),
      getEnterOptionsSync: () => ({ ...self.launchOptions }),
      getMenuButtonBoundingClientRect: () => ({ width: 87, height: 32, top: 28, right: 368, bottom: 60, left: 281 }),
      canIUse: () => true,
      nextTick: (fn: () => void) => self.later(fn),
      getUpdateManager: () => ({ onCheckForUpdate() {}, onUpdateReady() {}, onUpdateFailed() {}, applyUpdate() {} }),
      getLogManager: () => ({ log() {}, info() {}, warn() {}, debug() {} }),
      getRealtimeLogManager: () => ({ info() {}, warn() {}, error() {}, setFilterMsg() {}, addFilterMsg() {} }),
      reportAnalytics: () => undefined,
      reportEvent: () => undefined,
      getNetworkType: (o: Cb) => self.ok('getNetworkType', o, { networkType: phone.offline ? 'none' : 'wifi' }),
      ...Object.fromEntries(
        [
          'onAppShow',
          'onAppHide',
          'onError',
          'onUnhandledRejection',
          'onPageNotFound',
          'onThemeChange',
          'onMemoryWarning',
          'onNetworkStatusChange',
          'onLazyLoadError',
          'onAppRoute',
          'onWindowResize',
          'onKeyboardHeightChange',
        ].flatMap((n) => [
          [n, (fn: () => void) => (self.listeners[n] ??= []).push(fn)],
          [`off${n.slice(2)}`, () => undefined],
        ]),
      ),
      // ---- storage (values are kept serialised, as WeChat does)
      setStorageSync: (k: string, v: unknown) => void phone.storage.set(k, JSON.stringify(v === undefined ? '' : v)),
      getStorageSync: (k: string) => (phone.storage.has(k) ? JSON.parse(phone.storage.get(k)!) : ''),
      removeStorageSync: (k: string) => void phone.storage.delete(k),
      clearStorageSync: () => phone.storage.clear(),
      getStorageInfoSync: () => ({ keys: [...phone.storage.keys()], currentSize: 1, limitSize: 10240 }),
      setStorage: (o: Obj & Cb) => (impl.setStorageSync(o.key, o.data), self.ok('setStorage', o)),
      getStorage: (o: Obj & Cb) =>
        phone.storage.has(o.key) ? self.ok('getStorage', o, { data: impl.getStorageSync(o.key) }) : self.fail('getStorage', o, 'data not found'),
      removeStorage: (o: Obj & Cb) => (phone.storage.delete(o.key), self.ok('removeStorage', o)),
      clearStorage: (o: Cb) => (phone.storage.clear(), self.ok('clearStorage', o)),
      // ---- navigation
      navigateTo: (o: Obj) => void self.navigate('navigateTo', o),
      redirectTo: (o: Obj) => void self.navigate('redirectTo', o),
      reLaunch: (o: Obj) => void self.navigate('reLaunch', o),
      switchTab: (o: Obj) => void self.navigate('switchTab', o),
      navigateBack: (o: Obj = {}) => void self.navigate('navigateBack', o),
      // ---- UI
      showToast: (o: Obj & Cb) => (self.toasts.push(String(o.title ?? '')), self.ok('showToast', o)),
      hideToast: (o?: Cb) => self.ok('hideToast', o),
      showLoading: (o: Obj & Cb) => self.ok('showLoading', o),
      hideLoading: (o?: Cb) => self.ok('hideLoading', o),
      showModal: (o: Obj & Cb) => (
        self.modals.push({ title: String(o.title ?? ''), content: String(o.content ?? '') }),
        self.ok('showModal', o, { confirm: true, cancel: false })
      ),
      showActionSheet: (o: Obj & Cb) => self.fail('showActionSheet', o, 'cancel'),
      setNavigationBarTitle: (o: Cb) => self.ok('setNavigationBarTitle', o),
      setNavigationBarColor: (o: Cb) => self.ok('setNavigationBarColor', o),
      pageScrollTo: (o: Cb) => self.ok('pageScrollTo', o),
      startPullDownRefresh: (o: Cb) => self.ok('startPullDownRefresh', o),
      stopPullDownRefresh: (o?: Cb) => self.ok('stopPullDownRefresh', o),
      hideKeyboard: (o?: Cb) => self.ok('hideKeyboard', o),
      vibrateShort: (o?: Cb) => self.ok('vibrateShort', o),
      makePhoneCall: (o: Cb) => self.ok('makePhoneCall', o),
      setClipboardData: (o: Obj & Cb) => (self.toasts.push('内容已复制'), self.ok('setClipboardData', o)),
      previewImage: (o: Cb) => self.ok('previewImage', o),
      previewMedia: (o: Cb) => self.ok('previewMedia', o),
      showShareMenu: (o?: Cb) => self.ok('showShareMenu', o),
      hideShareMenu: (o?: Cb) => self.ok('hideShareMenu', o),
      updateShareMenu: (o?: Cb) => self.ok('updateShareMenu', o),
      createSelectorQuery: () => self.selectorQuery(),
      createOffscreenCanvas: (o: Obj = {}) => Object.assign(new Canvas2D((fn, ms) => self.later(fn, ms)), { width: o.width ?? 300, height: o.height ?? 150 }),
      createIntersectionObserver: () => ({
        relativeTo() {
          return this;
        },
        relativeToViewport() {
          return this;
        },
        observe() {},
        disconnect() {},
      }),
      // ---- login, settings, privacy
      login: (o: Cb) => self.ok('login', o, { code: phone.opts.wechat.code(phone.opts.openid) }),
      checkSession: (o: Cb) => self.ok('checkSession', o),
      getSetting: (o: Cb) => self.ok('getSetting', o, { authSetting: { 'scope.userLocation': true } }),
      openSetting: (o: Cb) => self.ok('openSetting', o, { authSetting: {} }),
      authorize: (o: Cb) => self.ok('authorize', o),
      onNeedPrivacyAuthorization: (fn: () => void) => (self.listeners.needPrivacy = [fn]),
      requirePrivacyAuthorize: (o: Cb) => privacy('requirePrivacyAuthorize', o, () => self.ok('requirePrivacyAuthorize', o)),
      getPrivacySetting: (o: Cb) => self.ok('getPrivacySetting', o, { needAuthorization: !phone.privacyAgreed, privacyContractName: '《乡安隐私保护指引》' }),
      openPrivacyContract: (o: Cb) => self.ok('openPrivacyContract', o),
      requestSubscribeMessage: (o: Obj & Cb) => {
        const ids: string[] = Array.isArray(o.tmplIds) ? o.tmplIds : [];
        const ask = { tmplIds: ids, inTap: self.inTap, errMsg: '' };
        self.subscribeAsks.push(ask);
        if (!self.inTap) {
          ask.errMsg = 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.';
          return self.fail('requestSubscribeMessage', o, 'can only be invoked by user TAP gesture.', { errCode: 10004 });
        }
        if (!ids.length)
          return (
            (ask.errMsg = "requestSubscribeMessage:fail TmplIds can't be empty"),
            self.fail('requestSubscribeMessage', o, "TmplIds can't be empty", { errCode: 20001 })
          );
        if (ids.length > 3)
          return (
            (ask.errMsg = 'requestSubscribeMessage:fail Templates count out of max bounds'),
            self.fail('requestSubscribeMessage', o, 'Templates count out of max bounds', { errCode: 20003 })
          );
        ask.errMsg = 'requestSubscribeMessage:ok';
        self.ok('requestSubscribeMessage', o, Object.fromEntries(ids.map((id) => [id, phone.subscribeAnswer(id)])));
      },
      getLocation: (o: Cb) =>
        privacy('getLocation', o, () =>
          self.ok('getLocation', o, {
            latitude: 30.6598,
            longitude: 104.0633,
            accuracy: 20,
            speed: 0,
            altitude: 500,
            verticalAccuracy: 0,
            horizontalAccuracy: 20,
          }),
        ),
      chooseLocation: (o: Cb) => privacy('chooseLocation', o, () => self.fail('chooseLocation', o, 'cancel')),
      openLocation: (o: Cb) => self.ok('openLocation', o),
      // ---- media and files
      chooseMedia: (o: Obj & Cb) =>
        privacy('chooseMedia', o, () => {
          const paths = photoFiles(Number(o.count ?? 9), 'chooseMedia', o);
          if (paths)
            self.ok('chooseMedia', o, {
              type: 'image',
              tempFiles: paths.map((p) => ({
                tempFilePath: p,
                size: files.get(p)!.length,
                fileType: 'image',
                width: 0,
                height: 0,
                duration: 0,
                thumbTempFilePath: '',
              })),
            });
        }),
      chooseImage: (o: Obj & Cb) =>
        privacy('chooseImage', o, () => {
          const paths = photoFiles(Number(o.count ?? 9), 'chooseImage', o);
          if (paths) self.ok('chooseImage', o, { tempFilePaths: paths, tempFiles: paths.map((p) => ({ path: p, size: files.get(p)!.length })) });
        }),
      chooseMessageFile: (o: Cb) => self.fail('chooseMessageFile', o, 'cancel'),
      compressImage: (o: Obj & Cb) => {
        const src = files.get(o.src);
        if (!src) return self.fail('compressImage', o, 'file not found');
        let img = sharp(src);
        if (o.compressedWidth) img = img.resize({ width: Number(o.compressedWidth), withoutEnlargement: true });
        img
          .jpeg({ quality: Number(o.quality ?? 80) })
          .toBuffer()
          .then(
            (b) => {
              const p = self.tempPath('.jpg');
              files.set(p, b);
              self.ok('compressImage', o, { tempFilePath: p });
            },
            (e) => self.fail('compressImage', o, describe(e)),
          );
      },
      getImageInfo: (o: Obj & Cb) => {
        const b = files.get(o.src);
        if (!b) return self.fail('getImageInfo', o, 'file not found');
        sharp(b)
          .metadata()
          .then(
            (m) => self.ok('getImageInfo', o, { width: m.width, height: m.height, path: o.src, type: m.format, orientation: 'up' }),
            (e) => self.fail('getImageInfo', o, describe(e)),
          );
      },
      canvasToTempFilePath: (o: Obj & Cb) => {
        const c = o.canvas as Canvas2D | undefined;
        if (!(c instanceof Canvas2D)) return self.fail('canvasToTempFilePath', o, 'canvas is empty');
        c.png().then((b) => {
          const p = self.tempPath('.png');
          files.set(p, b);
          self.ok('canvasToTempFilePath', o, { tempFilePath: p });
        });
      },
      getFileSystemManager: () => fsProxy,
      saveFile: (o: Obj & Cb) => fsm.saveFile(o),
      getSavedFileList: (o: Cb) => fsm.getSavedFileList(o),
      removeSavedFile: (o: Obj & Cb) => fsm.removeSavedFile(o),
      getFileInfo: (o: Obj & Cb) => fsm.getFileInfo(o),
      openDocument: (o: Obj & Cb) => {
        const b = files.get(o.filePath);
        if (!b) return self.fail('openDocument', o, 'file not exist');
        const type = String(o.fileType ?? extname(String(o.filePath)).slice(1)).toLowerCase();
        if (!DOC_TYPES.includes(type)) return self.fail('openDocument', o, 'filetype not supported');
        self.opened.push({ filePath: o.filePath, fileType: type, bytes: b });
        self.ok('openDocument', o);
      },
      // ---- network
      request: (o: Obj & Cb) => {
        const method = String(o.method ?? 'GET');
        let aborted = false;
        if (!REQUEST_METHODS.includes(method)) {
          self.requests.push({
            api: 'request',
            method,
            url: String(o.url),
            status: 0,
            errMsg: `request:fail parameter error: parameter.method should be one of ${REQUEST_METHODS.join(', ')}`,
            page: self.page?.route ?? '',
          });
          self.fail('request', o, `parameter error: parameter.method should be one of ${REQUEST_METHODS.join(', ')}`);
        } else {
          const header: Record<string, string> = { ...(o.header ?? {}) };
          const ctype = Object.entries(header).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
          let url = String(o.url);
          let body: string | Buffer | undefined;
          const data = o.data;
          if (data !== undefined && data !== null) {
            if (method === 'GET' && typeof data === 'object') url += (url.includes('?') ? '&' : '?') + formEncode(data);
            else if (method !== 'GET')
              body =
                typeof data === 'string'
                  ? data
                  : data instanceof ArrayBuffer
                    ? Buffer.from(data)
                    : /x-www-form-urlencoded/.test(ctype)
                      ? formEncode(data)
                      : JSON.stringify(data);
          }
          if (!Object.keys(header).some((k) => k.toLowerCase() === 'content-type')) header['content-type'] = 'application/json';
          void self.http(
            'request',
            'request',
            {
              ...o,
              url,
              success: (r: Obj) => !aborted && o.success?.(r),
              fail: (r: Obj) => (aborted ? o.fail?.({ errMsg: 'request:fail abort' }) : o.fail?.(r)),
              complete: o.complete,
            },
            method,
            async () => ({ headers: header, body }),
            async (res) => {
              if (o.responseType === 'arraybuffer') return { data: toArrayBuffer(Buffer.from(await res.arrayBuffer())) };
              const text = await res.text();
              if (o.dataType === undefined || o.dataType === 'json') {
                try {
                  return { data: JSON.parse(text) };
                } catch {
                  return { data: text };
                }
              }
              return { data: text };
            },
          );
        }
        return { abort: () => (aborted = true), onHeadersReceived() {}, offHeadersReceived() {}, onChunkReceived() {}, offChunkReceived() {} };
      },
      uploadFile: (o: Obj & Cb) => {
        const b = files.get(String(o.filePath));
        const task = { abort() {}, onProgressUpdate() {}, offProgressUpdate() {}, onHeadersReceived() {}, offHeadersReceived() {} };
        if (!b) {
          self.requests.push({
            api: 'uploadFile',
            method: 'POST',
            url: String(o.url),
            status: 0,
            errMsg: 'uploadFile:fail file not found',
            page: self.page?.route ?? '',
          });
          self.fail('uploadFile', o, 'file not found');
          return task;
        }
        void self.http(
          'uploadFile',
          'uploadFile',
          o,
          'POST',
          async () => {
            const form = new FormData();
            for (const [k, v] of Object.entries<string>(o.formData ?? {})) form.append(k, String(v));
            const name = String(o.filePath).replace(/^.*[/_]/, '');
            form.append(String(o.name), new Blob([b], { type: MIME[extname(name)] ?? 'application/octet-stream' }), name);
            return { headers: { ...(o.header ?? {}) }, body: form };
          },
          async (res) => ({ data: await res.text() }),
        );
        return task;
      },
      downloadFile: (o: Obj & Cb) => {
        void self.http(
          'downloadFile',
          'downloadFile',
          o,
          'GET',
          async () => ({ headers: { ...(o.header ?? {}) } }),
          async (res) => {
            const b = Buffer.from(await res.arrayBuffer());
            const fromUrl = extname(new URL(String(o.url)).pathname);
            const ctype = res.headers.get('content-type') ?? '';
            const ext = fromUrl || Object.entries(MIME).find(([, m]) => ctype.startsWith(m))?.[0] || '';
            const p = o.filePath ?? `http://tmp/${rand()}${ext}`;
            files.set(p, b);
            return o.filePath ? { filePath: p } : { tempFilePath: p };
          },
        );
        return { abort() {}, onProgressUpdate() {}, offProgressUpdate() {}, onHeadersReceived() {}, offHeadersReceived() {} };
      },
    };

    const own: Obj = {}; // what the app itself puts on wx (webpack's `wx.webpackJsonp` chunk registry)
    return new Proxy(impl, {
      set: (_t, k, v) => ((own[k as string] = v), true),
      get(t, k) {
        if (typeof k !== 'string') return undefined;
        if (k in own) return own[k];
        if (!WX_APIS.has(k)) return undefined; // not a WeChat API: undefined, as in WeChat
        const v = k in t ? t[k] : (o?: Cb) => self.fail(k, o, `${k} is not simulated by the weapp harness`);
        if (typeof v !== 'function') return v;
        return (...args: any[]) => {
          self.calls.push({ name: k, page: self.page?.route ?? '', inTap: self.inTap });
          const o = args[0];
          // WeChat: an async API called without success/fail/complete answers a Promise
          if (PROMISE_APIS.has(k) && (o === undefined || (typeof o === 'object' && !o.success && !o.fail && !o.complete))) {
            return new (vm.runInContext('Promise', self.ctx) as PromiseConstructor)((resolve, reject) => v({ ...(o ?? {}), success: resolve, fail: reject }));
          }
          return v(...args);
        };
      },
      has: (_t, k) => typeof k === 'string' && (k in own || WX_APIS.has(k)),
    });
  }
}

// ------------------------------------------------------------------ helpers

function ancestors(n: Node): Node[] {
  const out: Node[] = [];
  for (let p = n.parent; p; p = p.parent) out.push(p);
  return out;
}

/** `root.cn.[0].cn.[2].v` or `root.cn[0].v` → set inside `obj`. */
function setPath(obj: Obj, path: string, value: unknown) {
  const keys = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let cur: Obj = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = value;
}

function formEncode(data: Obj): string {
  return Object.entries(data)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
    .join('&');
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function describe(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as Obj;
    if (typeof o.stack === 'string') return o.stack.split('\n').slice(0, 3).join(' | ');
    if (o.errMsg) return String(o.errMsg);
    if (o.message) return String(o.message);
    try {
      return JSON.stringify(e).slice(0, 300);
    } catch {
      /* fallthrough */
    }
  }
  return String(e);
}
