import { ConflictException, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  beijingTimeSeconds,
  isOfficer,
  maskName,
  maskPhone,
  Paginated,
  PLEDGE_CHAIN_GENESIS,
  PledgeCampaignDetailDto,
  PledgeCampaignDto,
  PledgeProgressGroup,
  PledgeRemindResult,
  PledgeRosterImportResult,
  PledgeRosterPickDto,
  PledgeUnsignedDto,
} from '@xiangan/shared';
import { Brackets, DataSource, In, IsNull, Not, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { pageOf } from '../../common/http/page-query.dto';
import { ScopeService } from '../../common/scope/scope.service';
import { AppConfig } from '../../config/app-config';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { WechatClient } from '../wechat/wechat.client';
import { subscribeValue } from '../wechat/content-security.service';
import { CampaignListQueryDto, campaignStatus, CreatePledgeCampaignDto, mapCampaign, UnsignedQueryDto } from './dto/pledge.dto';
import { compareGroups, identityKey } from './pledge-chain';
import { PledgeTemplatesService } from './pledge-templates.service';
import { PledgeCampaign, PledgeReminder, PledgeRosterEntry, PledgeSignature } from './pledge.entities';
import { isMysql } from '../../common/db/dialect';
import { parseRoster } from './roster-import';
import { fieldError, fieldErrors } from '../../common/http/field-labels';
import { unitNames } from '../../common/db/unit-names';
import { subtreeWhere } from '../../common/scope/subtree';

/** Reminders for one campaign at most this often (a class group should not be spammed). */
export const REMIND_INTERVAL_MS = 10 * 60 * 1000;

@Injectable()
export class PledgeCampaignsService {
  private readonly logger = new Logger('PledgeCampaigns');
  constructor(
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(PledgeCampaign) private readonly pledgeCampaigns: Repository<PledgeCampaign>,
    @InjectRepository(PledgeReminder) private readonly pledgeReminders: Repository<PledgeReminder>,
    @InjectRepository(PledgeRosterEntry) private readonly pledgeRosterEntries: Repository<PledgeRosterEntry>,
    @InjectRepository(PledgeSignature) private readonly pledgeSignatures: Repository<PledgeSignature>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly templates: PledgeTemplatesService,
    private readonly cfg: AppConfig,
    private readonly wechat: WechatClient,
    @Optional() private readonly notifications?: NotificationsService,
  ) {}

  shareUrl(id: number): string {
    return `${this.cfg.PUBLIC_BASE_URL.replace(/\/$/, '')}/#/pages/pledge-sign/index?c=${id}`;
  }

  async load(id: number): Promise<PledgeCampaign> {
    const c = await this.pledgeCampaigns.findOne({ where: { id } });
    if (!c) throw new NotFoundException(`承诺书活动 ${id} 不存在`);
    return c;
  }

  /** An officer's campaign: 404 when missing or outside their subtree (existence not revealed). */
  async loadForOfficer(user: AuthUser, id: number): Promise<PledgeCampaign> {
    const c = await this.load(id);
    if (!isOfficer(user.role) || !this.scope.covers(user, c.orgPath)) throw new NotFoundException(`承诺书活动 ${id} 不存在`);
    return c;
  }

  async create(user: AuthUser, dto: CreatePledgeCampaignDto): Promise<PledgeCampaignDetailDto> {
    const org = await this.scope.requireOrg(user, dto.orgId);
    const version = await this.templates.versionFor(user, dto.templateVersionId, org.path);
    const deadline = new Date(dto.deadline);
    if (deadline.getTime() <= Date.now()) throw fieldError('deadline', '须晚于现在', '签署截止时间');
    const repo = this.pledgeCampaigns;
    const c = await repo.save(
      repo.create({
        templateVersionId: version.id,
        kind: version.kind,
        title: dto.title?.trim() || `${org.name}${version.title}`.slice(0, 60),
        orgId: org.id,
        orgPath: org.path,
        deadline,
        closedAt: null,
        rosterKind: null,
        rosterCount: 0,
        seq: 0,
        lastHash: PLEDGE_CHAIN_GENESIS,
        createdById: user.id,
      }),
    );
    return this.detail(user, c.id);
  }

  async close(user: AuthUser, id: number): Promise<PledgeCampaignDetailDto> {
    const c = await this.loadForOfficer(user, id);
    if (c.closedAt) throw new ConflictException('该活动已关闭');
    await this.pledgeCampaigns.update({ id, closedAt: IsNull() }, { closedAt: new Date() });
    return this.detail(user, id);
  }

  async list(user: AuthUser, q: CampaignListQueryDto): Promise<Paginated<PledgeCampaignDto>> {
    const { page, pageSize, skip } = pageOf(q);
    const qb = this.pledgeCampaigns.createQueryBuilder('c');
    if (q.kind) qb.andWhere('c.kind = :kind', { kind: q.kind });
    let mine = new Map<number, number>();
    if (isOfficer(user.role)) {
      this.scope.restrict(qb, 'c.orgPath', user);
      if (q.orgId) {
        const org = await this.scope.requireOrg(user, q.orgId);
        this.scope.restrict(qb, 'c.orgPath', org.path, 'sub');
      }
    } else {
      // Residents: campaigns addressed to their unit or an ancestor, the schools of their town,
      // campaigns whose roster lists their phone, and campaigns they signed.
      const me = await this.users.findOne({ where: { id: user.id }, select: { id: true, phone: true } });
      const ancestors = this.scope.ancestorIds(user.orgPath);
      const paths: string[] = [];
      let acc = '/';
      for (const a of ancestors) paths.push((acc = `${acc}${a}/`));
      const townPath = await this.townPathOf(user.orgPath);
      const signedRows = await this.pledgeSignatures.find({ where: { signerUserId: user.id, voidedAt: IsNull() }, select: { id: true, campaignId: true } });
      mine = new Map(signedRows.map((s) => [s.campaignId, s.id]));
      const rosterIds = me?.phone
        ? (await this.pledgeRosterEntries.find({ where: { phone: me.phone }, select: { campaignId: true }, take: 200 })).map((r) => r.campaignId)
        : [];
      const ids = [...new Set([...mine.keys(), ...rosterIds])];
      qb.andWhere(
        new Brackets((w) => {
          w.where('1 = 0');
          if (paths.length) w.orWhere('c.orgPath IN (:...paths)', { paths });
          if (townPath) {
            const [inTown, town] = subtreeWhere('c.orgPath', townPath, 'town');
            const [schoolInTown] = subtreeWhere('o.path', townPath, 'town');
            w.orWhere(`(${inTown} AND c.orgId IN (SELECT o.id FROM org_unit o WHERE o.type = :school AND ${schoolInTown}))`, { ...town, school: 'school' });
          }
          if (ids.length) w.orWhere('c.id IN (:...ids)', { ids });
        }),
      );
      qb.andWhere(new Brackets((w) => w.where('c.closedAt IS NULL').orWhere(ids.length ? 'c.id IN (:...ids)' : '1 = 0', ids.length ? { ids } : {})));
    }
    qb.orderBy('c.deadline', 'DESC').addOrderBy('c.id', 'DESC').skip(skip).take(pageSize);
    const [rows, total] = await qb.getManyAndCount();
    const names = await unitNames(
      this.ds,
      rows.map((r) => r.orgId),
    );
    const items = rows.map((c) => ({
      ...mapCampaign(c, names.get(c.orgId) ?? ''),
      ...(isOfficer(user.role) ? {} : { mySignatureId: mine.get(c.id) ?? null }),
    }));
    return { items, total, page, pageSize };
  }

  private async townPathOf(path: string | null): Promise<string | null> {
    const ids = this.scope.ancestorIds(path);
    if (!ids.length) return null;
    const town = await this.orgs.findOne({ where: { id: In(ids), type: 'town' } });
    return town?.path ?? null;
  }

  /** Anyone signed in may open an open campaign's text (they arrive from a card or QR); officers in scope also see progress. */
  async detail(user: AuthUser, id: number): Promise<PledgeCampaignDetailDto> {
    const c = await this.load(id);
    const officerView = isOfficer(user.role) && this.scope.covers(user, c.orgPath);
    if (isOfficer(user.role) && !officerView) throw new NotFoundException(`承诺书活动 ${id} 不存在`);
    const names = await unitNames(this.ds, [c.orgId]);
    const version = await this.templates.versionDto(c.templateVersionId);
    const mine = officerView
      ? null
      : await this.pledgeSignatures.findOne({ where: { campaignId: id, signerUserId: user.id, voidedAt: IsNull() }, select: { id: true } });
    return {
      ...mapCampaign(c, names.get(c.orgId) ?? ''),
      ...(officerView ? {} : { mySignatureId: mine?.id ?? null }),
      version,
      progress: officerView ? await this.progress(c) : null,
      shareUrl: this.shareUrl(c.id),
      lastReminderAt: c.lastReminderAt ? c.lastReminderAt.toISOString() : null,
    };
  }

  async progress(c: PledgeCampaign): Promise<PledgeProgressGroup[]> {
    const roster = await this.pledgeRosterEntries
      .createQueryBuilder('r')
      .select('r.groupName', 'grp')
      .addSelect('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN r.signatureId IS NULL THEN 0 ELSE 1 END)', 'signed')
      .where('r.campaignId = :id', { id: c.id })
      .groupBy('r.groupName')
      .getRawMany<{ grp: string; total: string; signed: string }>();
    const off = await this.pledgeSignatures
      .createQueryBuilder('s')
      .select('s.groupName', 'grp')
      .addSelect('COUNT(*)', 'signed')
      .where('s.campaignId = :id AND s.rosterEntryId IS NULL AND s.voidedAt IS NULL', { id: c.id })
      .groupBy('s.groupName')
      .getRawMany<{ grp: string | null; signed: string }>();
    const map = new Map<string, PledgeProgressGroup>();
    for (const r of roster) map.set(r.grp, { group: r.grp, roster: Number(r.total), signed: Number(r.signed) });
    for (const o of off) {
      const g = o.grp || '未分组';
      const cur = map.get(g) ?? { group: g, roster: 0, signed: 0 };
      cur.signed += Number(o.signed);
      map.set(g, cur);
    }
    return [...map.values()].sort((a, b) => compareGroups(a.group, b.group));
  }

  async importRoster(user: AuthUser, id: number, file: Express.Multer.File | undefined): Promise<PledgeRosterImportResult> {
    const c = await this.loadForOfficer(user, id);
    if (!file) throw fieldErrors([{ field: 'file', message: '请选择名单文件（.xlsx 或 .csv）后上传' }]);
    if (campaignStatus(c) === 'closed') throw new ConflictException('该活动已关闭，不能再导入名单');
    const { kind, rows } = await parseRoster(file);
    if (c.rosterKind && c.rosterKind !== kind)
      throw fieldErrors([
        { field: 'file', message: `上传的是${kind === 'student' ? '学生' : '企业'}名单，而本活动已有${c.rosterKind === 'student' ? '学生' : '企业'}名单` },
      ]);
    return this.ds.transaction(async (m) => {
      // The campaign row first (MySQL): signing batches link entries and count them under the same lock, so the
      // rosterSigned figure set below cannot miss a batch committing meanwhile.
      if (isMysql(m)) await m.query('SELECT id FROM pledge_campaign WHERE id = ? FOR UPDATE', [id]);
      const existing = await m.find(PledgeRosterEntry, { where: { campaignId: id } });
      const byKey = new Map(existing.map((e) => [e.dedupeKey, e]));
      const incoming = new Set(rows.map((r) => r.dedupeKey));
      // unsigned entries the new file no longer lists go; signed ones stay (their signature is a fact)
      const drop = existing.filter((e) => !incoming.has(e.dedupeKey) && !e.signatureId).map((e) => e.id);
      for (let i = 0; i < drop.length; i += 500) await m.delete(PledgeRosterEntry, { id: In(drop.slice(i, i + 500)) });
      const fresh = rows.filter((r) => !byKey.has(r.dedupeKey));
      // signatures made before the roster existed are linked to their entry
      const signed = new Map<string, number>();
      const keys = fresh.map((r) => r.dedupeKey);
      for (let i = 0; i < keys.length; i += 500) {
        const got = await m.find(PledgeSignature, { where: { campaignId: id, activeKey: In(keys.slice(i, i + 500)) }, select: { id: true, dedupeKey: true } });
        for (const s of got) signed.set(s.dedupeKey, s.id);
      }
      const entities = fresh.map((r) => m.create(PledgeRosterEntry, { campaignId: id, ...r, signatureId: signed.get(r.dedupeKey) ?? null }));
      for (let i = 0; i < entities.length; i += 500) await m.insert(PledgeRosterEntry, entities.slice(i, i + 500));
      for (const r of rows) {
        const e = byKey.get(r.dedupeKey);
        if (e && (e.rowNo !== r.rowNo || e.guardianName !== r.guardianName))
          await m.update(PledgeRosterEntry, { id: e.id }, { rowNo: r.rowNo, guardianName: r.guardianName });
      }
      const count = await m.count(PledgeRosterEntry, { where: { campaignId: id } });
      const rosterSigned = await m.count(PledgeRosterEntry, { where: { campaignId: id, signatureId: Not(IsNull()) } });
      await m.update(PledgeCampaign, { id }, { rosterKind: kind, rosterCount: count, rosterSigned });
      return { imported: rows.length, rosterKind: kind, replaced: drop.length };
    });
  }

  /**
   * A signer finds their child (or unit) by the exact name — on an open campaign only, and only what signing
   * needs: the entry id, the masked guardian, the class only when several share the name (the signer must
   * pick). No phone, no signed status. Rate-limited per user at the route (LIMITS.rosterLookupsPerMinute).
   */
  async rosterPick(user: AuthUser, id: number, q: string): Promise<PledgeRosterPickDto[]> {
    const c = await this.load(id);
    const st = campaignStatus(c);
    if (st !== 'open') throw new ConflictException(`《${c.title}》${st === 'closed' ? '已关闭' : '已截止'}，不能再查找名单`);
    const name = q.replace(/\s+/g, '');
    const rows = await this.pledgeRosterEntries.find({ where: { campaignId: id, name }, order: { groupName: 'ASC', id: 'ASC' }, take: 20 });
    const mustPick = rows.length > 1;
    return rows.map((r) => ({ id: r.id, name: r.name, group: mustPick ? r.groupName : null, guardianName: maskName(r.guardianName) }));
  }

  async unsigned(user: AuthUser, id: number, q: UnsignedQueryDto): Promise<Paginated<PledgeUnsignedDto>> {
    await this.loadForOfficer(user, id);
    const { page, pageSize, skip } = pageOf(q);
    const [rows, total] = await this.pledgeRosterEntries.findAndCount({
      where: { campaignId: id, signatureId: IsNull(), ...(q.group ? { groupName: q.group } : {}) },
      order: { groupName: 'ASC', rowNo: 'ASC' },
      skip,
      take: pageSize,
    });
    return {
      items: rows.map((r) => ({
        rosterId: r.id,
        rowNo: r.rowNo,
        group: r.groupName,
        name: r.name,
        guardianName: maskName(r.guardianName),
        phone: maskPhone(r.phone),
      })),
      total,
      page,
      pageSize,
    };
  }

  /** Records a reminder and tells every unsigned guardian who has an account (matched by phone) in-app. */
  async remind(user: AuthUser, id: number): Promise<PledgeRemindResult> {
    const c = await this.loadForOfficer(user, id);
    if (campaignStatus(c) !== 'open') throw new ConflictException(`活动${campaignStatus(c) === 'closed' ? '已关闭' : '已截止'}，不能再提醒`);
    const now = new Date();
    if (c.lastReminderAt && now.getTime() - c.lastReminderAt.getTime() < REMIND_INTERVAL_MS) {
      throw new ConflictException(`已于 ${beijingTimeSeconds(c.lastReminderAt)} 提醒过，请 10 分钟后再试`);
    }
    // claim the slot: of two officers pressing at once only one reminds
    const claim = await this.ds
      .createQueryBuilder()
      .update(PledgeCampaign)
      .set({ lastReminderAt: now })
      .where('id = :id', { id })
      .andWhere(c.lastReminderAt ? 'lastReminderAt = :last' : 'lastReminderAt IS NULL', { last: c.lastReminderAt })
      .execute();
    if (!claim.affected) throw new ConflictException('刚刚已有人发送提醒');
    const unsigned = await this.pledgeRosterEntries.find({ where: { campaignId: id, signatureId: IsNull() }, select: { id: true, phone: true, name: true } });
    const phones = [...new Set(unsigned.map((u) => u.phone).filter((p): p is string => !!p))];
    const reminder = await this.pledgeReminders.save({ campaignId: id, createdById: user.id, unsignedCount: unsigned.length, notified: 0 });
    let notified = 0;
    if (this.notifications && phones.length) {
      for (let i = 0; i < phones.length; i += 500) {
        const users = await this.users.find({ where: { phone: In(phones.slice(i, i + 500)) }, select: { id: true } });
        for (const u of users) {
          const ok = await this.notifications.notify(u.id, {
            kind: 'pledge_remind',
            title: `请签署《${c.title}》`.slice(0, 100),
            body: `截止时间 ${beijingTimeSeconds(c.deadline)}，请打开小程序阅读并签名。`,
            link: `/pages/pledge-sign/index?c=${id}`,
            dedupeKey: `pledge:${id}:${reminder.id}`,
          });
          if (ok) notified++;
          // and a WeChat subscribe message where the guardian has a consent left (queued, once per reminder)
          await this.notifications.pushWechat(
            {
              userId: u.id,
              template: 'pledge',
              page: `pages/pledge-sign/index?c=${id}`,
              data: { thing1: subscribeValue.thing(c.title), time2: subscribeValue.time(c.deadline), thing3: subscribeValue.thing('请打开小程序阅读并签名') },
            },
            `pledge-remind-${reminder.id}-user-${u.id}`,
          );
        }
      }
    } else if (!this.notifications) {
      // no signers to reach automatically: the officer shares the card / QR in the class group
      this.logger.log(`campaign ${id}: reminder recorded (no in-app notifications module)`);
    }
    await this.pledgeReminders.update({ id: reminder.id }, { notified });
    return { id: reminder.id, remindedAt: now.toISOString(), unsignedCount: unsigned.length, notified };
  }

  /** Mini-program code when WeChat is configured, else a plain QR of the h5 link. PNG bytes. */
  async qrcode(user: AuthUser, id: number): Promise<{ png: Buffer; kind: 'wxacode' | 'qrcode' }> {
    await this.loadForOfficer(user, id);
    if (this.wechat.configured) {
      try {
        return { png: await this.wechat.unlimitedQrCode(`c=${id}`, 'pages/pledge-sign/index'), kind: 'wxacode' };
      } catch (err) {
        this.logger.warn(`wxacode for campaign ${id} failed, falling back to an h5 QR: ${(err as Error).message}`);
      }
    }
    const QRCode = (await import('qrcode')).default; // loaded on first use (docs/DECISIONS.md)
    return { png: await QRCode.toBuffer(this.shareUrl(id), { type: 'png', width: 480, margin: 2, errorCorrectionLevel: 'M' }), kind: 'qrcode' };
  }
}

export { identityKey };
