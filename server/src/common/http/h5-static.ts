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
import { constants as zlib } from 'node:zlib';

/** Names the h5 build gives its hashed files: `js/app.164ef845.js`, `css/app.164ef8456eeeed3974b2.css`, `static/…` */
const HASHED = /\/(js|css|static)\/[^/]*\.[0-9a-f]{8,}\.[a-z0-9]+$/i;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export function cacheControlFor(path: string): string {
  return HASHED.test(path.replace(/\.(br|gz)$/, '')) ? IMMUTABLE : REVALIDATE;
}

/** API responses: brotli (quality 4: about gzip's speed, smaller output) or gzip, from 1 KB up. */
export function apiCompression(): RequestHandler {
  return compression({
    threshold: 1024,
    brotli: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    filter: (req: Request, res: Response) => compression.filter(req, res),
  });
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
