import type { FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';

/** The content types of the files the server writes. */
export const FILE_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
} as const;

export interface Download {
  /** Content-Type, e.g. `FILE_TYPES.xlsx`. */
  type: string;
  /** The name people see, Chinese allowed: `隐患台账-2026-06-01.xlsx`. */
  filename: string;
  /** The plain-ASCII name for clients that do not read `filename*` (made from `filename` when absent). */
  fallback?: string;
  /** Personal data (the default): `Cache-Control: private, no-store`; a public file (a blank template) may be revalidated. */
  personal?: boolean;
}

/** RFC 5987 `value-chars`: percent-encoded UTF-8; `encodeURIComponent` also leaves `'()*`, which attr-char excludes. */
function extValue(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A quoted-string-safe ASCII name: other characters, quotes, backslashes and `%` become `_`. */
function asciiName(s: string): string {
  return s.replace(/[^\x20-\x7e]|["\\%]/g, '_');
}

/**
 * RFC 6266 `Content-Disposition` with an RFC 5987 `filename*=UTF-8''…` for the real name and a plain ASCII
 * `filename="…"` for clients that read only that.
 */
export function contentDisposition(filename: string, fallback?: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  return `${disposition}; filename="${asciiName(fallback ?? filename)}"; filename*=UTF-8''${extValue(filename)}`;
}

function downloadHeaders(reply: FastifyReply, d: Download): FastifyReply {
  return reply
    .header('Content-Type', d.type)
    .header('Content-Disposition', contentDisposition(d.filename, d.fallback))
    .header('Cache-Control', d.personal === false ? 'no-cache' : 'private, no-store');
}

/**
 * Sets the headers of a file download, starts the answer and hands back the stream to write the body into (exceljs,
 * pdfkit); ending that stream ends the answer.
 */
export function startDownload(reply: FastifyReply, d: Download): PassThrough {
  const out = new PassThrough();
  downloadHeaders(reply, d).send(out);
  return out;
}

/** A download whose body is already in memory (sent with its Content-Length). */
export function sendDownload(reply: FastifyReply, d: Download, body: Buffer): void {
  downloadHeaders(reply, d).send(body);
}
