/**
 * WeChat privacy authorisation (隐私保护指引). In weapp, before location, album/camera or phone is used,
 * call `await ensurePrivacy()`; WeChat then fires `onNeedPrivacyAuthorization` if the user has not agreed
 * yet, and our <PrivacyDialog/> (rendered by PageShell) shows the guide with an
 * `open-type="agreePrivacyAuthorization"` button. In h5 everything here is a no-op that resolves true.
 */
import Taro from '@tarojs/taro';

const isWeapp = process.env.TARO_ENV === 'weapp' && typeof wx !== 'undefined';

type Resolve = (r: { event: 'agree' | 'disagree' | 'exposureAuthorization'; buttonId?: string }) => void;
type Listener = (visible: boolean, referrer?: string) => void;

let pendingResolve: Resolve | null = null;
const listeners = new Set<Listener>();
let installed = false;

/** Install once at app launch. */
export function installPrivacyHandler(): void {
  if (!isWeapp || installed || typeof wx.onNeedPrivacyAuthorization !== 'function') return;
  installed = true;
  wx.onNeedPrivacyAuthorization((resolve: Resolve, eventInfo: { referrer?: string }) => {
    pendingResolve = resolve;
    listeners.forEach((fn) => fn(true, eventInfo?.referrer));
  });
}

/** PrivacyDialog subscribes to know when to show itself. */
export function onPrivacyRequest(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The user tapped the agree button (its id must be passed on to WeChat). */
export function agreePrivacy(buttonId: string): void {
  pendingResolve?.({ event: 'agree', buttonId });
  pendingResolve = null;
  listeners.forEach((fn) => fn(false));
}

export function disagreePrivacy(): void {
  pendingResolve?.({ event: 'disagree' });
  pendingResolve = null;
  listeners.forEach((fn) => fn(false));
}

/** Open the full guide as declared in the mini-program console. */
export function openPrivacyContract(): void {
  if (isWeapp && typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
}

/** Resolves true when the user has agreed (or nothing needs agreeing, e.g. h5 / old base library). */
export function ensurePrivacy(): Promise<boolean> {
  if (!isWeapp || typeof wx.requirePrivacyAuthorize !== 'function') return Promise.resolve(true);
  return new Promise((resolve) => {
    wx.requirePrivacyAuthorize({
      success: () => resolve(true),
      fail: () => {
        Taro.showToast({ title: '需要同意隐私保护指引才能使用此功能', icon: 'none', duration: 2500 });
        resolve(false);
      },
    });
  });
}

/** Summary shown in the dialog and on the 我的 page; keep in step with the console declaration. */
export const PRIVACY_SUMMARY: { item: string; why: string }[] = [
  { item: '位置信息', why: '上报隐患时记录隐患所在地点，方便工作人员尽快找到并处理。只在您点“定位”时获取。' },
  { item: '照片和相机', why: '拍摄或选择隐患照片、整改照片。只上传您选中的照片，上传前会压缩。' },
  { item: '手机号', why: '方便工作人员就隐患情况与您联系，签承诺书时作为监护人联系方式。列表中只显示部分号码。' },
];
