/**
 * Photos from the camera or album, and their shrinking before upload, on both platforms.
 *   weapp: chooseMedia / compressImage (temporary files);  h5: Taro's file input (blob: URLs) / a canvas downscale.
 */
import Taro from '@tarojs/taro';
import { COLOR } from '../styles/colors';

/** Picks up to `count` photos; their local paths. Rejects when the user cancels. */
export async function pickPhotoPaths(count: number): Promise<string[]> {
  if (process.env.TARO_ENV === 'weapp') {
    const r = await Taro.chooseMedia({ count, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] });
    return r.tempFiles.map((f) => f.tempFilePath);
  } else {
    const r = await Taro.chooseImage({ count, sizeType: ['compressed'], sourceType: ['camera', 'album'] });
    return r.tempFilePaths;
  }
}

/** A JPEG of the photo no longer than `maxEdge` px on its longest side (the original when it cannot be read). */
export async function shrinkPhoto(path: string, maxEdge: number, quality: number): Promise<string> {
  if (process.env.TARO_ENV === 'h5') {
    return shrinkInBrowser(path, maxEdge, quality);
  } else {
    const r = await Taro.compressImage({ src: path, quality: Math.round(quality * 100), compressedWidth: maxEdge } as Taro.compressImage.Option);
    return r.tempFilePath || path;
  }
}

function shrinkInBrowser(src: string, maxEdge: number, quality: number): Promise<string> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(1, maxEdge / Math.max(img.naturalWidth, img.naturalHeight));
      const w = Math.max(1, Math.round(img.naturalWidth * scale));
      const h = Math.max(1, Math.round(img.naturalHeight * scale));
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      if (!ctx) return resolve(src);
      ctx.fillStyle = COLOR.card; // PNG transparency → white, not black, in JPEG
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(img, 0, 0, w, h);
      canvas.toBlob((blob) => resolve(blob ? URL.createObjectURL(blob) : src), 'image/jpeg', quality);
    };
    img.onerror = () => resolve(src);
    img.src = src;
  });
}

/** Upload options naming the file: h5 sends a blob (no name of its own); weapp's temporary file has one. */
export function photoFileName(name: string): { fileName?: string } {
  return process.env.TARO_ENV === 'h5' ? { fileName: name } : {};
}
