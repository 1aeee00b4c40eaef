import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import {
  beijingToday,
  HAZARD_CATEGORIES,
  HazardCategory,
  RESERVOIR_SIZE_LABELS,
  RESERVOIR_SIZES,
  ReservoirSize,
  RISK_SITE_KIND_LABELS,
  RISK_SITE_KINDS,
  RiskSiteDto,
  RiskSiteKind,
} from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { registersApi } from '../../services/registers';
import { useRemote } from '../../hooks/use-remote';
import { newIdempotencyKey, toastError } from '../../services/request';
import '../fieldwork/index.scss';

/** The ledger category a problem found at a site of each kind goes under (the officer may pick another). */
const SITE_CATEGORY: Record<RiskSiteKind, HazardCategory> = {
  fireworks_shop: 'fireworks',
  lpg_shop: 'gas',
  gas_station: 'hazardous_chemicals',
  geological: 'geological',
  flash_flood: 'flood_reservoir',
  reservoir: 'flood_reservoir',
  pond: 'drowning',
  river: 'drowning',
  dangerous_water: 'drowning',
  crowded_place: 'crowded_places',
  forest: 'forest_fire',
  construction_site: 'construction',
  other: 'other',
};

/** 风险点台账: the sites the reports count (烟花爆竹经营点, 加油站, 地质灾害点, 水库, 山塘…), with patrols at each. */
export default function SitesPage() {
  const [kind, setKind] = useState<RiskSiteKind>('fireworks_shop');
  const remote = useRemote(() => registersApi.sites({ kind, pageSize: 100 }), [kind], { onShow: true });
  const items = remote.data?.items ?? [];
  const total = remote.data?.total ?? 0;
  const orgs = useRemote(() => orgsApi.tree().then((t) => flattenOrgs(t, ['town', 'village', 'community'])), []).data ?? [];
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState<{
    orgId?: number;
    name: string;
    address: string;
    sizeClass?: ReservoirSize;
    responsibleName: string;
    responsiblePhone: string;
    warningSigns: number;
  }>({ name: '', address: '', responsibleName: '', responsiblePhone: '', warningSigns: 0 });
  const load = remote.reload;
  const orgIdx = Math.max(
    0,
    orgs.findIndex((o) => o.unit.id === form.orgId),
  );

  const save = async () => {
    try {
      await registersApi.createSite({
        kind,
        name: form.name.trim(),
        orgId: form.orgId,
        address: form.address.trim() || undefined,
        sizeClass: kind === 'reservoir' ? form.sizeClass : undefined,
        responsibleName: form.responsibleName.trim() || undefined,
        responsiblePhone: form.responsiblePhone.trim() || undefined,
        warningSigns: form.warningSigns,
      });
      Taro.showToast({ title: '已登记', icon: 'success' });
      setAdding(false);
      setForm({ name: '', address: '', responsibleName: '', responsiblePhone: '', warningSigns: 0 });
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  // A patrol: the site looked at today; a problem written here goes into the 隐患台账 as a hazard at the site.
  const [patrolling, setPatrolling] = useState<{ siteId: number; finding: string; category: HazardCategory } | null>(null);
  const patrol = async (s: RiskSiteDto) => {
    if (!patrolling) return;
    const finding = patrolling.finding.trim();
    try {
      await registersApi.patrol(
        s.id,
        { date: beijingToday(), warningSigns: s.warningSigns, findings: finding ? [{ category: patrolling.category, description: finding }] : undefined },
        newIdempotencyKey(),
      );
      Taro.showToast({ title: finding ? '已记录，问题已录入隐患台账' : '已记录巡查', icon: 'none' });
      setPatrolling(null);
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  const info = RISK_SITE_KIND_LABELS[kind];

  return (
    <PageShell
      title="风险点台账"
      footer={<PrimaryButton onClick={() => (adding ? void save() : setAdding(true))}>{adding ? '保存风险点' : `登记${info.label}`}</PrimaryButton>}
    >
      <View className="fw-kinds">
        {RISK_SITE_KINDS.map((k) => (
          <View key={k} className={`fw-kind ${k === kind ? 'on' : ''}`} onClick={() => (setKind(k), setAdding(false))}>
            {RISK_SITE_KIND_LABELS[k].label}
          </View>
        ))}
      </View>
      {adding && (
        <Card title={`登记${info.label}`}>
          <View className="fw-row">
            <Text className="fw-label">名称 *</Text>
            <Input className="fw-input" placeholder="如：青龙水库" value={form.name} onInput={(e) => setForm({ ...form, name: e.detail.value })} />
          </View>
          {orgs.length > 1 && (
            <Picker
              mode="selector"
              range={orgs.map((o) => o.unit.name)}
              value={orgIdx}
              onChange={(e) => setForm({ ...form, orgId: orgs[Number(e.detail.value)].unit.id })}
            >
              <View className="fw-row">
                <Text className="fw-label">所在村（社区）</Text>
                <Text className="fw-value">{form.orgId ? orgs[orgIdx]?.unit.name : '本单位'}</Text>
              </View>
            </Picker>
          )}
          <View className="fw-row">
            <Text className="fw-label">位置</Text>
            <Input className="fw-input" placeholder="如：柳林村3组" value={form.address} onInput={(e) => setForm({ ...form, address: e.detail.value })} />
          </View>
          {kind === 'reservoir' && (
            <Picker
              mode="selector"
              range={RESERVOIR_SIZES.map((s) => RESERVOIR_SIZE_LABELS[s])}
              onChange={(e) => setForm({ ...form, sizeClass: RESERVOIR_SIZES[Number(e.detail.value)] })}
            >
              <View className="fw-row">
                <Text className="fw-label">水库规模</Text>
                <Text className="fw-value">{form.sizeClass ? RESERVOIR_SIZE_LABELS[form.sizeClass] : '请选择'}</Text>
              </View>
            </Picker>
          )}
          <View className="fw-row">
            <Text className="fw-label">责任人</Text>
            <Input className="fw-input" value={form.responsibleName} onInput={(e) => setForm({ ...form, responsibleName: e.detail.value })} />
          </View>
          <View className="fw-row">
            <Text className="fw-label">责任人电话</Text>
            <Input
              className="fw-input"
              type="number"
              maxlength={11}
              value={form.responsiblePhone}
              onInput={(e) => setForm({ ...form, responsiblePhone: e.detail.value })}
            />
          </View>
          <View className="fw-row">
            <Text className="fw-label">警示标志</Text>
            <View className="fw-stepper">
              <View className="fw-btn" onClick={() => setForm({ ...form, warningSigns: Math.max(0, form.warningSigns - 1) })}>
                －
              </View>
              <Input
                className="fw-num"
                type="number"
                value={String(form.warningSigns)}
                onInput={(e) => setForm({ ...form, warningSigns: Number(e.detail.value) || 0 })}
              />
              <View className="fw-btn" onClick={() => setForm({ ...form, warningSigns: form.warningSigns + 1 })}>
                ＋
              </View>
              <Text className="fw-unit">块</Text>
            </View>
          </View>
        </Card>
      )}
      <Card title={`${info.label}：共${total}${info.unit}`}>
        {!remote.data ? <Loading error={remote.error} onRetry={remote.reload} /> : items.length === 0 ? <Empty text="还没有登记" /> : null}
        {items.map((s) => (
          <View key={s.id} className="fw-item">
            <Text className="fw-item-title">
              {s.name}
              {s.sizeLabel ? `（${s.sizeLabel}）` : ''}
            </Text>
            <Text className="fw-item-sub">
              {s.orgName ?? ''}
              {s.address ? ` · ${s.address}` : ''}
              {s.responsibleName ? ` · 责任人 ${s.responsibleName} ${s.responsiblePhone ?? ''}` : ''}
            </Text>
            <Text className="fw-item-sub">
              警示标志{s.warningSigns}块 · 巡查{s.patrols}次{s.lastPatrolDate ? `，最近 ${s.lastPatrolDate}` : ''}
            </Text>
            {patrolling?.siteId === s.id ? (
              <View>
                <Textarea
                  className="fw-notes"
                  placeholder="发现的问题（填写后录入隐患台账；没有问题不填）"
                  value={patrolling.finding}
                  maxlength={1000}
                  onInput={(e) => setPatrolling({ ...patrolling, finding: e.detail.value })}
                />
                {patrolling.finding.trim() && (
                  <Picker
                    mode="selector"
                    range={HAZARD_CATEGORIES.map((c) => c.label)}
                    value={Math.max(
                      0,
                      HAZARD_CATEGORIES.findIndex((c) => c.code === patrolling.category),
                    )}
                    onChange={(e) => setPatrolling({ ...patrolling, category: HAZARD_CATEGORIES[Number(e.detail.value)].code })}
                  >
                    <View className="fw-row">
                      <Text className="fw-label">隐患类别</Text>
                      <Text className="fw-value">{HAZARD_CATEGORIES.find((c) => c.code === patrolling.category)?.label}</Text>
                    </View>
                  </Picker>
                )}
                <View className="fw-chips">
                  <View className="fw-chip on" onClick={() => void patrol(s)}>
                    保存巡查
                  </View>
                  <View className="fw-chip" onClick={() => setPatrolling(null)}>
                    取消
                  </View>
                </View>
              </View>
            ) : (
              <View className="fw-chips">
                <View className="fw-chip on" onClick={() => setPatrolling({ siteId: s.id, finding: '', category: SITE_CATEGORY[s.kind] })}>
                  记一次巡查
                </View>
              </View>
            )}
          </View>
        ))}
      </Card>
    </PageShell>
  );
}
