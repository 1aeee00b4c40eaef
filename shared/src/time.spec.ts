import {
  addDays,
  addMonths,
  BEIJING_OFFSET_MS,
  beijingDate,
  beijingDayEnd,
  beijingDayStart,
  beijingIso,
  beijingMonth,
  beijingMonthRange,
  beijingMonthStart,
  beijingTime,
  beijingTimeSeconds,
  beijingToday,
  beijingYear,
  beijingYearStart,
  isCalendarDay,
  parseBeijing,
} from './time';

describe('China time', () => {
  it('has one offset: eight hours', () => {
    expect(BEIJING_OFFSET_MS).toBe(28_800_000);
  });

  it('16:00 UTC is already the next Beijing day; 15:59:59.999 is not', () => {
    expect(beijingDate('2026-06-01T16:00:00Z')).toBe('2026-06-02');
    expect(beijingDate('2026-06-01T15:59:59.999Z')).toBe('2026-06-01');
    expect(beijingTime(new Date('2026-06-01T16:00:00Z'))).toBe('2026-06-02 00:00');
    expect(beijingTimeSeconds('2026-06-01T10:05:09Z')).toBe('2026-06-01 18:05:09');
  });

  it('crosses month and year boundaries at 16:00 UTC', () => {
    expect(beijingMonth('2026-01-31T16:00:00Z')).toBe('2026-02');
    expect(beijingMonth('2026-01-31T15:59:59Z')).toBe('2026-01');
    expect(beijingYear(new Date('2025-12-31T16:00:00Z'))).toBe(2026);
    expect(beijingYear(new Date('2025-12-31T15:59:59.999Z'))).toBe(2025);
    expect(beijingDate('2025-12-31T16:00:00Z')).toBe('2026-01-01');
  });

  it('knows the leap day', () => {
    expect(beijingDate('2028-02-28T16:00:00Z')).toBe('2028-02-29');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
    expect(isCalendarDay('2026-6-1')).toBe(false);
    expect(beijingMonthRange('2028-02').end.toISOString()).toBe('2028-02-29T16:00:00.000Z');
  });

  it('gives the UTC instants of Beijing days, months and years', () => {
    expect(beijingDayStart('2026-06-02').toISOString()).toBe('2026-06-01T16:00:00.000Z');
    expect(beijingDayEnd('2026-06-30').toISOString()).toBe('2026-06-30T15:59:59.999Z');
    expect(beijingMonthStart('2026-01').toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(beijingMonthRange('2026-12')).toEqual({ start: new Date('2026-11-30T16:00:00Z'), end: new Date('2026-12-31T16:00:00Z') });
    expect(beijingYearStart(2026).toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(beijingIso('2026-06-01', '09:30')).toBe('2026-06-01T01:30:00.000Z');
    expect(beijingIso('2026-06-01')).toBe('2026-05-31T16:00:00.000Z');
  });

  it('reads a day a person gave as the whole Beijing day, and a full time as given', () => {
    expect(parseBeijing('2026-06-30', 'end').toISOString()).toBe('2026-06-30T15:59:59.999Z');
    expect(parseBeijing('2026-06-30').toISOString()).toBe('2026-06-29T16:00:00.000Z');
    expect(parseBeijing('2026-06-30T12:00:00Z', 'end').toISOString()).toBe('2026-06-30T12:00:00.000Z');
  });

  it('counts today from the clock it is given', () => {
    const now = new Date('2026-12-31T16:30:00Z');
    expect(beijingToday(0, now)).toBe('2027-01-01');
    expect(beijingToday(-1, now)).toBe('2026-12-31');
    expect(beijingToday(30, now.getTime())).toBe('2027-01-31');
  });

  it('answers empty text for no time or a bad one', () => {
    expect(beijingTime(null)).toBe('');
    expect(beijingDate(undefined)).toBe('');
    expect(beijingDate('')).toBe('');
    expect(beijingTime('not a time')).toBe('');
  });

  it('does month arithmetic across years', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});
