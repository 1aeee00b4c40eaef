import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { fieldError } from './field-labels';

/** Path ids: a positive integer, or a 400 naming the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    const n = Number(value);
    if (!/^\d{1,12}$/.test(String(value)) || !Number.isSafeInteger(n) || n <= 0) {
      throw fieldError(meta.data ?? 'id', '须为正整数', '编号');
    }
    return n;
  }
}
