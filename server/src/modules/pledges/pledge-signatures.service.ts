import { ForbiddenException, HttpException, Inject, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  isOfficer,
  maskName,
  maskPhone,
  Paginated,
  PHONE_PATTERN,
  PledgeSignatureDetailDto,
  PledgeSignatureDto,
  PledgeVerifyResult,
  PledgeVoidDto,
} from '@xiangan/shared';
import { randomUUID } from 'node:crypto';
import { DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { PageQueryDto, pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { urlSignature, verifyUrlSignature } from '../../common/security/signed-url';
import { AppConfig } from '../../config/app-config';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { WechatClient, WechatError } from '../wechat/wechat.client';
import { mapSignature, SignPledgeDto } from './dto/pledge.dto';
import { identityKey, sha256, subjectName } from './pledge-chain';
import { assertOpen, PledgeChainWriter } from './pledge-chain-writer';
import { PledgeCampaignsService } from './pledge-campaigns.service';
import { PledgeTemplatesService } from './pledge-templates.service';
import { PledgeCampaign, PledgeRosterEntry, PledgeSignature, PledgeTemplateVersion, PledgeVoid } from './pledge.entities';
import { assertSigned, decodeSignatureDataUrl } from './signature-image';
import { readSignatureImage } from './signature-art';
import { verifyCampaignChain } from './pledge-verify';
import { FieldProblem, fieldError, fieldErrors, problem } from '../../common/http/field-labels';

/**
 * How long the images of a signature save in doubt wait before the look at whether its row was stored: past any
 * connection's timeout, and past a database pause (a statement sent before it may still be applied when it ends).
 */
const IMAGES_SETTLE_AFTER_MS = 5 * 60_000;
export const PLEDGE_IMAGES_SETTLE_JOB = 'pledge-images-settle';
/** A signature save whose outcome was not known (see Outcome.unsure): its signer's key and the images it stored. */
export interface ImagesInDoubt {
  signerUserId: number;
  clientKey: string;
  keys: string[];
}

/** How long the signing path reuses a campaign row (deadline, closing and roster kind are re-checked under the lock). */
const CAMPAIGN_TTL_MS = 2_000;
const IMAGE_URL_TTL_S = 3600;

@Injectable()
export class PledgeSignaturesService implements OnModuleInit {
  private readonly logger = new Logger('PledgeSignatures');
  private readonly campaignCache = new Map<number, { c: PledgeCampaign; at: number }>();

  constructor(
    @InjectRepository(PledgeCampaign) private readonly pledgeCampaigns: Repository<PledgeCampaign>,
    @InjectRepository(PledgeRosterEntry) private readonly pledgeRosterEntries: Repository<PledgeRosterEntry>,
    @InjectRepository(PledgeSignature) private readonly pledgeSignatures: Repository<PledgeSignature>,
    @InjectRepository(PledgeVoid) private readonly pledgeVoids: Repository<PledgeVoid>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly campaigns: PledgeCampaignsService,
    private readonly templates: PledgeTemplatesService,
    private readonly cfg: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly wechat: WechatClient,
    private readonly chain: PledgeChainWriter,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  onModuleInit() {
    this.queue.register<ImagesInDoubt>(
      PLEDGE_IMAGES_SETTLE_JOB,
      async (doubt) => {
        await this.settleImages(doubt);
      },
      { concurrency: 1 },
    );
  }

  // ---- signing ---------------------------------------------------------------------------------

  /**
   * Signs. Idempotent by the signer's key: the signature row stores it (unique per signer), so a retry whose
   * first attempt committed gets that signature back (`replayed`), found under the chain lock — or, when the
   * retry itself is refused (the campaign closed meanwhile), by one lookup on that refusal path only.
   */
  async sign(user: AuthUser, campaignId: number, dto: SignPledgeDto, idempotencyKey?: string): Promise<{ signature: PledgeSignatureDto; replayed: boolean }> {
    const clientKey = idempotencyKey?.slice(0, 64) || `srv-${randomUUID()}`;
    try {
      return await this.signOnce(user, campaignId, dto, clientKey);
    } catch (err) {
      if (idempotencyKey && err instanceof HttpException && err.getStatus() < 500) {
        const [earlier] = await this.ds.query('SELECT id FROM pledge_signature WHERE signerUserId = ? AND clientKey = ?', [user.id, clientKey]);
        if (earlier) {
          const s = (await this.pledgeSignatures.findOneBy({ id: earlier.id }))!;
          return { signature: await this.dto(s, await this.campaigns.load(s.campaignId)), replayed: true };
        }
      }
      throw err;
    }
  }

  /**
   * The campaign as the signing path sees it, reused for CAMPAIGN_TTL_MS. Only a pre-check: the chain append
   * re-reads deadline, closing, roster kind and template version under the campaign row lock.
   */
  private async campaignForSigning(id: number): Promise<PledgeCampaign> {
    const now = Date.now();
    const hit = this.campaignCache.get(id);
    if (hit && now - hit.at < CAMPAIGN_TTL_MS) return hit.c;
    const c = await this.campaigns.load(id);
    if (this.campaignCache.size > 1000) this.campaignCache.clear();
    this.campaignCache.set(id, { c, at: now });
    return c;
  }

  /**
   * The signer's phone: verified by WeChat (`phoneCode` from getPhoneNumber) — required of WeChat accounts —
   * or typed (`phone`, else `fields.phone`) elsewhere. Whoever signs for a roster entry must hold its phone.
   */
  private async signerPhone(user: AuthUser, dto: SignPledgeDto): Promise<{ phone: string; verified: boolean }> {
    if (dto.phoneCode) {
      if (!this.wechat.configured) throw fieldErrors([{ field: 'phoneCode', message: '本服务未接入微信手机号验证，请直接填写手机号' }]);
      let info: { purePhoneNumber: string; countryCode: string };
      try {
        info = await this.wechat.getPhoneNumber(dto.phoneCode);
      } catch (err) {
        if (err instanceof WechatError && [40029, 40163, 47001, 40013].includes(err.errcode)) {
          throw fieldErrors([{ field: 'phoneCode', message: '微信手机号授权已失效，请重新点击“使用微信手机号”' }]);
        }
        this.logger.warn(`getPhoneNumber failed: ${(err as Error).message}`);
        throw new HttpException('微信手机号验证暂时不可用，请稍后重试', 503);
      }
      const phone = info.purePhoneNumber.replace(/\D/g, '');
      if (info.countryCode !== '86' || !PHONE_PATTERN.test(phone)) throw fieldErrors([{ field: 'phoneCode', message: '请使用中国大陆手机号' }]);
      return { phone, verified: true };
    }
    if (this.wechat.configured && user.openid && !user.openid.startsWith('dev:')) {
      throw fieldErrors([{ field: 'phoneCode', message: '请点击“使用微信手机号”验证监护人（负责人）手机号后再签署' }]);
    }
    const typed = typeof dto.phone === 'string' && dto.phone.trim() ? dto.phone : typeof dto.fields?.phone === 'string' ? dto.fields.phone : '';
    const phone = typed.replace(/[\s-]/g, '');
    const field = typeof dto.phone === 'string' && dto.phone.trim() ? 'phone' : 'fields.phone';
    if (!phone) throw fieldErrors([{ field, message: '请填写监护人（负责人）手机号' }]);
    if (!PHONE_PATTERN.test(phone)) throw fieldErrors([{ field, message: '监护人（负责人）手机号应为 11 位手机号' }]);
    if (dto.phone && typeof dto.fields?.phone === 'string' && dto.fields.phone.trim() && dto.fields.phone.replace(/[\s-]/g, '') !== phone) {
      throw fieldErrors([{ field: 'fields.phone', message: '承诺书上的手机号与验证的手机号不一致' }]);
    }
    return { phone, verified: false };
  }

  private async signOnce(
    user: AuthUser,
    campaignId: number,
    dto: SignPledgeDto,
    clientKey: string,
  ): Promise<{ signature: PledgeSignatureDto; replayed: boolean }> {
    const c = await this.campaignForSigning(campaignId);
    assertOpen(c);
    const version = await this.templates.version(c.templateVersionId);
    const signer = await this.signerPhone(user, dto);

    // a picked roster entry supplies who the pledge is about (student + class, or the unit)
    let picked: PledgeRosterEntry | null = null;
    if (c.rosterKind && dto.rosterId) {
      picked = await this.pledgeRosterEntries.findOne({ where: { id: dto.rosterId, campaignId: c.id } });
      if (!picked) throw fieldError('rosterId', '不在本活动名单中');
    }
    const fromRoster: Record<string, string> = !picked
      ? {}
      : c.rosterKind === 'student'
        ? { studentName: picked.name, className: picked.groupName }
        : { unitName: picked.name };

    // fields: exactly the declared ones, required present, phone valid
    const errors: FieldProblem[] = [];
    const fields: Record<string, string> = {};
    for (const k of Object.keys(dto.fields))
      if (!version.fields.some((f) => f.key === k)) errors.push({ field: `fields.${k}`, message: `这份承诺书没有「${k}」这一项` });
    for (const f of version.fields) {
      // the phone field holds the signer's checked phone (a verified one replaces whatever was typed)
      const raw = fromRoster[f.key] ?? (f.key === 'phone' && (signer.verified || dto.fields.phone === undefined) ? signer.phone : dto.fields[f.key]);
      const v = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : raw === undefined || raw === null ? '' : null;
      if (v === null) errors.push(problem(`fields.${f.key}`, '须为文字', f.label));
      else if (!v && f.required) errors.push(problem(`fields.${f.key}`, '不能为空', f.label));
      else if (v.length > 60) errors.push(problem(`fields.${f.key}`, '不能超过 60 个字', f.label));
      else if (v && f.type === 'phone' && !PHONE_PATTERN.test(v.replace(/[\s-]/g, ''))) errors.push(problem(`fields.${f.key}`, '应为 11 位手机号', f.label));
      else if (v) fields[f.key] = f.type === 'phone' ? v.replace(/[\s-]/g, '') : v;
    }
    const roles = dto.signatures.map((s) => s.role);
    for (const s of version.signers) if (!roles.includes(s.role)) errors.push(problem(`signatures.${s.role}`, '签名不能为空', s.label));
    for (const r of roles)
      if (!version.signers.some((s) => s.role === r)) errors.push({ field: `signatures.${r}`, message: `这份承诺书没有「${r}」这位签名人` });
    if (new Set(roles).size !== roles.length) errors.push(problem('signatures', '：每位签名人只签一次'));
    if (errors.length) throw fieldErrors(errors);

    // roster: the picked entry is authoritative for who the pledge is about
    let entry: PledgeRosterEntry | null = null;
    if (c.rosterKind) {
      if (picked) entry = picked;
      else {
        const key = this.identityOf(c, fields);
        entry = await this.pledgeRosterEntries.findOne({ where: { campaignId: c.id, dedupeKey: key } });
        if (!entry) throw fieldErrors([{ field: 'rosterId', message: '名单中没有找到该学生（单位），请在名单中搜索姓名后选择，或联系老师核对' }]);
      }
      // only the guardian (person in charge) the roster names may sign: their phone must be the entry's
      if (!entry.phone) throw new ForbiddenException('名单中没有登记联系电话，暂时不能签署，请联系老师补登');
      if (entry.phone.replace(/\D/g, '') !== signer.phone) {
        throw new ForbiddenException('您的手机号与名单中登记的监护人（负责人）手机号不一致，不能代他人签署。请用登记的手机号签署，或请老师核对名单');
      }
      if (c.rosterKind === 'student') {
        fields.studentName = entry.name;
        fields.className = entry.groupName;
      } else if (version.fields.some((f) => f.key === 'unitName')) fields.unitName = entry.name;
    } else if (dto.rosterId) throw fieldErrors([{ field: 'rosterId', message: '本活动没有名单，不用选择学生（单位）' }]);
    const dedupeKey = entry ? entry.dedupeKey : this.identityOf(c, fields);
    const groupName = entry ? entry.groupName : (fields.className ?? fields.unitName ?? null);

    // images: decoded, non-blank, hashed, stored before the chain is touched. A duplicate (same pledge signed
    // before) is found under the chain lock; checking here as well would cost every signature a round trip.
    const signerLabel = (role: string) => version.signers.find((s) => s.role === role)!.label;
    const decoded = dto.signatures.map((s) => ({ role: s.role, png: decodeSignatureDataUrl(`signatures.${s.role}`, s.image, signerLabel(s.role)) }));
    await Promise.all(decoded.map((d) => assertSigned(`signatures.${d.role}`, signerLabel(d.role), d.png)));
    const stamp = randomUUID();
    const images = decoded.map((d) => ({ role: d.role, key: `pledges/${c.id}/${stamp}-${d.role}.png`, sha256: sha256(d.png) }));
    await Promise.all(decoded.map((d, i) => this.storage.put(images[i].key, d.png, 'image/png', { fresh: true })));

    const outcome = await this.chain.append({
      campaignId: c.id,
      rosterKind: c.rosterKind ?? null,
      rosterEntryId: entry?.id ?? null,
      groupName,
      letter: { kind: c.kind, campaignPath: c.orgPath, unitName: fields.unitName, signer: { orgId: user.orgId, orgPath: user.orgPath } },
      dedupeKey,
      signerUserId: user.id,
      clientKey,
      templateVersionId: version.id,
      contentHash: version.contentHash,
      fields,
      images,
    });
    const keys = images.map((i) => i.key);
    if ('err' in outcome) {
      // a refusal stored nothing; a save in doubt may have stored the row with these images: looked at later
      if (outcome.unsure) this.settleLater({ signerUserId: user.id, clientKey, keys });
      else await this.deleteImages(keys);
      throw outcome.err;
    }
    if (outcome.replay) {
      // The row answered may be this request's own: the writer's retry after a COMMIT whose answer was lost finds
      // it as a replay. Only the images no row refers to go.
      const kept = new Set(outcome.ok.images.map((i) => i.key));
      await this.deleteImages(keys.filter((k) => !kept.has(k)));
    }
    return { signature: await this.dto(outcome.ok, c, outcome.ok.templateVersionId === version.id ? version : undefined), replayed: !!outcome.replay };
  }

  private async deleteImages(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.storage.delete(k).catch(() => undefined)));
  }

  /** Queues the look at a save in doubt; without a queue to take it (Redis down) the images stay (a few KB each). */
  private settleLater(doubt: ImagesInDoubt): void {
    this.queue
      .add(PLEDGE_IMAGES_SETTLE_JOB, doubt, { delayMs: IMAGES_SETTLE_AFTER_MS, attempts: 8, backoffMs: 60_000 })
      .catch((err) => this.logger.warn(`kept the images of a signature save in doubt (${doubt.keys.join(', ')}): ${(err as Error).message}`));
  }

  /**
   * After a save in doubt: deletes those of its images no signature row refers to (the row was stored with them, or
   * never). The answer's unique key finds the row — stored by this attempt, or by a retry with images of its own.
   * Throws while the database is unreachable (the job retries). Returns how many were deleted.
   */
  async settleImages(doubt: ImagesInDoubt): Promise<number> {
    const row = await this.pledgeSignatures.findOne({ where: { signerUserId: doubt.signerUserId, clientKey: doubt.clientKey }, select: ['id', 'images'] });
    const kept = new Set((row?.images ?? []).map((i) => i.key));
    const gone = doubt.keys.filter((k) => !kept.has(k));
    await this.deleteImages(gone);
    if (gone.length) this.logger.log(`deleted ${gone.length} images of a signature save that did not happen (${doubt.clientKey})`);
    return gone.length;
  }

  private identityOf(c: PledgeCampaign, fields: Record<string, string>): string {
    const student = 'studentName' in fields || c.rosterKind === 'student';
    return identityKey(subjectName(fields), student ? fields.className : '', fields.phone);
  }

  // ---- reading ---------------------------------------------------------------------------------

  private signImageUrl(id: number, role: string): string {
    const exp = Math.floor(Date.now() / 1000) + IMAGE_URL_TTL_S;
    return `/api/pledge-signatures/${id}/images/${role}?exp=${exp}&sig=${urlSignature(this.cfg.JWT_SECRET, 'pledge-image', `${id}:${role}`, exp)}`;
  }

  private async dto(s: PledgeSignature, c: PledgeCampaign, version?: PledgeTemplateVersion): Promise<PledgeSignatureDto> {
    const v = version ?? (await this.templates.version(s.templateVersionId));
    const out = mapSignature(s, c, Object.fromEntries(v.signers.map((x) => [x.role, x.label])));
    out.images = out.images.map((i) => ({ ...i, url: this.signImageUrl(s.id, i.role) }));
    if (s.voidedAt) out.void = await this.voidOf(s.id);
    return out;
  }

  /** The caller's own signature, or an officer's in scope; everyone else 404. */
  private async loadReadable(user: AuthUser, id: number): Promise<{ s: PledgeSignature; c: PledgeCampaign }> {
    const s = await this.pledgeSignatures.findOne({ where: { id } });
    if (!s) throw new NotFoundException(`签名 ${id} 不存在`);
    const c = await this.campaigns.load(s.campaignId);
    if (s.signerUserId !== user.id && !(isOfficer(user.role) && this.scope.covers(user, c.orgPath))) throw new NotFoundException(`签名 ${id} 不存在`);
    return { s, c };
  }

  async get(user: AuthUser, id: number): Promise<PledgeSignatureDetailDto> {
    const { s, c } = await this.loadReadable(user, id);
    const version = await this.templates.version(s.templateVersionId);
    return { ...(await this.dto(s, c, version)), version: await this.templates.versionDto(version.id) };
  }

  /** PNG of one signer's signature; the URL carries a short-lived HMAC so <image> tags work without headers. */
  async image(id: number, role: string, exp: string, sig: string): Promise<Buffer> {
    if (!verifyUrlSignature(this.cfg.JWT_SECRET, 'pledge-image', `${id}:${role}`, exp, sig)) {
      throw new ForbiddenException('图片链接已失效，请刷新页面');
    }
    const s = await this.pledgeSignatures.findOne({ where: { id } });
    const img = s?.images.find((i) => i.role === role);
    if (!s || !img) throw new NotFoundException('签名图片不存在');
    return readSignatureImage(this.storage, img.key);
  }

  async mine(user: AuthUser, q: PageQueryDto): Promise<Paginated<PledgeSignatureDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const [rows, total] = await this.pledgeSignatures.findAndCount({ where: { signerUserId: user.id }, order: { id: 'DESC' }, skip, take: pageSize });
    const camps = await this.pledgeCampaigns.find({ where: { id: In([0, ...rows.map((r) => r.campaignId)]) } });
    const items = await Promise.all(
      rows.map((r) =>
        this.dto(
          r,
          camps.find((c) => c.id === r.campaignId)!,
        ),
      ),
    );
    return { items, total, page, pageSize };
  }

  async listForOfficer(user: AuthUser, campaignId: number, q: PageQueryDto): Promise<Paginated<PledgeSignatureDto>> {
    const c = await this.campaigns.loadForOfficer(user, campaignId);
    const { page, pageSize, skip } = pageOf(q);
    const [rows, total] = await this.pledgeSignatures.findAndCount({ where: { campaignId }, order: { seq: 'ASC' }, skip, take: pageSize });
    const version = await this.templates.version(c.templateVersionId);
    // a list: phones and people's names masked (one signature by id shows them in full); units' names stay
    const masked = (f: Record<string, string>, v: PledgeTemplateVersion) =>
      Object.fromEntries(
        Object.entries(f).map(([k, val]) => {
          const spec = v.fields.find((x) => x.key === k);
          if (spec?.type === 'phone' || k === 'phone') return [k, maskPhone(val) ?? ''];
          if (['studentName', 'guardianName', 'signerName', 'principalName'].includes(k)) return [k, maskName(val) ?? ''];
          return [k, val];
        }),
      );
    const items = await Promise.all(
      rows.map(async (r) => {
        const v = r.templateVersionId === version.id ? version : await this.templates.version(r.templateVersionId);
        const d = await this.dto(r, c, v);
        return { ...d, fields: masked(d.fields, v) };
      }),
    );
    return { items, total, page, pageSize };
  }

  // ---- tamper evidence -------------------------------------------------------------------------

  /** The chain recomputed (see pledge-verify.ts); with `images`, every stored PNG re-hashed too. */
  async verify(user: AuthUser, campaignId: number, images = true): Promise<PledgeVerifyResult> {
    const c = await this.campaigns.loadForOfficer(user, campaignId);
    return verifyCampaignChain(this.ds, this.storage, c, images);
  }

  // ---- voiding ---------------------------------------------------------------------------------

  async voidOf(signatureId: number): Promise<PledgeVoidDto | null> {
    const v = await this.pledgeVoids.findOne({ where: { signatureId } });
    return v ? { seq: v.seq, reason: v.reason, voidedAt: v.voidedAt.toISOString(), voidedByName: v.voidedByName } : null;
  }

  /**
   * An officer in scope voids a signature (e.g. signed by someone who is not the guardian): a void link is
   * appended to the campaign's chain, so the real signer can sign (PledgeChainWriter.appendVoid). Audited.
   */
  async voidSignature(user: AuthUser, id: number, reason: string): Promise<PledgeSignatureDetailDto> {
    const s0 = await this.pledgeSignatures.findOne({ where: { id } });
    if (!s0) throw new NotFoundException(`签名 ${id} 不存在`);
    const c = await this.campaigns.loadForOfficer(user, s0.campaignId).catch(() => {
      throw new NotFoundException(`签名 ${id} 不存在`);
    });
    const why = String(reason ?? '')
      .replace(/\s+/g, ' ')
      .trim();
    if (why.length < 2 || why.length > 200) throw fieldError('reason', '应为 2–200 个字', '作废原因');
    await this.chain.appendVoid(user, c, id, why);
    return this.get(user, id);
  }
}
