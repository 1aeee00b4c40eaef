/** Login and the caller's own profile. Types from @xiangan/shared (auth.ts, org.ts). */
import Taro from '@tarojs/taro';
import type { LoginResponse, MeDto, Role } from '@xiangan/shared';
import { api } from './request';

/** One row of the h5 role picker (`GET /api/auth/dev/accounts`). */
export interface DevAccount {
  openid: string;
  name: string | null;
  role: Role;
  orgId: number | null;
  orgName: string | null;
}

export interface UpdateMeRequest {
  name?: string;
  phone?: string;
  orgId?: number;
}

export const authApi = {
  wechat: (code: string) => api.post<LoginResponse>('/auth/wechat', { code }, { auth: false, noLoginRedirect: true }),
  /** Rejects with ApiError 404 when the server has the dev login off. */
  devAccounts: () => api.get<DevAccount[]>('/auth/dev/accounts', { auth: false, noLoginRedirect: true }),
  dev: (openid: string) => api.post<LoginResponse>('/auth/dev', { openid }, { auth: false, noLoginRedirect: true }),
  /** `atLaunch`: the session's own check of a stored token (no waiting for itself, no re-login on 401). */
  me: (atLaunch = false) => api.get<MeDto>('/me', atLaunch ? { noLoginRedirect: true } : {}),
  /** PUT, not PATCH: wx.request has no PATCH. */
  updateMe: (patch: UpdateMeRequest) => api.put<MeDto>('/me', patch, { idempotent: true }),
};

/** weapp: wx.login code → our token. */
export async function loginWithWechat(): Promise<LoginResponse> {
  const { code } = await Taro.login();
  if (!code) throw new Error('微信登录失败，请重试');
  return authApi.wechat(code);
}
