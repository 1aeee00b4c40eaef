/**
 * A row of a raw query (`DataSource.query`, `getRawMany`, `getRawOne`): column aliases and driver values, which
 * TypeORM leaves untyped (numbers may come back as strings, times as strings or Dates depending on the database).
 * Read each value through `num()`, `String()` or `readTime()` where it is used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows are untyped by nature; this is the one place that says so
export type SqlRow = Record<string, any>;
