import { Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { beijingToday, INCIDENT_KIND_LABELS, INCIDENT_KINDS, IncidentDto, IncidentKind } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, Loading, PageShell, PrimaryButton } from '../../components';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { registersApi } from '../../services/registers';
import { useRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import { a11y } from '../../utils/a11y';
import '../fieldwork/index.scss';
import { RecordItem } from '../RecordItem';

/**
 * 事故和事件: accidents, fires, forest fires, drownings. The year-end report says "全年无安全生产事故" and
 * "无一起森林火灾" only when nothing of that kind is entered here.
 */
export default function IncidentsPage() {
  const remote = useRemote(() => registersApi.incidents({ pageSize: 50 }).then((p) => p.items), [], { onShow: true });
  const items = remote.data ?? [];
  const orgs = useRemote(() => orgsApi.tree().then((t) => flattenOrgs(t, ['town', 'village', 'community', 'school', 'enterprise'])), []).data ?? [];
  const [kind, setKind] = useState<IncidentKind>('production_accident');
  const [date, setDate] = useState(beijingToday());
  const [title, setTitle] = useState('');
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const [deaths, setDeaths] = useState(0);
  const [injuries, setInjuries] = useState(0);
  const [description, setDescription] = useState('');
  const load = remote.reload;
  const orgIdx = Math.max(
    0,
    orgs.findIndex((o) => o.unit.id === orgId),
  );

  const save = async () => {
    try {
      await registersApi.createIncident({ kind, date, title: title.trim(), orgId, deaths, injuries, description: description.trim() || undefined });
      Taro.showToast({ title: '已登记', icon: 'success' });
      setTitle('');
      setDescription('');
      setDeaths(0);
      setInjuries(0);
      await load();
    } catch (e) {
      toastError(e);
    }
  };
  const remove = async (i: IncidentDto) => {
    const r = await Taro.showModal({ title: '删除这条记录？', content: `${i.date} ${i.title}（录错时使用）`, confirmText: '删除' });
    if (!r.confirm) return;
    try {
      await registersApi.deleteIncident(i.id);
      await load();
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <PageShell title="事故和事件" footer={<PrimaryButton onClick={save}>登记</PrimaryButton>}>
      <View className="fw-kinds">
        {INCIDENT_KINDS.map((k) => (
          <View key={k} className={`fw-kind ${k === kind ? 'on' : ''}`} onClick={() => setKind(k)}>
            {INCIDENT_KIND_LABELS[k]}
          </View>
        ))}
      </View>
      <Card title={`登记${INCIDENT_KIND_LABELS[kind]}`}>
        <Picker mode="date" value={date} end={beijingToday()} onChange={(e) => setDate(e.detail.value)}>
          <View className="fw-row">
            <Text className="fw-label">日期</Text>
            <Text className="fw-value">{date}</Text>
          </View>
        </Picker>
        <View className="fw-row">
          <Text className="fw-label">简要名称 *</Text>
          <Input className="fw-input" placeholder="如：村民厨房起火" value={title} onInput={(e) => setTitle(e.detail.value)} />
        </View>
        {orgs.length > 1 && (
          <Picker mode="selector" range={orgs.map((o) => o.unit.name)} value={orgIdx} onChange={(e) => setOrgId(orgs[Number(e.detail.value)].unit.id)}>
            <View className="fw-row">
              <Text className="fw-label">发生地</Text>
              <Text className="fw-value">{orgId ? orgs[orgIdx]?.unit.name : '本单位'}</Text>
            </View>
          </Picker>
        )}
        {(
          [
            ['死亡', deaths, setDeaths],
            ['受伤', injuries, setInjuries],
          ] as const
        ).map(([l, v, set]) => (
          <View key={l} className="fw-row">
            <Text className="fw-label">{l}</Text>
            <View className="fw-stepper">
              <View className="fw-btn" onClick={() => set(Math.max(0, v - 1))} {...a11y({ label: `${l}人数减一` })}>
                －
              </View>
              <Input className="fw-num" type="number" placeholder={`${l}人数`} value={String(v)} onInput={(e) => set(Number(e.detail.value) || 0)} />
              <View className="fw-btn" onClick={() => set(v + 1)} {...a11y({ label: `${l}人数加一` })}>
                ＋
              </View>
              <Text className="fw-unit">人</Text>
            </View>
          </View>
        ))}
        <Textarea className="fw-notes" placeholder="经过和处置情况" value={description} maxlength={2000} onInput={(e) => setDescription(e.detail.value)} />
      </Card>
      <Card title="已登记">
        {!remote.data ? <Loading error={remote.error} onRetry={remote.reload} /> : items.length === 0 ? <Empty text="没有登记事故和事件" /> : null}
        {items.map((i) => (
          <RecordItem
            key={i.id}
            onTap={() => void remove(i)}
            title={`${i.date} ${i.kindLabel} · ${i.title}`}
            sub={`${i.orgName ?? ''}${i.deaths ? ` · 死亡${i.deaths}人` : ''}${i.injuries ? ` · 受伤${i.injuries}人` : ''}`}
          />
        ))}
      </Card>
    </PageShell>
  );
}
