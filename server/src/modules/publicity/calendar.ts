import { beijingToday } from '@xiangan/shared';
import type { CalendarDto, CalendarPresetDto, MessageBlock, MessageCategory } from '@xiangan/shared';

interface Preset {
  key: string;
  name: string;
  category: MessageCategory;
  /** month/day; a range that ends before it starts runs into the next year. Functions handle movable dates. */
  from: [number, number] | ((year: number) => [number, number]);
  to: [number, number] | ((year: number) => [number, number]);
  note: string | null;
  suggestedAudience: CalendarPresetDto['suggestedAudience'];
  ackRequired: boolean;
  title: string;
  body: MessageBlock[];
}

const p = (text: string, bold = false): MessageBlock => (bold ? { type: 'p', text, bold: true } : { type: 'p', text });
const h = (text: string): MessageBlock => ({ type: 'h', text });

/** Last Monday of March: 全国中小学生安全教育日. */
function lastMondayOfMarch(year: number): [number, number] {
  const d = new Date(Date.UTC(year, 2, 31));
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() - 1);
  return [3, d.getUTCDate()];
}

/** The week that holds 5·12 (防灾减灾宣传周: 5·12 falls in it). */
const PRESETS: Preset[] = [
  {
    key: 'spring_festival_fireworks',
    name: '春节烟花爆竹安全',
    category: 'fire',
    from: [1, 10],
    to: [2, 28],
    note: '春节前后（按当年春节日期调整）',
    suggestedAudience: ['town', 'village', 'enterprise'],
    ackRequired: false,
    title: '春节期间烟花爆竹安全提示',
    body: [
      h('燃放烟花爆竹，安全第一'),
      p('请到有许可证的正规销售点购买烟花爆竹，不买“三无”产品。'),
      p('不在禁放区域、室内、阳台、柴草堆旁燃放；儿童燃放须有大人看护。', true),
      p('发现非法生产、储存、销售烟花爆竹，请拨打 12350 或向村委会报告。'),
    ],
  },
  {
    key: 'school_safety_day',
    name: '全国中小学生安全教育日',
    category: 'other',
    from: lastMondayOfMarch,
    to: lastMondayOfMarch,
    note: '每年3月最后一个星期一',
    suggestedAudience: ['school', 'village'],
    ackRequired: false,
    title: '中小学生安全教育日：安全知识进万家',
    body: [p('今天是全国中小学生安全教育日。请家长和孩子一起学习交通、防溺水、防火、用电安全知识。'), p('上下学走人行道，不乘坐无牌无证、超载车辆。', true)],
  },
  {
    key: 'disaster_day',
    name: '5·12 防灾减灾日',
    category: 'disaster',
    from: [5, 6],
    to: [5, 12],
    note: '5月12日及其所在宣传周',
    suggestedAudience: ['town', 'village', 'school'],
    ackRequired: false,
    title: '5·12 防灾减灾日：人人讲安全，个个会应急',
    body: [
      h('人人讲安全，个个会应急'),
      p('遇到地震：室内就近躲避在坚固的桌下或墙角，震后有序撤离到空旷地带。'),
      p('暴雨天气远离河道、山坡、危房，听从村干部转移安排。', true),
      p('家中备好手电、饮用水、常用药品，记住村里的应急避难场所。'),
    ],
  },
  {
    key: 'safety_month',
    name: '安全生产月',
    category: 'safety_month',
    from: [6, 1],
    to: [6, 30],
    note: '每年6月',
    suggestedAudience: ['enterprise', 'town'],
    ackRequired: true,
    title: '安全生产月公益广告：人人讲安全 个个会应急',
    body: [
      h('6月是全国“安全生产月”'),
      p('请各企业组织全体员工收看本期安全生产月公益广告，并由每位员工点击“已阅并知晓”。', true),
      p('企业主要负责人是本单位安全生产第一责任人，要开展一次隐患自查，对查出的问题建立台账、限期整改。'),
      p('发现事故隐患，可通过“乡安”小程序随手拍上报。'),
    ],
  },
  {
    key: 'food_safety_week',
    name: '食品安全宣传周',
    category: 'food_safety',
    from: [6, 10],
    to: [6, 24],
    note: '日期以当年国务院食安办通知为准',
    suggestedAudience: ['town', 'school', 'enterprise'],
    ackRequired: false,
    title: '食品安全宣传周：尚俭崇信 守护阳光下的餐桌',
    body: [
      p('购买食品认准正规渠道，查看生产日期和保质期，不买来历不明的散装食品。'),
      p('不采摘、不食用野生蘑菇。', true),
      p('餐饮单位要落实食品安全主体责任，做好从业人员健康管理和餐具消毒。'),
    ],
  },
  {
    key: 'flood_season',
    name: '汛期防汛及地质灾害防范',
    category: 'disaster',
    from: [6, 1],
    to: [9, 30],
    note: '主汛期',
    suggestedAudience: ['village'],
    ackRequired: false,
    title: '汛期安全提示：强降雨天气请注意防范',
    body: [p('强降雨期间不要在河边、沟边、陡坡下停留，不要涉水过河。', true), p('发现山体开裂、房屋变形等险情，立即撤离并报告村委会。')],
  },
  {
    key: 'summer_drowning',
    name: '暑期防溺水',
    category: 'drowning',
    from: [6, 15],
    to: [8, 31],
    note: '暑假及前后（学生放假前启动）',
    suggestedAudience: ['school', 'village'],
    ackRequired: true,
    title: '暑期防溺水“六不”，请家长务必看护好孩子',
    body: [
      h('防溺水“六不”'),
      p(
        '不私自下水游泳；不擅自与他人结伴游泳；不在无家长或教师带领的情况下游泳；不到无安全设施、无救援人员的水域游泳；不到不熟悉的水域游泳；不熟悉水性的学生不擅自下水施救。',
        true,
      ),
      p('家长是孩子的监护人，暑期请时刻掌握孩子去向。看到他人落水，要大声呼救，不要手拉手施救。'),
    ],
  },
  {
    key: 'forest_fire_autumn',
    name: '森林防火期',
    category: 'forest_fire',
    from: [11, 1],
    to: [4, 30],
    note: '每年11月1日至次年4月30日',
    suggestedAudience: ['village'],
    ackRequired: false,
    title: '森林防火期：进山不带火，野外不用火',
    body: [p('森林防火期内严禁野外烧荒、烧秸秆、上坟烧纸、燃放鞭炮。', true), p('发现山火请立即拨打 119 或 12119，并报告村委会。')],
  },
  {
    key: 'fire_day',
    name: '11·9 消防宣传日',
    category: 'fire',
    from: [11, 1],
    to: [11, 30],
    note: '11月9日；11月为消防宣传月',
    suggestedAudience: ['town', 'village', 'enterprise', 'school'],
    ackRequired: false,
    title: '119 消防宣传日：预防火灾，从我做起',
    body: [
      h('牢记 119'),
      p('不私拉乱接电线，电动车不进楼道、不在室内充电。', true),
      p('家中常备灭火器，学会“提、拔、握、压”。'),
      p('发生火灾时用湿毛巾捂住口鼻，低姿撤离，不乘电梯。'),
    ],
  },
  {
    key: 'gas_winter',
    name: '冬季燃气安全',
    category: 'gas',
    from: [11, 15],
    to: [2, 28],
    note: '采暖季',
    suggestedAudience: ['town', 'village', 'enterprise'],
    ackRequired: false,
    title: '冬季燃气安全提示：用气先通风，离人要关阀',
    body: [
      p('使用燃气时保持通风，人离开厨房要关火关阀。'),
      p('闻到燃气味：立即关阀、开窗，不开关电器、不使用明火，到室外拨打抢修电话。', true),
      p('燃气软管要定期检查，老化、龟裂及时更换。'),
    ],
  },
  {
    key: 'traffic_day',
    name: '12·2 全国交通安全日',
    category: 'traffic',
    from: [12, 2],
    to: [12, 2],
    note: '每年12月2日',
    suggestedAudience: ['town', 'village', 'school'],
    ackRequired: false,
    title: '12·2 全国交通安全日：文明出行，安全回家',
    body: [p('骑电动车、摩托车请戴头盔；不酒后驾驶，不超员超载。', true), p('农用车不载人，三轮车不上高速。')],
  },
];

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The presets for `year`, in the order of their start dates. */
export function campaignCalendar(year: number, today = new Date()): CalendarDto {
  const todayIso = beijingToday(0, today);
  const in30 = beijingToday(30, today);
  const presets = PRESETS.map((x): CalendarPresetDto => {
    const [fm, fd] = typeof x.from === 'function' ? x.from(year) : x.from;
    const [tm, td] = typeof x.to === 'function' ? x.to(year) : x.to;
    const wraps = tm * 100 + td < fm * 100 + fd;
    const from = iso(year, fm, fd);
    const to = iso(wraps ? year + 1 : year, tm, td);
    return {
      key: x.key,
      name: x.name,
      category: x.category,
      from,
      to,
      note: x.note,
      suggestedAudience: x.suggestedAudience,
      ackRequired: x.ackRequired,
      template: { title: x.title, body: x.body.map((b) => ({ ...b })) },
      active: todayIso >= from && todayIso <= to,
      upcoming: from > todayIso && from <= in30,
    };
  }).sort((a, b) => a.from.localeCompare(b.from));
  return { year, presets };
}
