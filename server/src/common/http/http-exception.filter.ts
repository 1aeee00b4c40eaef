import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QueryFailedError } from 'typeorm';
import type { FieldProblem } from './field-labels';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Transient database failures (restart, lost connection, lock wait) are answered 503 so phones retry. */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string; driverError?: { code?: string } };
  const code = e?.code ?? e?.driverError?.code ?? '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'PROTOCOL_CONNECTION_LOST',
      'ETIMEDOUT',
      'EPIPE',
      'ER_LOCK_WAIT_TIMEOUT',
      'ER_LOCK_DEADLOCK',
      'PROTOCOL_SEQUENCE_TIMEOUT',
      'ER_CON_COUNT_ERROR',
      'SQLITE_BUSY',
      'POOL_CLOSED',
      'ER_SERVER_SHUTDOWN',
    ].includes(code) ||
    /Pool is closed|Connection lost|connect ECONNREFUSED|Can't add new command when connection is in closed state|read ECONNRESET/.test(e?.message ?? '')
  );
}

/**
 * Every error leaves as `{ statusCode, error, message }`; a 400 about request fields adds
 * `fields: [{ field: 'signatures.1.image', message }]` (the machine path beside each Chinese sentence).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent || res.raw.headersSent) {
      // a download that failed after its answer started: end the connection rather than leave the client waiting
      if (!res.raw.writableEnded) res.raw.destroy();
      return;
    }
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message: string | string[] = '服务器内部错误，请稍后再试';
    let fields: FieldProblem[] | undefined;
    const ex = exception as { type?: string; status?: number; statusCode?: number; message?: string };

    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse() as string | { message?: string | string[]; fields?: FieldProblem[] };
      message = typeof body === 'string' ? body : (body.message ?? exception.message);
      if (typeof body === 'object' && Array.isArray(body.fields)) fields = body.fields;
    } else if (ex?.type === 'entity.too.large' || exception instanceof PayloadTooLargeException) {
      status = 413;
      message = '提交的内容过大';
    } else if (ex?.type === 'entity.parse.failed') {
      status = 400;
      message = ['提交的内容格式不对（不是有效的 JSON），请刷新后重试'];
    } else if (typeof ex?.status === 'number' && ex.status >= 400 && ex.status < 500) {
      // body-parser / multer errors carry a status
      status = ex.status;
      message = ex.message ?? REASONS[status];
    } else if (isTransientDbError(exception)) {
      status = 503;
      message = '服务暂时不可用，请稍后重试';
      res.header('Retry-After', '2');
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
    } else if (exception instanceof QueryFailedError && /Duplicate entry|UNIQUE constraint failed/.test(exception.message)) {
      status = 409;
      message = '记录已存在';
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    res.status(status).send({ statusCode: status, error: REASONS[status] ?? 'Error', message, ...(fields ? { fields } : {}) });
  }
}
