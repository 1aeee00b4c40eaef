import { beijingYear } from '@xiangan/shared';
import { campaignCalendar } from '../../modules/publicity/calendar';
import { Message, MessageAudience, MessageDelivery, MessageReceipt } from '../../modules/publicity/message.entity';
import { SubscriptionConsent } from '../../modules/subscriptions/subscription-consent.entity';
import { User } from '../../modules/users/user.entity';
import type { OrgUnit } from '../../modules/orgs/org-unit.entity';
import type { SeedContext } from './context';

/** The seed's stand-in for the 宣传推送 template id when WECHAT_TPL_PUBLICITY is unset (consents are per template). */
export const SEED_PUBLICITY_TEMPLATE = 'seed-tpl-publicity';

/**
 * A year of the demo town's publicity, following the campaign calendar: each safety day or month
 * that started in the last twelve months went out to its usual units, with receipts for a realistic
 * share of the people (about 70 % read; where acknowledgement was asked, about half acknowledged)
 * and subscribe-message sends to the ~40 % who accepted the template.
 */
export async function seedPublicity(ctx: SeedContext): Promise<void> {
  const { ds, org, now } = ctx;
  const town = org.town;
  const publisher = ctx.user.town;
  const villages = Object.values(org).filter((o) => o.type === 'village' && o.path.startsWith(town.path));
  const communities = Object.values(org).filter((o) => o.type === 'community' && o.path.startsWith(town.path));
  const schools = Object.values(org).filter((o) => o.type === 'school' && o.path.startsWith(town.path));
  const enterprises = Object.values(org).filter((o) => o.type === 'enterprise' && o.path.startsWith(town.path));
  const unitsFor = (kinds: string[]): OrgUnit[] => {
    if (kinds.includes('town')) return [town];
    const out: OrgUnit[] = [];
    if (kinds.includes('village')) out.push(...villages, ...communities);
    if (kinds.includes('school')) out.push(...schools);
    if (kinds.includes('enterprise')) out.push(...enterprises.filter((e) => !out.some((o) => e.path.startsWith(o.path))));
    return out;
  };

  const users = await ds.getRepository(User).find({ where: { disabled: false } });
  // ~40 % of residents accepted the publicity template at some point
  const consenting = new Set(users.filter(() => ctx.rand() < 0.4).map((u) => u.id));
  await ds
    .getRepository(SubscriptionConsent)
    .insert([...consenting].map((userId) => ({ userId, templateId: ctx.publicityTemplate, remaining: ctx.int(0, 3), banned: false })));

  const yearAgo = new Date(now.getTime() - 365 * 86400_000);
  const y = beijingYear(now);
  const presets = [...campaignCalendar(y - 1, now).presets, ...campaignCalendar(y, now).presets];
  // Besides the calendar, the routine reminders an 安监办 sends through the year.
  const routine = [
    {
      title: '燃气安全：用气先通风，离人要关阀',
      category: 'gas' as const,
      text: '使用燃气时保持通风，人离开厨房要关火关阀。闻到燃气味请立即关阀开窗，到室外拨打抢修电话。',
      kinds: ['town'],
    },
    { title: '农村用电安全提醒', category: 'other' as const, text: '不私拉乱接电线，不用铜丝代替保险丝；电动车不进楼道、不在室内充电。', kinds: ['village'] },
    { title: '道路交通安全：骑车请戴头盔', category: 'traffic' as const, text: '骑电动车、摩托车请戴头盔；农用车不载人，不酒后驾驶。', kinds: ['town'] },
  ];
  type Plan = { title: string; category: Message['category']; body: Message['body']; units: OrgUnit[]; at: Date; ack: boolean };
  const plans: Plan[] = [];
  for (const p of presets) {
    const at = new Date(`${p.from}T01:00:00.000Z`); // 09:00 China time on the first day
    if (at < yearAgo || at > now) continue;
    plans.push({ title: p.template.title, category: p.category, body: p.template.body, units: unitsFor(p.suggestedAudience), at, ack: p.ackRequired });
  }
  for (let m = 11; m >= 0; m--) {
    const r = routine[m % routine.length];
    const at = new Date(now.getTime() - (m * 30 + ctx.int(3, 20)) * 86400_000);
    plans.push({ title: r.title, category: r.category, body: [{ type: 'p', text: r.text }], units: unitsFor(r.kinds), at, ack: false });
  }
  plans.sort((a, b) => a.at.getTime() - b.at.getTime());

  for (const p of plans) {
    const res = await ds.getRepository(Message).insert({
      title: p.title.slice(0, 60),
      body: p.body,
      category: p.category,
      status: 'published',
      scheduledAt: null,
      ackRequired: p.ack,
      publisherId: publisher.id,
      orgId: town.id,
      orgPath: town.path,
      roles: [],
      audienceSize: null,
      publishedAt: p.at,
      withdrawnAt: null,
      createdAt: new Date(p.at.getTime() - 3600_000),
      updatedAt: p.at,
    });
    const messageId = Number(res.identifiers[0].id);
    await ds.getRepository(MessageAudience).insert(p.units.map((u) => ({ messageId, targetOrgId: u.id, targetOrgPath: u.path, role: '*', feedAt: p.at })));
    const audience = users.filter((u) => u.orgPath && p.units.some((t) => u.orgPath!.startsWith(t.path)));
    await ds.getRepository(Message).update(messageId, { audienceSize: audience.length });
    const receipts: Partial<MessageReceipt>[] = [];
    const deliveries: Partial<MessageDelivery>[] = [];
    for (const u of audience) {
      if (consenting.has(u.id)) {
        deliveries.push({
          messageId,
          userId: u.id,
          userOrgPath: u.orgPath,
          status: 'sent',
          attempts: 1,
          claimedAt: p.at,
          sentAt: new Date(p.at.getTime() + ctx.int(5, 600) * 1000),
        });
      }
      if (ctx.rand() >= 0.7) continue;
      const readAt = new Date(p.at.getTime() + ctx.int(10, 72 * 60) * 60_000);
      const ackedAt = p.ack && ctx.rand() < 0.7 ? new Date(readAt.getTime() + ctx.int(1, 30) * 1000) : null; // 0.7 × 0.7 ≈ half acknowledge
      receipts.push({
        messageId,
        userId: u.id,
        userOrgId: u.orgId,
        userOrgPath: u.orgPath,
        readAt: readAt > now ? now : readAt,
        ackedAt: ackedAt && ackedAt > now ? now : ackedAt,
      });
    }
    for (let i = 0; i < receipts.length; i += 200) await ds.getRepository(MessageReceipt).insert(receipts.slice(i, i + 200));
    for (let i = 0; i < deliveries.length; i += 200) await ds.getRepository(MessageDelivery).insert(deliveries.slice(i, i + 200));
  }

  // One draft and one scheduled message for the coming campaign, so the officer pages have both.
  const next = [...campaignCalendar(y, now).presets, ...campaignCalendar(y + 1, now).presets].find((p) => new Date(`${p.from}T01:00:00.000Z`) > now);
  if (next) {
    for (const status of ['draft', 'scheduled'] as const) {
      const at = new Date(`${next.from}T01:00:00.000Z`);
      const r = await ds.getRepository(Message).insert({
        title: status === 'draft' ? `（草稿）${next.template.title}`.slice(0, 60) : next.template.title,
        body: next.template.body,
        category: next.category,
        status,
        scheduledAt: status === 'scheduled' ? at : null,
        ackRequired: next.ackRequired,
        publisherId: publisher.id,
        orgId: town.id,
        orgPath: town.path,
        roles: [],
        audienceSize: null,
        publishedAt: null,
        withdrawnAt: null,
      });
      const id = Number(r.identifiers[0].id);
      await ds
        .getRepository(MessageAudience)
        .insert(unitsFor(next.suggestedAudience).map((u) => ({ messageId: id, targetOrgId: u.id, targetOrgPath: u.path, role: '*', feedAt: null })));
    }
  }
}
