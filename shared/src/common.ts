/** Shapes and limits every endpoint shares. */

export interface Paginated<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

/** One refused request field: its path (`signatures.1.image`, `metrics.participants`) and the Chinese sentence. */
export interface ApiFieldError {
  field: string;
  message: string;
}

/**
 * Body of every error answer: `{ statusCode, error, message }`. `message` is what a user reads, in Chinese, naming
 * each bad field by its label (`第 2 位签名：签名图片无法读取`); a 400 about request fields adds `fields` with the path of each.
 */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string | string[];
  fields?: ApiFieldError[];
}

export const LIMITS = {
  /** Roster name lookups (the signing page's picker) per signed-in user per minute. */
  rosterLookupsPerMinute: 20,
  /** Lists never return more than this many rows a page. */
  pageSizeMax: 100,
  pageSizeDefault: 20,
  /** One uploaded image, before re-encoding. */
  uploadMaxBytes: 10 * 1024 * 1024,
  /** Images larger than this many pixels are refused (decompression bombs). */
  imageMaxPixels: 40_000_000,
  /** Longest edge of the stored copy / the thumbnail. */
  imageMaxEdge: 1920,
  thumbEdge: 360,
  hazardPhotosMax: 9,
  hazardDescriptionMax: 1000,
  noteMax: 500,
  titleMax: 60,
  messageBodyMax: 20000,
  /** WeChat msg_sec_check takes at most this many characters of content. */
  msgSecCheckMax: 2500,
  signatureMaxBytes: 512 * 1024,
  rosterMaxRows: 20000,
  rosterMaxBytes: 5 * 1024 * 1024,
  /** An .xlsx roster unpacked (sum of its zip entries; 20,000 rows from Excel unpack to ≈ 6–12 MB) and its entry count. */
  rosterMaxUnpackedBytes: 32 * 1024 * 1024,
  rosterMaxZipEntries: 200,
  idempotencyKeyMax: 64,
} as const;

export const MIME_IMAGE = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageMime = (typeof MIME_IMAGE)[number];

/** 13812345678 → 138****5678; anything shorter keeps only its last two digits. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const p = String(phone);
  if (p.length >= 7) return `${p.slice(0, 3)}****${p.slice(-4)}`;
  return `${'*'.repeat(Math.max(0, p.length - 2))}${p.slice(-2)}`;
}

/** 张小明 → 张*明, 李四 → 李*; a name is never shown whole in lists. */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  const chars = Array.from(name);
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

export interface Labelled<T extends string = string> {
  code: T;
  label: string;
}

/** ISO-8601 string on the wire; the server stores UTC. */
export type IsoDateTime = string;
/** `YYYY-MM-DD` */
export type IsoDate = string;
