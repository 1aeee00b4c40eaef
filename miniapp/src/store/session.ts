/**
 * The session: token + the caller (`MeDto`). A tiny external store read with `useSession()`;
 * no provider needed, so every page (main package or subpackage) sees the same state.
 *
 *   const { status, me } = useSession();     // status: 'loading' | 'ready' | 'anon'
 *   await session.bootstrap();               // once at launch (app.tsx); safe to call again
 *   await session.loginDev('demo-town'); session.logout();
 */
import Taro from '@tarojs/taro';
import { useSyncExternalStore } from 'react';
import { isOfficer, type LoginResponse, type MeDto } from '@xiangan/shared';
import { authApi, loginWithWechat } from '../services/auth';
import { ApiError, getToken, onUnauthorized, setAuthGate, setToken } from '../services/request';
import { wechatIdentity } from '../platform/system';

export type SessionStatus = 'loading' | 'ready' | 'anon';

export interface SessionState {
  status: SessionStatus;
  token: string;
  me: MeDto | null;
  /** Set when the session came from the cached profile because the network was down. */
  offline: boolean;
}

const ME_KEY = 'xa_me';

/**
 * A phone reopening the app with a token and the profile it cached last time starts signed in: pages draw and call
 * the API at once, while /me is checked in the background (bootstrap). Waiting for that round trip first left the
 * screen on 正在登录… (LCP) and drew 长辈模式 late (a layout shift). A stale token still ends at the login page (or a
 * silent re-login in weapp) on its first 401.
 */
function initialState(): SessionState {
  const token = getToken();
  const me = token ? cachedMe() : null;
  return token && me ? { status: 'ready', token, me, offline: false } : { status: 'loading', token: '', me: null, offline: false };
}
let state: SessionState = initialState();
const listeners = new Set<() => void>();

function set(patch: Partial<SessionState>) {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

function cacheMe(me: MeDto | null) {
  if (me) Taro.setStorageSync(ME_KEY, me);
  else Taro.removeStorageSync(ME_KEY);
}

function cachedMe(): MeDto | null {
  try {
    const v = Taro.getStorageSync(ME_KEY);
    return v && typeof v === 'object' ? (v as MeDto) : null;
  } catch {
    return null;
  }
}

onUnauthorized(() => {
  cacheMe(null);
  set({ status: 'anon', token: '', me: null });
});

let booting: Promise<void> | null = null;
/** When /me last answered, and the read in flight: a page shown right after start-up does not ask again. */
let meAt = 0;
let meInFlight: Promise<MeDto> | null = null;
const ME_FRESH_MS = 5000;

async function doBootstrap(): Promise<void> {
  const token = getToken();
  if (token) {
    if (state.status !== 'ready') set({ token });
    try {
      // a page drawn from the cached profile meanwhile (refreshMe) waits for this read instead of sending its own
      meInFlight = authApi.me(true).finally(() => (meInFlight = null));
      const me = await meInFlight;
      meAt = Date.now();
      cacheMe(me);
      set({ status: 'ready', me, offline: false });
      return;
    } catch (err) {
      if (err instanceof ApiError && err.isNetwork) {
        const me = cachedMe();
        if (me) return set({ status: 'ready', me, offline: true });
      }
      if (!(err instanceof ApiError) || err.statusCode === 401) {
        setToken(null);
        cacheMe(null);
      }
    }
  }
  // weapp logs in silently with the WeChat code; h5 (and a weapp whose server lacks WeChat credentials) uses the login page
  if (wechatIdentity) {
    try {
      apply(await loginWithWechat());
      return;
    } catch {
      /* fall through to the login page */
    }
  }
  set({ status: 'anon', token: '', me: null });
}

function apply(res: LoginResponse) {
  setToken(res.token);
  cacheMe(res.user);
  set({ status: 'ready', token: res.token, me: res.user, offline: false });
}

let relogging: Promise<boolean> | null = null;

/** One silent login shared by every call that got a 401 meanwhile. weapp only: h5 has no silent login. */
function relogin(): Promise<boolean> {
  if (!wechatIdentity) return Promise.resolve(false);
  if (!relogging) {
    relogging = loginWithWechat()
      .then((res) => (apply(res), true))
      .catch(() => false)
      .finally(() => (relogging = null));
  }
  return relogging;
}

// request.ts waits for these: a page opened by a link does not call the API before the launch login is done
setAuthGate({
  async ready() {
    if (state.status === 'loading') await session.bootstrap();
    if (relogging) await relogging;
  },
  relogin,
});

export const session = {
  get: () => state,
  subscribe(fn: () => void) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
  bootstrap(): Promise<void> {
    if (!booting) booting = doBootstrap().finally(() => (booting = null));
    return booting;
  },
  async loginDev(openid: string): Promise<MeDto> {
    const res = await authApi.dev(openid);
    apply(res);
    return res.user;
  },
  async loginWechat(): Promise<MeDto> {
    const res = await loginWithWechat();
    apply(res);
    return res.user;
  },
  /** After PUT /me or anything else that changed the profile. */
  setMe(me: MeDto) {
    cacheMe(me);
    set({ me, status: 'ready' });
  },
  /** The profile from the server, unless it answered in the last few seconds (then the one in hand). */
  async refreshMe(): Promise<MeDto> {
    if (state.me && Date.now() - meAt < ME_FRESH_MS) return state.me;
    meInFlight ??= authApi.me().finally(() => (meInFlight = null));
    const me = await meInFlight;
    meAt = Date.now();
    session.setMe(me);
    return me;
  },
  logout() {
    setToken(null);
    cacheMe(null);
    set({ status: 'anon', token: '', me: null, offline: false });
  },
};

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.get, session.get);
}

/** Officers are every role but resident. */
export function useIsOfficer(): boolean {
  const { me } = useSession();
  return !!me && isOfficer(me.role);
}
