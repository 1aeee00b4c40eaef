import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { ORG_TYPE_LABELS, type OrgUnitDto } from '@xiangan/shared';
import { useMemo, useState } from 'react';
import { Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { authApi } from '../../services/auth';
import { HOME_PAGE } from '../../services/config';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { useRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import { session, useSession } from '../../store/session';
import './index.scss';
import { a11y } from '../../utils/a11y';

/**
 * A resident picks the village / community they live in, then (when it has grids) optionally their grid in it
 * (PUT /api/me {orgId}: the grid, or the village when no grid is chosen).
 */
export default function PickVillage() {
  const first = useRouter().params.first === '1';
  const { me } = useSession();
  const [saving, setSaving] = useState(0);
  // the village whose grids are being offered
  const [village, setVillage] = useState<OrgUnitDto | null>(null);

  const remote = useRemote(() => orgsApi.tree(), []);
  const tree = remote.data;

  // grouped by the town they belong to
  const groups = useMemo(() => {
    const map = new Map<string, OrgUnitDto[]>();
    for (const { unit, trail } of flattenOrgs(tree ?? [], ['village', 'community'])) {
      const town = trail[trail.length - 1] ?? '';
      map.set(town, [...(map.get(town) ?? []), unit]);
    }
    return [...map.entries()];
  }, [tree]);

  const done = () => {
    if (Taro.getCurrentPages().length > 1) Taro.navigateBack();
    else Taro.reLaunch({ url: HOME_PAGE });
  };

  const gridsOf = (u: OrgUnitDto) => (u.children ?? []).filter((c) => c.type === 'grid');
  /** The village the resident now belongs to (their own unit, or the village around their grid). */
  const myVillageId = useMemo(() => {
    for (const { unit } of flattenOrgs(tree ?? [], ['village', 'community'])) {
      if (unit.id === me?.orgId || gridsOf(unit).some((g) => g.id === me?.orgId)) return unit.id;
    }
    return 0;
  }, [tree, me?.orgId]);

  const tapVillage = (u: OrgUnitDto) => {
    if (saving) return;
    if (gridsOf(u).length) setVillage(u);
    else void choose(u);
  };

  const choose = async (u: OrgUnitDto) => {
    if (saving) return;
    setSaving(u.id);
    try {
      session.setMe(await authApi.updateMe({ orgId: u.id }));
      Taro.showToast({ title: `已选择${u.name}`, icon: 'success' });
      setTimeout(done, 600);
    } catch (err) {
      toastError(err);
    } finally {
      setSaving(0);
    }
  };

  if (village) {
    return (
      <PageShell
        title="选择所在网格"
        subtitle={`${village.name}分成了几个网格。选好网格，网格员能更快收到您上报的隐患；不知道可以不选。`}
        footer={
          <PrimaryButton type="secondary" onClick={() => setVillage(null)}>
            返回选村
          </PrimaryButton>
        }
      >
        <View className={`pick__item ${me?.orgId === village.id ? 'pick__item--on' : ''}`} onClick={() => choose(village)}>
          <View className="pick__name">不选网格，只选{village.name}</View>
          <View className="pick__type">{saving === village.id ? '保存中…' : me?.orgId === village.id ? '当前' : ''}</View>
        </View>
        {gridsOf(village).map((g) => (
          <View key={g.id} className={`pick__item ${me?.orgId === g.id ? 'pick__item--on' : ''}`} onClick={() => choose(g)}>
            <View className="pick__name">{g.name}</View>
            <View className="pick__type">{saving === g.id ? '保存中…' : me?.orgId === g.id ? '当前' : ORG_TYPE_LABELS[g.type]}</View>
          </View>
        ))}
      </PageShell>
    );
  }

  return (
    <PageShell
      title="选择所在村（社区）"
      subtitle="选好后，能收到本村的安全通知，上报的隐患也会交给本村处理。"
      footer={
        first ? (
          <PrimaryButton type="secondary" onClick={done}>
            以后再说
          </PrimaryButton>
        ) : undefined
      }
    >
      {tree === null ? <Loading error={remote.error} onRetry={remote.reload} /> : null}
      {tree && !groups.length ? <Empty text="没有可选择的村（社区）" /> : null}
      {groups.map(([town, units]) => (
        <View key={town}>
          {town ? <View className="pick__town">{town}</View> : null}
          {units.map((u) => (
            <View
              key={u.id}
              className={`pick__item ${myVillageId === u.id ? 'pick__item--on' : ''}`}
              onClick={() => tapVillage(u)}
              {...a11y({ role: 'radio', checked: myVillageId === u.id })}
            >
              <View className="pick__name">{u.name}</View>
              <View className="pick__type">
                {saving === u.id
                  ? '保存中…'
                  : myVillageId === u.id
                    ? me?.orgId === u.id
                      ? '当前'
                      : `当前：${me?.orgName ?? '网格'}`
                    : ORG_TYPE_LABELS[u.type]}
              </View>
            </View>
          ))}
        </View>
      ))}
    </PageShell>
  );
}
