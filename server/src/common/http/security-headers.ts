import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What a browser may do with our pages and answers (helmet, plus Permissions-Policy which helmet leaves out).
 * The CSP is the one the h5 build passes (test/browser/csp.e2e.ts loads it in Chromium with this policy on):
 * scripts from our origin only, plus the inline scripts of the served index.html by their SHA-256 (Taro puts its
 * rem-sizing snippet there); styles also inline (Taro h5 and NutUI set style attributes); images from our
 * origin, data: and blob: (a picked photo is previewed from a blob: URL, and read back from it to upload).
 */
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  // blob:/data: — Taro h5's uploadFile reads a picked photo (a blob: URL) back with XHR before posting it
  'connect-src': ["'self'", 'blob:', 'data:'],
  'media-src': ["'self'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
};

/** The report form asks for the location and the camera; nothing else is offered to any page. */
export const PERMISSIONS_POLICY = 'geolocation=(self), camera=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), midi=(), interest-cohort=()';

/** HSTS for one year, sent only on a request that arrived over TLS (directly, or as a trusted proxy says). */
const HSTS = 'max-age=31536000; includeSubDomains';

/** `'sha256-…'` sources for the inline `<script>` elements of an HTML page (the h5 index.html). */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(m[1] ?? '') || !m[2]) continue;
    out.push(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return out;
}

type RawHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Helmet's headers, Permissions-Policy and (over TLS) HSTS on every answer, set on the raw response in `onRequest` so
 * that answers written outside Fastify's reply (streamed downloads) carry them too.
 */
export function securityHeaders(fastify: FastifyInstance, opts: { inlineScriptHashes?: string[] } = {}): void {
  const directives = { ...CSP_DIRECTIVES, 'script-src': [...CSP_DIRECTIVES['script-src'], ...(opts.inlineScriptHashes ?? [])] };
  const h = helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    // HSTS is decided per request below: over plain HTTP it is meaningless, and on a LAN install it would lock out http://
    strictTransportSecurity: false,
    xFrameOptions: { action: 'sameorigin' },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    // the mini-program's <image> loads our signed media URLs from WeChat's own origin (a webview renderer on
    // devices and in DevTools): same-origin would block them; access is guarded by the signed URL instead
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  }) as RawHandler;
  fastify.addHook('onRequest', (req, reply, done) => {
    h(req.raw, reply.raw, (err) => {
      if (err) return done(err as Error);
      reply.raw.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
      // request.protocol reads X-Forwarded-Proto only from a proxy TRUST_PROXY trusts
      if (req.protocol === 'https') reply.raw.setHeader('Strict-Transport-Security', HSTS);
      done();
    });
  });
}

/**
 * Swagger UI (/api/docs, when on) starts itself with an inline script and style: that page alone gets a CSP
 * allowing them, still with no other origin.
 */
export function docsCsp(fastify: FastifyInstance): void {
  const directives = { ...CSP_DIRECTIVES, 'script-src': ["'self'", "'unsafe-inline'"] };
  const csp = helmet.contentSecurityPolicy({ useDefaults: false, directives }) as RawHandler;
  fastify.addHook('onRequest', (req, reply, done) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/api/docs' && !path.startsWith('/api/docs/')) return done();
    csp(req.raw, reply.raw, (err) => done(err ? (err as Error) : undefined));
  });
}
