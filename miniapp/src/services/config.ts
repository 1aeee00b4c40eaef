/**
 * Where the API lives. h5 is served by the NestJS server itself, so it calls the same origin.
 * weapp needs an absolute https origin from `TARO_APP_API_BASE` (build-time env, e.g.
 * `https://xiangan.example.gov.cn/api`; a value without the trailing `/api` gets it appended). A release build refuses
 * to run without it (config/weapp-api-base.js): the 127.0.0.1 default below is for dev builds only.
 */
import { sameOriginApi } from '../platform/system';

function computeApiBase(): string {
  if (sameOriginApi) return '/api';
  const raw = (process.env.TARO_APP_API_BASE || 'http://127.0.0.1:3000/api').replace(/\/+$/, '');
  return /\/api$/.test(raw) ? raw : `${raw}/api`;
}

export const API_BASE = computeApiBase();

/** `/hazards?x=1` or `/api/hazards` → absolute URL under API_BASE (callers may write either). */
export function apiUrl(path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  const p = path.startsWith('/') ? path : `/${path}`;
  return API_BASE + (p.startsWith('/api/') ? p.slice(4) : p);
}

export const TOKEN_KEY = 'xa_token';
export const LOGIN_PAGE = '/pages/login/index';
export const HOME_PAGE = '/pages/index/index';
