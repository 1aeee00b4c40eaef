import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import type { DashboardDto } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { toastError } from '../../services/request';
import { getDashboard, openReport } from '../../services/stats';
import './index.scss';

/** Bars drawn with views: the same in weapp and h5, no chart library in the package. */
function Bars({ rows }: { rows: { label: string; a: number; b?: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => Math.max(r.a, r.b ?? 0)));
  return (
    <View>
      {rows.map((r) => (
        <View key={r.label} className='st-bar-row'>
          <Text className='st-bar-label'>{r.label}</Text>
          <View className='st-bar-track'>
            <View className='st-bar a' style={{ width: `${(r.a / max) * 100}%` }} />
            {r.b !== undefined && <View className='st-bar b' style={{ width: `${(r.b / max) * 100}%` }} />}
          </View>
          <Text className='st-bar-num'>
            {r.a}
            {r.b !== undefined ? `/${r.b}` : ''}
          </Text>
        </View>
      ))}
    </View>
  );
}

export default function StatsPage() {
  const [d, setD] = useState<DashboardDto | null>(null);
  useDidShow(() => void getDashboard().then(setD, toastError));
  if (!d) return <Loading />;
  const year = d.year;
  const figures = d.figures.filter((f) => f.value > 0);
  return (
    <PageShell title='统计与总结'>
      <View className='st-tiles'>
        <View className='st-tile'><Text className='st-n'>{d.thisMonth.found}</Text><Text className='st-t'>本月上报隐患</Text></View>
        <View className='st-tile'><Text className='st-n'>{d.thisMonth.closed}</Text><Text className='st-t'>本月销号</Text></View>
        <View className='st-tile'><Text className='st-n'>{d.thisMonth.inProgress}</Text><Text className='st-t'>正在办理</Text></View>
        <View className='st-tile'><Text className='st-n'>{d.thisYear.rectificationRate === null ? '—' : `${Math.round(d.thisYear.rectificationRate * 100)}%`}</Text><Text className='st-t'>全年整改率</Text></View>
      </View>
      <Card title={`${year}年每月隐患：上报 / 销号`}>
        <View className='st-legend'><Text className='dot a' />上报<Text className='dot b' />销号</View>
        <Bars rows={d.trend.map((t) => ({ label: `${Number(t.month.slice(5))}月`, a: t.found, b: t.closed }))} />
      </Card>
      <Card title='按行业领域'>
        <Bars rows={d.byCategory.slice(0, 10).map((c) => ({ label: c.label, a: c.found, b: c.closed }))} />
      </Card>
      <Card title='按村（社区）'>
        <Bars rows={d.byChild.map((c) => ({ label: c.orgName, a: c.found, b: c.closed }))} />
      </Card>
      {d.pledges.length > 0 && (
        <Card title='承诺书签订进度'>
          {d.pledges.map((p) => (
            <View key={p.kind} className='st-bar-row'>
              <Text className='st-bar-label'>{p.label}</Text>
              <View className='st-bar-track'><View className='st-bar a' style={{ width: `${Math.round((p.rate ?? 0) * 100)}%` }} /></View>
              <Text className='st-bar-num'>{p.signed}{p.roster ? `/${p.roster}` : '份'}</Text>
            </View>
          ))}
        </Card>
      )}
      <Card title={`${year}年度工作总结数据`}>
        {figures.map((f) => (
          <View key={f.key} className='st-fig'>
            <Text className='st-fig-label'>{f.label}</Text>
            <Text className='st-fig-value'>{f.value}{f.unit}</Text>
          </View>
        ))}
      </Card>
      <View className='st-actions'>
        <PrimaryButton onClick={() => openReport('/stats/summary.docx', { orgId: d.org.id, from: `${year}-01-01` }, `${d.org.name}${year}年度安全生产和消防工作总结.docx`).catch(toastError)}>下载年度工作总结（Word）</PrimaryButton>
        <PrimaryButton onClick={() => openReport('/stats/monthly-brief.docx', { orgId: d.org.id, month: d.month }, `${d.org.name}${d.month}会商简报.docx`).catch(toastError)}>下载本月会商简报（Word）</PrimaryButton>
      </View>
    </PageShell>
  );
}
