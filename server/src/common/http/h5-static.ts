/**
 * Serving the h5 build, and compressing what the API answers.
 *
 * Rural phones pay for every byte on slow 4G, so:
 * - static files are precompressed at build time (miniapp/scripts/precompress-h5.js writes `.br` and `.gz` beside
 *   each file); `express-static-gzip` picks the best one the client accepts (brotli first) — no CPU per request;
 * - hashed assets (`/js/…`, `/css/…`, `/static/…` carry a content hash in their name) are cached for a year and
 *   marked immutable; `index.html` (and anything unhashed) is revalidated on every load so a new release shows at once;
 * - API answers go through `compression` (brotli or gzip by Accept-Encoding) above a small threshold; file downloads
 *   that are already zips (xlsx, docx) or images are left alone by its content-type filter.
 */
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';
import expressStaticGzip from 'express-static-gzip';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** Names the h5 build gives its hashed files: `js/app.164ef845.js`, `css/app.164ef8456eeeed3974b2.css`, `static/…` */
const HASHED = /\/(js|css|static)\/[^/]*\.[0-9a-f]{8,}\.[a-z0-9]+$/i;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export function cacheControlFor(path: string): string {
  return HASHED.test(path.replace(/\.(br|gz)$/, '')) ? IMMUTABLE : REVALIDATE;
}

/** Answers up to this size that arrive whole (one `res.end(body)`: every JSON answer) are compressed in one call. */
export const ONE_SHOT_MAX = 256 * 1024;
const THRESHOLD = 1024;
const BROTLI_QUALITY = 4;

/**
 * API responses: brotli (quality 4: about gzip's speed, smaller output) or gzip, from 1 KB up.
 *
 * A JSON answer arrives whole, so it is compressed in one synchronous call and sent with its Content-Length. The
 * `compression` stream it went through before cost a ledger page ~0.25 ms of the event loop's time (stream plumbing,
 * a thread-pool hop per chunk, chunked framing) against 0.05–0.1 ms for the one-shot call (bench/RESULTS.md,
 * 2026-12-04 ledger). Anything else — bodies written in parts (downloads), large ones, an Accept-Encoding with
 * weights or wildcards, deflate only — still goes through `compression`, which makes the same choices as before.
 */
export function apiCompression(): RequestHandler {
  const filter = (req: Request, res: Response) => compression.filter(req, res);
  const streaming = compression({ threshold: THRESHOLD, brotli: { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } }, filter });
  return (req, res, next) =>
    streaming(req, res, (err?: unknown) => {
      if (err) return next(err);
      const end = res.end;
      const write = res.write;
      let parts = false;
      res.write = function (this: Response, ...args: unknown[]) {
        parts = true;
        return (write as (...a: unknown[]) => boolean).apply(this, args);
      } as Response['write'];
      res.end = function (this: Response, ...args: unknown[]) {
        const [chunk, encoding] = args;
        const method = parts || res.headersSent || chunk == null || typeof chunk === 'function' ? null : oneShotEncoding(req);
        if (method && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
          const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
          if (
            body.length >= THRESHOLD &&
            body.length <= ONE_SHOT_MAX &&
            req.method !== 'HEAD' &&
            !res.getHeader('Content-Encoding') &&
            filter(req, res) &&
            !/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(res.getHeader('Cache-Control') ?? ''))
          ) {
            const out =
              method === 'br'
                ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
                : gzipSync(body);
            res.vary('Accept-Encoding');
            res.setHeader('Content-Encoding', method);
            res.setHeader('Content-Length', out.length);
            // `compression` sees the answer already encoded and passes it through
            return (end as (...a: unknown[]) => Response).call(this, out, ...args.slice(1).filter((a) => typeof a === 'function'));
          }
        }
        return (end as (...a: unknown[]) => Response).apply(this, args);
      } as Response['end'];
      next();
    });
}

/**
 * br or gzip when the client's Accept-Encoding plainly lists it (no weights, no wildcard: `gzip, deflate, br`, what
 * phones and fetch send), brotli first as `compression` prefers it; null leaves the choice to `compression`.
 */
export function oneShotEncoding(req: Request): 'br' | 'gzip' | null {
  const h = req.headers['accept-encoding'];
  if (typeof h !== 'string' || /[;*]/.test(h)) return null;
  const codings = h.split(',').map((s) => s.trim().toLowerCase());
  return codings.includes('br') ? 'br' : codings.includes('gzip') ? 'gzip' : null;
}

/** Serves `dir` (the h5 build) with precompressed variants and the cache rules above. */
export function serveH5(app: { use(handler: RequestHandler): unknown }, dir: string): void {
  app.use(
    expressStaticGzip(dir, {
      enableBrotli: true,
      orderPreference: ['br', 'gz'],
      index: 'index.html',
      serveStatic: {
        index: 'index.html',
        setHeaders: (res, path) => res.setHeader('Cache-Control', cacheControlFor(path)),
      },
    }),
  );
}
