import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Path ids: a positive integer, or a 400 naming the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    const n = Number(value);
    if (!/^\d{1,12}$/.test(String(value)) || !Number.isSafeInteger(n) || n <= 0) {
      throw new BadRequestException([`${meta.data ?? 'id'} must be a positive integer`]);
    }
    return n;
  }
}
