import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { HazardMapPoint } from '@xiangan/shared';
import { HAZARD_CATEGORY_LABELS } from '@xiangan/shared';
import { useRef, useState } from 'react';
import { Card, Loading, PageShell } from '../../components';
import { hazardsApi, statusText } from '../../services/hazards';
import { flattenOrgs, orgsApi } from '../../services/orgs';
import { useRemote } from '../../hooks/use-remote';
import { COLOR } from '../../styles/colors';
import { nativeMap } from '../../platform/system';
import { NativeMap } from '../../platform/ui';
import './index.scss';
import { a11y } from '../../utils/a11y';

type Bbox = [number, number, number, number];
/** Anywhere in China: used only when no unit in scope has coordinates yet. */
const CHINA: Bbox = [73, 18, 135, 54];

interface Place {
  name: string;
  lat: number;
  lng: number;
}

/** The officer's own units that have coordinates (villages are drawn as landmarks), and their extent padded by ~3 km. */
async function scopeArea(): Promise<{ bbox: Bbox; places: Place[] }> {
  const units = flattenOrgs(await orgsApi.tree())
    .map((u) => u.unit)
    .filter((u) => u.lat !== null && u.lng !== null);
  if (!units.length) return { bbox: CHINA, places: [] };
  const lats = units.map((u) => u.lat as number);
  const lngs = units.map((u) => u.lng as number);
  const pad = 0.03;
  const places = units.filter((u) => u.type === 'village' || u.type === 'community').map((u) => ({ name: u.name, lat: u.lat as number, lng: u.lng as number }));
  return { bbox: [Math.min(...lngs) - pad, Math.min(...lats) - pad, Math.max(...lngs) + pad, Math.max(...lats) + pad], places };
}
const colour = (p: HazardMapPoint) =>
  p.level === 'major'
    ? COLOR.danger
    : p.overdue
      ? COLOR.warning
      : p.status === 'reported'
        ? COLOR.primary
        : p.status === 'escalated'
          ? COLOR.escalated
          : COLOR.success;
const LEGEND = [
  [COLOR.danger, '重大隐患'],
  [COLOR.warning, '已逾期'],
  [COLOR.primary, '待受理'],
  [COLOR.success, '整改中'],
  [COLOR.escalated, '上报县级'],
];

/** 安全隐患分布图: weapp uses the native map; h5 plots the points (no map tiles are reachable there). */
export default function HazardMapPage() {
  const [showUnlocated, setShowUnlocated] = useState(false);
  const [sel, setSel] = useState<HazardMapPoint | null>(null);
  // the scope's extent is read once; the points every time the page shows
  const scope = useRef<{ bbox: Bbox; places: Place[] } | null>(null);
  const remote = useRemote(
    async () => {
      const area = scope.current ?? (scope.current = await scopeArea());
      return { area, ...(await hazardsApi.map(area.bbox)) };
    },
    [],
    { onShow: true },
  );
  if (!remote.data)
    return (
      <PageShell title="隐患分布图">
        <Loading error={remote.error} onRetry={remote.reload} />
      </PageShell>
    );
  const { area, points, unlocated } = remote.data;
  const bbox = area.bbox;
  const open = (id: number) => Taro.navigateTo({ url: `/officer/hazard/index?id=${id}` });
  // the plot spans the points and the village landmarks
  const places = area.places;
  const lats = [...points.map((p) => p.lat), ...places.map((p) => p.lat)];
  const lngs = [...points.map((p) => p.lng), ...places.map((p) => p.lng)];
  // plot the points' own extent (or the scope's when there are none)
  const [minLat, maxLat] = lats.length ? [Math.min(...lats), Math.max(...lats)] : bbox ? [bbox[1], bbox[3]] : [0, 1];
  const [minLng, maxLng] = lngs.length ? [Math.min(...lngs), Math.max(...lngs)] : bbox ? [bbox[0], bbox[2]] : [0, 1];
  return (
    <PageShell title="隐患分布图" subtitle={`未销号隐患 ${points.length + unlocated.total} 处${unlocated.total ? `，图上 ${points.length} 处` : ''}`}>
      {unlocated.total ? (
        <Card
          title={`另有 ${unlocated.total} 处没有定位，图上画不出`}
          extra={<Text>{showUnlocated ? '收起' : '查看'}</Text>}
          onClick={() => setShowUnlocated(!showUnlocated)}
        >
          {showUnlocated ? (
            <View>
              {unlocated.items.map((u) => (
                <View key={u.id} className="mp-unlocated" onClick={() => open(u.id)}>
                  <Text className="mp-unlocated__code">
                    {u.code} {u.orgName ?? ''}
                  </Text>
                  <Text className="mp-unlocated__text">
                    {u.description.slice(0, 24)} · {statusText(u.status)}
                  </Text>
                </View>
              ))}
              {unlocated.total > unlocated.items.length ? (
                <View className="mp-unlocated__more">只列出最新 {unlocated.items.length} 条，其余请在台账中查看</View>
              ) : null}
            </View>
          ) : (
            <View className="mp-unlocated__text">上报时没有定位的隐患，点开看是哪几处</View>
          )}
        </Card>
      ) : null}
      {nativeMap ? (
        <NativeMap
          className="mp-map"
          latitude={(minLat + maxLat) / 2}
          longitude={(minLng + maxLng) / 2}
          scale={13}
          markers={
            points.map((p) => ({
              id: p.id,
              latitude: p.lat,
              longitude: p.lng,
              width: 24,
              height: 24,
              iconPath: '',
              callout: {
                content: `${p.code} ${statusText(p.status)}`,
                color: colour(p),
                fontSize: 14,
                borderRadius: 6,
                padding: 6,
                display: 'BYCLICK' as const,
                bgColor: COLOR.card,
                textAlign: 'center' as const,
                anchorX: 0,
                anchorY: 0,
                borderWidth: 1,
                borderColor: colour(p),
              },
            })) as never
          }
          onCalloutTap={(e) => open(Number((e.detail as { markerId: number }).markerId))}
          onError={() => Taro.showToast({ title: '地图加载失败', icon: 'none' })}
        />
      ) : (
        <View className="mp-plot">
          {places.map((pl) => (
            <Text
              key={pl.name}
              className="mp-place"
              // labels are centred on their place: keep them clear of the edges
              style={{
                left: `${Math.min(88, Math.max(12, ((pl.lng - minLng) / (maxLng - minLng || 1)) * 92 + 4))}%`,
                top: `${(1 - (pl.lat - minLat) / (maxLat - minLat || 1)) * 92 + 4}%`,
              }}
            >
              {pl.name}
            </Text>
          ))}
          {points.map((p) => (
            <View
              key={p.id}
              className="mp-dot"
              style={{ left: `${((p.lng - minLng) / (maxLng - minLng || 1)) * 92 + 4}%`, top: `${(1 - (p.lat - minLat) / (maxLat - minLat || 1)) * 92 + 4}%` }}
              onClick={() => setSel(p)}
              {...a11y({ label: `${p.code} ${statusText(p.status)}` })}
            >
              <View className="mp-dot__mark" style={{ background: colour(p) }} />
            </View>
          ))}
        </View>
      )}
      <View className="mp-legend">
        {LEGEND.map(([c, l]) => (
          <View key={l} className="mp-legend__item">
            <View className="mp-legend__dot" style={{ background: c }} />
            <Text>{l}</Text>
          </View>
        ))}
      </View>
      {sel ? (
        <Card title={sel.code} onClick={() => open(sel.id)} extra={<Text>查看 ›</Text>}>
          <View style={{ fontSize: '30px' }}>
            {HAZARD_CATEGORY_LABELS[sel.category]} · {statusText(sel.status)}
            {sel.overdue ? ' · 已逾期' : ''}
          </View>
        </Card>
      ) : null}
    </PageShell>
  );
}
