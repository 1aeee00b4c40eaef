/**
 * A local stand-in for api.weixin.qq.com that answers in WeChat's real request and response shapes,
 * errors included. Tests point WECHAT_API_BASE at it and script its behaviour.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWechatSend {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  at: number;
}

/** A message push as WeChat sends it: the URL's query and the JSON body. */
export interface FakePush {
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface FakePushOptions {
  /** 安全模式: encrypt the message and sign with msg_signature (default: plain mode). */
  safe?: boolean;
  /** Seconds since 1970 to sign with (default now). */
  timestamp?: number;
  /** The appid written inside the ciphertext (default this mini-program's). */
  appid?: string;
  /** Sign this as `Encrypt` instead of the real ciphertext (garbage tests). */
  encrypt?: string;
}

export class FakeWechat {
  readonly appid = 'wxfake0000000001';
  readonly secret = 'fake-secret-0123456789';
  /** js_code → openid for jscode2session. Unknown codes get 40029. */
  codes = new Map<string, string>();
  usedCodes = new Set<string>();
  /** getPhoneNumber code → the user's mainland phone (`purePhoneNumber`). Unknown or reused codes get 40029 / 40163. */
  phoneCodes = new Map<string, string>();
  usedPhoneCodes = new Set<string>();
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
  /** The console's 消息推送 settings (开发管理 → 消息推送): Token and EncodingAESKey. */
  readonly pushToken = 'FakePushToken2024';
  readonly pushAesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
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

  /** Env for the server's message-push endpoint: the Token, plus the EncodingAESKey in safe mode. */
  pushEnv(mode: 'plain' | 'safe'): Record<string, string> {
    return { WECHAT_PUSH_TOKEN: this.pushToken, ...(mode === 'safe' ? { WECHAT_PUSH_AES_KEY: this.pushAesKey } : {}) };
  }

  // ---- message push (WeChat → the server) ---------------------------------------------------------
  // Written from the message-push document, independently of the server's code, so the two check each other.

  private sha1Sorted(parts: string[]): string {
    return createHash('sha1')
      .update([...parts].sort().join(''))
      .digest('hex');
  }

  /** random(16) + msg length (4, big-endian) + msg + appid, PKCS#7 to 32-byte blocks, AES-256-CBC, IV = key[0..16). */
  encryptPush(msg: string, appid = this.appid): string {
    const key = Buffer.from(this.pushAesKey + '=', 'base64');
    const body = Buffer.from(msg, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const plain = Buffer.concat([randomBytes(16), len, body, Buffer.from(appid, 'utf8')]);
    const pad = 32 - (plain.length % 32);
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), c.final()]).toString('base64');
  }

  /** The `wxa_media_check` event (content security 2.0) WeChat pushes for a media_check_async trace id. */
  mediaCheckEvent(traceId: string, suggest: 'pass' | 'review' | 'risky'): Record<string, unknown> {
    const check = this.mediaChecks.find((c) => c.trace_id === traceId);
    const label = suggest === 'pass' ? 100 : 20002;
    return {
      ToUserName: 'gh_fake0000001',
      FromUserName: check?.openid ?? '',
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: this.appid,
      trace_id: traceId,
      version: 2,
      result: { suggest, label },
      detail: [{ strategy: 'content_model', errcode: 0, suggest, label, prob: 90 }],
    };
  }

  /** Signs (and in safe mode encrypts) `msg` as WeChat's push does. */
  signPush(msg: Record<string, unknown>, opts: FakePushOptions = {}): FakePush {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const signature = this.sha1Sorted([this.pushToken, timestamp, nonce]);
    if (!opts.safe) return { query: { signature, timestamp, nonce }, body: msg };
    const encrypt = opts.encrypt ?? this.encryptPush(JSON.stringify(msg), opts.appid);
    return {
      query: {
        signature,
        timestamp,
        nonce,
        openid: String(msg.FromUserName ?? ''),
        encrypt_type: 'aes',
        msg_signature: this.sha1Sorted([this.pushToken, timestamp, nonce, encrypt]),
      },
      body: { ToUserName: msg.ToUserName ?? 'gh_fake0000001', Encrypt: encrypt },
    };
  }

  /** POSTs a push to the server's push URL; WeChat counts only a quick 2xx as delivered. */
  async deliverPush(url: string, push: FakePush, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    const res = await fetch(`${url}?${new URLSearchParams(push.query)}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify(push.body),
    });
    return { status: res.status, text: await res.text() };
  }

  /** Sign and deliver in one step. */
  async push(url: string, msg: Record<string, unknown>, opts: FakePushOptions = {}): Promise<{ status: number; text: string }> {
    return this.deliverPush(url, this.signPush(msg, opts));
  }

  /** The console's 提交: a GET with signature, timestamp, nonce and echostr; the server must echo echostr. */
  async verifyPushUrl(url: string, opts: { token?: string; timestamp?: number } = {}): Promise<{ status: number; text: string; echostr: string }> {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const echostr = String(Math.floor(Math.random() * 1e18));
    const signature = this.sha1Sorted([opts.token ?? this.pushToken, timestamp, nonce]);
    const res = await fetch(`${url}?${new URLSearchParams({ signature, timestamp, nonce, echostr })}`);
    return { status: res.status, text: await res.text(), echostr };
  }

  /** Register a login code the way wx.login would hand one out. */
  code(openid: string): string {
    const c = `code-${openid}-${Math.random().toString(36).slice(2, 10)}`;
    this.codes.set(c, openid);
    return c;
  }

  /** A getPhoneNumber code (what `<Button openType="getPhoneNumber">` hands the page) for this phone. */
  phoneCode(phone: string): string {
    const c = `phone-${Math.random().toString(36).slice(2, 12)}`;
    this.phoneCodes.set(c, phone);
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

    if (p === '/wxa/business/getuserphonenumber' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      const code = typeof b.code === 'string' ? b.code : '';
      if (!code) return this.send(res, { errcode: 47001, errmsg: 'data format error' });
      if (this.usedPhoneCodes.has(code)) return this.send(res, { errcode: 40163, errmsg: 'code been used' });
      const phone = this.phoneCodes.get(code);
      if (!phone) return this.send(res, { errcode: 40029, errmsg: 'invalid code' });
      this.usedPhoneCodes.add(code);
      return this.send(res, {
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: phone,
          purePhoneNumber: phone,
          countryCode: '86',
          watermark: { timestamp: Math.floor(Date.now() / 1000), appid: this.appid },
        },
      });
    }
    if (p === '/wxa/getwxacodeunlimit' && req.method === 'POST') {
      const bad = this.checkToken(url);
      if (bad) return this.send(res, bad);
      const b = await this.body(req);
      if (!b.scene || String(b.scene).length > 32) return this.send(res, { errcode: 40169, errmsg: 'invalid length for scene' });
      // a tiny valid PNG (1×1), as WeChat answers image/jpeg or image/png bytes
      const png = Buffer.from(
        '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
        'hex',
      );
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(png);
    }

    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errcode: 40066, errmsg: 'invalid url' }));
  }
}
