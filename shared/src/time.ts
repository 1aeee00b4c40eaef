/**
 * China time (Beijing, UTC+8, no daylight saving) for both sides: the server stores and sends UTC instants; people
 * read, pick and count in Beijing days, months and years. Every conversion goes through here — never add
 * `8 * 3600_000` by hand.
 *
 *   beijingTime('2026-06-01T01:00:00Z')  → '2026-06-01 09:00'
 *   beijingDate('2026-06-01T16:30:00Z')  → '2026-06-02'   (16:00 UTC is already the next Beijing day)
 *   beijingDayStart('2026-06-02')        → 2026-06-01T16:00:00.000Z
 *   beijingDayEnd('2026-06-30')          → 2026-06-30T15:59:59.999Z   (a deadline day's last moment)
 */

/** The one name for Beijing's offset from UTC, in milliseconds. */
export const BEIJING_OFFSET_MS = 8 * 3600_000;

const DAY_MS = 86400_000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** An instant as a Date, or null when absent or not a time. */
function instant(t: Date | string | number | null | undefined): Date | null {
  if (t === null || t === undefined || t === '') return null;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `YYYY-MM-DDTHH:mm:ss.sss` of the instant's Beijing wall clock ('' when absent or invalid). */
function wall(t: Date | string | number | null | undefined): string {
  const d = instant(t);
  return d ? new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 23) : '';
}

/** `YYYY-MM-DD HH:mm` in Beijing ('' for null or an invalid time). */
export function beijingTime(t: Date | string | number | null | undefined): string {
  return wall(t).slice(0, 16).replace('T', ' ');
}

/** `YYYY-MM-DD HH:mm:ss` in Beijing ('' for null or an invalid time). */
export function beijingTimeSeconds(t: Date | string | number | null | undefined): string {
  return wall(t).slice(0, 19).replace('T', ' ');
}

/** The Beijing day `YYYY-MM-DD` of an instant ('' for null or an invalid time). */
export function beijingDate(t: Date | string | number | null | undefined): string {
  return wall(t).slice(0, 10);
}

/** The Beijing month `YYYY-MM` of an instant ('' for null or an invalid time). */
export function beijingMonth(t: Date | string | number | null | undefined): string {
  return wall(t).slice(0, 7);
}

/** The Beijing calendar year of an instant. */
export function beijingYear(t: Date | number): number {
  return new Date((t instanceof Date ? t.getTime() : t) + BEIJING_OFFSET_MS).getUTCFullYear();
}

/** The Beijing day `days` from now (`now` for tests and schedules that pass their clock). */
export function beijingToday(days = 0, now: Date | number = Date.now()): string {
  return beijingDate((now instanceof Date ? now.getTime() : now) + days * DAY_MS);
}

/** The Beijing day `YYYY-MM-DD` → the UTC instant it starts. */
export function beijingDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - BEIJING_OFFSET_MS);
}

/** The Beijing day `YYYY-MM-DD` → its last millisecond (a deadline "by that day" ends here). */
export function beijingDayEnd(day: string): Date {
  return new Date(beijingDayStart(day).getTime() + DAY_MS - 1);
}

/** The Beijing month `YYYY-MM` → the UTC instant it starts. */
export function beijingMonthStart(month: string): Date {
  return beijingDayStart(`${month}-01`);
}

/** The Beijing month `YYYY-MM` as a half-open UTC range [its first moment, the next month's first moment). */
export function beijingMonthRange(month: string): { start: Date; end: Date } {
  return { start: beijingMonthStart(month), end: beijingMonthStart(addMonths(month, 1)) };
}

/** The Beijing year → the UTC instant it starts. */
export function beijingYearStart(year: number): Date {
  return beijingDayStart(`${String(year).padStart(4, '0')}-01-01`);
}

/**
 * A day or a time a person gave: `YYYY-MM-DD` is that Beijing day's start (`edge: 'start'`) or its last
 * millisecond (`'end'`); anything else is read as an ISO time.
 */
export function parseBeijing(s: string, edge: 'start' | 'end' = 'start'): Date {
  if (DAY_RE.test(s)) return edge === 'end' ? beijingDayEnd(s) : beijingDayStart(s);
  return new Date(s);
}

/** A Beijing wall-clock date and time (`2026-06-01`, `09:30`) → the ISO instant in UTC. */
export function beijingIso(day: string, hhmm = '00:00'): string {
  return new Date(Date.parse(`${day}T${hhmm}:00Z`) - BEIJING_OFFSET_MS).toISOString();
}

/** Is `YYYY-MM-DD` a day of the calendar (not 2026-02-30)? */
export function isCalendarDay(s: string): boolean {
  if (!DAY_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Calendar arithmetic on day keys: `addDays('2026-02-28', 1)` → `'2026-03-01'`. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Calendar arithmetic on month keys: `addMonths('2026-12', 1)` → `'2027-01'`. */
export function addMonths(month: string, n: number): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 7);
}
