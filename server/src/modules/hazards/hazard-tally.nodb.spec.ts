import { chinaMonth, dueMonthOf, tallyUnitOf, tallyUnitsOf } from './hazard-tally';

describe('hazard_tally keys', () => {
  it('counts a hazard under 0 and every unit of its path; a subtree is its last unit', () => {
    expect(tallyUnitsOf('/1/6/9/')).toEqual([0, 1, 6, 9]);
    expect(tallyUnitOf('/1/6/')).toBe(6);
    expect(tallyUnitOf(null)).toBe(0);
    expect(tallyUnitOf('/__none__/')).toBe(-1); // an officer without a unit sees nothing
  });

  it('keys open work by the China-time month of its deadline, nothing else', () => {
    // 00:30 on 1 December in China is still 30 November in UTC
    expect(dueMonthOf('assigned', new Date('2026-11-30T16:30:00Z'))).toBe('2026-12');
    expect(dueMonthOf('rectifying', '2026-11-30 15:59:59.999')).toBe('2026-11'); // SQLite's stored text (UTC)
    expect(dueMonthOf('rectified', new Date('2026-11-30T16:30:00Z'))).toBe('');
    expect(dueMonthOf('assigned', null)).toBe('');
  });

  it('this month in China starts at 16:00 UTC the day before', () => {
    const { month, start } = chinaMonth(new Date('2026-11-30T16:30:00Z'));
    expect(month).toBe('2026-12');
    expect(start.toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });
});
