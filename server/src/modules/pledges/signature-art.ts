import sharp from 'sharp';

/**
 * A hand-signature-like PNG (strokes on a transparent canvas) for the demo seed, tests and the bench.
 * `variant` moves the strokes so different signers get different bytes.
 */
export async function drawSignaturePng(variant = 0, width = 600, height = 240): Promise<Buffer> {
  const r = (i: number) => (((Math.sin(variant * 12.9898 + i * 78.233) * 43758.5453) % 1) + 1) % 1;
  const pts: string[] = [];
  let x = 40;
  for (let i = 0; i < 14; i++) {
    x += 25 + r(i) * 15;
    const y = height / 2 + (r(i + 50) - 0.5) * height * 0.6;
    pts.push(`${i === 0 ? 'M' : 'Q'} ${x.toFixed(1)} ${y.toFixed(1)}${i === 0 ? '' : ` ${(x + 12).toFixed(1)} ${(y + (r(i + 9) - 0.5) * 60).toFixed(1)}`}`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><path d="${pts.join(' ')}" fill="none" stroke="#111" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** An empty canvas of the same size (what a phone sends when nobody drew). */
export async function blankPng(width = 600, height = 240): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } })
    .png()
    .toBuffer();
}

/** A canvas with only a dot (a stray tap). */
export async function dotPng(width = 600, height = 240): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="300" cy="120" r="4" fill="#000"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export const pngDataUrl = (b: Buffer) => `data:image/png;base64,${b.toString('base64')}`;

/** Seeded signatures share a few generated images under these keys; they are drawn on first read. */
export const SEED_SIGNATURE_PREFIX = 'pledges/seed/signature-';

/** Reads a stored signature PNG; seed images are (re)drawn and stored the first time they are missing. */
export async function readSignatureImage(
  storage: { get(k: string): Promise<Buffer>; put(k: string, b: Buffer, t: string): Promise<void> },
  key: string,
): Promise<Buffer> {
  try {
    return await storage.get(key);
  } catch (err) {
    const m = key.startsWith(SEED_SIGNATURE_PREFIX) ? /(\d+)\.png$/.exec(key) : null;
    if (!m) throw err;
    const png = await drawSignaturePng(Number(m[1]));
    await storage.put(key, png, 'image/png');
    return png;
  }
}
