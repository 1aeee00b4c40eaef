import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAscii } from 'node:buffer';
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

/** A non-ASCII body at least this big is read as latin1 and its strings decoded after the parse (parseJsonBody). */
const LATIN1_FROM = 4096;
const BAD_JSON = '提交的内容格式不对（不是有效的 JSON），请刷新后重试';

/**
 * A JSON body's bytes, parsed as body-parser did (strict: an object or an array at the top; an empty body is `{}`).
 *
 * How the text is made is about CPU. Bytes that are all ASCII are read as latin1: the same text, without a UTF-8
 * decode. A big body with a few non-ASCII bytes — a signature: two 20 KB images beside a child's name — decoded as
 * UTF-8 becomes a two-byte string, and decoding it and JSON.parse of it took 146 µs for 43 KB where the same bytes
 * read as latin1 took 27 (measured, Node 20). So such a body is parsed from its latin1 text, and then each string
 * (value or key) that holds a byte ≥ 0x80 is decoded from UTF-8. That gives exactly what the plain decode gives:
 * JSON's syntax is all ASCII and a UTF-8 sequence has no ASCII byte, so every string's bytes come through whole (an
 * invalid sequence turns into U+FFFD the same way). Not when the body has a `\u` escape — an escaped character
 * ≥ U+0080 is no UTF-8 byte —, nor when the text does not start with `{` or `[` after ASCII blanks, nor for a body mostly
 * of non-ASCII text (mostlyAscii): then the plain decode.
 */
export function parseJsonBody(b: Buffer): unknown {
  const ascii = isAscii(b);
  if (ascii || (b.length >= LATIN1_FROM && mostlyAscii(b) && b.indexOf('\\u') < 0)) {
    const text = b.toString('latin1');
    if (/^[ \t\n\r]*[[{]/.test(text)) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new BadRequestException([BAD_JSON]);
      }
      return ascii ? body : utf8Strings(body);
    }
  }
  return parseJsonPlain(b);
}

/** The plain way, as body-parser: the whole body decoded from UTF-8, then parsed. */
export function parseJsonPlain(b: Buffer): unknown {
  const s = b.toString('utf8');
  if (s.trim().length === 0) return {};
  try {
    if (!/^\s*[[{]/.test(s)) throw new SyntaxError('not an object or array');
    return JSON.parse(s);
  } catch {
    throw new BadRequestException([BAD_JSON]);
  }
}

/**
 * Whether at most one in eight of 64 bytes spread over the body is ≥ 0x80: a guess, in 64 reads, that the body is
 * mostly ASCII. A body mostly of Chinese text (a long message) parses ~16 % slower read as latin1 and decoded string
 * by string (53 KB: 372 µs against 321, measured), so it takes the plain decode.
 */
function mostlyAscii(b: Buffer): boolean {
  let high = 0;
  const step = b.length / 64;
  for (let i = 0; i < 64; i++) if (b[Math.floor(i * step)] >= 0x80) high++;
  return high <= 8;
}

/** A string read as latin1 that holds a byte ≥ 0x80, decoded from UTF-8; others as they are (byteLength: ~0.5 µs for 20 KB). */
function utf8Of(s: string): string {
  return Buffer.byteLength(s, 'utf8') === s.length ? s : Buffer.from(s, 'latin1').toString('utf8');
}

/** utf8Of over every string and key of a parsed body, in place (iterative: the depth check comes after). */
function utf8Strings(root: unknown): unknown {
  if (typeof root === 'string') return utf8Of(root);
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] === 'string') v[i] = utf8Of(v[i]);
        else stack.push(v[i]);
      }
      continue;
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.some((k) => utf8Of(k) !== k)) {
      // a key to decode: the object again in the same order (defineProperty: an own `__proto__` stays a property)
      const entries = keys.map((k) => [utf8Of(k), o[k]] as const);
      for (const k of keys) delete o[k];
      for (const [k, x] of entries) Object.defineProperty(o, k, { value: x, writable: true, enumerable: true, configurable: true });
    }
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === 'string') o[k] = utf8Of(x);
      else stack.push(x);
    }
  }
  return root;
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
function readBody(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number, done: Done, parse: (body: Buffer) => unknown): void {
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
      finish(null, parse(Buffer.concat(chunks)));
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
    readBody(req, payload, o.jsonLimit, done, (b) => {
      const body = parseJsonBody(b);
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
    readBody(req, payload, o.formLimit, done, (b) => ({ ...parseQuery(b.toString('utf8')) }));
  });
  // read by the upload interceptor after the guards ran (multer, on the raw request)
  fastify.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null, undefined));
  const textRoutes = o.textRoutes ?? [];
  fastify.addContentTypeParser('*', (req, payload, done) => {
    const path = (req.url ?? '').split('?')[0];
    const route = textRoutes.find((r) => r.method === req.method && r.url === path);
    if (!route) return done(null, undefined);
    readBody(req, payload, route.limit, done, (b) => b.toString('utf8'));
  });
}
