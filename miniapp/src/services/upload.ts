/**
 * Photo upload: compress, then POST /api/media (multipart field `file`) with the same token and retries as request.ts.
 *   const paths = await chooseImages(3);                 // asks privacy consent first (weapp)
 *   const media = await uploadImage(paths[0]);           // → { id, url }
 * Uploads are retried on network failure / 5xx (the server stores a new object per upload, which is harmless:
 * only the ids a later write references are kept).
 */
import Taro from '@tarojs/taro';
import { apiUrl } from './config';
import { ApiError, authHeader, awaitLogin, getToken, handleUnauthorized, recoverFrom401, toApiError, withRetries } from './request';
import { pickPhotoPaths, photoFileName, shrinkPhoto } from '../platform/images';
import { ensurePrivacy } from '../platform/privacy';

export interface UploadedMedia {
  id: number | string;
  url: string;
  [k: string]: unknown;
}

/** Longest edge and JPEG quality of an uploaded photo. */
const MAX_EDGE = 1600;
const QUALITY = 0.7;

/** Pick photos from camera or album. Returns local paths (weapp temp files / h5 blob URLs); [] when cancelled. */
export async function chooseImages(count = 1): Promise<string[]> {
  if (!(await ensurePrivacy())) return [];
  try {
    return await pickPhotoPaths(count);
  } catch {
    return [];
  }
}

/** ≤ 1600 px, JPEG quality 0.7. Falls back to the original. */
export async function compressImage(path: string): Promise<string> {
  try {
    return await shrinkPhoto(path, MAX_EDGE, QUALITY);
  } catch {
    return path;
  }
}

export interface UploadOptions {
  /** Skip compression (e.g. a signature PNG that is already small). */
  raw?: boolean;
  /** Endpoint; default /media. */
  path?: string;
  formData?: Record<string, string>;
  tries?: number;
}

export async function uploadImage(filePath: string, opts: UploadOptions = {}): Promise<UploadedMedia> {
  const path = opts.raw ? filePath : await compressImage(filePath);
  const url = apiUrl(opts.path ?? '/media');
  await awaitLogin();
  let reloggedIn = false;
  return withRetries(
    async function attempt(): Promise<UploadedMedia> {
      const sentToken = getToken();
      let res: Taro.uploadFile.SuccessCallbackResult;
      try {
        res = await Taro.uploadFile({
          url,
          filePath: path,
          name: 'file',
          header: authHeader(),
          formData: opts.formData,
          timeout: 60000,
          ...photoFileName(opts.raw ? 'image.png' : 'photo.jpg'),
        } as Taro.uploadFile.Option);
      } catch {
        throw new ApiError(0, '网络连接失败，照片没有传上去，请稍后重试', 'NetworkError');
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return (typeof res.data === 'string' ? JSON.parse(res.data) : res.data) as UploadedMedia;
      }
      if (res.statusCode === 401) {
        if (!reloggedIn) {
          reloggedIn = true;
          if (await recoverFrom401(sentToken)) return attempt();
        }
        handleUnauthorized();
      }
      throw toApiError(res.statusCode, res.data);
    },
    true,
    opts.tries,
  );
}

/** Upload several, in order; stops at the first failure (the caller keeps the draft). */
export async function uploadImages(paths: string[], opts: UploadOptions = {}): Promise<UploadedMedia[]> {
  const out: UploadedMedia[] = [];
  for (const p of paths) out.push(await uploadImage(p, opts));
  return out;
}
