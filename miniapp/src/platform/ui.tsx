/**
 * Components only one platform has. Each renders through a `process.env.TARO_ENV` test written here, so the other
 * platform's bundle never references the component (a flag from system.ts would keep it: webpack cannot see through an
 * imported constant, and h5 would then ship Taro's web <Map> and the privacy dialog in every page chunk).
 *
 *   {nativeMap ? <NativeMap latitude={…} longitude={…} markers={…} /> : <PlainPlot />}
 */
import { Map } from '@tarojs/components';
import type { ComponentProps } from 'react';
import PrivacyDialog from '../components/PrivacyDialog';

/** weapp: WeChat's native map; nothing in h5 (no map tiles are reachable there). */
export function NativeMap(props: ComponentProps<typeof Map>) {
  return process.env.TARO_ENV === 'weapp' ? <Map {...props} /> : null;
}

/** weapp: the privacy consent dialog WeChat asks for (PageShell hosts it on every page); nothing in h5. */
export function PlatformPrivacyDialog() {
  return process.env.TARO_ENV === 'weapp' ? <PrivacyDialog /> : null;
}
