import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsPositive, Min } from 'class-validator';

/**
 * An optional record id in a query string (`?orgId=12`, `?siteId=3`), read as a number: a whole number above 0
 * (`单位须大于 0`), or with `{ min: 1 }` the older forms' wording (`单位不能小于 1`). The same rules and OpenAPI entry
 * as the five decorators written on the property, registered in the same order (a stack applies bottom-up), so a
 * 400 reads as before.
 */
export const OptionalQueryId = (opts: { min?: 1 } = {}): PropertyDecorator =>
  applyDecorators(
    opts.min ? Min(opts.min) : IsPositive(),
    IsInt(),
    Type(() => Number),
    IsOptional(),
    ApiPropertyOptional(),
  );
