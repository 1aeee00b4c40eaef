import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { InvitationDto, InvitationPreviewDto, InvitationStatus, Paginated, ROLE_LABELS } from '@xiangan/shared';
import { DataSource, In, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { AppConfig } from '../../config/app-config';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { WechatClient } from '../wechat/wechat.client';
import { assertCanGrant } from './authority';
import { PeopleAudit } from './people-audit';
import { AcceptInvitationDto, CreateInvitationDto, InvitationListQueryDto } from './dto/admin.dto';
import { Invitation, InvitationUse } from './invitation.entity';
import { INVITE_PAGE, invitationLink, newInvitationCode } from './invitation-code';
import { unitNames } from '../../common/db/unit-names';

export function invitationStatus(i: Invitation, now = new Date()): InvitationStatus {
  if (i.revokedAt) return 'revoked';
  if (i.usedCount >= i.maxUses) return 'used_up';
  if (i.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

@Injectable()
export class InvitationsService {
  private readonly logger = new Logger('Invitations');
  constructor(
    @InjectRepository(Invitation) private readonly invitations: Repository<Invitation>,
    @InjectRepository(InvitationUse) private readonly invitationUses: Repository<InvitationUse>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cfg: AppConfig,
    private readonly scope: ScopeService,
    private readonly wechat: WechatClient,
    private readonly audit: PeopleAudit,
  ) {}

  async create(actor: AuthUser, dto: CreateInvitationDto): Promise<InvitationDto> {
    let org: OrgUnit | null = null;
    if (dto.orgId) {
      org = await this.orgs.findOne({ where: { id: dto.orgId, archived: false } });
      if (!org) throw new NotFoundException(`单位 ${dto.orgId} 不存在`);
    }
    assertCanGrant(actor, dto.role, org, this.scope);
    const row = await this.invitations.save(
      this.invitations.create({
        code: newInvitationCode(),
        role: dto.role,
        orgId: org?.id ?? null,
        orgPath: org?.path ?? '/',
        maxUses: dto.maxUses ?? 1,
        usedCount: 0,
        expiresAt: new Date(Date.now() + (dto.hours ?? 72) * 3600_000),
        revokedAt: null,
        note: dto.note?.trim() || null,
        createdById: actor.id,
      }),
    );
    return (await this.toDtos([row]))[0];
  }

  /** Invitations for units in the caller's subtree (a town officer: their town's). */
  async list(actor: AuthUser, q: InvitationListQueryDto): Promise<Paginated<InvitationDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.invitations.createQueryBuilder('i');
    this.scope.restrict(qb, 'i.orgPath', actor, 'p');
    if (q.activeOnly) {
      qb.andWhere('i.revokedAt IS NULL AND i.usedCount < i.maxUses AND i.expiresAt > :now', { now: new Date() });
    }
    const [rows, total] = await qb.orderBy('i.id', 'DESC').skip(skip).take(pageSize).getManyAndCount();
    return { items: await this.toDtos(rows), total, page, pageSize };
  }

  async get(actor: AuthUser, id: number): Promise<InvitationDto> {
    const row = await this.load(actor, id);
    const [dto] = await this.toDtos([row]);
    const uses = await this.invitationUses.find({ where: { invitationId: id }, order: { id: 'ASC' } });
    const names = await this.userNames(uses.map((u) => u.userId));
    dto.uses = uses.map((u) => ({ userId: u.userId, name: names.get(u.userId) ?? null, usedAt: u.usedAt.toISOString() }));
    return dto;
  }

  async revoke(actor: AuthUser, id: number): Promise<InvitationDto> {
    const row = await this.load(actor, id);
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await this.invitations.update(row.id, { revokedAt: row.revokedAt });
    }
    return (await this.toDtos([row]))[0];
  }

  /** Mini-program code (scene = the code) when WeChat is configured, else an ordinary QR of the link. */
  async qrcode(actor: AuthUser, id: number): Promise<{ png: Buffer; kind: 'wxacode' | 'qrcode' }> {
    const row = await this.load(actor, id);
    if (this.wechat.configured) {
      try {
        return { png: await this.wechat.unlimitedQrCode(row.code, INVITE_PAGE), kind: 'wxacode' };
      } catch (err) {
        this.logger.warn(`wxacode for invitation ${id} failed, falling back to an h5 QR: ${(err as Error).message}`);
      }
    }
    const link = invitationLink(this.cfg.PUBLIC_BASE_URL, row.code);
    const QRCode = (await import('qrcode')).default; // loaded on first use (docs/DECISIONS.md)
    return { png: await QRCode.toBuffer(link, { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' }), kind: 'qrcode' };
  }

  /** What the invite page shows before accepting: role and unit only. */
  async preview(code: string): Promise<InvitationPreviewDto> {
    const row = await this.invitations.findOne({ where: { code } });
    if (!row) throw new NotFoundException('邀请不存在，请向邀请人重新索取');
    const org = row.orgId ? await this.orgs.findOne({ where: { id: row.orgId } }) : null;
    return {
      role: row.role,
      roleLabel: ROLE_LABELS[row.role],
      orgName: org?.name ?? null,
      status: invitationStatus(row),
      expiresAt: row.expiresAt.toISOString(),
    };
  }

  /**
   * The signed-in caller takes the invitation's role and unit. One use is claimed with a conditional UPDATE,
   * so N uses are never exceeded however many people tap at once.
   */
  async accept(actor: AuthUser, dto: AcceptInvitationDto): Promise<{ role: string; orgId: number | null; orgName: string | null }> {
    return this.ds.transaction(async (m) => {
      const inv = await m.findOne(Invitation, { where: { code: dto.code } });
      if (!inv) throw new NotFoundException('邀请不存在，请向邀请人重新索取');
      const org = inv.orgId ? await m.findOne(OrgUnit, { where: { id: inv.orgId } }) : null;
      const orgName = org?.name ?? null;
      const me = await m.findOneOrFail(User, { where: { id: actor.id } });
      const already = await m.findOne(InvitationUse, { where: { invitationId: inv.id, userId: me.id } });
      if (already && me.role === inv.role && me.orgId === inv.orgId) return { role: me.role, orgId: me.orgId, orgName };
      const status = invitationStatus(inv);
      if (status === 'revoked') throw new ConflictException('此邀请已被撤销');
      if (status === 'expired') throw new ConflictException('此邀请已过期，请向邀请人重新索取');
      if (status === 'used_up') throw new ConflictException('此邀请已被使用');
      if (inv.orgId && (!org || org.archived)) throw new ConflictException('邀请的单位已撤销');
      if (me.role === 'admin' && inv.role !== 'admin') throw new ConflictException('您已是系统管理员，不能接受较低角色的邀请');
      const claimed = await m
        .createQueryBuilder()
        .update(Invitation)
        .set({ usedCount: () => 'usedCount + 1' })
        .where('id = :id AND usedCount < maxUses AND revokedAt IS NULL AND expiresAt > :now', { id: inv.id, now: new Date() })
        .execute();
      if (!claimed.affected) throw new ConflictException('此邀请已被使用');
      if (!already) await m.insert(InvitationUse, { invitationId: inv.id, userId: me.id, previousRole: me.role, previousOrgId: me.orgId });
      const before = { role: me.role, orgId: me.orgId, orgPath: me.orgPath };
      me.role = inv.role;
      me.orgId = org?.id ?? null;
      me.orgPath = org?.path ?? null;
      await m.save(me);
      await this.audit.changed(m, actor, me, before, { invitationId: inv.id });
      return { role: me.role, orgId: me.orgId, orgName };
    });
  }

  private async load(actor: AuthUser, id: number): Promise<Invitation> {
    const row = await this.invitations.findOne({ where: { id } });
    if (!row) throw new NotFoundException(`邀请 ${id} 不存在`);
    if (!this.scope.covers(actor, row.orgPath)) throw new NotFoundException(`邀请 ${id} 不存在`);
    return row;
  }

  private async userNames(ids: (number | null)[]): Promise<Map<number, string | null>> {
    const unique = [...new Set(ids.filter((x): x is number => !!x))];
    if (!unique.length) return new Map();
    const rows = await this.users.find({ where: { id: In(unique) }, select: ['id', 'name'] });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async toDtos(rows: Invitation[]): Promise<InvitationDto[]> {
    const orgNames = await unitNames(
      this.ds,
      rows.map((r) => r.orgId),
    );
    const creators = await this.userNames(rows.map((r) => r.createdById));
    const now = new Date();
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      role: r.role,
      roleLabel: ROLE_LABELS[r.role],
      orgId: r.orgId,
      orgName: r.orgId ? (orgNames.get(r.orgId) ?? null) : null,
      maxUses: r.maxUses,
      usedCount: r.usedCount,
      expiresAt: r.expiresAt.toISOString(),
      revokedAt: r.revokedAt?.toISOString() ?? null,
      status: invitationStatus(r, now),
      note: r.note,
      createdById: r.createdById,
      createdByName: r.createdById ? (creators.get(r.createdById) ?? null) : null,
      createdAt: r.createdAt.toISOString(),
      link: invitationLink(this.cfg.PUBLIC_BASE_URL, r.code),
      pagePath: `${INVITE_PAGE}?code=${r.code}`,
    }));
  }
}
