import { missingMetrics, validateFieldRecord } from './fieldwork';

describe('field record checks say which count is missing, in the form’s words', () => {
  it('a drill without its count: the server’s problem and the form’s toast read the same', () => {
    expect(validateFieldRecord('drill', 'fire', {})).toEqual([{ field: 'metrics.participants', message: '请填写参演观摩人数（人）' }]);
    expect(missingMetrics('drill', 'fire', {})).toBe('请填写参演观摩人数（人）');
    expect(missingMetrics('drill', 'fire', { participants: undefined })).toBe('请填写参演观摩人数（人）');
    expect(missingMetrics('drill', 'fire', { participants: 0 })).toBeNull();
  });
  it('every problem is plain Chinese with its path beside it', () => {
    const all = [
      ...validateFieldRecord('drill', 'nope', {}),
      ...validateFieldRecord('inspection', 'routine', { inspectors: -1, vehicles: 1.5, issues: 1e9, bogus: 1 }),
    ];
    expect(all.map((p) => p.field)).toEqual(['kind', 'sector', 'metrics.bogus', 'metrics.inspectors', 'metrics.vehicles', 'metrics.issues']);
    for (const p of all) expect(p.message.replace(/「[^」]*」/g, '')).not.toMatch(/[A-Za-z]{2,}/);
  });
});
