import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsPositive, Matches, Min } from 'class-validator';

/*
 * Field rules several forms share, each the same rules and OpenAPI entry as the decorators written out on the
 * property, registered in the same order (a stack applies bottom-up, `applyDecorators` in list order), so a 400's
 * messages and their order read as before.
 */

const idAbove0 = (opts: { min?: 1 }) => (opts.min ? Min(opts.min) : IsPositive());

/**
 * An optional record id in a body (`orgId`, `siteId`, `mediaId`): a whole number above 0 (`单位须大于 0`), or with
 * `{ min: 1 }` the older forms' wording (`单位不能小于 1`).
 */
export const OptionalId = (opts: { min?: 1 } = {}): PropertyDecorator => applyDecorators(idAbove0(opts), IsInt(), IsOptional(), ApiPropertyOptional());

/** The same in a query string (`?orgId=12`), read as a number first. */
export const OptionalQueryId = (opts: { min?: 1 } = {}): PropertyDecorator =>
  applyDecorators(
    idAbove0(opts),
    IsInt(),
    Type(() => Number),
    IsOptional(),
    ApiPropertyOptional(),
  );

/** An optional value from a fixed list (a level, a role, a kind): the OpenAPI `enum` and the check name the same list. */
export const OptionalOneOf = (values: readonly string[]): PropertyDecorator =>
  applyDecorators(IsIn(values as string[]), IsOptional(), ApiPropertyOptional({ enum: values as string[] }));

/** A calendar day as a form writes it: `YYYY-MM-DD`. */
export const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** An optional calendar day (a list's `from` / `to`). */
export const OptionalDay = (): PropertyDecorator =>
  applyDecorators(Matches(DAY_PATTERN, { message: '须为日期（如 2026-05-01）' }), IsOptional(), ApiPropertyOptional());
