import type { Role, UserDto } from './org';

export interface WechatLoginRequest {
  /** The code from `wx.login`. */
  code: string;
}

export interface DevLoginRequest {
  openid: string;
  role?: Role;
  orgId?: number;
  name?: string;
}

export interface LoginResponse {
  token: string;
  user: MeDto;
}

export interface MeDto extends UserDto {
  /** Full phone of the caller themself. */
  phone: string | null;
  orgPath: string | null;
  orgType: string | null;
  /** True when the dev login is on (local and h5 demo); the login page offers the role picker then. */
  devLogin?: boolean;
}

export interface HealthDto {
  status: 'ok' | 'degraded';
  db: 'sqlite' | 'mysql';
  queue: 'bullmq' | 'in-process';
  version: string;
  /** Read replicas (DATABASE_REPLICA_URLS) and whether each is in use; absent when none are configured. */
  replicas?: { name: string; ok: boolean; lagSeconds: number | null; reason: string | null }[];
}
