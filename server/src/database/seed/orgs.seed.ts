import type { OrgType, Role } from '@xiangan/shared';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import { User } from '../../modules/users/user.entity';
import type { SeedContext } from './context';

/** [key, parentKey, type, name, population?, lat?, lng?] — 青山县石桥镇, a made-up but typical hill town. */
const UNITS: [string, string | null, OrgType, string, number?, number?, number?][] = [
  ['county', null, 'county', '青山县', 412000, 29.602, 106.551],
  ['county_ema', 'county', 'department', '青山县应急管理局'],
  ['county_housing', 'county', 'department', '青山县住房和城乡建设局'],
  ['county_transport', 'county', 'department', '青山县交通运输局'],
  ['county_water', 'county', 'department', '青山县水利局'],
  ['town', 'county', 'town', '石桥镇', 53800, 29.571, 106.498],
  ['town2', 'county', 'town', '白沙镇', 31200, 29.655, 106.612],
  ['v_shiqiao', 'town', 'village', '石桥村', 4860, 29.572, 106.5],
  ['v_liulin', 'town', 'village', '柳林村', 3920, 29.583, 106.487],
  ['v_hekou', 'town', 'village', '河口村', 4410, 29.562, 106.512],
  ['v_wangjiaba', 'town', 'village', '王家坝村', 3150, 29.591, 106.521],
  ['v_taoyuan', 'town', 'village', '桃园村', 2870, 29.548, 106.479],
  ['v_longtan', 'town', 'village', '龙潭村', 3340, 29.601, 106.476],
  ['v_zhangjiawan', 'town', 'village', '张家湾村', 2650, 29.556, 106.533],
  ['c_xinfeng', 'town', 'community', '新丰社区', 9800, 29.569, 106.494],
  ['g_liulin_1', 'v_liulin', 'grid', '柳林村第一网格'],
  ['g_liulin_2', 'v_liulin', 'grid', '柳林村第二网格'],
  ['g_shiqiao_1', 'v_shiqiao', 'grid', '石桥村第一网格'],
  ['g_shiqiao_2', 'v_shiqiao', 'grid', '石桥村第二网格'],
  ['g_hekou_1', 'v_hekou', 'grid', '河口村第一网格'],
  ['g_xinfeng_1', 'c_xinfeng', 'grid', '新丰社区第一网格'],
  ['s_primary', 'town', 'school', '石桥镇中心小学', 1260],
  ['s_middle', 'town', 'school', '石桥镇初级中学', 980],
  ['e_daqiang', 'town', 'enterprise', '青山大强钢铁有限公司'],
  ['e_gas_station', 'town', 'enterprise', '石桥加油站'],
  ['e_lpg', 'town', 'enterprise', '石桥液化气供应站'],
  ['e_fireworks', 'v_shiqiao', 'enterprise', '顺发烟花爆竹零售点'],
  ['e_building', 'town', 'enterprise', '宏达新型建材厂'],
  ['e_food', 'v_hekou', 'enterprise', '绿源食品加工厂'],
  ['e_machinery', 'v_wangjiaba', 'enterprise', '金田农机修造厂'],
  ['e_textile', 'town', 'enterprise', '华丰纺织有限公司'],
  ['e_chemical', 'town', 'enterprise', '鑫源化工贸易有限公司'],
  ['e_market', 'c_xinfeng', 'enterprise', '石桥农贸市场'],
  ['e_logistics', 'town', 'enterprise', '宏运物流有限公司'],
  ['e_restaurant', 'c_xinfeng', 'enterprise', '石桥人家餐馆'],
  ['d_market_reg', 'town', 'department', '石桥市场监督管理所'],
  ['d_police', 'town', 'department', '石桥派出所'],
  ['d_clinic', 'town', 'department', '石桥镇卫生院'],
  ['d_emergency', 'town', 'department', '石桥镇应急管理办公室'],
  ['v_baisha', 'town2', 'village', '白沙村', 3600, 29.656, 106.613],
  ['v_qingshui', 'town2', 'village', '清水村', 2900, 29.661, 106.624],
  ['e_baisha_mine', 'town2', 'enterprise', '白沙石料厂'],
];

/** [key, openid, name, role, unitKey, phone] — the demo accounts the h5 role picker offers. */
export const DEMO_USERS: [string, string, string, Role, string, string][] = [
  ['town', 'demo-town', '张建国', 'town_officer', 'town', '13908231001'],
  ['village', 'demo-village', '李春梅', 'village_officer', 'v_liulin', '13908231002'],
  ['grid', 'demo-grid', '王小军', 'grid_officer', 'g_liulin_1', '13908231003'],
  ['dept', 'demo-dept', '赵敏', 'department_officer', 'd_market_reg', '13908231004'],
  ['school', 'demo-school', '陈晓红', 'department_officer', 's_primary', '13908231005'],
  ['county', 'demo-county', '刘志强', 'county_officer', 'county', '13908231006'],
  ['admin', 'demo-admin', '系统管理员', 'admin', 'county', '13908231007'],
  ['resident', 'demo-resident', '王桂英', 'resident', 'v_liulin', '13908231008'],
  ['parent', 'demo-parent', '张德明', 'resident', 'v_hekou', '13908231009'],
  ['village2', 'demo-village-hekou', '周国平', 'village_officer', 'v_hekou', '13908231010'],
  ['enterprise', 'demo-enterprise', '孙大强', 'resident', 'e_daqiang', '13908231011'],
  ['town2', 'demo-town-baisha', '黄立新', 'town_officer', 'town2', '13908231012'],
];

export async function seedOrgsAndUsers(ctx: SeedContext): Promise<void> {
  const repo = ctx.ds.getRepository(OrgUnit);
  for (const [key, parentKey, type, name, population, lat, lng] of UNITS) {
    const parent = parentKey ? ctx.org[parentKey] : null;
    const row = await repo.save(
      repo.create({ parentId: parent?.id ?? null, type, name, population: population ?? null, lat: lat ?? null, lng: lng ?? null, path: '/pending/' }),
    );
    row.path = `${parent?.path ?? '/'}${row.id}/`;
    await repo.update(row.id, { path: row.path });
    ctx.org[key] = row;
  }
  const users = ctx.ds.getRepository(User);
  for (const [key, openid, name, role, unitKey, phone] of DEMO_USERS) {
    const org = ctx.org[unitKey];
    ctx.user[key] = await users.save(users.create({ openid: `dev:${openid}`, name, role, orgId: org.id, orgPath: org.path, phone }));
  }
  // Ordinary villagers and parents across the town (audiences for publicity and pledges).
  const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭'];
  const given = ['秀英', '桂兰', '建华', '国强', '玉兰', '志刚', '海燕', '德胜', '春花', '明亮', '丽娟', '永福', '小燕', '红梅', '家豪', '文静'];
  const homes = ['v_shiqiao', 'v_liulin', 'v_hekou', 'v_wangjiaba', 'v_taoyuan', 'v_longtan', 'v_zhangjiawan', 'c_xinfeng'];
  const batch: User[] = [];
  for (let i = 0; i < 160; i++) {
    const org = ctx.org[homes[i % homes.length]];
    batch.push(
      users.create({
        openid: `dev:villager-${i + 1}`,
        name: ctx.pick(surnames) + ctx.pick(given),
        role: 'resident',
        orgId: org.id,
        orgPath: org.path,
        phone: `13${ctx.int(5, 9)}${String(ctx.int(0, 99999999)).padStart(8, '0')}`,
      }),
    );
  }
  await users.save(batch, { chunk: 50 });
}
