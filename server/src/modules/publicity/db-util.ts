import type { DataSource, EntityManager } from 'typeorm';

/** A Date as a raw-query parameter: MySQL takes the Date (timezone Z), SQLite the UTC text TypeORM stores. */
export function dbTime(ds: DataSource, d: Date): Date | string {
  return ds.options.type === 'mysql' ? d : d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A datetime read by a raw query: a Date on MySQL, UTC text on SQLite. */
export function readTime(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `?, ?, ?` for an IN list. */
export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;
}

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * A transaction. SQLite here is one connection in one process: two transactions started at once would
 * nest ("cannot start a transaction within a transaction"), so they wait their turn. MySQL runs them in parallel.
 */
export function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type === 'mysql') return ds.transaction(fn);
  const prev = sqliteQueues.get(ds) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(() => ds.transaction(fn));
  sqliteQueues.set(ds, run.catch(() => undefined));
  return run;
}
