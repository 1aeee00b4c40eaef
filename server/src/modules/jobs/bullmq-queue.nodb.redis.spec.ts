/**
 * BullMqQueue.idle(): a job scheduler's next run (every()) is always delayed and is not outstanding work, so a queue
 * with only that is idle; a job delayed by add() still counts. Job ids as the callers make them. Needs Redis at REDIS_URL
 * (default redis://127.0.0.1:6379).
 */
import { BullMqQueue, bullJobId } from './bullmq-queue';

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

  it('takes any job id, a `:` or an integer too, and still runs a job once per id', async () => {
    // a deadline reminder's WeChat push is keyed `hazard:<id>:overdue:<deadline>:<day>:<user>`: BullMQ refused it
    const ran: string[] = [];
    q.register<{ n: string }>('push', async (d) => void ran.push(d.n));
    for (const id of ['hazard:12:overdue:1796470000000:2026-12-05:7', '42', '%3A', ':']) {
      await q.add('push', { n: id }, { jobId: id });
      await q.add('push', { n: `${id} again` }, { jobId: id });
    }
    expect(await q.idle(20_000)).toBe(true);
    expect(ran.sort()).toEqual(['%3A', '42', ':', 'hazard:12:overdue:1796470000000:2026-12-05:7']);
    // one to one: ids that differ stay apart
    expect(new Set(['a:b', 'a%3Ab', 'a%b', '7', '%N7'].map(bullJobId)).size).toBe(5);
  });
});
