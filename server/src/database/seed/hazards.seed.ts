import type { HazardCategory, HazardStatus, Role } from '@xiangan/shared';
import { beijingDate, beijingDayEnd, beijingYear, boundaryBox, formatHazardCode, squareAround } from '@xiangan/shared';
import { Like } from 'typeorm';
import { Counter } from '../../common/db/counter.entity';
import { HazardEvent } from '../../modules/hazards/hazard-event.entity';
import { Hazard } from '../../modules/hazards/hazard.entity';
import { rebuildHazardCounts } from '../../modules/hazards/hazard-counts.service';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { User } from '../../modules/users/user.entity';
import { SeedContext, seededRandom } from './context';

/**
 * A year of 隐患随手拍 in 石桥镇, shaped like the town's own summaries: 道路交通 20余起, 消防 14处,
 * 危化品/烟花爆竹 3处, 建筑施工 1处, 食品药品 4起, ponds and rivers for 防溺水, 地质灾害 points…
 * Most are closed (销号); three still in hand (one road guard rail, two retaining walls — 堡坎);
 * six escalated to county departments; a few overdue, a few rejected as duplicates, a few fresh.
 */

type Place = 'village' | 'enterprise' | 'school' | 'market';
const CATS: [HazardCategory, number, Place, string[]][] = [
  [
    'road_traffic',
    23,
    'village',
    [
      '村道急弯处无警示标志和反光镜，夜间会车危险',
      '三轮摩托车违规载人，早晚接送学生时段多见',
      '面包车在场镇非法营运，超员载客',
      '公路临崖路段护栏缺失约30米',
      '桥头路面塌陷形成大坑，雨天积水看不清',
      '村口路段杂草遮挡视线，需清理并设减速带',
    ],
  ],
  [
    'fire',
    14,
    'village',
    [
      '老旧木结构房屋电线私拉乱接，线路老化',
      '楼道堆放柴草杂物，堵塞疏散通道',
      '小饭店厨房未配灭火器，液化气罐放在灶边',
      '农户在屋后焚烧秸秆，距离柴堆不足5米',
      '出租房电动车在楼道内充电',
      '卫生院消防通道被车辆占用',
    ],
  ],
  ['hazardous_chemicals', 1, 'enterprise', ['化工贸易公司仓库危化品与普通货物混放，警示标志脱落']],
  ['fireworks', 2, 'enterprise', ['烟花爆竹零售点超量储存，库房内有人吸烟', '烟花爆竹经营点与住宅未保持安全距离，灭火器过期']],
  ['construction', 1, 'village', ['农村自建房施工脚手架未设防护网，工人未系安全带']],
  [
    'food_drug',
    4,
    'market',
    ['农贸市场熟食摊无健康证、无防蝇设施', '学校周边流动摊贩售卖三无食品', '农村宴席流动厨房留存票据不全、卫生环境较差', '药店处方药未凭处方销售'],
  ],
  [
    'drowning',
    18,
    'village',
    [
      '村头堰塘无护栏无警示牌，暑期常有孩子在边上玩水',
      '河湾深水区无“禁止游泳”警示牌',
      '废弃鱼塘水深约3米，塘边无围挡',
      '山坪塘放水后淤泥深，周边无警示',
      '河边救生圈、救生杆缺失',
    ],
  ],
  [
    'rural_power',
    30,
    'village',
    ['电线杆倾斜，线路下垂离地不足2米', '变压器围栏损坏，孩子可以靠近', '农户私拉电线捕鱼', '配电箱门锈蚀无法关闭，线头裸露', '大风后电线搭在树枝上'],
  ],
  ['gas', 20, 'village', ['居民使用过期液化气瓶', '餐馆燃气软管老化开裂', '液化气供应站充装记录不全', '燃气管道被违章建筑压占']],
  ['geological', 14, 'village', ['公路边堡坎开裂外鼓，下方有住户', '雨后山体滑坡隐患点裂缝加宽', '房屋后边坡落石', '山洪沟道被建筑垃圾堵塞']],
  ['flood_reservoir', 10, 'village', ['小型水库溢洪道被杂物堵塞', '河堤局部垮塌约10米', '水库大坝坝体渗水', '排洪沟年久失修']],
  ['forest_fire', 15, 'village', ['林区边上坟祭祀烧纸，无人看守', '林下可燃物堆积，防火通道不畅', '护林员巡查记录缺失', '农户在林缘烧荒']],
  ['campus', 12, 'school', ['校门口无减速带和人行横道', '学校围墙局部垮塌', '校车座位不足，存在超员', '学校食堂燃气报警器损坏']],
  ['crowded_places', 10, 'market', ['农贸市场逢场天人员拥挤，消防通道被摊位占用', '场镇舞厅安全出口锁闭', '集市临时搭建棚架不牢固']],
  [
    'industry_trade',
    35,
    'enterprise',
    [
      '车间电气线路老化，配电柜前堆放物料',
      '机械传动部位防护罩缺失',
      '员工未经培训上岗，未佩戴防护用品',
      '企业应急预案未备案，未开展演练',
      '粉尘作业场所通风不良',
    ],
  ],
  ['special_equipment', 10, 'enterprise', ['叉车超期未检验', '电梯维保记录缺失', '压力容器安全阀未校验', '起重机械钢丝绳断丝']],
  ['confined_space', 6, 'enterprise', ['污水池作业未检测有毒气体，无监护人', '沼气池清掏作业无防护措施', '地下窨井作业未设警示']],
  ['other', 20, 'village', ['废弃房屋无人看管，墙体开裂', '路灯损坏多日，夜间行人看不清', '公共场所井盖缺失', '村广播喇叭损坏，预警信息无法播送']],
];
const VILLAGES = ['v_shiqiao', 'v_liulin', 'v_hekou', 'v_wangjiaba', 'v_taoyuan', 'v_longtan', 'v_zhangjiawan', 'c_xinfeng'];
const ENTERPRISES = ['e_daqiang', 'e_gas_station', 'e_lpg', 'e_building', 'e_food', 'e_machinery', 'e_textile', 'e_chemical', 'e_logistics', 'e_restaurant'];
const SPOTS = ['1组', '2组', '3组', '4组', '5组', '村委会旁', '村小学附近', '场镇老街', '河边', '大桥头', '养殖场旁', '山脚'];
const COUNTY_DEPTS = ['county_housing', 'county_transport', 'county_water', 'county_ema'];

export async function seedHazards(ctx: SeedContext): Promise<void> {
  const { ds, org, user } = ctx;
  const hazards = ds.getRepository(Hazard);
  const villagers = await ds.getRepository(User).find({ where: { openid: Like('dev:villager-%') }, select: ['id', 'orgId', 'orgPath', 'role'] });
  const now = ctx.now.getTime();
  const DAY = 86400_000;
  const town = org.town;
  const townOfficer = user.town;
  const officerFor = (o: OrgUnit): { id: number; role: Role } =>
    o.path.startsWith(org.v_liulin.path)
      ? { id: user.village.id, role: 'village_officer' }
      : o.path.startsWith(org.v_hekou.path)
        ? { id: user.village2.id, role: 'village_officer' }
        : { id: townOfficer.id, role: 'town_officer' };
  const placeFor = (kind: Place, category: HazardCategory): OrgUnit => {
    if (kind === 'enterprise') {
      if (category === 'fireworks') return org.e_fireworks;
      if (category === 'hazardous_chemicals') return org.e_chemical;
      if (category === 'gas' && ctx.rand() < 0.5) return org.e_lpg;
      return org[ctx.pick(ENTERPRISES)];
    }
    if (kind === 'school') return ctx.rand() < 0.6 ? org.s_primary : org.s_middle;
    if (kind === 'market') return ctx.rand() < 0.6 ? org.e_market : org.c_xinfeng;
    // the demo villages get a bit more so the village officer's ledger is lively
    return org[ctx.rand() < 0.3 ? 'v_liulin' : ctx.pick(VILLAGES)];
  };
  const coordsOf = (o: OrgUnit) => {
    const withCoords = o.lat != null ? o : [org.v_shiqiao, org.c_xinfeng, town].find((x) => x.lat != null)!;
    return { lat: withCoords.lat! + (ctx.rand() - 0.5) * 0.012, lng: withCoords.lng! + (ctx.rand() - 0.5) * 0.012 };
  };
  // Grids have boundaries (GCJ-02 squares inside their village); a share of a village's reports lie in one of its
  // grids and belong to it, as a report filed there today would. A generator of its own keeps the rest of the demo as it was.
  const gridRand = seededRandom(20261203);
  const grids = await seedGridBoundaries(ctx);
  const inGrid = (place: OrgUnit, at: { lat: number; lng: number }): { place: OrgUnit; lat: number; lng: number } => {
    const mine = grids.filter((g) => g.unit.parentId === place.id);
    if (!mine.length || gridRand() > 0.4) return { place, ...at };
    const g = mine[Math.floor(gridRand() * mine.length)];
    return { place: g.unit, lat: g.centre.lat + (gridRand() - 0.5) * g.half * 1.6, lng: g.centre.lng + (gridRand() - 0.5) * g.halfLng * 1.6 };
  };
  const responsibleFor = (category: HazardCategory, place: OrgUnit): OrgUnit => {
    if (category === 'food_drug') return org.d_market_reg;
    if (category === 'road_traffic' && ctx.rand() < 0.4) return org.d_police;
    if (['industry_trade', 'special_equipment', 'confined_space', 'hazardous_chemicals', 'fireworks'].includes(category))
      return place.type === 'enterprise' ? place : org.d_emergency;
    if (place.type === 'village' || place.type === 'community' || place.type === 'grid') return place;
    return org.d_emergency;
  };

  // Pick the special outcomes up front so the figures are exact.
  const plan: {
    category: HazardCategory;
    place: Place;
    text: string;
    outcome: 'closed' | 'escalated' | 'wall' | 'rail' | 'overdue' | 'rejected' | 'fresh' | 'assigned';
  }[] = [];
  for (const [category, n, place, texts] of CATS) for (let i = 0; i < n; i++) plan.push({ category, place, text: texts[i % texts.length], outcome: 'closed' });
  const take = (pred: (p: (typeof plan)[number]) => boolean, k: number, outcome: (typeof plan)[number]['outcome']) => {
    let left = k;
    for (const p of plan) {
      if (left > 0 && p.outcome === 'closed' && pred(p)) {
        p.outcome = outcome;
        left--;
      }
    }
  };
  take((p) => p.category === 'road_traffic' && p.text.includes('护栏'), 1, 'rail');
  take((p) => p.category === 'geological' && p.text.includes('堡坎'), 2, 'wall');
  take((p) => ['geological', 'flood_reservoir', 'road_traffic', 'other'].includes(p.category), 6, 'escalated');
  take((p) => ['rural_power', 'gas', 'fire'].includes(p.category), 3, 'overdue');
  take((p) => ['drowning', 'rural_power', 'other', 'forest_fire'].includes(p.category), 8, 'rejected');
  take((p) => ['drowning', 'industry_trade', 'other'].includes(p.category), 5, 'fresh');
  take((p) => ['industry_trade', 'campus'].includes(p.category), 3, 'assigned');

  // Spread over the past year, oldest first so the codes run in time order.
  const times = plan.map(() => now - Math.floor(ctx.rand() * 360 * DAY) - 3600_000).sort((a, b) => a - b);
  const order = plan
    .map((p, i) => ({ p, r: ctx.rand(), i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.p);
  // outcomes that must be recent
  const recent = (o: string) => ['fresh', 'assigned', 'overdue', 'wall', 'rail'].includes(o);
  order.sort((a, b) => Number(recent(a.outcome)) - Number(recent(b.outcome)));

  const seqByYear = new Map<number, number>();
  const events: Partial<HazardEvent>[] = [];
  const closedByCategory = new Map<string, Hazard[]>();
  const demoResidentReports: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const p = order[i];
    let created = times[i];
    if (p.outcome === 'fresh') created = now - ctx.int(1, 60) * 3600_000;
    if (p.outcome === 'assigned') created = now - ctx.int(2, 5) * DAY;
    if (p.outcome === 'overdue') created = now - ctx.int(20, 30) * DAY;
    if (p.outcome === 'wall' || p.outcome === 'rail') created = now - ctx.int(25, 40) * DAY;
    const picked = placeFor(p.place, p.category);
    const year = beijingYear(created);
    const seq = (seqByYear.get(year) ?? 0) + 1;
    seqByYear.set(year, seq);
    // a few from the demo resident so "我的上报" has history; most from villagers; some from grid officers on patrol
    const fromDemo = picked.path.startsWith(org.v_liulin.path) && demoResidentReports.length < 6 && ctx.rand() < 0.3;
    const reporter = fromDemo
      ? { id: user.resident.id, role: 'resident' as Role }
      : ctx.rand() < 0.2
        ? { id: user.grid.id, role: 'grid_officer' as Role }
        : { id: ctx.pick(villagers).id, role: 'resident' as Role };
    const { place, lat, lng } = inGrid(picked, coordsOf(picked));
    const spot = place.type === 'village' || place.type === 'community' ? `${place.name}${ctx.pick(SPOTS)}` : place.name;
    const h = hazards.create({
      code: formatHazardCode(year, seq),
      category: p.category,
      level: p.outcome === 'rail' || (p.category === 'geological' && ctx.rand() < 0.3) ? 'major' : 'general',
      status: 'reported',
      description: p.text,
      textCheck: 'pass',
      lat,
      lng,
      address: spot,
      orgId: place.id,
      orgPath: place.path,
      reporterId: reporter.id,
      reporterRole: reporter.role,
      anonymous: ctx.rand() < 0.1,
      contactPhone: ctx.rand() < 0.5 ? `13${ctx.int(5, 9)}${String(ctx.int(0, 99999999)).padStart(8, '0')}` : null,
      clientKey: null,
      createdAt: new Date(created),
      updatedAt: new Date(created),
    });
    const saved = await hazards.save(h);
    if (fromDemo) demoResidentReports.push(saved.id);
    const ev = (
      action: string,
      at: number,
      from: HazardStatus | null,
      to: HazardStatus | null,
      actor: { id: number; role: Role } | null,
      note: string | null,
      data: Record<string, unknown> | null = null,
    ) =>
      events.push({
        hazardId: saved.id,
        action,
        fromStatus: from,
        toStatus: to,
        actorId: actor?.id ?? null,
        actorRole: actor?.role ?? null,
        note,
        photoIds: null,
        data,
        createdAt: new Date(at),
      });
    ev('report', created, null, 'reported', reporter, null);

    const officer = officerFor(place);
    const resp = responsibleFor(p.category, place);
    const patch: Partial<Hazard> = {};
    let t = created + ctx.int(2, 30) * 3600_000;
    if (p.outcome === 'fresh') {
      await hazards.update(saved.id, { updatedAt: new Date(created) });
      continue;
    }
    if (p.outcome === 'rejected') {
      const same = closedByCategory.get(p.category)?.slice(-1)[0];
      ev(
        'reject',
        t,
        'reported',
        'rejected',
        officer,
        same ? `与 ${same.code} 重复上报，已并案处理` : '经现场核实不属实',
        same ? { duplicateOfId: same.id, duplicateOfCode: same.code } : null,
      );
      await hazards.update(saved.id, { status: 'rejected', duplicateOfId: same?.id ?? null, updatedAt: new Date(t) });
      continue;
    }
    if (p.outcome === 'escalated') {
      const dept = org[ctx.pick(COUNTY_DEPTS)];
      ev('escalate', t, 'reported', 'escalated', { id: townOfficer.id, role: 'town_officer' }, '镇村无力处置，需县级行业部门处理', { department: dept.name });
      await hazards.update(saved.id, { status: 'escalated', escalatedTo: dept.name, updatedAt: new Date(t) });
      continue;
    }
    const deadlineDays = p.outcome === 'overdue' ? ctx.int(5, 10) : p.outcome === 'wall' || p.outcome === 'rail' ? ctx.int(45, 60) : ctx.int(3, 15);
    const deadline = beijingDayEnd(beijingDate(t + deadlineDays * DAY));
    ev('assign', t, 'reported', 'assigned', officer, `请${resp.name}限期整改`, {
      responsibleOrgId: resp.id,
      responsibleOrgName: resp.name,
      deadline: deadline.toISOString(),
    });
    Object.assign(patch, { status: 'assigned', responsibleOrgId: resp.id, responsibleOrgPath: resp.path, deadline });
    if (p.outcome === 'assigned' || p.outcome === 'overdue') {
      if (p.outcome === 'overdue') {
        t += DAY;
        ev('start', t, 'assigned', 'rectifying', officer, '已通知责任人，正在整改');
        patch.status = 'rectifying';
      }
      await hazards.update(saved.id, { ...patch, updatedAt: new Date(t) });
      continue;
    }
    t += ctx.int(1, 2) * DAY;
    const worker = resp.type === 'department' ? { id: townOfficer.id, role: 'town_officer' as Role } : officer;
    ev('start', t, 'assigned', 'rectifying', worker, p.outcome === 'wall' ? '正在整修堡坎' : p.outcome === 'rail' ? '正在安装公路防护设施' : '已开始整改');
    patch.status = 'rectifying';
    if (p.outcome === 'wall' || p.outcome === 'rail') {
      await hazards.update(saved.id, { ...patch, updatedAt: new Date(t) });
      continue;
    }
    t = Math.min(deadline.getTime() - 3600_000 * ctx.int(2, 48), t + ctx.int(1, 10) * DAY);
    if (t > now - 2 * DAY) t = now - 2 * DAY;
    ev('rectify', t, 'rectifying', 'rectified', worker, '已整改完毕，附整改后照片');
    patch.rectifiedAt = new Date(t);
    // one in eight fails the first check
    if (ctx.rand() < 0.125) {
      t += 3600_000 * 6;
      ev('verify', t, 'rectified', 'rectifying', officer, '复查不合格，请继续整改', { passed: false });
      t += DAY / 2;
      ev('rectify', t, 'rectifying', 'rectified', worker, '已按要求再次整改');
      patch.rectifiedAt = new Date(t);
    }
    t += 3600_000 * ctx.int(3, 30);
    if (t > now - DAY) t = now - DAY;
    ev('verify', t, 'rectified', 'closed', officer, '现场验收合格，予以销号', { passed: true });
    Object.assign(patch, { status: 'closed', closedAt: new Date(t), updatedAt: new Date(t) });
    await hazards.update(saved.id, patch);
    closedByCategory.set(p.category, [...(closedByCategory.get(p.category) ?? []), { ...saved, ...patch } as Hazard]);
  }
  const evRepo = ds.getRepository(HazardEvent);
  for (let i = 0; i < events.length; i += 200) await evRepo.insert(events.slice(i, i + 200) as never);
  const counters = ds.getRepository(Counter);
  for (const [year, value] of seqByYear) await counters.save({ name: `hazard:${year}`, value });
  // The rows above were written directly: derive the ledger's counts and urgency ranks from them.
  await rebuildHazardCounts(ds);
}

/** Square boundaries for the demo grids: 第一网格 north-west of the village centre, 第二网格 south-east (≈ 600 m across). */
async function seedGridBoundaries(ctx: SeedContext): Promise<{ unit: OrgUnit; centre: { lat: number; lng: number }; half: number; halfLng: number }[]> {
  const repo = ctx.ds.getRepository(OrgUnit);
  const out: { unit: OrgUnit; centre: { lat: number; lng: number }; half: number; halfLng: number }[] = [];
  for (const unit of Object.values(ctx.org).filter((u) => u.type === 'grid')) {
    const village = Object.values(ctx.org).find((u) => u.id === unit.parentId);
    if (!village || village.lat == null || village.lng == null) continue;
    const second = unit.name.includes('第二');
    const centre = { lat: village.lat + (second ? -0.003 : 0.003), lng: village.lng + (second ? 0.003 : -0.003) };
    const boundary = squareAround(centre, 300);
    await repo.update(unit.id, { boundary, ...boundaryBox(boundary) });
    const box = boundaryBox(boundary);
    out.push({ unit, centre, half: (box.maxLat - box.minLat) / 2, halfLng: (box.maxLng - box.minLng) / 2 });
  }
  return out;
}
