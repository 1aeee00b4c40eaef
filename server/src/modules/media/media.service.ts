import { ForbiddenException, Inject, Injectable, Logger, NotFoundException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isOfficer, LIMITS, MEDIA_PURPOSES, MediaPurpose, MediaRef, MediaUploadedDto } from '@xiangan/shared';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { EntityManager, In, IsNull, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { RefsService } from '../../common/scope/refs.service';
import { AppConfig } from '../../config/app-config';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { ContentSecurityService } from '../wechat/content-security.service';
import { Media } from './media.entity';
import { fieldError, fieldErrors } from '../../common/http/field-labels';
import { urlSignature, verifyUrlSignature } from '../../common/security/signed-url';

/** Who may see media attached to an entity kind; the owning module registers it (hazards → hazard scope). */
export type MediaAccessPolicy = (user: AuthUser, entityId: number) => Promise<boolean>;

export type DetectedImage = 'jpeg' | 'png' | 'webp';

/** Image type from the first bytes — the file name and the client's Content-Type are never trusted. */
export function sniffImage(buf: Buffer): DetectedImage | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** The purpose an image must have been uploaded for to be attached to a record of this kind. */
export const ATTACH_PURPOSE: Record<string, MediaPurpose> = { hazard: 'hazard' };

/** Signed URLs stay valid this long; rounded to the hour so the same image keeps one URL (phone caches work). */
const URL_TTL_S = 6 * 3600;

/** What a media link signs: the image, its variant, and whether it is an officer's link (still valid after a risky verdict). */
const mediaPayload = (id: number, variant: 'full' | 'thumb', staff: boolean) => `${id}:${variant}${staff ? ':staff' : ''}`;

@Injectable()
export class MediaService {
  private readonly logger = new Logger('Media');
  private readonly policies = new Map<string, MediaAccessPolicy>();

  constructor(
    @InjectRepository(Media) private readonly repo: Repository<Media>,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly cs: ContentSecurityService,
    private readonly cfg: AppConfig,
    refs: RefsService,
  ) {
    // An image named in a body: uploaded for that purpose, by the caller (and, when asked, not attached yet),
    // or already held by the record being edited. Anything else (another user's upload, a hazard photo put in a
    // message) is refused like a missing id.
    refs.register('media', async (user, ids, ctx) => {
      const rows = await this.repo.find({ where: { id: In(ids) }, select: ['id', 'ownerId', 'purpose', 'entityId'] });
      const keep = new Set(ctx.keep ?? []);
      return new Set(
        rows
          .filter((m) => (!ctx.purpose || m.purpose === ctx.purpose) && (keep.has(m.id) || (m.ownerId === user.id && (!ctx.unattached || m.entityId == null))))
          .map((m) => m.id),
      );
    });
  }

  registerAccessPolicy(kind: string, policy: MediaAccessPolicy): void {
    this.policies.set(kind, policy);
  }

  // ---- upload ----------------------------------------------------------------------------------

  async upload(user: AuthUser, file: { buffer: Buffer; size: number } | undefined, purposeRaw: unknown): Promise<MediaUploadedDto> {
    const purpose = (purposeRaw ?? 'hazard') as MediaPurpose;
    if (!MEDIA_PURPOSES.includes(purpose)) throw fieldError('purpose', '不是可选的值');
    // Publicity images are readable by every signed-in user, so only officers may create them.
    if (purpose === 'message' && !isOfficer(user.role)) throw new ForbiddenException('只有工作人员可以上传宣传图片');
    if (!file?.buffer?.length) throw fieldErrors([{ field: 'file', message: '请选择图片后上传' }]);
    if (file.size > LIMITS.uploadMaxBytes) throw new PayloadTooLargeException(`图片不能超过 ${LIMITS.uploadMaxBytes / 1024 / 1024} MB`);

    const kind = sniffImage(file.buffer);
    if (!kind) throw new UnsupportedMediaTypeException('只支持 JPEG、PNG、WebP 格式的图片');
    let meta: sharp.Metadata;
    try {
      meta = await sharp(file.buffer, { limitInputPixels: false }).metadata();
    } catch {
      throw new UnsupportedMediaTypeException('图片已损坏或格式无法识别');
    }
    if (!['jpeg', 'png', 'webp'].includes(meta.format ?? '')) throw new UnsupportedMediaTypeException('只支持 JPEG、PNG、WebP 格式的图片');
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    if (!w || !h) throw new UnsupportedMediaTypeException('图片已损坏或格式无法识别');
    if (w * h > LIMITS.imageMaxPixels) throw new PayloadTooLargeException(`图片像素过大（${w}×${h}），请缩小后再上传`);

    const asWebp = meta.format === 'webp';
    let main: { data: Buffer; info: sharp.OutputInfo };
    let thumb: Buffer;
    try {
      // rotate() applies the EXIF orientation; sharp writes no metadata unless asked, so EXIF/GPS/XMP/ICC are dropped.
      const base = () => sharp(file.buffer, { limitInputPixels: LIMITS.imageMaxPixels, failOn: 'error' }).rotate().flatten({ background: '#ffffff' });
      const encode = (s: sharp.Sharp, q: number) => (asWebp ? s.webp({ quality: q }) : s.jpeg({ quality: q, mozjpeg: true }));
      main = await encode(base().resize({ width: LIMITS.imageMaxEdge, height: LIMITS.imageMaxEdge, fit: 'inside', withoutEnlargement: true }), 82).toBuffer({
        resolveWithObject: true,
      });
      thumb = await encode(base().resize({ width: LIMITS.thumbEdge, height: LIMITS.thumbEdge, fit: 'inside', withoutEnlargement: true }), 70).toBuffer();
    } catch (err) {
      this.logger.warn(`image re-encode failed: ${(err as Error).message}`);
      throw new UnsupportedMediaTypeException('图片已损坏或格式无法识别');
    }

    const now = new Date();
    const ext = asWebp ? 'webp' : 'jpg';
    const mime = asWebp ? 'image/webp' : 'image/jpeg';
    const stem = `media/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${randomBytes(12).toString('hex')}`;
    const storageKey = `${stem}.${ext}`;
    const thumbKey = `${stem}_t.${ext}`;
    await this.storage.put(storageKey, main.data, mime);
    await this.storage.put(thumbKey, thumb, mime);

    const checking = this.cs.enabled;
    const row = await this.repo.save(
      this.repo.create({
        ownerId: user.id,
        purpose,
        mime,
        storageKey,
        thumbKey,
        sha256: createHash('sha256').update(main.data).digest('hex'),
        size: main.data.length,
        width: main.info.width,
        height: main.info.height,
        secStatus: checking ? 'pending' : 'pass',
        secTraceId: null,
        entityKind: null,
        entityId: null,
      }),
    );
    if (checking) {
      try {
        const traceId = await this.cs.submitImage(user.openid, this.cfg.PUBLIC_BASE_URL.replace(/\/$/, '') + this.signedPath(row.id, 'full', 24 * 3600));
        if (traceId) await this.repo.update(row.id, { secTraceId: traceId });
      } catch (err) {
        // Stays pending: officers still see it, other residents do not.
        this.logger.warn(`media_check_async failed for media ${row.id}: ${(err as Error).message}`);
      }
    }
    return { ...this.refOf(row), width: row.width, height: row.height, size: row.size };
  }

  /**
   * WeChat's asynchronous image verdict (message push `wxa_media_check`, modules/wechat/wechat-push.service.ts),
   * stored as is: `pass` → shown to whoever may see the record; `risky` → officers only (not even the uploader);
   * `review` → as `pending` (uploader and officers), recorded so it can be found — there is no officer decision
   * path yet. Only a pending image takes a verdict: a repeated or late push cannot undo one.
   */
  async applyCheckResult(traceId: string, suggest: 'pass' | 'review' | 'risky'): Promise<number> {
    const r = await this.repo.update({ secTraceId: traceId, secStatus: 'pending' }, { secStatus: suggest });
    return r.affected ?? 0;
  }

  /**
   * An officer's own verdict (人工复核): `pass` shows the image to whoever may see its record, `risky` hides it from
   * every resident. Only for images attached to a record the officer may see (404 otherwise, as for reading), and
   * recorded with who and when. It is final: a WeChat verdict arriving later changes only a pending image.
   */
  async review(user: AuthUser, id: number, verdict: 'pass' | 'risky'): Promise<MediaRef> {
    const m = await this.repo.findOne({ where: { id } });
    const notFound = new NotFoundException(`图片 ${id} 不存在`);
    if (!m || !m.entityKind || m.entityId == null) throw notFound;
    const policy = this.policies.get(m.entityKind);
    if (!policy || !(await policy(user, m.entityId))) throw notFound;
    await this.repo.update({ id }, { secStatus: verdict, secReviewedBy: user.id, secReviewedAt: new Date() });
    return this.refOf({ ...m, secStatus: verdict }, user);
  }

  // ---- attach / refs -----------------------------------------------------------------------------

  /**
   * Binds uploaded images to a record. Each id must be the caller's own, uploaded for this kind of record
   * (`ATTACH_PURPOSE`), not attached yet; callers check the ids first with `RefsService.require(user, 'media', …)`
   * for a clear answer, and this update is conditional so two requests cannot attach one image twice.
   */
  async attach(ids: number[] | undefined, ownerUserId: number, kind: string, entityId: number, manager?: EntityManager, field = 'photoIds'): Promise<number[]> {
    const unique = [...new Set(ids ?? [])];
    if (!unique.length) return [];
    const repo = manager ? manager.getRepository(Media) : this.repo;
    const purpose = ATTACH_PURPOSE[kind];
    const r = await repo.update({ id: In(unique), ownerId: ownerUserId, entityId: IsNull(), ...(purpose ? { purpose } : {}) }, { entityKind: kind, entityId });
    if ((r.affected ?? 0) !== unique.length) {
      throw fieldError(field, '须是您本人为此上传、且尚未用在别处的图片');
    }
    return unique;
  }

  /** Refs in the order asked; unknown ids are skipped. `forResident`: hide images not yet passed by content security. */
  async refs(ids: number[], viewer?: AuthUser): Promise<MediaRef[]> {
    if (!ids.length) return [];
    const rows = await this.repo.find({ where: { id: In([...new Set(ids)]) } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids
      .map((id) => byId.get(id))
      .filter((m): m is Media => !!m && (!viewer || this.visibleBySecurity(viewer, m)))
      .map((m) => this.refOf(m, viewer));
  }

  /** Which of these ids are publicity images (`purpose: message`): the only images a message body renders. */
  async publicityIds(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.repo.find({ where: { id: In([...new Set(ids)]), purpose: 'message' }, select: ['id'] });
    return new Set(rows.map((r) => r.id));
  }

  /** Every image attached to these entities, grouped by entity id (list thumbnails, detail galleries). */
  async byEntities(kind: string, entityIds: number[]): Promise<Map<number, Media[]>> {
    const out = new Map<number, Media[]>();
    if (!entityIds.length) return out;
    const rows = await this.repo.find({ where: { entityKind: kind, entityId: In(entityIds) }, order: { id: 'ASC' } });
    for (const r of rows) {
      const list = out.get(r.entityId!) ?? [];
      list.push(r);
      out.set(r.entityId!, list);
    }
    return out;
  }

  /**
   * Signed URLs for an image. An officer viewing an image not passed by content security gets officer URLs
   * (`&o=1`, signed as such), which keep working after a `risky` verdict; everyone else's stop then.
   */
  refOf(m: Pick<Media, 'id'> & Partial<Pick<Media, 'secStatus'>>, viewer?: AuthUser): MediaRef {
    const staff = !!viewer && isOfficer(viewer.role) && !!m.secStatus && m.secStatus !== 'pass';
    const ref: MediaRef = { id: m.id, url: this.signedPath(m.id, 'full', URL_TTL_S, staff), thumbUrl: this.signedPath(m.id, 'thumb', URL_TTL_S, staff) };
    if (staff && m.secStatus && m.secStatus !== 'pass') ref.check = m.secStatus;
    return ref;
  }

  /** Content security: passed → anyone allowed the record; pending/review → also the uploader and officers; risky → officers only. */
  visibleBySecurity(viewer: AuthUser, m: Pick<Media, 'secStatus' | 'ownerId'>): boolean {
    if (m.secStatus === 'pass' || isOfficer(viewer.role)) return true;
    return m.secStatus !== 'risky' && m.ownerId === viewer.id;
  }

  /** visibleBySecurity as an SQL condition on the media alias `a` (for a query that picks images itself). */
  visibleBySecuritySql(viewer: AuthUser, a: string): { sql: string; params: unknown[] } {
    if (isOfficer(viewer.role)) return { sql: '1 = 1', params: [] };
    return { sql: `(${a}.secStatus = 'pass' OR (${a}.secStatus <> 'risky' AND ${a}.ownerId = ?))`, params: [viewer.id] };
  }

  // ---- reading bytes -----------------------------------------------------------------------------

  /**
   * `/api/media/12?exp=…&sig=…`: a capability URL handed only to users allowed to see the image
   * (an <Image> on the phone cannot send a bearer header). Expiry rounded to the hour.
   */
  signedPath(id: number, variant: 'full' | 'thumb', ttlS = URL_TTL_S, staff = false): string {
    const exp = Math.ceil((Date.now() / 1000 + ttlS) / 3600) * 3600;
    return `/api/media/${id}${variant === 'thumb' ? '/thumb' : ''}?exp=${exp}${staff ? '&o=1' : ''}&sig=${urlSignature(this.cfg.JWT_SECRET, 'media', mediaPayload(id, variant, staff), exp)}`;
  }

  private validSignature(id: number, variant: 'full' | 'thumb', exp?: string, sig?: string, staff = false): boolean {
    return verifyUrlSignature(this.cfg.JWT_SECRET, 'media', mediaPayload(id, variant, staff), exp, sig);
  }

  /** May `user` read this image? Owner; any signed-in user for publicity images; else the entity's policy. */
  async canRead(user: AuthUser, m: Media): Promise<boolean> {
    if (m.ownerId === user.id) return true;
    if (!this.visibleBySecurity(user, m)) return false;
    if (m.purpose === 'message') return true;
    if (!m.entityKind || m.entityId == null) return false;
    const policy = this.policies.get(m.entityKind);
    return policy ? policy(user, m.entityId) : false;
  }

  async open(
    user: AuthUser | undefined,
    id: number,
    variant: 'full' | 'thumb',
    exp?: string,
    sig?: string,
    officerUrl?: string,
  ): Promise<{ stream: Readable; mime: string; etag: string; signed: boolean }> {
    const m = await this.repo.findOne({ where: { id } });
    const notFound = new NotFoundException(`图片 ${id} 不存在`);
    if (!m) throw notFound;
    const staffSigned = officerUrl === '1' && this.validSignature(id, variant, exp, sig, true);
    const signed = staffSigned || this.validSignature(id, variant, exp, sig);
    if (!signed) {
      if (!user) throw notFound;
      if (!(await this.canRead(user, m))) throw notFound;
    }
    // Risky: officers only — a resident's URL handed out before the verdict stops working.
    if (m.secStatus === 'risky' && !staffSigned && (!user || !isOfficer(user.role))) throw notFound;
    const key = variant === 'thumb' ? m.thumbKey : m.storageKey;
    return { stream: await this.storage.stream(key), mime: m.mime, etag: `"${m.sha256.slice(0, 16)}${variant === 'thumb' ? 't' : ''}"`, signed };
  }
}
