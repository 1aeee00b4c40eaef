import { Input, Picker, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { ROLE_LABELS, ROLE_RANK, ROLE_UNIT_TYPES, ROLES, type OrgUnitDto, type Role } from '@xiangan/shared';
import { useMemo, useState } from 'react';
import { Card, Loading, PageShell } from '../../components';
import { adminApi } from '../../services/admin';
import { useRemote } from '../../hooks/use-remote';
import { errorText } from '../../services/request';
import { useSession } from '../../store/session';
import '../admin.scss';
import { AdminTable } from '../AdminTable';

const FILTERS: { label: string; role?: Role; officersOnly?: boolean }[] = [
  { label: '全部' },
  { label: '干部', officersOnly: true },
  { label: '村民', role: 'resident' },
];

function flatten(tree: OrgUnitDto[], out: OrgUnitDto[] = []) {
  for (const o of tree) {
    out.push(o);
    flatten(o.children ?? [], out);
  }
  return out;
}

/** 人员: search people in scope (phones masked); change role or unit, disable, hand an officer's work to another. */
export default function People() {
  const { me } = useSession();
  const [q, setQ] = useState('');
  const [filter, setFilter] = useState(0);
  const [showDisabled, setShowDisabled] = useState(false);
  // a filter reads again at once; the search words on confirm
  const remote = useRemote(
    () =>
      adminApi.people({
        q: q.trim() || undefined,
        role: FILTERS[filter].role,
        officersOnly: FILTERS[filter].officersOnly,
        includeDisabled: showDisabled || undefined,
      }),
    [filter, showDisabled],
    { onShow: true },
  );
  const rows = remote.data?.items ?? null;
  const total = remote.data?.total ?? 0;
  const load = () => void remote.reload();
  const units = useRemote(() => adminApi.orgTree().then((t) => flatten(t)), [], { onShow: true }).data ?? [];
  /** Officers in scope who can take over a leaver's work (not only those in the current search). */
  const officers = useRemote(() => adminApi.people({ officersOnly: true }).then((p) => p.items), [], { onShow: true }).data ?? [];

  const roles = useMemo(() => ROLES.filter((r) => me?.role === 'admin' || (me && ROLE_RANK[r] <= ROLE_RANK[me.role] && r !== 'admin')), [me]);

  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      Taro.showToast({ title: done, icon: 'success' });
      await remote.reload();
    } catch (e) {
      Taro.showModal({ title: '没有成功', content: errorText(e), showCancel: false });
    }
  };

  return (
    <PageShell title="人员">
      <View className="adm__wide">
        <View className="adm__bar">
          <Input
            className="adm__search"
            placeholder="输入姓名或手机号查找"
            value={q}
            onInput={(e) => setQ(e.detail.value)}
            onConfirm={load}
            confirmType="search"
          />
          {FILTERS.map((f, i) => (
            <View key={f.label} className={`adm__chip ${filter === i ? 'adm__chip--on' : ''}`} onClick={() => (filter === i ? load() : setFilter(i))}>
              {f.label}
            </View>
          ))}
          <View
            className={`adm__chip ${showDisabled ? 'adm__chip--on' : ''}`}
            onClick={() => {
              setShowDisabled(!showDisabled);
            }}
          >
            含已停用
          </View>
        </View>
        <Card title={`共 ${total} 人`}>
          {!rows ? (
            <Loading error={remote.error} onRetry={remote.reload} />
          ) : !rows.length ? (
            <View className="adm__muted">没有找到人员</View>
          ) : (
            <AdminTable
              rows={rows}
              rowKey={(p) => p.id}
              columns={[
                { title: '姓名', main: true, cell: (p) => `${p.name || `用户 ${p.id}`}${p.disabled ? '（已停用）' : ''}` },
                { title: '手机号', cell: (p) => p.phone || '未填' },
                { title: '角色', cell: (p) => p.roleLabel },
                { title: '单位', cell: (p) => p.orgName || '未选择' },
                { title: '未办结', cell: (p) => `隐患 ${p.openHazards} · 活动 ${p.openCampaigns}` },
              ]}
              actions={(p) => {
                const unitChoices = units.filter((u) => ROLE_UNIT_TYPES[p.role].includes(u.type));
                const others = officers.filter((o) => o.id !== p.id && !o.disabled);
                return (
                  <>
                    <Picker
                      mode="selector"
                      range={roles.map((r) => ROLE_LABELS[r])}
                      onChange={(e) => act(() => adminApi.updatePerson(p.id, { role: roles[Number(e.detail.value)] }), '角色已修改')}
                    >
                      <View className="adm__link">改角色</View>
                    </Picker>
                    <Picker
                      mode="selector"
                      range={unitChoices.map((u) => u.name)}
                      onChange={(e) => act(() => adminApi.updatePerson(p.id, { orgId: unitChoices[Number(e.detail.value)].id }), '单位已修改')}
                    >
                      <View className="adm__link">改单位</View>
                    </Picker>
                    {p.role !== 'resident' && (p.openHazards || p.openCampaigns) && others.length ? (
                      <Picker
                        mode="selector"
                        range={others.map((o) => `${o.name || o.id}（${o.roleLabel}）`)}
                        onChange={(e) => act(() => adminApi.handover(p.id, others[Number(e.detail.value)].id), '已移交并停用')}
                      >
                        <View className="adm__link">离任移交</View>
                      </Picker>
                    ) : null}
                    <View
                      className={`adm__link ${p.disabled ? '' : 'adm__danger'}`}
                      onClick={() => act(() => adminApi.updatePerson(p.id, { disabled: !p.disabled }), p.disabled ? '已启用' : '已停用')}
                    >
                      {p.disabled ? '启用' : '停用'}
                    </View>
                  </>
                );
              }}
            />
          )}
        </Card>
      </View>
    </PageShell>
  );
}
