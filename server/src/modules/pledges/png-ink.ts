/**
 * The one-pass ink reader for what phones send (8-bit RGBA or RGB PNG, not interlaced): node's zlib inflates the
 * image data a few rows at a time into a small scratch buffer, each scanline is unfiltered and scanned at once.
 * signature-image.ts uses it first and falls back to libvips (sharp) for any other PNG.
 */
import { isUint32Array } from 'node:util/types';
import { constants as zlibConstants, crc32, createInflate, type Inflate, inflateSync } from 'node:zlib';

export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface InkStats {
  width: number;
  height: number;
  ink: number;
  box: { w: number; h: number };
}

/**
 * What a caller needs to know, at least: this many ink pixels in a box this wide and tall. With it the reader stops
 * counting once the strokes so far meet it (the answer's ink and box are then those so far: at least the target,
 * not the whole image's); the rest of the image data is still inflated to its end and every row's filter byte
 * checked, so a damaged or overlong PNG is refused exactly as before.
 */
export interface InkTarget {
  ink: number;
  w: number;
  h: number;
}

/** Below this grey level (0–255, on white paper) a pixel is ink. */
export const INK_LEVEL = 180;

/**
 * Most pixels the one-pass reader takes on the event loop: a full-HD canvas (8 MB of RGBA, a few ms). A phone's
 * signature pad is well under it (390 px at 3× is about 1170 × 600). Anything larger — a small upload can inflate
 * to 64 MB — goes to libvips on the thread pool, so one request never holds the event loop for long.
 */
export const DIRECT_MAX_PIXELS = 1920 * 1080;

/** Composited onto white, Rec. 709 luma in 8.8 fixed point: l·a + 255·(255 − a) over 255, at or below INK_LEVEL. */
export const INK_LIMIT = INK_LEVEL * 255;

/** The Int32 views read pixels in the machine's byte order; a filtered pixel is put together in the same order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The four bytes at q as the word an Int32Array over them reads (the machine's byte order). */
function pixelAt(buf: Uint8Array, q: number): number {
  return LITTLE_ENDIAN
    ? buf[q] | (buf[q + 1] << 8) | (buf[q + 2] << 16) | (buf[q + 3] << 24)
    : (buf[q] << 24) | (buf[q + 1] << 16) | (buf[q + 2] << 8) | buf[q + 3];
}

/** Byte-wise sum modulo 256 of two words: the low seven bits added, the top bits put back without a carry. */
function addBytes(x: number, y: number): number {
  return ((x & 0x7f7f7f7f) + (y & 0x7f7f7f7f)) ^ ((x ^ y) & 0x80808080);
}

/** PNG's Paeth predictor: whichever of left, up, upper-left is nearest to left + up − upper-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * The one-pass reader; null when the PNG is not the plain 8-bit RGB(A) kind it reads (libvips then does).
 * `inflate`: 'rows' streams the image data a few rows at a time (falling back to 'whole' where node's zlib handle
 * is not there); 'whole' inflates it in one piece — the fallback, chosen directly only by its test. `enough`: stop
 * counting once the strokes meet it (see InkTarget); without it every pixel is counted.
 */
export function inkStatsDirect(png: Buffer, inflate: 'rows' | 'whole' = 'rows', enough?: InkTarget): InkStats | null {
  // chunks: IHDR first, the IDATs (CRC-checked, as libvips' reader does), up to IEND
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_MAGIC)) return null;
  const idat: Buffer[] = [];
  let width = 0,
    height = 0,
    channels = 0;
  let ended = false;
  for (let o = 8; o + 12 <= png.length;) {
    const len = png.readUInt32BE(o);
    const end = o + 12 + len;
    if (end > png.length) return null;
    const type = png.toString('latin1', o + 4, o + 8);
    if ((type === 'IHDR' || type === 'IDAT') && crc32(png.subarray(o + 4, o + 8 + len)) !== png.readUInt32BE(o + 8 + len)) return null;
    if (o === 8) {
      if (type !== 'IHDR' || len !== 13) return null;
      width = png.readUInt32BE(o + 8);
      height = png.readUInt32BE(o + 12);
      const [depth, colour, compression, filter, interlace] = png.subarray(o + 16, o + 21);
      if (depth !== 8 || (colour !== 6 && colour !== 2) || compression !== 0 || filter !== 0 || interlace !== 0) return null;
      channels = colour === 6 ? 4 : 3;
      if (!width || !height || width * height > DIRECT_MAX_PIXELS) return null;
    } else if (type === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + len));
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if (type === 'PLTE' || type === 'tRNS' || type === 'iCCP') return null; // a transparent colour, a colour profile: libvips knows how
    o = end;
  }
  if (!ended || !idat.length) return null;
  const scan = new InkScan(width, height, channels, enough);
  const ok = inflate === 'rows' ? streamInflate(idat, height * (width * channels + 1), scan) : null;
  return ok === null ? inflateWhole(idat, scan) : ok ? scan.result() : null;
}

/**
 * The inflate of the image data into a scratch buffer a few rows at a time, through one zlib stream reused by
 * every call (the reader is synchronous, so calls never interleave). Node has no public API to inflate into a
 * caller's buffer; this drives the stream's native handle the way zlib.inflateSync does internally
 * (`_handle.writeSync`, results in `_writeState`). null when that handle is not there (another Node version):
 * the caller then inflates the whole image at once, as before. false: the data is damaged, short or overlong.
 */
let rowInflate: { z: Inflate; failed: boolean } | null = null;
let scratch = Buffer.alloc(0);

function streamInflater(): { z: Inflate; failed: boolean } | null {
  if (rowInflate) return rowInflate;
  const z = createInflate() as Inflate & { _handle?: NativeZlib; _writeState?: Uint32Array };
  if (typeof z._handle?.writeSync !== 'function' || typeof z._handle.reset !== 'function' || !isUint32Array(z._writeState)) {
    z.close();
    return null;
  }
  const state = { z, failed: false };
  // the handle reports a data error by calling this (synchronously, inside writeSync); the stream object itself
  // is never written to, so nothing else listens
  z._handle.onerror = () => {
    state.failed = true;
  };
  return (rowInflate = state);
}

interface NativeZlib {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

function streamInflate(idat: Buffer[], expected: number, scan: InkScan): boolean | null {
  const inf = streamInflater();
  if (!inf) return null;
  const z = inf.z as Inflate & { _handle: NativeZlib; _writeState: Uint32Array };
  const handle = z._handle;
  const result = z._writeState; // [output space left, input left] after each writeSync
  const need = Math.max(64 * 1024, 2 * scan.rowLen);
  // kept for the next call up to 256 KB (rows of 32k RGBA pixels); an odd, very wide canvas gets its own
  if (scratch.length < need && need <= 256 * 1024) scratch = Buffer.allocUnsafe(need);
  const buf = scratch.length >= need ? scratch : Buffer.allocUnsafe(need);
  inf.failed = false;
  handle.reset();
  let held = 0; // bytes in buf not yet made into rows (less than one row)
  let total = 0;
  try {
    for (let k = 0; k < idat.length; k++) {
      const input = idat[k];
      // Z_FINISH on the last piece: a stream cut short is an error there, as in inflateSync
      const flush = k === idat.length - 1 ? zlibConstants.Z_FINISH : zlibConstants.Z_NO_FLUSH;
      let inOff = 0;
      let inLen = input.length;
      for (;;) {
        const space = buf.length - held;
        handle.writeSync(flush, input, inOff, inLen, buf, held, space);
        if (inf.failed) return false;
        const outLeft = result[0];
        const inLeft = result[1];
        const got = space - outLeft;
        total += got;
        if (total > expected) return false;
        inOff += inLen - inLeft;
        inLen = inLeft;
        const used = scan.rows(buf, held + got);
        if (used < 0) return false;
        held = held + got - used;
        if (used > 0 && held > 0) buf.copyWithin(0, used, used + held);
        if (outLeft !== 0) break; // this piece is used up (or the stream ended)
      }
    }
    return total === expected;
  } finally {
    if (inf.failed) {
      // a failed stream is not reused
      rowInflate = null;
      inf.z.close();
    }
  }
}

/** Where the stream handle is not there: inflate everything at once (one chunk of the expected size), then scan. */
function inflateWhole(idat: Buffer[], scan: InkScan): InkStats | null {
  const expected = scan.height * scan.rowLen;
  let data: Buffer;
  try {
    data = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), { maxOutputLength: expected + 1, chunkSize: Math.max(64, expected + 1) });
  } catch {
    return null;
  }
  if (data.length !== expected || scan.rows(data, data.length) !== expected) return null;
  return scan.result();
}

/** Zeros, grown to the longest row seen; InkScan compares rows with a view of it. */
let blankRow = new Uint8Array(0);

/**
 * Rows in, ink counted: each filtered scanline is unfiltered into `cur` against `prev` (the row above; zeros
 * above the first, as PNG defines), then scanned. Both row buffers are 4-byte aligned and padded with zeros so
 * RGBA pixels can be read as Int32 words: a fully transparent one is 0, opaque white −1, and four of those are
 * passed over with one OR and one AND. Once the ink so far meets the caller's target, later rows are not unfiltered
 * or scanned: only their filter byte is checked.
 */
class InkScan {
  readonly stride: number;
  readonly rowLen: number;
  private prev: Uint8Array;
  private cur: Uint8Array;
  private prevWords: Int32Array;
  private curWords: Int32Array;
  /** Zeros as long as a row buffer (never written). */
  private readonly blank: Uint8Array;
  private y = 0;
  private ink = 0;
  private minX: number;
  private minY: number;
  private maxX = -1;
  private maxY = -1;
  /** The target was met: the remaining rows are only checked, not counted. */
  private met = false;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: number,
    private readonly enough?: InkTarget,
  ) {
    this.stride = width * channels;
    this.rowLen = this.stride + 1;
    const padded = (this.stride + 15) & ~15;
    this.prev = new Uint8Array(padded);
    this.cur = new Uint8Array(padded);
    if (blankRow.length < padded) blankRow = new Uint8Array(padded);
    this.blank = blankRow.subarray(0, padded);
    this.prevWords = new Int32Array(this.prev.buffer);
    this.curWords = new Int32Array(this.cur.buffer);
    this.minX = width;
    this.minY = height;
  }

  /** Unfilters and scans every whole row at the start of buf[0, end); the bytes used, or −1 for an unknown filter. */
  rows(buf: Uint8Array, end: number): number {
    const { width, stride, rowLen, channels: ch } = this;
    const rgba = ch === 4;
    let r = 0;
    for (; r + rowLen <= end && this.y < this.height; r += rowLen, this.y++) {
      const ft = buf[r];
      if (ft > 4) return -1;
      if (this.met) continue;
      const cur = this.cur;
      const prev = this.prev;
      const s = r + 1;
      if (ft === 0) cur.set(buf.subarray(s, s + stride));
      else if (rgba) this.unfilterRgba(ft, buf, s);
      else this.unfilterBytes(ft, buf, s);
      const before = this.ink;
      // a fully transparent row (most of a signature pad) is told by one native compare
      if (rgba) {
        if (Buffer.compare(cur, this.blank) !== 0) this.scanRgba(cur, this.curWords, width);
      } else this.scanRgb(cur, width);
      if (this.ink !== before) {
        if (this.y < this.minY) this.minY = this.y;
        this.maxY = this.y;
        const t = this.enough;
        if (t && this.ink >= t.ink && this.maxX - this.minX + 1 >= t.w && this.maxY - this.minY + 1 >= t.h) this.met = true;
      }
      this.prev = cur;
      this.cur = prev;
      const words = this.prevWords;
      this.prevWords = this.curWords;
      this.curWords = words;
    }
    return r;
  }

  /** Filters 1–4, byte by byte (RGB). */
  private unfilterBytes(ft: number, buf: Uint8Array, s: number): void {
    const { cur, prev, stride, channels: ch } = this;
    if (ft === 1) {
      for (let i = 0; i < ch; i++) cur[i] = buf[s + i];
      for (let i = ch; i < stride; i++) cur[i] = (buf[s + i] + cur[i - ch]) & 255;
    } else if (ft === 2) {
      for (let i = 0; i < stride; i++) cur[i] = (buf[s + i] + prev[i]) & 255;
    } else if (ft === 3) {
      for (let i = 0; i < ch; i++) cur[i] = (buf[s + i] + (prev[i] >> 1)) & 255;
      for (let i = ch; i < stride; i++) cur[i] = (buf[s + i] + ((cur[i - ch] + prev[i]) >> 1)) & 255;
    } else {
      for (let i = 0; i < ch; i++) cur[i] = (buf[s + i] + prev[i]) & 255;
      for (let i = ch; i < stride; i++) cur[i] = (buf[s + i] + paeth(cur[i - ch], prev[i], prev[i - ch])) & 255;
    }
  }

  /**
   * Filters 1–4 on RGBA, a pixel (one Int32 word) at a time. Sub and Up add bytes, done four at once in the word
   * (no carry crosses a byte). Average and Paeth predict the left pixel itself when the left (a), upper (b) and
   * upper-left (c) neighbours agree — on a signature canvas almost everywhere — so a zero difference gives a and a
   * zero prediction gives the difference; other pixels go byte by byte.
   */
  private unfilterRgba(ft: number, buf: Uint8Array, s: number): void {
    const { cur, prev, curWords: cw, prevWords: pw, width } = this;
    if (ft === 1) {
      let a = 0;
      for (let x = 0; x < width; x++) cw[x] = a = addBytes(pixelAt(buf, s + (x << 2)), a);
      return;
    }
    if (ft === 2) {
      for (let x = 0; x < width; x++) cw[x] = addBytes(pixelAt(buf, s + (x << 2)), pw[x]);
      return;
    }
    for (let x = 0; x < width; x++) {
      const f = pixelAt(buf, s + (x << 2));
      const a = x > 0 ? cw[x - 1] : 0;
      const b = pw[x];
      if (a === b && (ft === 3 || b === (x > 0 ? pw[x - 1] : 0))) {
        cw[x] = addBytes(f, a);
        continue;
      }
      const o = x << 2;
      for (let k = o; k < o + 4; k++) {
        const l = k >= 4 ? cur[k - 4] : 0;
        const u = prev[k];
        cur[k] = (buf[s + k] + (ft === 3 ? (l + u) >> 1 : paeth(l, u, k >= 4 ? prev[k - 4] : 0))) & 255;
      }
    }
  }

  private scanRgba(row: Uint8Array, words: Int32Array, width: number): void {
    for (let x = 0; x < width; x += 4) {
      const w0 = words[x],
        w1 = words[x + 1],
        w2 = words[x + 2],
        w3 = words[x + 3];
      if ((w0 | w1 | w2 | w3) === 0 || (w0 & w1 & w2 & w3) === -1) continue; // transparent or white (padding is 0)
      const end = Math.min(x + 4, width);
      for (let p = x; p < end; p++) {
        const o = p << 2;
        const a = row[o + 3];
        if (a === 0) continue;
        const l = (54 * row[o] + 183 * row[o + 1] + 19 * row[o + 2]) >> 8;
        if (l * a + 255 * (255 - a) <= INK_LIMIT) this.mark(p);
      }
    }
  }

  private scanRgb(row: Uint8Array, width: number): void {
    for (let x = 0, o = 0; x < width; x++, o += 3) {
      const r = row[o],
        g = row[o + 1],
        b = row[o + 2];
      if ((r & g & b) === 255) continue; // white: paper
      if (((54 * r + 183 * g + 19 * b) >> 8) * 255 <= INK_LIMIT) this.mark(x);
    }
  }

  private mark(x: number): void {
    this.ink++;
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
  }

  result(): InkStats {
    const { width, height, ink, minX, minY, maxX, maxY } = this;
    return { width, height, ink, box: maxX < 0 ? { w: 0, h: 0 } : { w: maxX - minX + 1, h: maxY - minY + 1 } };
  }
}
