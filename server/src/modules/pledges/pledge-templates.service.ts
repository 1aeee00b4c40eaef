import { BadRequestException, ForbiddenException, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  CreatePledgeTemplateRequest,
  CreatePledgeTemplateVersionRequest,
  PLEDGE_KIND_LABELS,
  PLEDGE_KINDS,
  PledgeTemplateDto,
  PledgeTemplateVersionDto,
} from '@xiangan/shared';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { ScopeService } from '../../common/scope/scope.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { mapVersion } from './dto/pledge.dto';
import { canonicalJson, sha256 } from './pledge-chain';
import { DEFAULT_PLEDGE_TEMPLATES } from './pledge-defaults';
import { PledgeCampaign, PledgeSignature, PledgeTemplate, PledgeTemplateVersion } from './pledge.entities';
import { FieldProblem, fieldErrors, problem } from '../../common/http/field-labels';
import { subtreeWhere } from '../../common/scope/subtree';

/** SHA-256 of the canonical wording: what a signer saw is pinned by this hash in every signature. */
export function versionContentHash(v: { kind: string; title: string; body: string; signers: unknown; fields: unknown }): string {
  return sha256(canonicalJson({ kind: v.kind, title: v.title, body: v.body, signers: v.signers, fields: v.fields }));
}

function checkSpec(req: CreatePledgeTemplateVersionRequest): void {
  const errors: FieldProblem[] = [];
  const roles = req.signers.map((s) => s.role);
  if (new Set(roles).size !== roles.length) errors.push(problem('signers', '中有重复的签名人代码'));
  const keys = req.fields.map((f) => f.key);
  if (new Set(keys).size !== keys.length) errors.push(problem('fields', '中有重复的字段代码', '填写项'));
  if (!req.fields.some((f) => ['studentName', 'unitName', 'signerName', 'principalName'].includes(f.key))) {
    errors.push(problem('fields', '须包含学生姓名、单位名称、签署人姓名或负责人姓名之一（承诺书是谁的）', '填写项'));
  }
  if (errors.length) throw fieldErrors(errors);
}

@Injectable()
export class PledgeTemplatesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('PledgeTemplates');
  constructor(
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(PledgeCampaign) private readonly pledgeCampaigns: Repository<PledgeCampaign>,
    @InjectRepository(PledgeSignature) private readonly pledgeSignatures: Repository<PledgeSignature>,
    @InjectRepository(PledgeTemplate) private readonly pledgeTemplates: Repository<PledgeTemplate>,
    @InjectRepository(PledgeTemplateVersion) private readonly pledgeTemplateVersions: Repository<PledgeTemplateVersion>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
  ) {}

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
    const existing = await this.pledgeTemplates.find({ where: { builtinKey: In([...PLEDGE_KINDS]) } });
    for (const kind of PLEDGE_KINDS) {
      if (existing.some((t) => t.builtinKey === kind)) continue;
      try {
        await this.ds.transaction((m) => this.createIn(m, DEFAULT_PLEDGE_TEMPLATES[kind], null, kind));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
  }

  private async createIn(
    m: EntityManager,
    req: CreatePledgeTemplateRequest,
    userId: number | null,
    builtinKey: string | null,
    owner: OrgUnit | null = null,
  ): Promise<PledgeTemplate> {
    const t = await m.save(
      m.create(PledgeTemplate, {
        kind: req.kind,
        title: req.title,
        builtinKey,
        versionCount: 0,
        latestVersionId: null,
        orgId: owner?.id ?? null,
        orgPath: owner?.path ?? null,
      }),
    );
    await this.addVersionIn(m, t, req, userId);
    return t;
  }

  private async addVersionIn(
    m: EntityManager,
    t: PledgeTemplate,
    req: CreatePledgeTemplateVersionRequest,
    userId: number | null,
  ): Promise<PledgeTemplateVersion> {
    const content = {
      kind: t.kind,
      title: req.title,
      body: req.body.replace(/\r\n/g, '\n').trim(),
      signers: req.signers.map(({ role, label }) => ({ role, label })),
      fields: req.fields.map(({ key, label, type, required }) => ({ key, label, type, required })),
    };
    const v = await m.save(
      m.create(PledgeTemplateVersion, {
        templateId: t.id,
        version: t.versionCount + 1,
        ...content,
        contentHash: versionContentHash(content),
        createdById: userId,
      }),
    );
    // conditional on the count we read: a concurrent edit of the same template fails on the unique (templateId, version)
    await m.update(PledgeTemplate, { id: t.id }, { versionCount: v.version, latestVersionId: v.id, title: req.title });
    return v;
  }

  // ---- ownership: a template belongs to a unit (orgPath) or to nobody (shipped / county-wide, admins edit) ----

  /** The unit's own path and its ancestors': the templates a unit uses (its own and those of units above it). */
  private lineage(path: string | null): string[] {
    const out: string[] = [];
    let acc = '/';
    for (const id of this.scope.ancestorIds(path)) out.push((acc = `${acc}${id}/`));
    return out;
  }

  /** Seen by: everyone for owner-less ones; the owner's subtree; officers whose scope covers the owner; admins. */
  visible(user: AuthUser, t: Pick<PledgeTemplate, 'orgPath'>): boolean {
    if (!t.orgPath || this.scope.isAdmin(user)) return true;
    return this.scope.covers(user, t.orgPath) || (!!user.orgPath && user.orgPath.startsWith(t.orgPath));
  }

  /** Versions added by: admins on any; otherwise only on a unit's own template, by an editor whose scope covers that unit. */
  editable(user: AuthUser, t: Pick<PledgeTemplate, 'orgPath'>): boolean {
    if (this.scope.isAdmin(user)) return true;
    return !!t.orgPath && this.scope.covers(user, t.orgPath);
  }

  /** Whether a campaign for the unit at `path` may use the template: owner-less, or the unit is in the owner's subtree. */
  usableAt(t: Pick<PledgeTemplate, 'orgPath'>, path: string): boolean {
    return !t.orgPath || path.startsWith(t.orgPath);
  }

  private async loadVisible(user: AuthUser, id: number): Promise<PledgeTemplate> {
    const t = await this.pledgeTemplates.findOne({ where: { id } });
    if (!t || !this.visible(user, t)) throw new NotFoundException(`承诺书模板 ${id} 不存在`);
    return t;
  }

  private async dtoOf(
    user: AuthUser,
    templates: PledgeTemplate[],
    versions: PledgeTemplateVersion[],
    locked: Set<number>,
    defaults: Set<number>,
  ): Promise<PledgeTemplateDto[]> {
    const orgIds = [...new Set(templates.map((t) => t.orgId).filter((x): x is number => !!x))];
    const orgs = orgIds.length ? await this.orgs.find({ where: { id: In(orgIds) }, select: { id: true, name: true } }) : [];
    return templates
      .map((t) => {
        const v = versions.find((x) => x.id === t.latestVersionId);
        if (!v) return null;
        return {
          id: t.id,
          kind: t.kind,
          kindLabel: PLEDGE_KIND_LABELS[t.kind],
          title: t.title,
          latest: mapVersion(v, locked.has(v.id)),
          versionCount: t.versionCount,
          orgId: t.orgId,
          orgName: orgs.find((o) => o.id === t.orgId)?.name ?? null,
          isDefault: defaults.has(t.id),
          editable: this.editable(user, t),
        };
      })
      .filter((x): x is PledgeTemplateDto => !!x);
  }

  /** The templates the caller sees; per kind the default is the one owned by the nearest unit up from theirs. */
  async list(user: AuthUser): Promise<PledgeTemplateDto[]> {
    const qb = this.pledgeTemplates.createQueryBuilder('t');
    if (!this.scope.isAdmin(user)) {
      const lineage = this.lineage(user.orgPath);
      qb.where('t.orgPath IS NULL');
      if (lineage.length) qb.orWhere('t.orgPath IN (:...lineage)', { lineage });
      if (user.orgPath) qb.orWhere(...subtreeWhere('t.orgPath', user.orgPath, 'below'));
    }
    const templates = await qb.orderBy('t.id', 'ASC').getMany();
    const versions = await this.pledgeTemplateVersions.find({ where: { id: In(templates.map((t) => t.latestVersionId ?? 0)) } });
    const locked = await this.lockedIds(versions.map((v) => v.id));
    const defaults = new Set<number>();
    const mine = (t: PledgeTemplate) => !t.orgPath || (!!user.orgPath && user.orgPath.startsWith(t.orgPath));
    const depth = (t: PledgeTemplate) => (t.orgPath ? t.orgPath.length : 0) + (t.builtinKey ? 0 : 0.5);
    for (const kind of PLEDGE_KINDS) {
      const best = templates.filter((t) => t.kind === kind && mine(t)).sort((a, b) => depth(b) - depth(a) || b.id - a.id)[0];
      if (best) defaults.add(best.id);
    }
    return this.dtoOf(user, templates, versions, locked, defaults);
  }

  async get(user: AuthUser, id: number): Promise<PledgeTemplateDto & { versions: PledgeTemplateVersionDto[] }> {
    const t = await this.loadVisible(user, id);
    const versions = await this.pledgeTemplateVersions.find({ where: { templateId: id }, order: { version: 'DESC' } });
    const locked = await this.lockedIds(versions.map((v) => v.id));
    const [dto] = await this.dtoOf(user, [t], versions, locked, new Set((await this.list(user)).filter((x) => x.isDefault).map((x) => x.id)));
    return { ...dto, versions: versions.map((v) => mapVersion(v, locked.has(v.id))) };
  }

  /** A version a campaign for the unit at `orgPath` may use (404 otherwise: ids in a body follow the read rule). */
  async versionFor(user: AuthUser, versionId: number, orgPath: string): Promise<PledgeTemplateVersion> {
    const v = await this.pledgeTemplateVersions.findOne({ where: { id: versionId } });
    const t = v ? await this.pledgeTemplates.findOne({ where: { id: v.templateId } }) : null;
    if (!v || !t || !this.visible(user, t)) throw new NotFoundException(`承诺书版本 ${versionId} 不存在`);
    if (!this.usableAt(t, orgPath)) throw fieldErrors([{ field: 'templateVersionId', message: '这是其他单位的承诺书，不能用于本单位的活动' }]);
    return v;
  }

  /** Versions never change once written, so each process may keep them. */
  private readonly versionCache = new Map<number, PledgeTemplateVersion>();

  async version(id: number): Promise<PledgeTemplateVersion> {
    const hit = this.versionCache.get(id);
    if (hit) return hit;
    const v = await this.pledgeTemplateVersions.findOne({ where: { id } });
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
    const rows = await this.pledgeCampaigns
      .createQueryBuilder('c')
      .select('DISTINCT c.templateVersionId', 'id')
      .where('c.templateVersionId IN (:...ids)', { ids })
      .andWhere('c.seq > 0')
      .getRawMany<{ id: number }>();
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** A new template owned by the given unit (in scope) or the caller's own; admins may make a county-wide one. */
  async create(user: AuthUser, req: CreatePledgeTemplateRequest): Promise<PledgeTemplateDto> {
    checkSpec(req);
    let owner: OrgUnit | null = null;
    if (req.orgId) owner = await this.scope.requireOrg(user, req.orgId);
    else if (!this.scope.isAdmin(user)) {
      if (!user.orgId) throw new ForbiddenException('您还没有所属单位，不能新建模板');
      owner = await this.scope.requireOrg(user, user.orgId);
    }
    const t = await this.ds.transaction((m) => this.createIn(m, req, user.id, null, owner));
    return this.get(user, t.id);
  }

  /** Editing a template = a new version; earlier versions (and every signature on them) stay as they were. */
  async addVersion(user: AuthUser, templateId: number, req: CreatePledgeTemplateVersionRequest): Promise<PledgeTemplateDto> {
    checkSpec(req);
    try {
      await this.ds.transaction(async (m) => {
        const t = await m.findOne(PledgeTemplate, { where: { id: templateId } });
        if (!t || !this.visible(user, t)) throw new NotFoundException(`承诺书模板 ${templateId} 不存在`);
        if (!this.editable(user, t)) {
          throw new ForbiddenException(
            t.orgPath
              ? '这份模板属于上级或其他单位，您不能修改；可以新建一份本单位的模板'
              : '系统内置的模板只有系统管理员可以修改；可以新建一份本单位的模板，它只在本单位及下级使用',
          );
        }
        await this.addVersionIn(m, t, req, user.id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new BadRequestException(['模板正在被另一人修改，请刷新后重试']);
      throw err;
    }
    return this.get(user, templateId);
  }

  async signatureCount(versionId: number): Promise<number> {
    return this.pledgeSignatures.count({ where: { templateVersionId: versionId } });
  }
}
