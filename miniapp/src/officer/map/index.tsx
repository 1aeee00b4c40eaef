import { Map, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { HazardMapPoint } from '@xiangan/shared';
import { HAZARD_CATEGORY_LABELS } from '@xiangan/shared';
import { useState } from 'react';
import { Card, PageShell } from '../../components';
import { hazardsApi, statusText } from '../../services/hazards';
import { toastError } from '../../services/request';
import './index.scss';

// The demo town's extent; the county view pans wider.
const BBOX: [number, number, number, number] = [106.40, 29.50, 106.70, 29.70];
const colour = (p: HazardMapPoint) => (p.level === 'major' ? '#d32f2f' : p.overdue ? '#e65100' : p.status === 'reported' ? '#1a6fd1' : p.status === 'escalated' ? '#7b1fa2' : '#2e7d32');
const LEGEND = [
  ['#d32f2f', '重大隐患'],
  ['#e65100', '已逾期'],
  ['#1a6fd1', '待受理'],
  ['#2e7d32', '整改中'],
  ['#7b1fa2', '上报县级'],
];

/** 安全隐患分布图: weapp uses the native map; h5 plots the points (no map tiles are reachable there). */
export default function HazardMapPage() {
  const [points, setPoints] = useState<HazardMapPoint[]>([]);
  const [sel, setSel] = useState<HazardMapPoint | null>(null);
  useDidShow(() => void hazardsApi.map(BBOX).then((r) => setPoints(r.points)).catch(toastError));
  const open = (id: number) => Taro.navigateTo({ url: `/officer/hazard/index?id=${id}` });
  const lats = points.map((p) => p.lat);
  const lngs = points.map((p) => p.lng);
  const [minLat, maxLat] = [Math.min(...lats, 29.54), Math.max(...lats, 29.61)];
  const [minLng, maxLng] = [Math.min(...lngs, 106.47), Math.max(...lngs, 106.54)];
  return (
    <PageShell title='隐患分布图' subtitle={`未销号隐患 ${points.length} 处`}>
      {process.env.TARO_ENV === 'weapp' ? (
        <Map
          className='mp-map'
          latitude={(minLat + maxLat) / 2}
          longitude={(minLng + maxLng) / 2}
          scale={13}
          markers={points.map((p) => ({ id: p.id, latitude: p.lat, longitude: p.lng, width: 24, height: 24, iconPath: '', callout: { content: `${p.code} ${statusText(p.status)}`, color: colour(p), fontSize: 14, borderRadius: 6, padding: 6, display: 'BYCLICK' as const, bgColor: '#ffffff', textAlign: 'center' as const, anchorX: 0, anchorY: 0, borderWidth: 1, borderColor: colour(p) } })) as never}
          onCalloutTap={(e) => open(Number((e.detail as { markerId: number }).markerId))}
        />
      ) : (
        <View className='mp-plot'>
          {points.map((p) => (
            <View
              key={p.id}
              className='mp-dot'
              style={{ left: `${((p.lng - minLng) / (maxLng - minLng || 1)) * 92 + 4}%`, top: `${(1 - (p.lat - minLat) / (maxLat - minLat || 1)) * 92 + 4}%`, background: colour(p) }}
              onClick={() => setSel(p)}
            />
          ))}
        </View>
      )}
      <View className='mp-legend'>
        {LEGEND.map(([c, l]) => (
          <View key={l} className='mp-legend__item'>
            <View className='mp-legend__dot' style={{ background: c }} />
            <Text>{l}</Text>
          </View>
        ))}
      </View>
      {sel ? (
        <Card title={sel.code} onClick={() => open(sel.id)} extra={<Text>查看 ›</Text>}>
          <View style={{ fontSize: '30px' }}>{HAZARD_CATEGORY_LABELS[sel.category]} · {statusText(sel.status)}{sel.overdue ? ' · 已逾期' : ''}</View>
        </Card>
      ) : null}
    </PageShell>
  );
}
