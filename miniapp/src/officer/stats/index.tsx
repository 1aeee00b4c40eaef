import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import type { DashboardDto } from '@xiangan/shared';
import { useState } from 'react';
import { Card, Loading, PageShell, PrimaryButton } from '../../components';
import { toastError } from '../../services/request';
import { getDashboard, openReport } from '../../services/stats';
import { F2Chart } from './F2Chart';
import './index.scss';

/** Charts: AntV F2 on a Canvas 2D node (weapp and h5); pledge progress as plain progress bars. */
const COLORS = ['#e8833a', '#2e9e5b'];

function Legend({ names }: { names: [string, string] }) {
  return (
    <View className='st-legend'>
      <Text className='dot a' />
      {names[0]}
      <Text className='dot b' />
      {names[1]}
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
        <Legend names={['上报', '销号']} />
        <F2Chart kind='line' colors={COLORS} data={d.trend.flatMap((t) => [{ x: `${Number(t.month.slice(5))}月`, series: '上报', value: t.found }, { x: `${Number(t.month.slice(5))}月`, series: '销号', value: t.closed }])} />
      </Card>
      <Card title='按行业领域：上报 / 销号'>
        <Legend names={['上报', '销号']} />
        <F2Chart kind='bar' transposed height={Math.max(360, d.byCategory.slice(0, 8).length * 90)} colors={COLORS} data={[...d.byCategory.slice(0, 8)].reverse().flatMap((c) => [{ x: c.label, series: '上报', value: c.found }, { x: c.label, series: '销号', value: c.closed }])} />
      </Card>
      <Card title='按村（社区）和单位：上报 / 已整改'>
        <Legend names={['上报', '已整改']} />
        <F2Chart kind='bar' transposed height={Math.max(360, d.byChild.length * 90)} colors={COLORS} data={[...d.byChild].reverse().flatMap((c) => [{ x: c.orgName, series: '上报', value: c.found }, { x: c.orgName, series: '已整改', value: c.closed }])} />
      </Card>
      {d.pledges.length > 0 && (
        <Card title='承诺书签订进度'>
          {d.pledges.map((p) => {
            const pct = p.rate === null ? null : `${Math.round(p.rate * 100)}%`;
            return (
              <View key={p.kind} className='st-pl'>
                <View className='st-pl-head'>
                  <Text className='st-pl-label'>{p.label}</Text>
                  <Text className='st-pl-num'>已签{p.signed}份</Text>
                </View>
                {p.roster > 0 && pct !== null ? (
                  <>
                    <View className='st-pl-track'><View className='st-bar a' style={{ width: pct }} /></View>
                    <Text className='st-pl-sub'>名单{p.roster}人，已签{pct}</Text>
                  </>
                ) : (
                  <Text className='st-pl-sub'>没有导入名单，按签订份数统计</Text>
                )}
              </View>
            );
          })}
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
        <PrimaryButton onClick={() => openReport('/stats/summary.docx', { orgId: d.org.id, from: `${year}-01-01`, to: `${year}-12-31` }, `${d.org.name}${year}年度安全生产和消防工作总结.docx`).catch(toastError)}>下载年度工作总结（Word）</PrimaryButton>
        <PrimaryButton onClick={() => openReport('/stats/monthly-brief.docx', { orgId: d.org.id, month: d.month }, `${d.org.name}${d.month}会商简报.docx`).catch(toastError)}>下载本月会商简报（Word）</PrimaryButton>
      </View>
    </PageShell>
  );
}
