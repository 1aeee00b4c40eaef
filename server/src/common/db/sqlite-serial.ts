import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

const inside = new AsyncLocalStorage<boolean>();

/**
 * SQLite (the embedded database) is one connection: TypeORM turns a second concurrent transaction
 * into a savepoint inside the first, so two requests' transactions would interleave and one's rollback
 * could undo the other's work. Here every `dataSource.transaction(…)` / `manager.transaction(…)` waits
 * its turn; a transaction started from inside another one (same async context) runs at once, so
 * nesting cannot deadlock. MySQL runs transactions in parallel and is left alone.
 */
export function serializeSqliteTransactions(ds: DataSource): void {
  if (ds.options.type !== 'better-sqlite3' && ds.options.type !== 'sqlite') return;
  const manager = ds.manager as EntityManager & { __serialized?: boolean };
  if (manager.__serialized) return;
  const original = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (manager as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    if (inside.getStore()) return original(...args);
    const run = tail.catch(() => undefined).then(() => inside.run(true, () => original(...args)));
    tail = run.catch(() => undefined);
    return run;
  };
  manager.__serialized = true;
}
