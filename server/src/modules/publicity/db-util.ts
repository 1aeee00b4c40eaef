import type { DataSource, EntityManager } from 'typeorm';

export { dbTime, readTime } from '../../common/db/dialect';

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `?, ?, ?` for an IN list. */
export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

export function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null;
}

/** A transaction (on SQLite the server-wide turn-taking in common/db/sqlite-serial.ts applies). */
export function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(fn);
}
