import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/** A non-zero `errcode` from WeChat. */
export class WechatError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`WeChat ${api} errcode ${errcode}: ${errmsg}`);
  }
}

/** Codes meaning the access token is no longer good: fetch a new one and try once more. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
export const WX_ERR = {
  INVALID_CODE: 40029,
  CODE_USED: 40163,
  RATE_LIMIT: 45011,
  BUSY: -1,
  NO_SUBSCRIBE_CONSENT: 43101,
  CONTENT_RISKY: 87014,
} as const;

export interface Code2SessionResult {
  openid: string;
  session_key: string;
  unionid?: string;
}

export type SecSuggest = 'pass' | 'review' | 'risky';

/**
 * Every call to WeChat's server API goes through here. The base URL comes from config
 * (WECHAT_API_BASE), so tests aim it at a local fake that answers in WeChat's own shapes.
 */
@Injectable()
export class WechatClient {
  private readonly logger = new Logger('WechatClient');
  private token: { value: string; expiresAt: number } | null = null;
  private tokenInflight: Promise<string> | null = null;

  constructor(private readonly cfg: AppConfig) {}

  get configured(): boolean {
    return !!(this.cfg.WECHAT_APPID && this.cfg.WECHAT_SECRET);
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const u = new URL(path, this.cfg.WECHAT_API_BASE.replace(/\/?$/, '/'));
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  private async json<T>(api: string, res: Response): Promise<T> {
    const text = await res.text();
    let body: { errcode?: unknown; errmsg?: unknown };
    try {
      // WeChat's msgid is a 64-bit integer: quote long ones before parsing so no digit is lost to a JS number.
      body = JSON.parse(text.replace(/("msgid"\s*:\s*)(\d{16,})/g, '$1"$2"'));
    } catch {
      throw new WechatError(-1, `non-JSON answer (HTTP ${res.status})`, api);
    }
    if (body.errcode) throw new WechatError(Number(body.errcode), String(body.errmsg ?? ''), api);
    return body as T;
  }

  private async fetch(url: string, init?: RequestInit): Promise<Response> {
    return fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
  }

  /** `wx.login` code → openid (GET /sns/jscode2session). */
  async code2Session(code: string): Promise<Code2SessionResult> {
    const res = await this.fetch(
      this.url('sns/jscode2session', {
        appid: this.cfg.WECHAT_APPID ?? '',
        secret: this.cfg.WECHAT_SECRET ?? '',
        js_code: code,
        grant_type: 'authorization_code',
      }),
    );
    return this.json<Code2SessionResult>('jscode2session', res);
  }

  /** Stable access token (POST /cgi-bin/stable_token), cached until 5 minutes before it expires. */
  async accessToken(forceRefresh = false): Promise<string> {
    if (!forceRefresh && this.token && this.token.expiresAt > Date.now()) return this.token.value;
    if (this.tokenInflight) return this.tokenInflight;
    this.tokenInflight = (async () => {
      const res = await this.fetch(this.url('cgi-bin/stable_token'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credential', appid: this.cfg.WECHAT_APPID, secret: this.cfg.WECHAT_SECRET, force_refresh: forceRefresh }),
      });
      const body = await this.json<{ access_token: string; expires_in: number }>('stable_token', res);
      this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(60, body.expires_in - 300) * 1000 };
      return body.access_token;
    })().finally(() => (this.tokenInflight = null));
    return this.tokenInflight;
  }

  /** POST with `?access_token=`, refreshing the token once when WeChat says it expired. */
  private async post<T>(api: string, path: string, payload: unknown, raw = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const res = await this.fetch(this.url(path, { access_token: token }), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      try {
        if (raw && (res.headers.get('content-type') ?? '').startsWith('image/')) return Buffer.from(await res.arrayBuffer()) as T;
        return await this.json<T>(api, res);
      } catch (err) {
        if (err instanceof WechatError && TOKEN_ERRORS.has(err.errcode) && attempt === 0) {
          this.logger.warn(`${api}: access token rejected (${err.errcode}), refreshing`);
          continue;
        }
        throw err;
      }
    }
  }

  /** Text content security v2 (POST /wxa/msg_sec_check). */
  async msgSecCheck(openid: string, content: string, scene: 1 | 2 | 3 | 4): Promise<{ suggest: SecSuggest; label: number }> {
    const body = await this.post<{ result: { suggest: SecSuggest; label: number } }>('msg_sec_check', 'wxa/msg_sec_check', {
      content,
      version: 2,
      scene,
      openid,
    });
    return body.result;
  }

  /**
   * The phone number a user agreed to share (`<Button openType="getPhoneNumber">` gives the code, valid once,
   * 5 minutes): POST /wxa/business/getuserphonenumber. Throws WechatError (40029 invalid code, …).
   */
  async getPhoneNumber(code: string): Promise<{ phoneNumber: string; purePhoneNumber: string; countryCode: string }> {
    const body = await this.post<{ phone_info?: { phoneNumber: string; purePhoneNumber: string; countryCode: string } }>(
      'getuserphonenumber',
      'wxa/business/getuserphonenumber',
      { code },
    );
    if (!body?.phone_info?.purePhoneNumber) throw new WechatError(-1, 'no phone_info in the answer', 'getuserphonenumber');
    const { phoneNumber, purePhoneNumber, countryCode } = body.phone_info;
    return { phoneNumber, purePhoneNumber, countryCode };
  }

  /** Image content security v2 (POST /wxa/media_check_async); the verdict comes later by callback. */
  async mediaCheckAsync(openid: string, mediaUrl: string, scene: 1 | 2 | 3 | 4): Promise<{ trace_id: string }> {
    return this.post('media_check_async', 'wxa/media_check_async', { media_url: mediaUrl, media_type: 2, version: 2, scene, openid });
  }

  /**
   * Subscribe message (POST /cgi-bin/message/subscribe/send) → WeChat's `msgid` as text (null if WeChat gave none).
   * Throws WechatError 43101 when the user has no consent left.
   */
  async sendSubscribeMessage(input: {
    openid: string;
    templateId: string;
    page?: string;
    data: Record<string, { value: string }>;
  }): Promise<{ msgid: string | null }> {
    const body = await this.post<{ msgid?: number | string }>('subscribe_send', 'cgi-bin/message/subscribe/send', {
      touser: input.openid,
      template_id: input.templateId,
      page: input.page,
      data: input.data,
      miniprogram_state: this.cfg.WECHAT_MINIPROGRAM_STATE === 'release' ? 'formal' : this.cfg.WECHAT_MINIPROGRAM_STATE === 'trial' ? 'trial' : 'developer',
      lang: 'zh_CN',
    });
    return { msgid: body?.msgid != null && body.msgid !== '' ? String(body.msgid) : null };
  }

  /** Mini-program code for any scene (POST /wxa/getwxacodeunlimit) → PNG/JPEG bytes. */
  async unlimitedQrCode(scene: string, page: string, width = 430): Promise<Buffer> {
    return this.post<Buffer>(
      'getwxacodeunlimit',
      'wxa/getwxacodeunlimit',
      { scene, page, width, check_path: false, env_version: this.cfg.WECHAT_MINIPROGRAM_STATE },
      true,
    );
  }
}
