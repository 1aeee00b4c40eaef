import { CallHandler, ExecutionContext, HttpException, Injectable, mixin, NestInterceptor, PayloadTooLargeException, Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import multer from 'multer';
import type { Observable } from 'rxjs';
import { fieldErrors } from '../http/field-labels';
import { xmlProblem } from '../http/validation';
import { findXmlIllegal } from '../text/xml-text';

export interface FileUploadOptions {
  /** What the file is, in the words of the page: 图片, 名单文件. */
  what: string;
  maxBytes: number;
  /** Text fields allowed beside the file (multer's `fields`). */
  fields?: number;
  /** Longest text field in bytes. */
  fieldSize?: number;
}

const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/** multer's error codes → a 413 / 400 in plain Chinese naming the field (`file`). */
export function uploadError(err: unknown, o: FileUploadOptions): HttpException {
  switch ((err as { code?: string }).code) {
    case 'LIMIT_FILE_SIZE':
      return new PayloadTooLargeException(`${o.what}太大（最大 ${mb(o.maxBytes)}），请压缩后再上传`);
    case 'LIMIT_UNEXPECTED_FILE':
    case 'LIMIT_FILE_COUNT':
      return fieldErrors([{ field: 'file', message: `每次只能上传一个${o.what}` }]);
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_KEY':
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_PART_COUNT':
      return fieldErrors([{ field: 'file', message: `${o.what}以外附带的内容太多，请只上传${o.what}` }]);
    default:
      return fieldErrors([{ field: 'file', message: `${o.what}没有完整收到，请重新上传` }]);
  }
}

/**
 * Reads one multipart file (field `file`) into memory after the guards ran, like Nest's FileInterceptor, but every
 * refusal is said in Chinese (Nest passes multer's English through) and the text fields get the XML-character check
 * (the route reads them from req.body without a @Body pipe).
 *
 * Fastify leaves a multipart body unread (its content-type parser is a no-op, json-depth.ts); multer reads it here from
 * the raw request — the same busboy limits and error codes as before — and the file and text fields are put on the
 * Fastify request, where `@UploadedFile()`, `@Req()` and `@Body()` read them.
 */
export function FileUpload(o: FileUploadOptions): Type<NestInterceptor> {
  @Injectable()
  class FileUploadInterceptor implements NestInterceptor {
    private readonly single = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: o.maxBytes, files: 1, fields: o.fields ?? 5, ...(o.fieldSize ? { fieldSize: o.fieldSize } : {}) },
    }).single('file');

    async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const req = ctx.switchToHttp().getRequest<FastifyRequest & { file?: Express.Multer.File }>();
      const res = ctx.switchToHttp().getResponse<FastifyReply>();
      const raw = req.raw as IncomingMessage & { body?: unknown; file?: Express.Multer.File };
      await new Promise<void>((resolve, reject) =>
        this.single(raw as never, res.raw as ServerResponse as never, (err: unknown) => (err ? reject(uploadError(err, o)) : resolve())),
      );
      if (raw.body !== undefined) req.body = raw.body;
      req.file = raw.file;
      const bad = findXmlIllegal(req.body);
      if (bad.length) throw fieldErrors(bad.map(xmlProblem));
      return next.handle();
    }
  }
  return mixin(FileUploadInterceptor);
}
