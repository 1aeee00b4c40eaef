import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { ORG_TYPE_LABELS, type OrgUnitDto } from '@xiangan/shared';
import { useEffect, useMemo, useState } from 'react';
import { Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { authApi } from '../../services/auth';
import { HOME_PAGE } from '../../services/config';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { toastError } from '../../services/request';
import { session, useSession } from '../../store/session';
import './index.scss';
import { a11y } from '../../utils/a11y';

/** A resident picks the village / community they live in (PATCH /api/me {orgId}). */
export default function PickVillage() {
  const first = useRouter().params.first === '1';
  const { me } = useSession();
  const [tree, setTree] = useState<OrgUnitDto[] | null>(null);
  const [saving, setSaving] = useState(0);

  useEffect(() => {
    orgsApi.tree().then(setTree).catch((err) => {
      toastError(err);
      setTree([]);
    });
  }, []);

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

  return (
    <PageShell
      title='选择所在村（社区）'
      subtitle='选好后，能收到本村的安全通知，上报的隐患也会交给本村处理。'
      footer={first ? <PrimaryButton type='secondary' onClick={done}>以后再说</PrimaryButton> : undefined}
    >
      {tree === null ? <Loading /> : null}
      {tree && !groups.length ? <Empty text='没有可选择的村（社区）' /> : null}
      {groups.map(([town, units]) => (
        <View key={town}>
          {town ? <View className='pick__town'>{town}</View> : null}
          {units.map((u) => (
            <View key={u.id} className={`pick__item ${me?.orgId === u.id ? 'pick__item--on' : ''}`} onClick={() => choose(u)} {...a11y({ role: 'radio', checked: me?.orgId === u.id })}>
              <View className='pick__name'>{u.name}</View>
              <View className='pick__type'>{saving === u.id ? '保存中…' : me?.orgId === u.id ? '当前' : ORG_TYPE_LABELS[u.type]}</View>
            </View>
          ))}
        </View>
      ))}
    </PageShell>
  );
}
