/**
 * The one wrapper around Taro.request. Every `services/<domain>.ts` goes through `api.*` here.
 *
 *   api.get<Paginated<HazardDto>>('/hazards', { query: { status: 'reported' } })
 *   api.post<HazardDto>('/hazards', body, { idempotent: true })          // retried safely
 *   api.post('/hazards/1/assign', body, { idempotent: draftKey })        // reuse your own key across taps
 *
 * - base URL from services/config.ts; bearer token from storage; JSON; 15 s timeout
 * - non-2xx → throws ApiError { statusCode, message (string), messages (string[]), error }
 * - authenticated calls wait for a login in progress (the silent weapp login at launch), so a page opened by a
 *   QR code / share card / subscribe message does not ask before the app has a token
 * - 401 → one silent re-login (weapp: wx.login → POST /auth/wechat) and the call is sent again; only if that fails
 *   the token is cleared and the app goes to the login page with `redirect` = this page, which it returns to
 * - network failure, timeouts and 5xx are retried with backoff (3 tries in all), but ONLY for GET/HEAD
 *   or writes marked `idempotent` (those carry an `Idempotency-Key` created once per call, or the one you pass)
 */
import Taro from '@tarojs/taro';
import type { ApiError as ApiErrorBody } from '@xiangan/shared';
import { apiUrl, HOME_PAGE, LOGIN_PAGE, TOKEN_KEY } from './config';
import { browserPageUrl, inBrowser, rawPageOptions } from '../platform/system';

/** No PATCH: `wx.request` does not offer it (the server answers PUT wherever it answers PATCH). */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: HttpMethod;
  data?: unknown;
  /** Appended as a query string; null/undefined/'' values are skipped. */
  query?: Record<string, QueryValue | QueryValue[]>;
  header?: Record<string, string>;
  /** Mark a write as retry-safe: `true` creates an Idempotency-Key for this call; a string is used as the key. */
  idempotent?: boolean | string;
  /** Total attempts for retry-safe requests (default 3). */
  tries?: number;
  /** ms; default 15 000. */
  timeout?: number;
  /** Send the bearer token (default true). */
  auth?: boolean;
  /** Session plumbing (login calls, the launch `GET /me`): no waiting for a login, no re-login, no login page on 401. */
  noLoginRedirect?: boolean;
}

/** An answer that was not 2xx, or no answer at all (statusCode 0). */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly error: string;
  /** Every message the server gave (validation errors name each field). */
  readonly messages: string[];
  constructor(statusCode: number, message: string | string[], error = '') {
    const list = Array.isArray(message) ? message.map(String) : [String(message ?? '')];
    super(list.filter(Boolean).join('；') || `HTTP ${statusCode}`);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.error = error;
    this.messages = list;
  }
  get isNetwork(): boolean {
    return this.statusCode === 0;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

// ---- token -------------------------------------------------------------------------------------

export function getToken(): string {
  try {
    return (Taro.getStorageSync(TOKEN_KEY) as string) || '';
  } catch {
    return '';
  }
}

export function setToken(token: string | null): void {
  if (token) Taro.setStorageSync(TOKEN_KEY, token);
  else Taro.removeStorageSync(TOKEN_KEY);
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();
/** The session store subscribes here so a 401 anywhere also clears `me`. */
export function onUnauthorized(fn: UnauthorizedListener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/**
 * The session store plugs in here (it imports this module, so not the other way round):
 *   ready()    resolves once no login is in progress (launch bootstrap, a re-login)
 *   relogin()  one silent login (weapp: wx.login code → token); false where there is none (h5)
 */
export interface AuthGate {
  ready(): Promise<void>;
  relogin(): Promise<boolean>;
}
let gate: AuthGate | null = null;
export function setAuthGate(g: AuthGate): void {
  gate = g;
}

/**
 * weapp hands page options over exactly as they stood in the URL (a QR code's `scene` still percent-encoded, which
 * the page decodes itself): keep such a value as it is, or the page would decode a different string. h5 decodes them.
 */
function queryValue(v: string): string {
  if (rawPageOptions && /^[\w%.~!*'(),:;@+/-]*$/.test(v)) return v;
  return encodeURIComponent(v);
}

/** The page on screen as `/pages/x/index?a=1` (its query kept: a QR code's `scene`, a message id). */
export function currentPageUrl(): string {
  // h5 (hash router): the address bar holds the page and its query as opened
  const inAddressBar = browserPageUrl();
  if (inAddressBar !== null) return inAddressBar;
  const pages = Taro.getCurrentPages();
  const page = pages[pages.length - 1] as { route?: string; path?: string; options?: Record<string, unknown> } | undefined;
  if (!page) return '';
  const raw = String(page.route ?? page.path ?? '');
  const [route, inline] = raw.split('?');
  const params: Record<string, string> = {};
  if (inline)
    for (const kv of inline.split('&')) {
      const [k, v = ''] = kv.split('=');
      if (k) params[k] = decodeURIComponent(v);
    }
  for (const [k, v] of Object.entries(page.options ?? {})) if (v !== undefined && v !== null) params[k] = String(v);
  const query = Object.entries(params)
    .filter(([k]) => !k.startsWith('$taro') && k !== 'stamp' && k !== 'redirect')
    .map(([k, v]) => `${encodeURIComponent(k)}=${queryValue(v)}`)
    .join('&');
  const path = `/${route.replace(/^\/+/, '')}`;
  return query ? `${path}?${query}` : path;
}

/**
 * A `redirect` value the login page may go to: a page of this app only (`/pages/…` or `/officer/…`), never a
 * URL, another mini-program or the login page itself. Anything else → null (the caller goes home).
 */
export function safeRedirect(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw) return null;
  let v = raw;
  // weapp hands query values over still encoded; h5 decodes them: undo up to two layers
  for (let i = 0; i < 2 && /^%2F/i.test(v); i++) {
    try {
      v = decodeURIComponent(v);
    } catch {
      return null;
    }
  }
  if (!/^\/(pages|officer)\/[a-z0-9-]+\/index(\?[^#\s]*)?$/.test(v)) return null;
  if (v.startsWith(LOGIN_PAGE)) return null;
  return v;
}

/** The login page URL that comes back to `here` (the page on screen when omitted) after logging in. */
export function loginUrlFor(here = currentPageUrl()): string {
  const back = safeRedirect(here);
  return back && !back.startsWith(HOME_PAGE) ? `${LOGIN_PAGE}?redirect=${encodeURIComponent(back)}` : LOGIN_PAGE;
}

let redirecting = false;
/** Clears the token and sends the app to the login page, which returns to this page afterwards (upload.ts uses it too). */
export function handleUnauthorized(noRedirect?: boolean) {
  setToken(null);
  unauthorizedListeners.forEach((fn) => fn());
  if (noRedirect || redirecting) return;
  const here = currentPageUrl();
  if (here.startsWith(LOGIN_PAGE)) return;
  redirecting = true;
  Taro.reLaunch({ url: loginUrlFor(here) }).finally(() => {
    redirecting = false;
  });
}

/**
 * For authenticated calls made without request() (uploadFile, downloadFile, fetch of binaries): waits for a login in
 * progress, sends, and after a 401 logs in again once and sends again; a second 401 goes to the login page.
 * `send` must read authHeader() itself (it is called again with the new token).
 */
export async function sendAuthed<R>(send: () => Promise<R>, statusOf: (r: R) => number): Promise<R> {
  await awaitLogin();
  const sentToken = getToken();
  let r = await send();
  if (statusOf(r) === 401 && (await recoverFrom401(sentToken))) r = await send();
  if (statusOf(r) === 401) handleUnauthorized();
  return r;
}

/** Before an authenticated call: wait for a login in progress. */
export async function awaitLogin(): Promise<void> {
  if (gate) await gate.ready().catch(() => undefined);
}

/**
 * After a 401 on a call sent with `sentToken`: true → send it again (another call logged in meanwhile, or one
 * silent re-login worked); false → the caller gives up (and the app goes to the login page).
 */
export async function recoverFrom401(sentToken: string): Promise<boolean> {
  const now = getToken();
  if (now && now !== sentToken) return true;
  if (!gate) return false;
  try {
    return await gate.relogin();
  } catch {
    return false;
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** A random key for `Idempotency-Key` (≤ 64 chars). Keep one per logical submission. */
export function newIdempotencyKey(): string {
  const rnd = () => Math.random().toString(36).slice(2, 10);
  return `${Date.now().toString(36)}-${rnd()}${rnd()}`;
}

export function buildQuery(query?: RequestOptions['query']): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (x === undefined || x === null || x === '') continue;
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** 0.6 s, 1.8 s … with ±25 % jitter so many phones do not retry in step. */
export function backoffMs(attempt: number): number {
  const base = 600 * Math.pow(3, attempt - 1);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function isRetryableStatus(status: number): boolean {
  return status === 0 || status >= 500;
}

/** Server error body → ApiError (the body may be JSON text when it came through uploadFile). */
export function toApiError(statusCode: number, body: unknown): ApiError {
  let data = body as Partial<ApiErrorBody> | string | undefined;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as Partial<ApiErrorBody>;
    } catch {
      /* plain text body */
    }
  }
  if (data && typeof data === 'object' && data.message !== undefined) {
    return new ApiError(statusCode, data.message as string | string[], data.error ?? '');
  }
  return new ApiError(statusCode, typeof data === 'string' && data.length < 200 ? data : '', '');
}

/** Run `attempt` up to `tries` times while it fails with a retryable ApiError. Shared with upload.ts. */
export async function withRetries<T>(attempt: () => Promise<T>, retrySafe: boolean, tries = 3): Promise<T> {
  const max = retrySafe ? Math.max(1, tries) : 1;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= max || !(err instanceof ApiError) || !isRetryableStatus(err.statusCode)) throw err;
      await sleep(backoffMs(i));
    }
  }
}

export function authHeader(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// ---- request -----------------------------------------------------------------------------------

interface Prefetched {
  token: string;
  at: number;
  res: Promise<{ status: number; body: string }>;
}

/**
 * h5: the answer that index.html's inline script fetched for this exact GET while the app's scripts downloaded (the
 * first page's list or text, which is what its largest paint waits for). Taken once, only when sent with the same
 * token and under 10 s old; a fetch that failed gives null and the call is sent as usual. Whatever the status, the
 * answer then goes through the same handling as a sent one (401 → login page, 5xx → retried by sending).
 */
async function takePrefetched(url: string, token: string): Promise<{ statusCode: number; data: unknown } | null> {
  const box = (window as unknown as { __xaPrefetch?: Record<string, Prefetched> }).__xaPrefetch;
  const e = box?.[url];
  if (!box || !e) return null;
  delete box[url];
  if (e.token !== token || Date.now() - e.at > 10_000) return null;
  const got = await e.res.catch(() => null);
  if (!got) return null;
  let data: unknown = got.body;
  try {
    data = JSON.parse(got.body);
  } catch {
    /* not JSON: kept as text, as Taro.request gives it */
  }
  return { statusCode: got.status, data };
}

export async function request<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const header: Record<string, string> = { Accept: 'application/json', ...opts.header };
  if (opts.data !== undefined) header['Content-Type'] = 'application/json';
  if (opts.idempotent) header['Idempotency-Key'] = typeof opts.idempotent === 'string' ? opts.idempotent : newIdempotencyKey();
  const retrySafe = method === 'GET' || method === 'HEAD' || !!opts.idempotent;
  const url = apiUrl(path) + buildQuery(opts.query);
  const plumbing = opts.auth === false || !!opts.noLoginRedirect;
  if (!plumbing) await awaitLogin();
  let reloggedIn = false;

  return withRetries(
    async function attempt(): Promise<T> {
      // read the token on every attempt: a login may have happened meanwhile
      const sentToken = getToken();
      const h = opts.auth === false ? header : { ...header, ...authHeader() };
      let res: { statusCode: number; data: unknown };
      // h5: the first page's data may have been fetched already, while the app loaded (index.html)
      const early = inBrowser && method === 'GET' ? await takePrefetched(url, opts.auth === false ? '' : sentToken) : null;
      if (early) res = early;
      else
        try {
          res = await Taro.request({
            url,
            method: method as keyof Taro.request.Method,
            data: opts.data as Record<string, unknown> | undefined,
            header: h,
            timeout: opts.timeout ?? 15000,
            dataType: 'json',
            responseType: 'text',
          });
        } catch (err) {
          const msg = (err as { errMsg?: string })?.errMsg ?? String(err);
          throw new ApiError(0, /timeout/i.test(msg) ? '网络超时，请稍后重试' : '网络连接失败，请检查网络后重试', 'NetworkError');
        }
      if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T;
      if (res.statusCode === 401 && !plumbing) {
        // a token that expired, or a call that beat the launch login: log in again silently, once, and resend
        if (!reloggedIn) {
          reloggedIn = true;
          if (await recoverFrom401(sentToken)) return attempt();
        }
        handleUnauthorized();
      }
      throw toApiError(res.statusCode, res.data);
    },
    retrySafe,
    opts.tries,
  );
}

export const api = {
  get: <T = unknown>(path: string, opts?: Omit<RequestOptions, 'method' | 'data'>) => request<T>(path, { ...opts, method: 'GET' }),
  post: <T = unknown>(path: string, data?: unknown, opts?: Omit<RequestOptions, 'method' | 'data'>) =>
    request<T>(path, { ...opts, method: 'POST', data: data ?? {} }),
  put: <T = unknown>(path: string, data?: unknown, opts?: Omit<RequestOptions, 'method' | 'data'>) =>
    request<T>(path, { ...opts, method: 'PUT', data: data ?? {} }),
  del: <T = unknown>(path: string, opts?: Omit<RequestOptions, 'method' | 'data'>) => request<T>(path, { ...opts, method: 'DELETE' }),
};

// ---- user-facing messages ----------------------------------------------------------------------

const STATUS_TEXT: Record<number, string> = {
  400: '填写的内容有误，请检查后再提交',
  401: '登录已过期，请重新登录',
  403: '没有权限进行此操作',
  404: '内容不存在或已删除',
  409: '状态已变化，请刷新后再试',
  413: '文件太大，请换一张小一点的图片',
  415: '文件类型不支持，请上传照片',
  429: '操作太频繁，请稍后再试',
};

const hasChinese = (s: string) => /[\u4e00-\u9fa5]/.test(s);

/** A message an older villager can read: the server's Chinese text when it has one, else plain words by status. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isNetwork) return err.message;
    // the server names each field in Chinese (`第 2 位签名：…`, `手机号须为 11 位大陆手机号`); shown as it is
    const zh = err.messages.filter(hasChinese);
    if (zh.length) return zh.join('；');
    if (err.statusCode >= 500) return '服务器繁忙，请稍后再试';
    return STATUS_TEXT[err.statusCode] ?? '操作没有成功，请稍后再试';
  }
  const msg = (err as { errMsg?: string; message?: string })?.errMsg ?? (err as Error)?.message ?? '';
  if (/cancel/i.test(msg)) return '';
  return hasChinese(msg) ? msg : '操作没有成功，请稍后再试';
}

/** Show `err` as a toast in Chinese (nothing for a user's own cancel). */
export function toastError(err: unknown): void {
  const title = errorText(err);
  if (!title) return;
  Taro.showToast({ title, icon: 'none', duration: 3000 });
}
