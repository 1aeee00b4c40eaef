import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './dialect';

/**
 * Next value of a named counter, atomic across server processes on one database.
 * MySQL: `LAST_INSERT_ID(expr)` on the upsert hands this connection its own value.
 * SQLite: one writer at a time, and `RETURNING` gives the new value.
 */
@Injectable()
export class SequenceService {
  constructor(private readonly dataSource: DataSource) {}

  async next(name: string, manager?: EntityManager): Promise<number> {
    const m = manager ?? this.dataSource.manager;
    if (isMysql(this.dataSource)) {
      if (manager?.queryRunner) return this.nextMysql(manager, name);
      // One autocommit statement: the OK packet carries LAST_INSERT_ID(expr) of this very statement
      // (one round trip instead of BEGIN / upsert / SELECT / COMMIT).
      const r = await this.dataSource.query(
        'INSERT INTO counter (name, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)',
        [name],
      );
      const v = Number((r as { insertId?: number }).insertId);
      if (v > 0) return v;
      return this.dataSource.transaction((tx) => this.nextMysql(tx, name));
    }
    const rows = await m.query(
      'INSERT INTO counter (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value',
      [name],
    );
    return Number(rows[0].value);
  }

  private async nextMysql(m: EntityManager, name: string): Promise<number> {
    await m.query('INSERT INTO counter (name, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)', [
      name,
    ]);
    const rows = await m.query('SELECT LAST_INSERT_ID() AS v');
    return Number(rows[0].v);
  }
}
