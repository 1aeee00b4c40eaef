/**
 * The field_month rollup's arithmetic, with no framework in it: what one record (with its metrics) contributes,
 * the merged delta of an edit (new − old) as one upsert, and the SQL that rebuilds the table from field_record and
 * field_metric (seeders; benches that bulk-load field work load this file from server/dist).
 */
import { marks } from '../../common/db/sql';

/** What the rollup needs of one record: its key columns and its metric rows. */
export interface FieldFacts {
  orgPath: string;
  /** Local day `YYYY-MM-DD`. */
  date: string;
  type: string;
  kind: string;
  sector: string | null;
  metrics: [metric: string, value: number][];
}

export interface FieldMonthDelta {
  month: string;
  orgPath: string;
  type: string;
  kind: string;
  sector: string;
  metric: string;
  n: number;
  total: number;
}

const KEYS = ['month', 'orgPath', 'type', 'kind', 'sector', 'metric'] as const;

function contribution(f: FieldFacts, sign: 1 | -1): FieldMonthDelta[] {
  const key = { month: f.date.slice(0, 7), orgPath: f.orgPath, type: f.type, kind: f.kind, sector: f.sector ?? '' };
  return [{ ...key, metric: '', n: sign, total: 0 }, ...f.metrics.map(([metric, value]) => ({ ...key, metric, n: sign, total: sign * value }))];
}

/** contribution(after) − contribution(before), merged per key, rows with nothing to add dropped, in key order. */
export function fieldMonthDeltas(before: FieldFacts | null, after: FieldFacts | null): FieldMonthDelta[] {
  const merged = new Map<string, FieldMonthDelta>();
  for (const d of [...(before ? contribution(before, -1) : []), ...(after ? contribution(after, 1) : [])]) {
    const k = KEYS.map((c) => d[c]).join('\u0000');
    const cur = merged.get(k);
    if (!cur) merged.set(k, d);
    else {
      cur.n += d.n;
      cur.total += d.total;
    }
  }
  // Key order = primary-key order (month, orgPath, …), so concurrent writers take the row locks in one order.
  return [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d)
    .filter((d) => d.n !== 0 || d.total !== 0);
}

/** One multi-row upsert adding the deltas: `[sql, params]`, or null when there is nothing to add. */
export function fieldMonthUpsert(deltas: FieldMonthDelta[], mysql: boolean): [string, unknown[]] | null {
  if (!deltas.length) return null;
  const cols = [...KEYS, 'n', 'total'];
  const add = mysql
    ? 'ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total)'
    : `ON CONFLICT (${KEYS.join(', ')}) DO UPDATE SET n = n + excluded.n, total = total + excluded.total`;
  return [
    `INSERT INTO field_month (${cols.join(', ')}) VALUES ${deltas.map(() => `(${marks(cols.length)})`).join(', ')} ${add}`,
    deltas.flatMap((d) => [...KEYS.map((c) => d[c]), d.n, d.total]),
  ];
}

/** The statements that recompute field_month from the records and their metric rows (seeders, bulk loads, backfill). */
export function rebuildFieldMonthSql(): string[] {
  const cols = `month, orgPath, type, kind, sector, metric, n, total`;
  // SUBSTR and COALESCE are spelled the same on MySQL/MariaDB and SQLite.
  const key = `SUBSTR(date, 1, 7), orgPath, type, kind, COALESCE(sector, '')`;
  return [
    'DELETE FROM field_month',
    `INSERT INTO field_month (${cols}) SELECT ${key}, '', COUNT(*), 0 FROM field_record GROUP BY ${key}`,
    `INSERT INTO field_month (${cols}) SELECT ${key}, metric, COUNT(*), SUM(value) FROM field_metric GROUP BY ${key}, metric`,
  ];
}

/** Runs rebuildFieldMonthSql on a DataSource, EntityManager or plain connection. */
export async function rebuildFieldMonth(db: { query(sql: string): Promise<unknown> }): Promise<void> {
  for (const sql of rebuildFieldMonthSql()) await db.query(sql);
}
