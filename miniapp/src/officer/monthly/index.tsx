import { Picker, Text, View } from '@tarojs/components';
import { beijingMonth, HAZARD_STATUS_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell } from '../../components';
import { useRemote } from '../../hooks/use-remote';
import { hazardsApi, shortTime } from '../../services/hazards';
import { COLOR } from '../../styles/colors';
import './index.scss';

/** One category's or unit's month: 上报 · 处置 · 在办. */
function TallyLine({ name, tally }: { name: string; tally: { reported: number; closed: number; inProgress: number } }) {
  return (
    <View className="mo-line">
      <Text>{name}</Text>
      <Text>
        上报 {tally.reported} · 处置 {tally.closed} · 在办 {tally.inProgress}
      </Text>
    </View>
  );
}

/** 月会商: the figures read out at the monthly safety meeting. */
export default function MonthlyPage() {
  const [month, setMonth] = useState(beijingMonth(Date.now()));
  const remote = useRemote(() => hazardsApi.monthly(month), [month], { onShow: true });
  const r = remote.data;
  const figs: [string, number | undefined, string?][] = r
    ? [
        ['本月上报', r.reported],
        ['妥善处置', r.closed, COLOR.success],
        ['正在办理', r.inProgress, COLOR.primary],
        ['本月上报县级', r.escalated, COLOR.escalated],
        ['本月到期未改', r.overdue, COLOR.warning],
        ['不予受理', r.rejected],
      ]
    : [];
  return (
    <PageShell title="月会商">
      <Picker mode="date" fields="month" value={month} end={beijingMonth(Date.now())} onChange={(e) => setMonth(e.detail.value.slice(0, 7))}>
        <View className="xa-input mo-month">
          {month} {r?.orgName ?? ''} ▾
        </View>
      </Picker>
      {!r ? (
        <Loading error={remote.error} onRetry={remote.reload} />
      ) : (
        <>
          <View className="mo-figs">
            {figs.map(([l, n, c]) => (
              <View key={l} className="mo-fig">
                <View className="mo-fig__n" style={c ? { color: c } : undefined}>
                  {n}
                </View>
                <View className="mo-fig__label">{l}</View>
              </View>
            ))}
          </View>
          <Card title={`正在办理的事项（${r.inProgress}件${r.openItems.length > 30 ? '，列出最早的30件' : ''}）`}>
            {r.openItems.length ? (
              r.openItems.slice(0, 30).map((o) => (
                <View key={o.code} className="mo-item">
                  <View>
                    {o.code} {o.category} · {HAZARD_STATUS_LABELS[o.status]}
                    {o.deadline ? ` · 期限 ${shortTime(o.deadline, true)}` : ''}
                  </View>
                  {o.description ? <View>{o.description}</View> : null}
                  {o.latestNote ? <View className="mo-item__note">{o.latestNote}</View> : null}
                </View>
              ))
            ) : (
              <Text>暂无</Text>
            )}
          </Card>
          <Card title="按类别">
            {r.byCategory.map((c) => (
              <TallyLine key={c.category} name={c.label} tally={c} />
            ))}
          </Card>
          <Card title="按村（单位）">
            {r.byUnit.map((u) => (
              <TallyLine key={u.orgId} name={u.orgName} tally={u} />
            ))}
          </Card>
        </>
      )}
    </PageShell>
  );
}
