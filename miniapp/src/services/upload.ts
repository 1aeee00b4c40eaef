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
import { ensurePrivacy } from '../utils/privacy';

export interface UploadedMedia {
  id: number | string;
  url: string;
  [k: string]: unknown;
}

const MAX_EDGE = 1600;
const QUALITY = 0.7;

/** Pick photos from camera or album. Returns local paths (weapp temp files / h5 blob URLs); [] when cancelled. */
export async function chooseImages(count = 1): Promise<string[]> {
  if (!(await ensurePrivacy())) return [];
  try {
    if (process.env.TARO_ENV === 'weapp') {
      const r = await Taro.chooseMedia({ count, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] });
      return r.tempFiles.map((f) => f.tempFilePath);
    }
    const r = await Taro.chooseImage({ count, sizeType: ['compressed'], sourceType: ['camera', 'album'] });
    return r.tempFilePaths;
  } catch {
    return [];
  }
}

/** weapp: Taro.compressImage; h5: canvas downscale to ≤1600 px JPEG q 0.7. Falls back to the original. */
export async function compressImage(path: string): Promise<string> {
  try {
    if (process.env.TARO_ENV === 'h5') return await compressInBrowser(path);
    const r = await Taro.compressImage({ src: path, quality: Math.round(QUALITY * 100), compressedWidth: MAX_EDGE } as Taro.compressImage.Option);
    return r.tempFilePath || path;
  } catch {
    return path;
  }
}

function compressInBrowser(src: string): Promise<string> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(1, MAX_EDGE / Math.max(img.naturalWidth, img.naturalHeight));
      const w = Math.max(1, Math.round(img.naturalWidth * scale));
      const h = Math.max(1, Math.round(img.naturalHeight * scale));
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      if (!ctx) return resolve(src);
      ctx.fillStyle = '#fff'; // PNG transparency → white, not black, in JPEG
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(img, 0, 0, w, h);
      canvas.toBlob((blob) => resolve(blob ? URL.createObjectURL(blob) : src), 'image/jpeg', QUALITY);
    };
    img.onerror = () => resolve(src);
    img.src = src;
  });
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
          ...(process.env.TARO_ENV === 'h5' ? { fileName: opts.raw ? 'image.png' : 'photo.jpg' } : {}),
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
