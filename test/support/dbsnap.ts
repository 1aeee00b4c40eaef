/** Row counts of every table of a MariaDB database (exact COUNT(*), not information_schema estimates). */
import { createConnection } from 'mysql2/promise';

export type RowCounts = Record<string, number>;

export async function rowCounts(url: string, exclude: string[] = []): Promise<RowCounts> {
  const c = await createConnection(url);
  try {
    const [tables] = await c.query<any[]>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    );
    const out: RowCounts = {};
    for (const { t } of tables) {
      if (exclude.includes(t)) continue;
      const [[row]] = await c.query<any[]>(`SELECT COUNT(*) AS n FROM \`${t}\``);
      out[t] = Number(row.n);
    }
    return out;
  } finally {
    await c.end();
  }
}

/** Tables whose counts differ, as `table: before → after`. */
export function diffCounts(a: RowCounts, b: RowCounts): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`);
}
