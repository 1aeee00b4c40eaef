import { PLEDGE_CHAIN_GENESIS, PledgeFieldSpec } from '@xiangan/shared';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { ChainRecord, chainHash, identityKey, sha256 } from '../../modules/pledges/pledge-chain';
import { PledgeTemplatesService } from '../../modules/pledges/pledge-templates.service';
import { ScopeService } from '../../common/scope/scope.service';
import { PledgeCampaign, PledgeRosterEntry, PledgeSignature, PledgeTemplate, PledgeTemplateVersion } from '../../modules/pledges/pledge.entities';
import { drawSignaturePng, SEED_SIGNATURE_PREFIX } from '../../modules/pledges/signature-art';
import type { SeedContext } from './context';
import { rebuildPledgeMonth } from '../../modules/pledges/pledge-month.rollup';
import { isMysql } from '../../common/db/dialect';
import { subtreeWhere } from '../../common/scope/subtree';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '罗', '谢', '唐'];
const GIVEN = [
  '子涵',
  '欣怡',
  '浩然',
  '梓萱',
  '宇轩',
  '雨桐',
  '俊杰',
  '思琪',
  '博文',
  '诗涵',
  '皓轩',
  '梦瑶',
  '一诺',
  '佳怡',
  '明轩',
  '语桐',
  '天佑',
  '可馨',
  '睿',
  '彤',
];
const GRADES = ['一', '二', '三', '四', '五', '六'];
const RELATIONS = ['父亲', '母亲', '祖父', '祖母', '外祖母'];

interface Subject {
  name: string;
  group: string;
  guardian: string;
  phone: string;
}

/**
 * This year's pledge work in 石桥镇: 防溺水承诺书 at both schools (rosters of hundreds, most signed),
 * 假期安全承诺书, 安全生产责任书 with each enterprise, 消防及食品安全责任书 with each village, and
 * 食药品协管员责任书 — every signature in a valid chain. Two generated PNGs are reused (by key) for speed.
 */
export async function seedPledges(ctx: SeedContext): Promise<void> {
  const ds = ctx.ds;
  await new PledgeTemplatesService(
    ds.getRepository(OrgUnit),
    ds.getRepository(PledgeCampaign),
    ds.getRepository(PledgeSignature),
    ds.getRepository(PledgeTemplate),
    ds.getRepository(PledgeTemplateVersion),
    ds,
    new ScopeService(ds.getRepository(OrgUnit)),
  ).ensureDefaults();
  const templates = await ds.getRepository(PledgeTemplate).find();
  const versionOf = async (kind: string) => {
    const t = templates.find((x) => x.kind === kind && x.builtinKey === kind)!;
    return ds.getRepository(PledgeTemplateVersion).findOneByOrFail({ id: t.latestVersionId! });
  };
  // signature images: a few variants, stored lazily under a seed key (see signature-art.ts)
  const variants = [0, 1, 2, 3];
  const pngHash = new Map<number, string>();
  for (const v of variants) pngHash.set(v, sha256(await drawSignaturePng(v)));
  const img = (role: string, v: number) => ({ role, key: `${SEED_SIGNATURE_PREFIX}${v}.png`, sha256: pngHash.get(v)! });

  const year = ctx.now.getUTCFullYear();
  const day = (m: number, d: number, h = 12) => new Date(Date.UTC(year, m - 1, d, h - 8));
  const phone = () => `1${ctx.pick(['35', '37', '38', '39', '58', '59', '86', '87'])}${String(ctx.int(0, 99999999)).padStart(8, '0')}`;
  const town = ctx.org.town;
  const creator = ctx.user.town;

  const students = (classes: string[], perClass: [number, number]): Subject[] => {
    const out: Subject[] = [];
    const seen = new Set<string>();
    for (const cls of classes) {
      const n = ctx.int(perClass[0], perClass[1]);
      for (let i = 0; i < n; i++) {
        let name = ctx.pick(SURNAMES) + ctx.pick(GIVEN);
        while (seen.has(`${cls}|${name}`)) name = ctx.pick(SURNAMES) + ctx.pick(GIVEN) + ctx.pick(GIVEN).slice(0, 1);
        seen.add(`${cls}|${name}`);
        out.push({ name, group: cls, guardian: name[0] + ctx.pick(['建国', '秀英', '海军', '春梅', '国华', '桂芳', '德福', '丽萍']), phone: phone() });
      }
    }
    return out;
  };

  const run = async (opts: {
    kind: string;
    org: OrgUnit;
    title: string;
    created: Date;
    deadline: Date;
    roster: Subject[] | null;
    rosterKind: 'student' | 'enterprise' | null;
    signRate: number;
    subjects?: Subject[];
    fields: (s: Subject) => Record<string, string>;
  }) => {
    const v = await versionOf(opts.kind);
    const c = await ds.getRepository(PledgeCampaign).save(
      ds.getRepository(PledgeCampaign).create({
        templateVersionId: v.id,
        kind: v.kind,
        title: opts.title,
        orgId: opts.org.id,
        orgPath: opts.org.path,
        deadline: opts.deadline,
        closedAt: null,
        rosterKind: opts.rosterKind,
        rosterCount: 0,
        seq: 0,
        lastHash: PLEDGE_CHAIN_GENESIS,
        createdById: creator.id,
        createdAt: opts.created,
      }),
    );
    const student = opts.rosterKind === 'student' || v.fields.some((f: PledgeFieldSpec) => f.key === 'studentName');
    const entries = (opts.roster ?? []).map((s, i) =>
      ds.getRepository(PledgeRosterEntry).create({
        campaignId: c.id,
        rowNo: i + 2,
        groupName: s.group,
        name: s.name,
        guardianName: s.guardian,
        phone: s.phone,
        dedupeKey: identityKey(s.name, student ? s.group : '', s.phone),
        signatureId: null,
      }),
    );
    for (let i = 0; i < entries.length; i += 500) await ds.getRepository(PledgeRosterEntry).insert(entries.slice(i, i + 500));
    const saved = entries.length ? await ds.getRepository(PledgeRosterEntry).find({ where: { campaignId: c.id }, order: { rowNo: 'ASC' } }) : [];
    const pool = opts.roster
      ? saved.map((e, i) => ({ e, s: opts.roster![i] }))
      : (opts.subjects ?? []).map((s) => ({ e: null as PledgeRosterEntry | null, s }));
    const signing = pool.filter(() => ctx.rand() < opts.signRate);
    const span = Math.max(1, Math.min(opts.deadline.getTime(), ctx.now.getTime()) - opts.created.getTime());
    const times = signing.map(() => opts.created.getTime() + Math.floor(Math.pow(ctx.rand(), 2) * span)).sort((a, b) => a - b);
    let prev = PLEDGE_CHAIN_GENESIS;
    const rows: PledgeSignature[] = [];
    const signerIds = Object.values(ctx.user)
      .filter((u) => u.role === 'resident')
      .map((u) => u.id);
    signing.forEach(({ e, s }, i) => {
      const fields = opts.fields(s);
      const rec: ChainRecord = {
        campaignId: c.id,
        seq: i + 1,
        rosterEntryId: e?.id ?? null,
        groupName: s.group,
        dedupeKey: e ? e.dedupeKey : identityKey(s.name, student ? s.group : '', s.phone),
        signerUserId: ctx.pick(signerIds),
        templateVersionId: v.id,
        contentHash: v.contentHash,
        fields,
        images: v.signers.map((sg, k) => img(sg.role, (i + k) % variants.length)),
        signedAt: new Date(times[i]),
      };
      const hash = chainHash(prev, rec);
      rows.push(
        ds.getRepository(PledgeSignature).create({ ...rec, clientKey: `seed-${c.id}-${i + 1}`, prevHash: prev, chainHash: hash, activeKey: rec.dedupeKey }),
      );
      prev = hash;
    });
    for (let i = 0; i < rows.length; i += 400) await ds.getRepository(PledgeSignature).insert(rows.slice(i, i + 400));
    if (saved.length && rows.length) {
      // link roster entries to their signatures in one statement per batch
      await ds.query(
        `UPDATE pledge_roster_entry SET signatureId = (SELECT s.id FROM pledge_signature s WHERE s.campaignId = pledge_roster_entry.campaignId AND s.rosterEntryId = pledge_roster_entry.id) WHERE campaignId = ?`,
        [c.id],
      );
    }
    await ds.getRepository(PledgeCampaign).update({ id: c.id }, { seq: rows.length, lastHash: prev, rosterCount: saved.length });
    ctx.org[`pledge_campaign_${opts.kind}_${opts.org.id}`] = opts.org; // marker for other seeders
    return c;
  };

  const studentFields = (s: Subject) => ({ studentName: s.name, className: s.group, guardianName: s.guardian, relation: ctx.pick(RELATIONS), phone: s.phone });
  const primaryClasses = GRADES.flatMap((g) => ['一', '二', '三'].map((n) => `${g}年级${n}班`));
  const middleClasses = ['七', '八', '九'].flatMap((g) => ['一', '二', '三', '四'].map((n) => `${g}年级${n}班`));
  const primary = students(primaryClasses, [28, 34]);
  const middle = students(middleClasses, [30, 36]);

  const drowningStart = day(5, 6, 9);
  await run({
    kind: 'drowning',
    org: ctx.org.s_primary,
    title: `${year}年石桥镇中心小学防溺水安全承诺书`,
    created: drowningStart,
    deadline: day(6, 30, 18),
    roster: primary,
    rosterKind: 'student',
    signRate: 0.93,
    fields: studentFields,
  });
  await run({
    kind: 'drowning',
    org: ctx.org.s_middle,
    title: `${year}年石桥镇初级中学防溺水安全承诺书`,
    created: drowningStart,
    deadline: day(6, 30, 18),
    roster: middle,
    rosterKind: 'student',
    signRate: 0.9,
    fields: studentFields,
  });
  await run({
    kind: 'holiday_safety',
    org: ctx.org.s_primary,
    title: `${year}年暑假学生安全承诺书`,
    created: day(7, 1, 9),
    deadline: day(7, 10, 18),
    roster: null,
    rosterKind: null,
    signRate: 0.8,
    subjects: primary,
    fields: studentFields,
  });

  const units = await ds
    .getRepository(OrgUnit)
    .createQueryBuilder('o')
    .where(...subtreeWhere('o.path', town.path, 'p'))
    .getMany();
  const persons = (n: string) => ({
    name: n,
    group: n,
    guardian: ctx.pick(SURNAMES) + ctx.pick(['建华', '永强', '德明', '国庆', '志勇', '红梅']),
    phone: phone(),
  });
  const enterprises = units.filter((u) => u.type === 'enterprise').map((u) => persons(u.name));
  const villages = units.filter((u) => u.type === 'village' || u.type === 'community').map((u) => persons(u.name));
  await run({
    kind: 'production_responsibility',
    org: town,
    title: `${year}年度企业安全生产责任书`,
    created: day(2, 20, 9),
    deadline: day(3, 31, 18),
    roster: enterprises,
    rosterKind: 'enterprise',
    signRate: 1,
    fields: (s) => ({ unitName: s.name, principalName: s.guardian, phone: s.phone }),
  });
  await run({
    kind: 'fire_food_responsibility',
    org: town,
    title: `${year}年度村（社区）消防及食品安全责任书`,
    created: day(2, 25, 9),
    deadline: day(3, 31, 18),
    roster: villages,
    rosterKind: 'enterprise',
    signRate: 1,
    fields: (s) => ({ unitName: s.name, principalName: s.guardian, phone: s.phone }),
  });
  await run({
    kind: 'food_drug_coordinator',
    org: town,
    title: `${year}年度食品药品安全协管员责任书`,
    created: day(3, 5, 9),
    deadline: day(3, 31, 18),
    roster: null,
    rosterKind: null,
    signRate: 1,
    subjects: villages.map((v) => ({ ...v, name: ctx.pick(SURNAMES) + ctx.pick(['春兰', '国富', '小平', '玉珍']), group: v.name })),
    fields: (s) => ({ signerName: s.name, unitName: s.group, phone: s.phone }),
  });
  // Signatures went in directly: the statistics' rollup and the campaigns' rosterSigned follow by a rebuild.
  await rebuildPledgeMonth(ds, isMysql(ds));
}
