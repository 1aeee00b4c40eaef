/**
 * API answers compressed by apiCompression(): a JSON answer arriving whole goes out brotli or gzip (by the client's
 * Accept-Encoding) with its Content-Length, decoding to exactly what was sent; small answers, HEAD, no-transform,
 * weighted or deflate-only Accept-Encoding and bodies written in parts keep the streaming middleware's behaviour.
 */
import express from 'express';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { apiCompression } from './h5-static';

const big = { items: Array.from({ length: 40 }, (_, i) => ({ id: i, description: `隐患 ${i}：村道急弯无警示标志，需设置反光镜`, status: 'rectifying' })) };
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(apiCompression());
  app.get('/big', (_req, res) => {
    res.json(big);
  });
  app.get('/small', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/no-transform', (_req, res) => {
    res.setHeader('Cache-Control', 'no-transform');
    res.json(big);
  });
  app.get('/parts', (_req, res) => {
    res.type('json');
    const s = JSON.stringify(big);
    res.write(s.slice(0, 500));
    res.end(s.slice(500));
  });
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

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

it('leaves the rest to the streaming middleware, as before', async () => {
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
  // weights and deflate only: compression's own negotiation
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
