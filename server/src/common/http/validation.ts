import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { findXmlIllegal } from '../text/xml-text';
import { describe, FieldProblem, fieldErrors, labelOf, LabelSpec, unknownLabel, wherePrefix } from './field-labels';

const CJK = /[\u4e00-\u9fff]/;
const isIndex = (p: string) => /^\d+$/.test(p);

/** The arguments a decorator was given (`@Max(5)` → [5]) for the constraint named `key` on this property. */
function argsOf(dto: object | undefined, property: string, key: string): { args: unknown[]; each: boolean } {
  if (!dto) return { args: [], each: false };
  const storage = getMetadataStorage();
  for (const m of storage.getTargetValidationMetadatas(dto as new () => object, '', true, false)) {
    if (m.propertyName !== property) continue;
    const name = m.type === 'customValidation' ? storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name : m.type;
    if (name === key) return { args: m.constraints ?? [], each: !!m.each };
  }
  return { args: [], each: false };
}

/**
 * What is wrong, said after the field's name, for each class-validator constraint the DTOs use. The bounds come from
 * the decorator (`@Max(5)`); when the body was not an object of the form at all (a JSON array) they are not known.
 */
const PREDICATES: Record<string, (a: unknown[]) => string> = {
  isDefined: () => '不能为空',
  isNotEmpty: () => '不能为空',
  arrayNotEmpty: () => '不能为空',
  isString: () => '须为文字',
  isInt: () => '须为整数',
  isNumber: () => '须为数字',
  isPositive: () => '须大于 0',
  min: ([n]) => (n === undefined ? '太小' : `不能小于 ${n}`),
  max: ([n]) => (n === undefined ? '太大' : `不能大于 ${n}`),
  isIn: () => '不是可选的值',
  isEnum: () => '不是可选的值',
  isBoolean: () => '须为“是”或“否”',
  isArray: () => '须为一组值',
  isObject: () => '格式不对',
  arrayMaxSize: ([n]) => (n === undefined ? '项数太多' : `最多 ${n} 项`),
  arrayMinSize: ([n]) => (n === undefined ? '项数太少' : `至少 ${n} 项`),
  minLength: ([n]) => (n === undefined ? '太短' : `至少 ${n} 个字`),
  maxLength: ([n]) => (n === undefined ? '太长' : `最多 ${n} 个字`),
  isLength: ([lo, hi]) =>
    lo === undefined && hi === undefined ? '长度不对' : hi === undefined ? `至少 ${lo} 个字` : !lo ? `最多 ${hi} 个字` : `须为 ${lo}–${hi} 个字`,
  matches: () => '格式不对',
  isIso8601: () => '须为日期时间（如 2026-05-01T08:00:00+08:00）',
  isDateString: () => '须为日期时间',
  isLongitude: () => '须为经度（-180 到 180）',
  isLatitude: () => '须为纬度（-90 到 90）',
  isUrl: () => '须为网址',
  nestedValidation: () => '格式不对',
};

function sentence(label: string, key: string, classMessage: string, dto: object | undefined, property: string): string {
  const { args, each } = argsOf(dto, property, key);
  // A DTO's own message is written in Chinese as the part after the name (`须为 11 位大陆手机号`).
  const predicate = CJK.test(classMessage) ? classMessage : (PREDICATES[key]?.(args) ?? '不符合要求');
  return `${label}${each || classMessage.startsWith('each value in') ? '的每一项' : ''}${predicate}`;
}

/**
 * class-validator's tree → one problem per broken rule: `第 2 位签名：签名图片须为文字` with path `signatures.1.image`.
 * `list` is the label of the array field when `errors` are its items.
 */
function collect(errors: ValidationError[], path: string, prefix: string, out: FieldProblem[], list?: LabelSpec): void {
  for (const e of errors) {
    const p = path ? `${path}.${e.property}` : e.property;
    if (list && isIndex(e.property)) {
      const item = wherePrefix(list, Number(e.property));
      for (const key of Object.keys(e.constraints ?? {})) out.push({ field: p, message: `${item.slice(0, -1)}${PREDICATES[key]?.([]) ?? '不符合要求'}` });
      if (e.children?.length) collect(e.children, p, prefix + item, out);
      continue;
    }
    const dto = e.target ? (e.target as object).constructor : undefined;
    const spec = labelOf(e.property, dto) ?? { label: unknownLabel(e.property) };
    for (const [key, msg] of Object.entries(e.constraints ?? {})) {
      out.push({
        field: p,
        message: prefix + (key === 'whitelistValidation' ? `不认识的字段「${e.property}」，请删除后重新提交` : sentence(spec.label, key, msg, dto, e.property)),
      });
    }
    if (e.children?.length) {
      if (isIndex(e.children[0].property)) collect(e.children, p, prefix, out, spec);
      else collect(e.children, p, prefix + wherePrefix(spec), out);
    }
  }
}

export function validationProblems(errors: ValidationError[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  collect(errors, '', '', out);
  return out;
}

/**
 * Before any DTO check: every string in a body, query or route parameter — nested objects, arrays, multipart
 * text fields (multer has filled req.body by the time pipes run) and object keys alike — must be storable in
 * XML 1.0, or the ledger / pledge exports break. One place for every route; refused with a 400 naming the field.
 */
class AppValidationPipe extends ValidationPipe {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const bad = findXmlIllegal(value, metadata.data ?? '');
      if (bad.length) throw fieldErrors(bad.map((b) => xmlProblem(b)));
    }
    return super.transform(value, metadata);
  }
}

/** The 400 text for an XML-illegal character found by `findXmlIllegal`. */
export function xmlProblem(b: { path: string; char: string }): FieldProblem {
  const field = b.path.replace(/\[(\d+)\]/g, '.$1'); // `body[1].text` → `body.1.text`, as class-validator paths read
  return { field, message: describe(field, `含有无法保存的特殊字符「${b.char}」，请删除后重新提交`) };
}

/**
 * 400 naming every bad field in Chinese (`message`), with the paths beside (`fields`); unknown fields are refused,
 * not silently dropped; XML-illegal characters refused.
 */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // the target (the DTO instance) names the form for the labels; it never leaves the server
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => fieldErrors(validationProblems(errors)),
  });
}
