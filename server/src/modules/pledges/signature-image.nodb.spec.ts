/**
 * The one-pass PNG reader of the signature check (inkStatsDirect) counts exactly what the libvips path counts, on
 * every kind of PNG it reads (8-bit RGBA / RGB, each of the five scanline filters, any compression level, one or
 * many IDAT chunks), and hands everything else — grey, palette, 16-bit, interlaced, damaged — to libvips.
 */
import { BadRequestException, HttpException } from '@nestjs/common';
import { LIMITS } from '@xiangan/shared';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  assertSigned,
  decodeSignatureDataUrl,
  DIRECT_MAX_PIXELS,
  INK_ENOUGH,
  INK_MIN_PIXELS,
  type InkStats,
  inkStats,
  inkStatsDirect,
  inkStatsSharp,
} from './signature-image';
import { blankPng, dotPng, drawSignaturePng } from './signature-art';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Strokes in grey and colour, half-transparent edges, on a transparent or a white canvas. */
function strokesSvg(w: number, h: number, background: string | null): Buffer {
  const bg = background ? `<rect width="${w}" height="${h}" fill="${background}"/>` : '';
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${bg}` +
      `<path d="M 20 ${h / 2} Q ${w / 3} 10 ${w / 2} ${h / 2} T ${w - 20} ${h / 3}" fill="none" stroke="#222" stroke-width="7" stroke-linecap="round"/>` +
      `<path d="M 30 ${h - 30} L ${w - 40} 40" stroke="#3050c0" stroke-width="4" opacity="0.6"/>` +
      `<path d="M 60 40 L 90 ${h - 20}" stroke="#bbbbbb" stroke-width="9"/></svg>`,
  );
}

/** A chunk with its length and checksum. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An 8-bit PNG (RGBA or RGB) of noisy strokes whose rows use the scanline filters 0–4 in turn, encoded here
 * (libpng's own choice need not use them all), so each unfilter branch of the reader is exercised.
 */
function everyFilterPng(w: number, h: number, channels: 3 | 4): Buffer {
  const raw = Buffer.alloc(w * h * channels);
  let seed = 11;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      const stroke = Math.abs(y - h / 2 - Math.sin(x / 9) * (h / 3)) < 4;
      const v = stroke ? Math.floor(rnd() * 90) : 200 + Math.floor(rnd() * 56);
      raw[o] = v;
      raw[o + 1] = stroke ? v : (v + x) & 255;
      raw[o + 2] = stroke ? v + 10 : 255;
      if (channels === 4) raw[o + 3] = stroke ? 255 - Math.floor(rnd() * 60) : x % 5 === 0 ? 0 : Math.floor(rnd() * 256);
    }
  }
  const stride = w * channels;
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const ft = y % 5;
    const out = Buffer.alloc(stride + 1);
    out[0] = ft;
    for (let i = 0; i < stride; i++) {
      const cur = raw[y * stride + i];
      const a = i >= channels ? raw[y * stride + i - channels] : 0;
      const b = y > 0 ? raw[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? raw[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a),
        pb = Math.abs(p - b),
        pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][ft];
      out[1 + i] = (cur - pred) & 255;
    }
    rows.push(out);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** The PNG's chunk types in order. */
function chunkTypes(png: Buffer): string[] {
  const out: string[] = [];
  for (let o = 8; o + 8 <= png.length; o += 12 + png.readUInt32BE(o)) out.push(png.toString('latin1', o + 4, o + 8));
  return out;
}

/** The same PNG with its image data split over several IDAT chunks (as some encoders write it). */
function splitIdat(png: Buffer, parts: number): Buffer {
  const before: Buffer[] = [png.subarray(0, 8)];
  const idat: Buffer[] = [];
  let rest = png.length;
  for (let o = 8; o < png.length; o += 12 + png.readUInt32BE(o)) {
    const type = png.toString('latin1', o + 4, o + 8);
    if (type === 'IDAT') idat.push(png.subarray(o + 8, o + 8 + png.readUInt32BE(o)));
    else if (!idat.length) before.push(png.subarray(o, o + 12 + png.readUInt32BE(o)));
    else {
      rest = o;
      break;
    }
  }
  const data = Buffer.concat(idat);
  const step = Math.ceil(data.length / parts);
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += step) pieces.push(chunk('IDAT', data.subarray(i, i + step)));
  return Buffer.concat([...before, ...pieces, png.subarray(rest)]);
}

describe('signature ink check: the one-pass PNG reader', () => {
  it('counts what libvips counts on 8-bit RGBA and RGB, every filter and compression level', async () => {
    const cases: [string, Buffer][] = [
      ['drawn signature', await drawSignaturePng(3)],
      ['drawn signature, wide', await drawSignaturePng(8, 1000, 400)],
      ['dot', await dotPng()],
      ['blank', await blankPng()],
      [
        'strokes on transparent, level 0',
        await sharp(strokesSvg(500, 200, null))
          .png({ compressionLevel: 0 })
          .toBuffer(),
      ],
      [
        'strokes on transparent, adaptive filters',
        await sharp(strokesSvg(500, 200, null))
          .png({ adaptiveFiltering: true, compressionLevel: 9 })
          .toBuffer(),
      ],
      [
        'strokes on white RGB',
        await sharp(strokesSvg(480, 220, '#ffffff'))
          .removeAlpha()
          .png({ adaptiveFiltering: true })
          .toBuffer(),
      ],
      [
        'strokes on a grey RGB background',
        await sharp(strokesSvg(300, 120, '#c8c8c8'))
          .removeAlpha()
          .png()
          .toBuffer(),
      ],
      ['noisy strokes, RGBA, every filter', everyFilterPng(257, 61, 4)],
      ['noisy strokes, RGB, every filter', everyFilterPng(203, 57, 3)],
    ];
    for (const [name, png] of cases) {
      const direct = inkStatsDirect(png);
      expect({ name, direct: direct !== null }).toEqual({ name, direct: true });
      expect({ name, stats: direct }).toEqual({ name, stats: await inkStatsSharp(png) });
      const split = splitIdat(png, 3);
      expect(chunkTypes(split).filter((t) => t === 'IDAT').length).toBeGreaterThanOrEqual(2);
      expect({ name, split: inkStatsDirect(split) }).toEqual({ name, split: direct });
      // the fallback where node's zlib handle is missing (whole-image inflate) counts the same
      expect({ name, whole: inkStatsDirect(png, 'whole') }).toEqual({ name, whole: direct });
      expect({ name, wholeSplit: inkStatsDirect(split, 'whole') }).toEqual({ name, wholeSplit: direct });
    }
  });

  it('leaves grey, palette, 16-bit and interlaced PNGs to libvips, with the same answer as before', async () => {
    const svg = strokesSvg(400, 160, null);
    const others: [string, Buffer][] = [
      ['grey + alpha', await sharp(svg).toColourspace('b-w').png().toBuffer()],
      ['grey', await sharp(svg).flatten({ background: '#ffffff' }).toColourspace('b-w').png().toBuffer()],
      ['palette', await sharp(svg).png({ palette: true }).toBuffer()],
      ['16-bit', await sharp(svg).toColourspace('rgb16').png().toBuffer()],
      ['interlaced', await sharp(svg).png({ progressive: true }).toBuffer()],
    ];
    for (const [name, png] of others) {
      expect({ name, direct: inkStatsDirect(png) }).toEqual({ name, direct: null });
      expect({ name, stats: await inkStats(png) }).toEqual({ name, stats: await inkStatsSharp(png) });
    }
  });

  it('leaves a canvas larger than full HD to libvips on the thread pool, with the same answer (no 64 MB inflate on the event loop)', async () => {
    expect(DIRECT_MAX_PIXELS).toBeLessThan(4096 * 4096);
    const atCap = await sharp(strokesSvg(1920, 1080, '#ffffff'))
      .png()
      .toBuffer();
    const over = await sharp(strokesSvg(1921, 1080, '#ffffff'))
      .png()
      .toBuffer();
    expect(inkStatsDirect(atCap)).not.toBeNull();
    expect(inkStatsDirect(over)).toBeNull();
    expect(await inkStats(over)).toEqual(await inkStatsSharp(over));
    expect((await inkStats(over)).ink).toBeGreaterThan(INK_MIN_PIXELS);
  });

  it('refuses a damaged PNG as before (a bad checksum, cut short)', async () => {
    const png = await drawSignaturePng(5);
    const idatStart = png.indexOf(Buffer.from('IDAT', 'latin1'));
    const badCrc = Buffer.from(png);
    badCrc[idatStart + 4 + png.readUInt32BE(idatStart - 4) + 1] ^= 0xff;
    const cut = png.subarray(0, Math.floor(png.length * 0.6));
    for (const bad of [badCrc, cut]) {
      expect(inkStatsDirect(bad)).toBeNull();
      expect(inkStatsDirect(bad, 'whole')).toBeNull();
      const err = await assertSigned('signatures.guardian', '监护人', bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestException);
      expect((err as BadRequestException).getResponse()).toMatchObject({
        message: ['监护人签名图片无法读取，请重新签名'],
        fields: [{ field: 'signatures.guardian', message: '监护人签名图片无法读取，请重新签名' }],
      });
    }
  });

  /** A PNG of the given rows (filter byte + pixels each) whose zlib stream is `deflated` as given, with valid CRCs. */
  function pngOf(w: number, h: number, deflated: Buffer): Buffer {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(w, 0);
    ihdr.writeUInt32BE(h, 4);
    ihdr[8] = 8;
    ihdr[9] = 6;
    return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflated), chunk('IEND', Buffer.alloc(0))]);
  }

  it('refuses image data that is short, overlong or corrupt inside intact chunks, and reads the next PNG as before', async () => {
    const w = 120,
      h = 60;
    const rows = Buffer.alloc(h * (w * 4 + 1)); // filter 0, transparent
    for (let y = 20; y < 40; y++) for (let x = 10; x < 110; x++) rows.writeUInt32BE(0x101010ff, y * (w * 4 + 1) + 1 + x * 4);
    const good = pngOf(w, h, deflateSync(rows));
    const stats = inkStatsDirect(good);
    expect(stats).toEqual({ width: w, height: h, ink: 2000, box: { w: 100, h: 20 } });
    expect(stats).toEqual(await inkStatsSharp(good));
    const deflated = deflateSync(rows);
    const corrupt = Buffer.from(deflated);
    corrupt[corrupt.length - 2] ^= 0x55; // the Adler-32 at the end of the stream
    const bad: [string, Buffer][] = [
      ['one row short', pngOf(w, h, deflateSync(rows.subarray(0, rows.length - (w * 4 + 1))))],
      ['one byte over', pngOf(w, h, deflateSync(Buffer.concat([rows, Buffer.from([0])])))],
      ['stream cut short', pngOf(w, h, deflated.subarray(0, deflated.length - 9))],
      ['checksum of the stream wrong', pngOf(w, h, corrupt)],
      ['unknown filter', pngOf(w, h, deflateSync(Buffer.concat([Buffer.from([7]), rows.subarray(1)])))],
    ];
    for (const [name, png] of bad) {
      expect({ name, direct: inkStatsDirect(png) }).toEqual({ name, direct: null });
      // after each refusal the reader still reads a good PNG (its zlib stream is reset or replaced)
      expect({ name, after: inkStatsDirect(good) }).toEqual({ name, after: stats });
    }
  });

  it('stops counting once the strokes meet what the check needs, and still refuses image data damaged after that point', async () => {
    const w = 120,
      h = 60;
    const rows = Buffer.alloc(h * (w * 4 + 1)); // filter 0, transparent; ink in rows 20–39, columns 10–109
    for (let y = 20; y < 40; y++) for (let x = 10; x < 110; x++) rows.writeUInt32BE(0x101010ff, y * (w * 4 + 1) + 1 + x * 4);
    const good = pngOf(w, h, deflateSync(rows));
    expect(inkStatsDirect(good)).toEqual({ width: w, height: h, ink: 2000, box: { w: 100, h: 20 } });
    // 150 pixels in a 40 × 12 box: met on row 31 (12 rows of 100), the rows after it are not counted
    const met = { width: w, height: h, ink: 1200, box: { w: 100, h: 12 } };
    expect(inkStatsDirect(good, 'rows', INK_ENOUGH)).toEqual(met);
    expect(inkStatsDirect(good, 'whole', INK_ENOUGH)).toEqual(met);
    expect(inkStatsDirect(splitIdat(good, 4), 'rows', INK_ENOUGH)).toEqual(met);
    expect(await inkStats(good, INK_ENOUGH)).toEqual(met);
    await expect(assertSigned('signatures.guardian', '监护人', good)).resolves.toEqual(met);

    const meets = (s: InkStats | null) => !!s && s.ink >= INK_ENOUGH.ink && s.box.w >= INK_ENOUGH.w && s.box.h >= INK_ENOUGH.h;
    // damage in the rows after the target was met is still found: the stream is inflated and every filter byte read
    const deflated = deflateSync(rows);
    const corrupt = Buffer.from(deflated);
    corrupt[corrupt.length - 2] ^= 0x55;
    const unknownFilter = Buffer.from(rows);
    unknownFilter[50 * (w * 4 + 1)] = 5;
    const bad: [string, Buffer][] = [
      ['unknown filter on row 50', pngOf(w, h, deflateSync(unknownFilter))],
      ['one row short', pngOf(w, h, deflateSync(rows.subarray(0, rows.length - (w * 4 + 1))))],
      ['one byte over', pngOf(w, h, deflateSync(Buffer.concat([rows, Buffer.from([0])])))],
      ['stream cut short', pngOf(w, h, deflated.subarray(0, deflated.length - 9))],
      ['checksum of the stream wrong', pngOf(w, h, corrupt)],
    ];
    for (const [name, png] of bad) {
      for (const inflate of ['rows', 'whole'] as const)
        expect({ name, inflate, direct: inkStatsDirect(png, inflate, INK_ENOUGH) }).toEqual({ name, inflate, direct: null });
      // and assertSigned answers as libvips reads it (as before: what the one-pass reader does not take goes there)
      const vips = await inkStatsSharp(png).catch(() => null);
      const err = await assertSigned('signatures.guardian', '监护人', png).then(
        () => null,
        (e: unknown) => e,
      );
      expect({ name, refused: err instanceof BadRequestException }).toEqual({ name, refused: !meets(vips) });
    }

    // on real drawings: what does not meet the target is counted in full (the same refusal); what does, meets it either way
    const drawings: [string, Buffer][] = [
      ['drawn signature', await drawSignaturePng(6, 1000, 400)],
      ['dot', await dotPng()],
      ['blank', await blankPng()],
      ['noisy strokes, RGBA, every filter', everyFilterPng(257, 61, 4)],
      ['noisy strokes, RGB, every filter', everyFilterPng(203, 57, 3)],
      [
        'short dash',
        await sharp(
          Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><path d="M 40 60 L 200 60" stroke="#111" stroke-width="6"/></svg>'),
        )
          .png()
          .toBuffer(),
      ],
    ];
    let stoppedEarly = 0;
    for (const [name, png] of drawings) {
      const full = inkStatsDirect(png);
      const early = inkStatsDirect(png, 'rows', INK_ENOUGH);
      expect({ name, meets: meets(early) }).toEqual({ name, meets: meets(full) });
      if (!meets(full)) expect({ name, early }).toEqual({ name, early: full });
      else if (early!.ink < full!.ink) stoppedEarly++;
    }
    expect(stoppedEarly).toBeGreaterThanOrEqual(2);
  });

  it('reads canvases whose rows outgrow the scratch buffer (one kept, one of its own) as libvips does', async () => {
    const wide: [string, Buffer][] = [
      // 36 kB rows: two do not fit the 64 KB default
      [
        '9000 × 60',
        await sharp(strokesSvg(9000, 60, null))
          .png({ adaptiveFiltering: true })
          .toBuffer(),
      ],
      // 132 kB rows, every filter: over what the reader keeps between calls
      ['33000 × 8', everyFilterPng(33000, 8, 4)],
    ];
    for (const [name, png] of wide) {
      const direct = inkStatsDirect(png);
      expect({ name, direct: direct !== null }).toEqual({ name, direct: true });
      expect({ name, stats: direct }).toEqual({ name, stats: await inkStatsSharp(png) });
    }
    const small = await drawSignaturePng(2);
    expect(inkStatsDirect(small)).toEqual(await inkStatsSharp(small));
  });

  it('never holds the whole pixel buffer: reading a 1000×400 signature allocates far less than its 1.6 MB of pixels', async () => {
    const png = await drawSignaturePng(4, 1000, 400);
    const first = inkStatsDirect(png); // warm: the reader's scratch buffer is made once
    expect(first).toEqual(await inkStatsSharp(png));
    const grown: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = process.memoryUsage().arrayBuffers;
      expect(inkStatsDirect(png)).toEqual(first);
      grown.push(process.memoryUsage().arrayBuffers - before);
    }
    // the old reader inflated all 1000 × 400 × 4 + 400 bytes into one buffer per call
    expect(Math.min(...grown)).toBeLessThan(256 * 1024);
  });
});

describe('signature data URL: base64 decided without a scan where it can be, as the regex decided', () => {
  /** What decodeSignatureDataUrl did before: one regex over the whole text, then the size, then the decode. */
  const before = (dataUrl: string): string => {
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl.slice(0, 40).includes('base64,') ? dataUrl : '');
    if (!m) return '415';
    if (m[1].length > Math.ceil((LIMITS.signatureMaxBytes * 4) / 3) + 8) return '413';
    const buf = Buffer.from(m[1], 'base64');
    if (buf.length > LIMITS.signatureMaxBytes) return '413';
    if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) return '415 not png';
    return buf.toString('hex');
  };
  const now = (dataUrl: string): string => {
    try {
      return decodeSignatureDataUrl('signatures.guardian', dataUrl).toString('hex');
    } catch (e) {
      const status = (e as HttpException).getStatus();
      return status === 415 && /不是 PNG/.test((e as Error).message) ? '415 not png' : String(status);
    }
  };

  it('gives the same answer on a drawn signature and on texts made to trip the shortcut', async () => {
    const png = await drawSignaturePng(1);
    const b64 = png.toString('base64');
    const cases = [
      b64,
      b64.replace(/=+$/, ''), // no padding
      b64.slice(0, 76) + '\n' + b64.slice(76), // a line break
      b64.slice(0, 40) + ' ' + b64.slice(40, -1), // a blank, the quads still whole
      b64.slice(0, 40) + '!' + b64.slice(41), // not base64
      b64.slice(0, 40) + '-' + b64.slice(41), // the URL-safe alphabet
      b64.slice(0, 40) + '_' + b64.slice(41),
      b64.slice(0, 40) + '=' + b64.slice(41), // padding inside
      b64.slice(0, 40) + '中' + b64.slice(41),
      b64.slice(0, 40) + '\u00e9' + b64.slice(41),
      'QUJDREVGR0g=', // base64, not a PNG
      '',
      '====',
      'A'.repeat(Math.ceil((LIMITS.signatureMaxBytes * 4) / 3) + 12), // too big
      '!'.repeat(Math.ceil((LIMITS.signatureMaxBytes * 4) / 3) + 12), // too big, and not base64
    ];
    for (const c of cases) expect([c.slice(0, 50), now(`data:image/png;base64,${c}`)]).toEqual([c.slice(0, 50), before(`data:image/png;base64,${c}`)]);
    expect(now('data:image/jpeg;base64,' + b64)).toBe('415');
    expect(now(' data:image/png;base64,' + b64)).toBe(before(' data:image/png;base64,' + b64));
  });

  it('gives the same answer on 3,000 texts of a signature with characters changed at random', async () => {
    const b64 = (await drawSignaturePng(2)).toString('base64');
    const alphabet = 'ABCxyz019+/=-_ \n\t!.中\u00ff\u0000';
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    let shortcut = 0;
    for (let i = 0; i < 3000; i++) {
      const chars = b64.split('');
      for (let k = rnd(3) + 1; k > 0; k--) {
        const at = rnd(chars.length);
        const op = rnd(3);
        if (op === 0) chars[at] = alphabet[rnd(alphabet.length)];
        else if (op === 1) chars.splice(at, 0, alphabet[rnd(alphabet.length)]);
        else chars.splice(at, 1);
      }
      const url = `data:image/png;base64,${chars.join('')}`;
      const answer = now(url);
      expect(answer).toBe(before(url));
      if (answer.length > 20) shortcut++;
    }
    expect(shortcut).toBeGreaterThan(100); // changed characters still inside the alphabet decode as before
  });
});
