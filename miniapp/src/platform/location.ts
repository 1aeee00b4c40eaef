/**
 * Location, asked for only when the user taps something that needs it.
 *   const loc = await getCurrentLocation();   // null when refused / unavailable (a toast explains)
 */
import Taro from '@tarojs/taro';
import { wgs84ToGcj02 } from '@xiangan/shared';
import { ensurePrivacy } from './privacy';

export interface GeoPoint {
  lat: number;
  lng: number;
  accuracy?: number;
}

/**
 * h5: the browser gives WGS-84 (GPS); Taro's web getLocation refuses `gcj02`. Ask the browser and convert, so every
 * stored position is GCJ-02 like WeChat's.
 */
function browserLocation(): Promise<GeoPoint> {
  return new Promise((resolve, reject) => {
    const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined;
    if (!geo) return reject({ errMsg: 'getLocation:fail unsupported' });
    geo.getCurrentPosition(
      (pos) => {
        const p = wgs84ToGcj02(pos.coords.latitude, pos.coords.longitude);
        resolve({ lat: p.lat, lng: p.lng, accuracy: pos.coords.accuracy });
      },
      (err) => reject({ errMsg: `getLocation:fail ${err.code === 1 ? 'permission denied' : err.message}` }),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

/** The device's position in GCJ-02 (null when refused / unavailable; a toast explains unless `silent`). */
export async function getCurrentLocation(opts: { silent?: boolean } = {}): Promise<GeoPoint | null> {
  if (!(await ensurePrivacy())) return null;
  try {
    if (process.env.TARO_ENV === 'h5') {
      return await browserLocation();
    } else {
      const res = await Taro.getLocation({ type: 'gcj02', isHighAccuracy: true, highAccuracyExpireTime: 4000 });
      return { lat: res.latitude, lng: res.longitude, accuracy: res.accuracy };
    }
  } catch (err) {
    if (!opts.silent) {
      const msg = (err as { errMsg?: string })?.errMsg ?? '';
      if (/auth deny|auth denied|permission/i.test(msg) && process.env.TARO_ENV === 'weapp') {
        const r = await Taro.showModal({ title: '需要位置权限', content: '请在设置中允许“使用我的位置”，用于记录隐患地点。', confirmText: '去设置' });
        if (r.confirm) await Taro.openSetting();
      } else {
        Taro.showToast({ title: '暂时无法定位，可以手动填写地址', icon: 'none', duration: 2500 });
      }
    }
    return null;
  }
}

/** weapp: pick a point on the map (needs chooseLocation in requiredPrivateInfos). h5: null. */
export async function chooseLocationOnMap(): Promise<(GeoPoint & { address: string; name: string }) | null> {
  if (process.env.TARO_ENV !== 'weapp') {
    return null;
  } else {
    if (!(await ensurePrivacy())) return null;
    try {
      const r = await Taro.chooseLocation({});
      return { lat: r.latitude, lng: r.longitude, address: r.address, name: r.name };
    } catch {
      return null;
    }
  }
}
