import { ForbiddenException, HttpException, Injectable, Logger, NotFoundException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { isOfficer, LoginResponse, MeDto } from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import { readTime } from '../../common/db/dialect';
import { AppConfig } from '../../config/app-config';
import type { AuthUser } from '../../common/auth/auth-user';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { WechatClient, WechatError, WX_ERR } from '../wechat/wechat.client';
import { DevLoginDto, UpdateMeDto } from './dto/auth.dto';
import { fieldError } from '../../common/http/field-labels';

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  constructor(
    private readonly cfg: AppConfig,
    private readonly jwt: JwtService,
    private readonly wechat: WechatClient,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly ds: DataSource,
  ) {}

  /** `wx.login` code → jscode2session → our user (created as a resident on first login). */
  async wechatLogin(code: string): Promise<LoginResponse> {
    if (!this.wechat.configured) throw new ServiceUnavailableException('微信登录未配置（WECHAT_APPID / WECHAT_SECRET）');
    let session;
    try {
      session = await this.wechat.code2Session(code);
    } catch (err) {
      if (err instanceof WechatError) {
        if (err.errcode === WX_ERR.INVALID_CODE || err.errcode === WX_ERR.CODE_USED) throw new UnauthorizedException('登录凭证无效或已使用，请重新登录');
        if (err.errcode === WX_ERR.RATE_LIMIT) throw new HttpException({ message: '登录过于频繁，请稍后再试' }, 429);
        this.logger.warn(err.message);
        throw new ServiceUnavailableException('微信服务繁忙，请稍后再试');
      }
      this.logger.warn(`jscode2session unreachable: ${(err as Error).message}`);
      throw new ServiceUnavailableException('暂时无法连接微信服务，请稍后再试');
    }
    let user = await this.users.findOne({ where: { openid: session.openid } });
    if (!user) {
      try {
        user = await this.users.save(this.users.create({ openid: session.openid, unionid: session.unionid ?? null, role: 'resident' }));
      } catch {
        // two first logins raced: the other one created the row
        user = await this.users.findOneOrFail({ where: { openid: session.openid } });
      }
    }
    if (user.disabled) throw new ForbiddenException('账号已停用');
    return this.issue(user);
  }

  /** Local and h5 demo only: log in as any openid with a chosen role and unit. */
  async devLogin(dto: DevLoginDto): Promise<LoginResponse> {
    if (!this.cfg.devLoginEnabled) throw new ForbiddenException('生产环境不允许使用开发登录');
    const openid = `dev:${dto.openid}`;
    let org: OrgUnit | null = null;
    if (dto.orgId) {
      org = await this.orgs.findOne({ where: { id: dto.orgId } });
      if (!org) throw fieldError('orgId', '不存在', '所属单位');
    }
    let user = await this.users.findOne({ where: { openid } });
    if (!user) user = this.users.create({ openid, role: 'resident' });
    if (dto.role) user.role = dto.role;
    if (dto.name) user.name = dto.name;
    if (org) {
      user.orgId = org.id;
      user.orgPath = org.path;
    }
    if (isOfficer(user.role) && !user.orgId) throw fieldError('orgId', '不能为空：干部需要所属单位', '所属单位');
    try {
      user = await this.users.save(user);
    } catch {
      user = await this.users.findOneOrFail({ where: { openid } });
    }
    return this.issue(user);
  }

  /** Demo accounts for the h5 role picker (dev login only). */
  async devAccounts() {
    if (!this.cfg.devLoginEnabled) throw new NotFoundException();
    const rows = await this.users.createQueryBuilder('u').where('u.openid LIKE :p', { p: 'dev:demo-%' }).orderBy('u.id', 'ASC').take(50).getMany();
    const names = new Map((await this.orgs.find({ select: ['id', 'name'] })).map((o) => [o.id, o.name]));
    return rows.map((u) => ({
      openid: u.openid!.slice(4),
      name: u.name,
      role: u.role,
      orgId: u.orgId,
      orgName: u.orgId ? (names.get(u.orgId) ?? null) : null,
    }));
  }

  /**
   * The caller with their unit's name and type in one plain statement — every launch of the mini-program asks for
   * it (was two TypeORM finds: two round trips, and query building and hydration were a quarter of its CPU).
   */
  async me(auth: AuthUser): Promise<MeDto> {
    const [r]: {
      id: number | string;
      name: string | null;
      phone: string | null;
      role: User['role'];
      orgId: number | string | null;
      orgPath: string | null;
      createdAt: Date | string;
      orgName: string | null;
      orgType: OrgUnit['type'] | null;
    }[] = await this.ds.query(
      `SELECT u.id, u.name, u.phone, u.role, u.orgId, u.orgPath, u.createdAt, o.name AS orgName, o.type AS orgType
         FROM app_user u LEFT JOIN org_unit o ON o.id = u.orgId WHERE u.id = ?`,
      [auth.id],
    );
    // gone since the guard read it: the same error as before
    if (!r) return this.toMe(await this.users.findOneOrFail({ where: { id: auth.id } }));
    const user = { ...r, id: Number(r.id), orgId: r.orgId === null ? null : Number(r.orgId), createdAt: readTime(r.createdAt)! };
    return this.meOf(user, r.orgName === null ? null : { name: r.orgName, type: r.orgType! });
  }

  async updateMe(auth: AuthUser, dto: UpdateMeDto): Promise<MeDto> {
    const u = await this.users.findOneOrFail({ where: { id: auth.id } });
    if (dto.orgId !== undefined) {
      if (isOfficer(u.role)) throw new ForbiddenException('干部的所属单位由管理员设置');
      const org = await this.orgs.findOne({ where: { id: dto.orgId } });
      if (!org) throw fieldError('orgId', '不存在', '所属单位');
      if (!['village', 'community', 'grid', 'school', 'enterprise', 'town'].includes(org.type))
        throw fieldError('orgId', '须为村、社区、网格、学校或企业', '所属单位');
      u.orgId = org.id;
      u.orgPath = org.path;
    }
    if (dto.name !== undefined) u.name = dto.name;
    if (dto.phone !== undefined) u.phone = dto.phone;
    return this.toMe(await this.users.save(u));
  }

  private async issue(user: User): Promise<LoginResponse> {
    const token = await this.jwt.signAsync({ sub: user.id, role: user.role });
    return { token, user: await this.toMe(user) };
  }

  private async toMe(u: User): Promise<MeDto> {
    return this.meOf(u, u.orgId ? await this.orgs.findOne({ where: { id: u.orgId } }) : null);
  }

  private meOf(u: Pick<User, 'id' | 'name' | 'phone' | 'role' | 'orgId' | 'orgPath' | 'createdAt'>, org: Pick<OrgUnit, 'name' | 'type'> | null): MeDto {
    return {
      id: u.id,
      name: u.name,
      phone: u.phone,
      role: u.role,
      orgId: u.orgId,
      orgName: org?.name ?? null,
      orgPath: u.orgPath,
      orgType: org?.type ?? null,
      createdAt: u.createdAt.toISOString(),
      devLogin: this.cfg.devLoginEnabled,
    };
  }
}
