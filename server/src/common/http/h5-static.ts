/**
 * Serving the h5 build, and compressing what the API answers.
 *
 * Rural phones pay for every byte on slow 4G, so:
 * - static files are precompressed at build time (miniapp/scripts/precompress-h5.js writes `.br` and `.gz` beside
 *   each file); `@fastify/static` (`preCompressed`) picks the best one the client accepts (brotli first) — no CPU
 *   per request;
 * - hashed assets (`/js/…`, `/css/…`, `/static/…` carry a content hash in their name) are cached for a year and
 *   marked immutable; `index.html` (and anything unhashed) is revalidated on every load so a new release shows at once;
 * - API answers are compressed (brotli or gzip by Accept-Encoding) above a small threshold; file downloads that are
 *   already zips (xlsx, docx) or images are left alone by the content-type filter (`compressible`).
 */
import fastifyStatic from '@fastify/static';
import compressible from 'compressible';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import {
  brotliCompress,
  brotliCompressSync,
  constants as zlib,
  createBrotliCompress,
  createDeflate,
  createGzip,
  deflate,
  deflateSync,
  gzip,
  gzipSync,
} from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';

/** Names the h5 build gives its hashed files: `js/app.164ef845.js`, `css/app.164ef8456eeeed3974b2.css`, `static/…` */
const HASHED = /\/(js|css|static)\/[^/]*\.[0-9a-f]{8,}\.[a-z0-9]+$/i;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export function cacheControlFor(path: string): string {
  return HASHED.test(path.replace(/\.(br|gz)$/, '')) ? IMMUTABLE : REVALIDATE;
}

/** Answers up to this size that arrive whole (every JSON answer) are compressed in one synchronous call. */
export const ONE_SHOT_MAX = 256 * 1024;
const THRESHOLD = 1024;
const BROTLI_QUALITY = 4;
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } };
/**
 * Whole answers up to ONE_SHOT_MAX (every JSON page) at quality 3: each call sets up a new encoder, whose quality-4
 * hasher clears a 512 KB table (quality 3: 256 KB); with caches cold between requests, as on a busy server, a
 * 13.6 KB feed page cost ~0.32 ms of CPU at quality 4 and ~0.18 ms at quality 3, for 2–5 % more bytes (2,962 → 3,017 B; a ledger page 2,048 → 2,141 B) — bench/RESULTS.md,
 * "Reads: CPU per request". Larger answers and streams keep quality 4.
 */
export const ONE_SHOT_BROTLI_QUALITY = 3;

type Method = 'br' | 'gzip' | 'deflate';

/** Content-Type worth compressing (text, JSON, SVG…; not zips, images, PDFs). */
function compressibleType(reply: FastifyReply): boolean {
  const type = reply.getHeader('content-type');
  return typeof type === 'string' && !!compressible(type);
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  if (vary === undefined) return void reply.header('Vary', 'Accept-Encoding');
  const s = String(vary);
  if (s.trim() === '*' || /(?:^|,)\s*accept-encoding\s*(?:,|$)/i.test(s)) return;
  reply.header('Vary', `${s}, Accept-Encoding`);
}

/**
 * br or gzip when the client's Accept-Encoding plainly lists it (no weights, no wildcard: `gzip, deflate, br`, what
 * phones and fetch send), brotli first; anything else goes through the full negotiation (weights, deflate).
 */
export function oneShotEncoding(req: { headers: Record<string, string | string[] | undefined> }): 'br' | 'gzip' | null {
  const h = req.headers['accept-encoding'];
  if (typeof h !== 'string' || /[;*]/.test(h)) return null;
  const codings = h.split(',').map((s) => s.trim().toLowerCase());
  return codings.includes('br') ? 'br' : codings.includes('gzip') ? 'gzip' : null;
}

function negotiate(req: FastifyRequest): Method | null {
  const simple = oneShotEncoding(req);
  if (simple) return simple;
  if (!req.headers['accept-encoding']) return null;
  // negotiator 1.x takes the preference as an option (its types still describe 0.6)
  const n = new Negotiator(req.raw) as unknown as { encoding(available: string[], opts: { preferred: string[] }): string | undefined };
  const m = n.encoding(['br', 'gzip', 'deflate', 'identity'], { preferred: ['br', 'gzip'] });
  return m === 'br' || m === 'gzip' || m === 'deflate' ? m : null;
}

function compressSync(method: Method, body: Buffer): Buffer {
  if (method === 'br')
    return brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: ONE_SHOT_BROTLI_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } });
  return method === 'gzip' ? gzipSync(body) : deflateSync(body);
}

function compressAsync(method: Method, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out));
    if (method === 'br') brotliCompress(body, BROTLI, cb);
    else if (method === 'gzip') gzip(body, cb);
    else deflate(body, cb);
  });
}

/**
 * API responses: brotli (quality 3 for a whole answer up to 256 KB, else 4: about gzip's speed and size) or gzip,
 * from 1 KB up, as an `onSend` hook.
 *
 * A JSON answer arrives whole, so it is compressed in one call and sent with its Content-Length (one synchronous call
 * up to 256 KB — a stream here cost a ledger page ~0.25 ms of the event loop against 0.05–0.1 ms, bench/RESULTS.md
 * 2026-12-04 ledger). A body that arrives as a stream (downloads written in parts) goes through a zlib stream.
 * Not compressed: small answers, HEAD, `Cache-Control: no-transform`, an answer already encoded, types that do not
 * compress; an Accept-Encoding with weights or wildcards is negotiated in full (deflate too).
 */
export function apiCompression(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (payload == null || !compressibleType(reply)) return payload;
    if (/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(reply.getHeader('cache-control') ?? ''))) return payload;
    addVary(reply);
    const stream = typeof (payload as Readable).pipe === 'function' ? (payload as Readable) : null;
    if (!stream && typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const length = stream ? Number(reply.getHeader('content-length') ?? NaN) : Buffer.byteLength(payload as string | Buffer);
    if (length < THRESHOLD) return payload;
    const encoding = reply.getHeader('content-encoding');
    if (encoding !== undefined && encoding !== 'identity') return payload;
    if (req.method === 'HEAD') return payload;
    const method = negotiate(req);
    if (!method) return payload;
    reply.header('Content-Encoding', method);
    if (stream) {
      reply.removeHeader('content-length');
      const z = method === 'br' ? createBrotliCompress(BROTLI) : method === 'gzip' ? createGzip() : createDeflate();
      return pipeline(stream, z, () => undefined);
    }
    const body = typeof payload === 'string' ? Buffer.from(payload) : (payload as Buffer);
    const out = body.length <= ONE_SHOT_MAX ? compressSync(method, body) : await compressAsync(method, body);
    reply.header('Content-Length', out.length);
    return out;
  });
}

/** Serves `dir` (the h5 build) on `/` with precompressed variants and the cache rules above. */
export async function serveH5(fastify: FastifyInstance, dir: string): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // `/` is its own route below: @fastify/static 9 answers 404 to `/` when the client accepts a precompressed variant
    index: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (res, path) => res.setHeader('Cache-Control', cacheControlFor(path)),
  });
  fastify.get('/', (_req, reply) => reply.sendFile('index.html'));
}
