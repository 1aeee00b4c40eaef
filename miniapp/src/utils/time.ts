/**
 * Times for people: always Beijing time (UTC+8, no daylight saving), whatever the phone's time zone.
 * The server sends ISO instants in UTC; never show their text as is.
 *
 *   beijingTime('2026-06-01T01:00:00Z')  → '2026-06-01 09:00'
 *   beijingDate('2026-06-01T16:30:00Z')  → '2026-06-02'
 *   beijingToday()                      → today's date in Beijing, 'YYYY-MM-DD'
 */
const shifted = (t: number) => new Date(t + 8 * 3600_000).toISOString();

export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? '' : shifted(t).replace('T', ' ').slice(0, 16);
}

export function beijingDate(iso: string | null | undefined): string {
  return beijingTime(iso).slice(0, 10);
}

/** Beijing date `days` from now. */
export function beijingToday(days = 0): string {
  return shifted(Date.now() + days * 86400_000).slice(0, 10);
}
