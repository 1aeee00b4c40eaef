import { Input, Picker, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { HazardListQuery, HazardStatus } from '@xiangan/shared';
import { HAZARD_CATEGORIES, HAZARD_CATEGORY_LABELS, HAZARD_STATUS_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Empty, Loading, PageShell, PrimaryButton, StatusTag } from '../../components';
import { exportLedger, hazardsApi, shortTime, statusText, statusTone } from '../../services/hazards';
import { usePagedRemote } from '../../hooks/use-remote';
import { toastError } from '../../services/request';
import './index.scss';
import { a11y } from '../../utils/a11y';

type Chip = HazardStatus | 'overdue' | 'all';
const CHIPS: { key: Chip; label: string }[] = [
  { key: 'all', label: '全部' },
  { key: 'reported', label: '待受理' },
  { key: 'overdue', label: '已逾期' },
  { key: 'assigned', label: HAZARD_STATUS_LABELS.assigned },
  { key: 'rectifying', label: HAZARD_STATUS_LABELS.rectifying },
  { key: 'rectified', label: '待验收' },
  { key: 'escalated', label: '上报县级' },
  { key: 'closed', label: HAZARD_STATUS_LABELS.closed },
  { key: 'rejected', label: HAZARD_STATUS_LABELS.rejected },
];
const CAT_OPTIONS = [{ code: '', label: '全部类别' }, ...HAZARD_CATEGORIES];

/** 隐患台账: counts per state as chips on top, filters, most urgent first (major in red, overdue in orange). */
export default function LedgerPage() {
  const [chip, setChip] = useState<Chip>('all');
  const [cat, setCat] = useState(0);
  const [q, setQ] = useState('');
  const query = (page: number): HazardListQuery => ({
    page,
    pageSize: 20,
    ...(chip === 'overdue' ? { overdue: true } : chip !== 'all' ? { status: chip } : {}),
    ...(CAT_OPTIONS[cat].code ? { category: CAT_OPTIONS[cat].code as HazardListQuery['category'] } : {}),
    ...(q.trim() ? { q: q.trim() } : {}),
  });
  // a chip reads again at once; the category and the search words when 查询 is tapped
  const remote = usePagedRemote((page) => hazardsApi.list(query(page)), [chip], { onShow: true });
  const data = remote.data;
  const items = data?.items ?? [];
  const load = () => void remote.reload();
  const total = data
    ? Object.entries(data.counts)
        .filter(([k]) => k !== 'overdue')
        .reduce((a, [, v]) => a + (v ?? 0), 0)
    : 0;
  return (
    <PageShell title="隐患台账">
      <View className="lg-chips">
        {CHIPS.map((c) => (
          <View
            key={c.key}
            className={`lg-chip ${chip === c.key ? 'lg-chip--on' : ''} ${c.key === 'overdue' ? 'lg-chip--warn' : ''}`}
            onClick={() => (c.key === chip ? load() : setChip(c.key))}
            {...a11y({ role: 'radio', checked: chip === c.key })}
          >
            <Text className="lg-chip__n">{c.key === 'all' ? total : (data?.counts[c.key] ?? '-')}</Text>
            <Text className="lg-chip__label">{c.label}</Text>
          </View>
        ))}
      </View>
      <View className="lg-filters">
        <Picker mode="selector" range={CAT_OPTIONS.map((c) => c.label)} value={cat} onChange={(e) => setCat(Number(e.detail.value))}>
          <View className="lg-filter">{CAT_OPTIONS[cat].label} ▾</View>
        </Picker>
        <Input className="lg-search" value={q} placeholder="搜编号/内容/地点" confirmType="search" onInput={(e) => setQ(e.detail.value)} onConfirm={load} />
        <View className="lg-filter lg-filter--go" onClick={load} {...a11y()}>
          查询
        </View>
      </View>
      <View className="lg-tools">
        <PrimaryButton size="small" type="secondary" block={false} onClick={() => Taro.navigateTo({ url: '/officer/map/index' })}>
          分布图
        </PrimaryButton>
        <PrimaryButton size="small" type="secondary" block={false} onClick={() => Taro.navigateTo({ url: '/officer/monthly/index' })}>
          月会商
        </PrimaryButton>
        <PrimaryButton
          size="small"
          type="secondary"
          block={false}
          onClick={() => exportLedger({ ...query(1), page: undefined, pageSize: undefined }).catch(toastError)}
        >
          导出Excel
        </PrimaryButton>
      </View>
      {!data ? <Loading error={remote.error} onRetry={remote.reload} /> : !items.length ? <Empty text="没有符合条件的隐患" /> : null}
      {items.map((h) => (
        <Card
          key={h.id}
          className={`lg-item ${h.level === 'major' && h.status !== 'closed' ? 'lg-item--major' : ''} ${h.overdue ? 'lg-item--overdue' : ''}`}
          onClick={() => Taro.navigateTo({ url: `/officer/hazard/index?id=${h.id}` })}
          title={
            <Text>
              {HAZARD_CATEGORY_LABELS[h.category]}　<Text className="lg-code">{h.code}</Text>
            </Text>
          }
          extra={
            <View style={{ display: 'flex', gap: '8px' }}>
              {h.level === 'major' ? <StatusTag text="重大" tone="danger" /> : null}
              {h.overdue ? <StatusTag text="逾期" tone="warning" /> : null}
              <StatusTag text={statusText(h.status)} tone={statusTone(h.status)} />
            </View>
          }
        >
          <View className="lg-desc">{h.description.slice(0, 50)}</View>
          <View className="lg-meta">
            {h.orgName} · {shortTime(h.reportedAt)}
            {h.deadline ? ' · ' : ''}
            {h.deadline ? <Text className="lg-nowrap">期限 {shortTime(h.deadline, true)}</Text> : null}
            {h.responsibleOrgName ? ` · ${h.responsibleOrgName}` : ''}
          </View>
        </Card>
      ))}
    </PageShell>
  );
}
