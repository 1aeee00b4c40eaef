import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** `INSERT INTO "idempotency_record"(…) VALUES …` → `INSERT INTO idempotency_record`: the verb and the table, no values. */
export function statementHead(query: string): string {
  const m =
    /^\s*(insert\s+(?:or\s+\w+\s+|ignore\s+)?into|update|delete\s+from|select\b[\s\S]*?\bfrom|create\s+table|alter\s+table|drop\s+table|create\s+(?:unique\s+)?index)\s+[`"']?([\w.]+)/i.exec(
      query,
    );
  if (!m) return query.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  const verb = m[1].toLowerCase().startsWith('select') ? 'SELECT … FROM' : m[1].replace(/\s+/g, ' ').toUpperCase();
  return `${verb} ${m[2]}`;
}

/** The driver's error code (`ER_DUP_ENTRY`, `SQLITE_CONSTRAINT_UNIQUE`, …), never its message (MySQL quotes the duplicate value). */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return String(e?.code ?? e?.driverError?.code ?? (err instanceof Error ? err.name : 'error'));
}

/**
 * TypeORM's log lines through the app logger (pino via nestjs-pino, so LOG_LEVEL applies). A failed query is a
 * debug line with the error code and the statement's verb and table only: the parameters (a villager's description,
 * an idempotency key) and the statement's values never reach the log. Failures the code handles — a unique-key race
 * answered by an idempotent replay, a notification deduplicated — stay out of an info log; one it does not handle
 * reaches the exception filter, which logs it as a 500.
 */
export class AppTypeOrmLogger implements TypeOrmLogger {
  private readonly out = new NestLogger('TypeORM');

  logQuery(): void {
    /* queries are not logged */
  }
  logQueryError(error: string | Error, query: string): void {
    this.out.debug(`query failed (${errorCode(error)}): ${statementHead(query)}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.out.warn(`slow query (${time} ms): ${statementHead(query)}`);
  }
  logSchemaBuild(message: string): void {
    this.out.debug(message);
  }
  logMigration(message: string): void {
    this.out.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : String(message);
    if (level === 'warn') this.out.warn(text);
    else this.out.debug(text);
  }
}
