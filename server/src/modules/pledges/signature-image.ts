import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { LIMITS } from '@xiangan/shared';
import sharp from 'sharp';
import { fieldErrors } from '../../common/http/field-labels';
import { DIRECT_MAX_PIXELS, INK_LEVEL, INK_LIMIT, inkStatsDirect, PNG_MAGIC, type InkStats, type InkTarget } from './png-ink';

export { DIRECT_MAX_PIXELS, inkStatsDirect, type InkStats, type InkTarget };

// libvips' operation cache keeps recent decoded images for reuse; every upload here is new, so it only costs memory
// and hashing (~0.2 ms CPU per 1000×400 decode measured). Process-wide, and equally useless for other uploads.
sharp.cache(false);

const DATA_URL_PREFIX = 'data:image/png;base64,';
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;

/**
 * The text is base64 (BASE64_TEXT) — decided without a scan of it when possible. Node's decoder skips what is not
 * base64 (or stops there), so an ASCII text of whole quads, without the URL-safe alphabet's `-` and `_` (which it
 * would read), whose decode is as long as its length says, had nothing skipped: every character was in the alphabet
 * or a closing `=` (a spec holds this against the regex on 3,000 damaged texts). That is what phones send. Anything
 * else (line breaks, padding inside) goes to the regex, as before; it cost ~25 µs for a 20 KB image, half of a
 * signature request's checks of its text (measured).
 */
function isBase64Text(b64: string, decoded: Buffer): boolean {
  const whole = b64.length % 4 === 0 && decoded.length === Buffer.byteLength(b64, 'base64');
  // ASCII only (a wider character is read by its low byte: 中 as `-`), and neither of the URL-safe pair
  if (whole && Buffer.byteLength(b64, 'utf8') === b64.length && b64.indexOf('-') < 0 && b64.indexOf('_') < 0) return true;
  return BASE64_TEXT.test(b64);
}

/** Below these a canvas is blank or a stray tap, not a signature. */
export const INK_MIN_PIXELS = 150;
export const INK_MIN_BOX_WIDTH = 40;
export const INK_MIN_BOX_HEIGHT = 12;
/** What assertSigned needs to see: once the strokes meet it, the one-pass reader stops counting. */
export const INK_ENOUGH: InkTarget = { ink: INK_MIN_PIXELS, w: INK_MIN_BOX_WIDTH, h: INK_MIN_BOX_HEIGHT };

/** `label` names the signer (监护人); errors carry the path `field` in `fields`. */
export function decodeSignatureDataUrl(field: string, dataUrl: unknown, label = ''): Buffer {
  if (typeof dataUrl !== 'string') throw fieldErrors([{ field, message: `${label}签名图片须为 PNG 图片，请重新签名` }]);
  const b64 = dataUrl.startsWith(DATA_URL_PREFIX) ? dataUrl.slice(DATA_URL_PREFIX.length) : '';
  if (!b64) throw new UnsupportedMediaTypeException(`${label}签名图片须为 PNG 图片，请重新签名`);
  if (b64.length > Math.ceil((LIMITS.signatureMaxBytes * 4) / 3) + 8) {
    // as before: a text this long is 413, or 415 when it is not base64 at all
    if (!BASE64_TEXT.test(b64)) throw new UnsupportedMediaTypeException(`${label}签名图片须为 PNG 图片，请重新签名`);
    throw new PayloadTooLargeException(`${label}签名图片太大（最大 ${LIMITS.signatureMaxBytes / 1024} KB）`);
  }
  const buf = Buffer.from(b64, 'base64');
  if (!isBase64Text(b64, buf)) throw new UnsupportedMediaTypeException(`${label}签名图片须为 PNG 图片，请重新签名`);
  if (buf.length > LIMITS.signatureMaxBytes) throw new PayloadTooLargeException(`${label}签名图片太大（最大 ${LIMITS.signatureMaxBytes / 1024} KB）`);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_MAGIC)) throw new UnsupportedMediaTypeException(`${label}签名图片不是 PNG 图片，请重新签名`);
  return buf;
}

/** Most pixels a signature may have (as sharp's limitInputPixels below). */
const MAX_PIXELS = 4096 * 4096;

/**
 * Counts "ink" — pixels darker than INK_LEVEL once drawn onto white paper — and the bounding box of the strokes.
 * What phones send (8-bit RGBA or RGB, not interlaced) is read here in one pass: node's zlib inflates the image
 * data a few rows at a time into a small scratch buffer, each scanline is unfiltered (PNG filters 0–4) into one of
 * two row buffers and scanned at once, compositing onto white and taking the luma per pixel. The whole pixel
 * buffer (1.6 MB for a 1000×400 canvas) never exists: allocating and faulting it in per signature cost more than
 * the inflate itself (bench/RESULTS.md). Any other PNG (grey, palette, 16-bit, interlaced) — or one whose chunks
 * or sizes do not add up — goes to libvips as before. `enough`: the one-pass reader may stop counting once the
 * strokes meet it (its ink and box are then at least that); libvips always counts the whole image.
 */
export async function inkStats(png: Buffer, enough?: InkTarget): Promise<InkStats> {
  return inkStatsDirect(png, 'rows', enough) ?? inkStatsSharp(png);
}

/**
 * The same count over libvips' decode (sharp's thread pool): the paper compositing and the luma are done here in
 * one pass over the RGBA words, skipping runs of four fully transparent or opaque white pixels at once. (Having
 * libvips flatten and convert to grey first cost ~4 ms more CPU per image: its colour conversion goes through
 * linear light in floating point.) Anything that is not 8-bit goes through that libvips path instead.
 */
export async function inkStatsSharp(png: Buffer): Promise<InkStats> {
  const { data, info } = await sharp(png, { limitInputPixels: MAX_PIXELS }).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (data.length !== width * height * channels || channels < 3) return inkStatsVips(png);
  const limit = INK_LIMIT;
  const rgba = channels === 4;
  let ink = 0;
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1;
  /** Composited onto white, Rec. 709 luma in 8.8 fixed point: l·a + 255·(255 − a) over 255, at or below INK_LEVEL. */
  const isInk = (o: number): boolean => {
    const a = rgba ? data[o + 3] : 255;
    const l = (54 * data[o] + 183 * data[o + 1] + 19 * data[o + 2]) >> 8;
    return l * a + 255 * (255 - a) <= limit;
  };
  const mark = (x: number): void => {
    ink++;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
  };
  // RGBA as Int32 words: transparent is 0, opaque white -1 (a small integer for V8; a Uint32 0xffffffff would be a
  // heap double). Four words are skipped with one OR and one AND when they are all paper.
  const words = rgba && data.byteOffset % 4 === 0 ? new Int32Array(data.buffer, data.byteOffset, width * height) : null;
  for (let y = 0; y < height; y++) {
    const before = ink;
    const row = y * width;
    let x = 0;
    if (words !== null) {
      for (; x + 4 <= width; x += 4) {
        const p = row + x;
        const w0 = words[p],
          w1 = words[p + 1],
          w2 = words[p + 2],
          w3 = words[p + 3];
        if ((w0 | w1 | w2 | w3) === 0 || (w0 & w1 & w2 & w3) === -1) continue;
        for (let k = 0; k < 4; k++) {
          const w = words[p + k];
          if (w !== 0 && w !== -1 && isInk((p + k) * 4)) mark(x + k);
        }
      }
    }
    for (; x < width; x++) if (isInk((row + x) * channels)) mark(x);
    if (ink !== before) {
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  return { width, height, ink, box: maxX < 0 ? { w: 0, h: 0 } : { w: maxX - minX + 1, h: maxY - minY + 1 } };
}

/** The general path (grey, 16-bit, …): libvips flattens onto white and converts to 8-bit grey. */
async function inkStatsVips(png: Buffer): Promise<InkStats> {
  const { data, info } = await sharp(png, { limitInputPixels: MAX_PIXELS })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  let ink = 0;
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1;
  for (let y = 0, i = 0; y < height; y++) {
    let rowInk = false;
    for (let x = 0; x < width; x++, i += channels) {
      if (data[i] > INK_LEVEL) continue;
      ink++;
      rowInk = true;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    }
    if (rowInk) {
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  return { width, height, ink, box: maxX < 0 ? { w: 0, h: 0 } : { w: maxX - minX + 1, h: maxY - minY + 1 } };
}

/** 400 naming the field when the canvas is blank or holds only a dot or a short dash. */
export async function assertSigned(field: string, label: string, png: Buffer): Promise<InkStats> {
  let s: InkStats;
  try {
    s = await inkStats(png, INK_ENOUGH);
  } catch {
    throw fieldErrors([{ field, message: `${label}签名图片无法读取，请重新签名` }]);
  }
  if (s.width < 100 || s.height < 50) throw fieldErrors([{ field, message: `${label}签名区域太小，请在整块签名板上签名` }]);
  if (s.ink < INK_MIN_PIXELS || s.box.w < INK_MIN_BOX_WIDTH || s.box.h < INK_MIN_BOX_HEIGHT) {
    throw fieldErrors([{ field, message: `${label}签名为空或过于简单，请用手指写下完整的名字` }]);
  }
  return s;
}
