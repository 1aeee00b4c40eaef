import { BadRequestException, HttpException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Refuses JSON bodies nested deeper than `max` levels (400) before validation walks them: class-transformer
 * and class-validator recurse, and a 5,000-level body would otherwise blow the stack (500).
 * The walk is iterative, so checking cannot overflow either.
 */
export function jsonDepthLimit(max = 32) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const body = (req as Request & { body?: unknown }).body;
    if (body === null || typeof body !== 'object') return next();
    const stack: [unknown, number][] = [[body, 1]];
    while (stack.length) {
      const [v, depth] = stack.pop()!;
      if (depth > max) {
        return next(new BadRequestException([`提交的内容层次太多（最多 ${max} 层），请刷新后重试`]));
      }
      for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
    next();
  };
}

/**
 * body-parser's refusals said in Chinese. Its errors reach the exception filter as Nest exceptions carrying
 * body-parser's English text (`Unexpected token …is not valid JSON`), so they are replaced where they arise.
 * Too large stays body-parser's error (the filter answers 413 提交的内容过大).
 */
export function plainBodyErrors(parser: RequestHandler): RequestHandler {
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.parse.failed') return next(new BadRequestException(['提交的内容格式不对（不是有效的 JSON），请刷新后重试']));
      if (type === 'encoding.unsupported' || type === 'charset.unsupported')
        return next(new UnsupportedMediaTypeException('提交的内容编码不支持，请刷新后重试'));
      if (type === 'request.aborted' || type === 'request.size.invalid') return next(new BadRequestException(['提交的内容没有完整收到，请重试']));
      if (type !== 'entity.too.large' && !(err instanceof HttpException) && (err as { status?: number }).status === 400) {
        return next(new BadRequestException(['提交的内容无法读取，请刷新后重试']));
      }
      next(err);
    });
}
