import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './dialect';

const MYSQL_UPSERT = 'INSERT INTO counter (name, value) VALUES (?, LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + ?)';
const SQLITE_UPSERT = 'INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value';

/**
 * Next value of a named counter, atomic across server processes on one database.
 * MySQL: `LAST_INSERT_ID(expr)` on the upsert hands this connection its own value.
 * SQLite: one writer at a time, and `RETURNING` gives the new value.
 */
@Injectable()
export class SequenceService {
  constructor(private readonly dataSource: DataSource) {}

  /** The next value; with a transaction's `manager`, taken inside that transaction (the row stays locked until it ends). */
  async next(name: string, manager?: EntityManager): Promise<number> {
    if (!manager?.queryRunner) return this.nextBlock(name, 1);
    if (isMysql(this.dataSource)) return this.nextMysql(manager, name, 1);
    return Number((await manager.query(SQLITE_UPSERT, [name, 1]))[0].value);
  }

  /**
   * `k` consecutive values in one autocommit statement (a batch of reports numbered at once). Answers the
   * last one: the block is `last - k + 1 … last`, no other caller in any process can get a value inside it.
   * MySQL: the OK packet carries LAST_INSERT_ID(value + k) of this very statement (one round trip instead of
   * BEGIN / upsert / SELECT / COMMIT).
   */
  async nextBlock(name: string, k: number): Promise<number> {
    if (!Number.isInteger(k) || k < 1) throw new Error(`nextBlock: k must be a positive integer, got ${k}`);
    if (isMysql(this.dataSource)) {
      const r = await this.dataSource.query(MYSQL_UPSERT, [name, k, k]);
      const v = Number((r as { insertId?: number }).insertId);
      if (v > 0) return v;
      // Only if a driver did not pass the value on: the same upsert and a read of it on one connection.
      return this.dataSource.transaction((tx) => this.nextMysql(tx, name, k));
    }
    return Number((await this.dataSource.query(SQLITE_UPSERT, [name, k]))[0].value);
  }

  private async nextMysql(m: EntityManager, name: string, k: number): Promise<number> {
    await m.query(MYSQL_UPSERT, [name, k, k]);
    const rows = await m.query('SELECT LAST_INSERT_ID() AS v');
    return Number(rows[0].v);
  }
}
