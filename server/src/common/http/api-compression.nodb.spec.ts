/**
 * API answers compressed by apiCompression() (an onSend hook): a JSON answer arriving whole goes out brotli or gzip
 * (by the client's Accept-Encoding) with its Content-Length, decoding to exactly what was sent; small answers, HEAD,
 * no-transform keep it plain; weighted or deflate-only Accept-Encoding are negotiated in full; bodies sent as a
 * stream go out compressed in parts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { apiCompression } from './h5-static';

const big = { items: Array.from({ length: 40 }, (_, i) => ({ id: i, description: `隐患 ${i}：村道急弯无警示标志，需设置反光镜`, status: 'rectifying' })) };
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify();
  apiCompression(app);
  app.get('/big', async () => big);
  app.get('/small', async () => ({ ok: true }));
  app.get('/no-transform', async (_req, reply) => {
    reply.header('Cache-Control', 'no-transform');
    return big;
  });
  app.get('/parts', (_req, reply) => {
    const s = JSON.stringify(big);
    reply.type('application/json; charset=utf-8').send(Readable.from([s.slice(0, 500), s.slice(500)]));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

function get(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const json = JSON.stringify(big);

it('sends a JSON answer brotli or gzip in one piece, with its length, decoding to the same JSON', async () => {
  for (const [accept, enc, decode] of [
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['gzip, br', 'br', brotliDecompressSync],
    ['gzip, deflate', 'gzip', gunzipSync],
    ['gzip', 'gzip', gunzipSync],
  ] as const) {
    const r = await get('/big', { 'accept-encoding': accept });
    expect({ accept, enc: r.headers['content-encoding'], vary: r.headers.vary }).toEqual({ accept, enc, vary: 'Accept-Encoding' });
    expect(r.headers['content-length']).toBe(String(r.body.length));
    expect(r.headers['transfer-encoding']).toBeUndefined();
    expect(r.body.length).toBeLessThan(json.length / 3);
    expect(decode(r.body).toString()).toBe(json);
  }
});

it('leaves small, HEAD and no-transform answers plain; weights and deflate negotiated; a stream compressed in parts', async () => {
  const none = await get('/big', {});
  expect(none.headers['content-encoding']).toBeUndefined();
  expect(none.body.toString()).toBe(json);
  const small = await get('/small', { 'accept-encoding': 'gzip, br' });
  expect(small.headers['content-encoding']).toBeUndefined();
  expect(small.body.toString()).toBe('{"ok":true}');
  const head = await get('/big', { 'accept-encoding': 'gzip' }, 'HEAD');
  expect(head.headers['content-encoding']).toBeUndefined();
  const noTransform = await get('/no-transform', { 'accept-encoding': 'gzip' });
  expect(noTransform.headers['content-encoding']).toBeUndefined();
  expect(noTransform.body.toString()).toBe(json);
  // weights and deflate only: the full negotiation
  const weighted = await get('/big', { 'accept-encoding': 'br;q=0.1, gzip;q=1' });
  expect(weighted.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(weighted.body).toString()).toBe(json);
  const deflate = await get('/big', { 'accept-encoding': 'deflate' });
  expect(deflate.headers['content-encoding']).toBe('deflate');
  expect(inflateSync(deflate.body).toString()).toBe(json);
  const parts = await get('/parts', { 'accept-encoding': 'gzip' });
  expect(parts.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(parts.body).toString()).toBe(json);
});
