/**
 * Small pieces every raw query shares (one implementation each; `dbTime` / `readTime` for times are in
 * `dialect.ts`, unit names in `unit-names.ts`).
 */

/** `?, ?, ?` — the placeholders of an `IN (…)` list of `n` values (or a VALUES row of `n` columns). */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** A number from a raw row (MySQL answers COUNT/SUM as text, SQLite as numbers; NULL is 0). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** `part / whole` rounded to 4 decimals (a percentage with two decimals), null when there is no whole. */
export const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : null);

/** An optional time as ISO text for an answer. */
export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
