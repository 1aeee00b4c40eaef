import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { findXmlIllegal } from '../text/xml-text';

function flatten(errors: ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      for (const [kind, msg] of Object.entries(e.constraints)) {
        // class-validator starts its messages with the property name; make it the full path.
        if (kind === 'whitelistValidation') out.push(`${path} is not an allowed field`);
        else out.push(msg.startsWith(e.property) ? path + msg.slice(e.property.length) : `${path}: ${msg}`);
      }
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
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
      if (bad.length) throw new BadRequestException(bad.map((b) => `${b.path} 含有无法保存的特殊字符（${b.char}），请删除后重新提交`));
    }
    return super.transform(value, metadata);
  }
}

/** 400 naming every bad field; unknown fields are refused, not silently dropped; XML-illegal characters refused. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
  });
}
