import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { SUBSCRIBE_TEMPLATE_KEYS, SubscribeTemplateKey, SubscriptionsDto } from '@xiangan/shared';
import { DataSource, EntityManager, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { AppConfig } from '../../config/app-config';
import { User } from '../users/user.entity';
import { WechatClient, WechatError, WX_ERR } from '../wechat/wechat.client';
import type { SubscribePush } from '../notifications/notifications.service';
import { SubscriptionConsent } from './subscription-consent.entity';
import { SubscribeDto } from './dto/subscriptions.dto';
import { isMysql } from '../../common/db/dialect';
import { fieldError } from '../../common/http/field-labels';

export type TrySendResult = 'sent' | 'no_consent' | 'skipped' | 'failed';

/** Errors where WeChat never got the message to the user, so the consent is handed back. */
export function isRetryableWechatError(err: unknown): boolean {
  if (err instanceof WechatError) return err.errcode !== WX_ERR.NO_SUBSCRIBE_CONSENT;
  // fetch could not connect: the request never left
  const cause = (err as { cause?: { code?: string } })?.cause;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(cause?.code ?? '');
}

/**
 * WeChat subscribe-message consents (one-time: each accept = one send) and the one way to spend them.
 * Other features call `trySend`; publicity's fan-out spends inside its own claim transaction (`spend`).
 */
@Injectable()
export class SubscriptionsService implements SubscribePush {
  private readonly logger = new Logger('Subscriptions');

  constructor(
    private readonly cfg: AppConfig,
    private readonly ds: DataSource,
    private readonly wechat: WechatClient,
    @InjectRepository(SubscriptionConsent) private readonly consents: Repository<SubscriptionConsent>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  /** Template id configured for a key (WECHAT_TPL_*), or null when that push is off. */
  templateId(key: SubscribeTemplateKey): string | null {
    const map: Record<SubscribeTemplateKey, string | undefined> = {
      publicity: this.cfg.WECHAT_TPL_PUBLICITY,
      hazardUpdate: this.cfg.WECHAT_TPL_HAZARD_UPDATE,
      hazardDeadline: this.cfg.WECHAT_TPL_HAZARD_DEADLINE,
      pledge: this.cfg.WECHAT_TPL_PLEDGE,
    };
    return map[key] || null;
  }

  /** WeChat sends are possible for this key: credentials and a template id configured. */
  canSend(key: SubscribeTemplateKey): boolean {
    return !!this.templateId(key) && this.wechat.configured;
  }

  async mine(user: AuthUser): Promise<SubscriptionsDto> {
    const keys = SUBSCRIBE_TEMPLATE_KEYS.filter((k) => this.templateId(k));
    const ids = keys.map((k) => this.templateId(k)!);
    const rows = ids.length
      ? await this.consents.createQueryBuilder('c').where('c.userId = :u', { u: user.id }).andWhere('c.templateId IN (:...ids)', { ids }).getMany()
      : [];
    return {
      templates: keys.map((key) => {
        const r = rows.find((x) => x.templateId === this.templateId(key));
        return { key, templateId: this.templateId(key)!, remaining: r?.remaining ?? 0, banned: r?.banned ?? false };
      }),
    };
  }

  /** What `wx.requestSubscribeMessage` answered: accept adds one send, ban clears, reject changes nothing. */
  async record(user: AuthUser, dto: SubscribeDto): Promise<SubscriptionsDto> {
    const known = new Set(SUBSCRIBE_TEMPLATE_KEYS.map((k) => this.templateId(k)).filter(Boolean));
    const bad = dto.templateIds.filter((t) => !known.has(t));
    if (bad.length) throw fieldError('templateIds', `中有本小程序不用的模板（${bad.length} 个）`);
    const missing = dto.templateIds.filter((t) => !dto.results[t]);
    if (missing.length) throw fieldError('results', `缺少 ${missing.length} 个模板的答复`);
    for (const t of dto.templateIds) {
      const r = dto.results[t];
      if (r === 'accept') await this.addConsent(user.id, t, 1);
      else if (r === 'ban') {
        await this.ensureRow(user.id, t);
        await this.consents.update({ userId: user.id, templateId: t }, { remaining: 0, banned: true });
      }
    }
    return this.mine(user);
  }

  private async ensureRow(userId: number, templateId: string, m: EntityManager = this.ds.manager): Promise<void> {
    const sql = isMysql(this.ds)
      ? 'INSERT IGNORE INTO subscription_consent (userId, templateId, remaining, banned, updatedAt) VALUES (?, ?, 0, 0, NOW(3))'
      : "INSERT OR IGNORE INTO subscription_consent (userId, templateId, remaining, banned, updatedAt) VALUES (?, ?, 0, 0, strftime('%Y-%m-%d %H:%M:%f','now'))";
    await m.query(sql, [userId, templateId]);
  }

  /** Adds consents atomically (an accept can arrive twice at once from a retried request without losing one). */
  async addConsent(userId: number, templateId: string, n: number): Promise<void> {
    await this.ensureRow(userId, templateId);
    await this.consents
      .createQueryBuilder()
      .update()
      .set({ remaining: () => `remaining + ${Math.trunc(n)}`, banned: false })
      .where('userId = :userId AND templateId = :templateId', { userId, templateId })
      .execute();
  }

  /** Spends one consent; false when none is left. Conditional, so two workers never spend the same one. */
  async spend(userId: number, templateId: string, m: EntityManager = this.ds.manager): Promise<boolean> {
    const r = await m
      .createQueryBuilder()
      .update(SubscriptionConsent)
      .set({ remaining: () => 'remaining - 1' })
      .where('userId = :userId AND templateId = :templateId AND remaining > 0', { userId, templateId })
      .execute();
    return (r.affected ?? 0) === 1;
  }

  /** Gives back a consent WeChat did not use (the send failed before reaching the user). */
  async refund(userId: number, templateId: string, m: EntityManager = this.ds.manager): Promise<void> {
    await m
      .createQueryBuilder()
      .update(SubscriptionConsent)
      .set({ remaining: () => 'remaining + 1' })
      .where('userId = :userId AND templateId = :templateId', { userId, templateId })
      .execute();
  }

  /** WeChat answered 43101: our count was wrong (the user turned it off) — nothing is left. */
  async zero(userId: number, templateId: string, m: EntityManager = this.ds.manager): Promise<void> {
    await m
      .createQueryBuilder()
      .update(SubscriptionConsent)
      .set({ remaining: 0 })
      .where('userId = :userId AND templateId = :templateId', { userId, templateId })
      .execute();
  }

  /**
   * One subscribe message to one user, spending one consent. Never throws for WeChat answers:
   * `skipped` (template not configured / no openid), `no_consent`, `failed` (consent handed back), `sent`.
   * Call it from a background job; it does not retry (a retry could send twice).
   */
  async trySend(userId: number, key: SubscribeTemplateKey, data: Record<string, { value: string }>, page: string): Promise<TrySendResult> {
    const templateId = this.templateId(key);
    if (!templateId || !this.wechat.configured) return 'skipped';
    const user = await this.users.findOne({ where: { id: userId } });
    if (!user?.openid || user.openid.startsWith('dev:') || user.disabled) return 'skipped';
    if (!(await this.spend(userId, templateId))) return 'no_consent';
    try {
      await this.wechat.sendSubscribeMessage({ openid: user.openid, templateId, page, data });
      return 'sent';
    } catch (err) {
      if (err instanceof WechatError && err.errcode === WX_ERR.NO_SUBSCRIBE_CONSENT) {
        await this.zero(userId, templateId);
        return 'no_consent';
      }
      if (isRetryableWechatError(err)) await this.refund(userId, templateId);
      this.logger.warn(`subscribe send to user ${userId} (${key}) failed: ${(err as Error).message}`);
      return 'failed';
    }
  }

  /** The notifications feature's hook (SUBSCRIBE_PUSH). */
  async send(input: {
    userId: number;
    template: 'hazard_deadline' | 'hazard_update' | 'pledge';
    page: string;
    data: Record<string, { value: string }>;
  }): Promise<boolean> {
    const key: SubscribeTemplateKey = input.template === 'hazard_deadline' ? 'hazardDeadline' : input.template === 'pledge' ? 'pledge' : 'hazardUpdate';
    return (await this.trySend(input.userId, key, input.data, input.page)) === 'sent';
  }
}
