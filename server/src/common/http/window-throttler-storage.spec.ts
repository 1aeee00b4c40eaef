import { ThrottlerStorage } from '@nestjs/throttler';
import { createTestApp } from '../../testing/test-app';
import { WindowThrottlerStorage } from './window-throttler-storage';

/** The storage on a hand-moved clock: every figure below follows from the times alone. */
function storage() {
  let now = 1_000_000;
  const s = new WindowThrottlerStorage(() => now);
  const hit = (key = 'u1', limit = 5, ttl = 60_000, block = 60_000) => s.increment(key, ttl, limit, block, 'default');
  return { s, hit, tick: (ms: number) => (now += ms) };
}

describe('WindowThrottlerStorage', () => {
  it('lets `limit` hits through in a window, refuses the next and blocks for blockDuration', async () => {
    const { hit, tick } = storage();
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await hit());
    expect(seen.map((r) => r.isBlocked)).toEqual([false, false, false, false, false, true]);
    expect(seen.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen[5].timeToBlockExpire).toBe(60);
    tick(30_000);
    const during = await hit();
    expect(during).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    // the block ends: counting starts afresh
    tick(30_001);
    expect(await hit()).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('counts keys and throttlers apart', async () => {
    const { s, hit } = storage();
    for (let i = 0; i < 5; i++) await hit('a');
    expect((await hit('a')).isBlocked).toBe(true);
    expect((await hit('b')).isBlocked).toBe(false);
    expect((await s.increment('a', 60_000, 5, 60_000, 'writes')).isBlocked).toBe(false);
  });

  it('slides: the previous window still counts for the share of it the sliding window covers', async () => {
    const { hit, tick } = storage();
    for (let i = 0; i < 4; i++) await hit('k', 5);
    tick(60_000 + 15_000); // a quarter into the next window: 3/4 of the previous 4 hits still count
    expect(await hit('k', 5)).toMatchObject({ isBlocked: false, totalHits: 4 });
    expect(await hit('k', 5)).toMatchObject({ isBlocked: false, totalHits: 5 });
    expect((await hit('k', 5)).isBlocked).toBe(true);
  });

  it('forgets a window two windows old', async () => {
    const { hit, tick } = storage();
    for (let i = 0; i < 5; i++) await hit('k', 5);
    tick(120_000);
    expect(await hit('k', 5)).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('keeps constant memory per key however many hits (the library keeps one timestamp per hit)', async () => {
    const { s, hit } = storage();
    for (let i = 0; i < 50_000; i++) await hit('busy', 10_000_000);
    expect(s.size).toBe(1);
    expect((await hit('busy', 10_000_000)).totalHits).toBe(50_001);
  });

  it('drops idle keys and keeps blocked or live ones', async () => {
    const { s, hit, tick } = storage();
    await hit('idle');
    for (let i = 0; i < 6; i++) await hit('blocked', 5, 60_000, 300_000);
    tick(90_000);
    await hit('live');
    tick(40_000); // idle: 130 s old (two windows); blocked: 170 s of its 300 s block left; live: 40 s old
    s.evictIdle();
    expect(s.size).toBe(2);
    tick(200_000);
    s.evictIdle();
    expect(s.size).toBe(0);
  });

  it('reports seconds until the window resets', async () => {
    const { hit, tick } = storage();
    await hit();
    tick(45_500);
    expect((await hit()).timeToExpire).toBe(15);
  });

  it("stops its sweep when the app closes, so a closed app is not kept in memory by the interval's closure", async () => {
    const t = await createTestApp({ seed: 'none' });
    const s = t.app.get<WindowThrottlerStorage>(ThrottlerStorage);
    expect(s).toBeInstanceOf(WindowThrottlerStorage);
    const sweep = (s as unknown as { sweep: NodeJS.Timeout & { _destroyed: boolean } }).sweep;
    expect(sweep._destroyed).toBe(false);
    await t.close();
    expect(sweep._destroyed).toBe(true);
  });
});
