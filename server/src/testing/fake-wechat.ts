/**
 * A local stand-in for api.weixin.qq.com that answers in WeChat's real request and response shapes,
 * errors included. Tests point WECHAT_API_BASE at it and script its behaviour.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWechatSend {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  at: number;
}

export class FakeWechat {
  readonly appid = 'wxfake0000000001';
  readonly secret = 'fake-secret-0123456789';
  /** js_code → openid for jscode2session. Unknown codes get 40029. */
  codes = new Map<string, string>();
  usedCodes = new Set<string>();
  /** Words that make msg_sec_check answer `risky`; `review` words answer review. */
  riskyWords = ['违禁词'];
  reviewWords = ['待人工复核'];
  /** openids whose subscribe sends answer 43101 (no consent left). */
  noConsent = new Set<string>();
  /** Fail the next N subscribe sends with errcode -1 (system busy). */
  failNextSends = 0;
  /** Make the next call with the current token answer 42001 (token expired). */
  expireTokenOnce = false;
  /** Answer jscode2session with this errcode next (e.g. 45011 rate limit, -1 busy). */
  nextLoginError: number | null = null;
  /** Delay every answer by this many ms (timeouts). */
  delayMs = 0;
  sends: FakeWechatSend[] = [];
  secChecks: { openid: string; content: string; scene: number }[] = [];
  mediaChecks: { openid: string; media_url: string; trace_id: string }[] = [];
  tokenIssued = 0;
  calls: { path: string; at: number }[] = [];
  private token = 'fake-token-0';
  private server: Server | null = null;
  baseUrl = '';

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', () => r()));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server!.close(() => r(undefined)));
    this.server = null;
  }

  /** Env for the server under test. */
  env(): Record<string, string> {
    return { WECHAT_API_BASE: this.baseUrl, WECHAT_APPID: this.appid, WECHAT_SECRET: this.secret };
  }

  /** Register a login code the way wx.login would hand one out. */
  code(openid: string): string {
    const c = `code-${openid}-${Math.random().toString(36).slice(2, 10)}`;
    this.codes.set(c, openid);
    return c;
  }

  private async body(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const s = Buffer.concat(chunks).toString('utf8');
    try {
      return s ? JSON.parse(s) : {};
    } catch {
      return {};
    }
  }

  private send(res: ServerResponse, body: unknown) {
    // WeChat answers JSON with HTTP 200 even for errors.
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private checkToken(url: URL): { errcode: number; errmsg: string } | null {
    const t = url.searchParams.get('access_token');
    if (!t) return { errcode: 41001, errmsg: 'access_token missing' };
    if (t !== this.token) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    if (this.expireTokenOnce) {
      this.expireTokenOnce = false;
      return { errcode: 42001, errmsg: 'access_token expired' };
    }
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.calls.push({ path: url.pathname, at: Date.now() });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const p = url.pathname;

    if (p === '/sns/jscode2session' && req.method === 'GET') {
      if (url.searchParams.get('appid') !== this.appid || url.searchParams.get('secret') !== this.secret) {
        return this.send(res, { errcode: 40013, errmsg: 'invalid appid' });
      }
      if (this.nextLoginError !== null) {
        const errcode = this.nextLoginError;
        this.nextLoginError = null;
        return this.send(res, { errcode, errmsg: errcode === 45011 ? 'api minute-quota reach limit' : 'system error' });
      }
      const code = url.searchParams.get('js_code') ?? '';
      if (this.usedCodes.has(code)) return this.send(res, { errcode: 40163, errmsg: 'code been used' });
      const openid = this.codes.get(code);
      if (!openid) return this.send(res, { errcode: 40029, errmsg: 'invalid code' });
      this.usedCodes.add(code);
      return this.send(res, { openid, session_key: Buffer.from(`sk-${openid}`).toString('base64') });
    }

    if (p === '/cgi-bin/stable_token' && req.method === 'POST') {
      const b = await this.body(req);
      if (b.appid !== this.appid || b.secret !== this.secret) return this.send(res, { errcode: 40013, errmsg: 'invalid appid' });
      if (b.force_refresh || this.tokenIssued === 0) this.token = `fake-token-${++this.tokenIssued}`;
      return this.send(res, { access_token: this.token, expires_in: 7200 });
    }

    if (p === '/wxa/msg_sec_check' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      if (b.version !== 2 || !b.openid || !b.scene || typeof b.content !== 'string') return this.send(res, { errcode: 47001, errmsg: 'data format error' });
      if (b.content.length > 2500) return this.send(res, { errcode: 47001, errmsg: 'content too long' });
      this.secChecks.push({ openid: b.openid, content: b.content, scene: b.scene });
      const risky = this.riskyWords.some((w) => b.content.includes(w));
      const review = this.reviewWords.some((w) => b.content.includes(w));
      const suggest = risky ? 'risky' : review ? 'review' : 'pass';
      return this.send(res, {
        errcode: 0,
        errmsg: 'ok',
        result: { suggest, label: risky ? 20006 : 100 },
        detail: [{ strategy: 'content_model', errcode: 0, suggest, label: risky ? 20006 : 100, prob: 90 }],
        trace_id: `trace-${Date.now()}`,
      });
    }

    if (p === '/wxa/media_check_async' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      const trace_id = `media-${this.mediaChecks.length + 1}`;
      this.mediaChecks.push({ openid: b.openid, media_url: b.media_url, trace_id });
      return this.send(res, { errcode: 0, errmsg: 'ok', trace_id });
    }

    if (p === '/cgi-bin/message/subscribe/send' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      if (this.failNextSends > 0) {
        this.failNextSends--;
        return this.send(res, { errcode: -1, errmsg: 'system error' });
      }
      if (this.noConsent.has(b.touser)) return this.send(res, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
      for (const [k, v] of Object.entries<{ value: string }>(b.data ?? {})) {
        if (k.startsWith('thing') && Array.from(v.value).length > 20) return this.send(res, { errcode: 47003, errmsg: `argument invalid! data.${k}.value` });
        if (k.startsWith('phrase') && Array.from(v.value).length > 5) return this.send(res, { errcode: 47003, errmsg: `argument invalid! data.${k}.value` });
      }
      this.sends.push({ touser: b.touser, template_id: b.template_id, page: b.page, data: b.data, at: Date.now() });
      return this.send(res, { errcode: 0, errmsg: 'ok', msgid: this.sends.length });
    }

    if (p === '/wxa/getwxacodeunlimit' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      if (!b.scene || String(b.scene).length > 32) return this.send(res, { errcode: 40169, errmsg: 'invalid length for scene' });
      // a tiny valid PNG (1×1), as WeChat answers image/jpeg or image/png bytes
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(png);
    }

    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errcode: 40066, errmsg: 'invalid url' }));
  }
}
