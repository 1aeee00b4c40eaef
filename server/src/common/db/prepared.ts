import { DataSource, QueryFailedError } from 'typeorm';
import { isMysql } from './dialect';

interface Mysql2Connection {
  execute(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown) => void): void;
}

/**
 * A hot read sent as a prepared statement on MySQL/MariaDB (mysql2's `execute`, the binary protocol): the statement
 * is parsed once a connection and kept (at most 64 a connection, db-options.ts; the least recently used closed), where
 * `ds.query` has every text parsed anew — about a quarter of MariaDB's CPU on the feed and ledger reads
 * (bench/RESULTS.md 2026-12-05). On the query runner the DataSource hands out, so a `@ReplicaRead()` handler's read
 * goes to its replica as `ds.query`'s would; logged as `ds.query` logs (the statement-counting specs see it); a
 * driver error comes out as TypeORM's QueryFailedError. SQLite: `ds.query`.
 *
 * For reads whose values need nothing of the text protocol: a JS number goes as a DOUBLE parameter (compared to
 * integer columns exactly; LIMIT and OFFSET stay inlined), rows come back with the same JS types for the columns
 * these reads take (DATETIME as Date, BIGINT as number, DECIMAL and text as strings).
 */
export async function readPrepared<T = Record<string, unknown>>(ds: DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  if (!isMysql(ds)) return ds.query(sql, params);
  const qr = ds.createQueryRunner();
  try {
    const conn = (await qr.connect()) as Mysql2Connection;
    ds.logger.logQuery(sql, params, qr);
    return await new Promise<T[]>((resolve, reject) =>
      conn.execute(sql, params, (err, rows) => (err ? reject(new QueryFailedError(sql, params, err)) : resolve(rows as T[]))),
    );
  } finally {
    await qr.release();
  }
}
