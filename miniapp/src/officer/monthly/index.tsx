import { Picker, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import type { MonthlyReportDto } from '@xiangan/shared';
import { beijingMonth, HAZARD_STATUS_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell } from '../../components';
import { hazardsApi, shortTime } from '../../services/hazards';
import { toastError } from '../../services/request';

/** 月会商: the figures read out at the monthly safety meeting. */
export default function MonthlyPage() {
  const [month, setMonth] = useState(beijingMonth(Date.now()));
  const [r, setR] = useState<MonthlyReportDto | null>(null);
  const load = (m = month) => hazardsApi.monthly(m).then(setR).catch(toastError);
  useDidShow(() => void load());
  const figs: [string, number | undefined, string?][] = r
    ? [
        ['本月上报', r.reported],
        ['妥善处置', r.closed, '#2e7d32'],
        ['正在办理', r.inProgress, '#1a6fd1'],
        ['本月上报县级', r.escalated, '#7b1fa2'],
        ['本月到期未改', r.overdue, '#e65100'],
        ['不予受理', r.rejected],
      ]
    : [];
  return (
    <PageShell title="月会商">
      <Picker
        mode="date"
        fields="month"
        value={month}
        end={beijingMonth(Date.now())}
        onChange={(e) => (setMonth(e.detail.value.slice(0, 7)), void load(e.detail.value.slice(0, 7)))}
      >
        <View className="xa-input" style={{ background: '#fff', borderRadius: '12px', padding: '0 24px', fontSize: '34px', marginBottom: '16px' }}>
          {month} {r?.orgName ?? ''} ▾
        </View>
      </Picker>
      {!r ? (
        <Loading />
      ) : (
        <>
          <View style={{ display: 'flex', flexWrap: 'wrap', gap: '16px', marginBottom: '16px' }}>
            {figs.map(([l, n, c]) => (
              <View key={l} style={{ width: 'calc((100% - 32px) / 3)', background: '#fff', borderRadius: '16px', padding: '20px 0', textAlign: 'center' }}>
                <View style={{ fontSize: '52px', fontWeight: 700, color: c ?? '#111827' }}>{n}</View>
                <View style={{ fontSize: '28px', color: '#4b5563' }}>{l}</View>
              </View>
            ))}
          </View>
          <Card title={`正在办理的事项（${r.inProgress}件${r.openItems.length > 30 ? '，列出最早的30件' : ''}）`}>
            {r.openItems.length ? (
              r.openItems.slice(0, 30).map((o) => (
                <View key={o.code} style={{ padding: '12px 0', borderTop: '1px solid #eef1f5', fontSize: '30px' }}>
                  <View>
                    {o.code} {o.category} · {HAZARD_STATUS_LABELS[o.status]}
                    {o.deadline ? ` · 期限 ${shortTime(o.deadline, true)}` : ''}
                  </View>
                  {o.description ? <View>{o.description}</View> : null}
                  {o.latestNote ? <View style={{ color: '#4b5563' }}>{o.latestNote}</View> : null}
                </View>
              ))
            ) : (
              <Text>暂无</Text>
            )}
          </Card>
          <Card title="按类别">
            {r.byCategory.map((c) => (
              <View key={c.category} style={{ display: 'flex', justifyContent: 'space-between', fontSize: '30px', padding: '8px 0' }}>
                <Text>{c.label}</Text>
                <Text>
                  上报 {c.reported} · 处置 {c.closed} · 在办 {c.inProgress}
                </Text>
              </View>
            ))}
          </Card>
          <Card title="按村（单位）">
            {r.byUnit.map((u) => (
              <View key={u.orgId} style={{ display: 'flex', justifyContent: 'space-between', fontSize: '30px', padding: '8px 0' }}>
                <Text>{u.orgName}</Text>
                <Text>
                  上报 {u.reported} · 处置 {u.closed} · 在办 {u.inProgress}
                </Text>
              </View>
            ))}
          </Card>
        </>
      )}
    </PageShell>
  );
}
