/**
 * What the platform offers, named by what a page needs — the only place (with the rest of `src/platform/`) that
 * reads `process.env.TARO_ENV`. Pages and services ask `canShareCard`, never "is this weapp".
 *
 * Taro replaces `process.env.TARO_ENV` at build time, so each flag is a literal `true`/`false` in its bundle and the
 * minifier drops the branch the platform cannot take. Inside platform/, write each difference as if/else or a ternary
 * on `process.env.TARO_ENV` (not an early return): webpack then never sees the other side, so the Taro APIs and
 * components only it calls stay out of the bundle. A component only one platform has goes in ui.tsx.
 *
 *   {canShareCard ? <PrimaryButton openType="share">转发</PrimaryButton> : <View>链接：{url}</View>}
 */
import Taro from '@tarojs/taro';

/** h5: a browser page — `window`, `document`, DOM canvases and the hash router are there. */
export const inBrowser = process.env.TARO_ENV === 'h5';

/** h5 is served by the API server itself: it calls the API on its own origin (weapp needs an absolute https origin). */
export const sameOriginApi = process.env.TARO_ENV === 'h5';

/** weapp: WeChat draws the title bar (title and back arrow); h5 pages draw their own heading and back link. */
export const nativeTitleBar = process.env.TARO_ENV === 'weapp';

/** weapp: a button with `openType="share"` forwards a card to a chat; h5 shows the link to copy instead. */
export const canShareCard = process.env.TARO_ENV === 'weapp';

/** weapp: WeChat subscribe messages (wx.requestSubscribeMessage) can be asked for. */
export const canSubscribe = process.env.TARO_ENV === 'weapp';

/** weapp: WeChat's privacy guide (隐私保护指引): the consent dialog and the full guide page. */
export const hasPrivacyGuide = process.env.TARO_ENV === 'weapp';

/** weapp: the native <Map> and chooseLocation; h5 has no reachable map tiles (a plain point plot and nudge arrows). */
export const nativeMap = process.env.TARO_ENV === 'weapp';

/** weapp: login and the signer's phone come from WeChat (wx.login, the getPhoneNumber button); h5 types them. */
export const wechatIdentity = process.env.TARO_ENV === 'weapp';

/**
 * weapp hands page options over exactly as they stood in the URL (a QR code's `scene` still percent-encoded);
 * h5 decodes them. Whether an option value arrives as written in the URL.
 */
export const rawPageOptions = process.env.TARO_ENV === 'weapp';

/** The page on screen as the browser's address bar holds it (`/pages/x/index?a=1`), or null outside a browser. */
export function browserPageUrl(): string | null {
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' && window.location.hash.startsWith('#/')) {
    return window.location.hash.slice(1);
  }
  return null;
}

/** Screen-reader role props: h5 real ARIA `role` + `tabIndex` (keyboard); WeChat reads its own `aria-role`. */
export function roleProps(role: string, disabled?: boolean): Record<string, unknown> {
  return process.env.TARO_ENV === 'h5' ? { role, tabIndex: disabled ? -1 : 0 } : { 'aria-role': role };
}

/** Props that make a scrolling text region reachable and named for a screen reader (h5 only; WeChat reads it as is). */
export function regionProps(label: string): Record<string, unknown> {
  return process.env.TARO_ENV === 'h5' ? { tabIndex: 0, role: 'region', 'aria-label': label } : {};
}

/** The phone's font setting in px, or 0 when unknown. */
export function systemFontPx(): number {
  try {
    if (process.env.TARO_ENV === 'h5') {
      // the root font size is set by Taro's layout script; an element with `font-size: medium` still gets the
      // browser's own default size, which is what the user set in the browser.
      const probe = document.createElement('div');
      probe.style.cssText = 'position:absolute;visibility:hidden;font-size:medium';
      document.body.appendChild(probe);
      const px = parseFloat(getComputedStyle(probe).fontSize) || 0;
      probe.remove();
      return px;
    }
    const t = Taro as unknown as { getAppBaseInfo?: () => { fontSizeSetting?: number } };
    const base = typeof t.getAppBaseInfo === 'function' ? t.getAppBaseInfo() : undefined;
    return Number(base?.fontSizeSetting ?? Taro.getSystemInfoSync().fontSizeSetting ?? 0) || 0;
  } catch {
    return 0;
  }
}

/** h5: sets or clears a class on <html> (so CSS outside the page root follows it); nothing in weapp. */
export function markDocument(className: string, on: boolean): void {
  if (process.env.TARO_ENV === 'h5' && typeof document !== 'undefined') document.documentElement.classList.toggle(className, on);
}

/** Runs `fn` every time the network comes back (h5 `online`, weapp onNetworkStatusChange). */
export function onNetworkBack(fn: () => void): void {
  if (process.env.TARO_ENV === 'h5') {
    if (typeof window !== 'undefined') window.addEventListener('online', fn);
  } else {
    Taro.onNetworkStatusChange((r) => r.isConnected && fn());
  }
}
