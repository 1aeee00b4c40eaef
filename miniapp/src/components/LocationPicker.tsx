/**
 * LocationPicker — where a hazard is: the position (GCJ-02), a small map preview, the address text and the village.
 *   <LocationPicker value={{ lat, lng, address, orgId }} onChange={(patch) => set(patch)} />
 * 获取我的位置 (h5: the browser's GPS converted to GCJ-02), 在地图上选 (weapp chooseLocation) or nudge the point (h5),
 * and a picker of the villages in the town, set by itself when the position falls inside a village/grid boundary.
 *
 * PointPreview — one point on a small map (weapp <Map>; h5 a plain point display: no map tiles are reachable there).
 * openNavigation(lat, lng, name) — weapp openLocation; h5 an Amap marker link (a map app or the web map opens).
 */
import { Input, Picker, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { OrgUnitDto } from '@xiangan/shared';
import { formatLatLng } from '@xiangan/shared';
import { useEffect, useState } from 'react';
import { flattenOrgs, orgsApi } from '../services/orgs';
import { chooseLocationOnMap, getCurrentLocation } from '../platform/location';
import { nativeMap } from '../platform/system';
import { NativeMap } from '../platform/ui';
import Field from './Field';
import PrimaryButton from './PrimaryButton';
import './location.scss';

export interface PlaceValue {
  lat?: number;
  lng?: number;
  address: string;
  /** The village (or community / grid) chosen; undefined = the reporter's own. */
  orgId?: number;
}

/** Metres → degrees at this latitude. */
const STEP_M = 20;
const dLat = (m: number) => m / 111_320;
const dLng = (m: number, lat: number) => m / (111_320 * Math.cos((lat * Math.PI) / 180));

/** The navigation link for h5: Amap's marker page (GCJ-02, what we store); phones hand it to the map app. */
export function navigationUrl(lat: number, lng: number, name: string): string {
  return `https://uri.amap.com/marker?position=${lng.toFixed(6)},${lat.toFixed(6)}&name=${encodeURIComponent(name)}&coordinate=gaode&callnative=1`;
}

export async function openNavigation(lat: number, lng: number, name: string, address?: string): Promise<void> {
  if (nativeMap) {
    await Taro.openLocation({ latitude: lat, longitude: lng, name, address: address ?? '', scale: 17 }).catch(() =>
      Taro.showToast({ title: '无法打开地图', icon: 'none' }),
    );
    return;
  }
  window.open(navigationUrl(lat, lng, name), '_blank');
}

export function PointPreview({ lat, lng, label }: { lat: number; lng: number; label?: string }) {
  if (nativeMap) {
    return (
      <NativeMap
        className="lp-map"
        latitude={lat}
        longitude={lng}
        scale={16}
        markers={[{ id: 1, latitude: lat, longitude: lng, width: 30, height: 30, iconPath: '', title: label ?? '' }] as never}
        onError={() => Taro.showToast({ title: '地图加载失败', icon: 'none' })}
      />
    );
  }
  return (
    <View className="lp-plot" data-testid="point-preview">
      <View className="lp-plot__h" />
      <View className="lp-plot__v" />
      <Text className="lp-plot__north">北 ↑</Text>
      <View className="lp-plot__pin" />
      <Text className="lp-plot__coords">{formatLatLng({ lat, lng })}</Text>
    </View>
  );
}

export default function LocationPicker({ value, onChange }: { value: PlaceValue; onChange: (patch: Partial<PlaceValue>) => void }) {
  const [villages, setVillages] = useState<OrgUnitDto[]>([]);
  const [auto, setAuto] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const has = value.lat !== undefined && value.lng !== undefined;

  useEffect(() => {
    orgsApi
      .tree()
      .then((t) => setVillages(flattenOrgs(t, ['village', 'community']).map((u) => u.unit)))
      .catch(() => setVillages([]));
  }, []);

  /** A new position: ask which village/grid holds it and choose that village. */
  const moveTo = async (p: { lat: number; lng: number; address?: string }) => {
    onChange({ lat: p.lat, lng: p.lng, ...(p.address ? { address: p.address } : {}) });
    try {
      const r = await orgsApi.locate(p.lat, p.lng);
      if (r.village) {
        onChange({ orgId: r.village.id });
        setAuto(r.unit && r.unit.id !== r.village.id ? `${r.village.name}（${r.unit.name}）` : r.village.name);
      } else setAuto(null);
    } catch {
      setAuto(null);
    }
  };

  const locate = async () => {
    setLocating(true);
    try {
      const p = await getCurrentLocation();
      if (p) await moveTo(p);
      else Taro.showToast({ title: '没有取到位置，可以在下面写清楚地点', icon: 'none' });
    } finally {
      setLocating(false);
    }
  };
  const choose = async () => {
    const p = await chooseLocationOnMap();
    if (p) await moveTo({ lat: p.lat, lng: p.lng, address: [p.name, p.address].filter(Boolean).join(' ') });
  };
  const nudge = (north: number, east: number) => {
    if (!has) return;
    void moveTo({ lat: value.lat! + dLat(north), lng: value.lng! + dLng(east, value.lat!) });
  };

  const idx = villages.findIndex((v) => v.id === value.orgId);
  return (
    <>
      <Field label="4. 在哪里" hint={has ? `已定位：${formatLatLng({ lat: value.lat!, lng: value.lng! })}` : '定位后工作人员能更快找到'}>
        {has ? <PointPreview lat={value.lat!} lng={value.lng!} label={value.address || '隐患位置'} /> : null}
        {has && !nativeMap ? (
          <View className="lp-nudge">
            <Text className="lp-nudge__label">位置不准？点箭头挪一挪（每次约{STEP_M}米）</Text>
            <View className="lp-nudge__row">
              <View className="lp-nudge__btn" onClick={() => nudge(STEP_M, 0)}>
                ↑ 北
              </View>
              <View className="lp-nudge__btn" onClick={() => nudge(-STEP_M, 0)}>
                ↓ 南
              </View>
              <View className="lp-nudge__btn" onClick={() => nudge(0, -STEP_M)}>
                ← 西
              </View>
              <View className="lp-nudge__btn" onClick={() => nudge(0, STEP_M)}>
                → 东
              </View>
            </View>
          </View>
        ) : null}
        <Input className="xa-input" value={value.address} placeholder="例如：柳林村3组河边" onInput={(e) => onChange({ address: e.detail.value })} />
        <View className="lp-actions">
          <PrimaryButton type="secondary" size="small" onClick={locate} loading={locating}>
            {has ? '重新定位' : '获取我的位置'}
          </PrimaryButton>
          {nativeMap ? (
            <PrimaryButton type="secondary" size="small" onClick={choose}>
              在地图上选
            </PrimaryButton>
          ) : null}
        </View>
      </Field>
      <Field label="在哪个村（社区）" hint={auto ? `按位置自动选了：${auto}` : '不选就记在您自己的村'}>
        <Picker
          mode="selector"
          range={['我自己的村', ...villages.map((v) => v.name)]}
          value={idx + 1}
          onChange={(e) => {
            const i = Number(e.detail.value);
            onChange({ orgId: i ? villages[i - 1].id : undefined });
            setAuto(null);
          }}
        >
          <View className="xa-input lp-village">{idx >= 0 ? villages[idx].name : '我自己的村'} ▾</View>
        </Picker>
      </Field>
    </>
  );
}
