import { BadRequestException, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CreatePledgeTemplateRequest, CreatePledgeTemplateVersionRequest, PLEDGE_KIND_LABELS, PLEDGE_KINDS, PledgeTemplateDto, PledgeTemplateVersionDto } from '@xiangan/shared';
import { DataSource, EntityManager, In } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { mapVersion } from './dto/pledge.dto';
import { canonicalJson, sha256 } from './pledge-chain';
import { DEFAULT_PLEDGE_TEMPLATES } from './pledge-defaults';
import { PledgeCampaign, PledgeSignature, PledgeTemplate, PledgeTemplateVersion } from './pledge.entities';

/** SHA-256 of the canonical wording: what a signer saw is pinned by this hash in every signature. */
export function versionContentHash(v: { kind: string; title: string; body: string; signers: unknown; fields: unknown }): string {
  return sha256(canonicalJson({ kind: v.kind, title: v.title, body: v.body, signers: v.signers, fields: v.fields }));
}

function checkSpec(req: CreatePledgeTemplateVersionRequest): void {
  const errors: string[] = [];
  const roles = req.signers.map((s) => s.role);
  if (new Set(roles).size !== roles.length) errors.push('signers must have distinct roles');
  const keys = req.fields.map((f) => f.key);
  if (new Set(keys).size !== keys.length) errors.push('fields must have distinct keys');
  if (!req.fields.some((f) => ['studentName', 'unitName', 'signerName', 'principalName'].includes(f.key))) {
    errors.push('fields must include one of studentName, unitName, signerName, principalName (who the pledge is for)');
  }
  if (errors.length) throw new BadRequestException(errors);
}

@Injectable()
export class PledgeTemplatesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('PledgeTemplates');
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.ensureDefaults();
    } catch (err) {
      // A database still being migrated by another process: the next start (or the seeder) fills them.
      this.logger.warn(`default pledge templates not seeded: ${(err as Error).message}`);
    }
  }

  /** The five shipped texts, once per database (unique builtinKey makes concurrent starts safe). */
  async ensureDefaults(): Promise<void> {
    const existing = await this.ds.getRepository(PledgeTemplate).find({ where: { builtinKey: In([...PLEDGE_KINDS]) } });
    for (const kind of PLEDGE_KINDS) {
      if (existing.some((t) => t.builtinKey === kind)) continue;
      try {
        await this.ds.transaction((m) => this.createIn(m, DEFAULT_PLEDGE_TEMPLATES[kind], null, kind));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
  }

  private async createIn(m: EntityManager, req: CreatePledgeTemplateRequest, userId: number | null, builtinKey: string | null): Promise<PledgeTemplate> {
    const t = await m.save(m.create(PledgeTemplate, { kind: req.kind, title: req.title, builtinKey, versionCount: 0, latestVersionId: null }));
    await this.addVersionIn(m, t, req, userId);
    return t;
  }

  private async addVersionIn(m: EntityManager, t: PledgeTemplate, req: CreatePledgeTemplateVersionRequest, userId: number | null): Promise<PledgeTemplateVersion> {
    const content = { kind: t.kind, title: req.title, body: req.body.replace(/\r\n/g, '\n').trim(), signers: req.signers.map(({ role, label }) => ({ role, label })), fields: req.fields.map(({ key, label, type, required }) => ({ key, label, type, required })) };
    const v = await m.save(
      m.create(PledgeTemplateVersion, { templateId: t.id, version: t.versionCount + 1, ...content, contentHash: versionContentHash(content), createdById: userId }),
    );
    // conditional on the count we read: a concurrent edit of the same template fails on the unique (templateId, version)
    await m.update(PledgeTemplate, { id: t.id }, { versionCount: v.version, latestVersionId: v.id, title: req.title });
    return v;
  }

  async list(): Promise<PledgeTemplateDto[]> {
    const templates = await this.ds.getRepository(PledgeTemplate).find({ order: { id: 'ASC' } });
    const versions = await this.ds.getRepository(PledgeTemplateVersion).find({ where: { id: In(templates.map((t) => t.latestVersionId ?? 0)) } });
    const locked = await this.lockedIds(versions.map((v) => v.id));
    return templates
      .map((t) => {
        const v = versions.find((x) => x.id === t.latestVersionId);
        return v ? { id: t.id, kind: t.kind, kindLabel: PLEDGE_KIND_LABELS[t.kind], title: t.title, latest: mapVersion(v, locked.has(v.id)), versionCount: t.versionCount } : null;
      })
      .filter((x): x is PledgeTemplateDto => !!x);
  }

  async get(id: number): Promise<PledgeTemplateDto & { versions: PledgeTemplateVersionDto[] }> {
    const t = await this.ds.getRepository(PledgeTemplate).findOne({ where: { id } });
    if (!t) throw new NotFoundException(`承诺书模板 ${id} 不存在`);
    const versions = await this.ds.getRepository(PledgeTemplateVersion).find({ where: { templateId: id }, order: { version: 'DESC' } });
    const locked = await this.lockedIds(versions.map((v) => v.id));
    const mapped = versions.map((v) => mapVersion(v, locked.has(v.id)));
    return { id: t.id, kind: t.kind, kindLabel: PLEDGE_KIND_LABELS[t.kind], title: t.title, latest: mapped[0], versionCount: t.versionCount, versions: mapped };
  }

  /** Versions never change once written, so each process may keep them. */
  private readonly versionCache = new Map<number, PledgeTemplateVersion>();

  async version(id: number): Promise<PledgeTemplateVersion> {
    const hit = this.versionCache.get(id);
    if (hit) return hit;
    const v = await this.ds.getRepository(PledgeTemplateVersion).findOne({ where: { id } });
    if (!v) throw new NotFoundException(`承诺书版本 ${id} 不存在`);
    if (this.versionCache.size > 500) this.versionCache.clear();
    this.versionCache.set(id, v);
    return v;
  }

  async versionDto(id: number): Promise<PledgeTemplateVersionDto> {
    const v = await this.version(id);
    return mapVersion(v, (await this.lockedIds([id])).has(id));
  }

  /** Versions some signature refers to. */
  async lockedIds(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.ds
      .getRepository(PledgeCampaign)
      .createQueryBuilder('c')
      .select('DISTINCT c.templateVersionId', 'id')
      .where('c.templateVersionId IN (:...ids)', { ids })
      .andWhere('c.seq > 0')
      .getRawMany<{ id: number }>();
    return new Set(rows.map((r) => Number(r.id)));
  }

  async create(user: AuthUser, req: CreatePledgeTemplateRequest): Promise<PledgeTemplateDto> {
    checkSpec(req);
    const t = await this.ds.transaction((m) => this.createIn(m, req, user.id, null));
    return this.get(t.id);
  }

  /** Editing a template = a new version; earlier versions (and every signature on them) stay as they were. */
  async addVersion(user: AuthUser, templateId: number, req: CreatePledgeTemplateVersionRequest): Promise<PledgeTemplateDto> {
    checkSpec(req);
    try {
      await this.ds.transaction(async (m) => {
        const t = await m.findOne(PledgeTemplate, { where: { id: templateId } });
        if (!t) throw new NotFoundException(`承诺书模板 ${templateId} 不存在`);
        await this.addVersionIn(m, t, req, user.id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new BadRequestException(['模板正在被另一人修改，请刷新后重试']);
      throw err;
    }
    return this.get(templateId);
  }

  async signatureCount(versionId: number): Promise<number> {
    return this.ds.getRepository(PledgeSignature).count({ where: { templateVersionId: versionId } });
  }
}
