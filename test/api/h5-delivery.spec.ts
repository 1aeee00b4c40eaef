/**
 * What a phone on slow 4G downloads: the built h5 and the API answers go out compressed (brotli, else gzip, by the
 * client's Accept-Encoding), hashed assets are cached for a year and never revalidated, index.html is revalidated
 * on every load, the component library is one shared chunk rather than a copy in every page, and pinch zoom works.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { H5_DIR, RunningServer, startServer } from '../support/server';

let srv: RunningServer;
beforeAll(async () => (srv = await startServer()));
afterAll(() => srv?.stop());

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain node:http GET: no automatic Accept-Encoding and no automatic decompression. */
function get(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${srv.baseUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const assetsOf = (html: string) => [...html.matchAll(/(?:src|href)="(\/(?:js|css)\/[^"]+)"/g)].map((m) => m[1]);

test('index.html: brotli for a client that accepts it, revalidated on every load; zoom allowed', async () => {
  const r = await get('/', { 'accept-encoding': 'gzip, deflate, br' });
  expect(r.status).toBe(200);
  expect(r.headers['content-encoding']).toBe('br');
  expect(r.headers['cache-control']).toBe('no-cache');
  expect(r.headers.vary).toMatch(/Accept-Encoding/i);
  const html = brotliDecompressSync(r.body).toString();
  const viewport = /<meta content="([^"]+)" name="viewport">/.exec(html)?.[1] ?? '';
  expect(viewport).toContain('width=device-width');
  expect(viewport).not.toMatch(/user-scalable=no|maximum-scale=1(\D|$)/);
  expect(assetsOf(html).length).toBeGreaterThan(0);
});

test('hashed js and css: precompressed, cached for a year, immutable; gzip for a gzip-only client; plain otherwise', async () => {
  const html = readFileSync(join(H5_DIR, 'index.html'), 'utf8');
  for (const asset of assetsOf(html)) {
    const plain = readFileSync(join(H5_DIR, asset));
    const br = await get(asset, { 'accept-encoding': 'br, gzip' });
    expect({ asset, enc: br.headers['content-encoding'], cc: br.headers['cache-control'] }).toEqual({
      asset,
      enc: 'br',
      cc: 'public, max-age=31536000, immutable',
    });
    expect(br.headers['content-type']).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript/);
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.length * 0.5);

    const gz = await get(asset, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);

    const none = await get(asset);
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.equals(plain)).toBe(true);
  }
});

test('API JSON is compressed by Accept-Encoding (brotli, else gzip), small answers are not', async () => {
  const login = await fetch(`${srv.baseUrl}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ openid: 'demo-town' }),
  });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  const br = await get('/api/hazards?pageSize=50', { ...auth, 'accept-encoding': 'gzip, br' });
  expect(br.status).toBe(200);
  expect(br.headers['content-encoding']).toBe('br');
  const list = JSON.parse(brotliDecompressSync(br.body).toString());
  expect(list.items.length).toBeGreaterThan(0);

  const gz = await get('/api/hazards?pageSize=50', { ...auth, 'accept-encoding': 'gzip' });
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(JSON.parse(gunzipSync(gz.body).toString()).total).toBe(list.total);

  const health = await get('/api/health', { 'accept-encoding': 'br' });
  expect(health.headers['content-encoding']).toBeUndefined(); // under 1 KB: a header costs more than it saves
});

test('the component library is one shared chunk, not a copy in every page chunk', () => {
  const js = readdirSync(join(H5_DIR, 'js')).filter((f) => f.endsWith('.js'));
  // every Taro component registers its custom element tag in the library's code; count the files that carry it
  const carriers = js.filter((f) => readFileSync(join(H5_DIR, 'js', f), 'utf8').includes('taro-button-core'));
  expect(carriers.length).toBe(1);
  expect(carriers[0]).toMatch(/^taro-components\./);
});
