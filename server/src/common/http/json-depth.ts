import type { NextFunction, Request, Response } from 'express';

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
        return next(Object.assign(new Error(`body is nested deeper than ${max} levels`), { status: 400, type: 'entity.too.deep' }));
      }
      for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
    next();
  };
}
