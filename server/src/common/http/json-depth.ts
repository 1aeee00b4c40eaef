import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQuery } from 'node:querystring';

/**
 * Refuses JSON bodies nested deeper than `max` levels (400) before validation walks them: class-transformer
 * and class-validator recurse, and a 5,000-level body would otherwise blow the stack (500).
 * The walk is iterative, so checking cannot overflow either.
 */
export function checkJsonDepth(body: unknown, max = 32): void {
  if (body === null || typeof body !== 'object') return;
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) throw new BadRequestException([`提交的内容层次太多（最多 ${max} 层），请刷新后重试`]);
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

export interface BodyParserOptions {
  /** JSON bodies (the API): largest size in bytes. */
  jsonLimit: number;
  /** JSON nesting depth. */
  jsonDepth: number;
  /** application/x-www-form-urlencoded: largest size in bytes. */
  formLimit: number;
  /** Routes that take any other Content-Type as text (WeChat's message push), each with its size limit. */
  textRoutes?: { url: string; method: string; limit: number }[];
}

/** The charset a body declares, lower-cased; undefined when none. */
function charsetOf(type: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(type ?? '');
  return m?.[1].toLowerCase();
}

/** The request's Content-Encoding is not one we read (none or identity). */
function encoded(req: FastifyRequest): boolean {
  const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  return enc !== 'identity';
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Reads a body up to `limit` bytes, then hands the text to `parse`; every refusal is a Nest exception in Chinese (413
 * 提交的内容过大 from the filter). A body over the limit (declared or counted) is read off to its end before the refusal
 * is sent, as body-parser did: answering while the client is still writing would cut its upload (EPIPE) before it
 * could read the 413.
 */
function readBody(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number, done: Done, parse: (text: string) => unknown): void {
  if (encoded(req)) return done(new UnsupportedMediaTypeException('提交的内容编码不支持，请刷新后重试'));
  const declared = Number(req.headers['content-length'] ?? NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = declared > limit;
  let finished = false;
  const finish = (err: Error | null, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  payload.on('data', (c: Buffer) => {
    if (over) return;
    size += c.length;
    if (size > limit) over = true;
    else chunks.push(c);
  });
  payload.on('error', () => finish(new BadRequestException(['提交的内容没有完整收到，请重试'])));
  payload.on('end', () => {
    if (over) return finish(new PayloadTooLargeException('提交的内容过大'));
    if (!Number.isNaN(declared) && declared !== size) return finish(new BadRequestException(['提交的内容没有完整收到，请重试']));
    try {
      finish(null, parse(Buffer.concat(chunks).toString('utf8')));
    } catch (err) {
      finish(err as Error);
    }
  });
}

/**
 * The body parsers, with every refusal said in Chinese: JSON (size and depth limits; parse failures are a 400),
 * urlencoded forms, multipart left unread for the upload interceptor, WeChat's text pushes, and any other
 * Content-Type left unread (the route sees no body, as before: a validation 400, not a 415).
 */
export function registerBodyParsers(fastify: FastifyInstance, o: BodyParserOptions): void {
  fastify.removeAllContentTypeParsers();
  const charset = (req: FastifyRequest, utf8Only: boolean): void => {
    const cs = charsetOf(req.headers['content-type']);
    if (cs && (utf8Only ? cs !== 'utf-8' && cs !== 'utf8' : !cs.startsWith('utf-')))
      throw new UnsupportedMediaTypeException('提交的内容编码不支持，请刷新后重试');
  };
  fastify.addContentTypeParser('application/json', (req, payload, done) => {
    try {
      charset(req, false);
    } catch (err) {
      return done(err as Error, undefined);
    }
    readBody(req, payload, o.jsonLimit, done, (s) => {
      // as body-parser: an empty body is `{}`, and only an object or an array at the top (strict)
      if (s.trim().length === 0) return {};
      let body: unknown;
      try {
        if (!/^\s*[[{]/.test(s)) throw new SyntaxError('not an object or array');
        body = JSON.parse(s);
      } catch {
        throw new BadRequestException(['提交的内容格式不对（不是有效的 JSON），请刷新后重试']);
      }
      checkJsonDepth(body, o.jsonDepth);
      return body;
    });
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', (req, payload, done) => {
    try {
      charset(req, true);
    } catch (err) {
      return done(err as Error, undefined);
    }
    readBody(req, payload, o.formLimit, done, (s) => ({ ...parseQuery(s) }));
  });
  // read by the upload interceptor after the guards ran (multer, on the raw request)
  fastify.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null, undefined));
  const textRoutes = o.textRoutes ?? [];
  fastify.addContentTypeParser('*', (req, payload, done) => {
    const path = (req.url ?? '').split('?')[0];
    const route = textRoutes.find((r) => r.method === req.method && r.url === path);
    if (!route) return done(null, undefined);
    readBody(req, payload, route.limit, done, (s) => s);
  });
}
