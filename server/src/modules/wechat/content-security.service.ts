import { Injectable, Logger } from '@nestjs/common';
import { beijingTime, LIMITS } from '@xiangan/shared';
import { AppConfig } from '../../config/app-config';
import { WechatClient, WechatError, WX_ERR } from './wechat.client';
import { fieldError } from '../../common/http/field-labels';

export type SecVerdict = 'pass' | 'review' | 'risky';

/**
 * The content-security hook every module calls before showing user text or images to others.
 * Off (WECHAT_CONTENT_SECURITY=false, the local default) it passes everything.
 */
@Injectable()
export class ContentSecurityService {
  private readonly logger = new Logger('ContentSecurity');
  constructor(
    private readonly cfg: AppConfig,
    private readonly wechat: WechatClient,
  ) {}

  get enabled(): boolean {
    return this.cfg.WECHAT_CONTENT_SECURITY && this.wechat.configured;
  }

  /**
   * Verdict for text written by `openid`. Long text is checked in 2,500-character pieces; the worst
   * piece decides. WeChat outages give `review` (held for officers) rather than failing the request.
   */
  async checkText(openid: string | null, text: string, scene: 1 | 2 | 3 | 4 = 2): Promise<SecVerdict> {
    if (!this.enabled || !openid || !text.trim()) return 'pass';
    let worst: SecVerdict = 'pass';
    for (let i = 0; i < text.length; i += LIMITS.msgSecCheckMax) {
      try {
        const r = await this.wechat.msgSecCheck(openid, text.slice(i, i + LIMITS.msgSecCheckMax), scene);
        if (r.suggest === 'risky') return 'risky';
        if (r.suggest === 'review') worst = 'review';
      } catch (err) {
        if (err instanceof WechatError && err.errcode === WX_ERR.CONTENT_RISKY) return 'risky';
        this.logger.warn(`msg_sec_check unavailable: ${(err as Error).message}`);
        worst = 'review';
      }
    }
    return worst;
  }

  /** Refuses risky text with a 400 naming the field. */
  async assertText(openid: string | null, field: string, text: string | undefined | null, scene: 1 | 2 | 3 | 4 = 2): Promise<SecVerdict> {
    if (!text) return 'pass';
    const v = await this.checkText(openid, text, scene);
    if (v === 'risky') throw fieldError(field, '含有不当内容，请修改后再提交');
    return v;
  }

  /** Starts the asynchronous image check; returns the trace id, or null when off (image passes at once). */
  async submitImage(openid: string | null, url: string, scene: 1 | 2 | 3 | 4 = 2): Promise<string | null> {
    if (!this.enabled || !openid) return null;
    const r = await this.wechat.mediaCheckAsync(openid, url, scene);
    return r.trace_id;
  }
}

/** Subscribe-message field helpers: WeChat refuses values over its limits. */
export const subscribeValue = {
  /** `thing`: at most 20 characters. */
  thing: (s: string) => ({ value: Array.from(s).length > 20 ? Array.from(s).slice(0, 19).join('') + '…' : s }),
  /** `phrase`: at most 5 汉字. */
  phrase: (s: string) => ({ value: Array.from(s).slice(0, 5).join('') }),
  /** `time`: `YYYY-MM-DD HH:mm`. */
  time: (d: Date) => ({ value: beijingTime(d) }),
  /** `character_string`: ≤ 32 of letters, digits, symbols. */
  code: (s: string) => ({ value: s.slice(0, 32) }),
};
