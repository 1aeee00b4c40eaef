import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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

/** 400 naming every bad field; unknown fields are refused, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
  });
}
