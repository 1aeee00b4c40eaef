import { BadRequestException, ForbiddenException, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { MediaService } from '../media/media.service';
import type { SecSuggest } from './wechat.client';
import { decryptPush, pushSignature, PushDecryptError, signatureMatches } from './wechat-push.crypto';

/** Pushes signed further from now than this are refused (a captured request cannot be replayed later). */
export const PUSH_MAX_AGE_S = 300;

const SUGGESTS: readonly SecSuggest[] = ['pass', 'review', 'risky'];

type Query = Record<string, unknown>;

/** The verdict of a `wxa_media_check` push, or null when it carries none. */
export function mediaCheckVerdict(msg: Record<string, unknown>): SecSuggest | null {
  const s = (msg.result as { suggest?: unknown } | undefined)?.suggest as SecSuggest;
  if (SUGGESTS.includes(s)) return s;
  // Content security 1.0 shape, which some accounts still receive for 2.0 calls: isrisky 0/1, status_code 0 = checked.
  if (msg.result === undefined && Number(msg.status_code) === 0 && ['0', '1'].includes(String(msg.isrisky))) {
    return String(msg.isrisky) === '1' ? 'risky' : 'pass';
  }
  return null;
}

/**
 * The mini-program's 消息推送 endpoint: URL verification (GET) and pushed events (POST, JSON data format,
 * plain or safe mode). Today it acts on one event, `wxa_media_check` (the verdict of media_check_async);
 * every other event is acknowledged and ignored. Every refusal is logged with its reason (never the token).
 */
@Injectable()
export class WechatPushService {
  private readonly logger = new Logger('WechatPush');

  constructor(
    private readonly cfg: AppConfig,
    private readonly media: MediaService,
  ) {}

  /** `GET ?signature&timestamp&nonce&echostr` → echostr when the signature is right. */
  verifyUrl(q: Query, ip: string): string {
    const token = this.token();
    const [signature, timestamp, nonce, echostr] = this.params(q, ['signature', 'timestamp', 'nonce', 'echostr'], ip);
    this.fresh(timestamp, ip);
    if (!signatureMatches(pushSignature(token, timestamp, nonce), signature)) this.refuse(401, 'signature does not match', ip);
    return echostr;
  }

  /** `POST` one pushed message → `success` (WeChat retries anything but a quick 2xx). */
  async receive(q: Query, rawBody: unknown, ip: string): Promise<string> {
    const token = this.token();
    const [timestamp, nonce] = this.params(q, ['timestamp', 'nonce'], ip);
    this.fresh(timestamp, ip);
    const aesKey = this.cfg.WECHAT_PUSH_AES_KEY;
    let msg: Record<string, unknown>;
    if (q.encrypt_type === 'aes') {
      if (!aesKey) this.refuse(403, 'safe-mode push, but WECHAT_PUSH_AES_KEY is not set', ip);
      const [msgSignature] = this.params(q, ['msg_signature'], ip);
      const body = this.object(rawBody, ip); // msg_signature covers Encrypt, so the body is read first
      if (typeof body.Encrypt !== 'string' || !body.Encrypt) this.refuse(400, 'Encrypt is required in safe mode', ip);
      const encrypt = body.Encrypt as string;
      if (!signatureMatches(pushSignature(token, timestamp, nonce, encrypt), msgSignature)) this.refuse(401, 'msg_signature does not match', ip);
      let text: string;
      try {
        text = decryptPush(encrypt, aesKey!, this.cfg.WECHAT_APPID ?? '');
      } catch (err) {
        const e = err as PushDecryptError;
        this.refuse(e.kind === 'appid' ? 403 : 400, `Encrypt: ${e.message}`, ip);
      }
      msg = this.object(text!, ip);
    } else if (q.encrypt_type !== undefined && q.encrypt_type !== 'raw') {
      this.refuse(400, 'encrypt_type must be aes (safe mode) or absent (plain mode)', ip);
    } else {
      if (aesKey) this.refuse(403, 'plain-mode push refused: WECHAT_PUSH_AES_KEY is set, so only safe mode is accepted', ip);
      const [signature] = this.params(q, ['signature'], ip);
      if (!signatureMatches(pushSignature(token, timestamp, nonce), signature)) this.refuse(401, 'signature does not match', ip);
      msg = this.object(rawBody, ip);
    }
    await this.handle(msg!);
    return 'success';
  }

  private async handle(msg: Record<string, unknown>): Promise<void> {
    if (msg.MsgType !== 'event' || msg.Event !== 'wxa_media_check') {
      this.logger.log(`ignored push ${String(msg.MsgType ?? '?')}/${String(msg.Event ?? '')}`);
      return;
    }
    const traceId = typeof msg.trace_id === 'string' ? msg.trace_id : '';
    const verdict = mediaCheckVerdict(msg);
    if (!traceId || traceId.length > 64 || !verdict) {
      this.logger.warn(`wxa_media_check without a usable trace_id or verdict (trace_id "${traceId.slice(0, 64)}")`);
      return;
    }
    const n = await this.media.applyCheckResult(traceId, verdict);
    if (n) this.logger.log(`wxa_media_check ${traceId}: ${verdict} (${n} image)`);
    else this.logger.warn(`wxa_media_check ${traceId}: ${verdict} for no pending image (unknown trace_id or already decided)`);
  }

  // ---- checks --------------------------------------------------------------------------------------

  /** Without a token nothing can be verified, so the endpoint does not exist. */
  private token(): string {
    const t = this.cfg.WECHAT_PUSH_TOKEN;
    if (!t) throw new NotFoundException('消息推送未配置（WECHAT_PUSH_TOKEN）');
    return t;
  }

  private params(q: Query, names: string[], ip: string): string[] {
    return names.map((n) => {
      const v = q[n];
      if (typeof v !== 'string' || !v || v.length > 512) this.refuse(400, `${n} is required`, ip);
      return v as string;
    });
  }

  private fresh(timestamp: string, ip: string): void {
    const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (Number.isNaN(ts)) this.refuse(400, 'timestamp must be seconds since 1970', ip);
    if (Math.abs(Date.now() / 1000 - ts) > PUSH_MAX_AGE_S) this.refuse(401, `timestamp is more than ${PUSH_MAX_AGE_S} s from now (replay?)`, ip);
  }

  /** The JSON data format: a JSON object, whatever Content-Type it came with. */
  private object(raw: unknown, ip: string): Record<string, unknown> {
    let v = raw;
    if (Buffer.isBuffer(v)) v = v.toString('utf8');
    if (typeof v === 'string') {
      try {
        v = v.trim() ? JSON.parse(v) : {};
      } catch {
        this.refuse(400, 'body is not valid JSON (configure the JSON data format)', ip);
      }
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) this.refuse(400, 'body must be a JSON object', ip);
    return v as Record<string, unknown>;
  }

  private refuse(status: 400 | 401 | 403, reason: string, ip: string): never {
    this.logger.warn(`refused push from ${ip}: ${reason}`);
    if (status === 400) throw new BadRequestException([reason]);
    if (status === 401) throw new UnauthorizedException(reason);
    throw new ForbiddenException(reason);
  }
}
