import { ConflictException, ForbiddenException, HttpException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
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
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { isTransientDbError } from '../../common/http/http-exception.filter';
import { PageQueryDto, pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { AppConfig } from '../../config/app-config';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { AuditService } from '../audit/audit.service';
import { monthCn } from '../hazards/hazard-month.rollup';
import { WechatClient, WechatError } from '../wechat/wechat.client';
import { campaignStatus, mapSignature, SignPledgeDto } from './dto/pledge.dto';
import { ChainRecord, chainHash, identityKey, sha256, subjectName, voidChainHash } from './pledge-chain';
import { fmtChina, PledgeCampaignsService } from './pledge-campaigns.service';
import { PledgeTemplatesService } from './pledge-templates.service';
import { PledgeCampaign, PledgeRosterEntry, PledgeSignature, PledgeTemplateVersion, PledgeVoid } from './pledge.entities';
import { assertSigned, decodeSignatureDataUrl } from './signature-image';
import { signedUpsert } from './pledge-month.rollup';
import { readSignatureImage } from './signature-art';
import { verifyCampaignChain } from './pledge-verify';
import { isMysql } from '../../common/db/dialect';
import { letterUnitOf } from './letter-unit';
import { FieldProblem, fieldError, fieldErrors, problem } from '../../common/http/field-labels';

/** A signature ready to be chained: checked, images stored, waiting for its seq. */
interface Prepared {
  campaignId: number;
  /** The campaign's roster kind when the request was checked (re-checked under the lock; not stored). */
  rosterKind: string | null;
  rosterEntryId: number | null;
  groupName: string | null;
  /** The unit a 责任书 is for (see letter-unit.ts); stored beside the chain, not in it. */
  unitOrgId: number | null;
  dedupeKey: string;
  signerUserId: number;
  clientKey: string;
  templateVersionId: number;
  contentHash: string;
  fields: Record<string, string>;
  images: { role: string; key: string; sha256: string }[];
}

type Outcome = { ok: PledgeSignature; replay?: boolean } | { err: HttpException };

const BATCH_MAX = 64;
/** How long the signing path reuses a campaign row (deadline, closing and roster kind are re-checked under the lock). */
const CAMPAIGN_TTL_MS = 2_000;
const IMAGE_URL_TTL_S = 3600;

@Injectable()
export class PledgeSignaturesService {
  private readonly logger = new Logger('PledgeSignatures');
  /** Per campaign (per process on SQLite): signatures waiting to be appended, and whether a writer runs. */
  private readonly queues = new Map<number, { item: Prepared; resolve: (o: Outcome) => void }[]>();
  private readonly running = new Set<number>();
  private readonly campaignCache = new Map<number, { c: PledgeCampaign; at: number }>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly campaigns: PledgeCampaignsService,
    private readonly templates: PledgeTemplatesService,
    private readonly cfg: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly wechat: WechatClient,
    private readonly audit: AuditService,
  ) {}

  private get mysql(): boolean {
    return isMysql(this.ds);
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
          const s = (await this.ds.getRepository(PledgeSignature).findOneBy({ id: earlier.id }))!;
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
    this.assertOpen(c);
    const version = await this.templates.version(c.templateVersionId);
    const signer = await this.signerPhone(user, dto);

    // a picked roster entry supplies who the pledge is about (student + class, or the unit)
    let picked: PledgeRosterEntry | null = null;
    if (c.rosterKind && dto.rosterId) {
      picked = await this.ds.getRepository(PledgeRosterEntry).findOne({ where: { id: dto.rosterId, campaignId: c.id } });
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
        entry = await this.ds.getRepository(PledgeRosterEntry).findOne({ where: { campaignId: c.id, dedupeKey: key } });
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
    const unitOrgId = await letterUnitOf(this.ds, c.kind, c.orgPath, fields.unitName, user);

    // images: decoded, non-blank, hashed, stored before the chain is touched. A duplicate (same pledge signed
    // before) is found under the chain lock; checking here as well would cost every signature a round trip.
    const signerLabel = (role: string) => version.signers.find((s) => s.role === role)!.label;
    const decoded = dto.signatures.map((s) => ({ role: s.role, png: decodeSignatureDataUrl(`signatures.${s.role}`, s.image, signerLabel(s.role)) }));
    await Promise.all(decoded.map((d) => assertSigned(`signatures.${d.role}`, signerLabel(d.role), d.png)));
    const stamp = randomUUID();
    const images = decoded.map((d) => ({ role: d.role, key: `pledges/${c.id}/${stamp}-${d.role}.png`, sha256: sha256(d.png) }));
    await Promise.all(decoded.map((d, i) => this.storage.put(images[i].key, d.png, 'image/png')));

    const outcome = await this.append({
      campaignId: c.id,
      rosterKind: c.rosterKind ?? null,
      rosterEntryId: entry?.id ?? null,
      groupName,
      unitOrgId,
      dedupeKey,
      signerUserId: user.id,
      clientKey,
      templateVersionId: version.id,
      contentHash: version.contentHash,
      fields,
      images,
    });
    if ('err' in outcome) {
      await Promise.all(images.map((i) => this.storage.delete(i.key).catch(() => undefined)));
      throw outcome.err;
    }
    if (outcome.replay) await Promise.all(images.map((i) => this.storage.delete(i.key).catch(() => undefined)));
    return { signature: await this.dto(outcome.ok, c, outcome.ok.templateVersionId === version.id ? version : undefined), replayed: !!outcome.replay };
  }

  private identityOf(c: PledgeCampaign, fields: Record<string, string>): string {
    const student = 'studentName' in fields || c.rosterKind === 'student';
    return identityKey(subjectName(fields), student ? fields.className : '', fields.phone);
  }

  private assertOpen(c: PledgeCampaign, now = new Date()): void {
    const st = campaignStatus(c, now);
    if (st === 'closed') throw new ConflictException(`《${c.title}》已关闭，不能再签署`);
    if (st === 'expired') throw new ConflictException(`《${c.title}》已于 ${fmtChina(c.deadline)} 截止，不能再签署`);
  }

  private duplicate(s: PledgeSignature): ConflictException {
    return new ConflictException(`已于 ${fmtChina(s.signedAt)} 签署过（编号 ${s.seq}），不能重复签署`);
  }

  /**
   * Appends to the campaign's chain. Requests for one campaign queue here and are written in batches,
   * each batch one transaction holding the campaign row lock (MySQL `SELECT … FOR UPDATE`), so any number
   * of processes produce one unbroken chain; a unique (campaignId, seq) makes a fork impossible regardless.
   */
  private append(item: Prepared): Promise<Outcome> {
    const lane = this.mysql ? item.campaignId : 0; // SQLite: one writer per process anyway
    return new Promise((resolve) => {
      const q = this.queues.get(lane) ?? [];
      q.push({ item, resolve });
      this.queues.set(lane, q);
      if (!this.running.has(lane)) void this.drain(lane);
    });
  }

  private async drain(lane: number): Promise<void> {
    this.running.add(lane);
    try {
      for (;;) {
        const q = this.queues.get(lane);
        if (!q?.length) break;
        const batch = q.splice(0, BATCH_MAX);
        // group by campaign (one lane may carry several on SQLite)
        const byCampaign = new Map<number, typeof batch>();
        for (const b of batch) byCampaign.set(b.item.campaignId, [...(byCampaign.get(b.item.campaignId) ?? []), b]);
        for (const [campaignId, part] of byCampaign) {
          let outcomes: Outcome[] | null = null;
          for (let attempt = 0; !outcomes; attempt++) {
            try {
              outcomes = await this.ds.transaction((m) =>
                this.commitBatch(
                  m,
                  campaignId,
                  part.map((p) => p.item),
                ),
              );
            } catch (err) {
              if (attempt < 4 && (isTransientDbError(err) || (err as Error).message === 'chain head moved')) {
                await new Promise((r) => setTimeout(r, 20 * (attempt + 1) + Math.random() * 30));
                continue;
              }
              this.logger.error(`chain append failed for campaign ${campaignId}: ${(err as Error).message}`);
              const e = isTransientDbError(err) ? new HttpException('服务繁忙，请稍后重试', 503) : new HttpException('签名保存失败，请重试', 500);
              outcomes = part.map(() => ({ err: e }));
            }
          }
          part.forEach((p, i) => p.resolve(outcomes![i]));
        }
      }
    } finally {
      this.running.delete(lane);
      if (this.queues.get(lane)?.length) void this.drain(lane);
      else this.queues.delete(lane);
    }
  }

  private async commitBatch(m: EntityManager, campaignId: number, items: Prepared[]): Promise<Outcome[]> {
    const lock = this.mysql ? ' FOR UPDATE' : '';
    const [head] = await m.query(
      `SELECT id, seq, lastHash, deadline, closedAt, title, rosterKind, templateVersionId FROM pledge_campaign WHERE id = ?${lock}`,
      [campaignId],
    );
    if (!head) return items.map(() => ({ err: new NotFoundException(`承诺书活动 ${campaignId} 不存在`) }));
    const c = m.create(PledgeCampaign, {
      id: head.id,
      title: head.title,
      deadline: toDate(head.deadline),
      closedAt: head.closedAt ? toDate(head.closedAt) : null,
    });
    let seq = Number(head.seq);
    let prev: string = head.lastHash;
    const startSeq = seq;

    const dupes = await m.find(PledgeSignature, { where: { campaignId, activeKey: In(items.map((i) => i.dedupeKey)) } });
    const byKey = new Map(dupes.map((d) => [d.dedupeKey, d]));
    const replays = await m.find(PledgeSignature, {
      where: { signerUserId: In([...new Set(items.map((i) => i.signerUserId))]), clientKey: In(items.map((i) => i.clientKey)) },
    });
    const now = new Date();
    const outcomes: (Outcome | { twin: number })[] = [];
    const rows: PledgeSignature[] = [];
    const inBatch = new Map<string, number>(); // signer + key → index of the outcome that key got in this batch
    for (const it of items) {
      const replay = replays.find((r) => r.signerUserId === it.signerUserId && r.clientKey === it.clientKey);
      if (replay) {
        outcomes.push({ ok: replay, replay: true });
        continue;
      }
      const keyOf = `${it.signerUserId}:${it.clientKey}`;
      const twin = inBatch.get(keyOf);
      if (twin !== undefined) {
        // the same key twice in one batch (a retry overtaking its first attempt): it shares the first one's fate
        outcomes.push({ twin });
        continue;
      }
      inBatch.set(keyOf, outcomes.length);
      if ((head.rosterKind ?? null) !== it.rosterKind || Number(head.templateVersionId) !== it.templateVersionId) {
        outcomes.push({ err: new ConflictException('承诺书活动刚刚更新（名单或版本），请刷新后重新签署') });
        continue;
      }
      const dup = byKey.get(it.dedupeKey);
      if (dup) {
        outcomes.push({ err: dup.id ? this.duplicate(dup) : new ConflictException('同一份承诺书正在提交，请勿重复签署') });
        continue;
      }
      try {
        this.assertOpen(c, now);
      } catch (err) {
        outcomes.push({ err: err as HttpException });
        continue;
      }
      seq += 1;
      const rec: ChainRecord = { ...it, seq, signedAt: new Date(now.getTime()) };
      const hash = chainHash(prev, rec);
      const { rosterKind: _checked, ...cols } = it;
      const row = m.create(PledgeSignature, { ...cols, seq, signedAt: rec.signedAt, prevHash: prev, chainHash: hash, activeKey: it.dedupeKey, voidedAt: null });
      rows.push(row);
      byKey.set(it.dedupeKey, m.create(PledgeSignature, { ...row, id: 0 }));
      outcomes.push({ ok: row });
      prev = hash;
    }
    const settleTwins = (): Outcome[] =>
      outcomes.map((o) => {
        if (!('twin' in o)) return o;
        const first = outcomes[o.twin] as Outcome;
        return 'ok' in first ? { ok: first.ok, replay: true } : first;
      });
    if (!rows.length) return settleTwins();
    await m.insert(PledgeSignature, rows);
    const saved = await m.find(PledgeSignature, { where: { campaignId, seq: In(rows.map((r) => r.seq)) } });
    const bySeq = new Map(saved.map((s) => [s.seq, s]));
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i];
      if ('ok' in o && !o.replay) outcomes[i] = { ok: bySeq.get(o.ok.seq)! };
    }
    const settled = settleTwins();
    // roster entries → their signature, one statement for the whole batch
    // (an entry keeps the signature it has; the count of entries newly linked goes to the campaign's rosterSigned —
    // an entry dropped by a roster import since the signer picked it is not counted)
    const linked = saved.filter((s) => s.rosterEntryId);
    let newlyLinked = 0;
    if (linked.length) {
      const res = await m.queryRunner!.query(
        `UPDATE pledge_roster_entry SET signatureId = CASE id ${linked.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${linked.map(() => '?').join(',')}) AND signatureId IS NULL`,
        [...linked.flatMap((s) => [s.rosterEntryId, s.id]), ...linked.map((s) => s.rosterEntryId)],
        true,
      );
      newlyLinked = Number(res.affected ?? 0);
    }
    // the statistics' rollup: this batch's signatures per China month (one upsert; only this campaign's rows,
    // which its row lock already serialises)
    const up = signedUpsert(
      campaignId,
      rows.map((r) => r.signedAt),
      this.mysql,
    );
    if (up) await m.query(up[0], up[1]);
    const moved = await m
      .createQueryBuilder()
      .update(PledgeCampaign)
      .set({ seq, lastHash: prev, ...(newlyLinked ? { rosterSigned: () => `rosterSigned + ${newlyLinked}` } : {}) })
      .where('id = :id AND seq = :startSeq', { id: campaignId, startSeq })
      .execute();
    if (!moved.affected) throw new Error('chain head moved');
    return settled;
  }

  // ---- reading ---------------------------------------------------------------------------------

  private signImageUrl(id: number, role: string): string {
    const exp = Math.floor(Date.now() / 1000) + IMAGE_URL_TTL_S;
    return `/api/pledge-signatures/${id}/images/${role}?exp=${exp}&sig=${this.hmac(`${id}:${role}:${exp}`)}`;
  }

  private hmac(s: string): string {
    return createHmac('sha256', this.cfg.JWT_SECRET).update(`pledge-image:${s}`).digest('base64url').slice(0, 32);
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
    const s = await this.ds.getRepository(PledgeSignature).findOne({ where: { id } });
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
    const e = Number(exp);
    const expected = this.hmac(`${id}:${role}:${exp}`);
    if (!Number.isInteger(e) || e < Date.now() / 1000 || !sig || sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
      throw new ForbiddenException('图片链接已失效，请刷新页面');
    }
    const s = await this.ds.getRepository(PledgeSignature).findOne({ where: { id } });
    const img = s?.images.find((i) => i.role === role);
    if (!s || !img) throw new NotFoundException('签名图片不存在');
    return readSignatureImage(this.storage, img.key);
  }

  async mine(user: AuthUser, q: PageQueryDto): Promise<Paginated<PledgeSignatureDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const [rows, total] = await this.ds
      .getRepository(PledgeSignature)
      .findAndCount({ where: { signerUserId: user.id }, order: { id: 'DESC' }, skip, take: pageSize });
    const camps = await this.ds.getRepository(PledgeCampaign).find({ where: { id: In([0, ...rows.map((r) => r.campaignId)]) } });
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
    const [rows, total] = await this.ds.getRepository(PledgeSignature).findAndCount({ where: { campaignId }, order: { seq: 'ASC' }, skip, take: pageSize });
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
    const v = await this.ds.getRepository(PledgeVoid).findOne({ where: { signatureId } });
    return v ? { seq: v.seq, reason: v.reason, voidedAt: v.voidedAt.toISOString(), voidedByName: v.voidedByName } : null;
  }

  /**
   * An officer in scope voids a signature (e.g. signed by someone who is not the guardian): a void link is
   * appended to the campaign's chain (the signature itself stays, unchanged), the pledge counts as unsigned
   * again — its roster entry freed, the statistics' month count lowered — so the real signer can sign. Audited.
   */
  async voidSignature(user: AuthUser, id: number, reason: string): Promise<PledgeSignatureDetailDto> {
    const s0 = await this.ds.getRepository(PledgeSignature).findOne({ where: { id } });
    if (!s0) throw new NotFoundException(`签名 ${id} 不存在`);
    const c = await this.campaigns.loadForOfficer(user, s0.campaignId).catch(() => {
      throw new NotFoundException(`签名 ${id} 不存在`);
    });
    const why = String(reason ?? '')
      .replace(/\s+/g, ' ')
      .trim();
    if (why.length < 2 || why.length > 200) throw fieldError('reason', '应为 2–200 个字', '作废原因');
    await this.ds.transaction(async (m) => {
      const lock = this.mysql ? ' FOR UPDATE' : '';
      const [head] = await m.query(`SELECT id, seq, lastHash FROM pledge_campaign WHERE id = ?${lock}`, [c.id]);
      const s = (await m.findOne(PledgeSignature, { where: { id } }))!;
      if (s.voidedAt) throw new ConflictException(`该签名已于 ${fmtChina(s.voidedAt)} 作废`);
      const startSeq = Number(head.seq);
      const seq = startSeq + 1;
      const voidedAt = new Date();
      const rec = { campaignId: c.id, seq, signatureId: s.id, signatureSeq: s.seq, signatureHash: s.chainHash, reason: why, voidedById: user.id, voidedAt };
      const hash = voidChainHash(head.lastHash, rec);
      await m.insert(PledgeVoid, { ...rec, voidedByName: user.name?.slice(0, 50) ?? null, prevHash: head.lastHash, chainHash: hash });
      const marked = await m.update(PledgeSignature, { id: s.id, voidedAt: IsNull() }, { activeKey: null, voidedAt });
      if (!marked.affected) throw new ConflictException('该签名刚刚已被作废');
      const freed = await m.queryRunner!.query('UPDATE pledge_roster_entry SET signatureId = NULL WHERE signatureId = ?', [s.id], true);
      const unlinked = Number(freed.affected ?? 0);
      await m.query('UPDATE pledge_month SET signed = signed - 1 WHERE campaignId = ? AND month = ? AND signed > 0', [c.id, monthCn(s.signedAt)]);
      const moved = await m
        .createQueryBuilder()
        .update(PledgeCampaign)
        .set({ seq, lastHash: hash, voidCount: () => 'voidCount + 1', ...(unlinked ? { rosterSigned: () => `rosterSigned - ${unlinked}` } : {}) })
        .where('id = :id AND seq = :startSeq', { id: c.id, startSeq })
        .execute();
      if (!moved.affected) throw new HttpException('服务繁忙，请稍后重试', 503);
      await this.audit.record(
        {
          actor: user,
          action: 'signature.void',
          orgPath: c.orgPath,
          targetType: 'pledge_signature',
          targetId: s.id,
          detail: { campaignId: c.id, signatureSeq: s.seq, voidSeq: seq, reason: why },
        },
        m,
      );
    });
    return this.get(user, id);
  }
}

function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  // SQLite returns `YYYY-MM-DD HH:MM:SS.mmm` in UTC
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}
