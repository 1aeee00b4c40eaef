/**
 * BullMqQueue.idle(): a job scheduler's next run (every()) is always delayed and is not outstanding work, so a queue
 * with only that is idle; a job delayed by add() still counts. Needs Redis at REDIS_URL (default redis://127.0.0.1:6379).
 */
import { BullMqQueue } from './bullmq-queue';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('BullMqQueue.idle', () => {
  let q: BullMqQueue;
  beforeAll(() => {
    q = new BullMqQueue(REDIS_URL, true, {
      prefix: `xa-test-idle-${process.pid}-${Date.now().toString(36)}`,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
  });
  afterAll(async () => {
    await q.close();
  });

  it('is idle with only a scheduler waiting for its next run, busy while a delayed job waits', async () => {
    const ran: string[] = [];
    q.register('tick', async () => void ran.push('tick'));
    q.register('later', async () => void ran.push('later'));
    await q.every('tick', 60_000);
    expect(await q.idle(3_000)).toBe(true);

    await q.add('later', {}, { delayMs: 1_500 });
    expect(await q.idle(300)).toBe(false);
    expect(await q.idle(20_000)).toBe(true);
    expect(ran).toContain('later');
  });
});
