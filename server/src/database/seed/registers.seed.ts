import { Incident, RiskSite, SitePatrol } from '../../modules/registers/registers.entities';
import type { SeedContext } from './context';
import { beijingToday, beijingYear } from '@xiangan/shared';

/**
 * The demo town's risk-site register at the reference report's scale (三年行动 summary: 12个烟花爆竹经营点, 1个液化气经营点,
 * 9个地质灾害点, 5处山洪灾害隐患点, 2个小2型以上的水库), a gas station, the ponds and river reaches watched for
 * drowning with their warning signs, monthly patrols at the waters in summer, and no 安全生产事故 / 森林火灾 (one house
 * fire, put out, no one hurt) — so the report says 全年无安全生产事故 from the data.
 */
export async function seedRegisters(ctx: SeedContext): Promise<void> {
  const { ds, org: o, user: u } = ctx;
  const today = beijingToday(0, ctx.now);
  const year = beijingYear(ctx.now);
  const created = new Date(Date.UTC(year - 1, 11, 1));
  const villages = ['v_shiqiao', 'v_liulin', 'v_hekou', 'v_wangjiaba', 'v_taoyuan', 'v_longtan', 'v_zhangjiawan'].map((k) => o[k]).filter(Boolean);
  const sites: Partial<RiskSite>[] = [];
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '赵', '周'];
  const person = (i: number) => `${surnames[i % surnames.length]}${['建国', '春梅', '德明', '国平', '志强', '秀英'][i % 6]}`;
  const add = (kind: string, name: string, i: number, extra: Partial<RiskSite> = {}) => {
    const v = villages[i % villages.length];
    sites.push({
      orgId: v.id,
      orgPath: v.path,
      kind,
      name,
      address: `${v.name}${(i % 6) + 1}组`,
      lat: 29.55 + (i % 7) * 0.008,
      lng: 106.47 + (i % 5) * 0.011,
      sizeClass: null,
      responsibleName: person(i),
      responsiblePhone: `139${String(8230000 + i * 37).padStart(8, '0')}`,
      warningSigns: 0,
      enterpriseOrgId: null,
      notes: null,
      archivedAt: null,
      createdById: u.town.id,
      createdAt: created,
      ...extra,
    });
  };
  for (let i = 0; i < 12; i++)
    add('fireworks_shop', `烟花爆竹零售点${i + 1}号`, i, {
      warningSigns: 1,
      ...(i === 0 && o.e_fireworks ? { enterpriseOrgId: o.e_fireworks.id, name: '顺发烟花爆竹零售点' } : {}),
    });
  add('lpg_shop', '石桥液化气供应站', 0, { orgId: o.town.id, orgPath: o.town.path, enterpriseOrgId: o.e_lpg?.id ?? null, warningSigns: 2 });
  add('gas_station', '石桥加油站', 0, { orgId: o.town.id, orgPath: o.town.path, enterpriseOrgId: o.e_gas_station?.id ?? null, warningSigns: 3 });
  for (let i = 0; i < 9; i++)
    add('geological', `${villages[i % villages.length].name}滑坡隐患点${Math.floor(i / villages.length) + 1}`, i, { warningSigns: 2 });
  for (let i = 0; i < 5; i++) add('flash_flood', `山洪灾害隐患点${i + 1}号`, i + 2, { warningSigns: 1 });
  add('reservoir', '青龙水库', 1, { sizeClass: 'small1', warningSigns: 6 });
  add('reservoir', '白鹤水库', 4, { sizeClass: 'small2', warningSigns: 4 });
  for (let i = 0; i < 6; i++) add('pond', `${villages[i].name}山塘`, i, { warningSigns: 2 });
  for (let i = 0; i < 3; i++) add('river', `石桥河${['上', '中', '下'][i]}段`, i + 1, { warningSigns: 5 });
  add('crowded_place', '石桥农贸市场', 0, { orgId: o.town.id, orgPath: o.town.path, enterpriseOrgId: o.e_market?.id ?? null });
  const saved = await ds.getRepository(RiskSite).save(sites.map((s) => ds.getRepository(RiskSite).create(s)));
  // Patrols: the waters once a month from May to September (as far as today), the geological points after heavy rain.
  const patrols: Partial<SitePatrol>[] = [];
  for (const s of saved) {
    const months = ['reservoir', 'pond', 'river'].includes(s.kind) ? [5, 6, 7, 8, 9] : s.kind === 'geological' || s.kind === 'flash_flood' ? [6, 7] : [];
    for (const m of months) {
      const date = `${year}-${String(m).padStart(2, '0')}-${String(5 + (s.id % 20)).padStart(2, '0')}`;
      if (date > today) continue;
      patrols.push({
        siteId: s.id,
        orgPath: s.orgPath,
        kind: s.kind,
        date,
        inspectors: 2,
        warningSigns: s.warningSigns,
        hazardIds: [],
        notes: '警示标志完好，无人员下水',
        createdById: u.town.id,
        clientKey: null,
      });
    }
  }
  if (patrols.length) await ds.getRepository(SitePatrol).save(patrols.map((p) => ds.getRepository(SitePatrol).create(p)));
  const fireDay = `${year}-02-11` <= today ? `${year}-02-11` : today;
  await ds.getRepository(Incident).save(
    ds.getRepository(Incident).create({
      orgId: o.v_longtan?.id ?? o.town.id,
      orgPath: o.v_longtan?.path ?? o.town.path,
      kind: 'fire',
      date: fireDay,
      title: '村民厨房柴火堆起火',
      deaths: 0,
      injuries: 0,
      loss: 3000,
      siteId: null,
      description: '灶前柴火堆引燃，村民和网格员用灭火器扑灭，无人员伤亡。',
      createdById: u.town.id,
    }),
  );
}
