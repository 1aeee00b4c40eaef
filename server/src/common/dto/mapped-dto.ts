import type { Type } from '@nestjs/common';
import { PartialType, PickType } from '@nestjs/swagger';
import { Label, labelOf } from '../http/field-labels';

/**
 * Nest's mapped types copy a form's validation and OpenAPI metadata into a new class that does not `extends` it, so
 * the Chinese name a property has in that form (`@Label('单位代码')`) would be lost and its 400s would say the table's
 * name instead. This puts each such name on the mapped class too.
 */
function keepLabels<T>(mapped: Type<T>, source: Type<unknown>, keys: readonly PropertyKey[]): Type<T> {
  for (const key of keys.map(String)) {
    const own = labelOf(key, source);
    const table = labelOf(key);
    if (own && (own.label !== table?.label || own.unit !== table?.unit)) Label(own.label, own.unit)(mapped.prototype as object, key);
  }
  return mapped;
}

/** Some fields of a form, with the same rules, OpenAPI description and Chinese names (`PickType` that keeps `@Label`). */
export function PickFields<T, K extends keyof T>(form: Type<T>, keys: readonly K[]): Type<Pick<T, K>> {
  return keepLabels(PickType(form, keys), form, keys);
}

/** Some fields of a form, each made optional (an update form over a create form): `PartialType(PickType(…))` that keeps `@Label`. */
export function OptionalFields<T, K extends keyof T>(form: Type<T>, keys: readonly K[]): Type<Partial<Pick<T, K>>> {
  return keepLabels(PartialType(PickType(form, keys)), form, keys);
}
